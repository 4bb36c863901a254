#pragma once

#include "remote/remoteclient.h"

namespace tracemap::remote {

/// Zipkin's v2 query API (PROTOCOLS.md §3): search answers whole traces (an array of span arrays), saved and
/// summarised; several traces come in one /traceMany request; annotationQuery carries the tags.
class ZipkinClient final : public RemoteClient {
public:
    explicit ZipkinClient(Endpoint endpoint);

    std::expected<QString, FetchError> probe() override;
    std::expected<QStringList, FetchError> services() override;
    std::expected<QStringList, FetchError> operations(const QString& service) override;
    std::expected<QStringList, FetchError> remoteServices(const QString& service);
    std::expected<RemoteSearchResult, FetchError> search(const RemoteSearch& search, Want want) override;
    std::expected<std::vector<Download>, FetchError> downloadTraces(const QStringList& traceIds) override;
    std::expected<Topology, FetchError> dependencies(qint64 untilNs, qint64 lookbackNs) override;
    std::expected<QStringList, FetchError> tagNames() override;
    std::expected<QStringList, FetchError> tagValues(const QString& tag) override;

private:
    std::expected<QStringList, FetchError> strings(const QUrl& url);
};

} // namespace tracemap::remote
