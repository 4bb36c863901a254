#pragma once

#include "metrics/latencyhistogram.h"
#include "model/trace.h"

#include <QtGlobal>

#include <compare>
#include <map>
#include <string>
#include <utility>

namespace tracemap {

/// What one rollup series counts: the spans of one service's operation with one span kind, those that are roots of
/// their trace apart (a root is a trace's way in even when its kind says nothing).
struct SeriesKey {
    std::string service;
    std::string operation;
    SpanKind kind = SpanKind::Unspecified;
    bool root = false;

    /// The spans Jaeger's Monitor tab counts by default: where a request enters a service (SERVER, CONSUMER) or
    /// the trace (a root).
    bool isEntry() const { return root || kind == SpanKind::Server || kind == SpanKind::Consumer; }
    auto operator<=>(const SeriesKey&) const = default;
};

/// One series' spans in one time bucket. Spans without a duration (MissingDuration) are counted in spans and errors
/// but not in durations: their zero is not a measurement.
struct RollupFigures {
    qint64 spans = 0;
    qint64 errors = 0;
    LatencyHistogram durations;

    void merge(const RollupFigures& other, qint64 sign = 1);
    bool isEmpty() const { return spans == 0 && errors == 0 && durations.isEmpty(); }
    bool operator==(const RollupFigures&) const = default;
};

/// Figures per (key, minute): what the cache's rollup tables hold, for spans by series (SpanRollups) or calls by
/// caller and callee (TopologyRollups). Adding with sign -1 takes figures out again, which is how a trace that
/// gained spans replaces its old figures (nothing is counted twice).
template <class Key> class RollupCells {
public:
    static constexpr qint64 kMinuteNs = 60'000'000'000;
    using Cell = std::pair<Key, qint64>; // key, minute (start ns / kMinuteNs, floored)

    /// The minute a span starting at startNs falls in (floored, also before 1970).
    static qint64 minuteOf(qint64 startNs)
    {
        return startNs / kMinuteNs - (startNs % kMinuteNs < 0 ? 1 : 0); // no overflow at the type's ends
    }

    /// Adds figures to one cell (sign -1 takes them out); a cell that becomes empty is dropped.
    void add(const Cell& cell, const RollupFigures& figures, qint64 sign = 1)
    {
        auto [at, inserted] = m_cells.try_emplace(cell);
        at->second.merge(figures, sign);
        if (at->second.isEmpty())
            m_cells.erase(at);
    }
    void merge(const RollupCells& other, qint64 sign = 1)
    {
        for (const auto& [cell, figures] : other.m_cells)
            add(cell, figures, sign);
    }

    bool isEmpty() const { return m_cells.empty(); }
    const std::map<Cell, RollupFigures>& cells() const { return m_cells; }
    void clear() { m_cells.clear(); }

private:
    std::map<Cell, RollupFigures> m_cells;
};

/// Per-minute rollups of traces' spans by series, as the cache keeps them: span count, error count and a duration
/// histogram per (series, minute of the span's start).
class SpanRollups : public RollupCells<SeriesKey> {
public:
    using RollupCells::add;
    void add(const Trace& trace, qint64 sign = 1);
};

} // namespace tracemap
