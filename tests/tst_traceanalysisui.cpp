// The analysis in the trace tab: critical path in the flame chart, clock-skew toggle, self time in the details and
// the per-operation table.

#include "analysis/clockskewadjuster.h"
#include "analysis/criticalpath.h"
#include "analysis/selftime.h"
#include "flamechartview.h"
#include "importsupport.h"
#include "model/tracequery.h"
#include "operationtablemodel.h"
#include "spandetailsview.h"
#include "spantreemodel.h"
#include "traceselection.h"
#include "traceview.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QToolButton>
#include <QtTest/QtTest>

#include <algorithm>
#include <map>
#include <memory>

using namespace tracemap;

namespace {

std::shared_ptr<const Trace> loadFixture(const QString& relative)
{
    auto traces = testsupport::importAll(testsupport::fixture(relative));
    if (!traces || traces->empty())
        return nullptr;
    return std::make_shared<const Trace>(std::move(traces->front()));
}

quint32 indexOf(const Trace& trace, std::string_view service, std::string_view operation)
{
    for (quint32 i = 0; i < trace.spans.size(); ++i) {
        if (trace.serviceName(trace.spans[i]) == service && trace.operationName(trace.spans[i]) == operation)
            return i;
    }
    return kNoIndex;
}

} // namespace

class TestTraceAnalysisUi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void clockSkewToggle()
    {
        if (!requireFixtures())
            return;
        const auto original = loadFixture(QStringLiteral("zipkin-v2/skew.json"));
        QVERIFY(original);
        TraceView view(original);
        QVERIFY(!view.isClockSkewAdjusted());
        QVERIFY(view.clockSkewLabel()->isHidden());
        const quint32 server = indexOf(*original, "serviceb", "post");
        QVERIFY(server != kNoIndex);
        const quint32 client = original->spans[server].parent;
        QVERIFY(client != kNoIndex);
        QVERIFY(original->spans[server].startNs < original->spans[client].startNs);
        view.selection()->setSpanIndex(server);

        QSignalSpy applied(&view, &TraceView::clockSkewAdjustmentApplied);
        view.clockSkewButton()->click();
        QVERIFY(view.isClockSkewAdjusted());
        QTRY_COMPARE(applied.size(), 1);
        const auto adjusted = view.selection()->trace();
        QVERIFY(adjusted && adjusted != original);
        QCOMPARE(view.spanModel()->trace(), adjusted);
        QCOMPARE(view.flameChart()->layout().rowCount() > 0, true);
        QCOMPARE(view.originalTrace(), original);
        // The selection follows the span by id.
        const Span* selected = view.selection()->span();
        QVERIFY(selected);
        QCOMPARE(selected->id, original->spans[server].id);
        const Span& parent = adjusted->spans[selected->parent];
        QVERIFY(selected->startNs >= parent.startNs);
        QVERIFY(selected->endNs() <= parent.endNs());
        QVERIFY(!view.clockSkewLabel()->isHidden());
        QCOMPARE(view.clockSkewLabel()->text(), QStringLiteral("Clock skew adjusted: 2 spans"));

        // The details show the delta and the adjuster's warning.
        const SpanDetailsView& details = *view.detailsView();
        const qint64 expected = (1470150004074202 + 481 - 1470150004008761) * 1000;
        QTreeWidgetItem* delta = details.row(QStringLiteral("Span"), QStringLiteral("Clock skew adjustment"));
        QVERIFY(delta);
        QCOMPARE(SpanDetailsView::fullValue(delta), QString(QLatin1Char('+') + formatDuration(expected)));
        QCOMPARE(SpanDetailsView::fullValue(delta), QStringLiteral("+65.9 ms"));
        QTreeWidgetItem* warnings = details.section(QStringLiteral("Warnings"));
        QVERIFY(warnings);
        bool found = false;
        for (int i = 0; i < warnings->childCount(); ++i)
            found
                |= SpanDetailsView::fullValue(warnings->child(i)).startsWith(QStringLiteral("clock skew adjusted by"));
        QVERIFY(found);

        // Back off: the original trace, its start, no label, no delta row.
        view.clockSkewButton()->click();
        QVERIFY(!view.isClockSkewAdjusted());
        QCOMPARE(view.selection()->trace(), original);
        QCOMPARE(view.spanModel()->trace(), original);
        QVERIFY(view.clockSkewLabel()->isHidden());
        QCOMPARE(view.selection()->spanIndex(), server);
        QCOMPARE(view.selection()->span()->startNs, original->spans[server].startNs);
        QVERIFY(!details.row(QStringLiteral("Span"), QStringLiteral("Clock skew adjustment")));

        // On again: the cached result, at once.
        view.setClockSkewAdjusted(true);
        QCOMPARE(view.selection()->trace(), adjusted);
        QVERIFY(view.clockSkewButton()->isChecked());
    }

    void criticalPathToggle()
    {
        if (!requireFixtures())
            return;
        const auto trace = loadFixture(QStringLiteral("zipkin-v2/skew.json"));
        QVERIFY(trace);
        TraceSelection selection;
        selection.setTrace(trace);
        FlameChartView view(&selection);
        view.resize(800, 400);
        QVERIFY(!view.criticalPathShown());
        QVERIFY(!view.criticalPath());
        QSignalSpy ready(&view, &FlameChartView::criticalPathReady);
        view.criticalPathButton()->click();
        QVERIFY(view.criticalPathShown());
        QTRY_COMPARE(ready.size(), 1);
        QVERIFY(view.criticalPath());
        const CriticalPath expected = CriticalPath::compute(*trace);
        QCOMPARE(view.criticalPath()->spans, expected.spans);
        QCOMPARE(view.criticalPath()->segments, expected.segments);
        // It paints.
        QImage image(800, 400, QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&image);
        view.renderTo(painter, image.size());
        painter.end();

        // Off clears it; a new trace while on recomputes for that trace.
        view.criticalPathButton()->click();
        QVERIFY(!view.criticalPath());
        view.setCriticalPathShown(true);
        QVERIFY(view.criticalPathButton()->isChecked());
        const auto other = loadFixture(QStringLiteral("jaeger/child-longer-than-parent.json"));
        QVERIFY(other);
        selection.setTrace(other);
        QTRY_VERIFY(view.criticalPath());
        QCOMPARE(view.criticalPath()->spans, CriticalPath::compute(*other).spans);
    }

    void selfTimeInDetails()
    {
        if (!requireFixtures())
            return;
        const auto trace = loadFixture(QStringLiteral("zipkin-v2/skew.json"));
        QVERIFY(trace);
        TraceSelection selection;
        selection.setTrace(trace);
        SpanDetailsView details(&selection);
        const auto selfTimes = SelfTime::perSpan(*trace);
        for (quint32 i = 0; i < trace->spans.size(); ++i) {
            selection.setSpanIndex(i);
            QTreeWidgetItem* row = details.row(QStringLiteral("Span"), QStringLiteral("Self time"));
            QVERIFY(row);
            QCOMPARE(SpanDetailsView::fullValue(row), formatDuration(selfTimes[i]));
        }
    }

    void operationsTable()
    {
        if (!requireFixtures())
            return;
        const auto trace = loadFixture(QStringLiteral("zipkin-v2/skew.json"));
        QVERIFY(trace);
        TraceView view(trace);
        QAbstractItemModelTester tester(view.operationsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(view.operationsTable()->isHidden());
        QSignalSpy ready(&view, &TraceView::operationsReady);
        view.operationsButton()->click();
        QVERIFY(!view.operationsTable()->isHidden());
        QTRY_COMPARE(ready.size(), 1);
        const auto expected = SelfTime::perOperation(*trace);
        const OperationTableModel& model = *view.operationsModel();
        QCOMPARE(model.rowCount(), int(expected.size()));
        qint64 count = 0, total = 0, self = 0, expectedCount = 0, expectedTotal = 0, expectedSelf = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            count
                += model.index(row, OperationTableModel::CountColumn).data(OperationTableModel::SortRole).toLongLong();
            total
                += model.index(row, OperationTableModel::TotalColumn).data(OperationTableModel::SortRole).toLongLong();
            self += model.index(row, OperationTableModel::SelfColumn).data(OperationTableModel::SortRole).toLongLong();
        }
        for (const auto& row : expected) {
            expectedCount += row.count;
            expectedTotal += row.totalNs;
            expectedSelf += row.selfNs;
        }
        QCOMPARE(count, expectedCount);
        QCOMPARE(count, qint64(trace->spans.size()));
        QCOMPARE(total, expectedTotal);
        QCOMPARE(self, expectedSelf);
        for (size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(model.index(int(i), OperationTableModel::ServiceColumn).data().toString(),
                QString::fromStdString(expected[i].service));
            QCOMPARE(
                model.index(int(i), OperationTableModel::MaxColumn).data(OperationTableModel::SortRole).toLongLong(),
                expected[i].maxNs);
        }

        // Sorting the view by count works through the proxy.
        QAbstractItemModel* shown = view.operationsTable()->model();
        view.operationsTable()->sortByColumn(OperationTableModel::CountColumn, Qt::AscendingOrder);
        for (int row = 1; row < shown->rowCount(); ++row) {
            QVERIFY(
                shown->index(row - 1, OperationTableModel::CountColumn).data(OperationTableModel::SortRole).toLongLong()
                <= shown->index(row, OperationTableModel::CountColumn)
                       .data(OperationTableModel::SortRole)
                       .toLongLong());
        }

        // Adjusting the clock skew swaps the trace: the table follows.
        view.setClockSkewAdjusted(true);
        QTRY_COMPARE(ready.size(), 2);
        QCOMPARE(model.rowCount(), int(SelfTime::perOperation(*view.selection()->trace()).size()));
    }
};

QTEST_MAIN(TestTraceAnalysisUi)
#include "tst_traceanalysisui.moc"
