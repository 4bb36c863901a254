#include "generator/plantedcause.h"

#include "generator/servicegraph.h"

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace tracemap {

namespace {

QString quoted(const QString& text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

std::optional<double> number(const QString& text)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

QString usage(PlantedCause::Kind kind)
{
    switch (kind) {
    case PlantedCause::Kind::Latency:
        return QStringLiteral("latency:SERVICE[/OPERATION]:KEY=VALUE:FROM-TO:FACTOR[:SHARE]");
    case PlantedCause::Kind::Errors:
        return QStringLiteral("errors:SERVICE[/OPERATION]:KEY=VALUE:FROM-TO:FACTOR[:SHARE]");
    case PlantedCause::Kind::RateDrop:
        break;
    }
    return QStringLiteral("rate:SERVICE[/OPERATION]:FROM-TO:FACTOR");
}

constexpr qint64 kNsPerMinute = 60000000000;
constexpr qint64 kMaxMinute = 100 * 366 * 24 * 60; // a century: minutes that fit in nanoseconds after any start

QString quoted(std::string_view text)
{
    return QLatin1Char('\'') + QString::fromUtf8(text.data(), qsizetype(text.size())) + QLatin1Char('\'');
}

QString joined(const std::vector<std::string_view>& names)
{
    QString out;
    for (const std::string_view name : names) {
        if (!out.isEmpty())
            out += QLatin1String(", ");
        out += QString::fromUtf8(name.data(), qsizetype(name.size()));
    }
    return out;
}

bool isResourceKey(std::string_view key)
{
    static constexpr std::string_view namespaces[] = { "service.", "host.", "process.", "telemetry.", "cloud.",
        "deployment.", "k8s.", "container.", "os.", "faas.", "device." };
    return std::ranges::any_of(namespaces, [key](std::string_view ns) { return key.starts_with(ns); });
}

/// The keys the generator sets itself on entry spans and resources: a cause cannot take them over.
bool isGeneratorKey(std::string_view key)
{
    static constexpr std::string_view keys[] = { "service.name", "process.pid", "messaging.system",
        "messaging.destination.name", "messaging.operation", "rpc.system", "rpc.method", "rpc.grpc.status_code",
        "http.request.method", "http.route", "url.path", "http.response.status_code", "enduser.id", "thread.id" };
    return std::ranges::find(keys, key) != std::end(keys);
}

} // namespace

std::expected<PlantedCause, QString> parsePlantedCause(const QString& spec)
{
    const QStringList parts = spec.split(QLatin1Char(':'));
    PlantedCause cause;
    const QString& kind = parts.front();
    if (kind == QLatin1String("latency"))
        cause.kind = PlantedCause::Kind::Latency;
    else if (kind == QLatin1String("errors"))
        cause.kind = PlantedCause::Kind::Errors;
    else if (kind == QLatin1String("rate"))
        cause.kind = PlantedCause::Kind::RateDrop;
    else
        return std::unexpected(QStringLiteral("unknown kind %1 (expected latency, errors or rate)").arg(quoted(kind)));

    const bool rate = cause.kind == PlantedCause::Kind::RateDrop;
    const qsizetype minParts = rate ? 4 : 5;
    const qsizetype maxParts = rate ? 4 : 6;
    if (parts.size() < minParts || parts.size() > maxParts)
        return std::unexpected(
            QStringLiteral("%1 parts separated by ':' where %2 expects %3%4 (values cannot contain ':')")
                .arg(parts.size())
                .arg(usage(cause.kind))
                .arg(minParts)
                .arg(minParts == maxParts ? QString() : QStringLiteral(" or %1").arg(maxParts)));

    const QString& target = parts[1];
    const qsizetype slash = target.indexOf(QLatin1Char('/'));
    const QString service = slash < 0 ? target : target.left(slash);
    if (service.trimmed().isEmpty())
        return std::unexpected(QStringLiteral("the service is missing in %1").arg(quoted(target)));
    cause.service = service.toStdString();
    if (slash >= 0) {
        const QString operation = target.mid(slash + 1);
        if (operation.trimmed().isEmpty())
            return std::unexpected(
                QStringLiteral("the operation after '/' is empty in %1 (leave out the '/' for all operations)")
                    .arg(quoted(target)));
        cause.operation = operation.toStdString();
    }

    qsizetype next = 2;
    if (!rate) {
        const QString& attribute = parts[next++];
        const qsizetype equals = attribute.indexOf(QLatin1Char('='));
        if (equals <= 0 || equals + 1 == attribute.size())
            return std::unexpected(QStringLiteral("attribute %1 is not KEY=VALUE").arg(quoted(attribute)));
        cause.attribute = attribute.toStdString();
    }

    const QString& window = parts[next++];
    const QStringList bounds = window.split(QLatin1Char('-'));
    bool fromOk = false, toOk = false;
    if (bounds.size() == 2) {
        cause.fromMinute = bounds[0].toLongLong(&fromOk);
        cause.toMinute = bounds[1].toLongLong(&toOk);
    }
    if (!fromOk || !toOk || cause.fromMinute < 0 || cause.fromMinute >= cause.toMinute)
        return std::unexpected(
            QStringLiteral("window %1 is not FROM-TO in whole minutes after the start, with FROM < TO (e.g. 30-45)")
                .arg(quoted(window)));

    const QString& factorText = parts[next++];
    const std::optional<double> factor = number(factorText);
    switch (cause.kind) {
    case PlantedCause::Kind::Latency:
        if (!factor || *factor < 1 || *factor > 1000)
            return std::unexpected(
                QStringLiteral("factor %1 is not a slowdown between 1 and 1000 (e.g. 4)").arg(quoted(factorText)));
        break;
    case PlantedCause::Kind::Errors:
        if (!factor || *factor < 0 || *factor > 1)
            return std::unexpected(QStringLiteral("factor %1 is not an error probability between 0 and 1 (e.g. 0.6)")
                                       .arg(quoted(factorText)));
        break;
    case PlantedCause::Kind::RateDrop:
        if (!factor || *factor < 0 || *factor > 1)
            return std::unexpected(
                QStringLiteral("factor %1 is not the share of traces kept, between 0 and 1 (e.g. 0.2)")
                    .arg(quoted(factorText)));
        break;
    }
    cause.factor = *factor;

    if (next < parts.size()) {
        const QString& shareText = parts[next];
        const std::optional<double> share = number(shareText);
        if (!share || *share <= 0 || *share > 1)
            return std::unexpected(
                QStringLiteral("share %1 is not between 0 (exclusive) and 1").arg(quoted(shareText)));
        cause.share = *share;
    }
    return cause;
}

namespace generatordetail {

std::expected<ResolvedCause, QString> resolveCause(
    const std::vector<Service>& services, const GeneratorOptions& options, const PlantedCause& cause, size_t index)
{
    ResolvedCause r;
    r.kind = cause.kind;
    r.index = index;
    const auto service = std::ranges::find(services, cause.service, &Service::name);
    if (service == services.end()) {
        std::vector<std::string_view> names;
        for (const Service& s : services)
            names.push_back(s.name);
        return std::unexpected(QStringLiteral("unknown service %1; the %2 services of seed %3 are: %4")
                                   .arg(quoted(cause.service))
                                   .arg(services.size())
                                   .arg(options.seed)
                                   .arg(joined(names)));
    }
    r.service = quint16(service - services.begin());
    const Service& s = *service;
    if (!cause.operation.empty()) {
        const auto endpoint = std::ranges::find(s.endpoints, cause.operation, &Endpoint::name);
        if (endpoint == s.endpoints.end()) {
            std::vector<std::string_view> names;
            for (const Endpoint& e : s.endpoints)
                names.push_back(e.name);
            return std::unexpected(QStringLiteral("service %1 has no operation %2; its operations are: %3")
                                       .arg(quoted(s.name), quoted(cause.operation), joined(names)));
        }
        r.endpoint = quint16(endpoint - s.endpoints.begin());
    }
    const qint64 lastMinute = std::min(
        kMaxMinute, (std::numeric_limits<qint64>::max() - std::max<qint64>(options.startNs, 0)) / kNsPerMinute);
    if (cause.fromMinute < 0 || cause.toMinute <= cause.fromMinute || cause.toMinute > lastMinute)
        return std::unexpected(QStringLiteral("window %1-%2 is not FROM-TO minutes with 0 <= FROM < TO <= %3")
                                   .arg(cause.fromMinute)
                                   .arg(cause.toMinute)
                                   .arg(lastMinute));
    r.fromNs = options.startNs + cause.fromMinute * kNsPerMinute;
    r.toNs = options.startNs + cause.toMinute * kNsPerMinute;
    r.factor = cause.factor;
    r.share = cause.share;
    r.background = cause.background;
    if (!(cause.share > 0 && cause.share <= 1) || !(cause.background >= 0 && cause.background < 1))
        return std::unexpected(QStringLiteral("share %1 and background %2 must be in (0, 1] and [0, 1)")
                                   .arg(cause.share)
                                   .arg(cause.background));

    if (cause.kind == PlantedCause::Kind::RateDrop) {
        if (r.service != 0)
            return std::unexpected(
                QStringLiteral("rate drops thin out the traces rooted at the gateway %1, and %2 roots none")
                    .arg(quoted(services.front().name), quoted(s.name)));
        if (!(cause.factor >= 0 && cause.factor <= 1))
            return std::unexpected(
                QStringLiteral("factor %1 is not the share of traces kept, between 0 and 1").arg(cause.factor));
        return r;
    }
    if (cause.kind == PlantedCause::Kind::Latency && !(cause.factor >= 1 && cause.factor <= 1000))
        return std::unexpected(QStringLiteral("factor %1 is not a slowdown between 1 and 1000").arg(cause.factor));
    if (cause.kind == PlantedCause::Kind::Errors && !(cause.factor >= 0 && cause.factor <= 1))
        return std::unexpected(
            QStringLiteral("factor %1 is not an error probability between 0 and 1").arg(cause.factor));

    const size_t equals = cause.attribute.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == cause.attribute.size())
        return std::unexpected(QStringLiteral("attribute %1 is not KEY=VALUE").arg(quoted(cause.attribute)));
    r.key = cause.attribute.substr(0, equals);
    r.value = cause.attribute.substr(equals + 1);
    if (isGeneratorKey(r.key))
        return std::unexpected(
            QStringLiteral("attribute %1 is set by the generator itself; plant another key").arg(quoted(r.key)));
    const std::optional<std::string_view> own = ownResourceValue(s, r.key);
    r.resource = own || isResourceKey(r.key);
    r.normal = !cause.normalValue.empty() ? cause.normalValue : own ? std::string(*own) : std::string("default");
    if (r.normal == r.value)
        return std::unexpected(QStringLiteral("%1 is the value the other spans of %2 carry (%3=%4); plant another")
                                   .arg(quoted(cause.attribute), quoted(s.name), QString::fromStdString(r.key),
                                       QString::fromStdString(r.normal)));
    return r;
}

} // namespace generatordetail

} // namespace tracemap
