#include "commandline.h"
#include "mainwindow.h"
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

    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tracemap"));
    QCoreApplication::setOrganizationName(QStringLiteral("tracemap"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Tracemap: distributed traces and service topology.\n\n"
                       "Commands (run without a display; 'tracemap COMMAND --help' for their options):\n"
                       "  import FILE...     import trace files into the cache\n"
                       "  search             search the cache for traces\n"
                       "  stats [FILE...]    per-service and per-operation spans, errors and latency percentiles\n"
                       "  generate           write synthetic microservice traces\n\n"
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
