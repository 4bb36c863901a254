#pragma once

#include "model/trace.h"

#include <QString>

namespace tracemap {

/// One line of a trace list: what Jaeger's search results show.
struct TraceSummary {
    TraceId traceId;
    qint64 startNs = 0;
    qint64 durationNs = 0;
    QString rootService;
    QString rootOperation;
    qint64 spanCount = 0;
    qint64 serviceCount = 0;
    qint64 errorCount = 0;

    /// The root is the earliest span without a parent; failing that the earliest orphan.
    static TraceSummary of(const Trace& trace);
};

} // namespace tracemap
