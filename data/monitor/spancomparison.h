#pragma once

#include "cache/tracecache.h"
#include "metrics/attributecomparison.h"
#include "monitor/monitorscope.h"

#include <QString>

#include <expected>
#include <limits>
#include <string>
#include <vector>

namespace tracemap {

/// The spans a comparison sets apart from the rest of its scope: a heatmap region (time and duration), or the
/// error spans of a time range.
struct SpanSelection {
    qint64 sinceNs = std::numeric_limits<qint64>::min();
    qint64 untilNs = std::numeric_limits<qint64>::max(); // exclusive
    qint64 minDurationNs = 0;
    qint64 maxDurationNs = std::numeric_limits<qint64>::max(); // exclusive
    bool errorsOnly = false;

    bool contains(const Span& span) const
    {
        return span.startNs >= sinceNs && span.startNs < untilNs && span.durationNs >= minDurationNs
            && span.durationNs < maxDurationNs && (!errorsOnly || span.isError());
    }
    /// The attributes that define such a selection, left out of its comparison.
    std::vector<std::string> definingKeys() const;
};

struct ScopeComparison {
    ComparisonResult result;
    qint64 selectedTraces = 0; // traces with at least one selected span (estimated from the sample, when sampled)
    /// The scope's traces, and how many were read: all of them, or a sample (see compareSelection).
    qint64 scopeTraces = 0;
    qint64 readTraces = 0;
    bool isSampled() const { return readTraces < scopeTraces; }
};

/// Compares the selected spans of the scope with its other spans (AttributeComparison), reading the scope's traces
/// from the cache: those of its service (and operation) that start in its range, or up to a minute before it.
///
/// A scope of more than 2 × sampleTraces traces (1,500 by default) is sampled, as Honeycomb's BubbleUp and HyperDX's
/// event deltas do, so that a comparison costs the same on any cache: the traces that can hold selected spans (by their
/// summary: time, duration, errors) and the others are each read evenly spread over time, at most sampleTraces of each.
/// The selection is then the selected spans of the first group, the baseline every span of the scope in the second:
/// shares are estimates (the figures say how many traces were read), and significance is judged on what was read.
std::expected<ScopeComparison, QString> compareSelection(
    const TraceCache& cache, const MonitorScope& scope, const SpanSelection& selection, size_t sampleTraces);
std::expected<ScopeComparison, QString> compareSelection(
    const TraceCache& cache, const MonitorScope& scope, const SpanSelection& selection);

} // namespace tracemap
