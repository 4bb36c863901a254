#include "commandline.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "topologycommand.h"
#include "tracecache.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>

using namespace tracemap;

int main(int argc, char** argv)
{
    // Subcommands run headless: no display needed, no GUI libraries initialised.
    if (argc > 1 && CommandLine::isSubcommand(QString::fromLocal8Bit(argv[1]))) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("tracemap"));
        QCoreApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));
        return CommandLine::run(QCoreApplication::arguments());
    }

    // These commands draw, so they need a GUI application, but never a display.
    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    const bool screenshot = command == QLatin1String("screenshot");
    const bool topology = command == QLatin1String("topology");
    if ((screenshot || topology) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // renders without a display

    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tracemap"));
    QCoreApplication::setOrganizationName(QStringLiteral("tracemap"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));

    if (screenshot)
        return Screenshot::run(QCoreApplication::arguments());
    if (topology)
        return TopologyCommand::run(QCoreApplication::arguments());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Tracemap: distributed traces and service topology.\n\n"
                       "Commands (run without a display; 'tracemap COMMAND --help' for their options):\n"
                       "  import FILE...     import trace files into the cache\n"
                       "  search             search the cache for traces\n"
                       "  stats [FILE...]    per-service and per-operation spans, errors and latency percentiles\n"
                       "  generate           write synthetic microservice traces\n"
                       "  topology [FILE...] write the service map as SVG, PNG, PDF, DOT or JSON\n"
                       "  screenshot         render the window offscreen to a PNG\n\n"
                       "Without a command, opens the window on the given files."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption cache(QStringLiteral("cache"),
        QStringLiteral("The cache file (default: %1).").arg(TraceCache::defaultPath()), QStringLiteral("path"));
    parser.addOption(cache);
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Trace files to open."), QStringLiteral("[FILE...]"));
    parser.process(app);

    MainWindow window(parser.isSet(cache) ? parser.value(cache) : TraceCache::defaultPath());
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.openFiles(parser.positionalArguments());
    return app.exec();
}
