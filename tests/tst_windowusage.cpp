// Everyday use of the window, as a new user meets it: a restored search that matches its form, opening files
// shows them, Find brings the results to the front, lookup by trace id, keys go to the flame chart, the map fits
// and its clicks select instead of searching, the shortcuts list, settings left alone when asked, and a window of
// 1024×700 that clips nothing.
#include "cache/tracecache.h"
#include "flamechartview.h"
#include "generator/generatedfile.h"
#include "graphvizlayout.h"
#include "mainwindow.h"
#include "resultspage.h"
#include "searchpanel.h"
#include "shortcutshelp.h"
#include "spanfilterproxymodel.h"
#include "topologydetails.h"
#include "topologyexporter.h"
#include "topologypage.h"
#include "topologypainter.h"
#include "topologyview.h"
#include "tracelistview.h"
#include "traceselection.h"
#include "traceview.h"

#include "importsupport.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace tracemap;
using testsupport::fixture;
using testsupport::requireFixtures;

namespace {

const QString kHotrod = QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
const QString kYelp = QStringLiteral("zipkin-v2/yelp.json");

// Waits until the window has nothing on its way (imports, searches, layouts).
bool settle(MainWindow& window, int timeoutMs = 60000)
{
    return QTest::qWaitFor([&window] { return window.isSettled(); }, timeoutMs);
}

QStringList resultRoots(MainWindow& window)
{
    QStringList roots;
    TraceListView* list = window.resultsView();
    for (int row = 0; row < list->model()->rowCount(); ++row)
        roots << list->summaryAt(list->model()->index(row, 0))->rootService;
    roots.sort();
    return roots;
}

Topology namedTopology(const std::vector<std::string>& names)
{
    Topology topology;
    for (const auto& name : names) {
        Topology::Node node;
        node.name = name;
        node.spans = 1;
        topology.nodes.push_back(node);
    }
    std::sort(topology.nodes.begin(), topology.nodes.end(),
        [](const Topology::Node& a, const Topology::Node& b) { return a.name < b.name; });
    for (quint32 i = 1; i < topology.nodes.size(); ++i) {
        Topology::Edge edge;
        edge.from = 0;
        edge.to = i;
        edge.calls = 1;
        topology.edges.push_back(edge);
    }
    return topology;
}

} // namespace

class TestWindowUsage : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString freshCache(const QString& name) { return m_dir.filePath(name + QStringLiteral(".sqlite")); }

    // A cache holding the given fixtures, imported without a window.
    QString cacheWith(const QString& name, const QStringList& fixtures)
    {
        const QString path = freshCache(name);
        auto cache = TraceCache::open(path);
        if (!cache)
            return {};
        for (const QString& f : fixtures) {
            if (!(*cache)->importFile(fixture(f)))
                return {};
        }
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings and caches stay out of the user's files
        QVERIFY(m_dir.isValid());
    }

    void init() { QSettings().clear(); }

    // Blocker 1: a service restored from the last session that this cache lacks is neither shown nor searched.
    void restoredServiceTheCacheLacksIsDropped()
    {
        if (!requireFixtures())
            return;
        QSettings().setValue(QStringLiteral("search/form"),
            QVariantMap { { QStringLiteral("service"), QStringLiteral("frontend") },
                { QStringLiteral("operation"), QStringLiteral("HTTP GET") } });
        MainWindow window(cacheWith(QStringLiteral("restored-missing"), { kYelp }));
        window.show();
        QVERIFY(settle(window));
        SearchPanel* form = window.searchPanel();
        QCOMPARE(form->service(), QString());
        QCOMPARE(form->operation(), QString());
        QCOMPARE(form->findChild<QComboBox*>(QStringLiteral("service"))->currentIndex(), 0);
        QVERIFY(form->message().contains(QStringLiteral("frontend")));
        QCOMPARE(resultRoots(window), QStringList { QStringLiteral("routing") }); // yelp's trace is found
    }

    // A restored service the cache has is shown and searched, with its operation.
    void restoredServiceTheCacheHasIsSearched()
    {
        if (!requireFixtures())
            return;
        QSettings().setValue(QStringLiteral("search/form"),
            QVariantMap { { QStringLiteral("service"), QStringLiteral("customer") },
                { QStringLiteral("operation"), QStringLiteral("GET /customer") } });
        MainWindow window(cacheWith(QStringLiteral("restored-present"), { kYelp, kHotrod }));
        window.show();
        QVERIFY(settle(window));
        QCOMPARE(window.searchPanel()->service(), QStringLiteral("customer"));
        QCOMPARE(window.searchPanel()->findChild<QComboBox*>(QStringLiteral("service"))->currentText(),
            QStringLiteral("customer"));
        QCOMPARE(window.searchPanel()->operation(), QStringLiteral("GET /customer"));
        QCOMPARE(resultRoots(window), QStringList { QStringLiteral("frontend") });
        QVERIFY(!window.resultsPage()->isNoteShown());
    }

    // `screenshot` and tests ask for no persistence: nothing is read from or written to the settings.
    void windowWithoutPersistenceLeavesSettingsAlone()
    {
        if (!requireFixtures())
            return;
        QSettings().setValue(
            QStringLiteral("search/form"), QVariantMap { { QStringLiteral("service"), QStringLiteral("routing") } });
        {
            // The cache has the saved service: only not reading the settings keeps it out of the form.
            MainWindow window(cacheWith(QStringLiteral("no-settings"), { kYelp }), MainWindow::Persistence::None);
            window.show();
            window.openFiles({ fixture(kHotrod), m_dir.filePath(QStringLiteral("missing.json")) });
            QVERIFY(settle(window));
            QCOMPARE(window.searchPanel()->service(), QString()); // the saved form was not read
            window.close();
        }
        QSettings settings;
        QVERIFY(!settings.contains(QStringLiteral("recentFiles")));
        QVERIFY(!settings.contains(QStringLiteral("window/geometry")));
        QCOMPARE(settings.value(QStringLiteral("search/form")).toMap().value(QStringLiteral("service")).toString(),
            QStringLiteral("routing"));
    }

    // Major 2: opening files lists their traces, whatever the form searched, and says how many were imported;
    // "Search with the form" goes back to the form's search.
    void openingFilesShowsTheirTraces()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("open-shows"), { kHotrod }));
        window.show();
        QVERIFY(settle(window));
        QVERIFY(window.searchPanel()->setService(QStringLiteral("frontend")));
        window.searchPanel()->find();
        QVERIFY(settle(window));
        QCOMPARE(resultRoots(window), QStringList { QStringLiteral("frontend") });

        window.openFiles({ fixture(kYelp), fixture(QStringLiteral("zipkin-v2/skew.json")) });
        QVERIFY(settle(window));
        const QStringList opened = resultRoots(window);
        QCOMPARE(opened.size(), 2);
        QVERIFY(!opened.contains(QStringLiteral("frontend")));
        QVERIFY(window.resultsPage()->isNoteShown());
        QVERIFY2(
            window.resultsPage()->note().contains(QStringLiteral("2 files")), qPrintable(window.resultsPage()->note()));
        QVERIFY2(window.statusText().contains(QStringLiteral("2 traces")), qPrintable(window.statusText()));
        QCOMPARE(window.tabs()->currentWidget(), window.resultsPage());

        // The same file again: its trace is unchanged in the cache, and still what was opened.
        window.openFiles({ fixture(kHotrod) });
        QVERIFY(settle(window));
        QCOMPARE(resultRoots(window), QStringList { QStringLiteral("frontend") });
        QVERIFY(window.resultsPage()->note().contains(QStringLiteral("jaeger-apiv3-hotrod-gettrace.json")));

        window.resultsPage()->findChild<QAbstractButton*>(QStringLiteral("formSearch"))->click();
        QVERIFY(settle(window));
        QVERIFY(!window.resultsPage()->isNoteShown());
        QCOMPARE(resultRoots(window), QStringList { QStringLiteral("frontend") }); // the form says frontend
    }

    // Minor 12: Find Traces while a trace tab is in front shows the results.
    void findBringsTheResultsToTheFront()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("find-front"), { kHotrod }));
        window.show();
        QVERIFY(settle(window));
        window.openTrace(window.resultsView()->summaryAt(window.resultsView()->model()->index(0, 0))->traceId);
        QVERIFY(settle(window));
        QVERIFY(qobject_cast<TraceView*>(window.tabs()->currentWidget()));
        window.searchPanel()->find();
        QCOMPARE(window.tabs()->currentWidget(), window.resultsPage());
    }

    // Major 4: a trace opens with the keys in its flame chart; W/A/S/D move the chart, never type into the filter.
    void keysGoToTheFlameChart()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("keys"), { kHotrod }));
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(settle(window));
        window.openTrace(window.resultsView()->summaryAt(window.resultsView()->model()->index(0, 0))->traceId);
        QVERIFY(settle(window));
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        QTRY_COMPARE(QApplication::focusWidget(), view->flameChart());
        const double before = view->flameChart()->visibleEndNs() - view->flameChart()->visibleStartNs();
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("wwaad"));
        QCOMPARE(view->filterEdit()->text(), QString());
        QVERIFY(view->flameChart()->visibleEndNs() - view->flameChart()->visibleStartNs() < before); // zoomed in

        // The filter takes the keys when asked.
        QTest::keySequence(view->flameChart(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
        QTRY_COMPARE(QApplication::focusWidget(), view->filterEdit());
        QTest::keyClicks(view->filterEdit(), QStringLiteral("redis"));
        QCOMPARE(view->filterEdit()->text(), QStringLiteral("redis"));
    }

    // Minor 17: the warnings of an import are summarised by kind, with an example, one click away.
    void importWarningsAreListedByKind()
    {
        const QString file = m_dir.filePath(QStringLiteral("orphan.json"));
        QVERIFY(testsupport::writeFile(file,
            R"([{"traceId":"00000000000000aa","id":"0000000000000001","name":"root","timestamp":1700000000000000,)"
            R"("duration":1000,"localEndpoint":{"serviceName":"a"}},)"
            R"({"traceId":"00000000000000aa","id":"0000000000000002","parentId":"00000000000000ff","name":"lost",)"
            R"("timestamp":1700000000000100,"duration":10,"localEndpoint":{"serviceName":"b"}}])"));
        MainWindow window(freshCache(QStringLiteral("warnings")), MainWindow::Persistence::None);
        window.show();
        window.openFiles({ file });
        QVERIFY(settle(window));
        auto* button = window.findChild<QToolButton*>(QStringLiteral("importWarnings"));
        QVERIFY(button);
        QVERIFY(button->isVisible());
        QVERIFY2(button->text().contains(QStringLiteral("1 span")), qPrintable(button->text()));
        button->click();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("importWarningsDialog"))) != nullptr);
        QVERIFY2(box->detailedText().contains(QStringLiteral("orphan span: 1 (e.g. trace")),
            qPrintable(box->detailedText()));
        QVERIFY(box->detailedText().contains(QStringLiteral("orphan.json")));
        box->close();
    }

    // Minor 13: lookup by trace id in the search panel opens the trace; a wrong id is named.
    void traceIdLookupOpensTheTrace()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("lookup"), { kHotrod, kYelp }));
        window.show();
        QVERIFY(settle(window));
        auto* box = window.searchPanel()->findChild<QLineEdit*>(QStringLiteral("traceId"));
        QVERIFY(box);
        QTest::keyClicks(box, QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb"));
        QTest::keyClick(box, Qt::Key_Return);
        QVERIFY(settle(window));
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        QCOMPARE(QString::fromStdString(view->trace()->id.toHex()), QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb"));

        // A 64-bit id finds the 128-bit trace whose low half it is; several ids are listed with a note.
        window.tabs()->setCurrentWidget(window.resultsPage());
        box->clear();
        QTest::keyClicks(box, QStringLiteral("0f2c15ab36a076cb"));
        QTest::keyClick(box, Qt::Key_Return);
        QVERIFY(settle(window));
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(view)); // its tab again
        box->clear();
        QTest::keyClicks(box, QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb, a03ee8fff1dcd9b9"));
        QTest::keyClick(box, Qt::Key_Return);
        QVERIFY(settle(window));
        QCOMPARE(window.tabs()->currentWidget(), window.resultsPage());
        QCOMPARE(resultRoots(window), (QStringList { QStringLiteral("frontend"), QStringLiteral("routing") }));
        QVERIFY(window.resultsPage()->note().contains(QStringLiteral("a03ee8fff1dcd9b9")));
        box->clear();
        QTest::keyClicks(box, QStringLiteral("00000000000000000000000000000bad"));
        QTest::keyClick(box, Qt::Key_Return);
        QVERIFY(settle(window));
        QVERIFY2(window.searchPanel()->message().contains(QStringLiteral("No trace")),
            qPrintable(window.searchPanel()->message()));

        box->clear();
        QTest::keyClicks(box, QStringLiteral("not-an-id"));
        QTest::keyClick(box, Qt::Key_Return);
        QVERIFY(settle(window));
        QVERIFY2(window.searchPanel()->message().contains(QStringLiteral("not-an-id")),
            qPrintable(window.searchPanel()->message()));
    }

    // Major 3: the map laid out while its tab was hidden fits the canvas when shown, and on resize until the user
    // zooms.
    void mapFitsWhenShownAndResized()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("fit"), { kHotrod }));
        window.resize(1024, 700);
        window.show();
        QVERIFY(settle(window));
        TopologyView* map = window.topologyView();
        QVERIFY(map->isLaidOut());
        window.tabs()->setCurrentWidget(window.topologyPage());
        auto drawnFraction = [map] {
            const QRectF b = map->geometry().bounds;
            const QRectF drawn(map->toWidget(b.topLeft()), map->toWidget(b.bottomRight()));
            return std::max(drawn.width() / map->width(), drawn.height() / map->height());
        };
        QTRY_VERIFY2(drawnFraction() > 0.6, qPrintable(QString::number(drawnFraction())));
        window.resize(1600, 1000);
        QTRY_VERIFY2(drawnFraction() > 0.6, qPrintable(QString::number(drawnFraction())));
        const double zoom = map->zoom();
        QTest::keyClick(map, Qt::Key_Plus);
        QVERIFY(map->isUserPlaced());
        window.resize(1100, 760);
        QTRY_COMPARE(map->width() < 1000, true);
        QCOMPARE(map->zoom(), zoom * 1.25); // the user's zoom stays
        QTest::keyClick(map, Qt::Key_F);
        QVERIFY(!map->isUserPlaced());
    }

    // Major 5: a click selects and the panel shows the service; Find picks the exact name; Focus works on it.
    void mapSelectionFillsThePanelAndKeepsTheSearch()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("map-select"), { kHotrod, kYelp }));
        window.show();
        QVERIFY(settle(window));
        window.tabs()->setCurrentWidget(window.topologyPage());
        TopologyView* map = window.topologyView();
        QTRY_VERIFY(map->isLaidOut() && map->topology().nodeIndex("customer") >= 0);
        const QStringList resultsBefore = resultRoots(window);
        const int customer = map->topology().nodeIndex("customer");
        QPointF centre;
        for (const auto& n : map->geometry().nodes) {
            if (static_cast<int>(n.node) == customer)
                centre = n.box.center();
        }
        QTest::mouseClick(map, Qt::LeftButton, {}, map->toWidget(centre).toPoint());
        QCOMPARE(map->selectedNode(), customer);
        TopologyDetails* panel = window.topologyPage()->details();
        QVERIFY(panel->figuresLabel()->text().contains(QStringLiteral("customer")));
        QTRY_COMPARE(panel->traceList()->model()->rowCount(), 1);
        QVERIFY(settle(window));
        QCOMPARE(resultRoots(window), resultsBefore); // the search was not replaced
        QCOMPARE(window.tabs()->currentWidget(), window.topologyPage());

        // Focus on the selection, in this scope too.
        map->focusSelected(1);
        QVERIFY(settle(window));
        QVERIFY(map->topology().nodes.size() < 4);
        QCOMPARE(map->topology().nodes[static_cast<size_t>(map->selectedNode())].name, std::string("customer"));
        map->showAll();
        QVERIFY(settle(window));

        // A panel's trace opens; "Show in Search Results" is the explicit search. (Show All announced the selection
        // again, so the panel lists its traces anew.)
        QTRY_COMPARE(panel->traceList()->model()->rowCount(), 1);
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        Q_EMIT panel->traceActivated(panel->traceList()->summaryAt(panel->traceList()->model()->index(0, 0))->traceId);
        QVERIFY(opened.wait(10000));
        panel->showInResultsButton()->click();
        QVERIFY(settle(window));
        QCOMPARE(window.tabs()->currentWidget(), window.resultsPage());
        QVERIFY(window.resultsPage()->note().contains(QStringLiteral("customer")));
        QCOMPARE(resultRoots(window), QStringList { QStringLiteral("frontend") });
    }

    void findPrefersTheExactName()
    {
        TopologyView map;
        map.resize(800, 600);
        map.setTopology(namedTopology({ "Service504", "Service50", "Service5000", "Gateway" }));
        QTRY_VERIFY(map.isLaidOut());
        auto name = [&map](int node) { return node < 0 ? std::string() : map.topology().nodes[size_t(node)].name; };
        QCOMPARE(name(map.bestMatch(QStringLiteral("Service50"))), std::string("Service50"));
        QCOMPARE(name(map.bestMatch(QStringLiteral("service504"))), std::string("Service504"));
        QCOMPARE(name(map.bestMatch(QStringLiteral("Serv"))), std::string("Service50")); // the shortest prefix
        QCOMPARE(name(map.bestMatch(QStringLiteral("ice50"))), std::string("Service50"));
        QCOMPARE(map.bestMatch(QStringLiteral("nothing")), -1);
        // A prefix beats a shorter name that merely contains the text.
        TopologyView prefixes;
        prefixes.setTopology(namedTopology({ "cap", "api-gateway" }));
        QCOMPARE(prefixes.topology().nodes[size_t(prefixes.bestMatch(QStringLiteral("ap")))].name,
            std::string("api-gateway"));
        // Among names that contain it alike, the shortest, even when a longer one comes first by name.
        prefixes.setTopology(namedTopology({ "a-pay-long", "b-pay" }));
        QCOMPARE(
            prefixes.topology().nodes[size_t(prefixes.bestMatch(QStringLiteral("pay")))].name, std::string("b-pay"));
        map.highlight(QStringLiteral("Service50"));
        QCOMPARE(name(map.selectedNode()), std::string("Service50")); // Find → Focus works on it
        map.focusSelected(1);
        QTRY_VERIFY(map.isLaidOut());
        QCOMPARE(map.topology().nodes.size(), size_t(2)); // Gateway calls every service: it and Service50
    }

    // A new layout (a new search, Focus, Show All) keeps the service the user clicked, even with text in Find.
    void relayoutKeepsTheClickedService()
    {
        TopologyView map;
        map.resize(800, 600);
        map.show();
        map.setTopology(namedTopology({ "gateway", "orders", "redis" }));
        QTRY_VERIFY(map.isLaidOut());
        auto* find = map.findChild<QLineEdit*>();
        QVERIFY(find);
        find->setText(QStringLiteral("redis")); // typed: selects redis
        QCOMPARE(map.topology().nodes[size_t(map.selectedNode())].name, std::string("redis"));
        const int orders = map.topology().nodeIndex("orders");
        QPointF centre;
        for (const auto& n : map.geometry().nodes) {
            if (int(n.node) == orders)
                centre = n.box.center();
        }
        QTest::mouseClick(&map, Qt::LeftButton, {}, map.toWidget(centre).toPoint());
        QCOMPARE(map.selectedNode(), orders);
        map.setTopology(namedTopology({ "gateway", "orders", "redis", "users" })); // as a new search does
        QTRY_VERIFY(map.isLaidOut());
        QCOMPARE(map.topology().nodes[size_t(map.selectedNode())].name, std::string("orders"));
    }

    // Opening more traces than the results list says how many there were; a lookup of no id is refused.
    void openingManyTracesSaysSoAndEmptyLookupIsRefused()
    {
        const QString file = m_dir.filePath(QStringLiteral("many.json"));
        GeneratorOptions options;
        options.traces = MainWindow::kOpenedTracesShown + 50;
        options.spansPerTrace = 2;
        QVERIFY(writeGeneratedFile(options, "zipkin", file).has_value());
        MainWindow window(freshCache(QStringLiteral("many")), MainWindow::Persistence::None);
        window.show();
        window.openFiles({ file });
        QVERIFY(settle(window, 120000));
        QCOMPARE(window.resultsView()->model()->rowCount(), MainWindow::kOpenedTracesShown);
        QVERIFY2(window.resultsPage()->note().contains(
                     QStringLiteral("the newest %1 of %2").arg(MainWindow::kOpenedTracesShown).arg(options.traces)),
            qPrintable(window.resultsPage()->note()));
        window.lookupTraceIds(QStringLiteral(" , "));
        QVERIFY(settle(window));
        QVERIFY2(window.searchPanel()->message().contains(QStringLiteral("No trace ID")),
            qPrintable(window.searchPanel()->message()));
        QCOMPARE(window.tabs()->count(), MainWindow::kFixedTabs);
    }

    // Minor 20: a database's name sits below its lid; a name slightly wider than its box shrinks, not elides;
    // a service of a dependency-link file is described as such.
    void mapLabelsAndDescriptions()
    {
        const QRectF box(0, 0, 120, 40);
        const QRectF onCylinder = TopologyPainter::nameRect(box, Topology::NodeKind::Database, false);
        QVERIFY(onCylinder.top() >= box.top() + std::min(box.height() * 0.3, 10.0));
        QVERIFY(onCylinder.bottom() <= box.bottom());
        QCOMPARE(TopologyPainter::nameRect(box, Topology::NodeKind::Service, false).top(), box.top() + 2);
        QFont base;
        base.setPixelSize(12);
        base.setBold(true);
        const QString name = QStringLiteral("checkout-service-v2");
        const double width = QFontMetricsF(base).horizontalAdvance(name) * 0.85;
        const QFont fitted = TopologyPainter::nameFont(base, name, width);
        QVERIFY(QFontMetricsF(fitted).horizontalAdvance(name) <= width);
        QCOMPARE(TopologyPainter::nameFont(base, QStringLiteral("db"), width).pixelSize(), 12);

        Topology links = namedTopology({ "a", "b" });
        links.nodes[0].spans = links.nodes[1].spans = 0;
        links.fromDependencyLinks = true;
        TopologyDetails panel;
        panel.showSelection(links, 1, -1);
        QVERIFY(panel.figuresLabel()->text().contains(QStringLiteral("dependency-link file")));
        QVERIFY(!panel.figuresLabel()->text().contains(QStringLiteral("inferred")));
        QVERIFY(!panel.selectionQuery());
        Topology traced = namedTopology({ "a", "b" });
        traced.nodes[1].inferred = true;
        traced.nodes[1].spans = 0;
        panel.showSelection(traced, 1, -1);
        QVERIFY(panel.figuresLabel()->text().contains(QStringLiteral("peer")));
        panel.showSelection(traced, -1, 0);
        QCOMPARE(panel.selectionQuery()->edge->second, QStringLiteral("b"));
    }

    // Major 5: a found service is visible on a map zoomed far out: it is ringed, a dozen pixels at least.
    void highlightVisibleAtAnyZoom()
    {
        std::vector<std::string> names;
        for (int i = 0; i < 60; ++i)
            names.push_back("svc" + std::to_string(i));
        const Topology topology = namedTopology(names);
        auto geometry = GraphvizLayout::layout(topology, LayoutOptions {});
        QVERIFY(geometry.has_value());
        const int found = topology.nodeIndex("svc42");
        auto highlightPixels = [&](double scale, bool withHighlight) {
            QImage image(400, 300, QImage::Format_ARGB32);
            image.fill(Qt::white);
            QPainter painter(&image);
            painter.scale(scale, scale);
            painter.translate(-geometry->bounds.topLeft());
            TopologyPainter::Options options;
            options.palette.setColor(QPalette::Highlight, QColor(0x00, 0x72, 0xb2));
            options.scale = scale;
            if (withHighlight)
                options.highlightedNodes.insert(quint32(found));
            TopologyPainter::paint(painter, topology, *geometry, options);
            painter.end();
            int count = 0;
            for (int y = 0; y < image.height(); ++y) {
                for (int x = 0; x < image.width(); ++x)
                    count += QColor(image.pixel(x, y)).blue() > 150 && QColor(image.pixel(x, y)).red() < 60;
            }
            return count;
        };
        // Zoomed out so far that the whole map is a few hundred pixels wide and a node a couple of pixels.
        const double scale = 300.0 / std::max(geometry->bounds.width(), geometry->bounds.height());
        QVERIFY(scale < 0.2);
        QCOMPARE(highlightPixels(scale, false), 0);
        QVERIFY2(highlightPixels(scale, true) >= 30, qPrintable(QString::number(highlightPixels(scale, true))));
    }

    // Minor 20: exported pictures have a margin: no box touches the edge of the image.
    void exportsHaveAMargin()
    {
        const Topology topology = namedTopology({ "gateway", "orders", "payments" });
        auto geometry = GraphvizLayout::layout(topology, LayoutOptions {});
        QVERIFY(geometry.has_value());
        const QString png = m_dir.filePath(QStringLiteral("map.png"));
        TopologyExporter::Options options;
        options.scale = 1.0;
        QVERIFY(TopologyExporter::write(png, topology, *geometry, options).has_value());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= qRound(geometry->bounds.width()) + 30);
        QVERIFY(image.height() >= qRound(geometry->bounds.height()) + 30);
        const QRgb white = qRgb(255, 255, 255);
        for (int x = 0; x < image.width(); ++x) {
            for (int y : { 0, 10, image.height() - 11, image.height() - 1 })
                QCOMPARE(image.pixel(x, y), white);
        }
        for (int y = 0; y < image.height(); ++y) {
            for (int x : { 0, 10, image.width() - 11, image.width() - 1 })
                QCOMPARE(image.pixel(x, y), white);
        }
        // And something is drawn inside the margin.
        bool drawn = false;
        for (int y = 20; y < image.height() - 20 && !drawn; ++y) {
            for (int x = 20; x < image.width() - 20 && !drawn; ++x)
                drawn = image.pixel(x, y) != white;
        }
        QVERIFY(drawn);
    }

    // Minor 18: the tab's service filter narrows the span tree (with ancestors) and the operations table, and the
    // tree's toolbar says which service is shown.
    void serviceFilterNarrowsEveryPane()
    {
        if (!requireFixtures())
            return;
        auto traces = testsupport::importAll(fixture(kHotrod));
        QVERIFY(traces.has_value());
        QCOMPARE(traces->size(), size_t(1));
        TraceView view(std::make_shared<const Trace>(std::move(traces->front())));
        view.resize(1200, 800);
        view.show();
        view.setOperationsShown(true);
        QSignalSpy operations(&view, &TraceView::operationsReady);
        QVERIFY(operations.wait(10000));
        QSignalSpy applied(&view, &TraceView::filterApplied);
        const auto trace = view.trace();
        const int allRows = view.flameChart()->layout().rowCount();
        // As a user does: the flame chart's service box.
        auto* box = view.flameChart()->findChild<QComboBox*>();
        QVERIFY(box);
        box->setCurrentIndex(box->findText(QStringLiteral("redis-manual")));
        QCOMPARE(view.selection()->serviceFilter(), QStringLiteral("redis-manual"));
        QTRY_VERIFY(applied.count() > 0);
        QTRY_VERIFY(view.flameChart()->layout().rowCount() < allRows);
        size_t redis = 0;
        for (const Span& span : trace->spans)
            redis += trace->serviceName(span) == "redis-manual";
        QCOMPARE(view.filterModel()->matchCount(), redis);
        // Every shown row is a redis-manual span or an ancestor of one.
        std::vector<QModelIndex> stack { QModelIndex() };
        int shownRedis = 0;
        while (!stack.empty()) {
            const QModelIndex parent = stack.back();
            stack.pop_back();
            for (int row = 0; row < view.filterModel()->rowCount(parent); ++row) {
                const QModelIndex index = view.filterModel()->index(row, 0, parent);
                const QString service = index.data().toString();
                shownRedis += service == QStringLiteral("redis-manual");
                if (service != QStringLiteral("redis-manual"))
                    QVERIFY2(view.filterModel()->hasChildren(index), qPrintable(service));
                stack.push_back(index);
            }
        }
        QCOMPARE(size_t(shownRedis), redis);
        QVERIFY(view.findChildren<QLabel*>().size() > 0);
        bool said = false;
        for (auto* label : view.findChildren<QLabel*>())
            said |= label->isVisible() && label->text().contains(QStringLiteral("service redis-manual"));
        QVERIFY(said);
        auto* operationsModel = view.operationsTable()->model();
        QVERIFY(operationsModel->rowCount() > 0);
        for (int row = 0; row < operationsModel->rowCount(); ++row)
            QCOMPARE(operationsModel->index(row, 0).data().toString(), QStringLiteral("redis-manual"));

        view.selection()->setServiceFilter(QString());
        QTRY_VERIFY(!view.filterModel()->isFiltering());
        QCOMPARE(box->currentIndex(), 0); // the chart follows the shared filter back to all services
        QTRY_COMPARE(view.flameChart()->layout().rowCount(), allRows);
    }

    // Minor 11: F1 lists the keys of every view.
    void shortcutsListEveryView()
    {
        const QString html = ShortcutsHelp::html();
        for (const char* key : { "Ctrl+O", "Ctrl+F", "Ctrl+L", "W / S", "A / D", "Esc or 0", "n / N", "Shift+drag",
                 "Double-click", "Ctrl+Shift+F", "Ctrl+C", "F</b>", "Z</b>", "+ / −", "Flame graph" })
            QVERIFY2(html.contains(QString::fromUtf8(key)), key);
    }

    // Minor 22: in a 1024×700 window no label or button is cut, with a trace open.
    void smallWindowClipsNothing()
    {
        if (!requireFixtures())
            return;
        MainWindow window(cacheWith(QStringLiteral("small"), { kHotrod }));
        window.resize(1024, 700);
        window.show();
        QVERIFY(settle(window));
        window.openTrace(window.resultsView()->summaryAt(window.resultsView()->model()->index(0, 0))->traceId);
        QVERIFY(settle(window));
        QCOMPARE(window.size(), QSize(1024, 700));
        for (QWidget* page : { window.tabs()->currentWidget(), static_cast<QWidget*>(window.topologyPage()),
                 static_cast<QWidget*>(window.resultsPage()) }) {
            window.tabs()->setCurrentWidget(page);
            QApplication::processEvents();
            for (auto* button : window.findChildren<QAbstractButton*>()) {
                if (button->isVisible() && !button->text().isEmpty())
                    QVERIFY2(button->width() >= button->minimumSizeHint().width(), qPrintable(button->text()));
            }
            for (auto* label : window.findChildren<QLabel*>()) {
                if (label->isVisible() && !label->wordWrap() && !label->text().isEmpty())
                    QVERIFY2(label->width() >= label->minimumSizeHint().width(), qPrintable(label->text()));
            }
            for (auto* edit : window.findChildren<QDateTimeEdit*>()) {
                if (edit->isVisible())
                    QVERIFY2(edit->width() >= edit->sizeHint().width(), qPrintable(edit->text()));
            }
        }
    }

    // Major 6: a large trace is captured laid out, never "Laying out…": the window says when it is settled.
    void largeTraceSettlesAfterItsLayout()
    {
        const QString file = m_dir.filePath(QStringLiteral("large.pb"));
        GeneratorOptions options;
        options.traces = 1;
        options.spansPerTrace = 60000;
        options.services = 30;
        QVERIFY(writeGeneratedFile(options, "otlp-proto", file).has_value());
        MainWindow window(freshCache(QStringLiteral("large")), MainWindow::Persistence::None);
        window.show();
        window.openFiles({ file });
        QVERIFY(settle(window, 120000));
        window.openTrace(window.resultsView()->summaryAt(window.resultsView()->model()->index(0, 0))->traceId);
        QVERIFY(!window.isSettled());
        QVERIFY(settle(window, 120000));
        auto* view = qobject_cast<TraceView*>(window.tabs()->currentWidget());
        QVERIFY(view);
        QVERIFY(!view->flameChart()->isLayoutPending());
        QVERIFY(view->flameChart()->layout().rowCount() > 0);
    }
};

QTEST_MAIN(TestWindowUsage)
#include "tst_windowusage.moc"
