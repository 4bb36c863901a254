#pragma once

#include "analysis/topology.h"
#include "formats/traceformat.h"
#include "model/tracesummary.h"
#include "remote/endpoint.h"
#include "remote/httpfetcher.h"
#include "remote/remotesearch.h"

#include <QJsonDocument>
#include <QStringList>
#include <QTemporaryDir>

#include <expected>
#include <memory>
#include <optional>
#include <vector>

namespace tracemap::remote {

/// A response body saved to disk, ready for the importer: the URL it came from names it in errors and in the
/// cache's import list.
struct Download {
    QString file; // in the client's scratch folder; whoever imports it may delete it (remove())
    QUrl url;
    TraceFormat format = TraceFormat::Unknown; // from the Content-Type when it says protobuf; else detected
    QString note; // what the back end said about it beyond the spans (Tempo: a partial trace)

    void remove() const;
};

/// What a search found: a summary per trace for the results table and, from the back ends whose search returns
/// whole traces (Jaeger, Zipkin), the saved body, which imports without fetching the traces again.
struct RemoteSearchResult {
    std::vector<TraceSummary> traces;
    std::optional<Download> body;
};

/// One back end's query API, as PROTOCOLS.md §3–5 documents it: what the search form and the topology need, each
/// call a blocking request (or a few, with the API's fallbacks) through an HttpFetcher. Run it off the GUI thread;
/// one client belongs to one thread. Bodies that may be large are saved in a scratch folder the client owns, in the
/// user's cache folder rather than /tmp (often a RAM disk, where a body "on disk" would be in memory after all).
class RemoteClient {
public:
    static std::unique_ptr<RemoteClient> create(BackendKind kind, Endpoint endpoint);
    /// Which API answers at the endpoint: the URL's hint first, then each probe in turn.
    static std::expected<BackendKind, FetchError> detect(const Endpoint& endpoint, const std::atomic_bool* cancel);
    virtual ~RemoteClient();

    BackendKind kind() const { return m_kind; }
    HttpFetcher& http() { return m_http; }
    const HttpFetcher& http() const { return m_http; }
    /// "Test connection": a cheap request that only this API answers as it does; says what it found.
    virtual std::expected<QString, FetchError> probe() = 0;
    virtual std::expected<QStringList, FetchError> services() = 0;
    virtual std::expected<QStringList, FetchError> operations(const QString& service) = 0;
    /// Summaries are enough for a results table (Jaeger then asks its trace-summaries endpoint when it has one);
    /// Traces wants the whole traces saved, to import them all.
    enum class Want { Summaries, Traces };
    virtual std::expected<RemoteSearchResult, FetchError> search(const RemoteSearch& search, Want want) = 0;
    /// The whole traces of these ids (hex, any length the API takes), saved: one file per request. A trace the back
    /// end does not have is an error naming it.
    virtual std::expected<std::vector<Download>, FetchError> downloadTraces(const QStringList& traceIds) = 0;
    /// Service dependency links over [untilNs - lookbackNs, untilNs]: Jaeger and Zipkin have them, Tempo not.
    virtual std::expected<Topology, FetchError> dependencies(qint64 untilNs, qint64 lookbackNs);
    /// Tag names and values for the search form's completion (Tempo's tag API, Zipkin's autocomplete).
    virtual std::expected<QStringList, FetchError> tagNames();
    virtual std::expected<QStringList, FetchError> tagValues(const QString& tag);

protected:
    RemoteClient(BackendKind kind, Endpoint endpoint);
    std::expected<Download, FetchError> save(const QUrl& url, const QByteArray& accept = "application/json");
    /// A search that answers whole traces (Jaeger, Zipkin): saved, and summarised for the results table.
    std::expected<RemoteSearchResult, FetchError> searchBody(const QUrl& url);
    /// A small JSON answer, parsed.
    std::expected<QJsonDocument, FetchError> getJson(const QUrl& url);
    /// A 404 for a trace asked by id, said as such.
    static FetchError traceNotFound(const QString& traceId, FetchError error);
    /// Reads saved traces into one summary per trace, streaming (the traces themselves are not kept).
    static std::expected<std::vector<TraceSummary>, FetchError> summarize(const Download& download);
    /// A response that is not what the API promises.
    static FetchError badResponse(const QUrl& url, const QString& what);
    std::unexpected<FetchError> unsupported(const QString& what) const;
    /// Dependency links as Jaeger ({"data": [...]}) and Zipkin (a bare array) answer them.
    std::expected<Topology, FetchError> readDependencies(const QUrl& url);

private:
    BackendKind m_kind;
    HttpFetcher m_http;
    QTemporaryDir m_scratch;
    int m_saved = 0;
};

} // namespace tracemap::remote
