#include "screenshot.h"

#include "commandline.h"

#include "flamegraphview.h"
#include "mainwindow.h"
#include "topologypage.h"
#include "tracelistview.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPixmap>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

namespace tracemap {

namespace {

constexpr int kTimeoutMs = 120000;

// Turns the event loop until `done` holds, giving up after a while so a broken view cannot hang the command.
// Workers report through queued signals, so a short slice per turn is enough to see each state change.
template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs = kTimeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (!done()) {
        if (waited.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

int Screenshot::run(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QCommandLineOption view(QStringLiteral("view"),
        QStringLiteral("start, search, trace, topology or flamegraph (default: search)."), QStringLiteral("name"),
        QStringLiteral("search"));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The PNG file to write (required)."), QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"),
        QStringLiteral("Window size, WIDTHxHEIGHT (default: 1600x1000)."), QStringLiteral("WxH"),
        QStringLiteral("1600x1000"));
    const QCommandLineOption cacheOption(QStringLiteral("cache"),
        QStringLiteral("Use this cache instead of a fresh temporary one."), QStringLiteral("path"));
    parser.addOptions({ view, output, size, cacheOption });
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
        QStringLiteral("topology"), QStringLiteral("flamegraph") };
    if (!views.contains(viewName)) {
        err << "tracemap screenshot: --view must be start, search, trace, topology or flamegraph\n";
        return 2;
    }
    if (!parser.isSet(output)) {
        err << "tracemap screenshot: -o FILE is required\n";
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
    // Never the user's window settings: a screenshot shows what its arguments say, and leaves no trace in them.
    MainWindow window(cache, MainWindow::Persistence::None);
    window.resize(match.captured(1).toInt(), match.captured(2).toInt());
    window.show();
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
    for (const QString& message : importErrors)
        err << "tracemap screenshot: " << message << "\n";
    err.flush();
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
    if (!waitUntil([&window] { return window.isSettled(); })) {
        err << "tracemap screenshot: the view was not ready in time\n";
        return 1;
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
