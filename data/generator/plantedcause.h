#pragma once

#include <QString>

#include <expected>
#include <string>

namespace tracemap {

/// A cause planted in generated traces, so that anomaly detection and attribute comparison have something known to
/// find: in a time window, a share of one service's entry spans (SERVER or CONSUMER) carry an attribute and are
/// slower or fail, or the gateway's traces thin out.
///
/// The window is judged by the start of the trace. Inside it, a `share` of the target spans carry `attribute` and
/// are affected; outside it the attribute is on a `background` share of them with no effect, so a comparison has
/// a baseline. Every other span of the service carries the key with its normal value, so the key is always there.
/// Which spans carry it is drawn from the span ids, not from the generator's stream: traces come out as they would
/// without the cause, but for the affected spans, their callers and what they make wait (see TraceGenerator).
struct PlantedCause {
    enum class Kind { Latency, Errors, RateDrop };
    Kind kind = Kind::Latency;
    /// The service whose entry spans are affected; for RateDrop the gateway, whose spans are the roots.
    std::string service;
    /// One entry operation of it as the spans name it ("GET /api/cart/{id}", "shop.CartService/GetCart",
    /// "process orders"); empty: all of them. TraceGenerator::services() lists them.
    std::string operation;
    /// "key=value" the affected spans carry (not used by RateDrop). A resource attribute when the service's resource
    /// has the key (service.version, host.name, telemetry.sdk.language) or its namespace is a resource one (cloud.,
    /// deployment., k8s., container., host., os., process., service., telemetry., faas., device.): then every span
    /// the service emits for the request carries it. Otherwise a span attribute of the entry span.
    std::string attribute;
    /// The value the other spans carry; empty: the service's own value of a resource key it has, else "default".
    std::string normalValue;
    qint64 fromMinute = 0; // minutes after GeneratorOptions::startNs when the cause begins
    qint64 toMinute = 0; // when it ends (exclusive)
    /// Latency: durations of affected spans × factor (at least 1; their own time grows, their children keep theirs,
    /// so callers grow too). Errors: probability that an affected span fails. RateDrop: share of the matching
    /// traces kept.
    double factor = 1;
    double share = 0.5; // of the target spans inside the window that carry the attribute and are affected
    double background = 0.04; // of the target spans outside the window that carry the attribute, unaffected

    std::string attributeKey() const { return attribute.substr(0, attribute.find('=')); }
    std::string attributeValue() const
    {
        const size_t at = attribute.find('=');
        return at == std::string::npos ? std::string() : attribute.substr(at + 1);
    }
};

/// Reads `--plant` specs:
///   latency:SERVICE[/OPERATION]:KEY=VALUE:FROM-TO:FACTOR[:SHARE]
///   errors:SERVICE[/OPERATION]:KEY=VALUE:FROM-TO:FACTOR[:SHARE]
///   rate:SERVICE[/OPERATION]:FROM-TO:FACTOR
/// FROM and TO are whole minutes after the start; SHARE defaults to 0.5. Whether the service and operation exist
/// depends on the seed and service count: TraceGenerator::checkCauses() tells. The error names the bad part.
[[nodiscard]] std::expected<PlantedCause, QString> parsePlantedCause(const QString& spec);

} // namespace tracemap
