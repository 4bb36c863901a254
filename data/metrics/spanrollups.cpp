#include "metrics/spanrollups.h"

#include <algorithm>
#include <tuple>
#include <vector>

namespace tracemap {

void RollupFigures::merge(const RollupFigures& other, qint64 sign)
{
    spans += sign * other.spans;
    errors += sign * other.errors;
    durations.merge(other.durations, sign);
}

void SpanRollups::add(const Trace& trace, qint64 sign)
{
    // Grouped on the trace's string ids first, so that the strings are copied once per series and minute, not
    // once per span.
    using Group = std::tuple<StringId, StringId, SpanKind, bool, qint64>;
    std::vector<std::pair<Group, quint32>> spans;
    spans.reserve(trace.spans.size());
    for (quint32 i = 0; i < trace.spans.size(); ++i) {
        const Span& s = trace.spans[i];
        spans.emplace_back(Group { s.service, s.operation, s.kind, s.parent == kNoIndex, minuteOf(s.startNs) }, i);
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 0; i < spans.size();) {
        const Group& group = spans[i].first;
        RollupFigures figures;
        for (; i < spans.size() && spans[i].first == group; ++i) {
            const Span& s = trace.spans[spans[i].second];
            ++figures.spans;
            figures.errors += s.isError() ? 1 : 0;
            if (!(s.problems & MissingDuration))
                figures.durations.add(s.durationNs);
        }
        const auto& [service, operation, kind, root, minute] = group;
        add(Cell { SeriesKey { std::string(trace.string(service)), std::string(trace.string(operation)), kind, root },
                minute },
            figures, sign);
    }
}

} // namespace tracemap
