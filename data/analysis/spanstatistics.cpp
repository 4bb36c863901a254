#include "analysis/spanstatistics.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

void SpanStatistics::add(const Trace& trace)
{
    // Look each string id up once per trace, not once per span.
    std::vector<Accumulator*> byService(trace.strings.size(), nullptr);
    for (const Span& span : trace.spans) {
        Accumulator*& service = byService[span.service];
        if (!service)
            service = &m_services[std::string(trace.string(span.service))];
        Accumulator& operation
            = m_operations[{ std::string(trace.string(span.service)), std::string(trace.string(span.operation)) }];
        for (Accumulator* a : { service, &operation }) {
            if (span.problems & MissingDuration)
                ++a->noDuration;
            else
                a->durations.push_back(span.durationNs);
        }
        if (span.isError()) {
            ++service->errors;
            ++operation.errors;
        }
    }
}

qint64 SpanStatistics::percentile(const std::vector<qint64>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size()) / 100.0));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::vector<SpanStatistics::Row> SpanStatistics::rows() const
{
    return rowsOf(m_services, m_operations, [](const Accumulator& a) {
        std::vector<qint64> sorted = a.durations;
        std::sort(sorted.begin(), sorted.end());
        Row row;
        row.spans = static_cast<qint64>(sorted.size()) + a.noDuration;
        row.noDuration = a.noDuration;
        row.errors = a.errors;
        row.p50 = percentile(sorted, 50);
        row.p95 = percentile(sorted, 95);
        row.p99 = percentile(sorted, 99);
        row.max = sorted.empty() ? 0 : sorted.back();
        return row;
    });
}

} // namespace tracemap
