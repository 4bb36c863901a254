#include "flamechartlayout.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace tracemap {

FlameChartLayout::FlameChartLayout(std::shared_ptr<const Trace> trace, const std::vector<bool>& hidden)
    : m_trace(std::move(trace))
{
    if (!m_trace || m_trace->spans.empty())
        return;
    const std::vector<Span>& spans = m_trace->spans;
    m_startNs = m_trace->startNs();
    m_durationNs = std::max<qint64>(1, m_trace->endNs() - m_startNs);

    // Interval partitioning per depth: a span reuses the sub-row that became free first, else opens a new one.
    using Free = std::pair<qint64, quint32>; // (end, lane)
    struct Depth {
        std::vector<Row> lanes;
        std::priority_queue<Free, std::vector<Free>, std::greater<Free>> free;
    };
    std::vector<Depth> depths;
    std::vector<quint32> laneOf(spans.size(), kNoIndex);
    for (quint32 i = 0; i < spans.size(); ++i) {
        if (i < hidden.size() && hidden[i])
            continue;
        const Span& span = spans[i];
        if (span.depth >= depths.size())
            depths.resize(span.depth + 1);
        Depth& depth = depths[span.depth];
        const qint64 start = span.startNs - m_startNs;
        const qint64 end = start + std::max<qint64>(0, span.durationNs);
        quint32 lane;
        if (!depth.free.empty() && depth.free.top().first <= start) {
            lane = depth.free.top().second;
            depth.free.pop();
        } else {
            lane = quint32(depth.lanes.size());
            depth.lanes.emplace_back();
        }
        depth.free.emplace(end, lane);
        Row& row = depth.lanes[lane];
        row.spans.push_back(i);
        row.starts.push_back(start);
        row.ends.push_back(end);
        laneOf[i] = lane;
    }

    std::vector<int> firstRowOfDepth(depths.size(), -1);
    for (quint32 d = 0; d < depths.size(); ++d) {
        if (depths[d].lanes.empty())
            continue;
        firstRowOfDepth[d] = int(m_rows.size());
        for (Row& lane : depths[d].lanes) {
            lane.depth = d;
            m_rows.push_back(std::move(lane));
        }
    }
    m_rowOf.assign(spans.size(), -1);
    for (quint32 i = 0; i < spans.size(); ++i) {
        if (laneOf[i] != kNoIndex)
            m_rowOf[i] = firstRowOfDepth[spans[i].depth] + int(laneOf[i]);
    }
    for (Row& row : m_rows) {
        row.errorsBefore.resize(row.spans.size() + 1);
        row.errorsBefore[0] = 0;
        for (size_t p = 0; p < row.spans.size(); ++p)
            row.errorsBefore[p + 1] = row.errorsBefore[p] + (spans[row.spans[p]].isError() ? 1 : 0);
    }
}

std::pair<size_t, size_t> FlameChartLayout::visibleRange(int row, qint64 t0, qint64 t1) const
{
    const Row& r = m_rows[size_t(row)];
    const size_t first = size_t(std::lower_bound(r.ends.begin(), r.ends.end(), t0) - r.ends.begin());
    const size_t last = size_t(std::upper_bound(r.starts.begin(), r.starts.end(), t1) - r.starts.begin());
    return { first, std::max(first, last) };
}

quint32 FlameChartLayout::hitTest(int row, double t, double toleranceNs) const
{
    if (row < 0 || row >= rowCount())
        return kNoIndex;
    const Row& r = m_rows[size_t(row)];
    const size_t after = size_t(std::upper_bound(r.starts.begin(), r.starts.end(), t, [](double v, qint64 s) {
        return v < double(s);
    }) - r.starts.begin());
    double best = toleranceNs;
    quint32 hit = kNoIndex;
    if (after > 0 && std::max(0.0, t - double(r.ends[after - 1])) <= best) {
        best = std::max(0.0, t - double(r.ends[after - 1]));
        hit = r.spans[after - 1];
    }
    if (after < r.spans.size() && double(r.starts[after]) - t < best)
        hit = r.spans[after];
    return hit;
}

void FlameChartLayout::setMarks(const std::vector<bool>& marks)
{
    m_marks = marks;
    for (Row& row : m_rows) {
        row.marksBefore.clear();
        if (marks.empty())
            continue;
        row.marksBefore.resize(row.spans.size() + 1);
        row.marksBefore[0] = 0;
        for (size_t p = 0; p < row.spans.size(); ++p)
            row.marksBefore[p + 1] = row.marksBefore[p] + (isMarked(row.spans[p]) ? 1 : 0);
    }
    m_cache.clear();
}

void FlameChartLayout::computePrimitives(
    int row, double nsPerPixel, qint64 pixelBegin, qint64 pixelEnd, std::vector<FlameChartPrimitive>& out) const
{
    out.clear();
    const Row& r = m_rows[size_t(row)];
    const size_t n = r.spans.size();
    const auto startsBefore = [&](double ns) {
        return size_t(std::lower_bound(r.starts.begin(), r.starts.end(), ns, [](qint64 s, double v) {
            return double(s) < v;
        }) - r.starts.begin());
    };
    size_t pos = size_t(std::lower_bound(r.ends.begin(), r.ends.end(), double(pixelBegin) * nsPerPixel,
                            [](qint64 e, double v) { return double(e) < v; })
        - r.ends.begin());
    qint64 cursor = pixelBegin;
    while (pos < n && cursor < pixelEnd) {
        const double x0 = double(r.starts[pos]) / nsPerPixel;
        if (x0 >= double(pixelEnd))
            break;
        const qint64 p0 = std::max(qint64(std::floor(x0)), cursor);
        const qint64 p1 = std::min(qint64(std::floor(double(r.ends[pos]) / nsPerPixel)), pixelEnd);
        if (p1 <= p0 && std::floor(x0) < double(cursor)) {
            // Begins left of the range and ends in its first pixel: it belongs to the pixels before, as when the
            // row is computed from further left (the cache's margin), so panning never adds or drops a sliver.
            ++pos;
            continue;
        }
        FlameChartPrimitive primitive;
        primitive.span = r.spans[pos];
        primitive.pixelBegin = p0;
        size_t next;
        if (p1 > p0) {
            primitive.pixelEnd = p1;
            next = pos + 1;
        } else {
            // Everything starting in pixel p0 is merged, except a last span that reaches past the next pixel,
            // which becomes its own wide primitive.
            next = std::max(startsBefore(double(p0 + 1) * nsPerPixel), pos + 1);
            if (next - 1 > pos && std::floor(double(r.ends[next - 1]) / nsPerPixel) > double(p0 + 1))
                --next;
            primitive.pixelEnd = p0 + 1;
        }
        primitive.count = quint32(next - pos);
        primitive.isBlock = primitive.count > 1;
        primitive.anyError = r.errorsBefore[next] > r.errorsBefore[pos];
        primitive.anyMarked = !r.marksBefore.empty() && r.marksBefore[next] > r.marksBefore[pos];
        out.push_back(primitive);
        cursor = primitive.pixelEnd;
        pos = next;
    }
}

std::span<const FlameChartPrimitive> FlameChartLayout::primitives(
    int row, double nsPerPixel, qint64 pixelBegin, qint64 pixelEnd)
{
    if (m_cache.size() != m_rows.size())
        m_cache.resize(m_rows.size());
    CachedRow& cache = m_cache[size_t(row)];
    if (cache.nsPerPixel != nsPerPixel || pixelBegin < cache.pixelBegin || pixelEnd > cache.pixelEnd) {
        // A screen's margin on both sides, so panning at this zoom level reuses the primitives.
        const qint64 margin = pixelEnd - pixelBegin;
        cache.nsPerPixel = nsPerPixel;
        cache.pixelBegin = pixelBegin - margin;
        cache.pixelEnd = pixelEnd + margin;
        computePrimitives(row, nsPerPixel, cache.pixelBegin, cache.pixelEnd, cache.primitives);
    }
    const auto& all = cache.primitives;
    const auto first = std::partition_point(
        all.begin(), all.end(), [&](const FlameChartPrimitive& p) { return p.pixelEnd <= pixelBegin; });
    const auto last
        = std::partition_point(first, all.end(), [&](const FlameChartPrimitive& p) { return p.pixelBegin < pixelEnd; });
    return { first, last };
}

} // namespace tracemap
