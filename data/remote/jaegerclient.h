#pragma once

#include "remote/remoteclient.h"

#include <functional>

namespace tracemap::remote {

/// Jaeger's query service (PROTOCOLS.md §4): api_v3 first, and the internal /api endpoints where a server lacks a
/// route of it (an older Jaeger), or the reverse (servers after v2.20 dropped the internal search). A server
/// without api_v3 is remembered, so that later calls go straight to /api; so is whether it has trace-summaries
/// (v2.19+, which also read tags from a GET search). A 404 the API itself wrote ("No traces found") is an empty
/// result.
class JaegerClient final : public RemoteClient {
public:
    explicit JaegerClient(Endpoint endpoint);

    std::expected<QString, FetchError> probe() override;
    std::expected<QStringList, FetchError> services() override;
    std::expected<QStringList, FetchError> operations(const QString& service) override;
    std::expected<RemoteSearchResult, FetchError> search(const RemoteSearch& search, Want want) override;
    std::expected<std::vector<Download>, FetchError> downloadTraces(const QStringList& traceIds) override;
    std::expected<Topology, FetchError> dependencies(qint64 untilNs, qint64 lookbackNs) override;

    /// A 404 from a route the server does not have (Go's "404 page not found"), as opposed to one the API wrote
    /// in JSON about the data (no such trace, no traces found).
    static bool isMissingRoute(const FetchError& error);

private:
    enum class Api { Unknown, V3, Legacy };
    template <typename T>
    std::expected<T, FetchError> eitherApi(const std::function<std::expected<T, FetchError>()>& v3,
        const std::function<std::expected<T, FetchError>()>& legacy);
    std::expected<std::vector<TraceSummary>, FetchError> summariesV3(const RemoteSearch& search);

    enum class Support { Unknown, Yes, No };
    Api m_api = Api::Unknown;
    Support m_summaries = Support::Unknown; // trace-summaries came with v2.19
};

} // namespace tracemap::remote
