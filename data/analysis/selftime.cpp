#include "analysis/selftime.h"

#include <algorithm>
#include <map>

namespace tracemap {

qint64 SelfTime::ofSpan(const Trace& trace, quint32 index)
{
    const Span& s = trace.spans[index];
    const qint64 spanEnd = s.endNs();
    // Children are in start order, so one sweep merges their clipped intervals.
    qint64 covered = 0;
    qint64 runStart = 0;
    qint64 runEnd = 0;
    bool inRun = false;
    for (quint32 k = s.children.begin; k < s.children.end(); ++k) {
        const Span& c = trace.spans[trace.childIndex[k]];
        const qint64 start = std::max(c.startNs, s.startNs);
        const qint64 end = std::min(c.endNs(), spanEnd);
        if (start >= end)
            continue;
        if (inRun && start <= runEnd) {
            runEnd = std::max(runEnd, end);
            continue;
        }
        if (inRun)
            covered += runEnd - runStart;
        runStart = start;
        runEnd = end;
        inRun = true;
    }
    if (inRun)
        covered += runEnd - runStart;
    return std::max<qint64>(0, s.durationNs - covered);
}

std::vector<qint64> SelfTime::perSpan(const Trace& trace)
{
    std::vector<qint64> out(trace.spans.size(), 0);
    for (quint32 i = 0; i < trace.spans.size(); ++i)
        out[i] = ofSpan(trace, i);
    return out;
}

std::vector<SelfTime::OperationRow> SelfTime::perOperation(const Trace& trace)
{
    return perOperation(trace, perSpan(trace));
}

std::vector<SelfTime::OperationRow> SelfTime::perOperation(const Trace& trace, const std::vector<qint64>& selfTimes)
{
    std::map<std::pair<std::string_view, std::string_view>, OperationRow> rows;
    for (size_t i = 0; i < trace.spans.size(); ++i) {
        const Span& s = trace.spans[i];
        const auto key = std::pair(trace.serviceName(s), trace.operationName(s));
        OperationRow& row = rows[key];
        ++row.count;
        row.totalNs += s.durationNs;
        row.selfNs += i < selfTimes.size() ? selfTimes[i] : 0;
        row.maxNs = std::max(row.maxNs, s.durationNs);
    }
    std::vector<OperationRow> out;
    out.reserve(rows.size());
    for (auto& [key, row] : rows) {
        row.service = std::string(key.first);
        row.operation = std::string(key.second);
        out.push_back(std::move(row));
    }
    std::stable_sort(
        out.begin(), out.end(), [](const OperationRow& a, const OperationRow& b) { return a.selfNs > b.selfNs; });
    return out;
}

} // namespace tracemap
