#include "monitor/exactpercentiles.h"

#include "analysis/spanstatistics.h"

#include <algorithm>
#include <map>

namespace tracemap {

std::expected<bool, QString> useExactPercentiles(
    const TraceCache& cache, const MonitorScope& scope, std::vector<RedRow>& rows, size_t maxTraces)
{
    const auto traces
        = cache.search(scope.traceQuery(MonitorScope::kTraceStartSlackNs, static_cast<int>(maxTraces) + 1),
            TraceCache::RootNames::Without);
    if (!traces)
        return std::unexpected(traces.error());
    if (traces->size() > maxTraces)
        return false;
    // Durations of the scope's timed spans by (service, operation), and by service ("" as operation).
    std::map<std::pair<std::string, std::string>, std::vector<qint64>> durations;
    std::vector<TraceId> ids;
    for (const TraceSummary& t : *traces)
        ids.push_back(t.traceId);
    const auto read = cache.forEachTraceOf(ids, [&](const Trace& trace) {
        for (const Span& span : trace.spans) {
            if ((span.problems & MissingDuration) || !scope.matches(trace, span))
                continue;
            std::string service(trace.string(span.service));
            durations[{ service, std::string(trace.string(span.operation)) }].push_back(span.durationNs);
            durations[{ std::move(service), std::string() }].push_back(span.durationNs);
        }
        return true;
    });
    if (!read)
        return std::unexpected(read.error());
    for (auto& [key, values] : durations)
        std::sort(values.begin(), values.end());
    for (RedRow& row : rows) {
        const auto found = durations.find({ row.service, row.operation });
        if (found == durations.end())
            continue; // spans that started before the scope's traces: the rollups' figures stay
        row.p50 = SpanStatistics::percentile(found->second, 50);
        row.p95 = SpanStatistics::percentile(found->second, 95);
        row.p99 = SpanStatistics::percentile(found->second, 99);
        row.exact = true;
    }
    return true;
}

} // namespace tracemap
