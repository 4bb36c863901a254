#pragma once

#include "analysis/topology.h"
#include "analysis/topologygroups.h"
#include "analysis/topologylens.h"
#include "graphvizlayout.h"
#include "layoutoptions.h"
#include "topologygeometry.h"
#include "topologypainter.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <set>

class QComboBox;
class QLineEdit;
class QLabel;
class QSpinBox;
class QToolButton;

namespace tracemap {

/// The interactive service map: paints a laid-out topology (TopologyPainter) with zoom (wheel, at the cursor),
/// pan (drag), fit (F), tooltips with each node's and edge's figures, a search box that highlights the matching
/// services and selects the best match, and a focus mode showing N hops around the selected service. A click
/// selects a node or an edge (selectionChanged; the map's panel shows it); the map stays as it is. The map fits
/// the window when shown and resized until the user zooms or pans. Layout runs on a worker thread; stale layouts
/// are dropped. A new topology (a new search, live spans) is laid out as a change of the map shown
/// (GraphvizLayout::layoutStable): the services already drawn stay where they were, the view keeps its zoom and
/// place if the user chose them, and the old map stays painted until the new one arrives; Re-layout (F5), Focus,
/// Show All and another engine lay out afresh.
///
/// A large map opens as its groups (TopologyGrouper: an attribute such as service.namespace, else detected
/// communities); a double-click expands a group in place, and finding a service inside one expands it. Filters
/// (minimum calls, errors only, top K) and a focus (paths between two services, upstream or downstream of one, N
/// hops around one) narrow the map; what they hide is counted beside them (TopologyLens). Grouping runs on a
/// worker thread.
class TopologyView : public QWidget {
    Q_OBJECT
public:
    /// Maps with more services than this open as their groups ("auto").
    static constexpr size_t kGroupAbove = 60;
    /// Labels in view at once, the busiest first (TopologyPainter::Options::maxLabels): zoom in for more.
    static constexpr size_t kMaxLabels = 60;

    explicit TopologyView(QWidget* parent = nullptr);

    /// Lays the topology out (off the GUI thread) and shows it, keeping the services also on the map shown where
    /// they are.
    void setTopology(Topology topology);
    const Topology& topology() const { return *m_shown; }
    const TopologyGeometry& geometry() const { return m_geometry; }
    bool isLaidOut() const { return m_laidOut; }
    /// True from setTopology() (or focus) until its layout, or its failure, arrived.
    bool isLayoutPending() const { return m_layoutPending; }
    bool edgeLabels() const { return m_edgeLabels; }
    void setEdgeLabels(bool on);
    /// The Graphviz engine (Automatic: dot for small graphs, sfdp for large ones); changing it lays out again.
    LayoutOptions::Engine engine() const { return m_engine; }
    void setEngine(LayoutOptions::Engine engine);

    /// Scene point shown at the widget's centre and the zoom (device pixels per scene point).
    double zoom() const { return m_zoom; }
    void fitToView();
    void centerOn(const QPointF& scenePoint);
    void setZoomAt(double zoom, const QPointF& widgetPoint);

    /// True once the user zoomed or panned: the map then keeps its place on resize.
    bool isUserPlaced() const { return m_userPlaced; }

    /// The selected node and edge, as indices into topology() (-1 for none); at most one is selected.
    int selectedNode() const { return m_selectedNode; }
    int selectedEdge() const { return m_selectedEdge; }
    /// Selects the service of that name and centres it; false when the shown map has no such node.
    bool selectService(const QString& name);
    /// The node a search text finds: an exact (case-insensitive) name first, then the shortest name starting with
    /// the text, then the shortest containing it; -1 for none.
    int bestMatch(const QString& text) const;

    /// How services are grouped: "auto" (groups for maps over kGroupAbove services), "off", or a rule of
    /// TopologyGrouper::fromRule ("detect", "prefix", an attribute key).
    QString groupRule() const { return m_groupRule; }
    void setGroupRule(const QString& rule);
    /// The groups of the full topology, or null when the map is not grouped (yet: detection runs on a worker).
    const TopologyGroups* groups() const { return m_groups.get(); }
    /// Per shown node: the index of the group it stands for, or -1 for a service.
    int groupOfShownNode(int node) const;
    void setGroupExpanded(const std::string& group, bool expanded);
    bool isGroupExpanded(const std::string& group) const { return m_expanded.contains(group); }
    /// What the nodes' fills say (error rate, p95, rate); a legend in the map's corner says it too.
    TopologyPainter::ColorBy colorBy() const { return m_colorBy; }
    void setColorBy(TopologyPainter::ColorBy by);
    /// What the boxes' sizes say (their area grows with the figure); none: each box fits its label.
    std::optional<Topology::Metric> sizeBy() const { return m_sizeBy; }
    void setSizeBy(std::optional<Topology::Metric> by);
    void setFilters(const TopologyFilters& filters);
    const TopologyFilters& filters() const { return m_filters; }
    /// Every call path from one service to another; upstream (callers) or downstream (callees) of one. Show All
    /// returns to the whole map.
    void showPaths(const QString& from, const QString& to);
    void showUpstream(const QString& service);
    void showDownstream(const QString& service);
    /// What the map shows and hides, as the line under its bar says: "14 groups of 1238 services · 3 calls hidden".
    QString summary() const;

    /// Services with an anomaly episode and the episodes' sentences: marked on the map, listed in the node's tooltip.
    void setAnomalies(QHash<QString, QStringList> sentencesByService);
    const QHash<QString, QStringList>& anomalies() const { return m_anomalies; }

    int nodeAt(const QPointF& widgetPoint) const;
    int edgeAt(const QPointF& widgetPoint) const;
    QPointF toScene(const QPointF& widgetPoint) const;
    QPointF toWidget(const QPointF& scenePoint) const;

public Q_SLOTS:
    void highlight(const QString& text);
    void focusSelected(int hops);
    void showAll();
    /// Lays the map shown out afresh (F5), as if it were new.
    void relayout();

Q_SIGNALS:
    void laidOut();
    void layoutFailed(const QString& message);
    void nodeClicked(const QString& service);
    void edgeClicked(const QString& from, const QString& to);
    /// The selected node or edge changed (a click, a search, focus, a new topology).
    void selectionChanged();
    /// The groups, the filters or the focus changed what is shown.
    void shownChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    enum class LayoutMode { Fresh, Stable };
    void startLayout(std::shared_ptr<const Topology> topology, LayoutMode mode = LayoutMode::Fresh,
        std::shared_ptr<const GraphvizLayout::Origins> origins = nullptr);
    /// Groups m_full as the rule says (on a worker when it has to detect), then applyLens().
    void regroup(bool keepGroups);
    /// Computes what is shown from m_full, the groups, filters and focus, keeps the selection by name, lays out.
    void applyLens(LayoutMode mode);
    void setFocusOn(TopologyFocus::Kind kind, const std::string& from, const std::string& to = {}, int hops = 1);
    /// The shown node of a service of the full map, expanding its group if it is collapsed; -1 if not shown.
    int revealService(const std::string& name);
    void updateSummary();
    /// Where the new nodes of `next` come from on the map shown (GraphvizLayout::layoutStable).
    GraphvizLayout::Origins originsOf(const ShownTopology& next) const;
    /// Rings the services whose name contains the text, without touching the selection.
    void updateHighlighted(const QString& text);
    void rebuildHitPaths();
    void setSelection(int node, int edge);
    void centerOnNode(int node);

    std::shared_ptr<const Topology> m_full; // what setTopology() was given
    std::shared_ptr<const Topology> m_shown; // m_full through the lens: groups, filters, focus
    QString m_groupRule = QStringLiteral("auto");
    std::shared_ptr<const TopologyGroups> m_groups; // of m_full
    quint64 m_groupGeneration = 0;
    std::set<std::string> m_expanded; // names of the groups shown as their services
    TopologyFilters m_filters;
    // The focus by service names, so that it holds across new topologies.
    struct Focus {
        TopologyFocus::Kind kind = TopologyFocus::Kind::Everything;
        std::string from;
        std::string to;
        int hops = 1;
    } m_focusOn;
    std::vector<int> m_shownGroup; // per shown node, as ShownTopology::group
    const TopologyGroups* m_shownWith = nullptr; // the groups m_shownGroup refers to
    std::vector<std::vector<quint32>> m_shownMembers; // per shown node, as ShownTopology::members
    ShownTopology::Hidden m_hidden;
    TopologyGeometry m_geometry;
    /// The last map laid out: painted while the next layout is on its way, and what a stable layout keeps.
    std::shared_ptr<const Topology> m_previous;
    std::shared_ptr<const TopologyGeometry> m_previousGeometry; // shared with the worker laying out the next

    std::vector<std::vector<QPointF>> m_edgePolylines; // sampled edge curves for hit testing
    bool m_laidOut = false;
    bool m_layoutPending = false;
    quint64 m_generation = 0;
    double m_zoom = 1.0;
    QPointF m_center;
    QSet<quint32> m_highlighted;
    QHash<QString, QStringList> m_anomalies;
    int m_selectedNode = -1;
    int m_selectedEdge = -1;
    bool m_edgeLabels = false;
    LayoutOptions::Engine m_engine = LayoutOptions::Engine::Automatic;
    bool m_userPlaced = false;
    bool m_dragging = false;
    bool m_dragMoved = false;
    QPointF m_dragStart;
    QPointF m_centerAtDragStart;
    QLineEdit* m_search;
    QSpinBox* m_hops;
    QToolButton* m_focus;
    QToolButton* m_all;
    QToolButton* m_labels;
    QToolButton* m_relayout;
    QComboBox* m_engineBox;
    QComboBox* m_groupBox;
    QComboBox* m_colorBox;
    TopologyPainter::ColorBy m_colorBy = TopologyPainter::ColorBy::Errors;
    QComboBox* m_sizeBox;
    std::optional<Topology::Metric> m_sizeBy;
    QSpinBox* m_minCalls;
    QSpinBox* m_top;
    QToolButton* m_errorsOnly;
    QLabel* m_summary;
    QLabel* m_message;
};

} // namespace tracemap
