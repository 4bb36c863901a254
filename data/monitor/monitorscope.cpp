#include "monitor/monitorscope.h"

namespace tracemap {

namespace {

bool sameName(const QString& wanted, std::string_view name)
{
    return wanted.isEmpty() || wanted == QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

bool MonitorScope::matches(const SeriesKey& key) const
{
    return (allKinds || key.isEntry()) && sameName(service, key.service) && sameName(operation, key.operation);
}

bool MonitorScope::matches(const Trace& trace, const Span& span) const
{
    if (span.startNs < sinceNs || span.startNs > untilNs)
        return false;
    const SeriesKey kindOnly { {}, {}, span.kind, span.parent == kNoIndex };
    return (allKinds || kindOnly.isEntry()) && sameName(service, trace.string(span.service))
        && sameName(operation, trace.string(span.operation));
}

} // namespace tracemap
