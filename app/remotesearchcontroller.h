#pragma once

#include "analysis/topology.h"
#include "formats/traceimporter.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"
#include "remote/remoteclient.h"
#include "remoteconnections.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <optional>

namespace tracemap {

/// The search dock's remote source: runs the chosen connection's client on a worker thread of its own (one at a
/// time, in order, so that the client's remembered API and saved search stay consistent) and hands the answers to
/// the window. Whatever it fetches goes into the cache first; the window then opens it from there, as any trace.
class RemoteSearchController : public QObject {
    Q_OBJECT
public:
    explicit RemoteSearchController(QString cachePath, QObject* parent = nullptr);
    ~RemoteSearchController() override;

    /// The connection searched from now on, or none (the local cache).
    void setConnection(std::optional<RemoteConnection> connection);
    bool isRemote() const { return m_connection.has_value(); }
    const std::optional<RemoteConnection>& connection() const { return m_connection; }

    void listServices();
    void listOperations(const QString& service);
    /// Attribute keys and a key's values for the Tags field's completion (Tempo, Zipkin; Jaeger has no such API).
    void listTagKeys();
    void listTagValues(const QString& key);
    /// Searches with the form's query and, for Tempo, its TraceQL (which then replaces the fields it covers).
    void search(const TraceQuery& form, const QString& traceQl);
    /// Opens a result: from the cache when it is there, else fetched into it first; traceReady(id) either way.
    void open(const TraceId& id);
    /// Imports every trace of the last search: its saved body when the back end answered whole traces, else each.
    void fetchAll();
    bool hasResults() const { return m_lastResult.has_value() && !m_lastResult->traces.empty(); }
    /// The connection's dependency links over the last `lookbackNs`.
    void loadDependencies(qint64 lookbackNs);
    void cancel();
    bool isBusy() const { return m_running > 0; }

    /// A back end needs a time range: a form searching "all time" searches the last two days.
    static constexpr qint64 kDefaultWindowNs = 2LL * 24 * 3600 * 1'000'000'000;

Q_SIGNALS:
    void servicesListed(const QStringList& services);
    void operationsListed(const QString& service, const QStringList& operations);
    void tagKeysListed(const QStringList& keys);
    void tagValuesListed(const QString& key, const QStringList& values);
    void resultsReady(const std::vector<tracemap::TraceSummary>& traces, const QString& note);
    void traceReady(const tracemap::TraceId& id);
    /// Traces went into the cache (a fetched result, "Fetch all").
    void fetched(const tracemap::ImportSummary& summary);
    void dependenciesReady(const tracemap::Topology& topology, const QString& description);
    void failed(const QString& message);
    /// A request started (what it does, for the status bar) or the last one ended (an empty text).
    void busyChanged(const QString& what);
    /// Bytes of the response under way, and its size when the server said it (else -1); at most every 1 %.
    void progress(qint64 done, qint64 total);

private:
    template <typename Work, typename Done> void run(const QString& what, Work work, Done done);
    QString sourceLabel() const;
    void releaseClient();

    QString m_cachePath;
    QThreadPool m_pool;
    std::shared_ptr<remote::RemoteClient> m_client;
    std::optional<RemoteConnection> m_connection;
    std::shared_ptr<std::atomic_bool> m_cancel;
    std::optional<remote::RemoteSearchResult> m_lastResult; // its body lives in m_client's scratch folder
    quint64 m_searchGeneration = 0;
    quint64 m_clientGeneration = 0; // answers of a replaced client are dropped
    int m_running = 0;
};

} // namespace tracemap
