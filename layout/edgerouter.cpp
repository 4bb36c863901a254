#include "edgerouter.h"

#include <graphviz/pathplan.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

// libpathplan's visibility-graph router, exported by the library but whose header (vispath.h) Debian does not
// install; these are its declarations in Graphviz 2.43.
extern "C" {
vconfig_t* Pobsopen(Ppoly_t** obstacles, int count);
void Pobsclose(vconfig_t* config);
int Pobspath(vconfig_t* config, Ppoint_t p0, int poly0, Ppoint_t p1, int poly1, Ppolyline_t* route);
}

namespace tracemap {

namespace {

constexpr int kPolyIdNone = -1111; // POLYID_NONE: the point lies in no obstacle
// Boxes are grown by this much as obstacles, so that curves do not graze them (kept boxes are >= 4 pt apart).
constexpr double kClearance = 1.5;
// Boxes this far around the rectangle spanned by the two ends are obstacles from the start.
constexpr double kMargin = 40;
constexpr int kSamples = 16;

QPointF cubic(const QPointF* p, double t)
{
    const double u = 1 - t;
    return u * u * u * p[0] + 3 * u * u * t * p[1] + 3 * u * t * t * p[2] + t * t * t * p[3];
}

// De Casteljau: the piece p[0..3] split at t into [0, t] (left) and [t, 1] (right).
void split(const QPointF* p, double t, QPointF* left, QPointF* right)
{
    const QPointF a = p[0] + (p[1] - p[0]) * t;
    const QPointF b = p[1] + (p[2] - p[1]) * t;
    const QPointF c = p[2] + (p[3] - p[2]) * t;
    const QPointF d = a + (b - a) * t;
    const QPointF e = b + (c - b) * t;
    const QPointF f = d + (e - d) * t;
    left[0] = p[0];
    left[1] = a;
    left[2] = d;
    left[3] = f;
    right[0] = f;
    right[1] = e;
    right[2] = c;
    right[3] = p[3];
}

// The parameter in [0, 1] where `inside` changes along the piece (it holds at one end, not at the other).
template <typename Inside> double crossing(const QPointF* p, Inside inside)
{
    double lo = 0;
    double hi = 1;
    const bool atStart = inside(p[0]);
    for (int i = 0; i < 30; ++i) {
        const double mid = (lo + hi) / 2;
        (inside(cubic(p, mid)) == atStart ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

void straight(TopologyGeometry::Edge& edge, const QRectF& from, const QRectF& to)
{
    const QPointF start = EdgeRouter::borderPoint(from, to.center());
    const QPointF tip = EdgeRouter::borderPoint(to, from.center());
    const QPointF d = tip - start;
    const double length = std::hypot(d.x(), d.y());
    const QPointF end = length > EdgeRouter::kArrowLength ? tip - d * (EdgeRouter::kArrowLength / length) : start;
    edge.path = { start, start + (end - start) / 3, start + (end - start) * 2 / 3, end };
    edge.hasArrow = true;
    edge.arrowTip = tip;
}

// Graphviz's frame has y growing upwards; obstacles are given clockwise in it.
Ppoint_t toPath(QPointF p)
{
    return { p.x(), -p.y() };
}

} // namespace

QPointF EdgeRouter::borderPoint(const QRectF& box, QPointF towards)
{
    const QPointF centre = box.center();
    const QPointF d = towards - centre;
    if (d.isNull())
        return centre;
    const double tx = d.x() != 0 ? box.width() / 2 / std::abs(d.x()) : INFINITY;
    const double ty = d.y() != 0 ? box.height() / 2 / std::abs(d.y()) : INFINITY;
    return centre + d * std::min({ tx, ty, 1.0 });
}

bool EdgeRouter::crosses(const std::vector<QPointF>& path, const QRectF& box)
{
    for (size_t k = 0; k + 3 < path.size(); k += 3) {
        for (int s = 0; s <= kSamples; ++s) {
            if (box.contains(cubic(&path[k], s / double(kSamples))))
                return true;
        }
    }
    return false;
}

EdgeRouter::EdgeRouter(std::vector<QRectF> boxes)
    : m_boxes(std::move(boxes))
{
}

std::vector<QPointF> EdgeRouter::routeAround(QPointF start, QPointF end, const std::vector<size_t>& obstacles) const
{
    if (obstacles.empty())
        return { start, start + (end - start) / 3, start + (end - start) * 2 / 3, end };
    std::vector<Ppoint_t> corners(4 * obstacles.size());
    std::vector<Ppoly_t> polygons(obstacles.size());
    std::vector<Ppoly_t*> pointers(obstacles.size());
    for (size_t i = 0; i < obstacles.size(); ++i) {
        const QRectF b = m_boxes[obstacles[i]].adjusted(-kClearance, -kClearance, kClearance, kClearance);
        Ppoint_t* c = &corners[4 * i];
        c[0] = toPath(b.bottomLeft());
        c[1] = toPath(b.topLeft());
        c[2] = toPath(b.topRight());
        c[3] = toPath(b.bottomRight());
        polygons[i] = { c, 4 };
        pointers[i] = &polygons[i];
    }
    std::vector<QPointF> out;
    vconfig_t* config = Pobsopen(pointers.data(), static_cast<int>(pointers.size()));
    if (!config)
        return out;
    Ppolyline_t line { nullptr, 0 };
    if (Pobspath(config, toPath(start), kPolyIdNone, toPath(end), kPolyIdNone, &line) && line.pn >= 2) {
        Pedge_t* barriers = nullptr;
        int barrierCount = 0;
        Ppolybarriers(pointers.data(), static_cast<int>(pointers.size()), &barriers, &barrierCount);
        Pvector_t slopes[2] = { { 0, 0 }, { 0, 0 } };
        Ppolyline_t spline { nullptr, 0 };
        if (Proutespline(barriers, barrierCount, line, slopes, &spline) != 0 || spline.pn < 4) {
            make_polyline(line, &spline); // straight pieces along the shortest path
        }
        for (int i = 0; i < spline.pn; ++i)
            out.emplace_back(spline.ps[i].x, -spline.ps[i].y);
        std::free(barriers);
    }
    std::free(line.ps);
    Pobsclose(config);
    return out;
}

TopologyGeometry::Edge EdgeRouter::route(size_t from, size_t to) const
{
    TopologyGeometry::Edge edge;
    const QRectF& a = m_boxes[from];
    const QRectF& b = m_boxes[to];
    if (from == to) {
        // A call to itself: a loop on the right side.
        const QPointF top(a.right(), a.center().y() - a.height() / 4);
        const QPointF bottom(a.right(), a.center().y() + a.height() / 4);
        edge.path = { top, top + QPointF(30, -12), bottom + QPointF(30 + EdgeRouter::kArrowLength, 12),
            bottom + QPointF(EdgeRouter::kArrowLength, 0) };
        edge.hasArrow = true;
        edge.arrowTip = bottom;
        return edge;
    }
    // The boxes near the straight line first; any box the route then crosses joins them, and it is routed again.
    std::vector<size_t> obstacles;
    const QRectF region = a.united(b).adjusted(-kMargin, -kMargin, kMargin, kMargin);
    for (size_t i = 0; i < m_boxes.size(); ++i) {
        if (i != from && i != to && region.intersects(m_boxes[i]))
            obstacles.push_back(i);
    }
    std::vector<QPointF> path;
    for (int attempt = 0; attempt < 4; ++attempt) {
        path = routeAround(a.center(), b.center(), obstacles);
        if (path.size() < 4)
            break;
        bool added = false;
        for (size_t i = 0; i < m_boxes.size(); ++i) {
            if (i != from && i != to && std::find(obstacles.begin(), obstacles.end(), i) == obstacles.end()
                && crosses(path, m_boxes[i])) {
                obstacles.push_back(i);
                added = true;
            }
        }
        if (!added)
            break;
    }
    if (path.size() < 4 || (path.size() - 1) % 3 != 0 || a.contains(path.back()) || b.contains(path.front())) {
        straight(edge, a, b);
        return edge;
    }

    // Clip to the borders: from where the route leaves `a` to kArrowLength before where it enters `b`.
    const auto inA = [&a](QPointF p) { return a.contains(p); };
    size_t first = 0;
    while (first + 3 < path.size() && inA(path[first + 3]))
        first += 3;
    QPointF left[4];
    QPointF right[4];
    split(&path[first], crossing(&path[first], inA), left, right);
    std::vector<QPointF> clipped { right[0], right[1], right[2], right[3] };
    clipped.insert(clipped.end(), path.begin() + static_cast<std::ptrdiff_t>(first) + 4, path.end());

    const auto inB = [&b](QPointF p) { return b.contains(p); };
    size_t last = clipped.size() - 4;
    while (last >= 3 && inB(clipped[last]))
        last -= 3;
    if (inB(clipped[last]) || !inB(clipped[last + 3])) {
        straight(edge, a, b);
        return edge;
    }
    const double tTip = crossing(&clipped[last], inB);
    const QPointF tip = cubic(&clipped[last], tTip);
    const auto nearTip = [&tip](QPointF p) { return std::hypot(p.x() - tip.x(), p.y() - tip.y()) < kArrowLength; };
    if (nearTip(clipped[last])) {
        straight(edge, a, b);
        return edge;
    }
    QPointF piece[4];
    split(&clipped[last], tTip, piece, right);
    split(piece, crossing(piece, nearTip), left, right);
    clipped.resize(last);
    clipped.insert(clipped.end(), { left[0], left[1], left[2], left[3] });
    edge.path = std::move(clipped);
    edge.hasArrow = true;
    edge.arrowTip = tip;
    return edge;
}

} // namespace tracemap
