#include "traceview.h"

#include "flamechartview.h"

#include "analysis/clockskewadjuster.h"
#include "analysis/selftime.h"
#include "durationbardelegate.h"
#include "model/trace.h"
#include "operationtablemodel.h"
#include "spandetailsview.h"
#include "spanfilterproxymodel.h"
#include "spantreemodel.h"
#include "traceheader.h"
#include "traceselection.h"
#include "workerjob.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <deque>
#include <limits>
#include <utility>

namespace tracemap {

TraceView::TraceView(std::shared_ptr<const Trace> trace, QWidget* parent)
    : QWidget(parent)
    , m_selection(new TraceSelection(this))
    , m_model(new SpanTreeModel(this))
    , m_proxy(new SpanFilterProxyModel(this))
    , m_header(nullptr)
    , m_filterEdit(new QLineEdit(this))
    , m_matchLabel(new QLabel(this))
    , m_filterTimer(new QTimer(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_tree(new QTreeView(m_splitter))
    , m_delegate(new DurationBarDelegate(this))
    , m_details(nullptr)
    , m_original(trace)
    , m_skewButton(new QPushButton(tr("Adjust clock skew"), this))
    , m_skewLabel(new QLabel(this))
    , m_operationsButton(new QPushButton(tr("Operations"), this))
    , m_operationsModel(new OperationTableModel(this))
    , m_operationsProxy(new QSortFilterProxyModel(this))
    , m_operationsTable(new QTableView(m_splitter))
{
    m_selection->setTrace(trace);
    m_model->setTrace(std::move(trace));
    m_proxy->setSourceModel(m_model);
    m_header = new TraceHeader(m_selection, this);
    m_details = new SpanDetailsView(m_selection, m_splitter);
    m_flame = new FlameChartView(m_selection, this);

    m_filterEdit->setPlaceholderText(tr("Filter spans…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(tr("Shows spans whose service, operation, id or attributes contain the text, with "
                                "their ancestors"));
    m_filterTimer->setSingleShot(true);
    // Filtering a large trace takes a moment: wait until typing pauses.
    m_filterTimer->setInterval(m_model->trace() && m_model->trace()->spans.size() > 20000 ? 300 : 50);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    // The filter takes keys only when asked (a click or Ctrl+Shift+F): typed W/A/S/D belong to the flame chart.
    m_filterEdit->setFocusPolicy(Qt::ClickFocus);
    auto* filterShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), this);
    filterShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(filterShortcut, &QShortcut::activated, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    setFocusProxy(m_flame);
    connect(m_filterTimer, &QTimer::timeout, this, [this] { applyFilter(); });

    auto* expandButton = new QPushButton(tr("Expand all"), this);
    auto* collapseButton = new QPushButton(tr("Collapse all"), this);
    connect(expandButton, &QPushButton::clicked, this, &TraceView::expandAll);
    connect(collapseButton, &QPushButton::clicked, this, &TraceView::collapseAll);

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_filterEdit, 1);
    toolbar->addWidget(m_matchLabel);
    toolbar->addWidget(expandButton);
    toolbar->addWidget(collapseButton);
    toolbar->addWidget(m_skewLabel);
    toolbar->addWidget(m_skewButton);
    toolbar->addWidget(m_operationsButton);

    m_skewButton->setCheckable(true);
    m_skewButton->setToolTip(tr("Shifts spans whose host clock disagrees with their parent's, as Jaeger does"));
    m_skewLabel->hide();
    connect(m_skewButton, &QPushButton::toggled, this, &TraceView::setClockSkewAdjusted);
    m_operationsButton->setCheckable(true);
    m_operationsButton->setToolTip(tr("Count, total, self and longest time per operation"));
    connect(m_operationsButton, &QPushButton::toggled, this, &TraceView::setOperationsShown);
    m_operationsProxy->setSourceModel(m_operationsModel);
    m_operationsProxy->setFilterKeyColumn(OperationTableModel::ServiceColumn);
    m_operationsProxy->setSortRole(OperationTableModel::SortRole);
    m_operationsTable->setModel(m_operationsProxy);
    m_operationsTable->setSortingEnabled(true);
    m_operationsTable->sortByColumn(OperationTableModel::SelfColumn, Qt::DescendingOrder);
    m_operationsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_operationsTable->verticalHeader()->hide();
    m_operationsTable->setWordWrap(false);
    m_operationsTable->setTextElideMode(Qt::ElideMiddle);
    m_operationsTable->verticalHeader()->setDefaultSectionSize(m_operationsTable->fontMetrics().height() + 6);
    m_operationsTable->horizontalHeader()->setStretchLastSection(true);
    m_operationsTable->hide();
    connect(m_selection, &TraceSelection::traceChanged, this, &TraceView::refreshOperations);

    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_tree->setItemDelegateForColumn(SpanTreeModel::DurationColumn, m_delegate);
    QHeaderView* header = m_tree->header();
    // The operation column takes what is left, so start and duration stay in view in a narrow window.
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(SpanTreeModel::OperationColumn, QHeaderView::Stretch);
    header->resizeSection(SpanTreeModel::ServiceColumn, 180);
    header->resizeSection(SpanTreeModel::StartColumn, 75);
    header->resizeSection(SpanTreeModel::DurationColumn, 150);
    header->setMinimumSectionSize(40);

    m_splitter->addWidget(m_tree);
    m_splitter->addWidget(m_details);
    m_splitter->addWidget(m_operationsTable);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setStretchFactor(2, 2);
    m_splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_header);
    // The flame chart is the tab's main view; the span tree and details sit below it, all on one selection.
    auto* lower = new QWidget(this);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->setSpacing(2);
    lowerLayout->addLayout(toolbar);
    lowerLayout->addWidget(m_splitter, 1);
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(m_flame);
    vertical->addWidget(lower);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setChildrenCollapsible(false);
    layout->addWidget(vertical, 1);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { onCurrentRowChanged(current); });
    connect(m_selection, &TraceSelection::spanChanged, this, &TraceView::revealSelectedSpan);
    connect(m_selection, &TraceSelection::serviceFilterChanged, this, [this] { applyFilter(); });
    connect(m_details, &SpanDetailsView::linkActivated, this, &TraceView::linkActivated);

    expandInitial();
    // The service column holds the tree's indentation: fit it to the expanded rows (Qt samples at most 1,000).
    m_tree->resizeColumnToContents(SpanTreeModel::ServiceColumn);
    header->resizeSection(
        SpanTreeModel::ServiceColumn, std::clamp(header->sectionSize(SpanTreeModel::ServiceColumn), 120, 320));
    const auto shown = m_model->trace();
    if (shown && !shown->roots.empty())
        m_selection->setSpanIndex(shown->roots.front());
}

TraceView::~TraceView() = default;

std::shared_ptr<const Trace> TraceView::trace() const
{
    return m_model->trace();
}

void TraceView::setClockSkewAdjusted(bool adjusted)
{
    if (m_skewButton->isChecked() != adjusted) {
        const QSignalBlocker blocker(m_skewButton);
        m_skewButton->setChecked(adjusted);
    }
    if (adjusted == m_skewWanted)
        return;
    m_skewWanted = adjusted;
    if (!adjusted) {
        m_skewLabel->hide();
        showTrace(m_original);
        Q_EMIT clockSkewAdjustmentApplied(false);
        return;
    }
    if (m_adjusted) {
        showTrace(m_adjusted);
        Q_EMIT clockSkewAdjustmentApplied(true);
        return;
    }
    m_skewLabel->setText(tr("Adjusting clock skew…"));
    m_skewLabel->show();
    if (m_skewPending || !m_original)
        return;
    m_skewPending = true;
    const std::shared_ptr<const Trace> original = m_original;
    runOnWorker(
        this,
        [original] { return std::make_shared<ClockSkewAdjuster::Adjustment>(ClockSkewAdjuster::adjust(*original)); },
        [this, original](std::shared_ptr<ClockSkewAdjuster::Adjustment> adjustment) {
            m_skewPending = false;
            if (original != m_original) {
                // A newer version arrived meanwhile (live): adjust that one instead.
                if (m_skewWanted) {
                    m_skewWanted = false;
                    setClockSkewAdjusted(true);
                }
                return;
            }
            m_adjustedDeltas = std::move(adjustment->deltaNs);
            m_adjustedSpans = adjustment->adjustedSpans;
            m_adjusted = std::make_shared<const Trace>(std::move(adjustment->trace));
            m_details->setClockSkewDeltas(m_adjusted, m_adjustedDeltas);
            // The toggle may have been switched off while the worker ran; the result stays cached for next time.
            if (!m_skewWanted)
                return;
            showTrace(m_adjusted);
            Q_EMIT clockSkewAdjustmentApplied(true);
        });
}

void TraceView::showTrace(const std::shared_ptr<const Trace>& trace)
{
    if (trace == m_adjusted && m_skewWanted) {
        m_skewLabel->setText(tr("Clock skew adjusted: %1 spans").arg(m_adjustedSpans));
        m_skewLabel->show();
    }
    if (trace == m_model->trace())
        return;
    // A Zipkin shared span has the client's id, so match kind and names too; by name, since a newer version of the
    // trace (live) has its own string table. `previous` keeps the names' storage alive.
    const std::shared_ptr<const Trace> previous = m_selection->trace();
    const Span* selected = m_selection->span();
    const bool hadSelection = selected != nullptr;
    const SpanId id = selected ? selected->id : 0;
    const SpanKind kind = selected ? selected->kind : SpanKind::Unspecified;
    const std::string_view service = selected ? previous->serviceName(*selected) : std::string_view();
    const std::string_view operation = selected ? previous->operationName(*selected) : std::string_view();
    // A filter is recomputed for the new trace by applyFilter(), on a worker when the trace is large; until then the
    // proxy passes everything through rather than filtering the new trace on this thread as the model resets.
    if (trace && trace->spans.size() >= kBackgroundFilterSpans)
        m_proxy->setFilterText(QString());
    m_model->setTrace(trace);
    m_selection->setTrace(trace);
    applyFilter();
    if (trace && hadSelection) {
        for (quint32 i = 0; i < trace->spans.size(); ++i) {
            const Span& span = trace->spans[i];
            if (span.id == id && span.kind == kind && trace->serviceName(span) == service
                && trace->operationName(span) == operation) {
                m_selection->setSpanIndex(i);
                break;
            }
        }
    }
}

void TraceView::setNewVersion(std::shared_ptr<const Trace> trace)
{
    if (!trace || trace == m_original)
        return;
    m_original = std::move(trace);
    m_adjusted.reset();
    m_adjustedDeltas.clear();
    m_adjustedSpans = 0;
    if (m_skewWanted) {
        // Adjusted again for the new spans; the old adjusted version stays on screen until then.
        m_skewWanted = false;
        setClockSkewAdjusted(true);
        return;
    }
    const int treeScroll = m_tree->verticalScrollBar()->value();
    showTrace(m_original);
    m_tree->verticalScrollBar()->setValue(treeScroll);
}

void TraceView::setOperationsShown(bool shown)
{
    if (m_operationsButton->isChecked() != shown) {
        const QSignalBlocker blocker(m_operationsButton);
        m_operationsButton->setChecked(shown);
    }
    m_operationsTable->setVisible(shown);
    refreshOperations();
}

void TraceView::refreshOperations()
{
    const auto trace = m_selection->trace();
    if (m_operationsTable->isHidden() || trace == m_operationsTrace)
        return;
    m_operationsTrace = trace;
    const quint64 generation = ++m_operationsGeneration;
    if (!trace) {
        m_operationsModel->setRows({});
        return;
    }
    runOnWorker(
        this, [trace] { return SelfTime::perOperation(*trace); },
        [this, generation](std::vector<SelfTime::OperationRow> rows) {
            if (generation != m_operationsGeneration)
                return;
            m_operationsModel->setRows(std::move(rows));
            Q_EMIT operationsReady();
        });
}

void TraceView::setFilterText(const QString& text)
{
    m_filterEdit->setText(text);
    m_filterTimer->stop();
    applyFilter(true);
}

int TraceView::filterDelayMs() const
{
    return m_filterTimer->interval();
}

void TraceView::applyFilter(bool onThisThread)
{
    const quint64 generation = ++m_filterGeneration;
    const QString text = m_filterEdit->text().trimmed();
    const QString service = m_selection->serviceFilter();
    const std::shared_ptr<const Trace> trace = m_model->trace();
    // The operations table follows the service filter too.
    m_operationsProxy->setFilterRegularExpression(
        service.isEmpty() ? QString() : QStringLiteral("^%1$").arg(QRegularExpression::escape(service)));
    if (onThisThread || (text.isEmpty() && service.isEmpty()) || !trace
        || trace->spans.size() < kBackgroundFilterSpans) {
        m_proxy->setServiceFilter(service);
        m_proxy->setFilterText(text);
        showFilterResult();
        return;
    }
    // About half a second at a million spans: the tree keeps showing the previous filter meanwhile.
    m_matchLabel->setText(tr("Filtering…"));
    m_matchLabel->show();
    runOnWorker(
        this,
        [trace, text, service] {
            return std::make_shared<SpanTextFilter::Result>(SpanTextFilter::apply(*trace, text, service));
        },
        [this, generation, trace, text, service](const std::shared_ptr<SpanTextFilter::Result>& result) {
            if (generation != m_filterGeneration || trace != m_model->trace())
                return; // typed on, or another trace is shown
            m_proxy->setFilterResult(text, service, trace.get(), std::move(*result));
            showFilterResult();
        });
}

void TraceView::showFilterResult()
{
    if (m_proxy->isFiltering()) {
        const size_t total = m_model->trace() ? m_model->trace()->spans.size() : 0;
        const QString service = m_proxy->serviceFilter();
        // Say which filter is in effect: the service filter is set in the flame chart, away from the tree.
        m_matchLabel->setText(service.isEmpty()
                ? tr("%1 of %2 match").arg(m_proxy->matchCount()).arg(total)
                : tr("service %1: %2 of %3 spans").arg(service).arg(m_proxy->matchCount()).arg(total));
        m_matchLabel->show();
        if (m_proxy->keptCount() <= kExpandAllLimit)
            expandAll();
        else
            expandBreadthFirst(2, 500);
    } else {
        m_matchLabel->hide();
        m_tree->collapseAll();
        expandInitial();
    }
    revealSelectedSpan();
    Q_EMIT filterApplied();
}

void TraceView::expandAll()
{
    const auto trace = m_model->trace();
    if (!trace)
        return;
    if (trace->maxDepth() < kMaxExpandDepth)
        m_tree->expandAll();
    else
        expandBreadthFirst(kMaxExpandDepth, std::numeric_limits<int>::max());
}

void TraceView::collapseAll()
{
    m_tree->collapseAll();
    revealSelectedSpan();
}

void TraceView::expandInitial()
{
    const auto trace = m_model->trace();
    if (!trace)
        return;
    if (trace->spans.size() <= kExpandAllLimit)
        expandAll();
    else
        expandBreadthFirst(2, 500);
}

void TraceView::expandBreadthFirst(quint32 maxDepth, int maxExpansions)
{
    // Iterative, level by level, so the expansion budget goes to the top of the tree first.
    std::deque<std::pair<QModelIndex, quint32>> queue;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        queue.emplace_back(m_proxy->index(row, 0), 0);
    int expansions = 0;
    while (!queue.empty() && expansions < maxExpansions) {
        const auto [index, depth] = queue.front();
        queue.pop_front();
        if (depth >= maxDepth || !m_proxy->hasChildren(index))
            continue;
        m_tree->expand(index);
        ++expansions;
        const int rows = m_proxy->rowCount(index);
        for (int row = 0; row < rows; ++row)
            queue.emplace_back(m_proxy->index(row, 0, index), depth + 1);
    }
}

void TraceView::onCurrentRowChanged(const QModelIndex& current)
{
    if (m_syncing || !current.isValid())
        return;
    const quint32 span = m_model->spanIndex(m_proxy->mapToSource(current));
    const QScopedValueRollback<bool> guard(m_syncing, true);
    m_selection->setSpanIndex(span);
}

void TraceView::revealSelectedSpan()
{
    if (m_syncing)
        return;
    const QScopedValueRollback<bool> guard(m_syncing, true);
    const Span* span = m_selection->span();
    QItemSelectionModel* selectionModel = m_tree->selectionModel();
    if (!span) {
        selectionModel->clear();
        return;
    }
    // Deeper spans are shown in the details only; revealing them would expand a chain QTreeView recurses through.
    if (span->depth >= kMaxExpandDepth)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->indexForSpan(m_selection->spanIndex()));
    if (!index.isValid()) {
        selectionModel->clearSelection();
        return;
    }
    selectionModel->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
}

} // namespace tracemap
