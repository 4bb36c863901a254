#pragma once

#include "analysis/topology.h"
#include "topologygeometry.h"

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QSet>

class QPainter;

namespace tracemap {

/// Draws a laid-out topology with QPainter, so the map on screen and the SVG/PNG/PDF exports are the same
/// picture. Colours come from the Okabe-Ito palette, which stays distinct for colour-blind users.
class TopologyPainter {
public:
    /// What a node's fill says: its error rate (healthy, warning, failing), or where its p95 or its rate stands
    /// among the services shown (five steps on a logarithmic scale from the lowest to the highest).
    using ColorBy = Topology::Metric;

    struct Options {
        QPalette palette;
        bool edgeLabels = false;
        /// Device pixels per scene point: labels too small to read are left out, and hairlines stay visible.
        double scale = 1.0;
        QRectF visibleScene; // empty: everything
        QSet<quint32> highlightedNodes;
        int selectedNode = -1;
        int selectedEdge = -1;
        /// Services with an anomaly episode: a badge on the node, and the edges into it marked.
        QSet<QString> anomalousServices;
        /// > 0: label at most this many nodes and edges in the visible part, the most important first, so that a
        /// large map shows a few readable names instead of a carpet of text.
        size_t maxLabels = 0;
        ColorBy colorBy = ColorBy::Errors;
        /// What the boxes' sizes show (TopologyLens::Options::sizeBy), for the legend; none: their labels.
        std::optional<Topology::Metric> sizeBy {};
    };

    /// The fills of one picture: computed once from the nodes shown, then asked per node and for the legend.
    class NodeColors {
    public:
        NodeColors(const Topology& topology, ColorBy by, bool dark);
        QColor fill(const Topology::Node& node) const;
        /// Each fill with what it means ("p95 12 ms – 40 ms"), in order, as the legend lists them.
        std::vector<std::pair<QColor, QString>> legend() const;

    private:
        int step(double value) const;
        ColorBy m_by;
        bool m_dark;
        double m_low = 0; // the scale's ends (P95, Rate), logarithmic
        double m_high = 0;
    };
    /// The legend box with its top-left corner at `at` (in the painter's coordinates): the fills, the dashed
    /// outline of inferred services and, if any, the stack of a group. Returns the box; with no painter it only
    /// measures it.
    static QRectF paintLegend(QPainter* painter, QPointF at, const Topology& topology, const Options& options);

    /// Which labels are drawn. Node names (with their figures) go inside their boxes, most important first:
    /// groups, then by traffic (spans and calls). Edge labels follow, busiest call first, each only where it
    /// overlaps no node and no label already placed; so no two labels ever overlap and none crosses an outline.
    struct LabelPlan {
        std::vector<bool> node; // per geometry.nodes entry
        std::vector<bool> edge; // per geometry.edges entry
        std::vector<QRectF> rects; // where the placed labels are, in scene points: the box for a node
    };
    static LabelPlan planLabels(const Topology& topology, const TopologyGeometry& geometry, const Options& options);
    /// Labels are left out below this font height in device pixels.
    static constexpr double kMinReadablePixels = 5.0;
    /// Zoomed out below this scale, thin edges fade so that the busy ones and the nodes stand out.
    static constexpr double kFadeBelowScale = 0.5;

    static void paint(
        QPainter& painter, const Topology& topology, const TopologyGeometry& geometry, const Options& options);

    /// Node fill by error rate: healthy, warning (≥ 1 %), failing (≥ 5 %).
    static QColor healthColor(double errorPercent, bool dark);
    static QColor edgeColor(double errorPercent, bool dark);
    /// The colour of anomaly marks (a node's badge, the edges into it): Okabe-Ito vermilion, brighter on dark.
    static QColor anomalyColor(bool dark);
    /// The rectangle an edge label takes around its position.
    static QRectF edgeLabelRect(const Topology::Edge& edge, QPointF at);
    /// Pen width in points for an edge carrying `calls` of the busiest edge's `maxCalls`.
    static double edgeWidth(qint64 calls, qint64 maxCalls);
    /// The second label line of a node (rate and error share) and an edge's label, as DotWriter sized them.
    static QString nodeFigures(const Topology::Node& node);
    static QString edgeLabel(const Topology::Edge& edge);
    /// Where a node's name is written: inside the box, below a cylinder's lid, above the figures if any.
    static QRectF nameRect(const QRectF& box, Topology::NodeKind kind, bool hasFigures);
    /// The name font (12 px bold at scale 1), made smaller (down to 9 px) when the name is wider than `width`:
    /// Graphviz sized the box from a character count, and only a much longer name should be elided.
    static QFont nameFont(const QFont& base, const QString& name, double width);
};

} // namespace tracemap
