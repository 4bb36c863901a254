#pragma once

#include "analysis/flamegraph.h"
#include "servicecolors.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace tracemap {

/// The aggregated flame graph of many traces (the search results) as an icicle: the root "all" on top, each call
/// path's `service:operation` frame below its caller, width by total time, self time or span count, coloured by
/// service. Tooltips give total, self time and count, and say when a frame's children overlap in time and add up
/// to more than it (they are then drawn scaled to share its width). A click zooms into a subtree: a breadcrumb
/// row on top (all ▸ svc:op ▸ …) shows the frames above the zoomed one, each clickable to zoom back out to it; Esc
/// resets. Frames narrower than half a pixel are not drawn, so painting stays bounded by pixels.
class FlameGraphView : public QWidget {
    Q_OBJECT
public:
    /// TotalTime: a frame is as wide as the time its spans took. SelfTime: as wide as the self time spent in it and
    /// below it (FlameGraph::Node::subtreeSelfNs, never more than its total), so the widest leaves are where the
    /// time actually goes. Count: as wide as its number of spans.
    enum class Width { TotalTime, SelfTime, Count };

    explicit FlameGraphView(QWidget* parent = nullptr);

    void setFlameGraph(std::shared_ptr<const FlameGraph> graph);
    /// The graph drawn: the whole one, or the zoomed frame's subtree with that frame as node 0.
    const FlameGraph* flameGraph() const { return m_shown.get(); }
    void setWidthMode(Width mode);
    Width widthMode() const { return m_width; }

    /// The frame at a widget point, or kNoIndex.
    quint32 frameAt(const QPointF& point) const;
    /// The frame's rectangle in widget coordinates (empty when it is not drawn).
    QRectF frameRect(quint32 node) const;
    /// Zooms into a frame of the drawn graph.
    void zoomTo(quint32 node);
    void resetZoom();
    /// The zoomed frame as a node of the whole graph (0 when not zoomed), and the frames above it from "all" down,
    /// as shown in the breadcrumb row.
    quint32 zoomRoot() const { return m_zoomRoot; }
    std::vector<quint32> breadcrumb() const;
    /// A breadcrumb's rectangle (index into breadcrumb()), in widget coordinates; empty when not zoomed.
    QRectF breadcrumbRect(size_t index) const;
    /// Zooms out (or in) to a node of the whole graph.
    void zoomToFullNode(quint32 node);
    /// The tooltip of a frame of the drawn graph (rich text).
    QString toolTipText(quint32 node) const;

Q_SIGNALS:
    void flameGraphChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    void relayout();
    double weight(quint32 node) const;
    double childrenWeight(quint32 node) const;
    QString frameTitle(const FlameGraph& graph, quint32 node) const;
    int breadcrumbAt(const QPointF& point) const;

    std::shared_ptr<const FlameGraph> m_full;
    std::shared_ptr<const FlameGraph> m_shown; // m_full, or a zoomed subtree of it
    quint32 m_zoomRoot = 0; // in m_full; node i of m_shown is node m_zoomRoot + i of m_full
    std::vector<QRectF> m_rects; // per node, in widget coordinates; empty = not drawn
    std::vector<QRectF> m_crumbRects; // per breadcrumb() entry
    ServiceColors m_colors; // of the services in m_full, lightened for the dark frame labels
    Width m_width = Width::TotalTime;
    static constexpr double kRowHeight = 20.0;
};

} // namespace tracemap
