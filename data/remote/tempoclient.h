#pragma once

#include "remote/remoteclient.h"

namespace tracemap::remote {

/// Grafana Tempo's HTTP API (PROTOCOLS.md §5): TraceQL or logfmt search, which answers summaries only; traces
/// fetched one by one as protobuf (a tempopb.Trace reads as OTLP), with /api/v2/traces as the fallback; tag names and
/// values for completion. Multi-tenant installs need the X-Scope-OrgID header, which the endpoint carries.
class TempoClient final : public RemoteClient {
public:
    explicit TempoClient(Endpoint endpoint);

    std::expected<QString, FetchError> probe() override;
    std::expected<QStringList, FetchError> services() override;
    std::expected<QStringList, FetchError> operations(const QString& service) override;
    std::expected<RemoteSearchResult, FetchError> search(const RemoteSearch& search, Want want) override;
    std::expected<std::vector<Download>, FetchError> downloadTraces(const QStringList& traceIds) override;
    std::expected<QStringList, FetchError> tagNames() override;
    std::expected<QStringList, FetchError> tagValues(const QString& tag) override;

private:
    std::expected<QStringList, FetchError> values(const QUrl& url);
    /// /api/v2/traces says when a trace is partial (a querier timed out, a block was unreadable).
    static QString partialNote(const Download& download, const QString& traceId);
};

} // namespace tracemap::remote
