#include "remote/tempoclient.h"

#include "remote/apirequests.h"
#include "remote/jsonreply.h"

#include <QFile>
#include <QRegularExpression>

namespace tracemap::remote {

TempoClient::TempoClient(Endpoint endpoint)
    : RemoteClient(BackendKind::Tempo, std::move(endpoint))
{
}

std::expected<QString, FetchError> TempoClient::probe()
{
    const QUrl url = tempo::echo(http().endpoint().baseUrl);
    auto reply = http().get(url, "text/plain");
    if (!reply)
        return std::unexpected(reply.error());
    if (reply->body.trimmed() != "echo")
        return std::unexpected(badResponse(url, QStringLiteral("not Tempo's echo")));
    return backendDisplayName(BackendKind::Tempo);
}

std::expected<QStringList, FetchError> TempoClient::values(const QUrl& url)
{
    auto json = getJson(url);
    if (!json)
        return std::unexpected(json.error());
    // v2 gives [{type, value}], v1 plain strings.
    QJsonArray names;
    for (const QJsonValue& v : json->object().value(QLatin1String("tagValues")).toArray())
        names.append(v.isObject() ? v.toObject().value(QLatin1String("value")) : v);
    return sortedStrings(names);
}

std::expected<QStringList, FetchError> TempoClient::services()
{
    return values(tempo::tagValues(http().endpoint().baseUrl, QStringLiteral("resource.service.name")));
}

std::expected<QStringList, FetchError> TempoClient::operations(const QString& service)
{
    // Span names of one service: the values narrowed by a TraceQL query, as Grafana's search form asks them.
    QString traceQl;
    if (!service.isEmpty()) {
        QString quoted = service;
        quoted.replace(QLatin1String("\\"), QLatin1String("\\\\")).replace(QLatin1String("\""), QLatin1String("\\\""));
        traceQl = QStringLiteral("{ resource.service.name = \"%1\" }").arg(quoted);
    }
    const QUrl url = tempo::tagValues(http().endpoint().baseUrl, QStringLiteral("name"), traceQl);
    return values(url);
}

std::expected<QStringList, FetchError> TempoClient::tagNames()
{
    QStringList names;
    for (const QString& scope : { QStringLiteral("resource"), QStringLiteral("span") }) {
        auto json = getJson(tempo::tagNames(http().endpoint().baseUrl, scope));
        if (!json)
            return std::unexpected(json.error());
        for (const QString& name : sortedStrings(json->object().value(QLatin1String("tagNames"))))
            names << scope + QLatin1Char('.') + name;
    }
    return names;
}

std::expected<QStringList, FetchError> TempoClient::tagValues(const QString& tag)
{
    return values(tempo::tagValues(http().endpoint().baseUrl, tag));
}

std::expected<RemoteSearchResult, FetchError> TempoClient::search(const RemoteSearch& search, Want)
{
    const QUrl url = tempo::search(http().endpoint().baseUrl, search);
    auto json = getJson(url);
    if (!json)
        return std::unexpected(json.error());
    if (!json->object().value(QLatin1String("traces")).isArray() && !json->object().isEmpty()
        && !json->object().contains(QLatin1String("metrics")))
        return std::unexpected(badResponse(url, QStringLiteral("not Tempo's search: no \"traces\" list")));
    RemoteSearchResult result;
    for (const QJsonValue& value : json->object().value(QLatin1String("traces")).toArray()) {
        const QJsonObject t = value.toObject();
        const QString id = t.value(QLatin1String("traceID")).toString();
        const auto padded = tempo::padTraceId(id);
        const auto traceId = padded ? traceIdFromHex(padded->toStdString()) : std::nullopt;
        if (!traceId)
            return std::unexpected(
                badResponse(url, QStringLiteral("a trace without a valid traceID (\"%1\")").arg(id)));
        TraceSummary summary;
        summary.traceId = *traceId;
        summary.rootService = t.value(QLatin1String("rootServiceName")).toString();
        summary.rootOperation = t.value(QLatin1String("rootTraceName")).toString();
        summary.startNs = int64Of(t.value(QLatin1String("startTimeUnixNano")));
        summary.durationNs = int64Of(t.value(QLatin1String("durationMs"))) * 1'000'000;
        const QJsonObject stats = t.value(QLatin1String("serviceStats")).toObject();
        summary.serviceCount = stats.size();
        for (const QJsonValue& s : stats) {
            summary.spanCount += int64Of(s.toObject().value(QLatin1String("spanCount")));
            summary.errorCount += int64Of(s.toObject().value(QLatin1String("errorCount")));
        }
        result.traces.push_back(std::move(summary));
    }
    return result;
}

QString TempoClient::partialNote(const Download& download, const QString& traceId)
{
    // {"trace": {...}, "status": "PARTIAL", "message": "..."}: the status follows the trace, so the end of the
    // file says it (a missing status means complete).
    QFile file(download.file);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    file.seek(std::max<qint64>(0, file.size() - 65536));
    const QString tail = QString::fromUtf8(file.readAll());
    static const QRegularExpression partial(QStringLiteral(R"re("status"\s*:\s*"PARTIAL")re"));
    if (!partial.match(tail).hasMatch())
        return {};
    static const QRegularExpression message(QStringLiteral(R"re("message"\s*:\s*"((?:[^"\\]|\\.)*)")re"));
    const QString why = message.match(tail).captured(1);
    return QStringLiteral("Tempo returned trace %1 partially%2")
        .arg(traceId, why.isEmpty() ? QString() : QStringLiteral(": ") + why);
}

std::expected<std::vector<Download>, FetchError> TempoClient::downloadTraces(const QStringList& traceIds)
{
    const QUrl base = http().endpoint().baseUrl;
    std::vector<Download> downloads;
    for (const QString& given : traceIds) {
        // Tempo's ids are 16 bytes: a 64-bit one is asked with its leading zeros, as Tempo stores it.
        const QString id = tempo::padTraceId(given).value_or(given).rightJustified(32, QLatin1Char('0'));
        // Protobuf first: smaller and faster to read than Tempo's JSON. A proxy or version without the route
        // answers 404, as does a missing trace: /api/v2/traces/ then decides.
        auto download = save(tempo::trace(base, id), "application/protobuf");
        if (!download && download.error().kind == FetchError::Kind::Http && download.error().status == 404) {
            download = save(tempo::traceV2(base, id));
            if (download)
                download->note = partialNote(*download, id);
        }
        if (!download)
            return std::unexpected(traceNotFound(id, download.error()));
        downloads.push_back(std::move(*download));
    }
    return downloads;
}

} // namespace tracemap::remote
