#pragma once

#include <QPointF>
#include <QRectF>
#include <QString>

#include <vector>

namespace tracemap {

/// Where Graphviz put everything, in points with y growing downwards (as Qt draws), ready to paint: the widget,
/// the SVG/PNG/PDF export and the tests read only this.
struct TopologyGeometry {
    struct Node {
        quint32 node = 0; // index into Topology::nodes
        QRectF box;
    };
    struct Edge {
        quint32 edge = 0; // index into Topology::edges
        /// Cubic Bézier control points: p0, c1, c2, p1, c1, c2, p2 … (1 + 3k points); straight lines are given as
        /// degenerate cubics, so every edge is drawn the same way.
        std::vector<QPointF> path;
        bool hasArrow = false;
        QPointF arrowTip; // where the arrowhead points (on the target's border)
        QPointF labelPosition; // centre of the edge label, if any
    };

    QRectF bounds;
    std::vector<Node> nodes;
    std::vector<Edge> edges;
    QString engine; // the Graphviz layout engine used ("dot", "sfdp", "neato")
    /// Placed by GraphvizLayout::layoutStable from a previous layout (the nodes kept there, the new ones added in
    /// the engine's style), not by the engine afresh.
    bool incremental = false;
};

} // namespace tracemap
