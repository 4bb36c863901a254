#pragma once

#include "analysis/criticalpath.h"
#include "flamechartlayout.h"

#include <QImage>
#include <QWidget>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QScrollBar;
class QToolButton;

namespace tracemap {

class TraceSelection;

/// The trace as a timeline: x is time, each span in the first free row under its parent (FlameChartLayout), bars
/// coloured by service. Shows the trace of the shared TraceSelection and follows and sets its span.
///
/// Keys: W/S zoom at the cursor, A/D pan, Esc/0 reset, n/N next/previous search match. Mouse: Ctrl+wheel zooms,
/// drag pans, shift-drag measures, click selects, double-click zooms to a span, the overview strip is draggable,
/// the context menu collapses a subtree and switches to compact rows. Times in the API are nanoseconds relative to the
/// trace start.
class FlameChartView : public QWidget {
    Q_OBJECT
public:
    explicit FlameChartView(TraceSelection* selection, QWidget* parent = nullptr);
    ~FlameChartView() override;

    const FlameChartLayout& layout() const { return *m_layout; }
    /// True while a large trace's layout is computed on a worker; layoutReady() follows.
    bool isLayoutPending() const { return m_layoutPending; }

    double visibleStartNs() const { return m_viewStart; }
    double visibleEndNs() const { return m_viewStart + m_viewDuration; }
    /// Clamped to the trace; a range shorter than kMinimumRangeNs is widened around its centre.
    void setVisibleRange(double startNs, double endNs);
    /// Zooms in by `factor` (> 1 in, < 1 out) keeping the time under chart x `x` fixed.
    void zoomAt(double factor, double x);
    void panBy(double pixels);
    void resetZoom();
    /// Chart x of a relative time, and back, for the current width.
    double xForTime(double ns) const;
    double timeForX(double x) const;
    /// The span drawn at a chart point (widget coordinates), or kNoIndex.
    quint32 spanAt(QPoint pos) const;
    /// Widget y of a row's top.
    int rowTop(int row) const;
    /// Scrolls vertically so `row` is the first row shown (as far as the scroll range allows).
    void scrollToRow(int row);

    /// Paints overview, ruler, rows and legend into `size` (no search box), for benchmarks and screenshots.
    void renderTo(QPainter& painter, QSize size);

    void setSearchText(const QString& text);
    void setServiceFilter(StringId service); // kNoIndex for all services
    void setCollapsed(quint32 span, bool collapsed);
    /// Packs rows as densely as possible instead of keeping each subtree together under its parent.
    void setCompactRows(bool compact);
    bool compactRows() const { return m_compactRows; }
    void nextMatch(int step);
    /// Spans matching the search, and the 1-based position n/N stepped to (0 before the first step).
    int matchCount() const { return int(m_matches.size()); }
    int currentMatch() const { return m_matchCursor + 1; }
    /// "3 / 13" beside the search box; empty without a search.
    QString matchText() const;

    /// Highlights the critical path (computed on a worker; a result for an older trace is dropped) and dims the
    /// spans off it.
    void setCriticalPathShown(bool shown);
    bool criticalPathShown() const { return m_showCritical; }
    QToolButton* criticalPathButton() const { return m_criticalButton; }
    /// The path of the shown trace once computed (nullptr before, or when not shown).
    std::shared_ptr<const CriticalPath> criticalPath() const { return m_criticalPath; }

Q_SIGNALS:
    /// The critical path of the shown trace arrived.
    void criticalPathReady();
    /// A new layout (another trace, filter or collapsed subtree) is on screen.
    void layoutReady();

public:
    static constexpr double kMinimumRangeNs = 20;
    /// Traces below this size are laid out at once; larger ones on a worker.
    static constexpr size_t kSynchronousLayoutSpans = 50000;
    static constexpr int kRowHeight = 18;
    static constexpr int kOverviewHeight = 28;
    static constexpr int kRulerHeight = 20;
    static constexpr int kLegendHeight = 18;

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    enum class Drag { None, Pan, Measure, Overview };

    void onTraceChanged();
    void onSpanChanged();
    void rebuildLayout();
    void applyLayout(std::shared_ptr<FlameChartLayout> layout);
    void updateScrollBar();
    void requestCriticalPath();
    void paintCriticalPath(QPainter& painter, QSize size, int rowsTop, int scroll);
    void ensureSpanVisible(quint32 span);
    void updateMatchLabel();
    QColor serviceColor(StringId service) const;
    int chartWidth() const;
    int chartTop() const;
    double nsPerPixel(int width) const { return m_viewDuration / std::max(1, width); }

    void paintChart(QPainter& painter, QSize size, const QRect& clip);
    void paintOverview(QPainter& painter, int width);
    void paintRuler(QPainter& painter, int width);
    void paintRows(QPainter& painter, QSize size, const QRect& clip);
    void paintLegend(QPainter& painter, QSize size);

    TraceSelection* m_selection;
    std::shared_ptr<const Trace> m_trace;
    struct ViewState {
        qint64 traceStartNs = 0; // of the version the window was in
        double startNs = 0; // relative to traceStartNs
        double durationNs = 1;
        int scroll = 0;
    };
    std::shared_ptr<FlameChartLayout> m_layout;
    std::optional<ViewState> m_restoreView; // applied when the layout of a new version of the trace arrives
    quint64 m_layoutGeneration = 0;
    bool m_layoutPending = false;
    QLineEdit* m_search;
    QLabel* m_matchLabel;
    QComboBox* m_serviceFilter;
    QScrollBar* m_scrollBar;
    QToolButton* m_criticalButton;

    double m_viewStart = 0;
    double m_viewDuration = 1;
    std::vector<bool> m_collapsed;
    StringId m_filterService = kNoIndex;
    bool m_compactRows = false;
    std::vector<quint32> m_matches;
    int m_matchCursor = -1;
    std::vector<StringId> m_services; // present in the trace, by name
    std::unordered_map<StringId, QColor> m_colors; // of m_services, from ServiceColors
    QImage m_overview;

    Drag m_drag = Drag::None;
    QPoint m_pressPos;
    double m_pressViewStart = 0;
    bool m_moved = false;
    double m_measureBegin = 0;
    double m_measureEnd = 0;
    bool m_hasMeasure = false;

    bool m_showCritical = false;
    quint64 m_criticalGeneration = 0;
    std::shared_ptr<const CriticalPath> m_criticalPath;
    std::vector<bool> m_onCriticalPath; // per span index
};

} // namespace tracemap
