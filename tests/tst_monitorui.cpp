// The Monitor tab in the window, on generated traffic with a planted slowdown: the heatmap, the RED table and the
// anomalies follow the cache; a RED row narrows the scope; brushing the slow spans compares them with the rest and
// finds the planted attribute; a value of the comparison becomes a search filter; a cell click lists its traces,
// slowest first; "Compare the errors" compares the failed spans.

#include "cache/tracecache.h"
#include "generator/tracegenerator.h"
#include "latencyheatmapview.h"
#include "mainwindow.h"
#include "monitorpage.h"
#include "redtableview.h"
#include "searchpanel.h"
#include "topologyview.h"
#include "tracelistmodel.h"
#include "tracelistview.h"

#include "testsupport.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace tracemap;

namespace {

constexpr qint64 kMinute = 60'000'000'000;

// 40 minutes of traffic, 400 traces a minute; from minute 25 to 35 half of frontend's GET /api/fraud/search
// requests carry service.version=2.1.0 and take four times as long.
bool fillCache(const QString& path)
{
    GeneratorOptions options;
    options.traces = 16000;
    options.spansPerTrace = 8;
    options.traceIntervalNs = 150'000'000;
    PlantedCause slow;
    slow.kind = PlantedCause::Kind::Latency;
    slow.service = "frontend";
    slow.operation = "GET /api/fraud/search";
    slow.attribute = "service.version=2.1.0";
    slow.fromMinute = 25;
    slow.toMinute = 35;
    slow.factor = 4;
    options.causes = { slow };
    auto cache = TraceCache::open(path);
    if (!cache)
        return false;
    TraceGenerator generator(options);
    std::vector<Trace> batch;
    Trace trace;
    while (generator.next(trace))
        batch.push_back(std::move(trace));
    return (*cache)->storeTraces(batch, QStringLiteral("generated")).has_value();
}

QTreeWidgetItem* findTopLevel(QTreeWidget* tree, const QString& text)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(0) == text)
            return tree->topLevelItem(i);
    }
    return nullptr;
}

} // namespace

class TestMonitorUi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cache = m_dir.filePath(QStringLiteral("cache.sqlite"));
        QVERIFY(fillCache(m_cache));
    }

    void monitorTabFollowsTheCache()
    {
        MainWindow window(m_cache, MainWindow::Persistence::None);
        window.resize(1400, 900);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        MonitorPage* page = window.monitorPage();
        QVERIFY(!page->heatmap()->heatmap()); // computed when the tab is first shown, not before
        window.tabs()->setCurrentWidget(page);
        QTRY_VERIFY_WITH_TIMEOUT(page->heatmap()->heatmap() && window.isSettled(), 60000);
        const std::shared_ptr<const LatencyHeatmap> all = page->heatmap()->heatmap(); // kept: the view replaces it
        const LatencyHeatmap& map = *all;
        qint64 entrySpans = 0;
        auto cache = TraceCache::open(m_cache, TraceCache::OpenMode::MustExist);
        QVERIFY(cache.has_value());
        (void)(*cache)->forEachTrace([&](const Trace& t) {
            for (const Span& s : t.spans)
                entrySpans += s.parent == kNoIndex || s.kind == SpanKind::Server || s.kind == SpanKind::Consumer;
            return true;
        });
        QCOMPARE(map.total(), entrySpans);
        QVERIFY(findTopLevel(page->redTable(), QStringLiteral("frontend")));
        QTreeWidget* anomalies = page->anomalies();
        QVERIFY(anomalies->topLevelItemCount() >= 1);
        QTreeWidgetItem* planted = nullptr;
        for (int i = 0; i < anomalies->topLevelItemCount(); ++i) {
            if (anomalies->topLevelItem(i)->text(0).startsWith(
                    QLatin1String("p95 of frontend GET /api/fraud/search rose")))
                planted = anomalies->topLevelItem(i);
        }
        QVERIFY2(planted, qPrintable(anomalies->topLevelItem(0)->text(0)));
        // The map marks the service with the episode, and only services with one.
        QVERIFY(window.topologyView()->anomalies().contains(QStringLiteral("frontend")));
        for (const QString& service : window.topologyView()->anomalies().keys()) {
            bool named = false;
            for (int i = 0; i < anomalies->topLevelItemCount(); ++i)
                named = named
                    || anomalies->topLevelItem(i)->text(0).contains(QLatin1String(" of ") + service + QLatin1Char(' '));
            QVERIFY2(named, qPrintable(service));
        }

        // A click on the episode: its operation's heatmap with the episode marked, its spans compared with the
        // baseline (the sentence's finding on top), its traces listed in the results, the tab still in front.
        const QString sentence = planted->text(0);
        const QRect plantedRect = anomalies->visualItemRect(planted);
        page->details()->setCurrentIndex(MonitorPage::AnomaliesTab);
        QTest::mouseClick(anomalies->viewport(), Qt::LeftButton, {}, plantedRect.center());
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled() && page->comparison()->topLevelItemCount() > 0, 60000);
        QCOMPARE(window.tabs()->currentWidget(), page);
        QVERIFY(page->heatmap()->markedRange().has_value());
        const qint64 episodeStart = page->heatmap()->markedRange()->first;
        QVERIFY(std::abs(episodeStart - (GeneratorOptions().startNs + 25 * kMinute)) <= kMinute);
        QCOMPARE(window.shownQuery().service, QStringLiteral("frontend"));
        QCOMPARE(window.shownQuery().sinceNs, episodeStart);
        QCOMPARE(page->comparison()->topLevelItem(0)->text(0), QStringLiteral("service.version"));
        bool titled = false; // the comparison's title is the episode's sentence
        for (const QLabel* label : page->findChildren<QLabel*>())
            titled = titled || label->text().startsWith(sentence);
        QVERIFY(titled);

        // The planted operation's row: its heatmap here, its traces in the results.
        // The row, found again each time: every refresh builds the table anew.
        auto plantedRow = [&]() -> QTreeWidgetItem* {
            QTreeWidgetItem* frontend = findTopLevel(page->redTable(), QStringLiteral("frontend"));
            for (int i = 0; frontend && i < frontend->childCount(); ++i) {
                if (frontend->child(i)->text(0) == QLatin1String("GET /api/fraud/search"))
                    return frontend->child(i);
            }
            return nullptr;
        };
        QVERIFY(plantedRow());
        Q_EMIT page->redTable()->itemActivated(plantedRow(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        QCOMPARE(window.shownQuery().service, QStringLiteral("frontend"));
        QCOMPARE(window.shownQuery().operation, QStringLiteral("GET /api/fraud/search"));
        window.tabs()->setCurrentWidget(page);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        const std::shared_ptr<const LatencyHeatmap> operation = page->heatmap()->heatmap();
        const LatencyHeatmap& narrow = *operation;
        QVERIFY(narrow.total() < map.total());
        // Back to the search's scope: the whole heatmap again, the map still marking every episode.
        auto* whole = page->findChild<QPushButton*>(QStringLiteral("wholeScope"));
        QVERIFY(whole && whole->isVisible());
        window.tabs()->setCurrentWidget(page);
        whole->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        QCOMPARE(page->heatmap()->heatmap()->total(), map.total());
        QVERIFY(!whole->isVisible());
        QVERIFY(window.topologyView()->anomalies().contains(QStringLiteral("frontend")));
        QVERIFY(plantedRow());
        Q_EMIT page->redTable()->itemActivated(plantedRow(), 0); // narrow again
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        window.tabs()->setCurrentWidget(page);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        QCOMPARE(page->heatmap()->heatmap()->total(), narrow.total());

        // Brushing the slow spans of the episode: a real drag over the plot, from the episode's first column and
        // the top row to its last column and the middle row.
        const int first = narrow.columnOf(narrow.startNs + 26 * kMinute);
        const int last = narrow.columnOf(narrow.startNs + 33 * kMinute);
        QWidget* plot = reinterpret_cast<QWidget*>(page->heatmap()->plot());
        const QPoint from = page->heatmap()->cellCenter(first, narrow.rows - 1).toPoint();
        const QPoint to = page->heatmap()->cellCenter(last, narrow.rows / 2).toPoint();
        QTest::mousePress(plot, Qt::LeftButton, {}, from);
        QMouseEvent move(QEvent::MouseMove, to, plot->mapToGlobal(to), Qt::NoButton, Qt::LeftButton, {});
        QApplication::sendEvent(plot, &move);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
        QVERIFY(page->heatmap()->selectedRegion().has_value());
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled() && page->comparison()->topLevelItemCount() > 0, 60000);
        QTreeWidgetItem* top = page->comparison()->topLevelItem(0);
        QCOMPARE(top->text(0), QStringLiteral("service.version"));
        QTreeWidgetItem* planted210 = nullptr;
        for (int i = 0; i < top->childCount(); ++i) {
            if (top->child(i)->text(0) == QLatin1String("2.1.0"))
                planted210 = top->child(i);
        }
        QVERIFY(planted210);
        QVERIFY(planted210->font(0).bold()); // the value that gives the score
        for (int i = 0; i < page->comparison()->topLevelItemCount(); ++i) // ids are left out
            QVERIFY(page->comparison()->topLevelItem(i)->text(0) != QLatin1String("enduser.id"));

        // The value as a search filter.
        Q_EMIT page->comparison()->itemActivated(planted210, 0);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        QCOMPARE(window.findChild<QLineEdit*>(QStringLiteral("tags"))->text(), QStringLiteral("service.version=2.1.0"));
        QCOMPARE(window.shownQuery().tags.size(), size_t(1));
        QVERIFY(window.resultsView()->model()->rowCount() > 0);

        // A cell click: the traces started in the cell's minute that last at least its shortest duration, slowest
        // first.
        window.tabs()->setCurrentWidget(page);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        const QPoint cell = page->heatmap()->cellCenter(first, narrow.rows / 2).toPoint();
        QTest::mouseClick(plot, Qt::LeftButton, {}, cell);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled() && window.tabs()->currentWidget() != page, 60000);
        const LatencyHeatmapView::Region bounds = page->heatmap()->cellRegion(first, narrow.rows / 2);
        QCOMPARE(window.shownQuery().sinceNs, bounds.startNs);
        QCOMPARE(window.shownQuery().untilNs, bounds.endNs - 1);
        QCOMPARE(window.shownQuery().minDurationNs, bounds.minDurationNs);
        QAbstractItemModel* results = window.resultsView()->model();
        QVERIFY(results->rowCount() > 1);
        for (int r = 1; r < results->rowCount(); ++r) {
            const TraceSummary* before = window.resultsView()->summaryAt(results->index(r - 1, 0));
            const TraceSummary* after = window.resultsView()->summaryAt(results->index(r, 0));
            QVERIFY(before->durationNs >= after->durationNs);
        }

        // The errors of the scope against its other spans.
        window.tabs()->setCurrentWidget(page);
        page->findChild<QPushButton*>(QStringLiteral("compareErrors"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled() && page->comparison()->topLevelItemCount() > 0, 60000);
        for (int i = 0; i < page->comparison()->topLevelItemCount(); ++i) // what defines an error is left out
            QVERIFY(page->comparison()->topLevelItem(i)->text(0) != QLatin1String("error"));
    }

private:
    QTemporaryDir m_dir;
    QString m_cache;
};

QTEST_MAIN(TestMonitorUi)
#include "tst_monitorui.moc"
