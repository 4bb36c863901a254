#pragma once

#include "model/trace.h"

#include <string>
#include <vector>

namespace tracemap {

/// Self time: a span's duration minus the union of its children's intervals clipped to the span, so children that
/// overlap each other count once and time a child spends outside its parent takes nothing from the parent.
class SelfTime {
public:
    struct OperationRow {
        std::string service;
        std::string operation;
        qint64 count = 0;
        qint64 totalNs = 0; // sum of durations
        qint64 selfNs = 0; // sum of self times
        qint64 maxNs = 0; // longest duration
    };

    /// Self time of one span. O(its children).
    static qint64 ofSpan(const Trace& trace, quint32 index);
    /// Self time per span index. O(n).
    static std::vector<qint64> perSpan(const Trace& trace);
    /// One row per (service, operation), by self time descending, then by name.
    static std::vector<OperationRow> perOperation(const Trace& trace);
    static std::vector<OperationRow> perOperation(const Trace& trace, const std::vector<qint64>& selfTimes);
};

} // namespace tracemap
