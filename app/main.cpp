#include "cache/tracecache.h"
#include "commandline.h"
#include "libraryversions.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "topologycommand.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QIcon>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

using namespace tracemap;

namespace {

// The window's own options, described once for its --help and for parsing.
struct WindowOptions {
    QCommandLineOption cache { QStringLiteral("cache"),
        QStringLiteral("The cache file (default: %1).").arg(TraceCache::defaultPath()), QStringLiteral("path") };
    QCommandLineOption verbose { QStringLiteral("verbose"),
        QStringLiteral("With --version: also the licence and the versions of the libraries it runs with (Qt, "
                       "Graphviz, SQLite, QCustomPlot, simdjson, protobuf, …), as Help > About lists them.") };

    void describe(QCommandLineParser& parser) const
    {
        parser.setApplicationDescription(
            QStringLiteral("Tracemap: distributed traces and service topology.\n\n"
                           "Commands (run without a display; 'tracemap COMMAND --help' for their options):\n"
                           "  import FILE...       import trace files into the cache\n"
                           "  search               search the cache for traces\n"
                           "  stats [FILE...]      per-service and per-operation spans, errors and latency\n"
                           "                       percentiles (--by-time STEP: rate, errors and latency per time\n"
                           "                       bucket)\n"
                           "  anomalies [FILE...]  episodes where an operation's latency, errors or rate left its\n"
                           "                       baseline, each explained in one sentence\n"
                           "  explain [FILE...]    what sets slow (--min-duration) or failed (--errors) spans\n"
                           "                       apart\n"
                           "  generate             write synthetic microservice traces\n"
                           "  pull KIND URL        fetch traces from Jaeger, Tempo or Zipkin into the cache\n"
                           "  serve                receive OTLP (HTTP and gRPC) and Zipkin spans into the cache\n"
                           "  topology [FILE...]   write the service map as SVG, PNG, PDF, DOT or JSON\n"
                           "  screenshot           render the window offscreen to a PNG\n\n"
                           "Without a command, opens the window on the given files."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOption(cache);
        parser.addOption(verbose);
        parser.addPositionalArgument(
            QStringLiteral("FILE"), QStringLiteral("Trace files to open."), QStringLiteral("[FILE...]"));
    }
};

void nameApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("tracemap"));
    // No organisation name: QStandardPaths would put it before the application name, so app data would go to
    // ~/.local/share/tracemap/tracemap. QSettings falls back to the domain, keeping ~/.config/tracemap/tracemap.conf.
    QCoreApplication::setOrganizationDomain(QStringLiteral("tracemap"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));
}

// The window's icon, and the desktop entry it belongs to (Wayland compositors and docks match windows by it).
void nameGuiApplication()
{
    nameApplication();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tracemap.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral(TRACEMAP_APP_ID));
}

QtMessageHandler s_qtHandler = nullptr;

// Qt warnings that runs without a desktop session print every time and that say nothing about the run: a missing
// XDG_RUNTIME_DIR (Qt uses a private folder instead) and the offscreen platform's lack of window size hints.
// Everything else, real errors included, goes through.
void quietMessageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (type == QtWarningMsg
        && (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set"))
            || message == QLatin1String("This plugin does not support propagateSizeHints()")))
        return;
    if (s_qtHandler)
        s_qtHandler(type, context, message);
    else
        std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

} // namespace

int main(int argc, char** argv)
{
    QStringList words;
    for (int i = 1; i < argc; ++i)
        words << QString::fromLocal8Bit(argv[i]);
    const QString command = words.value(0);

    // Subcommands run headless: no display needed, no GUI libraries initialised.
    const bool screenshot = command == QLatin1String("screenshot");
    const bool topology = command == QLatin1String("topology");
    if (CommandLine::isSubcommand(command) || screenshot || topology)
        s_qtHandler = qInstallMessageHandler(quietMessageHandler);
    if (CommandLine::isSubcommand(command)) {
        QCoreApplication app(argc, argv);
        nameApplication();
        return CommandLine::run(QCoreApplication::arguments());
    }

    // These commands draw, so they need a GUI application, but never a display.
    if (screenshot || topology) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen"); // renders without a display
        QApplication app(argc, argv);
        nameGuiApplication();
        return screenshot ? Screenshot::run(QCoreApplication::arguments())
                          : TopologyCommand::run(QCoreApplication::arguments());
    }

    // --help and --version, and a word that is neither a command nor a file, are answered without a display.
    const QStringList infoOptions { QStringLiteral("-h"), QStringLiteral("--help"), QStringLiteral("--help-all"),
        QStringLiteral("-v"), QStringLiteral("--version"), QStringLiteral("--verbose") };
    const bool info
        = std::any_of(words.begin(), words.end(), [&](const QString& w) { return infoOptions.contains(w); });
    const bool unknownWord = !command.isEmpty() && !command.startsWith(QLatin1Char('-')) && !QFileInfo::exists(command)
        && !command.contains(QLatin1Char('/')) && !command.contains(QLatin1Char('.'));
    if (info || unknownWord) {
        QCoreApplication app(argc, argv);
        nameApplication();
        if (unknownWord && !info) {
            QTextStream(stderr) << "tracemap: '" << command
                                << "' is neither a command nor a file; 'tracemap --help' lists the commands\n";
            return 2;
        }
        QCommandLineParser parser;
        const WindowOptions options;
        options.describe(parser);
        if (!parser.parse(QCoreApplication::arguments())) {
            QTextStream(stderr) << "tracemap: " << parser.errorText() << "\n";
            return 2;
        }
        QTextStream out(stdout);
        if (parser.isSet(options.verbose) && !parser.isSet(QStringLiteral("version"))) {
            QTextStream(stderr) << "tracemap: --verbose goes with --version\n";
            return 2;
        }
        if (parser.isSet(QStringLiteral("version")) && parser.isSet(options.verbose))
            out << verboseVersionText();
        else if (parser.isSet(QStringLiteral("version")))
            out << "tracemap " << QCoreApplication::applicationVersion() << "\n";
        else
            out << CommandLine::helpText(parser);
        return 0;
    }

    QApplication app(argc, argv);
    nameGuiApplication();
    QCommandLineParser parser;
    const WindowOptions options;
    options.describe(parser);
    parser.process(app);

    MainWindow window(parser.isSet(options.cache) ? parser.value(options.cache) : TraceCache::defaultPath());
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.openFiles(parser.positionalArguments());
    return app.exec();
}
