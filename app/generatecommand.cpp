#include "generatecommand.h"

#include "commandline.h"
#include "generator/generatedfile.h"
#include "writers/tracewriter.h"

#include <QCommandLineParser>

namespace tracemap {

using namespace commandline;

int GenerateCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption traces(QStringLiteral("traces"), QStringLiteral("Number of traces (default: 100)."),
        QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption spans(QStringLiteral("spans-per-trace"),
        QStringLiteral("Average spans per trace (default: 50)."), QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption services(QStringLiteral("services"),
        QStringLiteral("Number of services (default: 12); all of them appear when there are at least as many traces."),
        QStringLiteral("N"), QStringLiteral("12"));
    const QCommandLineOption format(QStringLiteral("format"),
        QStringLiteral("jaeger, zipkin, otlp-json or otlp-proto (default: jaeger)."), QStringLiteral("F"),
        QStringLiteral("jaeger"));
    const QCommandLineOption seed(QStringLiteral("seed"),
        QStringLiteral("Random seed: the same seed gives the same output (default: 1)."), QStringLiteral("S"),
        QStringLiteral("1"));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("Output file (required)."), QStringLiteral("FILE"));
    parser.addOptions({ traces, spans, services, format, seed, output });
    int exitCode = 0;
    if (!CommandLine::parseOptions(
            parser, args, QStringLiteral("Write realistic synthetic microservice traces."), exitCode))
        return exitCode;
    GeneratorOptions options;
    bool ok1 = false, ok2 = false, ok3 = false, ok4 = false;
    options.traces = parser.value(traces).toLongLong(&ok1);
    options.spansPerTrace = parser.value(spans).toInt(&ok2);
    options.services = parser.value(services).toInt(&ok3);
    options.seed = parser.value(seed).toULongLong(&ok4);
    if (!ok1 || !ok2 || !ok3 || !ok4 || options.traces < 0 || options.spansPerTrace < 1 || options.services < 1) {
        err() << "tracemap generate: --traces, --spans-per-trace, --services and --seed expect positive numbers\n";
        return 2;
    }
    if (!parser.isSet(output)) {
        err() << "tracemap generate: -o FILE is required\n";
        return 2;
    }
    const std::string formatName = parser.value(format).toStdString();
    if (!isTraceWriterFormat(formatName)) {
        err() << "tracemap generate: unknown format '" << parser.value(format)
              << "' (expected jaeger, zipkin, otlp-json or otlp-proto)\n";
        return 2;
    }
    const auto written = writeGeneratedFile(options, formatName, parser.value(output));
    if (!written) {
        err() << "tracemap generate: " << written.error() << "\n";
        return 1;
    }
    out() << parser.value(output) << ": " << written->traces << " traces, " << written->spans << " spans ("
          << parser.value(format) << ")\n";
    return 0;
}

} // namespace tracemap
