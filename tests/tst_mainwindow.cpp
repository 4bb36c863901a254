// The desktop shell on the offscreen platform: import, search results, trace tabs, span details, drag and drop,
// errors, search and cancel during an import, dependency-link files, settings between sessions, closed tabs.
#include "analysis/topologybuilder.h"
#include "cache/tracecache.h"
#include "flamegraphview.h"
#include "generator/generatedfile.h"
#include "mainwindow.h"
#include "searchpanel.h"
#include "spandetailsview.h"
#include "startpage.h"
#include "topologydetails.h"
#include "topologypage.h"
#include "topologyview.h"
#include "tracelistmodel.h"
#include "tracelistview.h"
#include "traceselection.h"
#include "traceview.h"

#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFutureWatcher>
#include <QIcon>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPixmap>
#include <QPointer>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

#include <sqlite3.h>

using namespace tracemap;
using testsupport::fixture;
using testsupport::requireFixtures;

namespace {

const QString kHotrod = QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json");

bool waitForSignal(QObject* sender, const char* signal, int timeoutMs = 60000)
{
    QSignalSpy spy(sender, signal);
    return spy.wait(timeoutMs);
}

QStringList visibleTexts(QWidget* root)
{
    QStringList texts;
    for (auto* tree : root->findChildren<QTreeWidget*>()) {
        for (QTreeWidgetItemIterator it(tree); *it; ++it) {
            for (int c = 0; c < tree->columnCount(); ++c)
                texts << (*it)->text(c) << (*it)->toolTip(c);
        }
    }
    for (auto* view : root->findChildren<QAbstractItemView*>()) {
        QAbstractItemModel* model = view->model();
        if (!model)
            continue;
        std::vector<QModelIndex> stack { QModelIndex() };
        while (!stack.empty() && texts.size() < 100000) {
            const QModelIndex parent = stack.back();
            stack.pop_back();
            for (int r = 0; r < model->rowCount(parent); ++r) {
                for (int c = 0; c < model->columnCount(parent); ++c)
                    texts << model->index(r, c, parent).data().toString();
                stack.push_back(model->index(r, 0, parent));
            }
        }
    }
    return texts;
}

// A point on the drawn curve of an edge, in widget coordinates: what a click on the call hits.
QPoint edgeClickPoint(TopologyView* view, int edge)
{
    for (const auto& g : view->geometry().edges) {
        if (static_cast<int>(g.edge) == edge && g.path.size() >= 4) {
            const QPointF p0 = g.path[0], c1 = g.path[1], c2 = g.path[2], p1 = g.path[3];
            const QPointF mid = p0 * 0.125 + c1 * 0.375 + c2 * 0.375 + p1 * 0.125; // the Bézier at t = 0.5
            return view->toWidget(mid).toPoint();
        }
    }
    return {};
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString freshCache(const QString& name) { return m_dir.filePath(name + QStringLiteral(".sqlite")); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings and caches stay out of the user's files
        QSettings().clear(); // nothing left from an earlier run
        QVERIFY(m_dir.isValid());
    }

    void emptyCacheShowsStartPage()
    {
        MainWindow window(freshCache(QStringLiteral("empty")));
        window.show();
        QVERIFY(waitForSignal(&window, SIGNAL(searchFinished(int))));
        QTRY_VERIFY(window.findChild<StartPage*>()->isVisible());
    }

    void openingAFixtureFillsResultsAndATraceTab()
    {
        if (!requireFixtures())
            return;
        MainWindow window(freshCache(QStringLiteral("hotrod")));
        window.show();
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        QSignalSpy searched(&window, &MainWindow::searchFinished);
        window.openFiles({ fixture(kHotrod) });
        QVERIFY(imported.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(window.resultsView()->model()->rowCount() == 1, 10000);
        QVERIFY(!window.findChild<StartPage*>()->isVisible());

        TraceListView* results = window.resultsView();
        QAbstractItemModelTester tester(results->traceModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            results->proxyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const TraceSummary* summary = results->summaryAt(results->model()->index(0, 0));
        QVERIFY(summary);
        QCOMPARE(summary->rootService, QStringLiteral("frontend"));
        QCOMPARE(summary->spanCount, 40);
        QCOMPARE(summary->errorCount, 3);
        QVERIFY(
            results->model()->index(0, TraceListModel::Root).data().toString().contains(QStringLiteral("/dispatch")));

        // Enter on the selected result opens the trace in a tab.
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        results->setFocus();
        results->setCurrentIndex(results->model()->index(0, 0));
        QTest::keyClick(results, Qt::Key_Return);
        QVERIFY(opened.wait(20000));
        QCOMPARE(window.tabs()->count(), MainWindow::kFixedTabs + 1); // results, topology, flame graph, the trace
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        const auto trace = view->selection()->trace();
        QCOMPARE(trace->spans.size(), size_t(40));

        // Selecting a span shows its attributes: the HotROD customer service's SQL span carries a known
        // attribute (its database statement mentions the customer table).
        quint32 mysql = kNoIndex;
        for (quint32 i = 0; i < trace->spans.size() && mysql == kNoIndex; ++i) {
            if (trace->serviceName(trace->spans[i]) == "mysql")
                mysql = i;
        }
        QVERIFY(mysql != kNoIndex);
        view->selection()->setSpanIndex(mysql);
        const QStringList texts = visibleTexts(view->findChild<SpanDetailsView*>());
        QVERIFY2(texts.contains(QStringLiteral("SQL SELECT")), qPrintable(texts.mid(0, 60).join(QLatin1Char('|'))));
        QVERIFY2(texts.contains(QStringLiteral("sql.query")), qPrintable(texts.mid(0, 60).join(QLatin1Char('|'))));

        // Ctrl+W closes the trace tab; the results and topology tabs stay.
        QTest::keySequence(&window, QKeySequence::Close);
        QTRY_COMPARE(window.tabs()->count(), MainWindow::kFixedTabs);
        QTest::keySequence(&window, QKeySequence::Close);
        QCOMPARE(window.tabs()->count(), MainWindow::kFixedTabs);
    }

    // The topology tab maps the services of the results; clicking a service lists its traces, clicking a call
    // lists the traces that make it.
    void topologyTabFollowsTheResults()
    {
        if (!requireFixtures())
            return;
        MainWindow window(freshCache(QStringLiteral("topology")));
        window.show();
        QSignalSpy laidOut(window.topologyView(), &TopologyView::laidOut);
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        window.openFiles({ fixture(kHotrod), fixture(QStringLiteral("zipkin-v2/yelp.json")) });
        QVERIFY(imported.wait(60000));
        const auto describe = [&window] {
            QStringList nodes;
            for (const auto& node : window.topologyView()->topology().nodes)
                nodes << QString::fromStdString(node.name);
            return QStringLiteral("laid out %1, %2 results, nodes: %3")
                .arg(window.topologyView()->isLaidOut())
                .arg(window.resultsView()->model()->rowCount())
                .arg(nodes.join(QLatin1Char(',')));
        };
        // The map of the final results, not of a search that ran while the second file was importing.
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), 60000);
        QVERIFY2(window.topologyView()->isLaidOut() && window.topologyView()->topology().nodeIndex("redis-manual") >= 0,
            qPrintable(describe()));
        const Topology& map = window.topologyView()->topology();
        // The flame graph of the same results merges their call paths: HotROD's root frame and yelp's.
        QTRY_VERIFY_WITH_TIMEOUT(window.flameGraphView()->flameGraph() != nullptr, 10000);
        const FlameGraph* flame = window.flameGraphView()->flameGraph();
        QCOMPARE(flame->traceCount(), size_t(2));
        QVERIFY(flame->child(0, "frontend:GET /dispatch") != kNoIndex);
        QVERIFY(map.nodeIndex("frontend") >= 0);
        QCOMPARE(window.topologyView()->geometry().nodes.size(), map.nodes.size());

        // A selected call lists its traces in the map's panel; the results stay as they were.
        TopologyView* view = window.topologyView();
        auto* page = window.topologyPage();
        window.tabs()->setCurrentWidget(page);
        const int results = window.resultsView()->model()->rowCount();
        QVERIFY(view->selectService(QStringLiteral("customer")));
        QTRY_COMPARE(page->details()->traceList()->model()->rowCount(), 1); // only HotROD has the customer service
        for (const auto& [from, to, traces] : { std::tuple { "driver", "redis-manual", 1 } }) {
            const int edge = [&] {
                for (size_t i = 0; i < map.edges.size(); ++i) {
                    if (map.nodes[map.edges[i].from].name == from && map.nodes[map.edges[i].to].name == to)
                        return static_cast<int>(i);
                }
                return -1;
            }();
            QVERIFY(edge >= 0);
            QTest::mouseClick(view, Qt::LeftButton, {}, edgeClickPoint(view, edge));
            QCOMPARE(view->selectedEdge(), edge);
            QTRY_COMPARE(page->details()->traceList()->model()->rowCount(), traces);
        }
        QCOMPARE(window.resultsView()->model()->rowCount(), results);
    }

    void droppingAFileOpensIt()
    {
        if (!requireFixtures())
            return;
        MainWindow window(freshCache(QStringLiteral("drop")));
        window.show();
        QVERIFY(waitForSignal(&window, SIGNAL(searchFinished(int))));
        QMimeData mime;
        mime.setUrls({ QUrl::fromLocalFile(fixture(QStringLiteral("zipkin-v2/yelp.json"))) });
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(imported.wait(30000));
        QTRY_COMPARE(window.resultsView()->model()->rowCount(), 1);
    }

    void badFileShowsErrorAndLeavesCacheUnchanged()
    {
        if (!requireFixtures())
            return;
        const QString cachePath = freshCache(QStringLiteral("bad"));
        MainWindow window(cachePath);
        window.show();
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        window.openFiles({ fixture(kHotrod) });
        QVERIFY(imported.wait(60000));

        const QString bad = m_dir.filePath(QStringLiteral("truncated.json"));
        QByteArray bytes = testsupport::readAll(fixture(QStringLiteral("zipkin-v2/yelp.json")));
        QVERIFY(testsupport::writeFile(bad, bytes.left(bytes.size() / 2)));
        window.openFiles({ bad, fixture(QStringLiteral("zipkin-v2/skew.json")) }); // the good file still imports
        QVERIFY(imported.wait(60000));
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("importErrors"))) != nullptr);
        QVERIFY2(box->detailedText().contains(QStringLiteral("truncated.json")),
            qPrintable(box->detailedText() + QStringLiteral(" / ") + box->text()));
        QVERIFY(box->detailedText().contains(QStringLiteral("unexpected end of file")));
        box->close();

        auto cache = TraceCache::open(cachePath);
        QVERIFY(cache.has_value());
        QCOMPARE((*cache)->traceCount(), 2); // HotROD and skew.json; nothing of the truncated file
    }

    void searchPanelParsesTagsAndDurations()
    {
        const auto tags = parseTags(QStringLiteral(R"(http.status_code=500 error=true name="a b")"));
        const auto* pairs = std::get_if<0>(&tags);
        QVERIFY(pairs);
        QCOMPARE(pairs->size(), size_t(3));
        QCOMPARE((*pairs)[2].second, QStringLiteral("a b"));
        QVERIFY(std::holds_alternative<QString>(parseTags(QStringLiteral("novalue"))));
    }

    // While an import runs, the window answers searches (queries have their own worker and SQLite's WAL lets them
    // read), and Cancel stops the import with the cache unchanged. Another connection holds the cache's write
    // lock meanwhile, so the import is certainly still waiting for it on its worker while the test acts.
    void searchAndCancelDuringAnImport()
    {
        const QString file = m_dir.filePath(QStringLiteral("some.json"));
        GeneratorOptions options;
        options.traces = 300;
        options.spansPerTrace = 20;
        QVERIFY(writeGeneratedFile(options, "jaeger", file).has_value());
        const QString cachePath = freshCache(QStringLiteral("busy"));
        MainWindow window(cachePath);
        window.show();
        QVERIFY(waitForSignal(&window, SIGNAL(searchFinished(int))));

        sqlite3* writer = nullptr;
        const auto release = qScopeGuard([&writer] { sqlite3_close(writer); }); // also when a check fails
        QCOMPARE(sqlite3_open(cachePath.toUtf8().constData(), &writer), SQLITE_OK);
        // The window's workers open and close connections; the last one to close checkpoints, holding the lock
        // for a moment: wait for it as the window's own connections do.
        sqlite3_busy_timeout(writer, 5000);
        QCOMPARE(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        QSignalSpy searched(&window, &MainWindow::searchFinished);
        window.openFiles({ file });
        QVERIFY(window.isImporting());
        window.search(TraceQuery {});
        QVERIFY(searched.wait(4000)); // well within the importer's 5 s wait for the lock
        QCOMPARE(searched.last().at(0).toInt(), 0);
        QVERIFY(window.isImporting());
        QCOMPARE(imported.size(), 0);

        auto* cancel = window.findChild<QToolButton*>(QStringLiteral("cancelImport"));
        QVERIFY(cancel);
        QTRY_VERIFY(cancel->isVisible()); // the import has started on its worker
        QVERIFY(window.isImporting());
        cancel->click();
        QCOMPARE(sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
        QVERIFY(imported.wait(60000));
        QVERIFY(!window.isImporting());
        QTRY_VERIFY(!cancel->isVisible());
        auto cache = TraceCache::open(cachePath);
        QVERIFY(cache.has_value());
        QCOMPARE((*cache)->traceCount(), 0);
    }

    // A dependency-link file holds a service graph, not spans: opening it shows the map, and the cache is unchanged.
    void dependencyLinkFileOpensTheMap()
    {
        const QString file = m_dir.filePath(QStringLiteral("links.json"));
        QVERIFY(testsupport::writeFile(file,
            R"([{"parent":"web","child":"orders","callCount":12},{"parent":"orders","child":"db","callCount":30,"errorCount":2}])"));
        const QString cachePath = freshCache(QStringLiteral("links"));
        MainWindow window(cachePath);
        window.show();
        QVERIFY(waitForSignal(&window, SIGNAL(searchFinished(int))));
        QSignalSpy laidOut(window.topologyView(), &TopologyView::laidOut);
        window.openFiles({ file });
        QCOMPARE(window.tabs()->currentWidget(), window.topologyPage());
        QTRY_VERIFY_WITH_TIMEOUT(window.topologyView()->isLaidOut() && !laidOut.isEmpty(), 30000);
        QStringList names;
        for (const auto& node : window.topologyView()->topology().nodes)
            names << QString::fromStdString(std::string(node.name));
        names.sort();
        QCOMPARE(names, (QStringList { QStringLiteral("db"), QStringLiteral("orders"), QStringLiteral("web") }));
        QCOMPARE(window.topologyView()->topology().edges.size(), size_t(2));
        QVERIFY(!window.isImporting());
        auto cache = TraceCache::open(cachePath);
        QVERIFY(cache.has_value());
        QCOMPARE((*cache)->traceCount(), 0);
        cache->reset();

        // Opened as the window starts (tracemap FILE, tracemap screenshot FILE), before the first search of the
        // empty cache: that search neither replaces the map nor brings back the start page.
        MainWindow early(cachePath);
        early.show();
        early.openFiles({ file });
        QVERIFY(waitForSignal(&early, SIGNAL(searchFinished(int))));
        QTRY_VERIFY_WITH_TIMEOUT(early.isSettled(), 30000);
        QCOMPARE(early.tabs()->currentWidget(), early.topologyPage());
        QVERIFY(early.tabs()->isVisible());
        QCOMPARE(early.topologyView()->topology().nodes.size(), size_t(3));
    }

    // The search form and the recent files outlive the window: a new window starts where the last one was left.
    void settingsKeptBetweenSessions()
    {
        if (!requireFixtures())
            return;
        QVariantMap form;
        {
            MainWindow window(freshCache(QStringLiteral("session1")));
            window.show();
            QVERIFY(waitForSignal(&window, SIGNAL(searchFinished(int))));
            QSignalSpy imported(&window, &MainWindow::importsFinished);
            window.openFiles({ fixture(kHotrod) });
            QVERIFY(imported.wait(60000));
            QVariantMap state = window.searchPanel()->state();
            QVERIFY(!state.isEmpty());
            state[QStringLiteral("service")] = QStringLiteral("frontend");
            state[QStringLiteral("tags")] = QStringLiteral("error=true");
            state[QStringLiteral("minDuration")] = QStringLiteral("5ms");
            state[QStringLiteral("limit")] = 37;
            window.searchPanel()->restoreState(state);
            form = window.searchPanel()->state();
            window.close(); // saves the settings
        }
        MainWindow again(freshCache(QStringLiteral("session2")));
        const QVariantMap restored = again.searchPanel()->state();
        for (const char* key : { "tags", "minDuration", "limit" })
            QCOMPARE(restored.value(QLatin1String(key)), form.value(QLatin1String(key)));
        QSettings().clear(); // the next tests (and runs) start from a fresh form
        QStringList recent;
        for (auto* menu : again.findChildren<QMenu*>()) {
            for (QAction* action : menu->actions())
                recent << action->text();
        }
        QVERIFY2(recent.join(QLatin1Char('|')).contains(QFileInfo(fixture(kHotrod)).fileName()),
            qPrintable(recent.join(QLatin1Char('|'))));
    }

    // A link in the span details opens the linked trace from the cache, in its own tab, with the linked span
    // selected.
    void linkOpensItsCachedTrace()
    {
        if (!requireFixtures())
            return;
        MainWindow window(freshCache(QStringLiteral("links-traces")));
        window.show();
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        window.openFiles({ fixture(QStringLiteral("otlp-json/jaeger-storage-links-events-all-kinds.json")) });
        QVERIFY(imported.wait(60000));
        const TraceId linking { 0x2, 0 };
        const TraceId linked { 0x1, 0 };
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        window.openTrace(linking, 3);
        QVERIFY(opened.wait(20000));
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        QCOMPARE(view->selection()->trace()->id, linking);
        QVERIFY(view->selection()->span());
        QCOMPARE(view->selection()->span()->id, SpanId(3));

        auto* details = view->findChild<SpanDetailsView*>();
        QVERIFY(details);
        QTreeWidgetItem* link = nullptr;
        for (QTreeWidgetItemIterator it(details); *it && !link; ++it) {
            if ((*it)->data(0, SpanDetailsView::LinkRole).isValid()
                && (*it)->text(1).contains(QString::fromStdString(linked.toHex())))
                link = *it;
        }
        QVERIFY2(link, qPrintable(visibleTexts(details).join(QLatin1Char('|'))));
        const int tabs = window.tabs()->count();
        Q_EMIT details->itemActivated(link, 0);
        QVERIFY(opened.wait(20000));
        QCOMPARE(window.tabs()->count(), tabs + 1);
        auto* target = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(target && target != view);
        QCOMPARE(target->selection()->trace()->id, linked);
        QVERIFY(target->selection()->span());
        QCOMPARE(target->selection()->span()->id, SpanId(4));
    }

    // A trace tab closed before its analyses come back from the worker drops their results with it; the window
    // goes on working (a new tab of the same trace fills as usual).
    void resultForAClosedTabIsDropped()
    {
        if (!requireFixtures())
            return;
        MainWindow window(freshCache(QStringLiteral("closed")));
        window.show();
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        window.openFiles({ fixture(kHotrod) });
        QVERIFY(imported.wait(60000));
        const TraceId hotrod { 0x2ea75461946a7dd1ull, 0x0f2c15ab36a076cbull };
        for (int round = 0; round < 5; ++round) {
            QSignalSpy opened(&window, &MainWindow::traceOpened);
            window.openTrace(hotrod);
            QVERIFY(opened.wait(20000));
            QPointer<TraceView> view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
            QVERIFY(view);
            QTest::keySequence(&window, QKeySequence::Close); // at once: analyses are still on the worker
            QTRY_VERIFY(view.isNull());
            QCOMPARE(window.tabs()->count(), MainWindow::kFixedTabs);
        }
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        window.openTrace(hotrod);
        QVERIFY(opened.wait(20000));
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        QCOMPARE(view->selection()->trace()->spans.size(), size_t(40));
        QTRY_VERIFY_WITH_TIMEOUT(view->findChildren<QFutureWatcherBase*>().isEmpty(), 20000);
    }

    // Help ▸ About: the version, the licence and every library the program runs with, by version; the icon it
    // shows (the window's) is in the resources.
    void aboutNamesTheLibraries()
    {
        MainWindow window(freshCache(QStringLiteral("about")));
        const QString about = window.aboutText();
        QVERIFY(about.contains(QStringLiteral("<b>Tracemap %1</b>").arg(QStringLiteral(TRACEMAP_VERSION))));
        QVERIFY(about.contains(QStringLiteral("GPL-3.0-or-later")));
        for (const char* library : { "Qt", "Graphviz", "SQLite", "QCustomPlot", "simdjson", "protobuf", "gRPC" }) {
            static const QRegularExpression version(QStringLiteral("^[0-9]+\\.[0-9]+"));
            const QRegularExpression row(QStringLiteral("<td>%1</td><td>([^<]+)</td>").arg(QLatin1String(library)));
            const auto match = row.match(about);
            QVERIFY2(match.hasMatch() && version.match(match.captured(1)).hasMatch(), library);
        }
        QVERIFY(about.contains(QStringLiteral("<td>Qt</td><td>%1</td>").arg(QLatin1String(qVersion()))));
        const QPixmap icon = QIcon(QStringLiteral(":/icons/tracemap.svg")).pixmap(16, 16);
        QVERIFY(!icon.isNull() && icon.width() == 16);

        // The menu's action shows it.
        QAction* action = nullptr;
        for (QAction* a : window.findChildren<QAction*>()) {
            if (a->text() == QStringLiteral("&About Tracemap"))
                action = a;
        }
        QVERIFY(action);
        QString shown;
        QTimer::singleShot(0, &window, [&] {
            if (auto* box = window.findChild<QMessageBox*>(QStringLiteral("aboutBox"))) {
                shown = box->text();
                if (qEnvironmentVariableIsSet("TRACEMAP_ABOUT_SHOT"))
                    box->grab().save(qEnvironmentVariable("TRACEMAP_ABOUT_SHOT"));
                box->close();
            }
        });
        action->trigger();
        QCOMPARE(shown, about);
    }

    // Trace ▸ Show Its Services on the Map (Ctrl+M): the map of that one trace, not of the whole cache.
    void traceServicesOnTheMap()
    {
        if (!requireFixtures())
            return;
        MainWindow window(freshCache(QStringLiteral("onthemap")));
        window.show();
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        window.openFiles({ fixture(kHotrod), fixture(QStringLiteral("zipkin-v2/messaging-kafka.json")) });
        QTRY_VERIFY_WITH_TIMEOUT(!imported.isEmpty() && !window.isImporting(), 60000);
        const auto names = [](const Topology& t) {
            QStringList out;
            for (const auto& n : t.nodes)
                out << QString::fromStdString(n.name);
            return out;
        };
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        window.openTrace(TraceId { 0x2ea75461946a7dd1ull, 0x0f2c15ab36a076cbull });
        QVERIFY(opened.wait(20000));
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        TopologyBuilder builder;
        builder.add(*view->selection()->trace());
        const QStringList expected = names(builder.build());
        QVERIFY(expected.size() >= 4);
        QVERIFY(!expected.contains(QStringLiteral("kafka"))); // the other file's services are not in it
        QTest::keySequence(&window, QKeySequence(Qt::CTRL | Qt::Key_M));
        QCOMPARE(window.tabs()->currentWidget(), window.topologyPage());
        QCOMPARE(window.topologyPage()->scope(), TopologyPage::Scope::CurrentTrace);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.topologyView()->isLaidOut() && names(window.topologyView()->topology()) == expected, 30000);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
