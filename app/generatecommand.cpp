#include "generatecommand.h"

#include "commandline.h"
#include "generator/generatedfile.h"
#include "model/tracequery.h"
#include "writers/tracewriter.h"

#include <QCommandLineParser>
#include <QDateTime>

#include <limits>

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
    const QCommandLineOption interval(QStringLiteral("interval"),
        QStringLiteral("Mean time between trace starts, e.g. 50ms or 1s (default: 20ms)."), QStringLiteral("D"),
        QStringLiteral("20ms"));
    const QCommandLineOption start(QStringLiteral("start"),
        QStringLiteral("Start of the first trace, ISO 8601 or an age such as 2h (default: 2026-01-01T00:00:00Z)."),
        QStringLiteral("T"));
    const QCommandLineOption plant(QStringLiteral("plant"),
        QStringLiteral(
            "Plant a cause to find (repeatable): latency:SERVICE[/OPERATION]:KEY=VALUE:FROM-TO:FACTOR[:SHARE] "
            "makes the SERVICE's entry spans that carry KEY=VALUE FACTOR times slower from minute FROM to "
            "TO after the start; errors:... the same makes them fail with probability FACTOR; "
            "rate:GATEWAY[/OPERATION]:FROM-TO:FACTOR keeps only that share of its traces. SHARE of the "
            "spans carry the attribute in the window (default 0.5), 4 % outside it, with no effect."),
        QStringLiteral("SPEC"));
    const QCommandLineOption listServices(QStringLiteral("list-services"),
        QStringLiteral("Print the services of --seed and --services and their entry operations (a line each: "
                       "service, tab, operation) and exit."));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("Output file (required)."), QStringLiteral("FILE"));
    parser.addOptions({ traces, spans, services, format, seed, interval, start, plant, listServices, output });
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
    if (parser.isSet(listServices)) {
        for (const GeneratedService& service : TraceGenerator::services(options)) {
            for (const std::string& operation : service.operations)
                out() << printable(service.name) << '\t' << printable(operation) << '\n';
        }
        return 0;
    }
    const auto intervalNs = parseDuration(parser.value(interval));
    if (!intervalNs || *intervalNs <= 0) {
        err() << "tracemap generate: --interval expects a positive duration such as 50ms or 1s, got '"
              << parser.value(interval) << "'\n";
        return 2;
    }
    options.traceIntervalNs = *intervalNs;
    if (parser.isSet(start)) {
        const auto ns = parseTimePoint(parser.value(start), QDateTime::currentMSecsSinceEpoch() * 1000000);
        if (!ns) {
            err() << "tracemap generate: --start expects an ISO 8601 time or an age such as 2h, got '"
                  << parser.value(start) << "'\n";
            return 2;
        }
        options.startNs = *ns;
    }
    if (options.traces > 0
        && options.traces > (std::numeric_limits<qint64>::max() - std::max<qint64>(options.startNs, 0)) / *intervalNs) {
        err() << "tracemap generate: " << options.traces << " traces every " << parser.value(interval)
              << " end past the year 2262\n";
        return 2;
    }
    const qint64 spanNs = options.traces * options.traceIntervalNs;
    for (const QString& spec : parser.values(plant)) {
        auto cause = parsePlantedCause(spec);
        if (!cause) {
            err() << "tracemap generate: --plant '" << spec << "': " << cause.error() << "\n";
            return 2;
        }
        if (const auto checked = TraceGenerator::checkCause(options, *cause); !checked) {
            err() << "tracemap generate: --plant '" << spec << "': " << checked.error() << "\n";
            return 2;
        }
        if (cause->fromMinute * 60000000000 >= spanNs) {
            err() << "tracemap generate: --plant '" << spec << "': the traces end after "
                  << QString::number(double(spanNs) / 60e9, 'g', 3)
                  << " minutes, before the window starts (more --traces or a longer --interval)\n";
            return 2;
        }
        options.causes.push_back(std::move(*cause));
    }
    if (const auto checked = TraceGenerator::checkCauses(options); !checked) {
        err() << "tracemap generate: --plant: " << checked.error() << "\n";
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
          << parser.value(format) << ")";
    if (written->dropped > 0)
        out() << ", " << written->dropped << " dropped by --plant rate";
    out() << "\n";
    return 0;
}

} // namespace tracemap
