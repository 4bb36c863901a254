// Live in the window, offscreen: the Live control starts and stops a receiver on the window's cache and counts what
// arrives; follow shows new traces without losing the selected row or the scroll position, and gives an open trace
// its late spans in place; the Live settings persist and apply; a port in use is an error shown, not a crash.
// Spans are posted over loopback to the endpoint the window shows, as a sender would.
#include "flamechartview.h"
#include "livecontroller.h"
#include "livesettings.h"
#include "livesettingsdialog.h"
#include "mainwindow.h"
#include "searchpanel.h"
#include "tracelistmodel.h"
#include "tracelistview.h"
#include "traceselection.h"
#include "traceview.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace tracemap;

namespace {

constexpr qint64 kBaseNs = 1767225600000000000; // 2026-01-01T00:00:00Z
constexpr qint64 kSecond = 1000000000;

struct SpanSpec {
    QString traceId; // 32 hex digits
    QString spanId; // 16 hex digits
    QString parentId; // empty for a root
    QString name;
    qint64 startNs = kBaseNs;
    qint64 endNs = kBaseNs + kSecond;
};

// One OTLP/HTTP JSON request with these spans of service "shop".
QByteArray otlpJson(const std::vector<SpanSpec>& spans)
{
    QStringList items;
    for (const SpanSpec& s : spans) {
        items << QStringLiteral(R"({"traceId":"%1","spanId":"%2","parentSpanId":"%3","name":"%4",)"
                                R"("startTimeUnixNano":"%5","endTimeUnixNano":"%6"})")
                     .arg(s.traceId, s.spanId, s.parentId, s.name)
                     .arg(s.startNs)
                     .arg(s.endNs);
    }
    return QStringLiteral(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
                          R"({"stringValue":"shop"}}]},"scopeSpans":[{"spans":[%1]}]}]})")
        .arg(items.join(QLatin1Char(',')))
        .toUtf8();
}

QString traceHex(int n)
{
    return QStringLiteral("%1").arg(n + 1, 32, 16, QLatin1Char('0'));
}

QString spanHex(int n)
{
    return QStringLiteral("%1").arg(n + 1, 16, 16, QLatin1Char('0'));
}

// Settings that listen on free ports, so tests never collide with each other or a running Tracemap.
LiveSettings anyPorts()
{
    LiveSettings settings;
    settings.otlpHttpPort = 0;
    settings.otlpGrpcPort = 0;
    settings.zipkinPort = 0;
    return settings;
}

QString otlpUrl(const LiveController* live)
{
    for (const auto& endpoint : live->listening()) {
        if (endpoint.protocol == QLatin1String("OTLP/HTTP"))
            return endpoint.url;
    }
    return QString();
}

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

TraceId traceIdOf(const QString& hex)
{
    return *parseTraceIdText(hex);
}

} // namespace

class TestLiveWindow : public QObject {
    Q_OBJECT

    QNetworkAccessManager m_network;

    // Posts to the URL the window shows; the HTTP status (0 when there is no answer).
    int post(const QString& url, const QByteArray& body)
    {
        QNetworkRequest request { QUrl(url) };
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply* reply = m_network.post(request, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(30000))
            return 0;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return status;
    }

    // A window on a fresh cache, live on free ports (settings in memory only).
    std::unique_ptr<MainWindow> liveWindow(const QTemporaryDir& dir, QSize size = QSize(1200, 800))
    {
        auto window
            = std::make_unique<MainWindow>(dir.filePath(QStringLiteral("cache.sqlite")), MainWindow::Persistence::None);
        window->resize(size);
        window->show();
        window->live()->setSettings(anyPorts());
        window->live()->liveAction()->trigger();
        return window;
    }

    static QString currentTrace(const TraceListView* view)
    {
        const TraceSummary* summary = view->summaryAt(view->currentIndex());
        return summary ? QString::fromStdString(summary->traceId.toHex()) : QString();
    }

    static QString topVisibleTrace(const TraceListView* view)
    {
        const TraceSummary* summary = view->summaryAt(view->indexAt(QPoint(0, 0)));
        return summary ? QString::fromStdString(summary->traceId.toHex()) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings stay out of the user's files
        QSettings().remove(QStringLiteral("live"));
    }

    void startStopAndCounts()
    {
        QTemporaryDir dir;
        auto window = liveWindow(dir);
        LiveController* live = window->live();
        QTRY_COMPARE(live->state(), LiveController::State::On);
        QVERIFY(live->liveAction()->isChecked());
        QVERIFY(live->isFollowing()); // on by default while live
        const QString url = otlpUrl(live);
        QVERIFY(url.startsWith(QLatin1String("http://127.0.0.1:")));
        QVERIFY(url.endsWith(QLatin1String("/v1/traces")));
        // The status widget tells where to send.
        QToolButton* status = live->statusButton();
        QVERIFY(status->toolTip().contains(url));
        QVERIFY(status->text().contains(QLatin1String("0 received")));

        // Two valid spans and one with an all-zero trace id, which is rejected (partial success).
        QCOMPARE(post(url,
                     otlpJson({ { traceHex(1), spanHex(1), QString(), QStringLiteral("GET /") },
                         { traceHex(1), spanHex(2), spanHex(1), QStringLiteral("SELECT") },
                         { QString(32, QLatin1Char('0')), spanHex(3), QString(), QStringLiteral("bad") } })),
            200);
        QTRY_VERIFY(status->text().contains(QLatin1String("2 received")));
        QVERIFY(status->text().contains(QLatin1String("0 refused")));
        QVERIFY(status->text().contains(QLatin1String("1 rejected")));
        QVERIFY(status->text().contains(QLatin1String("spans/s")));

        live->liveAction()->trigger(); // stop
        QTRY_COMPARE(live->state(), LiveController::State::Off);
        QVERIFY(!live->liveAction()->isChecked());
        QCOMPARE(live->counters().committed, 2);
        QVERIFY(live->listening().empty());
        QCOMPARE(post(url, otlpJson({ { traceHex(2), spanHex(4), QString(), QStringLiteral("late") } })), 0);
        // The spans stay in the cache: the results show the trace.
        QTRY_COMPARE(window->resultsView()->model()->rowCount(), 1);

        // And it starts again.
        live->liveAction()->trigger();
        QTRY_COMPARE(live->state(), LiveController::State::On);
        QVERIFY(!otlpUrl(live).isEmpty());
    }

    void followKeepsSelectionAndScroll()
    {
        QTemporaryDir dir;
        // Short, so that 80 rows scroll.
        auto window = liveWindow(dir, QSize(1000, 500));
        LiveController* live = window->live();
        QTRY_COMPARE(live->state(), LiveController::State::On);
        std::vector<SpanSpec> spans;
        for (int i = 0; i < 80; ++i)
            spans.push_back({ traceHex(100 + i), spanHex(100 + i), QString(), QStringLiteral("op %1").arg(i),
                kBaseNs + i * kSecond, kBaseNs + i * kSecond + kSecond / 2 });
        QCOMPARE(post(otlpUrl(live), otlpJson(spans)), 200);
        TraceListView* results = window->resultsView();
        QTRY_COMPARE(results->model()->rowCount(), 80);
        QTRY_VERIFY(window->isSettled());

        // Scrolled into the middle, a row in view selected.
        results->verticalScrollBar()->setValue(results->verticalScrollBar()->maximum() / 2);
        QVERIFY(results->verticalScrollBar()->value() > 0);
        const QModelIndex picked = results->indexAt(QPoint(10, results->viewport()->height() / 2));
        QVERIFY(picked.isValid());
        results->setCurrentIndex(picked);
        const QString selected = currentTrace(results);
        const QString top = topVisibleTrace(results);
        QVERIFY(!selected.isEmpty() && !top.isEmpty() && selected != top);

        // A newer trace arrives: it sorts first (newest start at the top), above the rows in view.
        const qint64 followedBefore = window->liveFollowedCommitted();
        QSignalSpy formChanged(window->searchPanel(), &SearchPanel::serviceChanged);
        QCOMPARE(post(otlpUrl(live),
                     otlpJson({ { traceHex(500), spanHex(500), QString(), QStringLiteral("newest"),
                         kBaseNs + 1000 * kSecond, kBaseNs + 1001 * kSecond } })),
            200);
        QTRY_COMPARE(results->model()->rowCount(), 81);
        QVERIFY(window->liveFollowedCommitted() > followedBefore);
        QCOMPARE(results->summaryAt(results->model()->index(0, 0))->traceId, traceIdOf(traceHex(500)));
        QCOMPARE(currentTrace(results), selected);
        QCOMPARE(results->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(results->selectionModel()->selectedRows().first().row(), results->currentIndex().row());
        QCOMPARE(topVisibleTrace(results), top);
        // The same services: the form was left alone (an open popup stays open).
        QTRY_VERIFY(window->isSettled());
        QCOMPARE(formChanged.count(), 0);

        // Follow off: new traces wait for the next search.
        live->followAction()->trigger();
        QVERIFY(!live->isFollowing());
        const qint64 committed = live->counters().committed;
        QCOMPARE(
            post(otlpUrl(live), otlpJson({ { traceHex(501), spanHex(501), QString(), QStringLiteral("unseen") } })),
            200);
        QTRY_VERIFY(live->counters().committed > committed); // a tick later: the status shows it, the list does not
        QCOMPARE(results->model()->rowCount(), 81);
    }

    void openTraceGainsLateSpanInPlace()
    {
        QTemporaryDir dir;
        auto window = liveWindow(dir);
        LiveController* live = window->live();
        QTRY_COMPARE(live->state(), LiveController::State::On);
        const QString trace = traceHex(7);
        QCOMPARE(post(otlpUrl(live),
                     otlpJson({ { trace, spanHex(70), QString(), QStringLiteral("checkout"), kBaseNs,
                                    kBaseNs + 10 * kSecond },
                         { trace, spanHex(71), spanHex(70), QStringLiteral("reserve"), kBaseNs + kSecond,
                             kBaseNs + 3 * kSecond } })),
            200);
        QTRY_COMPARE(window->resultsView()->model()->rowCount(), 1);
        const int tabs = window->tabs()->count();
        window->openTrace(traceIdOf(trace), 0);
        QTRY_COMPARE(window->tabs()->count(), tabs + 1);
        auto* view = qobject_cast<TraceView*>(window->tabs()->widget(tabs));
        QVERIFY(view);
        QCOMPARE(view->trace()->spans.size(), size_t(2));
        // The user selected the child and zoomed in.
        const auto& before = view->trace()->spans;
        for (quint32 i = 0; i < before.size(); ++i) {
            if (before[i].id == spanHex(71).toULongLong(nullptr, 16))
                view->selection()->setSpanIndex(i);
        }
        QVERIFY(view->selection()->span());
        FlameChartView* flame = view->flameChart();
        QTRY_VERIFY(!flame->isLayoutPending());
        flame->setVisibleRange(0.5 * kSecond, 4.0 * kSecond);
        const double start = flame->visibleStartNs();
        const double end = flame->visibleEndNs();

        // A late span of the same trace, inside the root's interval.
        QCOMPARE(post(otlpUrl(live),
                     otlpJson({ { trace, spanHex(72), spanHex(70), QStringLiteral("charge"), kBaseNs + 4 * kSecond,
                         kBaseNs + 6 * kSecond } })),
            200);
        QTRY_COMPARE(view->trace()->spans.size(), size_t(3));
        // In place: the same tab, the same span selected, the same time range in view.
        QCOMPARE(window->tabs()->count(), tabs + 1);
        QCOMPARE(window->tabs()->widget(tabs), view);
        QVERIFY(view->selection()->span());
        QCOMPARE(view->selection()->span()->id, spanHex(71).toULongLong(nullptr, 16));
        QCOMPARE(view->selection()->trace(), view->trace());
        QTRY_VERIFY(!flame->isLayoutPending());
        QCOMPARE(flame->visibleStartNs(), start);
        QCOMPARE(flame->visibleEndNs(), end);
    }

    void settingsPersistAndApply()
    {
        QSettings().remove(QStringLiteral("live"));
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("cache.sqlite"));
        const quint16 port = freePort();
        {
            MainWindow window(cache, MainWindow::Persistence::Saved);
            window.show();
            QCOMPARE(window.live()->settings(), LiveSettings()); // the defaults: loopback, 4318, 9411
            window.live()->settingsAction()->trigger();
            auto* dialog = window.findChild<LiveSettingsDialog*>();
            QVERIFY(dialog);
            QTRY_VERIFY(dialog->isVisible());

            // Another machine's reach without a token is refused, with the reason in the dialog.
            dialog->addressEdit()->setText(QStringLiteral("0.0.0.0"));
            dialog->accept();
            QVERIFY(dialog->isVisible());
            QVERIFY(dialog->problemLabel()->isVisible());
            QVERIFY(dialog->problemLabel()->text().contains(QLatin1String("token")));
            QCOMPARE(LiveSettings::load(), LiveSettings());

            dialog->addressEdit()->setText(QStringLiteral("127.0.0.1"));
            dialog->otlpHttpPortBox()->setValue(port);
            dialog->zipkinPortBox()->setValue(0);
            dialog->maxAgeBox()->setValue(90);
            dialog->maxCacheBox()->setValue(500);
            dialog->tokenEdit()->setText(QStringLiteral("s3cret"));
            dialog->accept();
            QTRY_VERIFY(!dialog->isVisible());
        }
        const LiveSettings saved = LiveSettings::load();
        QCOMPARE(saved.otlpHttpPort, int(port));
        QCOMPARE(saved.zipkinPort, 0);
        QCOMPARE(saved.maxAgeMinutes, 90);
        QCOMPARE(saved.maxCacheMegabytes, 500);
        QCOMPARE(saved.token, QStringLiteral("s3cret"));
        const auto options = saved.toOptions(cache);
        QVERIFY(options);
        QCOMPARE(options->writer.retention.maxAgeNs.value_or(0), 90 * 60 * kSecond);
        QCOMPARE(options->writer.retention.maxBytes.value_or(0), qint64(500000000));
        QCOMPARE(options->token, QByteArray("s3cret"));

        // The next window starts with them: the configured port, and the token required.
        MainWindow window(cache, MainWindow::Persistence::Saved);
        window.show();
        QCOMPARE(window.live()->settings(), saved);
        window.live()->start();
        QTRY_COMPARE(window.live()->state(), LiveController::State::On);
        QCOMPARE(otlpUrl(window.live()), QStringLiteral("http://127.0.0.1:%1/v1/traces").arg(port));
        QCOMPARE(
            post(otlpUrl(window.live()), otlpJson({ { traceHex(9), spanHex(9), QString(), QStringLiteral("x") } })),
            401);

        // A window without persistence (screenshots) leaves them alone.
        {
            MainWindow scratch(dir.filePath(QStringLiteral("other.sqlite")), MainWindow::Persistence::None);
            QCOMPARE(scratch.live()->settings(), LiveSettings());
            scratch.live()->setSettings(anyPorts());
        }
        QCOMPARE(LiveSettings::load(), saved);
        QSettings().remove(QStringLiteral("live"));
    }

    void portInUseIsShown()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dir;
        MainWindow window(dir.filePath(QStringLiteral("cache.sqlite")), MainWindow::Persistence::None);
        window.show();
        LiveSettings settings = anyPorts();
        settings.otlpHttpPort = taken.serverPort();
        window.live()->setSettings(settings);
        window.live()->liveAction()->trigger();
        QTRY_VERIFY(window.findChild<QMessageBox*>(QStringLiteral("liveError")));
        auto* box = window.findChild<QMessageBox*>(QStringLiteral("liveError"));
        QTRY_VERIFY(box->isVisible());
        QVERIFY(box->informativeText().contains(QString::number(taken.serverPort())));
        QCOMPARE(window.live()->state(), LiveController::State::Off);
        QVERIFY(!window.live()->liveAction()->isChecked());
        QVERIFY(window.live()->statusButton()->text().contains(QLatin1String("failed")));
        QVERIFY(window.live()->statusButton()->toolTip().contains(window.live()->lastError()));
        box->close();

        // Once the port is free, it starts.
        taken.close();
        window.live()->liveAction()->trigger();
        QTRY_COMPARE(window.live()->state(), LiveController::State::On);
        QVERIFY(window.live()->lastError().isEmpty());
    }
};

QTEST_MAIN(TestLiveWindow)
#include "tst_livewindow.moc"
