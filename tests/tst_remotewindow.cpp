// The window against back ends, as a user meets them: a connection chosen as the search dock's source lists that
// back end's services and operations, Find lists its traces (nothing fetched yet), opening one fetches it into the
// cache and opens its tab, a cached trace opens without the network, "Fetch all" imports the search's traces
// without asking again, Tempo's form gains TraceQL, and the map shows a back end's dependency links.
#include "cache/tracecache.h"
#include "connectionsdialog.h"
#include "generator/generatedfile.h"
#include "mainwindow.h"
#include "remoteconnections.h"
#include "remotesearchcontroller.h"
#include "resultspage.h"
#include "searchpanel.h"
#include "tagcompleter.h"
#include "topologypage.h"
#include "topologyview.h"
#include "tracelistview.h"

#include "fakebackend.h"
#include "testsupport.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace tracemap;
using fakebackend::json;
using fakebackend::Request;

namespace {

const QByteArray kHotrodId = "2ea75461946a7dd10f2c15ab36a076cb";

bool settle(MainWindow& window, int timeoutMs = 30000)
{
    return QTest::qWaitFor([&window] { return window.isSettled(); }, timeoutMs);
}

QStringList items(const QComboBox* box)
{
    QStringList list;
    for (int i = 0; i < box->count(); ++i)
        list << box->itemText(i);
    return list;
}

qint64 cachedTraces(const QString& path)
{
    auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
    return cache ? (*cache)->traceCount() : -1;
}

RemoteConnection connectionTo(const QString& name, remote::BackendKind kind, const QUrl& url)
{
    RemoteConnection c;
    c.name = name;
    c.kind = kind;
    c.endpoint.baseUrl = url;
    return c;
}

/// A Jaeger query service (before v2.19: no trace summaries) whose search finds HotROD's trace and a Node.js one.
void serveJaeger(fakebackend::Server& server)
{
    const QByteArray hotrod
        = testsupport::readAll(testsupport::fixture(QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json")));
    server.route(
        "/api/v3/services", [](const Request&) { return json(R"({"services":["frontend","driver","route"]})"); });
    server.route("/api/v3/operations",
        [](const Request&) { return json(R"({"operations":[{"name":"HTTP GET /dispatch","spanKind":"server"}]})"); });
    // The search finds HotROD's trace and a Node.js one (4 spans), in one api_v3 body.
    QJsonObject both = QJsonDocument::fromJson(hotrod).object();
    QJsonObject result = both.value(QStringLiteral("result")).toObject();
    QJsonArray resourceSpans = result.value(QStringLiteral("resourceSpans")).toArray();
    const QJsonDocument node = QJsonDocument::fromJson(testsupport::readAll(
        testsupport::fixture(QStringLiteral("otlp-json/nodejs-multi-resourcespans-combined.json"))));
    for (const QJsonValue& rs : node.object().value(QStringLiteral("resourceSpans")).toArray())
        resourceSpans.append(rs);
    result.insert(QStringLiteral("resourceSpans"), resourceSpans);
    both.insert(QStringLiteral("result"), result);
    const QByteArray search = QJsonDocument(both).toJson(QJsonDocument::Compact);
    server.route("/api/v3/traces", [search](const Request&) { return json(search); });
    server.route("/api/v3/traces/" + kHotrodId, [hotrod](const Request&) { return json(hotrod); });
    server.route("/api/dependencies", [](const Request&) {
        return json(
            R"({"data":[{"parent":"frontend","child":"driver","callCount":12},)"
            R"({"parent":"frontend","child":"route","callCount":10},{"parent":"driver","child":"redis","callCount":30}]})");
    });
}

} // namespace

class TestRemoteWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Without an organization QSettings writes nothing (status AccessError), and saving a connection says so.
        QCoreApplication::setOrganizationName(QStringLiteral("tracemap-tests"));
        QVERIFY(testsupport::requireFixtures());
    }

    void searchOpenAndFetchFromJaeger()
    {
        auto server = std::make_unique<fakebackend::Server>();
        serveJaeger(*server);
        QTemporaryDir dir;
        const QString cachePath = dir.filePath(QStringLiteral("cache.sqlite"));
        MainWindow window(cachePath, MainWindow::Persistence::None);
        window.show();
        QVERIFY(settle(window));

        RemoteConnection jaeger = connectionTo(QStringLiteral("staging"), remote::BackendKind::Jaeger, server->url());
        jaeger.endpoint.headers = { { "Authorization", "Bearer s3cret" } };
        QVERIFY(window.connections()->save(jaeger));
        SearchPanel* panel = window.searchPanel();
        auto* source = panel->findChild<QComboBox*>(QStringLiteral("source"));
        QCOMPARE(items(source), QStringList({ QStringLiteral("Local cache"), QStringLiteral("staging") }));

        // The back end's services and operations fill the form.
        QVERIFY(panel->setSource(QStringLiteral("staging")));
        auto* services = panel->findChild<QComboBox*>(QStringLiteral("service"));
        QTRY_COMPARE(items(services).mid(1),
            QStringList({ QStringLiteral("driver"), QStringLiteral("frontend"), QStringLiteral("route") }));
        panel->find(); // "(all services)": Jaeger needs one, said next to Find
        QCOMPARE(panel->message(), QStringLiteral("Jaeger searches one service at a time: choose a service"));
        QVERIFY(panel->setService(QStringLiteral("frontend")));
        auto* operations = panel->findChild<QComboBox*>(QStringLiteral("operation"));
        QTRY_COMPARE(items(operations).mid(1), QStringList({ QStringLiteral("HTTP GET /dispatch") }));
        QCOMPARE(server->requests.last().item(QStringLiteral("service")), QStringLiteral("frontend"));

        // Find lists the back end's traces; nothing is in the cache yet. The download's progress reaches the window.
        QSignalSpy found(&window, &MainWindow::searchFinished);
        QSignalSpy progress(window.remoteSearch(), &RemoteSearchController::progress);
        panel->find();
        QTRY_COMPARE(found.count(), 1);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), progress.last().at(1).toLongLong()); // the whole body, in the end
        QCOMPARE(window.resultsView()->model()->rowCount(), 2);
        const TraceSummary* row = nullptr;
        for (int i = 0; i < 2; ++i) {
            const TraceSummary* summary = window.resultsView()->summaryAt(window.resultsView()->model()->index(i, 0));
            if (QByteArray::fromStdString(summary->traceId.toHex()) == kHotrodId)
                row = summary;
        }
        QVERIFY(row);
        const TraceId hotrod = row->traceId; // the rows go with the next search
        QCOMPARE(row->spanCount, 40);
        QVERIFY2(window.resultsPage()->note().startsWith(QStringLiteral("Traces in staging (Jaeger)")),
            qPrintable(window.resultsPage()->note()));
        QVERIFY(window.resultsPage()
                    ->findChild<QToolButton*>(QStringLiteral("fetchAll"))
                    ->isVisibleTo(window.resultsPage()));
        QCOMPARE(server->paths().last(), QByteArray("/api/v3/traces"));
        QCOMPARE(server->requests.last().item(QStringLiteral("query.service_name")), QStringLiteral("frontend"));
        QCOMPARE(cachedTraces(cachePath), 0);

        // Opening it fetches it into the cache, then opens its tab.
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        Q_EMIT window.resultsView()->traceActivated(row->traceId);
        QTRY_COMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), QString::fromLatin1(kHotrodId));
        QCOMPARE(server->paths().last(), QByteArray("/api/v3/traces/" + kHotrodId));
        for (const Request& r : server->requests)
            QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer s3cret"));
        QCOMPARE(cachedTraces(cachePath), 1);

        // "Fetch all" imports the search's saved traces, the other one too: no new request.
        const qsizetype asked = server->requests.size();
        window.resultsPage()->findChild<QToolButton*>(QStringLiteral("fetchAll"))->click();
        QTRY_VERIFY(window.statusText().contains(QStringLiteral("fetched into the cache")));
        QVERIFY2(window.statusText().contains(QStringLiteral(": 2 traces, 44 spans fetched")),
            qPrintable(window.statusText()));
        QCOMPARE(server->requests.size(), asked);
        QCOMPARE(cachedTraces(cachePath), 2);

        // The map: the back end's dependency links for a window, beside the maps built from traces.
        auto* scope = window.topologyPage()->findChild<QComboBox*>(QStringLiteral("topologyScope"));
        const int links = scope->findText(QStringLiteral("Dependency links of staging"));
        QVERIFY(links >= 0);
        scope->setCurrentIndex(links);
        QTRY_COMPARE(window.topologyView()->topology().nodes.size(), size_t(4));
        QCOMPARE(window.topologyView()->topology().edges.size(), size_t(3));
        QCOMPARE(server->paths().last(), QByteArray("/api/dependencies"));
        QCOMPARE(server->requests.last().item(QStringLiteral("lookback")), QString::number(24 * 3600 * 1000LL));
        // They stay on the map while searches run (the flame graph follows those), until another map is chosen.
        found.clear();
        panel->find();
        QTRY_COMPARE(found.count(), 1);
        QVERIFY(settle(window));
        QCOMPARE(window.topologyView()->topology().nodes.size(), size_t(4));
        scope->setCurrentIndex(0); // the search results' services: the two cached traces
        QTRY_VERIFY(window.topologyView()->topology().nodes.size() > 4);

        // Offline: the server is gone, the trace opens from the cache.
        server.reset();
        while (window.tabs()->count() > 4)
            window.tabs()->removeTab(4);
        opened.clear();
        Q_EMIT window.resultsView()->traceActivated(hotrod);
        QTRY_COMPARE(opened.count(), 1);

        // Back to the local cache: its own services, with what was fetched; the back end's list goes.
        QVERIFY(panel->setSource(QString()));
        QTRY_VERIFY(items(services).contains(QStringLiteral("redis-manual")));
        QCOMPARE(window.resultsView()->model()->rowCount(), 0);
        QCOMPARE(window.resultsPage()->note(), QStringLiteral("Find Traces searches the local cache."));
        QVERIFY(!window.resultsPage()
                     ->findChild<QToolButton*>(QStringLiteral("fetchAll"))
                     ->isVisibleTo(window.resultsPage()));
    }

    // The chosen source outlives the window: the next one searches the same connection.
    void sourceIsRestored()
    {
        fakebackend::Server server;
        serveJaeger(server);
        QTemporaryDir dir;
        const QString cachePath = dir.filePath(QStringLiteral("cache.sqlite"));
        RemoteConnection jaeger = connectionTo(QStringLiteral("restored"), remote::BackendKind::Jaeger, server.url());
        {
            MainWindow first(cachePath, MainWindow::Persistence::Saved);
            first.show();
            QVERIFY(settle(first));
            (void)first.connections()->remove(jaeger.name); // left by an interrupted run
            const auto saved = first.connections()->save(jaeger);
            QVERIFY2(saved, saved ? "" : qPrintable(saved.error()));
            QVERIFY(first.searchPanel()->setSource(jaeger.name));
            QVERIFY(settle(first));
            first.close();
        }
        MainWindow second(cachePath, MainWindow::Persistence::Saved);
        second.show();
        QVERIFY(settle(second));
        QCOMPARE(second.searchPanel()->source(), jaeger.name);
        QVERIFY(second.remoteSearch()->isRemote());
        QTRY_VERIFY(items(second.searchPanel()->findChild<QComboBox*>(QStringLiteral("service")))
                        .contains(QStringLiteral("route")));
        QVERIFY(second.connections()->remove(jaeger.name)); // leave the test settings as they were
        QCOMPARE(second.searchPanel()->source(), QString());
        QVERIFY(!second.remoteSearch()->isRemote());
    }

    // The README's pictures (TRACEMAP_SCREENSHOTS=DIR): a search of generated traces against a Jaeger that has only
    // the older /api (the client falls back), and the map of a back end's dependency links.
    void screenshots()
    {
        const QString shots = qEnvironmentVariable("TRACEMAP_SCREENSHOTS");
        if (shots.isEmpty())
            QSKIP("set TRACEMAP_SCREENSHOTS=DIR to save the README's pictures");
        QTemporaryDir dir;
        GeneratorOptions options;
        options.traces = 40;
        options.spansPerTrace = 30;
        options.services = 10;
        options.startNs = (QDateTime::currentMSecsSinceEpoch() - 50 * 60 * 1000) * 1'000'000;
        options.traceIntervalNs = 70LL * 1'000'000'000;
        const QString generated = dir.filePath(QStringLiteral("traces.json"));
        QVERIFY(writeGeneratedFile(options, "jaeger", generated));
        const QByteArray traces = testsupport::readAll(generated);
        QStringList names;
        for (const GeneratedService& service : TraceGenerator::services(options))
            names << QString::fromStdString(service.name);
        fakebackend::Server server;
        server.route("/api/services", [&](const Request&) {
            return json(
                QJsonDocument(QJsonObject { { QStringLiteral("data"), QJsonArray::fromStringList(names) } }).toJson());
        });
        server.route("/api/traces", [&](const Request&) { return json(traces); });
        server.route("/api/dependencies", [](const Request&) {
            return json(
                testsupport::readAll(testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-small-dag.json"))));
        });

        MainWindow window(dir.filePath(QStringLiteral("cache.sqlite")), MainWindow::Persistence::None);
        window.resize(1400, 860);
        window.show();
        QVERIFY(settle(window));
        RemoteConnection jaeger = connectionTo(QStringLiteral("production"), remote::BackendKind::Jaeger, server.url());
        QVERIFY(window.connections()->save(jaeger));
        SearchPanel* panel = window.searchPanel();
        QVERIFY(panel->setSource(QStringLiteral("production")));
        QTRY_VERIFY(panel->findChild<QComboBox*>(QStringLiteral("service"))->count() > 1);
        QSignalSpy found(&window, &MainWindow::searchFinished);
        panel->find();
        QTRY_COMPARE(found.count(), 1);
        QVERIFY(window.resultsView()->model()->rowCount() > 10);
        QTest::qWait(200);
        QVERIFY(window.grab().save(shots + QStringLiteral("/remote-search.png")));

        window.tabs()->setCurrentWidget(window.topologyPage());
        auto* scope = window.topologyPage()->findChild<QComboBox*>(QStringLiteral("topologyScope"));
        scope->setCurrentIndex(scope->findText(QStringLiteral("Dependency links of production")));
        QTRY_VERIFY(!window.topologyView()->topology().nodes.empty());
        QVERIFY(settle(window));
        QTest::qWait(300);
        QVERIFY(window.grab().save(shots + QStringLiteral("/remote-links.png")));

        // The Connections dialog, tested against the same server.
        RemoteConnection secured = jaeger;
        secured.endpoint.headers = { { "Authorization", "Bearer s3cret" } };
        QVERIFY(window.connections()->save(secured, jaeger.name));
        ConnectionsDialog dialog(*window.connections(), &window);
        dialog.show();
        dialog.setForm(secured);
        QSignalSpy tested(&dialog, &ConnectionsDialog::tested);
        dialog.testConnection();
        QTRY_COMPARE(tested.count(), 1);
        QVERIFY(tested.at(0).at(0).toBool());
        QTest::qWait(100);
        QVERIFY(dialog.grab().save(shots + QStringLiteral("/connections.png")));
    }

    // Zipkin's tags are its annotation query: pairs and bare words.
    void zipkinAnnotationQuery()
    {
        fakebackend::Server server;
        server.route("/api/v2/services", [](const Request&) { return json(R"(["frontend"])"); });
        server.route("/api/v2/traces", [](const Request&) { return json("[]"); });
        QTemporaryDir dir;
        MainWindow window(dir.filePath(QStringLiteral("cache.sqlite")), MainWindow::Persistence::None);
        window.show();
        QVERIFY(settle(window));
        RemoteConnection zipkin = connectionTo(QStringLiteral("zipkin"), remote::BackendKind::Zipkin, server.url());
        QVERIFY(window.connections()->save(zipkin));
        SearchPanel* panel = window.searchPanel();
        QVERIFY(panel->setSource(QStringLiteral("zipkin")));
        panel->findChild<QLineEdit*>(QStringLiteral("tags"))
            ->setText(QStringLiteral("http.path=/api retried and error"));
        QSignalSpy found(&window, &MainWindow::searchFinished);
        panel->find();
        QTRY_COMPARE(found.count(), 1);
        QCOMPARE(server.paths().last(), QByteArray("/api/v2/traces"));
        QCOMPARE(server.requests.last().item(QStringLiteral("annotationQuery")),
            QStringLiteral("http.path=/api and retried and error"));
        QCOMPARE(window.resultsView()->model()->rowCount(), 0);
    }

    // Tempo's form has TraceQL; a failure (401) is said next to Find, naming the URL.
    void tempoFormAndErrors()
    {
        fakebackend::Server server;
        server.route("/api/v2/search/tag/resource.service.name/values",
            [](const Request&) { return json(R"({"tagValues":[{"type":"string","value":"cart"}]})"); });
        server.route("/api/search/tags", [](const Request& r) {
            return json(r.item(QStringLiteral("scope")) == QLatin1String("resource")
                    ? R"({"tagNames":["service.name"]})"
                    : R"({"tagNames":["http.url","service.name"]})");
        });
        server.route("/api/v2/search/tag/.http.url/values", [](const Request&) {
            return json(R"({"tagValues":[{"type":"string","value":"/cart"},{"type":"string","value":"/pay now"}]})");
        });
        server.route("/api/search", [](const Request& r) {
            if (r.item(QStringLiteral("q")) != QLatin1String("{ status = error }"))
                return json("{}", 400);
            auto refused = json("unauthorized", 401);
            return refused;
        });
        QTemporaryDir dir;
        MainWindow window(dir.filePath(QStringLiteral("cache.sqlite")), MainWindow::Persistence::None);
        window.show();
        QVERIFY(settle(window));
        RemoteConnection tempo = connectionTo(QStringLiteral("tempo"), remote::BackendKind::Tempo, server.url());
        QVERIFY(window.connections()->save(tempo));
        SearchPanel* panel = window.searchPanel();
        auto* traceQl = panel->findChild<QLineEdit*>(QStringLiteral("traceQl"));
        QVERIFY(!traceQl->isVisibleTo(panel));
        QVERIFY(panel->setSource(QStringLiteral("tempo")));
        QVERIFY(traceQl->isVisibleTo(panel));
        QTRY_COMPARE(items(panel->findChild<QComboBox*>(QStringLiteral("service"))).mid(1),
            QStringList({ QStringLiteral("cart") }));
        // The Tags field completes Tempo's attribute names, then a name's values, asked for when "name=" is typed.
        TagCompleter* completer = panel->tagCompleter();
        QTRY_COMPARE(completer->keys(), QStringList({ QStringLiteral("http.url"), QStringLiteral("service.name") }));
        auto* tags = panel->findChild<QLineEdit*>(QStringLiteral("tags"));
        tags->setFocus();
        QTest::keyClicks(tags, QStringLiteral("http"));
        QAbstractItemView* popup = completer->findChild<QCompleter*>()->popup();
        QTRY_VERIFY(popup->isVisible());
        QTest::keyClick(popup, Qt::Key_Down);
        QTest::keyClick(popup, Qt::Key_Return);
        QCOMPARE(tags->text(), QStringLiteral("http.url="));
        QTRY_COMPARE(completer->candidates(),
            QStringList({ QStringLiteral("http.url=/cart"), QStringLiteral("http.url=\"/pay now\"") }));
        QCOMPARE(server.paths().last(), QByteArray("/api/v2/search/tag/.http.url/values"));
        QTRY_VERIFY(popup->isVisible());
        QTest::keyClick(popup, Qt::Key_Down);
        QTest::keyClick(popup, Qt::Key_Down);
        QTest::keyClick(popup, Qt::Key_Return);
        QCOMPARE(tags->text(), QStringLiteral("http.url=\"/pay now\" "));
        tags->clear();

        traceQl->setText(QStringLiteral("{ status = error }"));
        panel->find();
        QTRY_VERIFY(!panel->message().isEmpty());
        QCOMPARE(
            panel->message(), QStringLiteral("401 from %1/api/search: check the token").arg(server.url().toString()));
        QVERIFY(panel->setSource(QString()));
        QVERIFY(!traceQl->isVisibleTo(panel));
    }
};

QTEST_MAIN(TestRemoteWindow)
#include "tst_remotewindow.moc"
