#include "monitor/monitorscope.h"

#include <charconv>
#include <string_view>

namespace tracemap {

namespace {

// The text a key=value search compares a scalar attribute with (as SearchTerms indexes it).
bool hasValue(const Trace& trace, const Attribute& a, std::string_view value)
{
    char buffer[64];
    switch (a.type) {
    case ValueType::String:
        return trace.text(a.ref) == value;
    case ValueType::Bool:
        return value == (a.boolValue ? "true" : "false");
    case ValueType::Int: {
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, a.intValue);
        return std::string_view(buffer, static_cast<size_t>(r.ptr - buffer)) == value;
    }
    case ValueType::Double: {
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, a.doubleValue);
        return r.ec == std::errc() && std::string_view(buffer, static_cast<size_t>(r.ptr - buffer)) == value;
    }
    default:
        return false;
    }
}

bool hasTag(const Trace& trace, const Span& span, std::string_view key, std::string_view value)
{
    if (key == "error" && value == "true" && span.isError())
        return true;
    if (key == "span.kind" && span.kind != SpanKind::Unspecified && value == spanKindName(span.kind))
        return true;
    auto inRange = [&](Range range) {
        for (quint32 i = range.begin; i < range.end(); ++i) {
            const Attribute& a = trace.attributes[i];
            if (trace.string(a.key) == key && hasValue(trace, a, value))
                return true;
        }
        return false;
    };
    return inRange(span.attributes)
        || (span.resource < trace.resources.size() && inRange(trace.resources[span.resource].attributes));
}

bool sameName(const QString& wanted, std::string_view name)
{
    return wanted.isEmpty() || wanted == QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

TraceQuery MonitorScope::traceQuery(qint64 slackNs, int limit) const
{
    TraceQuery query;
    query.service = service;
    if (!service.isEmpty())
        query.operation = operation;
    query.tags = tags;
    query.sinceNs = sinceNs > std::numeric_limits<qint64>::min() + slackNs ? sinceNs - slackNs : sinceNs;
    query.untilNs = untilNs;
    query.limit = limit;
    return query;
}

bool MonitorScope::matches(const SeriesKey& key) const
{
    return (allKinds || key.isEntry()) && sameName(service, key.service) && sameName(operation, key.operation);
}

bool MonitorScope::matches(const Trace& trace, const Span& span) const
{
    if (span.startNs < sinceNs || span.startNs > untilNs)
        return false;
    const SeriesKey kindOnly { {}, {}, span.kind, span.parent == kNoIndex };
    if (!(allKinds || kindOnly.isEntry()) || !sameName(service, trace.string(span.service))
        || !sameName(operation, trace.string(span.operation)))
        return false;
    for (const auto& [key, value] : tags) {
        if (!hasTag(trace, span, key.toStdString(), value.toStdString()))
            return false;
    }
    return true;
}

} // namespace tracemap
