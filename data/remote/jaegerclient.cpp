#include "remote/jaegerclient.h"

#include "remote/apirequests.h"
#include "remote/jsonreply.h"

namespace tracemap::remote {

JaegerClient::JaegerClient(Endpoint endpoint)
    : RemoteClient(BackendKind::Jaeger, std::move(endpoint))
{
}

bool JaegerClient::isMissingRoute(const FetchError& error)
{
    return error.kind == FetchError::Kind::Http && error.status == 404 && !error.body.trimmed().startsWith('{');
}

template <typename T>
std::expected<T, FetchError> JaegerClient::eitherApi(const std::function<std::expected<T, FetchError>()>& v3,
    const std::function<std::expected<T, FetchError>()>& legacy)
{
    if (m_api != Api::Legacy) {
        auto result = v3();
        if (result || !isMissingRoute(result.error()))
            return result;
        auto older = legacy();
        if (older)
            m_api = Api::Legacy;
        return older;
    }
    auto result = legacy();
    if (result || !isMissingRoute(result.error()))
        return result;
    return v3();
}

std::expected<QString, FetchError> JaegerClient::probe()
{
    auto names = services();
    if (!names)
        return std::unexpected(names.error());
    return QStringLiteral("Jaeger (%1), %2 services")
        .arg(m_api == Api::Legacy ? QStringLiteral("/api") : QStringLiteral("api_v3"))
        .arg(names->size());
}

std::expected<QStringList, FetchError> JaegerClient::services()
{
    const QUrl base = http().endpoint().baseUrl;
    return eitherApi<QStringList>(
        [&]() -> std::expected<QStringList, FetchError> {
            const QUrl url = jaeger::servicesV3(base);
            auto json = getJson(url);
            if (!json)
                return std::unexpected(json.error());
            if (!json->object().value(QLatin1String("services")).isArray())
                return std::unexpected(badResponse(url, QStringLiteral("not Jaeger's api_v3: no \"services\" list")));
            return sortedStrings(json->object().value(QLatin1String("services")));
        },
        [&]() -> std::expected<QStringList, FetchError> {
            const QUrl url = jaeger::servicesLegacy(base);
            auto json = getJson(url);
            if (!json)
                return std::unexpected(json.error());
            if (!json->object().value(QLatin1String("data")).isArray())
                return std::unexpected(badResponse(url, QStringLiteral("not Jaeger's query API: no \"data\" list")));
            return sortedStrings(json->object().value(QLatin1String("data")));
        });
}

std::expected<QStringList, FetchError> JaegerClient::operations(const QString& service)
{
    const QUrl base = http().endpoint().baseUrl;
    return eitherApi<QStringList>(
        [&]() -> std::expected<QStringList, FetchError> {
            auto json = getJson(jaeger::operationsV3(base, service));
            if (!json)
                return std::unexpected(json.error());
            QJsonArray names;
            for (const QJsonValue& operation : json->object().value(QLatin1String("operations")).toArray())
                names.append(operation.toObject().value(QLatin1String("name")));
            return sortedStrings(names);
        },
        [&]() -> std::expected<QStringList, FetchError> {
            auto json = getJson(jaeger::operationsLegacy(base, service));
            if (!json)
                return std::unexpected(json.error());
            return sortedStrings(json->object().value(QLatin1String("data")));
        });
}

std::expected<std::vector<TraceSummary>, FetchError> JaegerClient::summariesV3(const RemoteSearch& search)
{
    const QUrl url = jaeger::traceSummariesV3(http().endpoint().baseUrl, search);
    auto json = getJson(url);
    if (!json)
        return std::unexpected(json.error());
    std::vector<TraceSummary> summaries;
    for (const QJsonValue& value : json->object().value(QLatin1String("summaries")).toArray()) {
        const QJsonObject s = value.toObject();
        const QString id = s.value(QLatin1String("traceId")).toString();
        auto traceId = parseTraceIdText(id);
        if (!traceId)
            return std::unexpected(badResponse(url, QStringLiteral("a summary without a valid traceId (%1)").arg(id)));
        TraceSummary summary;
        summary.traceId = *traceId;
        summary.rootService = s.value(QLatin1String("rootServiceName")).toString();
        summary.rootOperation = s.value(QLatin1String("rootOperationName")).toString();
        summary.startNs = int64Of(s.value(QLatin1String("minStartTimeUnixNano")));
        summary.durationNs
            = std::max<qint64>(0, int64Of(s.value(QLatin1String("maxEndTimeUnixNano"))) - summary.startNs);
        summary.spanCount = int64Of(s.value(QLatin1String("spanCount")));
        summary.errorCount = int64Of(s.value(QLatin1String("errorSpanCount")));
        summary.serviceCount = int64Of(s.value(QLatin1String("serviceCount")));
        summaries.push_back(std::move(summary));
    }
    return summaries;
}

std::expected<RemoteSearchResult, FetchError> JaegerClient::search(const RemoteSearch& search, Want want)
{
    const QUrl base = http().endpoint().baseUrl;
    // api_v3's own 404 (JSON) is "No traces found"; Go's (text) a route the server lacks.
    auto noTracesFound
        = [](const FetchError& e) { return e.kind == FetchError::Kind::Http && e.status == 404 && !isMissingRoute(e); };
    return eitherApi<RemoteSearchResult>(
        [&]() -> std::expected<RemoteSearchResult, FetchError> {
            // trace-summaries came with v2.19, as did query.attributes in a GET: asking it tells the two apart.
            if (m_summaries != Support::No && (want == Want::Summaries || !search.tags.empty())) {
                auto summaries = summariesV3(search);
                if (summaries || !isMissingRoute(summaries.error()))
                    m_summaries = Support::Yes;
                else
                    m_summaries = Support::No;
                if (summaries && want == Want::Summaries)
                    return RemoteSearchResult { std::move(*summaries), std::nullopt };
                if (!summaries && noTracesFound(summaries.error()))
                    return RemoteSearchResult();
                if (!summaries && m_summaries == Support::Yes)
                    return std::unexpected(summaries.error());
            }
            if (!search.tags.empty() && m_summaries == Support::No) {
                // Before v2.19 api_v3 read query.attributes only from a POST body: a GET would drop the tags and
                // list traces that look filtered but are not. The older /api search of those versions takes them.
                auto older = searchBody(jaeger::searchLegacy(base, search));
                if (!older && isMissingRoute(older.error())) {
                    FetchError e = older.error();
                    e.kind = FetchError::Kind::Unsupported;
                    e.message = QStringLiteral("%1: this Jaeger (api_v3 before v2.19, no /api search) cannot search "
                                               "by tags; search without them")
                                    .arg(HttpFetcher::shown(base));
                    return std::unexpected(e);
                }
                return older;
            }
            auto found = searchBody(jaeger::searchV3(base, search));
            if (!found && noTracesFound(found.error()))
                return RemoteSearchResult();
            return found;
        },
        [&] { return searchBody(jaeger::searchLegacy(base, search)); });
}

std::expected<std::vector<Download>, FetchError> JaegerClient::downloadTraces(const QStringList& traceIds)
{
    const QUrl base = http().endpoint().baseUrl;
    std::vector<Download> downloads;
    for (const QString& id : traceIds) {
        auto download = eitherApi<Download>(
            [&] { return save(jaeger::traceV3(base, id)); }, [&] { return save(jaeger::traceLegacy(base, id)); });
        if (!download)
            return std::unexpected(traceNotFound(id, download.error()));
        downloads.push_back(std::move(*download));
    }
    return downloads;
}

std::expected<Topology, FetchError> JaegerClient::dependencies(qint64 untilNs, qint64 lookbackNs)
{
    return readDependencies(jaeger::dependencies(http().endpoint().baseUrl, untilNs, lookbackNs));
}

} // namespace tracemap::remote
