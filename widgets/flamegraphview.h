#pragma once

#include "flamegraph.h"
#include "servicecolors.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace tracemap {

/// The aggregated flame graph of many traces (the search results) as an icicle: the root "all" on top, each call
/// path's `service:operation` frame below its caller, width by total time, self time or span count, coloured by
/// service. Tooltips give total, self time and count; a click zooms into a subtree, Esc or a click on the root
/// goes back out. Frames narrower than half a pixel are not drawn, so painting stays bounded by pixels.
class FlameGraphView : public QWidget {
    Q_OBJECT
public:
    /// TotalTime: a frame is as wide as the time its spans took. SelfTime: as wide as the self time spent in it and
    /// below it, so the widest leaves are where the time actually goes. Count: as wide as its number of spans.
    enum class Width { TotalTime, SelfTime, Count };

    explicit FlameGraphView(QWidget* parent = nullptr);

    void setFlameGraph(std::shared_ptr<const FlameGraph> graph);
    const FlameGraph* flameGraph() const { return m_shown.get(); }
    void setWidthMode(Width mode);
    Width widthMode() const { return m_width; }

    /// The frame at a widget point, or kNoIndex.
    quint32 frameAt(const QPointF& point) const;
    /// The frame's rectangle in widget coordinates (empty when it is not drawn).
    QRectF frameRect(quint32 node) const;
    void zoomTo(quint32 node);
    void resetZoom();

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

    std::shared_ptr<const FlameGraph> m_full;
    std::shared_ptr<const FlameGraph> m_shown; // m_full, or a zoomed subtree of it
    std::vector<QRectF> m_rects; // per node, in widget coordinates; empty = not drawn
    std::vector<qint64> m_subtreeSelfNs; // per node of m_shown: its self time plus its descendants'
    ServiceColors m_colors; // of the services in m_full, lightened for the dark frame labels
    Width m_width = Width::TotalTime;
    static constexpr double kRowHeight = 20.0;
};

} // namespace tracemap
