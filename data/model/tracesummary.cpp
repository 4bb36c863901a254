#include "model/tracesummary.h"

#include <algorithm>
#include <limits>

namespace tracemap {

TraceSummary TraceSummary::of(const Trace& trace)
{
    TraceSummary s;
    s.traceId = trace.id;
    s.startNs = trace.startNs();
    const qint64 end = trace.endNs();
    // Saturate: a hostile file may put spans at both ends of the 64-bit range.
    s.durationNs = (s.startNs < 0 && end > std::numeric_limits<qint64>::max() + s.startNs)
        ? std::numeric_limits<qint64>::max()
        : std::max<qint64>(end - s.startNs, 0);
    s.spanCount = static_cast<qint64>(trace.spans.size());
    s.serviceCount = static_cast<qint64>(trace.serviceCount());
    s.errorCount = static_cast<qint64>(trace.errorCount());
    quint32 root = kNoIndex;
    for (quint32 index : trace.roots) {
        if (trace.spans[index].parentId == 0) {
            root = index;
            break;
        }
    }
    if (root == kNoIndex && !trace.roots.empty())
        root = trace.roots.front();
    if (root != kNoIndex) {
        const std::string_view service = trace.serviceName(trace.spans[root]);
        const std::string_view operation = trace.operationName(trace.spans[root]);
        s.rootService = QString::fromUtf8(service.data(), static_cast<qsizetype>(service.size()));
        s.rootOperation = QString::fromUtf8(operation.data(), static_cast<qsizetype>(operation.size()));
    }
    return s;
}

} // namespace tracemap
