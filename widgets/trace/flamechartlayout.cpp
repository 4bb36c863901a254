#include "flamechartlayout.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tracemap {

namespace {

// Spans in the order they are packed in; parents always come before their children.
std::vector<quint32> packingOrder(const Trace& trace, FlameChartLayout::Packing packing)
{
    std::vector<quint32> order;
    order.reserve(trace.spans.size());
    if (packing == FlameChartLayout::Packing::Compact) {
        // Spans are sorted by start: a stable counting sort by depth keeps that order within a depth.
        std::vector<quint32> firstOfDepth(trace.maxDepth() + 2, 0);
        for (const Span& span : trace.spans)
            ++firstOfDepth[span.depth + 1];
        for (size_t d = 1; d < firstOfDepth.size(); ++d)
            firstOfDepth[d] += firstOfDepth[d - 1];
        order.resize(trace.spans.size());
        for (quint32 i = 0; i < trace.spans.size(); ++i)
            order[firstOfDepth[trace.spans[i].depth]++] = i;
        return order;
    }
    // Depth first with an explicit stack (a 100,000-deep chain must not overflow), children in start order.
    std::vector<quint32> stack(trace.roots.rbegin(), trace.roots.rend());
    while (!stack.empty()) {
        const quint32 i = stack.back();
        stack.pop_back();
        order.push_back(i);
        const Span& span = trace.spans[i];
        for (quint32 k = span.children.end(); k > span.children.begin; --k)
            stack.push_back(trace.childIndex[k - 1]);
    }
    return order;
}

} // namespace

FlameChartLayout::FlameChartLayout(std::shared_ptr<const Trace> trace, const std::vector<bool>& hidden, Packing packing)
    : m_trace(std::move(trace))
    , m_packing(packing)
{
    if (!m_trace || m_trace->spans.empty())
        return;
    const std::vector<Span>& spans = m_trace->spans;
    m_startNs = m_trace->startNs();
    m_durationNs = std::max<qint64>(1, m_trace->endNs() - m_startNs);

    // First fit: each span takes the first row below its parent's that is free over its interval. A hidden span
    // passes its parent's row on, so children of a filtered-out span stay under their nearest shown ancestor.
    m_rowOf.assign(spans.size(), -1);
    std::vector<int> floorOf(spans.size(), -1); // the row a span's children go below
    // Per row, the span that last kept a span out of it. Spans never leave a row, so one that overlaps the next
    // span too rules the row out at once: siblings that overlap pass the same rows, and this keeps that pass to a
    // read of a dense array instead of a binary search per row.
    struct Block {
        qint64 start = std::numeric_limits<qint64>::max();
        qint64 end = std::numeric_limits<qint64>::min();
    };
    std::vector<Block> lastBlock;
    for (const quint32 i : packingOrder(*m_trace, packing)) {
        const Span& span = spans[i];
        const int parentFloor = span.parent == kNoIndex ? -1 : floorOf[span.parent];
        if (i < hidden.size() && hidden[i]) {
            floorOf[i] = parentFloor;
            continue;
        }
        const qint64 start = span.startNs - m_startNs;
        const qint64 end = start + std::max<qint64>(0, span.durationNs);
        size_t row = size_t(parentFloor + 1);
        size_t position = 0;
        for (; row < m_rows.size(); ++row) {
            if (lastBlock[row].start < end && start < lastBlock[row].end)
                continue;
            const Row& r = m_rows[row];
            // Rows mostly fill from left to right: a span past the row's last end is appended.
            if (r.ends.back() <= start) {
                position = r.spans.size();
                break;
            }
            // Of the spans starting before `end`, the last one ends last: it alone can reach past `start`.
            position = size_t(std::lower_bound(r.starts.begin(), r.starts.end(), end) - r.starts.begin());
            if (position == 0 || r.ends[position - 1] <= start)
                break;
            lastBlock[row] = { r.starts[position - 1], r.ends[position - 1] };
        }
        if (row == m_rows.size()) {
            m_rows.emplace_back();
            lastBlock.emplace_back();
            position = 0;
        }

        Row& r = m_rows[row];
        r.spans.insert(r.spans.begin() + qsizetype(position), i);
        r.starts.insert(r.starts.begin() + qsizetype(position), start);
        r.ends.insert(r.ends.begin() + qsizetype(position), end);
        m_rowOf[i] = int(row);
        floorOf[i] = int(row);
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
