#include "remotesearchcontroller.h"

#include "cache/tracecache.h"
#include "remote/remotepull.h"
#include "workerjob.h"

#include <QDateTime>

namespace tracemap {

using namespace remote;

namespace {

qint64 nowNs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1'000'000;
}

/// The ids as each API takes them: Jaeger's 16 digits for a 64-bit id, which the others accept too.
QString hexOf(const TraceId& id)
{
    return QString::fromStdString(id.toHex());
}

} // namespace

RemoteSearchController::RemoteSearchController(QString cachePath, QObject* parent)
    : QObject(parent)
    , m_cachePath(std::move(cachePath))
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    m_pool.setMaxThreadCount(1);
    // One thread for good: a client's QNetworkAccessManager belongs to the thread that made it.
    m_pool.setExpiryTimeout(-1);
}

RemoteSearchController::~RemoteSearchController()
{
    m_cancel->store(true);
    releaseClient();
    m_pool.waitForDone();
}

void RemoteSearchController::releaseClient()
{
    if (m_lastResult && m_lastResult->body)
        m_lastResult->body->remove();
    m_lastResult.reset();
    // Dropped on the pool's thread, where its network objects live (a job may still hold it; then it goes last).
    if (m_client)
        m_pool.start([client = std::move(m_client)]() mutable { client.reset(); });
    m_client = nullptr;
}

QString RemoteSearchController::sourceLabel() const
{
    return m_connection ? QStringLiteral("%1 (%2)").arg(m_connection->name, backendDisplayName(m_connection->kind))
                        : QString();
}

void RemoteSearchController::setConnection(std::optional<RemoteConnection> connection)
{
    cancel();
    releaseClient();
    ++m_searchGeneration;
    ++m_clientGeneration;
    m_connection = std::move(connection);
    m_client = m_connection
        ? std::shared_ptr<RemoteClient>(RemoteClient::create(m_connection->kind, m_connection->endpoint))
        : nullptr;
}

void RemoteSearchController::cancel()
{
    // Jobs under way see their flag; later ones get a fresh one.
    m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic_bool>(false);
}

template <typename Work, typename Done> void RemoteSearchController::run(const QString& what, Work work, Done done)
{
    if (!m_client)
        return;
    ++m_running;
    Q_EMIT busyChanged(what);
    runOnWorker(
        &m_pool, this,
        [this, client = m_client, cancel = m_cancel, work = std::move(work)]() mutable {
            client->http().setCancelFlag(cancel.get());
            // Posted to the GUI thread, and only when a whole percent (or, size unknown, a megabyte) went by. The
            // controller outlives its jobs: its destructor waits for them.
            client->http().setProgress([this, shown = qint64(-1)](qint64 done, qint64 total) mutable {
                const qint64 step = total > 0 ? done * 100 / total : done >> 20;
                if (step == shown)
                    return;
                shown = step;
                QMetaObject::invokeMethod(
                    this, [this, done, total] { Q_EMIT progress(done, total); }, Qt::QueuedConnection);
            });
            return work(*client);
        },
        [this, done = std::move(done)](auto result) mutable {
            --m_running;
            if (m_running == 0)
                Q_EMIT busyChanged(QString());
            done(std::move(result));
        });
}

void RemoteSearchController::listServices()
{
    run(
        tr("Listing the services of %1…").arg(sourceLabel()), [](RemoteClient& client) { return client.services(); },
        [this, generation = m_clientGeneration](const std::expected<QStringList, FetchError>& services) {
            if (generation != m_clientGeneration)
                return; // the source changed meanwhile
            if (services)
                Q_EMIT servicesListed(*services);
            else
                Q_EMIT failed(services.error().message);
        });
}

void RemoteSearchController::listOperations(const QString& service)
{
    if (service.isEmpty())
        return;
    run(
        tr("Listing the operations of %1…").arg(service),
        [service](RemoteClient& client) { return client.operations(service); },
        [this, service, generation = m_clientGeneration](const std::expected<QStringList, FetchError>& operations) {
            if (generation != m_clientGeneration)
                return;
            if (operations)
                Q_EMIT operationsListed(service, *operations);
            else
                Q_EMIT failed(operations.error().message);
        });
}

void RemoteSearchController::listTagKeys()
{
    run(
        tr("Listing the tags of %1…").arg(sourceLabel()),
        [](RemoteClient& client) -> std::expected<QStringList, FetchError> {
            auto names = client.tagNames();
            if (!names || client.kind() != BackendKind::Tempo)
                return names;
            // Tempo names them by scope ("resource.service.name"); its logfmt tags take them bare.
            QStringList bare;
            for (const QString& name : *names)
                bare << name.section(QLatin1Char('.'), 1);
            bare.removeDuplicates();
            bare.sort(Qt::CaseInsensitive);
            return bare;
        },
        [this, generation = m_clientGeneration](const std::expected<QStringList, FetchError>& keys) {
            // Completion is a help, not the search: a back end without it stays silent.
            if (generation == m_clientGeneration && keys)
                Q_EMIT tagKeysListed(*keys);
        });
}

void RemoteSearchController::listTagValues(const QString& key)
{
    run(
        tr("Listing the values of %1…").arg(key),
        [key](RemoteClient& client) {
            // Tempo's values API takes a TraceQL name: ".key" is the attribute in any scope.
            return client.tagValues(client.kind() == BackendKind::Tempo ? QLatin1Char('.') + key : key);
        },
        [this, key, generation = m_clientGeneration](const std::expected<QStringList, FetchError>& values) {
            if (generation == m_clientGeneration && values)
                Q_EMIT tagValuesListed(key, *values);
        });
}

void RemoteSearchController::search(const TraceQuery& form, const QString& traceQl)
{
    const RemoteSearch request = remoteSearchOf(form, traceQl, nowNs(), kDefaultWindowNs);
    const quint64 generation = ++m_searchGeneration;
    QString note = tr("Traces in %1").arg(sourceLabel());
    if (!request.traceQl.isEmpty())
        note += QStringLiteral(": ") + request.traceQl;
    if (form.sinceNs <= 0)
        note += tr(" (the last two days: a back end needs a time range)");
    run(
        tr("Searching %1…").arg(sourceLabel()),
        [request](RemoteClient& client) { return client.search(request, RemoteClient::Want::Summaries); },
        [this, generation, note](std::expected<RemoteSearchResult, FetchError> found) {
            if (generation != m_searchGeneration)
                return;
            if (!found) {
                Q_EMIT failed(found.error().message);
                return;
            }
            std::vector<TraceSummary> traces = found->traces;
            if (m_lastResult && m_lastResult->body)
                m_lastResult->body->remove(); // the next search replaces it: "Fetch all" imports the new one
            m_lastResult = std::move(*found);
            Q_EMIT resultsReady(traces, note);
        });
}

void RemoteSearchController::open(const TraceId& id)
{
    const QString path = m_cachePath;
    using Outcome = std::expected<std::optional<ImportSummary>, QString>;
    run(
        tr("Fetching trace %1…").arg(hexOf(id)),
        [path, id](RemoteClient& client) -> Outcome {
            auto cache = TraceCache::open(path);
            if (!cache)
                return std::unexpected(cache.error());
            if ((*cache)->loadTrace(id))
                return std::nullopt; // cached: opens from there, offline too
            auto downloads = client.downloadTraces({ hexOf(id) });
            if (!downloads)
                return std::unexpected(downloads.error().message);
            auto imported = RemotePull::importDownloads(**cache, *downloads, client);
            for (const Download& d : *downloads)
                d.remove();
            if (!imported)
                return std::unexpected(imported.error());
            return std::optional(std::move(*imported));
        },
        [this, id](const Outcome& outcome) {
            if (!outcome) {
                Q_EMIT failed(outcome.error());
                return;
            }
            if (*outcome)
                Q_EMIT fetched(**outcome);
            Q_EMIT traceReady(id);
        });
}

void RemoteSearchController::fetchAll()
{
    if (!hasResults())
        return;
    const QString path = m_cachePath;
    const RemoteSearchResult result = *m_lastResult;
    run(
        tr("Fetching %n trace(s) from %1…", nullptr, int(result.traces.size())).arg(sourceLabel()),
        [path, result](RemoteClient& client) -> std::expected<ImportSummary, QString> {
            std::vector<Download> downloads;
            if (result.body) {
                downloads.push_back(*result.body);
            } else {
                QStringList ids;
                for (const TraceSummary& s : result.traces)
                    ids << hexOf(s.traceId);
                auto fetched = client.downloadTraces(ids);
                if (!fetched)
                    return std::unexpected(fetched.error().message);
                downloads = std::move(*fetched);
            }
            auto cache = TraceCache::open(path);
            auto imported = cache ? RemotePull::importDownloads(**cache, downloads, client)
                                  : std::expected<ImportSummary, QString>(std::unexpected(cache.error()));
            if (!result.body) // fetched for this: done with; a search's body stays for another "Fetch all"
                for (const Download& d : downloads)
                    d.remove();
            return imported;
        },
        [this](const std::expected<ImportSummary, QString>& imported) {
            if (imported)
                Q_EMIT fetched(*imported);
            else
                Q_EMIT failed(imported.error());
        });
}

void RemoteSearchController::loadDependencies(qint64 lookbackNs)
{
    const QString description = tr("Dependency links of %1").arg(sourceLabel());
    run(
        tr("Fetching the dependency links of %1…").arg(sourceLabel()),
        [lookbackNs](RemoteClient& client) { return client.dependencies(nowNs(), lookbackNs); },
        [this, description](const std::expected<Topology, FetchError>& links) {
            if (links)
                Q_EMIT dependenciesReady(*links, description);
            else
                Q_EMIT failed(links.error().message);
        });
}

} // namespace tracemap
