#pragma once

#include "model/trace.h"

#include <vector>

namespace tracemap {

/// The chain of spans that bounds a trace's end-to-end latency, as Jaeger UI computes it: start at the root that
/// ends last and walk backwards in time from its end; at each step the child that finished last before the cursor
/// is on the path (children are clipped to their parent's interval, so a child outliving its parent counts only
/// up to the parent's end), and the parent's own time between such children is on the path too.
///
/// Iterative (a 100,000-deep chain works) and O(n log n).
struct CriticalPath {
    /// A stretch of time [startNs, endNs) during which `span` itself bounds the latency.
    struct Segment {
        quint32 span = kNoIndex;
        qint64 startNs = 0;
        qint64 endNs = 0;
        bool operator==(const Segment&) const = default;
    };

    std::vector<Segment> segments; // in time order, non-empty, adjacent, covering the chosen root
    std::vector<quint32> spans; // distinct spans on the path, in the order their first segment starts

    static CriticalPath compute(const Trace& trace);
    /// Just the spans on the path (compute().spans).
    static std::vector<quint32> of(const Trace& trace);

    /// Per span index, the time that span contributes to the path (0 off the path).
    std::vector<qint64> criticalTimeBySpan(size_t spanCount) const;
    qint64 totalNs() const;
};

} // namespace tracemap
