#include "remote/remoteclient.h"

#include "formats/dependencylinksreader.h"
#include "formats/traceimporter.h"
#include "remote/jaegerclient.h"
#include "remote/jsonreply.h"
#include "remote/tempoclient.h"
#include "remote/zipkinclient.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <unordered_map>

namespace tracemap::remote {

std::unique_ptr<RemoteClient> RemoteClient::create(BackendKind kind, Endpoint endpoint)
{
    switch (kind) {
    case BackendKind::Jaeger:
        return std::make_unique<JaegerClient>(std::move(endpoint));
    case BackendKind::Tempo:
        return std::make_unique<TempoClient>(std::move(endpoint));
    case BackendKind::Zipkin:
        return std::make_unique<ZipkinClient>(std::move(endpoint));
    }
    return nullptr;
}

std::expected<BackendKind, FetchError> RemoteClient::detect(const Endpoint& endpoint, const std::atomic_bool* cancel)
{
    std::vector<BackendKind> order { BackendKind::Jaeger, BackendKind::Tempo, BackendKind::Zipkin };
    if (const auto hint = guessBackendKind(endpoint.baseUrl)) {
        std::erase(order, *hint);
        order.insert(order.begin(), *hint);
    }
    std::optional<FetchError> first;
    for (BackendKind kind : order) {
        auto client = create(kind, endpoint);
        client->http().setCancelFlag(cancel);
        auto probed = client->probe();
        if (probed)
            return kind;
        // Nothing answers at all (refused, TLS, timeout): asking again as another API would only repeat it.
        const FetchError::Kind why = probed.error().kind;
        if (why != FetchError::Kind::Http && why != FetchError::Kind::BadResponse)
            return std::unexpected(probed.error());
        if (!first)
            first = probed.error();
    }
    FetchError e = *first;
    e.kind = FetchError::Kind::BadResponse;
    e.message = QStringLiteral("%1 answers neither as Jaeger, nor Tempo, nor Zipkin (%2)")
                    .arg(HttpFetcher::shown(endpoint.baseUrl), first->message);
    return std::unexpected(e);
}

namespace {

QString scratchTemplate()
{
    QString folder = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    if (folder.isEmpty() || !QDir().mkpath(folder))
        folder = QDir::tempPath();
    return folder + QStringLiteral("/remote-XXXXXX");
}

} // namespace

void Download::remove() const
{
    QFile::remove(file);
}

RemoteClient::RemoteClient(BackendKind kind, Endpoint endpoint)
    : m_kind(kind)
    , m_http(std::move(endpoint))
    , m_scratch(scratchTemplate())
{
}

RemoteClient::~RemoteClient() = default;

std::expected<Topology, FetchError> RemoteClient::dependencies(qint64, qint64)
{
    return unsupported(QStringLiteral("dependency links"));
}

std::expected<RemoteSearchResult, FetchError> RemoteClient::searchBody(const QUrl& url)
{
    auto body = save(url);
    if (!body)
        return std::unexpected(body.error());
    auto summaries = summarize(*body);
    if (!summaries) {
        body->remove();
        return std::unexpected(summaries.error());
    }
    return RemoteSearchResult { std::move(*summaries), std::move(*body) };
}

std::expected<QJsonDocument, FetchError> RemoteClient::getJson(const QUrl& url)
{
    auto reply = m_http.get(url);
    if (!reply)
        return std::unexpected(reply.error());
    return parseJson(*reply, url);
}

FetchError RemoteClient::traceNotFound(const QString& traceId, FetchError error)
{
    if (error.kind == FetchError::Kind::Http && error.status == 404)
        error.message = QStringLiteral("trace %1 not found: %2").arg(traceId, error.message);
    return error;
}

std::expected<Topology, FetchError> RemoteClient::readDependencies(const QUrl& url)
{
    auto reply = m_http.get(url);
    if (!reply)
        return std::unexpected(reply.error());
    auto links = DependencyLinksReader::read(
        std::string_view(reply->body.constData(), size_t(reply->body.size())), HttpFetcher::shown(url));
    if (!links) {
        // The reader names the URL already ("URL: byte N: …").
        FetchError e;
        e.kind = FetchError::Kind::BadResponse;
        e.message = links.error().toString();
        return std::unexpected(e);
    }
    return std::move(*links);
}

std::expected<QStringList, FetchError> RemoteClient::tagNames()
{
    return QStringList();
}

std::expected<QStringList, FetchError> RemoteClient::tagValues(const QString&)
{
    return QStringList();
}

std::unexpected<FetchError> RemoteClient::unsupported(const QString& what) const
{
    FetchError e;
    e.kind = FetchError::Kind::Unsupported;
    e.message = QStringLiteral("%1 has no %2 API").arg(backendKindName(m_kind), what);
    return std::unexpected(e);
}

FetchError RemoteClient::badResponse(const QUrl& url, const QString& what)
{
    FetchError e;
    e.kind = FetchError::Kind::BadResponse;
    e.message = QStringLiteral("%1: %2").arg(HttpFetcher::shown(url), what);
    return e;
}

std::expected<Download, FetchError> RemoteClient::save(const QUrl& url, const QByteArray& accept)
{
    if (!m_scratch.isValid()) {
        FetchError e;
        e.kind = FetchError::Kind::Disk;
        e.message
            = QStringLiteral("cannot make a scratch folder (%1): %2").arg(scratchTemplate(), m_scratch.errorString());
        return std::unexpected(e);
    }
    Download download;
    download.url = url;
    download.file = m_scratch.filePath(QStringLiteral("response-%1").arg(++m_saved));
    QFile file(download.file);
    if (!file.open(QIODevice::WriteOnly)) {
        FetchError e;
        e.kind = FetchError::Kind::Disk;
        e.message = QStringLiteral("cannot write %1: %2").arg(download.file, file.errorString());
        return std::unexpected(e);
    }
    auto reply = m_http.download(url, file, accept);
    file.close();
    if (!reply) {
        QFile::remove(download.file);
        return std::unexpected(reply.error());
    }
    if (reply->contentType.contains("protobuf"))
        download.format = TraceFormat::OtlpProto;
    return download;
}

std::expected<std::vector<TraceSummary>, FetchError> RemoteClient::summarize(const Download& download)
{
    // A trace whose spans the importer hands over in parts (a very large one) is summarised part by part and the
    // parts merged: nothing but the summaries stays in memory. (Its service count is then the largest part's.)
    std::vector<TraceSummary> summaries;
    std::unordered_map<TraceId, size_t, TraceIdHash> index;
    ImportOptions options;
    options.format = download.format;
    auto imported = TraceImporter::importFile(
        download.file,
        [&](std::vector<Trace>& traces) {
            for (const Trace& trace : traces) {
                TraceSummary part = TraceSummary::of(trace);
                const auto [it, added] = index.try_emplace(part.traceId, summaries.size());
                if (added) {
                    summaries.push_back(std::move(part));
                    continue;
                }
                TraceSummary& whole = summaries[it->second];
                const qint64 end = std::max(whole.startNs + whole.durationNs, part.startNs + part.durationNs);
                if (part.startNs < whole.startNs) {
                    whole.rootService = part.rootService;
                    whole.rootOperation = part.rootOperation;
                    whole.startNs = part.startNs;
                }
                whole.durationNs = end - whole.startNs;
                whole.spanCount += part.spanCount;
                whole.errorCount += part.errorCount;
                whole.serviceCount = std::max(whole.serviceCount, part.serviceCount);
            }
        },
        options);
    if (!imported) {
        const ImportError& error = imported.error();
        QString where = error.offset >= 0 ? QStringLiteral(" (byte %1)").arg(error.offset) : QString();
        return std::unexpected(badResponse(
            download.url, QStringLiteral("not the traces the API promises: %1%2").arg(error.message, where)));
    }
    return summaries;
}

} // namespace tracemap::remote
