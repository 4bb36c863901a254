#include "remote/zipkinclient.h"

#include "remote/apirequests.h"
#include "remote/jsonreply.h"

namespace tracemap::remote {

ZipkinClient::ZipkinClient(Endpoint endpoint)
    : RemoteClient(BackendKind::Zipkin, std::move(endpoint))
{
}

std::expected<QStringList, FetchError> ZipkinClient::strings(const QUrl& url)
{
    auto json = getJson(url);
    if (!json)
        return std::unexpected(json.error());
    if (!json->isArray())
        return std::unexpected(badResponse(url, QStringLiteral("not Zipkin's API: expected a list of names")));
    return sortedStrings(json->array());
}

std::expected<QString, FetchError> ZipkinClient::probe()
{
    auto names = services();
    if (!names)
        return std::unexpected(names.error());
    return QStringLiteral("Zipkin, %1 services").arg(names->size());
}

std::expected<QStringList, FetchError> ZipkinClient::services()
{
    return strings(zipkin::services(http().endpoint().baseUrl));
}

std::expected<QStringList, FetchError> ZipkinClient::operations(const QString& service)
{
    return strings(zipkin::spanNames(http().endpoint().baseUrl, service));
}

std::expected<QStringList, FetchError> ZipkinClient::remoteServices(const QString& service)
{
    return strings(zipkin::remoteServices(http().endpoint().baseUrl, service));
}

std::expected<QStringList, FetchError> ZipkinClient::tagNames()
{
    return strings(zipkin::autocompleteKeys(http().endpoint().baseUrl));
}

std::expected<QStringList, FetchError> ZipkinClient::tagValues(const QString& tag)
{
    return strings(zipkin::autocompleteValues(http().endpoint().baseUrl, tag));
}

std::expected<RemoteSearchResult, FetchError> ZipkinClient::search(const RemoteSearch& search, Want)
{
    return searchBody(zipkin::traces(http().endpoint().baseUrl, search));
}

std::expected<std::vector<Download>, FetchError> ZipkinClient::downloadTraces(const QStringList& traceIds)
{
    const QUrl base = http().endpoint().baseUrl;
    if (traceIds.isEmpty())
        return std::vector<Download>();
    const auto many = zipkin::traceMany(base, traceIds);
    if (!many) {
        auto one = save(zipkin::trace(base, traceIds.first()));
        if (!one)
            return std::unexpected(traceNotFound(traceIds.first(), one.error()));
        return std::vector<Download> { std::move(*one) };
    }
    auto download = save(*many);
    if (!download)
        return std::unexpected(download.error());
    // /traceMany answers the traces it has and leaves the others out, silently: name them.
    auto found = summarize(*download);
    if (!found) {
        download->remove();
        return std::unexpected(found.error());
    }
    QStringList missing;
    for (const QString& id : traceIds) {
        const auto wanted = parseTraceIdText(id);
        const bool there = wanted && std::any_of(found->begin(), found->end(), [&](const TraceSummary& s) {
            return s.traceId == *wanted || (wanted->high == 0 && s.traceId.low == wanted->low);
        });
        if (!there)
            missing << id;
    }
    if (!missing.isEmpty()) {
        download->remove();
        FetchError e;
        e.kind = FetchError::Kind::Http;
        e.status = 404;
        e.message = QStringLiteral("%1 %2 not found: %3 did not return %4")
                        .arg(missing.size() == 1 ? QStringLiteral("trace") : QStringLiteral("traces"),
                            missing.join(QStringLiteral(", ")), HttpFetcher::shown(*many),
                            missing.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"));
        return std::unexpected(e);
    }
    return std::vector<Download> { std::move(*download) };
}

std::expected<Topology, FetchError> ZipkinClient::dependencies(qint64 untilNs, qint64 lookbackNs)
{
    return readDependencies(zipkin::dependencies(http().endpoint().baseUrl, untilNs, lookbackNs));
}

} // namespace tracemap::remote
