#pragma once

#include "model/trace.h"

#include <QtGlobal>

#include <memory>
#include <span>
#include <vector>

namespace tracemap {

/// What the flame chart draws in one row for one zoom level: either one span at least a pixel wide, or a block of
/// spans narrower than a pixel merged into one pixel. Pixels are counted from the trace start at the zoom level's
/// ns-per-pixel, so a primitive does not change while the view pans. Primitives of a row never share a pixel.
struct FlameChartPrimitive {
    qint64 pixelBegin = 0;
    qint64 pixelEnd = 0; // exclusive, > pixelBegin
    quint32 span = kNoIndex; // the first span (index into Trace::spans)
    quint32 count = 0; // spans merged; 1 and isBlock false for a single wide span
    bool isBlock = false;
    bool anyError = false;
    bool anyMarked = false;
};

/// Rows and time positions of a trace's spans, apart from painting. Times are nanoseconds relative to the trace
/// start (qint64), converted to double only as offsets, so deep zoom keeps its precision.
///
/// Rows: every span goes to the first row below its (nearest shown) parent's row that is free over the span's
/// interval, so no two spans of a row overlap and a child sits directly under its parent unless something already
/// holds that stretch (an overlapping sibling, asynchronous work). Hence each row's starts and ends are both sorted,
/// which makes the end array its own running maximum and lets every query binary-search. A row may hold spans of
/// different depths.
class FlameChartLayout {
public:
    /// The order spans are packed in. Tree: depth first, so a parent's subtree takes its rows before the spans of
    /// its later siblings (children stay under their parents, as in Perfetto and Chrome tracing). Compact: by
    /// depth, then start time, which fills rows more densely; a child may end up further below its parent.
    enum class Packing { Tree, Compact };

    FlameChartLayout() = default;
    /// `hidden` (optional, one flag per span) leaves spans out: filtered services, collapsed subtrees.
    explicit FlameChartLayout(
        std::shared_ptr<const Trace> trace, const std::vector<bool>& hidden = {}, Packing packing = Packing::Tree);

    const Trace* trace() const { return m_trace.get(); }
    qint64 traceStartNs() const { return m_startNs; }
    qint64 durationNs() const { return m_durationNs; }
    Packing packing() const { return m_packing; }
    int rowCount() const { return int(m_rows.size()); }
    /// The row of a span, or -1 when it is hidden.
    int rowOf(quint32 span) const { return span < m_rowOf.size() ? m_rowOf[span] : -1; }
    size_t spanCount(int row) const { return m_rows[size_t(row)].spans.size(); }
    quint32 spanAt(int row, size_t position) const { return m_rows[size_t(row)].spans[position]; }
    qint64 relativeStart(int row, size_t position) const { return m_rows[size_t(row)].starts[position]; }
    qint64 relativeEnd(int row, size_t position) const { return m_rows[size_t(row)].ends[position]; }

    /// Positions [first, second) in the row of the spans that intersect [t0, t1] (closed; relative ns).
    std::pair<size_t, size_t> visibleRange(int row, qint64 t0, qint64 t1) const;

    /// The span under time t in the row, or the nearest one within `toleranceNs` of it; kNoIndex if none.
    quint32 hitTest(int row, double t, double toleranceNs = 0) const;

    /// Marks (search matches) to report in primitives; empty clears them. Invalidates the primitive cache.
    void setMarks(const std::vector<bool>& marks);
    bool isMarked(quint32 span) const { return span < m_marks.size() && m_marks[span]; }

    /// The primitives of a row covering pixels [pixelBegin, pixelEnd) at `nsPerPixel`. Computed with binary
    /// searches (O(primitives · log n), never O(spans)) and cached for the current zoom level with a margin, so
    /// panning and repaints reuse them. The result stays valid until the next call for the row or setMarks().
    std::span<const FlameChartPrimitive> primitives(int row, double nsPerPixel, qint64 pixelBegin, qint64 pixelEnd);

    /// Uncached computation behind primitives().
    void computePrimitives(
        int row, double nsPerPixel, qint64 pixelBegin, qint64 pixelEnd, std::vector<FlameChartPrimitive>& out) const;

private:
    struct Row {
        std::vector<quint32> spans;
        std::vector<qint64> starts;
        std::vector<qint64> ends;
        std::vector<quint32> errorsBefore; // prefix counts, size spans + 1
        std::vector<quint32> marksBefore; // empty when there are no marks
    };
    struct CachedRow {
        double nsPerPixel = 0;
        qint64 pixelBegin = 0;
        qint64 pixelEnd = 0;
        std::vector<FlameChartPrimitive> primitives;
    };

    std::shared_ptr<const Trace> m_trace;
    Packing m_packing = Packing::Tree;
    qint64 m_startNs = 0;
    qint64 m_durationNs = 0;
    std::vector<Row> m_rows;
    std::vector<int> m_rowOf;
    std::vector<bool> m_marks;
    std::vector<CachedRow> m_cache;
};

} // namespace tracemap
