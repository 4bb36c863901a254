#include "analysis/spantextfilter.h"
#include "durationbardelegate.h"
#include "importsupport.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"
#include "model/traceassembler.h"
#include "spandetailsview.h"
#include "spanfilterproxymodel.h"
#include "spanproblems.h"
#include "spantreemodel.h"
#include "traceheader.h"
#include "tracelistmodel.h"
#include "traceselection.h"
#include "traceview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBrush>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTimer>
#include <QTreeView>
#include <QtTest/QtTest>

#include <functional>
#include <memory>

using namespace tracemap;

namespace {

std::shared_ptr<const Trace> buildTrace(int spans, const std::function<void(SpanDraft&, int)>& fill)
{
    SpanBatch batch;
    SpanDraft draft;
    for (int i = 0; i < spans; ++i) {
        draft.clear();
        draft.traceId = TraceId { 0, 0xabc };
        draft.spanId = static_cast<SpanId>(i + 1);
        draft.startNs = 1000000000 + qint64(i) * 1000;
        draft.durationNs = 500;
        draft.service = "svc";
        draft.operation = "op-" + std::to_string(i);
        fill(draft, i);
        batch.add(draft);
    }
    std::vector<Trace> traces = batch.takeTraces();
    Q_ASSERT(traces.size() == 1);
    TraceAssembler::assemble(traces.front());
    return std::make_shared<const Trace>(std::move(traces.front()));
}

quint32 spanById(const Trace& trace, const char* hex)
{
    for (quint32 i = 0; i < trace.spans.size(); ++i) {
        if (spanIdToHex(trace.spans[i].id) == hex)
            return i;
    }
    return kNoIndex;
}

/// "service operation" per visible row, indented two spaces per level, in preorder; iterative.
QStringList dumpTree(const QAbstractItemModel& model)
{
    QStringList out;
    std::vector<std::pair<QModelIndex, int>> stack;
    for (int row = model.rowCount() - 1; row >= 0; --row)
        stack.emplace_back(model.index(row, 0), 0);
    while (!stack.empty()) {
        const auto [index, level] = stack.back();
        stack.pop_back();
        out.append(QString(level * 2, QLatin1Char(' ')) + index.data().toString() + QLatin1Char(' ')
            + index.siblingAtColumn(SpanTreeModel::OperationColumn).data().toString());
        for (int row = model.rowCount(index) - 1; row >= 0; --row)
            stack.emplace_back(model.index(row, 0, index), level + 1);
    }
    return out;
}

// The filter's typing pause is over (its timer, the tab's only one, stopped).
bool filterTimerActive(const QObject& view)
{
    const auto timers = view.findChildren<QTimer*>(Qt::FindDirectChildrenOnly);
    return std::any_of(timers.begin(), timers.end(), [](const QTimer* t) { return t->isActive(); });
}

// Nothing of the tab is pending: no typing pause, no job on a worker (runOnWorker's watchers are the tab's
// children until their result is handed over).
bool filterSettled(const QObject& view)
{
    return !filterTimerActive(view) && view.findChildren<QFutureWatcherBase*>().isEmpty();
}

} // namespace

class TestTraceView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void modelTester();
    void proxyTester();
    void topLevelRowsAreRoots();
    void modelMatchesTrace();
    void barRoles();
    void barRect();
    void durationTextPlacement_data();
    void durationTextPlacement();
    void durationTextPaintedWhole();
    void detailsShowSelectedSpan();
    void headerShowsTrace();
    void treeFollowsSelection();
    void treeSetsSelection();
    void filterKeepsMatchAndAncestors();
    void filterMatchesAttributeValues();
    void orphanAndErrorSpan();
    void linkActivation();
    void copyValues();
    void longValuesWrap();
    void paints();
    void traceListRoles();
    void deepChain();
    void wideFanOut();
    void typingFiltersLargeTraceOnWorker();

private:
    std::shared_ptr<const Trace> m_hotrod;
};

void TestTraceView::initTestCase()
{
    if (!requireFixtures())
        return;
    auto traces
        = testsupport::importAll(testsupport::fixture(QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json")));
    QVERIFY(traces.has_value());
    QCOMPARE(traces->size(), size_t(1));
    m_hotrod = std::make_shared<const Trace>(std::move(traces->front()));
    QCOMPARE(m_hotrod->spans.size(), size_t(40));
}

void TestTraceView::modelTester()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    SpanTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTrace(m_hotrod);
    model.setTrace(nullptr);
    model.setTrace(m_hotrod);
}

void TestTraceView::proxyTester()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    SpanTreeModel model;
    SpanFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTrace(m_hotrod);
    proxy.setFilterText(QStringLiteral("getdriver"));
    proxy.setFilterText(QStringLiteral("no such text anywhere"));
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setFilterText(QString());
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFilterText(QStringLiteral("route"));
    model.setTrace(nullptr);
    model.setTrace(m_hotrod);
    QVERIFY(proxy.rowCount() > 0);
}

void TestTraceView::topLevelRowsAreRoots()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    SpanTreeModel model;
    model.setTrace(m_hotrod);
    QCOMPARE(size_t(model.rowCount()), m_hotrod->roots.size());
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.index(row, 0).data(SpanTreeModel::SpanIndexRole).toUInt(), m_hotrod->roots[size_t(row)]);
    const quint32 root = spanById(*m_hotrod, "c8d93156b47cd010");
    QCOMPARE(model.index(0, 0).data(SpanTreeModel::SpanIndexRole).toUInt(), root);
    QCOMPARE(model.index(0, SpanTreeModel::ServiceColumn).data().toString(), QStringLiteral("frontend"));
    QCOMPARE(model.index(0, SpanTreeModel::OperationColumn).data().toString(), QStringLiteral("GET /dispatch"));
    QCOMPARE(model.index(0, SpanTreeModel::StartColumn).data().toString(), QStringLiteral("0 ns"));
}

void TestTraceView::modelMatchesTrace()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    SpanTreeModel model;
    model.setTrace(m_hotrod);
    for (quint32 i = 0; i < m_hotrod->spans.size(); ++i) {
        const Span& span = m_hotrod->spans[i];
        const QModelIndex index = model.indexForSpan(i);
        QVERIFY(index.isValid());
        QCOMPARE(model.spanIndex(index), i);
        QCOMPARE(model.rowCount(index), int(span.children.count));
        const QModelIndex parent = model.parent(index);
        QCOMPARE(parent, span.parent == kNoIndex ? QModelIndex() : model.indexForSpan(span.parent));
        QCOMPARE(model.index(index.row(), 0, parent), index);
        // Children are in start order.
        for (int row = 1; row < model.rowCount(index); ++row) {
            QVERIFY(model.index(row - 1, 0, index).data(SpanTreeModel::SortRole).toLongLong()
                <= model.index(row, SpanTreeModel::StartColumn, index).data(SpanTreeModel::SortRole).toLongLong());
        }
    }
}

void TestTraceView::barRoles()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    SpanTreeModel model;
    model.setTrace(m_hotrod);
    const QModelIndex root = model.index(0, SpanTreeModel::DurationColumn);
    QCOMPARE(root.data(SpanTreeModel::BarStartRole).toDouble(), 0.0);
    for (quint32 i = 0; i < m_hotrod->spans.size(); ++i) {
        const QModelIndex index = model.indexForSpan(i, SpanTreeModel::DurationColumn);
        const double start = index.data(SpanTreeModel::BarStartRole).toDouble();
        const double end = index.data(SpanTreeModel::BarEndRole).toDouble();
        QVERIFY(start >= 0 && start <= end && end <= 1);
        QCOMPARE(index.data(SpanTreeModel::SortRole).toLongLong(), m_hotrod->spans[i].durationNs);
        QCOMPARE(index.data(SpanTreeModel::IsErrorRole).toBool(), m_hotrod->spans[i].isError());
    }
}

void TestTraceView::barRect()
{
    const QRect cell(100, 0, 204, 20);
    const QRect whole = DurationBarDelegate::barRect(cell, 0, 1);
    QCOMPARE(whole.left(), 102);
    QCOMPARE(whole.width(), 200);
    const QRect half = DurationBarDelegate::barRect(cell, 0.5, 1);
    QCOMPARE(half.left(), 202);
    QCOMPARE(half.width(), 100);
    const QRect tiny = DurationBarDelegate::barRect(cell, 0.25, 0.25);
    QCOMPARE(tiny.left(), 152);
    QCOMPARE(tiny.width(), 1);
    QVERIFY(DurationBarDelegate::barRect(cell, 1, 1).right() <= cell.right());
}

void TestTraceView::durationTextPlacement_data()
{
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("end");
    QTest::addColumn<int>("where");
    QTest::newRow("right of a short early bar") << 0.0 << 0.2 << int(DurationBarDelegate::TextPlacement::Right);
    QTest::newRow("left of a late bar") << 0.7 << 1.0 << int(DurationBarDelegate::TextPlacement::Left);
    QTest::newRow("inside a long bar") << 0.05 << 0.95 << int(DurationBarDelegate::TextPlacement::OnBar);
    QTest::newRow("middle bar, more room left") << 0.45 << 0.8 << int(DurationBarDelegate::TextPlacement::OnPlate);
    QTest::newRow("middle bar, more room right") << 0.2 << 0.55 << int(DurationBarDelegate::TextPlacement::OnPlate);
}

// The text is whole (as wide as it needs), inside the cell, and either entirely on the bar (drawn in the bar's
// contrasting colour), entirely off it (drawn in the text colour), or on a plate of its own.
void TestTraceView::durationTextPlacement()
{
    QFETCH(double, start);
    QFETCH(double, end);
    QFETCH(int, where);
    const QRect cell(10, 0, 104, 20);
    const int textWidth = 46;
    const QRect bar = DurationBarDelegate::barRect(cell, start, end);
    const auto placement = DurationBarDelegate::textPlacement(cell, bar, textWidth);
    QCOMPARE(int(placement.where), where);
    QCOMPARE(placement.rect.width(), textWidth);
    QVERIFY(cell.contains(placement.rect));
    switch (placement.where) {
    case DurationBarDelegate::TextPlacement::OnBar:
        QVERIFY(placement.rect.left() >= bar.left() && placement.rect.right() <= bar.right());
        break;
    case DurationBarDelegate::TextPlacement::Right:
    case DurationBarDelegate::TextPlacement::Left:
        QVERIFY(placement.rect.right() < bar.left() || placement.rect.left() > bar.right());
        break;
    case DurationBarDelegate::TextPlacement::OnPlate:
        QVERIFY(placement.rect.left() == cell.left() + 2 || placement.rect.right() == cell.right() - 2);
        break;
    }
    // Narrower than the text: the cell, elided at the end.
    const QRect narrow(10, 0, 30, 20);
    const auto squeezed
        = DurationBarDelegate::textPlacement(narrow, DurationBarDelegate::barRect(narrow, 0.4, 0.6), textWidth);
    QVERIFY(narrow.contains(squeezed.rect));
}

// Painted: a bar in the middle of a narrow cell, no room beside it for "94.5 ms". Every glyph must show, the first
// digit included, which was drawn white on the white cell left of the bar.
void TestTraceView::durationTextPaintedWhole()
{
    QStandardItemModel model(1, 1);
    QStandardItem* item = new QStandardItem(QStringLiteral("94.5 ms"));
    item->setData(0.45, SpanTreeModel::BarStartRole);
    item->setData(0.8, SpanTreeModel::BarEndRole);
    item->setData(false, SpanTreeModel::IsErrorRole);
    model.setItem(0, 0, item);
    QStyleOptionViewItem option;
    option.rect = QRect(0, 0, 90, 20);
    option.font = QApplication::font();
    option.palette.setColor(QPalette::Base, Qt::white);
    option.palette.setColor(QPalette::Text, Qt::black);
    option.palette.setColor(QPalette::Window, Qt::white);
    const int textWidth = QFontMetrics(option.font).horizontalAdvance(QStringLiteral("94.5 ms")) + 1;
    const QRect bar = DurationBarDelegate::barRect(option.rect, 0.45, 0.8);
    QVERIFY2(bar.left() - 4 - textWidth < option.rect.left() + 2, "the cell must leave no room left of the bar");
    QVERIFY2(bar.right() + 4 + textWidth > option.rect.right() - 2, "nor right of it");
    QImage image(option.rect.size(), QImage::Format_RGB32);
    image.fill(Qt::white);
    DurationBarDelegate delegate;
    {
        QPainter painter(&image);
        delegate.paint(&painter, option, model.index(0, 0));
    }
    // The text as it should look, black on white, drawn where the delegate puts it.
    const auto placement = DurationBarDelegate::textPlacement(option.rect, bar, textWidth);
    QImage expected(option.rect.size(), QImage::Format_RGB32);
    expected.fill(Qt::white);
    {
        QPainter painter(&expected);
        painter.setFont(option.font);
        painter.setPen(Qt::black);
        painter.drawText(placement.rect, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("94.5 ms"));
    }
    // Each column with ink in the expected text has dark ink in the painted cell too.
    int inkColumns = 0;
    for (int x = 0; x < image.width(); ++x) {
        bool expectedInk = false;
        bool paintedInk = false;
        for (int y = 0; y < image.height(); ++y) {
            expectedInk = expectedInk || qGray(expected.pixel(x, y)) < 100;
            paintedInk = paintedInk || qGray(image.pixel(x, y)) < 100;
        }
        if (expectedInk) {
            ++inkColumns;
            QVERIFY2(paintedInk, qPrintable(QStringLiteral("no ink at x=%1").arg(x)));
        }
    }
    QVERIFY(inkColumns > 10);
}

void TestTraceView::detailsShowSelectedSpan()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    TraceSelection selection;
    SpanDetailsView details(&selection);
    selection.setTrace(m_hotrod);
    QVERIFY(!details.section(QStringLiteral("Span")));

    selection.setSpanIndex(spanById(*m_hotrod, "c8d93156b47cd010"));
    QVERIFY(details.section(QStringLiteral("Span")));
    QCOMPARE(SpanDetailsView::fullValue(details.row(QStringLiteral("Span"), QStringLiteral("Operation"))),
        QStringLiteral("GET /dispatch"));
    QCOMPARE(SpanDetailsView::fullValue(details.row(QStringLiteral("Span"), QStringLiteral("Span id"))),
        QStringLiteral("c8d93156b47cd010"));
    QCOMPARE(SpanDetailsView::fullValue(details.row(QStringLiteral("Span"), QStringLiteral("Trace id"))),
        QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb"));
    const QString start = SpanDetailsView::fullValue(details.row(QStringLiteral("Span"), QStringLiteral("Start")));
    QVERIFY2(start.startsWith(QStringLiteral("2026-")) && start.endsWith(QLatin1Char('Z')), qPrintable(start));

    QTreeWidgetItem* method = details.row(QStringLiteral("Attributes"), QStringLiteral("http.request.method"));
    QVERIFY(method);
    QCOMPARE(SpanDetailsView::fullValue(method), QStringLiteral("GET"));
    QCOMPARE(method->text(SpanDetailsView::TypeColumn), QStringLiteral("string"));
    QCOMPARE(SpanDetailsView::keyValue(method), QStringLiteral("http.request.method=GET"));
    QTreeWidgetItem* status = details.row(QStringLiteral("Attributes"), QStringLiteral("http.response.status_code"));
    QVERIFY(status);
    QCOMPARE(status->text(SpanDetailsView::TypeColumn), QStringLiteral("int"));

    QVERIFY(details.row(QStringLiteral("Resource"), QStringLiteral("service.name")));
    QCOMPARE(SpanDetailsView::fullValue(details.row(QStringLiteral("Scope"), QStringLiteral("Version"))),
        QStringLiteral("0.69.0"));
    QTreeWidgetItem* events = details.section(QStringLiteral("Events"));
    QVERIFY(events);
    QCOMPARE(events->childCount(), 17);
    QVERIFY(events->child(0)->text(SpanDetailsView::KeyColumn).startsWith(QLatin1Char('+')));
    QVERIFY(!details.section(QStringLiteral("Warnings")));

    // The error span of the fixture: status with its message.
    selection.setSpanIndex(spanById(*m_hotrod, "515f970d6a704d52"));
    QCOMPARE(SpanDetailsView::fullValue(details.row(QStringLiteral("Span"), QStringLiteral("Status"))),
        QStringLiteral("error: An error occurred"));
    QCOMPARE(SpanDetailsView::fullValue(details.row(QStringLiteral("Attributes"), QStringLiteral("param.driverID")))
                 .isEmpty(),
        false);
}

void TestTraceView::headerShowsTrace()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    TraceView view(m_hotrod, nullptr);
    const QString text = view.traceHeader()->plainText();
    QVERIFY2(text.contains(QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("40 spans")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("3 errors")), qPrintable(text));
}

void TestTraceView::treeFollowsSelection()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    TraceView view(m_hotrod, nullptr);
    QCOMPARE(view.selection()->spanIndex(), m_hotrod->roots.front());
    view.collapseAll();
    const quint32 sql = spanById(*m_hotrod, "9580b82434d5a1b8");
    view.selection()->setSpanIndex(sql);
    const QModelIndex current = view.treeView()->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(current.data(SpanTreeModel::SpanIndexRole).toUInt(), sql);
    QVERIFY(view.treeView()->isExpanded(current.parent()));
    QVERIFY(view.treeView()->selectionModel()->isRowSelected(current.row(), current.parent()));
    QCOMPARE(SpanDetailsView::fullValue(view.detailsView()->row(QStringLiteral("Span"), QStringLiteral("Operation"))),
        QStringLiteral("SQL SELECT"));
}

void TestTraceView::treeSetsSelection()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    TraceView view(m_hotrod, nullptr);
    const quint32 driver = spanById(*m_hotrod, "12c2cadb3c59f584");
    const QModelIndex index = view.filterModel()->mapFromSource(view.spanModel()->indexForSpan(driver));
    QVERIFY(index.isValid());
    view.treeView()->setCurrentIndex(index);
    QCOMPARE(view.selection()->spanIndex(), driver);
}

void TestTraceView::filterKeepsMatchAndAncestors()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    TraceView view(m_hotrod, nullptr);
    view.setFilterText(QStringLiteral("sql select"));
    QCOMPARE(view.filterModel()->matchCount(), size_t(1));
    QCOMPARE(view.filterModel()->keptCount(), size_t(4));
    const QStringList expected = {
        QStringLiteral("frontend GET /dispatch"),
        QStringLiteral("  frontend HTTP GET"),
        QStringLiteral("    customer GET /customer"),
        QStringLiteral("      mysql SQL SELECT"),
    };
    QCOMPARE(dumpTree(*view.filterModel()), expected);
    const QModelIndex leaf = view.filterModel()->index(
        0, 0, view.filterModel()->index(0, 0, view.filterModel()->index(0, 0, view.filterModel()->index(0, 0))));
    QVERIFY(view.treeView()->isExpanded(leaf.parent()));

    // Typing applies the filter after a pause.
    view.filterEdit()->setText(QStringLiteral("FINDDRIVERIDS"));
    QTRY_COMPARE(view.filterModel()->matchCount(), size_t(1));
    QCOMPARE(dumpTree(*view.filterModel()).size(), 4);

    view.setFilterText(QString());
    QCOMPARE(dumpTree(*view.filterModel()).size(), 40);
}

void TestTraceView::filterMatchesAttributeValues()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    SpanTreeModel model;
    SpanFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    model.setTrace(m_hotrod);
    proxy.setFilterText(QStringLiteral("CUSTOMER_ID=123")); // in the sql.query value only
    QCOMPARE(proxy.matchCount(), size_t(1));
    QVERIFY(proxy.spanMatches(spanById(*m_hotrod, "9580b82434d5a1b8")));
    proxy.setFilterText(QStringLiteral("param.driverid")); // an attribute key
    QCOMPARE(proxy.matchCount(), size_t(13));
    proxy.setFilterText(QStringLiteral("2947f6da1a6168d0")); // a span id
    QCOMPARE(proxy.matchCount(), size_t(1));
}

void TestTraceView::orphanAndErrorSpan()
{
    const auto trace = buildTrace(3, [](SpanDraft& d, int i) {
        if (i == 1) {
            d.parentId = 1;
            d.operation = "failing";
            d.status = StatusCode::Error;
            d.statusMessage = "boom";
        } else if (i == 2) {
            d.parentId = 0x99;
            d.operation = "lost";
        }
    });
    QCOMPARE(trace->roots.size(), size_t(2));
    TraceView view(trace, nullptr);
    QCOMPARE(view.spanModel()->rowCount(), 2);

    quint32 orphan = kNoIndex;
    quint32 failing = kNoIndex;
    for (quint32 i = 0; i < trace->spans.size(); ++i) {
        if (trace->spans[i].problems & OrphanSpan)
            orphan = i;
        if (trace->spans[i].isError())
            failing = i;
    }
    QVERIFY(orphan != kNoIndex && failing != kNoIndex);

    const QModelIndex errorIndex = view.spanModel()->indexForSpan(failing, SpanTreeModel::OperationColumn);
    QVERIFY(errorIndex.data().toString().contains(QStringLiteral("⚠")));
    QVERIFY(errorIndex.data(SpanTreeModel::IsErrorRole).toBool());
    QCOMPARE(errorIndex.data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xd5, 0x5e, 0x00));
    const QModelIndex orphanIndex = view.spanModel()->indexForSpan(orphan, SpanTreeModel::OperationColumn);
    QVERIFY(!orphanIndex.data().toString().contains(QStringLiteral("⚠")));
    const QString orphanSentence = spanProblemDescriptions(OrphanSpan).value(0);
    QVERIFY(orphanSentence.contains(QStringLiteral("Orphan")));
    QVERIFY(orphanIndex.data(Qt::ToolTipRole).toString().contains(orphanSentence));

    view.selection()->setSpanIndex(orphan);
    QTreeWidgetItem* warnings = view.detailsView()->section(QStringLiteral("Warnings"));
    QVERIFY(warnings);
    QCOMPARE(warnings->childCount(), 1);
    QCOMPARE(SpanDetailsView::fullValue(warnings->child(0)), orphanSentence);
    QVERIFY(SpanDetailsView::fullValue(view.detailsView()->row(QStringLiteral("Span"), QStringLiteral("Parent id")))
                .contains(QStringLiteral("not in this trace")));

    view.selection()->setSpanIndex(failing);
    QCOMPARE(SpanDetailsView::fullValue(view.detailsView()->row(QStringLiteral("Span"), QStringLiteral("Status"))),
        QStringLiteral("error: boom"));
    QVERIFY(!view.detailsView()->section(QStringLiteral("Warnings")));
    QVERIFY(view.traceHeader()->plainText().contains(QStringLiteral("1 error")));
}

void TestTraceView::linkActivation()
{
    const auto trace = buildTrace(1, [](SpanDraft& d, int) {
        LinkDraft& link = d.addLink();
        link.traceId = TraceId { 0, 0x42 };
        link.spanId = 0x7;
        link.attributes.addString("link.reason", "retry");
    });
    TraceView view(trace, nullptr);
    TraceId gotTrace;
    SpanId gotSpan = 0;
    connect(&view, &TraceView::linkActivated, this, [&](TraceId t, SpanId s) {
        gotTrace = t;
        gotSpan = s;
    });
    QTreeWidgetItem* links = view.detailsView()->section(QStringLiteral("Links"));
    QVERIFY(links);
    QCOMPARE(links->childCount(), 1);
    QTreeWidgetItem* reason = links->child(0)->child(links->child(0)->childCount() - 1);
    QCOMPARE(SpanDetailsView::keyValue(reason), QStringLiteral("link.reason=retry"));
    Q_EMIT view.detailsView()->itemActivated(reason, 0);
    QCOMPARE(gotTrace, (TraceId { 0, 0x42 }));
    QCOMPARE(gotSpan, SpanId(0x7));
}

void TestTraceView::copyValues()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    TraceView view(m_hotrod, nullptr);
    SpanDetailsView* details = view.detailsView();
    QTreeWidgetItem* method = details->row(QStringLiteral("Attributes"), QStringLiteral("http.request.method"));
    QVERIFY(method);
    details->setCurrentItem(method);
    QTest::keySequence(details, QKeySequence::Copy);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("GET"));
    details->copyKeyValue();
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("http.request.method=GET"));
}

// Two link trace ids that differ only in the middle, and long keys that differ only in the middle, must read
// differently: values wrap to more lines instead of being elided in the middle, and copying gives the full value.
void TestTraceView::longValuesWrap()
{
    const auto trace = buildTrace(1, [](SpanDraft& d, int) {
        d.addLink().traceId = TraceId { 0x1ULL, 0x1ULL };
        d.addLink().traceId = TraceId { 0x10ULL, 0x1ULL };
        d.attributes.addInt("gen_ai.usage.input_tokens", 12);
        d.attributes.addInt("gen_ai.usage.output_tokens", 34);
    });
    TraceSelection selection;
    selection.setTrace(trace);
    selection.setSpanIndex(0);
    SpanDetailsView details(&selection);
    details.resize(340, 600);
    details.show();
    QVERIFY(QTest::qWaitForWindowExposed(&details));
    QCOMPARE(details.textElideMode(), Qt::ElideRight);
    QTreeWidgetItem* links = details.section(QStringLiteral("Links"));
    QVERIFY(links);
    QCOMPARE(links->childCount(), 2);
    const QString first = SpanDetailsView::fullValue(links->child(0)->child(0));
    const QString second = SpanDetailsView::fullValue(links->child(1)->child(0));
    QCOMPARE(first, QStringLiteral("00000000000000010000000000000001"));
    QCOMPARE(second, QStringLiteral("00000000000000100000000000000001"));
    const QFontMetrics metrics(details.font());
    const int lineHeight = metrics.height();
    for (QTreeWidgetItem* id : { links->child(0)->child(0), links->child(1)->child(0) }) {
        // The value column is narrower than the id: the row grows to show it whole on two or more lines.
        QVERIFY(details.columnWidth(SpanDetailsView::ValueColumn) < metrics.horizontalAdvance(id->text(1)) * 2 / 3);
        // Row heights are laid out again once the columns have their widths.
        QTRY_VERIFY2(details.visualItemRect(id).height() >= 2 * lineHeight,
            qPrintable(QStringLiteral("row height %1").arg(details.visualItemRect(id).height())));
        QCOMPARE(id->text(SpanDetailsView::ValueColumn), SpanDetailsView::fullValue(id));
    }
    QTreeWidgetItem* input = details.row(QStringLiteral("Attributes"), QStringLiteral("gen_ai.usage.input_tokens"));
    QVERIFY(input);
    // A key column narrowed by the user: long keys wrap too.
    details.header()->resizeSection(SpanDetailsView::KeyColumn, 90);
    QVERIFY(details.columnWidth(SpanDetailsView::KeyColumn) < metrics.horizontalAdvance(input->text(0)) * 2 / 3);
    QTRY_VERIFY(details.visualItemRect(input).height() >= 2 * lineHeight);
    details.setCurrentItem(links->child(0)->child(0));
    QTest::keySequence(&details, QKeySequence::Copy);
    QCOMPARE(QApplication::clipboard()->text(), first);
}

void TestTraceView::paints()
{
    if (!m_hotrod)
        QSKIP("no fixture");
    for (const bool dark : { false, true }) {
        TraceView view(m_hotrod, nullptr);
        if (dark) {
            QPalette palette = view.palette();
            palette.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
            palette.setColor(QPalette::Text, Qt::white);
            view.setPalette(palette);
        }
        view.resize(1200, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.selection()->setSpanIndex(spanById(*m_hotrod, "515f970d6a704d52"));
        QVERIFY(!view.grab().isNull());
    }
}

// The results table: error rows say so (and only they), the bars scale to the longest result.
void TestTraceView::traceListRoles()
{
    TraceListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TraceSummary ok;
    ok.traceId = TraceId { 0, 1 };
    ok.durationNs = 50;
    TraceSummary failed = ok;
    failed.traceId = TraceId { 0, 2 };
    failed.durationNs = 200;
    failed.errorCount = 2;
    model.setTraces({ ok, failed });
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data(TraceListModel::IsErrorRole).toBool(), false);
    QCOMPARE(model.index(1, 0).data(TraceListModel::IsErrorRole).toBool(), true);
    QVERIFY(!model.index(0, TraceListModel::Errors).data(Qt::ForegroundRole).isValid());
    QVERIFY(model.index(1, TraceListModel::Errors).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.index(0, 0).data(TraceListModel::BarEndRole).toDouble(), 0.25);
    QCOMPARE(model.index(1, 0).data(TraceListModel::BarEndRole).toDouble(), 1.0);
    QCOMPARE(model.index(1, 0).data(TraceListModel::TraceIdRole).toString(), QStringLiteral("0000000000000002"));
}

void TestTraceView::deepChain()
{
    constexpr int kSpans = 100000;
    const auto trace = buildTrace(kSpans, [](SpanDraft& d, int i) { d.parentId = static_cast<SpanId>(i); });
    QCOMPARE(trace->roots.size(), size_t(1));
    QCOMPARE(trace->maxDepth(), quint32(kSpans - 1));

    SpanTreeModel model;
    model.setTrace(trace);
    QModelIndex index = model.index(0, 0);
    for (int level = 1; level < kSpans; ++level) {
        QCOMPARE(model.rowCount(index), 1);
        index = model.index(0, 0, index);
    }
    QCOMPARE(model.rowCount(index), 0);
    QCOMPARE(model.spanIndex(index), model.spanIndex(model.indexForSpan(quint32(kSpans - 1))));
    int levels = 0;
    for (QModelIndex up = index; up.isValid(); up = model.parent(up))
        ++levels;
    QCOMPARE(levels, kSpans);

    // The whole tab: opens, filters and selects the deepest span without recursing through the chain.
    TraceView view(trace, nullptr);
    view.setFilterText(QStringLiteral("op-99999"));
    QCOMPARE(view.filterModel()->matchCount(), size_t(1));
    QCOMPARE(view.filterModel()->keptCount(), size_t(kSpans));
    view.selection()->setSpanIndex(model.spanIndex(index));
    QCOMPARE(SpanDetailsView::fullValue(view.detailsView()->row(QStringLiteral("Span"), QStringLiteral("Operation"))),
        QStringLiteral("op-99999"));
    view.setFilterText(QString());
    view.expandAll();
    view.resize(800, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.grab().isNull());
    view.collapseAll();
}

void TestTraceView::wideFanOut()
{
    constexpr int kSpans = 100000;
    const auto trace = buildTrace(kSpans, [](SpanDraft& d, int i) { d.parentId = i == 0 ? 0 : 1; });
    SpanTreeModel model;
    model.setTrace(trace);
    const QModelIndex root = model.index(0, 0);
    QCOMPARE(model.rowCount(root), kSpans - 1);
    for (quint32 i = 0; i < trace->spans.size(); ++i) {
        const QModelIndex index = model.indexForSpan(i);
        if (i == trace->roots.front())
            continue;
        QCOMPARE(model.parent(index), root);
        QCOMPARE(model.index(index.row(), 0, root), index);
    }

    TraceView view(trace, nullptr);
    view.selection()->setSpanIndex(quint32(kSpans - 1));
    QCOMPARE(view.treeView()->currentIndex().data(SpanTreeModel::SpanIndexRole).toUInt(), quint32(kSpans - 1));
    view.setFilterText(QStringLiteral("op-99999"));
    QCOMPARE(view.filterModel()->rowCount(view.filterModel()->index(0, 0)), 1);
}

// Typing in a large trace's filter box filters on a worker: the label says so meanwhile, a newer text supersedes
// an older one still on its way, and the result equals the synchronous one.
void TestTraceView::typingFiltersLargeTraceOnWorker()
{
    const int kSpans = int(TraceView::kBackgroundFilterSpans) + 1000;
    const auto trace = buildTrace(kSpans, [](SpanDraft& d, int i) { d.parentId = i == 0 ? 0 : SpanId(i / 8 + 1); });
    TraceView view(trace, nullptr);
    QSignalSpy applied(&view, &TraceView::filterApplied);
    view.filterEdit()->setText(QStringLiteral("op-1234"));
    view.filterEdit()->setText(QStringLiteral("op-4321")); // typed on before the pause ended
    QVERIFY(applied.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(filterSettled(view), 10000);
    QCOMPARE(applied.size(), 1); // nothing else arrived: the first text never reached the worker
    QCOMPARE(view.filterModel()->filterText(), QStringLiteral("op-4321"));
    const SpanTextFilter::Result expected = SpanTextFilter::apply(*trace, QStringLiteral("op-4321"));
    QCOMPARE(view.filterModel()->matchCount(), expected.matchCount);
    QCOMPARE(view.filterModel()->keptCount(), expected.keptCount);
    QVERIFY(expected.matchCount >= 2); // op-4321 and op-43210 …
    for (quint32 i = 0; i < trace->spans.size(); ++i)
        QCOMPARE(view.filterModel()->spanMatches(i), expected.keep[i] == SpanTextFilter::Match);

    // Typed on while a filter is on the worker: the newest text is what stays applied.
    applied.clear();
    view.setFilterText(QString());
    QCOMPARE(applied.size(), 1);
    view.filterEdit()->setText(QStringLiteral("op-5"));
    QTRY_VERIFY_WITH_TIMEOUT(!filterTimerActive(view), 10000); // the typing pause has passed: "op-5" went on
    view.filterEdit()->setText(QStringLiteral("op-6"));
    QVERIFY(applied.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(filterSettled(view), 10000);
    QCOMPARE(view.filterModel()->filterText(), QStringLiteral("op-6"));
    QCOMPARE(view.filterModel()->matchCount(), SpanTextFilter::apply(*trace, QStringLiteral("op-6")).matchCount);
}

QTEST_MAIN(TestTraceView)
#include "tst_traceview.moc"
