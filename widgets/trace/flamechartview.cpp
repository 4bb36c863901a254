#include "flamechartview.h"
#include "flamechartview_p.h"

#include "model/tracequery.h"
#include "servicecolors.h"
#include "traceselection.h"
#include "workerjob.h"

#include <QAction>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace tracemap {

using namespace flamechart;

FlameChartView::FlameChartView(TraceSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_selection(selection)
    , m_layout(std::make_shared<FlameChartLayout>())
    , m_search(new QLineEdit(this))
    , m_matchLabel(new QLabel(this))
    , m_serviceFilter(new QComboBox(this))
    , m_scrollBar(new QScrollBar(Qt::Vertical, this))
    , m_criticalButton(new QToolButton(this))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(200, 150);
    m_search->setPlaceholderText(tr("Search spans (n/N: next/previous)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, &FlameChartView::setSearchText);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { nextMatch(1); });
    m_matchLabel->setToolTip(tr("Search match shown / spans matching (n/N: next/previous)"));
    connect(m_serviceFilter, &QComboBox::currentIndexChanged, this,
        [this](int index) { setServiceFilter(index <= 0 ? kNoIndex : m_serviceFilter->itemData(index).toUInt()); });
    m_criticalButton->setText(tr("Critical path"));
    m_criticalButton->setCheckable(true);
    m_criticalButton->setToolTip(tr("Highlights the chain of spans that bounds the trace's end-to-end latency"));
    connect(m_criticalButton, &QToolButton::toggled, this, &FlameChartView::setCriticalPathShown);
    connect(m_scrollBar, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    connect(m_selection, &TraceSelection::traceChanged, this, &FlameChartView::onTraceChanged);
    connect(m_selection, &TraceSelection::spanChanged, this, &FlameChartView::onSpanChanged);
    // Another pane (or the window) set the tab's service filter.
    connect(m_selection, &TraceSelection::serviceFilterChanged, this, [this] {
        const QString name = m_selection->serviceFilter();
        StringId service = kNoIndex;
        for (const StringId s : m_services) {
            if (m_trace && fromView(m_trace->string(s)) == name)
                service = s;
        }
        setServiceFilter(service);
    });
    onTraceChanged();
}

FlameChartView::~FlameChartView() = default;

void FlameChartView::onTraceChanged()
{
    const std::shared_ptr<const Trace> previous = m_trace;
    m_trace = m_selection->trace();
    // Another version of the same trace (clock skew adjusted, or later spans arrived) keeps where the user was
    // looking: the visible window in absolute time, the vertical scroll and the search. The service filter is the
    // selection's, by name, so it holds across versions and narrows the tab's other panes too.
    m_restoreView.reset();
    const QString keptService = m_selection->serviceFilter();
    if (previous && m_trace && previous->id == m_trace->id && m_layout->trace() == previous.get())
        m_restoreView = ViewState { m_layout->traceStartNs(), m_viewStart, m_viewDuration, m_scrollBar->value() };
    m_collapsed.assign(m_trace ? m_trace->spans.size() : 0, false);
    m_filterService = kNoIndex;
    m_matches.clear();
    m_matchCursor = -1;
    m_hasMeasure = false;
    m_colors.clear();
    m_services.clear();
    if (m_trace) {
        std::vector<bool> seen(m_trace->strings.size(), false);
        for (const Span& span : m_trace->spans) {
            if (span.service < seen.size() && !seen[span.service]) {
                seen[span.service] = true;
                m_services.push_back(span.service);
            }
        }
        std::sort(m_services.begin(), m_services.end(),
            [&](StringId a, StringId b) { return m_trace->string(a) < m_trace->string(b); });
        // Colours come from the names of the services in this trace, so they are the same in every run and export.
        std::vector<std::string_view> names;
        for (const StringId service : m_services)
            names.push_back(m_trace->string(service));
        const ServiceColors colors(std::move(names));
        for (const StringId service : m_services)
            m_colors.emplace(service, colors.color(m_trace->string(service)));
    }
    {
        const QSignalBlocker blocker(m_serviceFilter);
        m_serviceFilter->clear();
        m_serviceFilter->addItem(tr("All services"));
        for (const StringId service : m_services) {
            const QString name = fromView(m_trace->string(service));
            m_serviceFilter->addItem(name, service);
            if (name == keptService) {
                m_filterService = service;
                m_serviceFilter->setCurrentIndex(m_serviceFilter->count() - 1);
            }
        }
    }
    // A filter on a service this trace lacks would narrow the other panes to nothing while this one shows all.
    if (!keptService.isEmpty() && m_filterService == kNoIndex)
        m_selection->setServiceFilter(QString());
    if (!m_restoreView) {
        const QSignalBlocker blocker(m_search);
        m_search->clear();
    }
    updateMatchLabel();
    m_criticalPath.reset();
    m_onCriticalPath.clear();
    ++m_criticalGeneration;
    if (m_showCritical)
        requestCriticalPath();
    // Never paint the old trace's rows with the new trace's spans while a worker lays the new one out.
    m_layout = std::make_shared<FlameChartLayout>();
    resetZoom();
    rebuildLayout();
}

void FlameChartView::setCriticalPathShown(bool shown)
{
    if (shown == m_showCritical)
        return;
    m_showCritical = shown;
    if (m_criticalButton->isChecked() != shown) {
        const QSignalBlocker blocker(m_criticalButton);
        m_criticalButton->setChecked(shown);
    }
    ++m_criticalGeneration;
    m_criticalPath.reset();
    m_onCriticalPath.clear();
    if (shown)
        requestCriticalPath();
    update();
}

void FlameChartView::requestCriticalPath()
{
    if (!m_trace)
        return;
    const quint64 generation = m_criticalGeneration;
    std::shared_ptr<const Trace> trace = m_trace;
    runOnWorker(
        this, [trace] { return std::make_shared<const CriticalPath>(CriticalPath::compute(*trace)); },
        [this, generation, trace](std::shared_ptr<const CriticalPath> path) {
            // A newer request (another trace, or the toggle switched) supersedes this one.
            if (generation != m_criticalGeneration || trace != m_trace || !m_showCritical)
                return;
            m_criticalPath = std::move(path);
            m_onCriticalPath.assign(trace->spans.size(), false);
            for (const quint32 span : m_criticalPath->spans) {
                if (span < m_onCriticalPath.size())
                    m_onCriticalPath[span] = true;
            }
            update();
            Q_EMIT criticalPathReady();
        });
}

namespace {

// Spans of other services (when filtering) and spans under a collapsed span. Iterative, so a 100,000-deep chain
// does not overflow the stack.
std::vector<bool> hiddenSpans(const Trace& trace, StringId serviceFilter, const std::vector<bool>& collapsed)
{
    std::vector<bool> hidden(trace.spans.size(), false);
    if (serviceFilter != kNoIndex) {
        for (size_t i = 0; i < trace.spans.size(); ++i)
            hidden[i] = trace.spans[i].service != serviceFilter;
    }
    std::vector<std::pair<quint32, bool>> stack;
    for (const quint32 root : trace.roots)
        stack.emplace_back(root, false);
    while (!stack.empty()) {
        const auto [index, underCollapsed] = stack.back();
        stack.pop_back();
        if (underCollapsed)
            hidden[index] = true;
        const Span& span = trace.spans[index];
        const bool collapse = underCollapsed || (index < collapsed.size() && collapsed[index]);
        for (quint32 c = span.children.begin; c < span.children.end(); ++c)
            stack.emplace_back(trace.childIndex[c], collapse);
    }
    return hidden;
}

} // namespace

void FlameChartView::rebuildLayout()
{
    const quint64 generation = ++m_layoutGeneration;
    const auto packing = m_compactRows ? FlameChartLayout::Packing::Compact : FlameChartLayout::Packing::Tree;
    auto build = [trace = m_trace, filter = m_filterService, collapsed = m_collapsed, packing] {
        return trace ? std::make_shared<FlameChartLayout>(trace, hiddenSpans(*trace, filter, collapsed), packing)
                     : std::make_shared<FlameChartLayout>();
    };
    if (!m_trace || m_trace->spans.size() < kSynchronousLayoutSpans) {
        applyLayout(build());
        return;
    }
    // A large trace is laid out on a worker (about 0.25 s at a million spans) so the window stays responsive.
    // Until it arrives the current layout stays on screen when it is of the same trace (filter, collapse);
    // onTraceChanged() has already replaced a layout of another trace with an empty one.
    m_layoutPending = true;
    update();
    runOnWorker(this, std::move(build), [this, generation](std::shared_ptr<FlameChartLayout> layout) {
        if (generation == m_layoutGeneration && layout->trace() == m_trace.get())
            applyLayout(std::move(layout));
    });
}

void FlameChartView::applyLayout(std::shared_ptr<FlameChartLayout> layout)
{
    const bool otherTrace = layout->trace() != m_layout->trace();
    m_layout = std::move(layout);
    m_layoutPending = false;
    if (!m_matches.empty() || !m_search->text().isEmpty())
        setSearchText(m_search->text());
    m_overview = QImage();
    updateScrollBar();
    if (otherTrace && m_restoreView && m_layout->trace()) {
        const ViewState view = *m_restoreView;
        m_restoreView.reset();
        // Integer difference first: absolute nanoseconds do not fit a double's precision at deep zoom.
        const double start = view.startNs + double(view.traceStartNs - m_layout->traceStartNs());
        setVisibleRange(start, start + view.durationNs);
        m_scrollBar->setValue(view.scroll);
    } else if (otherTrace) {
        resetZoom();
        // A span selected while the layout was on its way (a link, a search hit) is brought into view now.
        if (m_selection->trace() == m_trace && m_selection->spanIndex() != kNoIndex)
            ensureSpanVisible(m_selection->spanIndex());
    }
    update();
    Q_EMIT layoutReady();
}

void FlameChartView::setSearchText(const QString& text)
{
    m_matches.clear();
    m_matchCursor = -1;
    if (!m_trace || text.isEmpty()) {
        m_layout->setMarks({});
        updateMatchLabel();
        update();
        return;
    }
    const Trace& trace = *m_trace;
    // Names are interned: test each string once, not once per span.
    std::vector<qint8> stringMatches(trace.strings.size(), -1);
    const auto matches = [&](StringId id) {
        if (id >= stringMatches.size())
            return false;
        if (stringMatches[id] < 0)
            stringMatches[id] = fromView(trace.string(id)).contains(text, Qt::CaseInsensitive) ? 1 : 0;
        return stringMatches[id] == 1;
    };
    std::vector<bool> marks(trace.spans.size(), false);
    for (quint32 i = 0; i < trace.spans.size(); ++i) {
        const Span& span = trace.spans[i];
        if (matches(span.service) || matches(span.operation)) {
            marks[i] = true;
            if (m_layout->rowOf(i) >= 0)
                m_matches.push_back(i);
        }
    }
    m_layout->setMarks(marks);
    updateMatchLabel();
    update();
}

QString FlameChartView::matchText() const
{
    if (m_search->text().isEmpty())
        return {};
    if (m_matches.empty())
        return tr("No matches");
    return tr("%L1 / %L2").arg(m_matchCursor + 1).arg(m_matches.size());
}

void FlameChartView::updateMatchLabel()
{
    m_matchLabel->setText(matchText());
}

void FlameChartView::nextMatch(int step)
{
    if (m_matches.empty())
        return;
    const int count = int(m_matches.size());
    m_matchCursor = m_matchCursor < 0 ? (step > 0 ? 0 : count - 1) : ((m_matchCursor + step) % count + count) % count;
    updateMatchLabel();
    m_selection->setSpanIndex(m_matches[size_t(m_matchCursor)]);
    ensureSpanVisible(m_matches[size_t(m_matchCursor)]);
}

void FlameChartView::setServiceFilter(StringId service)
{
    if (service == m_filterService)
        return;
    m_filterService = service;
    m_selection->setServiceFilter(
        service == kNoIndex || !m_trace ? QString() : fromView(m_trace->string(service))); // every pane follows
    const int comboIndex = service == kNoIndex ? 0 : m_serviceFilter->findData(service);
    if (comboIndex >= 0 && comboIndex != m_serviceFilter->currentIndex()) {
        const QSignalBlocker blocker(m_serviceFilter);
        m_serviceFilter->setCurrentIndex(comboIndex);
    }
    rebuildLayout();
}

void FlameChartView::setCollapsed(quint32 span, bool collapsed)
{
    if (span >= m_collapsed.size() || m_collapsed[span] == collapsed)
        return;
    m_collapsed[span] = collapsed;
    rebuildLayout();
}

void FlameChartView::setCompactRows(bool compact)
{
    if (compact == m_compactRows)
        return;
    m_compactRows = compact;
    rebuildLayout();
}

void FlameChartView::onSpanChanged()
{
    if (m_selection->trace() == m_trace && m_selection->spanIndex() != kNoIndex)
        ensureSpanVisible(m_selection->spanIndex());
    update();
}

void FlameChartView::ensureSpanVisible(quint32 span)
{
    const int row = m_layout->rowOf(span);
    if (row < 0)
        return;
    const Span& s = m_trace->spans[span];
    const double start = double(s.startNs - m_layout->traceStartNs());
    const double end = start + double(std::max<qint64>(0, s.durationNs));
    if (end - start > m_viewDuration)
        setVisibleRange(start - (end - start) * 0.05, end + (end - start) * 0.05);
    else if (start < m_viewStart || end > m_viewStart + m_viewDuration)
        setVisibleRange((start + end - m_viewDuration) / 2, (start + end + m_viewDuration) / 2);
    const int rowsHeight = height() - chartTop() - kOverviewHeight - kRulerHeight - kLegendHeight;
    const int y = row * kRowHeight;
    if (y < m_scrollBar->value() || y + kRowHeight > m_scrollBar->value() + rowsHeight)
        m_scrollBar->setValue(y - rowsHeight / 2);
}

void FlameChartView::scrollToRow(int row)
{
    m_scrollBar->setValue(row * kRowHeight);
}

void FlameChartView::setVisibleRange(double startNs, double endNs)
{
    const double total = double(m_layout->durationNs() > 0 ? m_layout->durationNs() : 1);
    double duration = std::clamp(endNs - startNs, std::min(kMinimumRangeNs, total), total);
    const double centre = (startNs + endNs) / 2;
    double start = endNs - startNs < duration ? centre - duration / 2 : startNs;
    m_viewDuration = duration;
    m_viewStart = std::clamp(start, 0.0, total - duration);
    update();
}

void FlameChartView::zoomAt(double factor, double x)
{
    if (factor <= 0)
        return;
    const double anchor = timeForX(x);
    const double total = double(std::max<qint64>(1, m_layout->durationNs()));
    const double duration = std::clamp(m_viewDuration / factor, std::min(kMinimumRangeNs, total), total);
    const double start = anchor - x * duration / std::max(1, chartWidth());
    m_viewDuration = duration;
    m_viewStart = std::clamp(start, 0.0, total - duration);
    update();
}

void FlameChartView::panBy(double pixels)
{
    setVisibleRange(m_viewStart + pixels * nsPerPixel(chartWidth()),
        m_viewStart + m_viewDuration + pixels * nsPerPixel(chartWidth()));
}

void FlameChartView::resetZoom()
{
    m_viewStart = 0;
    m_viewDuration = double(std::max<qint64>(1, m_layout->durationNs()));
    update();
}

double FlameChartView::xForTime(double ns) const
{
    return (ns - m_viewStart) / nsPerPixel(chartWidth());
}

double FlameChartView::timeForX(double x) const
{
    return m_viewStart + x * nsPerPixel(chartWidth());
}

int FlameChartView::chartWidth() const
{
    return std::max(1, width() - m_scrollBar->sizeHint().width());
}

int FlameChartView::chartTop() const
{
    return m_search->sizeHint().height() + 4;
}

int FlameChartView::rowTop(int row) const
{
    return chartTop() + kOverviewHeight + kRulerHeight + row * kRowHeight - m_scrollBar->value();
}

quint32 FlameChartView::spanAt(QPoint pos) const
{
    const int rowsTop = chartTop() + kOverviewHeight + kRulerHeight;
    if (pos.y() < rowsTop || pos.y() >= height() - kLegendHeight || pos.x() >= chartWidth())
        return kNoIndex;
    const int row = (pos.y() - rowsTop + m_scrollBar->value()) / kRowHeight;
    const double s = nsPerPixel(chartWidth());
    return m_layout->hitTest(row, timeForX(pos.x() + 0.5), s);
}

void FlameChartView::updateScrollBar()
{
    const int rowsHeight = height() - chartTop() - kOverviewHeight - kRulerHeight - kLegendHeight;
    m_scrollBar->setRange(0, std::max(0, m_layout->rowCount() * kRowHeight - rowsHeight));
    m_scrollBar->setPageStep(std::max(1, rowsHeight));
    m_scrollBar->setSingleStep(kRowHeight);
}

void FlameChartView::resizeEvent(QResizeEvent*)
{
    const int top = chartTop();
    const int searchWidth = std::min(320, width() / 2);
    m_search->setGeometry(2, 2, searchWidth, top - 4);
    m_matchLabel->setGeometry(searchWidth + 8, 2,
        m_matchLabel->fontMetrics().horizontalAdvance(QStringLiteral("No matches 00,000 / 00,000")), top - 4);
    const int comboWidth = std::min(220, width() / 3);
    m_serviceFilter->setGeometry(width() - comboWidth - 2, 2, comboWidth, top - 4);
    const int buttonWidth = m_criticalButton->sizeHint().width();
    m_criticalButton->setGeometry(width() - comboWidth - buttonWidth - 6, 2, buttonWidth, top - 4);
    const int barWidth = m_scrollBar->sizeHint().width();
    const int rowsTop = top + kOverviewHeight + kRulerHeight;
    m_scrollBar->setGeometry(width() - barWidth, rowsTop, barWidth, std::max(0, height() - rowsTop - kLegendHeight));
    m_overview = QImage();
    updateScrollBar();
}

bool FlameChartView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const quint32 index = spanAt(help->pos());
        if (index == kNoIndex) {
            QToolTip::hideText();
            return true;
        }
        const Span& span = m_trace->spans[index];
        QString text = fromView(m_trace->serviceName(span)) + QStringLiteral(": ")
            + fromView(m_trace->operationName(span)) + QStringLiteral("\n") + formatDuration(span.durationNs)
            + QStringLiteral(" at +") + formatDuration(span.startNs - m_layout->traceStartNs());
        if (span.isError())
            text += QStringLiteral("\n") + tr("error");
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void FlameChartView::keyPressEvent(QKeyEvent* event)
{
    const QPoint cursor = mapFromGlobal(QCursor::pos());
    const double x = rect().contains(cursor) ? std::clamp(cursor.x(), 0, chartWidth()) : chartWidth() / 2.0;
    switch (event->key()) {
    case Qt::Key_W:
        zoomAt(1.5, x);
        break;
    case Qt::Key_S:
        zoomAt(1 / 1.5, x);
        break;
    case Qt::Key_A:
        panBy(-chartWidth() * 0.1);
        break;
    case Qt::Key_D:
        panBy(chartWidth() * 0.1);
        break;
    case Qt::Key_Escape:
    case Qt::Key_0:
        m_hasMeasure = false;
        resetZoom();
        break;
    case Qt::Key_N:
        nextMatch(event->modifiers() & Qt::ShiftModifier ? -1 : 1);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void FlameChartView::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        zoomAt(std::pow(1.25, delta.y() / 120.0), event->position().x());
    } else if (delta.x() != 0) {
        panBy(-delta.x() / 120.0 * chartWidth() * 0.1);
    } else {
        m_scrollBar->setValue(m_scrollBar->value() - delta.y() / 120 * 3 * kRowHeight);
    }
    event->accept();
}

void FlameChartView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    m_pressPos = event->position().toPoint();
    m_pressViewStart = m_viewStart;
    m_moved = false;
    const int y = m_pressPos.y() - chartTop();
    if (y >= 0 && y < kOverviewHeight) {
        m_drag = Drag::Overview;
        mouseMoveEvent(event);
    } else if (event->modifiers() & Qt::ShiftModifier) {
        m_drag = Drag::Measure;
        m_measureBegin = m_measureEnd = timeForX(m_pressPos.x());
        m_hasMeasure = true;
    } else {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    }
}

void FlameChartView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if ((pos - m_pressPos).manhattanLength() > 3)
        m_moved = true;
    switch (m_drag) {
    case Drag::Overview: {
        const double centre = double(pos.x()) / chartWidth() * double(m_layout->durationNs());
        setVisibleRange(centre - m_viewDuration / 2, centre + m_viewDuration / 2);
        break;
    }
    case Drag::Measure:
        m_measureEnd = timeForX(pos.x());
        update();
        break;
    case Drag::Pan: {
        const double start = m_pressViewStart - (pos.x() - m_pressPos.x()) * nsPerPixel(chartWidth());
        setVisibleRange(start, start + m_viewDuration);
        break;
    }
    case Drag::None:
        break;
    }
}

void FlameChartView::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_drag == Drag::Pan) {
        unsetCursor();
        if (!m_moved) {
            m_hasMeasure = false;
            m_selection->setSpanIndex(spanAt(event->position().toPoint()));
            update();
        }
    }
    m_drag = Drag::None;
}

void FlameChartView::mouseDoubleClickEvent(QMouseEvent* event)
{
    const quint32 index = spanAt(event->position().toPoint());
    if (index == kNoIndex)
        return;
    const Span& span = m_trace->spans[index];
    const double start = double(span.startNs - m_layout->traceStartNs());
    const double duration = double(std::max<qint64>(span.durationNs, qint64(kMinimumRangeNs)));
    setVisibleRange(start - duration * 0.05, start + duration * 1.05);
}

void FlameChartView::contextMenuEvent(QContextMenuEvent* event)
{
    const quint32 index = spanAt(event->pos());
    QMenu menu(this);
    if (index != kNoIndex && m_trace->spans[index].children.count > 0) {
        if (m_collapsed[index])
            menu.addAction(tr("Expand subtree"), this, [this, index] { setCollapsed(index, false); });
        else
            menu.addAction(tr("Collapse subtree"), this, [this, index] { setCollapsed(index, true); });
    }
    if (std::find(m_collapsed.begin(), m_collapsed.end(), true) != m_collapsed.end()) {
        menu.addAction(tr("Expand all"), this, [this] {
            std::fill(m_collapsed.begin(), m_collapsed.end(), false);
            rebuildLayout();
        });
    }
    if (index != kNoIndex)
        menu.addAction(tr("Zoom to span"), this, [this, index] {
            const Span& span = m_trace->spans[index];
            const double start = double(span.startNs - m_layout->traceStartNs());
            setVisibleRange(start, start + double(span.durationNs));
        });
    if (m_trace) {
        if (!menu.isEmpty())
            menu.addSeparator();
        QAction* compact = menu.addAction(tr("Compact rows"), this, &FlameChartView::setCompactRows);
        compact->setCheckable(true);
        compact->setChecked(m_compactRows);
        compact->setToolTip(tr("Pack spans as densely as possible; children may then sit further below parents"));
    }
    if (!menu.isEmpty())
        menu.exec(event->globalPos());
}

} // namespace tracemap
