#pragma once

#include "model/trace.h"

#include <string>
#include <vector>

namespace tracemap {

/// Clock skew between hosts: detection, and the adjustment Jaeger's query service applies (PROTOCOLS.md section 6).
/// A span's host key is its resource's host.id, else host.ip, else host.name, else its service name.
class ClockSkewAdjuster {
public:
    /// A child on another host than its parent that starts before the parent or ends after it.
    struct Finding {
        quint32 span = kNoIndex;
        quint32 parent = kNoIndex;
        qint64 earlyNs = 0; // how long before the parent's start it starts (0 if not)
        qint64 lateNs = 0; // how long after the parent's end it ends (0 if not)
    };

    struct Adjustment {
        Trace trace; // a new trace: spans re-sorted by their adjusted start, tree fields remapped
        std::vector<qint64> deltaNs; // per span index of `trace`, the shift applied to its start and events
        size_t adjustedSpans = 0; // spans with a non-zero delta
    };

    static std::vector<Finding> detect(const Trace& trace);

    /// Walks each tree top-down (without recursion): a span on the same host as the one its parent's delta was
    /// computed for inherits that delta; otherwise a new delta is computed against the adjusted parent. Adjusted
    /// spans get the warning "clock skew adjusted by …". The input is left untouched.
    static Adjustment adjust(const Trace& trace);

    /// The host key of every span, as small integers (equal keys, equal numbers).
    static std::vector<quint32> hostKeys(const Trace& trace);
    static std::string hostKey(const Trace& trace, const Span& span);
};

} // namespace tracemap
