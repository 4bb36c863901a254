#include "screenshot.h"

#include "mainwindow.h"
#include "tracelistview.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QPixmap>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

namespace tracemap {

namespace {

// Waits for a signal, giving up after a while so a broken view cannot hang the command.
template <typename Signal> bool waitFor(MainWindow* window, Signal signal, int timeoutMs = 120000)
{
    QEventLoop loop;
    QObject::connect(window, signal, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, [&loop] { loop.exit(1); });
    return loop.exec() == 0;
}

} // namespace

int Screenshot::run(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Render the window offscreen after loading FILE... and save a PNG."));
    parser.addHelpOption();
    const QCommandLineOption view(QStringLiteral("view"), QStringLiteral("start, search or trace."),
        QStringLiteral("name"), QStringLiteral("search"));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The PNG file to write."), QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, WIDTHxHEIGHT."),
        QStringLiteral("WxH"), QStringLiteral("1600x1000"));
    const QCommandLineOption cacheOption(QStringLiteral("cache"),
        QStringLiteral("Use this cache instead of a fresh temporary one."), QStringLiteral("path"));
    parser.addOptions({ view, output, size, cacheOption });
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Trace files to load first."), QStringLiteral("[FILE...]"));
    QStringList rest = args;
    rest.removeAt(1);
    parser.process(rest);

    const QString viewName = parser.value(view);
    if (viewName != QLatin1String("start") && viewName != QLatin1String("search")
        && viewName != QLatin1String("trace")) {
        err << "tracemap screenshot: --view must be start, search or trace\n";
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
    MainWindow window(cache);
    window.resize(match.captured(1).toInt(), match.captured(2).toInt());
    window.show();
    waitFor(&window, &MainWindow::searchFinished);
    if (!parser.positionalArguments().isEmpty() && viewName != QLatin1String("start")) {
        window.openFiles(parser.positionalArguments());
        waitFor(&window, &MainWindow::importsFinished);
        waitFor(&window, &MainWindow::searchFinished);
    }
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
        window.openTrace(best->traceId);
        waitFor(&window, &MainWindow::traceOpened);
    }
    QCoreApplication::processEvents();
    const QPixmap picture = window.grab();
    if (!picture.save(parser.value(output), "PNG")) {
        err << "tracemap screenshot: cannot write " << parser.value(output) << "\n";
        return 1;
    }
    QTextStream(stdout) << parser.value(output) << ": " << picture.width() << "x" << picture.height() << "\n";
    return 0;
}

} // namespace tracemap
