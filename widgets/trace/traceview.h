#pragma once

#include "model/ids.h"

#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QLineEdit;
class QModelIndex;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTimer;
class QTreeView;

namespace tracemap {

class DurationBarDelegate;
class SpanDetailsView;
class FlameChartView;
class OperationTableModel;
class SpanFilterProxyModel;
class SpanTreeModel;
class TraceHeader;
class TraceSelection;
struct Trace;

/// The tab of one trace: a header, a filter row, the span tree and the details of the selected span. The tab owns
/// its TraceSelection; the tree and the details view only talk through it.
class TraceView : public QWidget {
    Q_OBJECT
public:
    /// Traces up to this many spans open fully expanded; larger ones show their first levels.
    static constexpr size_t kExpandAllLimit = 2000;
    /// QTreeView lays out expanded items recursively, so neither expanding nor revealing goes deeper than this.
    static constexpr quint32 kMaxExpandDepth = 500;

    explicit TraceView(std::shared_ptr<const Trace> trace, QWidget* parent = nullptr);
    ~TraceView() override;

    std::shared_ptr<const Trace> trace() const;
    TraceSelection* selection() const { return m_selection; }

    QTreeView* treeView() const { return m_tree; }
    SpanDetailsView* detailsView() const { return m_details; }
    FlameChartView* flameChart() const { return m_flame; }
    TraceHeader* traceHeader() const { return m_header; }
    SpanTreeModel* spanModel() const { return m_model; }
    SpanFilterProxyModel* filterModel() const { return m_proxy; }
    QLineEdit* filterEdit() const { return m_filterEdit; }

    /// Sets the filter text and applies it at once, on this thread. Typing applies it after a short pause, on a
    /// worker for traces of kBackgroundFilterSpans or more; filterApplied() follows either way.
    void setFilterText(const QString& text);
    static constexpr size_t kBackgroundFilterSpans = 50000;
    /// The typing pause after which the filter applies: longer for large traces.
    int filterDelayMs() const;
    void expandAll();
    void collapseAll();

    /// Clock-skew adjustment (off by default): when on, the tab shows ClockSkewAdjuster::adjust's trace (computed
    /// on a worker, once) in the selection, the tree and the flame chart; off swaps the original back. The selected
    /// span is kept by id.
    void setClockSkewAdjusted(bool adjusted);
    bool isClockSkewAdjusted() const { return m_skewWanted; }
    /// The trace as opened (or as last replaced), whatever the adjustment.
    std::shared_ptr<const Trace> originalTrace() const { return m_original; }
    /// A newer version of the same trace (live spans arrived): shown in place, as the clock-skew toggle swaps
    /// versions, keeping the selected span (by id, kind and names), the flame chart's view and the tree's scroll.
    /// With the clock-skew adjustment on, the new version is adjusted on a worker first.
    void setNewVersion(std::shared_ptr<const Trace> trace);
    QPushButton* clockSkewButton() const { return m_skewButton; }
    QLabel* clockSkewLabel() const { return m_skewLabel; }

    /// The per-operation table (count, total, self, max), computed on a worker for the shown trace when visible.
    void setOperationsShown(bool shown);
    QPushButton* operationsButton() const { return m_operationsButton; }
    OperationTableModel* operationsModel() const { return m_operationsModel; }
    QTableView* operationsTable() const { return m_operationsTable; }

Q_SIGNALS:
    /// A link in the details was activated; the window opens the linked trace if it has it.
    void linkActivated(tracemap::TraceId traceId, tracemap::SpanId spanId);
    /// The shown trace was swapped after the clock-skew toggle.
    void clockSkewAdjustmentApplied(bool adjusted);
    /// The operations table holds the rows of the shown trace.
    void operationsReady();
    /// The span tree shows the result of the filter text.
    void filterApplied();

private:
    void applyFilter(bool onThisThread = false);
    void showFilterResult();
    void expandInitial();
    void expandBreadthFirst(quint32 maxDepth, int maxExpansions);
    void revealSelectedSpan();
    void onCurrentRowChanged(const QModelIndex& current);
    void showTrace(const std::shared_ptr<const Trace>& trace);
    void refreshOperations();

    TraceSelection* m_selection;
    SpanTreeModel* m_model;
    SpanFilterProxyModel* m_proxy;
    TraceHeader* m_header;
    QLineEdit* m_filterEdit;
    QLabel* m_matchLabel;
    QTimer* m_filterTimer;
    QSplitter* m_splitter;
    QTreeView* m_tree;
    DurationBarDelegate* m_delegate;
    SpanDetailsView* m_details;
    FlameChartView* m_flame = nullptr;
    bool m_syncing = false;
    quint64 m_filterGeneration = 0;

    std::shared_ptr<const Trace> m_original;
    std::shared_ptr<const Trace> m_adjusted; // cached once computed
    std::vector<qint64> m_adjustedDeltas;
    size_t m_adjustedSpans = 0;
    bool m_skewWanted = false;
    bool m_skewPending = false;
    QPushButton* m_skewButton;
    QLabel* m_skewLabel;

    QPushButton* m_operationsButton;
    OperationTableModel* m_operationsModel;
    QSortFilterProxyModel* m_operationsProxy;
    QTableView* m_operationsTable;
    quint64 m_operationsGeneration = 0;
    std::shared_ptr<const Trace> m_operationsTrace;
};

} // namespace tracemap
