#include "remote/apirequests.h"

#include "model/tracequery.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace tracemap::remote {

namespace {

using Parameters = std::vector<std::pair<QString, QString>>;

// The API path (percent-encoded) under the base URL's own path (a reverse proxy's prefix), parameters
// percent-encoded one by one:
// QUrlQuery leaves '+' and ';' as they are, which servers read as a space and a separator.
QUrl endpoint(const QUrl& base, const QString& path, const Parameters& parameters = {})
{
    QUrl url = base;
    // Encoded as they are: `path` holds percent-encoded segments (a service named "a/b" is one segment).
    QString prefix = base.path(QUrl::FullyEncoded);
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + path, QUrl::StrictMode);
    QByteArray query;
    for (const auto& [key, value] : parameters) {
        if (!query.isEmpty())
            query += '&';
        query += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    url.setQuery(query.isEmpty() ? QString() : QString::fromLatin1(query), QUrl::StrictMode);
    url.setFragment(QString());
    return url;
}

QString segment(const QString& text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

QString number(qint64 n)
{
    return QString::number(n);
}

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - (a % b < 0 ? 1 : 0);
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return -floorDiv(-a, b);
}

QString tagsAsJson(const std::vector<std::pair<QString, QString>>& tags)
{
    QJsonObject object;
    for (const auto& [key, value] : tags)
        object.insert(key, value);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

namespace jaeger {

QUrl servicesV3(const QUrl& base)
{
    return endpoint(base, QStringLiteral("/api/v3/services"));
}

QUrl operationsV3(const QUrl& base, const QString& service)
{
    return endpoint(base, QStringLiteral("/api/v3/operations"), { { QStringLiteral("service"), service } });
}

namespace {

// snake_case: every api_v3 server reads it (camelCase only from v2.19 on).
Parameters searchV3Parameters(const RemoteSearch& s)
{
    Parameters p;
    if (!s.service.isEmpty())
        p.emplace_back(QStringLiteral("query.service_name"), s.service);
    if (!s.operation.isEmpty())
        p.emplace_back(QStringLiteral("query.operation_name"), s.operation);
    if (!s.tags.empty())
        p.emplace_back(QStringLiteral("query.attributes"), tagsAsJson(s.tags));
    p.emplace_back(QStringLiteral("query.start_time_min"), rfc3339(s.sinceNs));
    p.emplace_back(QStringLiteral("query.start_time_max"), rfc3339(s.untilNs));
    if (s.minDurationNs > 0)
        p.emplace_back(QStringLiteral("query.duration_min"), goDuration(s.minDurationNs));
    if (s.maxDurationNs > 0)
        p.emplace_back(QStringLiteral("query.duration_max"), goDuration(s.maxDurationNs));
    p.emplace_back(QStringLiteral("query.num_traces"), number(s.limit));
    return p;
}

} // namespace

QUrl searchV3(const QUrl& base, const RemoteSearch& search)
{
    return endpoint(base, QStringLiteral("/api/v3/traces"), searchV3Parameters(search));
}

QUrl traceSummariesV3(const QUrl& base, const RemoteSearch& search)
{
    return endpoint(base, QStringLiteral("/api/v3/trace-summaries"), searchV3Parameters(search));
}

QUrl traceV3(const QUrl& base, const QString& traceId)
{
    return endpoint(base, QStringLiteral("/api/v3/traces/") + segment(traceId));
}

QUrl servicesLegacy(const QUrl& base)
{
    return endpoint(base, QStringLiteral("/api/services"));
}

QUrl operationsLegacy(const QUrl& base, const QString& service)
{
    return endpoint(base, QStringLiteral("/api/services/") + segment(service) + QStringLiteral("/operations"));
}

QUrl searchLegacy(const QUrl& base, const RemoteSearch& s)
{
    Parameters p { { QStringLiteral("service"), s.service } };
    if (!s.operation.isEmpty())
        p.emplace_back(QStringLiteral("operation"), s.operation);
    if (!s.tags.empty())
        p.emplace_back(QStringLiteral("tags"), tagsAsJson(s.tags));
    p.emplace_back(QStringLiteral("start"), number(floorDiv(s.sinceNs, 1000))); // µs
    p.emplace_back(QStringLiteral("end"), number(ceilDiv(s.untilNs, 1000)));
    if (s.minDurationNs > 0)
        p.emplace_back(QStringLiteral("minDuration"), goDuration(s.minDurationNs));
    if (s.maxDurationNs > 0)
        p.emplace_back(QStringLiteral("maxDuration"), goDuration(s.maxDurationNs));
    p.emplace_back(QStringLiteral("limit"), number(s.limit));
    return endpoint(base, QStringLiteral("/api/traces"), p);
}

QUrl traceLegacy(const QUrl& base, const QString& traceId)
{
    return endpoint(base, QStringLiteral("/api/traces/") + segment(traceId));
}

QUrl dependencies(const QUrl& base, qint64 untilNs, qint64 lookbackNs)
{
    return endpoint(base, QStringLiteral("/api/dependencies"),
        { { QStringLiteral("endTs"), number(ceilDiv(untilNs, 1'000'000)) },
            { QStringLiteral("lookback"), number(ceilDiv(lookbackNs, 1'000'000)) } });
}

} // namespace jaeger

namespace tempo {

QUrl search(const QUrl& base, const RemoteSearch& s)
{
    Parameters p;
    if (!s.traceQl.isEmpty()) {
        p.emplace_back(QStringLiteral("q"), s.traceQl);
    } else {
        QStringList tags;
        if (!s.service.isEmpty())
            tags << QStringLiteral("service.name=") + logfmtValue(s.service);
        if (!s.operation.isEmpty())
            tags << QStringLiteral("name=") + logfmtValue(s.operation);
        for (const auto& [key, value] : s.tags)
            tags << key + QLatin1Char('=') + logfmtValue(value);
        if (!tags.isEmpty())
            p.emplace_back(QStringLiteral("tags"), tags.join(QLatin1Char(' ')));
        if (s.minDurationNs > 0)
            p.emplace_back(QStringLiteral("minDuration"), goDuration(s.minDurationNs));
        if (s.maxDurationNs > 0)
            p.emplace_back(QStringLiteral("maxDuration"), goDuration(s.maxDurationNs));
    }
    p.emplace_back(QStringLiteral("limit"), number(s.limit));
    // Epoch seconds; without them Tempo searches only its recent live data.
    p.emplace_back(QStringLiteral("start"), number(floorDiv(s.sinceNs, 1'000'000'000)));
    p.emplace_back(QStringLiteral("end"), number(ceilDiv(s.untilNs, 1'000'000'000)));
    return endpoint(base, QStringLiteral("/api/search"), p);
}

QUrl trace(const QUrl& base, const QString& traceId)
{
    return endpoint(base, QStringLiteral("/api/traces/") + segment(traceId));
}

QUrl traceV2(const QUrl& base, const QString& traceId)
{
    return endpoint(base, QStringLiteral("/api/v2/traces/") + segment(traceId));
}

QUrl tagNames(const QUrl& base, const QString& scope)
{
    return endpoint(base, QStringLiteral("/api/search/tags"), { { QStringLiteral("scope"), scope } });
}

QUrl tagValues(const QUrl& base, const QString& scopedTag, const QString& traceQl)
{
    Parameters p;
    if (!traceQl.isEmpty())
        p.emplace_back(QStringLiteral("q"), traceQl);
    return endpoint(base, QStringLiteral("/api/v2/search/tag/") + segment(scopedTag) + QStringLiteral("/values"), p);
}

QUrl echo(const QUrl& base)
{
    return endpoint(base, QStringLiteral("/api/echo"));
}

std::optional<QString> padTraceId(const QString& id)
{
    if (id.isEmpty() || id.size() > 32)
        return std::nullopt;
    for (const QChar c : id) {
        if (!c.isDigit() && !(c.toLower() >= QLatin1Char('a') && c.toLower() <= QLatin1Char('f')))
            return std::nullopt;
    }
    return id.toLower().rightJustified(id.size() <= 16 ? 16 : 32, QLatin1Char('0'));
}

} // namespace tempo

namespace zipkin {

QUrl services(const QUrl& base)
{
    return endpoint(base, QStringLiteral("/api/v2/services"));
}

QUrl spanNames(const QUrl& base, const QString& service)
{
    return endpoint(base, QStringLiteral("/api/v2/spans"), { { QStringLiteral("serviceName"), service } });
}

QUrl remoteServices(const QUrl& base, const QString& service)
{
    return endpoint(base, QStringLiteral("/api/v2/remoteServices"), { { QStringLiteral("serviceName"), service } });
}

QUrl traces(const QUrl& base, const RemoteSearch& s)
{
    Parameters p;
    if (!s.service.isEmpty())
        p.emplace_back(QStringLiteral("serviceName"), s.service);
    if (!s.operation.isEmpty())
        p.emplace_back(QStringLiteral("spanName"), s.operation.toLower()); // Zipkin lowercases span names
    if (!s.tags.empty()) {
        QStringList terms;
        for (const auto& [key, value] : s.tags)
            terms << (key.isEmpty() ? value : key + QLatin1Char('=') + value); // a bare word: annotation or tag key
        p.emplace_back(QStringLiteral("annotationQuery"), terms.join(QStringLiteral(" and ")));
    }
    if (s.minDurationNs > 0)
        p.emplace_back(QStringLiteral("minDuration"), number(floorDiv(s.minDurationNs, 1000))); // µs
    if (s.maxDurationNs > 0)
        p.emplace_back(QStringLiteral("maxDuration"), number(ceilDiv(s.maxDurationNs, 1000)));
    p.emplace_back(QStringLiteral("endTs"), number(ceilDiv(s.untilNs, 1'000'000))); // ms
    p.emplace_back(QStringLiteral("lookback"), number(ceilDiv(s.untilNs - s.sinceNs, 1'000'000)));
    p.emplace_back(QStringLiteral("limit"), number(s.limit));
    return endpoint(base, QStringLiteral("/api/v2/traces"), p);
}

QUrl trace(const QUrl& base, const QString& traceId)
{
    return endpoint(base, QStringLiteral("/api/v2/trace/") + segment(traceId));
}

std::optional<QUrl> traceMany(const QUrl& base, const QStringList& traceIds)
{
    if (traceIds.size() < 2)
        return std::nullopt;
    return endpoint(
        base, QStringLiteral("/api/v2/traceMany"), { { QStringLiteral("traceIds"), traceIds.join(QLatin1Char(',')) } });
}

QUrl dependencies(const QUrl& base, qint64 untilNs, qint64 lookbackNs)
{
    return endpoint(base, QStringLiteral("/api/v2/dependencies"),
        { { QStringLiteral("endTs"), number(ceilDiv(untilNs, 1'000'000)) },
            { QStringLiteral("lookback"), number(ceilDiv(lookbackNs, 1'000'000)) } });
}

QUrl autocompleteKeys(const QUrl& base)
{
    return endpoint(base, QStringLiteral("/api/v2/autocompleteKeys"));
}

QUrl autocompleteValues(const QUrl& base, const QString& key)
{
    return endpoint(base, QStringLiteral("/api/v2/autocompleteValues"), { { QStringLiteral("key"), key } });
}

} // namespace zipkin

} // namespace tracemap::remote
