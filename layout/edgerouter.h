#pragma once

#include "topologygeometry.h"

#include <QRectF>

#include <vector>

namespace tracemap {

/// Routes edges between boxes that stay where they are, with Graphviz's obstacle-avoiding spline router (libpathplan:
/// the shortest path around the boxes, then a spline fitted inside it, as `neato -n` routes), but around only the
/// boxes near each edge: Graphviz builds the visibility graph of every box in the map, seconds for a map of 200
/// services, for each relayout. Not reentrant (libpathplan keeps static buffers): GraphvizLayout calls it under its
/// lock.
class EdgeRouter {
public:
    /// Graphviz's arrowhead at arrowsize 0.7 (DotWriter): the route ends this far before the tip.
    static constexpr double kArrowLength = 7;

    explicit EdgeRouter(std::vector<QRectF> boxes);

    /// The route from box `from` to box `to` (indices into the boxes): a Bézier chain from the border of `from` to
    /// kArrowLength before the border of `to`, with the arrow's tip on that border, passing around the other boxes.
    [[nodiscard]] TopologyGeometry::Edge route(size_t from, size_t to) const;

    /// Where the segment from the centre of `box` towards `towards` leaves the box.
    static QPointF borderPoint(const QRectF& box, QPointF towards);
    /// Whether the Bézier chain (p0, c1, c2, p1, …) passes through `box` (16 samples per piece).
    static bool crosses(const std::vector<QPointF>& path, const QRectF& box);

private:
    std::vector<QPointF> routeAround(QPointF start, QPointF end, const std::vector<size_t>& obstacles) const;

    std::vector<QRectF> m_boxes;
};

} // namespace tracemap
