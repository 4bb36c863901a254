#include "incrementalplacement.h"

#include <QRectF>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tracemap {

namespace {

// dot's ranksep (0.6 inch): the space between columns when the map has a single column to learn it from.
constexpr double kRankSep = 43.2;
// Kept boxes are separated only when they come closer than this (they had at least dot's spacing before).
constexpr double kMinGapKept = 4;

QRectF boxAt(QPointF centre, QSizeF size)
{
    return { centre.x() - size.width() / 2, centre.y() - size.height() / 2, size.width(), size.height() };
}

// By how much `a` and `b`, each grown by gap/2, overlap along each axis (both positive: they overlap).
QPointF overlap(const QRectF& a, const QRectF& b, double gap)
{
    return { std::min(a.right(), b.right()) - std::max(a.left(), b.left()) + gap,
        std::min(a.bottom(), b.bottom()) - std::max(a.top(), b.top()) + gap };
}

bool isFree(const QRectF& box, const std::vector<QRectF>& placed)
{
    // A hair under the gap, so that a candidate put exactly kGap from a box counts as free.
    return std::none_of(placed.begin(), placed.end(), [&box](const QRectF& other) {
        const QPointF o = overlap(box, other, IncrementalPlacement::kGap - 0.01);
        return o.x() > 0 && o.y() > 0;
    });
}

// Moves kept nodes apart whose boxes grew into each other: the lower one moves down (in a flow map the columns
// stay columns), otherwise along the axis of the smaller overlap. False when it does not settle.
bool separate(
    std::vector<QPointF>& centres, const std::vector<QSizeF>& sizes, const std::vector<size_t>& kept, bool flow)
{
    const size_t rounds = 4 * kept.size() + 8;
    for (size_t round = 0; round < rounds; ++round) {
        bool moved = false;
        for (size_t i = 0; i < kept.size(); ++i) {
            for (size_t j = i + 1; j < kept.size(); ++j) {
                const size_t a = kept[i];
                const size_t b = kept[j];
                const QPointF o = overlap(boxAt(centres[a], sizes[a]), boxAt(centres[b], sizes[b]), kMinGapKept);
                if (o.x() <= 0 || o.y() <= 0)
                    continue;
                moved = true;
                if (flow || o.y() <= o.x())
                    centres[centres[b].y() >= centres[a].y() ? b : a].ry() += o.y();
                else
                    centres[centres[b].x() >= centres[a].x() ? b : a].rx() += o.x();
            }
        }
        if (!moved)
            return true;
    }
    return false;
}

// The free height nearest `wanted` for a box of `size` centred at x: candidates are `wanted` and the places just
// above and below each box in the way.
double freeY(double x, double wanted, QSizeF size, const std::vector<QRectF>& placed)
{
    std::vector<double> candidates { wanted };
    const double half = size.width() / 2 + IncrementalPlacement::kGap;
    for (const QRectF& box : placed) {
        if (box.right() <= x - half || box.left() >= x + half)
            continue;
        candidates.push_back(box.top() - IncrementalPlacement::kGap - size.height() / 2);
        candidates.push_back(box.bottom() + IncrementalPlacement::kGap + size.height() / 2);
    }
    std::stable_sort(candidates.begin(), candidates.end(),
        [wanted](double a, double b) { return std::abs(a - wanted) < std::abs(b - wanted); });
    for (double y : candidates) {
        if (isFree(boxAt({ x, y }, size), placed))
            return y;
    }
    return candidates.back(); // not reached: the lowest candidate is below every box
}

// The free place nearest `wanted` on rings around it.
QPointF freePoint(QPointF wanted, QSizeF size, const std::vector<QRectF>& placed)
{
    const double step = std::max(size.width(), size.height()) / 2 + IncrementalPlacement::kGap;
    for (int ring = 0; ring < 10000; ++ring) {
        const int count = ring == 0 ? 1 : 8 * ring;
        for (int k = 0; k < count; ++k) {
            const double angle = 2 * std::numbers::pi * k / count;
            const QPointF p = wanted + ring * step * QPointF(std::cos(angle), std::sin(angle));
            if (isFree(boxAt(p, size), placed))
                return p;
        }
    }
    return wanted;
}

// The x of each column of a flow map (centres within a point of each other share one), sorted.
std::vector<double> columnsOf(const std::vector<QPointF>& centres, const std::vector<size_t>& kept)
{
    std::vector<double> xs;
    for (size_t i : kept)
        xs.push_back(centres[i].x());
    std::sort(xs.begin(), xs.end());
    std::vector<double> columns;
    for (double x : xs) {
        if (columns.empty() || x - columns.back() > 1)
            columns.push_back(x);
    }
    return columns;
}

} // namespace

std::optional<std::vector<QPointF>> IncrementalPlacement::place(const Input& input)
{
    const Topology& topology = *input.topology;
    const size_t n = topology.nodes.size();
    std::vector<QPointF> centres(n);
    std::vector<bool> placed(n, false);
    std::vector<size_t> kept;
    std::vector<size_t> pending;
    for (size_t i = 0; i < n; ++i) {
        if (input.previous[i]) {
            centres[i] = *input.previous[i];
            placed[i] = true;
            kept.push_back(i);
        } else {
            pending.push_back(i);
        }
    }
    if (!separate(centres, input.sizes, kept, input.flow))
        return std::nullopt;

    std::vector<QRectF> boxes;
    double widest = 0;
    for (size_t i : kept) {
        boxes.push_back(boxAt(centres[i], input.sizes[i]));
        widest = std::max(widest, input.sizes[i].width());
    }
    std::vector<double> columns = columnsOf(centres, kept);
    double columnGap = widest + kRankSep;
    if (columns.size() >= 2) {
        std::vector<double> gaps;
        for (size_t c = 1; c < columns.size(); ++c)
            gaps.push_back(columns[c] - columns[c - 1]);
        std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
        columnGap = gaps[gaps.size() / 2];
    }

    std::vector<std::vector<quint32>> callers(n);
    std::vector<std::vector<quint32>> callees(n);
    for (const Topology::Edge& edge : topology.edges) {
        if (edge.from == edge.to)
            continue;
        callees[edge.from].push_back(edge.to);
        callers[edge.to].push_back(edge.from);
    }
    const auto placedCount = [&](size_t v) {
        const auto isPlaced = [&placed](quint32 w) { return placed[w]; };
        return std::count_if(callers[v].begin(), callers[v].end(), isPlaced)
            + std::count_if(callees[v].begin(), callees[v].end(), isPlaced);
    };

    while (!pending.empty()) {
        // The new service with the most neighbours already placed goes first, so a chain of new services grows
        // from the map outwards.
        const auto next = std::max_element(
            pending.begin(), pending.end(), [&](size_t a, size_t b) { return placedCount(a) < placedCount(b); });
        const size_t v = *next;
        pending.erase(next);

        double callerX = -INFINITY;
        double calleeX = INFINITY;
        QPointF sum;
        int neighbours = 0;
        for (quint32 w : callers[v]) {
            if (placed[w]) {
                callerX = std::max(callerX, centres[w].x());
                sum += centres[w];
                ++neighbours;
            }
        }
        for (quint32 w : callees[v]) {
            if (placed[w]) {
                calleeX = std::min(calleeX, centres[w].x());
                sum += centres[w];
                ++neighbours;
            }
        }
        QRectF bounds;
        for (const QRectF& box : boxes)
            bounds = bounds.isNull() ? box : bounds.united(box);
        const QSizeF size = input.sizes[v];
        // Without a placed neighbour: below the map, at its left.
        const bool hasOrigin = v < input.near.size() && input.near[v];
        const QPointF wanted = hasOrigin ? *input.near[v]
            : neighbours > 0             ? sum / neighbours
                             : QPointF(bounds.left() + size.width() / 2, bounds.bottom() + kGap + size.height() / 2);

        if (input.flow) {
            double x = wanted.x();
            if (callerX > -INFINITY) {
                const auto after = std::upper_bound(columns.begin(), columns.end(), callerX + 1);
                x = after != columns.end() && *after - callerX <= 1.5 * columnGap ? *after : callerX + columnGap;
            } else if (calleeX < INFINITY) {
                const auto before = std::lower_bound(columns.begin(), columns.end(), calleeX - 1);
                x = before != columns.begin() && calleeX - *(before - 1) <= 1.5 * columnGap ? *(before - 1)
                                                                                            : calleeX - columnGap;
            } else if (!columns.empty()) {
                x = columns.front();
            }
            centres[v] = { x, freeY(x, wanted.y(), size, boxes) };
            const auto at = std::lower_bound(columns.begin(), columns.end(), x - 1);
            if (at == columns.end() || *at > x + 1)
                columns.insert(at, x);
        } else {
            centres[v] = freePoint(wanted, size, boxes);
        }
        placed[v] = true;
        boxes.push_back(boxAt(centres[v], size));
    }
    return centres;
}

} // namespace tracemap
