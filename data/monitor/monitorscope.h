#pragma once

#include "metrics/spanrollups.h"
#include "model/trace.h"
#include "model/tracequery.h"

#include <QString>

#include <limits>
#include <utility>
#include <vector>

namespace tracemap {

/// What a monitoring view looks at: one service (or all), one of its operations (or all), entry spans only (the
/// default, as Jaeger's Monitor tab) or every kind, in a time range, and optionally only spans with attributes
/// (key=value, the span's or its resource's, as a search reads them; "error=true" and "span.kind=…" as well).
/// Rollups know no attributes: a scope with tags is read from the spans (rollupqueries::loadSeries).
struct MonitorScope {
    QString service;
    QString operation;
    bool allKinds = false;
    qint64 sinceNs = std::numeric_limits<qint64>::min();
    qint64 untilNs = std::numeric_limits<qint64>::max();
    std::vector<std::pair<QString, QString>> tags;

    bool operator==(const MonitorScope&) const = default;

    /// Spans of a trace start after it does: a trace that started up to this long before the scope may still hold
    /// spans in it.
    static constexpr qint64 kTraceStartSlackNs = 60'000'000'000;
    /// The search for the scope's traces: those that start in its range, or up to slackNs before it; limit 0: all.
    TraceQuery traceQuery(qint64 slackNs = kTraceStartSlackNs, int limit = 0) const;

    /// Whether a rollup series is in the scope (its tags aside).
    bool matches(const SeriesKey& key) const;
    /// Whether a span is: the same test, its start inside the range, and every tag on it.
    bool matches(const Trace& trace, const Span& span) const;
};

} // namespace tracemap
