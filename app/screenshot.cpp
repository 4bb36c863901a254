#include "screenshot.h"

#include "commandline.h"
#include "eventloopwait.h"

#include "flamegraphview.h"
#include "latencyheatmapview.h"
#include "livecontroller.h"
#include "livefeed.h"
#include "mainwindow.h"
#include "monitorpage.h"
#include "topologypage.h"
#include "tracelistview.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPixmap>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QTreeWidget>

namespace tracemap {

namespace {

constexpr int kTimeoutMs = 120000;

template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs = kTimeoutMs)
{
    return turnEventLoopUntil(std::move(done), timeoutMs);
}

// Starts Live on the window's cache and sends it generated traces through its own OTLP/HTTP endpoint, as an SDK
// would, a request every 150 ms for about three seconds; returns once follow has shown every span (the results
// searched again after the last commit) and the window has settled. Ports are any free ones, and the settings stay
// in memory (the window's Persistence::None).
bool feedLive(MainWindow& window, QTextStream& err)
{
    LiveController* live = window.live();
    LiveSettings settings;
    settings.otlpHttpPort = 0;
    settings.otlpGrpcPort = 0;
    settings.zipkinPort = 0;
    live->setSettings(settings);
    live->start();
    if (!waitUntil([live] { return live->state() != LiveController::State::Starting; })
        || live->state() != LiveController::State::On) {
        err << "tracemap screenshot: live did not start: " << live->lastError() << "\n";
        return false;
    }
    GeneratorOptions options;
    options.traces = 60;
    options.spansPerTrace = 40;
    options.services = 10;
    options.seed = 12;
    options.traceIntervalNs = 2000000000;
    // Recent, so the form's lookback finds them.
    options.startNs = (QDateTime::currentMSecsSinceEpoch() - 150 * 1000) * 1000000;
    const LiveFeed feed = generateOtlpRequests(options, 3);
    QString url;
    for (const auto& endpoint : live->listening()) {
        if (endpoint.protocol == QLatin1String("OTLP/HTTP"))
            url = endpoint.url;
    }
    QNetworkAccessManager network;
    int answered = 0;
    int failed = 0;
    for (const QByteArray& body : feed.requests) {
        QNetworkRequest request { QUrl(url) };
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-protobuf"));
        QNetworkReply* reply = network.post(request, body);
        QObject::connect(reply, &QNetworkReply::finished, reply, [reply, &answered, &failed] {
            ++answered;
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
                ++failed;
            reply->deleteLater();
        });
        const int sent = answered;
        waitUntil([&answered, sent] { return answered > sent; }, 10000);
        QEventLoop pause;
        QTimer::singleShot(150, &pause, &QEventLoop::quit);
        pause.exec();
    }
    const auto requests = static_cast<int>(feed.requests.size());
    if (!waitUntil([&answered, requests] { return answered == requests; }) || failed > 0) {
        err << "tracemap screenshot: the live endpoint refused " << failed << " of " << requests << " requests\n";
        return false;
    }
    // Acknowledged means committed; follow shows them at the next tick, then the views settle.
    const qint64 spans = feed.spans;
    return waitUntil([&window, live, spans] {
        return live->counters().committed >= spans && window.isSettled()
            && window.resultsView()->model()->rowCount() > 0 && window.liveFollowedCommitted() >= spans;
    });
}

// The Monitor tab as the view asks. anomalies and red: the episodes or the RED rows of every operation. heatmap:
// the first latency anomaly (else the first one) chosen, which narrows the heatmap to its operation, marks it and
// compares its spans with the baseline; without one, the errors compared.
void showMonitorView(MonitorPage& page, const QString& view)
{
    if (view == QLatin1String("anomalies") || view == QLatin1String("red")) { // every operation of the scope
        page.details()->setCurrentIndex(view == QLatin1String("red") ? MonitorPage::RedTab : MonitorPage::AnomaliesTab);
        return;
    }
    QTreeWidget* anomalies = page.anomalies();
    QTreeWidgetItem* chosen = nullptr;
    for (int i = 0; i < anomalies->topLevelItemCount() && !chosen; ++i) {
        if (anomalies->topLevelItem(i)->text(0).startsWith(QLatin1String("p95 of ")))
            chosen = anomalies->topLevelItem(i);
    }
    if (!chosen && anomalies->topLevelItemCount() > 0
        && page.details()->tabText(MonitorPage::AnomaliesTab) != QLatin1String("Anomalies"))
        chosen = anomalies->topLevelItem(0);
    if (chosen)
        Q_EMIT anomalies->itemActivated(chosen, 0);
    else
        page.findChild<QPushButton*>(QStringLiteral("compareErrors"))->click();
}

// The longest the GUI thread went without turning its event loop, sampled by a 5 ms timer: what a user would feel
// as a frozen window.
class GuiStallMeter {
public:
    GuiStallMeter()
    {
        m_timer.setInterval(5);
        QObject::connect(
            &m_timer, &QTimer::timeout, [this] { m_longestMs = std::max(m_longestMs, m_sinceTick.restart()); });
        m_sinceTick.start();
        m_timer.start();
    }
    qint64 longestMs() const { return m_longestMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_sinceTick;
    qint64 m_longestMs = 0;
};

} // namespace

int Screenshot::run(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QCommandLineOption view(QStringLiteral("view"),
        QStringLiteral(
            "start, search, trace, topology, flamegraph, heatmap, red, anomalies or live (default: "
            "search). heatmap, red and anomalies show the Monitor tab: heatmap with the first anomaly chosen "
            "(its operation, marked and compared; without one, the errors compared), red with the RED "
            "table, anomalies with the episodes listed. live starts receiving and sends generated traces to the "
            "window's own OTLP/HTTP endpoint first."),
        QStringLiteral("name"), QStringLiteral("search"));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The PNG file to write (required)."), QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"),
        QStringLiteral("Window size, WIDTHxHEIGHT (default: 1600x1000)."), QStringLiteral("WxH"),
        QStringLiteral("1600x1000"));
    const QCommandLineOption cacheOption(QStringLiteral("cache"),
        QStringLiteral("Use this cache instead of a fresh temporary one."), QStringLiteral("path"));
    const QCommandLineOption scope(QStringLiteral("scope"),
        QStringLiteral("What the Topology and Flame Graph tabs summarise: results (the search results, default), "
                       "whole (the whole cache) or trace (the trace shown)."),
        QStringLiteral("name"), QStringLiteral("results"));
    const QCommandLineOption timings(QStringLiteral("timings"),
        QStringLiteral("Print to stderr how long the window took: shown, settled (service list, first search and "
                       "the views of its results), the --scope chosen, the --view, and the longest the GUI thread "
                       "was busy."));
    parser.addOptions({ view, output, size, cacheOption, scope, timings });
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Trace files to load first."), QStringLiteral("[FILE...]"));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("Render the window offscreen after loading FILE... and save a PNG. A file that cannot be "
                           "imported is reported here and makes the exit code 1 (the picture is still written)."),
            exitCode))
        return exitCode;

    const QString viewName = parser.value(view);
    const QStringList views { QStringLiteral("start"), QStringLiteral("search"), QStringLiteral("trace"),
        QStringLiteral("topology"), QStringLiteral("flamegraph"), QStringLiteral("heatmap"), QStringLiteral("red"),
        QStringLiteral("anomalies"), QStringLiteral("live") };
    if (!views.contains(viewName)) {
        err << "tracemap screenshot: --view must be start, search, trace, topology, flamegraph, heatmap, red, "
               "anomalies or live\n";
        return 2;
    }
    if (!parser.isSet(output)) {
        err << "tracemap screenshot: -o FILE is required\n";
        return 2;
    }
    const QStringList scopes { QStringLiteral("results"), QStringLiteral("whole"), QStringLiteral("trace") };
    if (!scopes.contains(parser.value(scope))) {
        err << "tracemap screenshot: --scope must be results, whole or trace\n";
        return 2;
    }
    const auto match = QRegularExpression(QStringLiteral("^(\\d+)x(\\d+)$")).match(parser.value(size));
    if (!match.hasMatch()) {
        err << "tracemap screenshot: --size expects WIDTHxHEIGHT, e.g. 1600x1000\n";
        return 2;
    }
    QTemporaryDir temporary;
    const QString cache
        = parser.isSet(cacheOption) ? parser.value(cacheOption) : temporary.filePath(QStringLiteral("cache.sqlite"));
    QElapsedTimer clock;
    clock.start();
    const GuiStallMeter stalls;
    // Never the user's window settings: a screenshot shows what its arguments say, and leaves no trace in them.
    MainWindow window(cache, MainWindow::Persistence::None);
    window.resize(match.captured(1).toInt(), match.captured(2).toInt());
    window.show();
    const qint64 shownMs = clock.elapsed();
    QStringList importErrors;
    QObject::connect(
        &window, &MainWindow::importFailed, [&importErrors](const QString& message) { importErrors << message; });
    if (!parser.positionalArguments().isEmpty() && viewName != QLatin1String("start"))
        window.openFiles(parser.positionalArguments());
    // Every asynchronous step (import, search, map layout, flame graph) has to be done before the picture.
    if (!waitUntil([&window] { return window.isSettled(); })) {
        err << "tracemap screenshot: the window did not finish loading in time\n";
        return 1;
    }
    const qint64 settledMs = clock.elapsed();
    for (const QString& message : importErrors)
        err << "tracemap screenshot: " << message << "\n";
    err.flush();
    qint64 scopeMs = 0;
    if (parser.value(scope) != QLatin1String("results")) {
        clock.restart();
        window.topologyPage()->setScope(parser.value(scope) == QLatin1String("whole")
                ? TopologyPage::Scope::WholeCache
                : TopologyPage::Scope::CurrentTrace);
        if (!waitUntil([&window] { return window.isSettled(); })) {
            err << "tracemap screenshot: the scope did not settle in time\n";
            return 1;
        }
        scopeMs = clock.elapsed();
    }
    clock.restart();

    if (viewName == QLatin1String("live") && !feedLive(window, err))
        return 1;
    if (viewName == QLatin1String("trace")) {
        // The trace with the most spans among the results shows the most.
        const TraceSummary* best = nullptr;
        for (int row = 0; row < window.resultsView()->model()->rowCount(); ++row) {
            const TraceSummary* s = window.resultsView()->summaryAt(window.resultsView()->model()->index(row, 0));
            if (s && (!best || s->spanCount > best->spanCount))
                best = s;
        }
        if (!best) {
            err << "tracemap screenshot: no trace to show (give a trace file)\n";
            return 1;
        }
        const int tabs = window.tabs()->count();
        window.openTrace(best->traceId);
        // The tab, then its flame chart's layout (on a worker for large traces).
        if (!waitUntil([&window] { return window.isSettled(); }) || window.tabs()->count() == tabs) {
            err << "tracemap screenshot: the trace did not open in time\n";
            return 1;
        }
    }
    if (viewName == QLatin1String("topology"))
        window.tabs()->setCurrentWidget(window.topologyPage());
    if (viewName == QLatin1String("flamegraph"))
        window.tabs()->setCurrentIndex(2); // the Flame Graph tab
    if (viewName == QLatin1String("heatmap") || viewName == QLatin1String("red")
        || viewName == QLatin1String("anomalies")) {
        window.tabs()->setCurrentWidget(window.monitorPage());
        if (!waitUntil([&window] { return window.isSettled(); })) {
            err << "tracemap screenshot: the view was not ready in time\n";
            return 1;
        }
        showMonitorView(*window.monitorPage(), viewName);
        if (!waitUntil([&window] { return window.isSettled(); })) {
            err << "tracemap screenshot: the view was not ready in time\n";
            return 1;
        }
        // The anomaly's traces were listed; the picture is of the Monitor tab.
        window.tabs()->setCurrentWidget(window.monitorPage());
    }
    if (!waitUntil([&window] { return window.isSettled(); })) {
        err << "tracemap screenshot: the view was not ready in time\n";
        return 1;
    }
    const qint64 viewMs = clock.elapsed();
    if (parser.isSet(timings)) {
        err << "tracemap screenshot: shown " << shownMs << " ms; settled " << settledMs << " ms";
        if (parser.value(scope) != QLatin1String("results"))
            err << "; scope " << parser.value(scope) << " " << scopeMs << " ms";
        err << "; view " << viewName << " " << viewMs << " ms; longest GUI-thread stall " << stalls.longestMs()
            << " ms\n";
        err.flush();
    }
    QCoreApplication::processEvents();
    const QPixmap picture = window.grab();
    if (!picture.save(parser.value(output), "PNG")) {
        err << "tracemap screenshot: cannot write " << parser.value(output) << "\n";
        return 1;
    }
    QTextStream(stdout) << parser.value(output) << ": " << picture.width() << "x" << picture.height() << "\n";
    return importErrors.isEmpty() ? 0 : 1; // the picture shows the error dialog; the exit code says it too
}

} // namespace tracemap
