#pragma once

#include "metrics/latencyheatmap.h"

#include <QWidget>

#include <memory>
#include <optional>

class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QCPItemText;
class QCustomPlot;
class QMouseEvent;

namespace tracemap {

/// A LatencyHeatmap drawn with one QCPColorMap: x is time (local time, as Jaeger UI shows it), y the span duration
/// on a log scale, the colour the span count of a cell on a log scale; empty cells are transparent. Pale (few) to
/// dark (many) on light palettes, dim to bright on dark ones; follows palette changes.
///
/// Hover shows a cell's time range, duration range and count. A click reports the cell (cellClicked) and outlines
/// it; a drag brushes a region snapped outward to whole cells (regionSelected), drawn until Esc or
/// clearSelection(). A press and release within 3 px (Manhattan, as QCustomPlot counts) is a click, never a region.
///
/// Times are nanoseconds since the epoch. A region is half-open, [startNs, endNs) x [minDurationNs, maxDurationNs),
/// and its duration bounds are those DurationGrid bins by: the spans of a cell are exactly the spans the heatmap
/// counted in it.
class LatencyHeatmapView : public QWidget {
    Q_OBJECT
public:
    struct Region {
        qint64 startNs = 0;
        qint64 endNs = 0;
        qint64 minDurationNs = 0;
        qint64 maxDurationNs = 0;
        bool operator==(const Region&) const = default;
    };

    explicit LatencyHeatmapView(QWidget* parent = nullptr);
    ~LatencyHeatmapView() override;

    /// Shows a result (nullptr for none). Keeps the brushed region and the marked range, which are in time and
    /// duration, not cells; drops the clicked cell's outline. Replots once per event-loop pass.
    void setHeatmap(std::shared_ptr<const LatencyHeatmap> heatmap);
    const std::shared_ptr<const LatencyHeatmap>& heatmap() const { return m_heatmap; }
    /// No heatmap, or no span in it: the plot says "No spans in this scope".
    bool isEmpty() const;

    /// "14:05–14:06 · 120 ms – 131 ms · 42 spans"; empty outside the map.
    QString describeCell(int column, int row) const;
    /// The bounds of cells [firstColumn, lastColumn] x [firstRow, lastRow] (clamped to the map).
    Region cellRegion(int firstColumn, int firstRow, int lastColumn, int lastRow) const;
    Region cellRegion(int column, int row) const { return cellRegion(column, row, column, row); }
    /// The cell (x = column, y = row) under a point of plot(), or (-1, -1) outside the map. Needs a laid-out plot.
    QPoint cellAt(QPointF pos) const;
    /// The centre of a cell in plot() coordinates.
    QPointF cellCenter(int column, int row) const;

    std::optional<Region> selectedRegion() const { return m_region; }
    /// Shows a region (say an anomaly episode) as if brushed, without snapping it or emitting regionSelected.
    void setSelectedRegion(qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64 maxDurationNs);
    /// Drops the brushed region and the clicked cell's outline; emits selectionCleared() if there was either.
    void clearSelection();

    /// Shades a time span over all durations (an anomaly episode); an empty span clears it.
    void setMarkedRange(qint64 startNs, qint64 endNs);
    void clearMarkedRange() { setMarkedRange(0, 0); }
    std::optional<std::pair<qint64, qint64>> markedRange() const { return m_marked; }

    /// For tests and screenshots: the plot, its colour map and colour scale.
    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* colorMap() const { return m_map; }
    QCPColorScale* colorScale() const { return m_scale; }

Q_SIGNALS:
    void cellClicked(qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64 maxDurationNs);
    void regionSelected(qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64 maxDurationNs);
    void selectionCleared();

protected:
    void changeEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyPalette();
    void rebuild();
    void updateAxes();
    void updateOverlays();
    void replot();
    void onMousePress(QMouseEvent* event);
    void onMouseMove(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);
    void onRectAccepted(const QRect& rect, QMouseEvent* event);
    /// Plot coordinates: keys are seconds since the epoch (QCPAxisTickerDateTime), values log10 of nanoseconds.
    int columnAtKey(double key) const;
    int rowAtValue(double value) const;
    double rowValue(int row) const; // the lower edge of a row; rowValue(rows) is the top of the map

    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemRect* m_regionItem = nullptr;
    QCPItemRect* m_cellItem = nullptr;
    QCPItemRect* m_markedBand = nullptr;
    QCPItemRect* m_markedStrip = nullptr;
    QCPItemText* m_emptyText = nullptr;

    std::shared_ptr<const LatencyHeatmap> m_heatmap;
    qint64 m_maxCount = 0;
    std::optional<Region> m_region;
    std::optional<QPoint> m_clickedCell;
    std::optional<std::pair<qint64, qint64>> m_marked;

    QPoint m_pressPos;
    bool m_pressed = false;
    bool m_moved = false;
};

} // namespace tracemap
