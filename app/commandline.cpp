#include "commandline.h"

#include "generatedfile.h"
#include "spanstatistics.h"
#include "tracecache.h"
#include "tracegenerator.h"
#include "traceimporter.h"
#include "tracewriter.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimeZone>

#include <cstdio>

namespace tracemap {

namespace {

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

const QCommandLineOption cacheOption(QStringList { QStringLiteral("cache") },
    QStringLiteral("The cache file (default: %1).").arg(TraceCache::defaultPath()), QStringLiteral("path"));
const QCommandLineOption jsonOption(QStringList { QStringLiteral("json") }, QStringLiteral("Print JSON."));

// The --cache (or default) cache; commands that only read pass MustExist. Prints the error and returns null.
std::unique_ptr<TraceCache> openCache(const QCommandLineParser& parser, TraceCache::OpenMode mode)
{
    const QString path = parser.isSet(cacheOption) ? parser.value(cacheOption) : TraceCache::defaultPath();
    auto cache = TraceCache::open(path, mode);
    if (!cache) {
        err() << "tracemap: " << cache.error() << "\n";
        err().flush();
        return nullptr;
    }
    return std::move(*cache);
}

// A name as one line of a table: control characters (a hostile "\n" operation) shown escaped.
QString printable(const std::string& name)
{
    QString out;
    for (const QChar c : QString::fromStdString(name)) {
        if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else if (c == QLatin1Char('\t'))
            out += QStringLiteral("\\t");
        else if (c.category() == QChar::Other_Control)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString isoTime(qint64 ns)
{
    return QDateTime::fromMSecsSinceEpoch(ns / 1000000, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

QString CommandLine::helpText(const QCommandLineParser& parser, const QString& command)
{
    // Qt names the program by its path; the usage line should read as the user types it.
    QString text = parser.helpText();
    const QString usage = QStringLiteral("Usage: ");
    if (text.startsWith(usage)) {
        const qsizetype end = text.indexOf(QLatin1Char(' '), usage.size());
        text.replace(usage.size(), (end < 0 ? text.size() : end) - usage.size(),
            command.isEmpty() ? QStringLiteral("tracemap") : QStringLiteral("tracemap ") + command);
    }
    return text;
}

bool CommandLine::parseOptions(
    QCommandLineParser& parser, const QStringList& args, const QString& description, int& exitCode)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        QStringList { QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList rest = args;
    rest.removeAt(1); // the subcommand
    if (!parser.parse(rest)) {
        err() << parser.errorText() << "\n"
              << "Try 'tracemap " << args.value(1) << " --help'.\n";
        err().flush();
        exitCode = 2;
        return false;
    }
    if (parser.isSet(help)) {
        out() << helpText(parser, args.value(1));
        out().flush();
        exitCode = 0;
        return false;
    }
    return true;
}

bool CommandLine::isSubcommand(const QString& word)
{
    static const QStringList commands { QStringLiteral("import"), QStringLiteral("search"), QStringLiteral("stats"),
        QStringLiteral("generate") };
    return commands.contains(word);
}

int CommandLine::run(const QStringList& args)
{
    const QString command = args.value(1);
    if (command == QLatin1String("import"))
        return runImport(args);
    if (command == QLatin1String("search"))
        return runSearch(args);
    if (command == QLatin1String("stats"))
        return runStats(args);
    if (command == QLatin1String("generate"))
        return runGenerate(args);
    err() << "tracemap: unknown command '" << command << "'\n";
    return 2;
}

int CommandLine::runImport(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption(cacheOption);
    parser.addPositionalArgument(QStringLiteral("FILE"),
        QStringLiteral("Trace files: Jaeger JSON, Zipkin v1/v2 JSON, OTLP JSON or protobuf, plain or gzipped."),
        QStringLiteral("FILE..."));
    int exitCode = 0;
    if (!parseOptions(parser, args,
            QStringLiteral("Import trace files into the cache (created if missing), one transaction per file. Prints "
                           "each file's warnings by kind, with a count and an example."),
            exitCode))
        return exitCode;
    if (parser.positionalArguments().isEmpty()) {
        err() << "tracemap import: no files given\n";
        return 2;
    }
    auto cache = openCache(parser, TraceCache::OpenMode::CreateIfMissing);
    if (!cache)
        return 1;
    for (const QString& file : parser.positionalArguments()) {
        const auto summary = cache->importFile(file);
        if (!summary) {
            err() << "tracemap: " << summary.error().toString() << "\n";
            err().flush();
            exitCode = 1;
            continue;
        }
        out() << file << ": " << traceFormatName(summary->format) << ", " << summary->traces << " traces, "
              << summary->spans << " spans, " << summary->services << " services, " << summary->warnings
              << (summary->warnings == 1 ? " span" : " spans") << " with warnings\n";
        for (const ImportWarningKind& k : summary->warningKinds)
            out() << "  " << k.describe() << "\n";
        out().flush();
    }
    return exitCode;
}

int CommandLine::runSearch(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption service(
        QStringLiteral("service"), QStringLiteral("Traces with spans of this service."), QStringLiteral("S"));
    const QCommandLineOption operation(QStringLiteral("operation"),
        QStringLiteral("Traces with this operation (of --service when given)."), QStringLiteral("O"));
    const QCommandLineOption tag(QStringLiteral("tag"),
        QStringLiteral("A span or resource attribute key=value; repeat for several (all must match)."),
        QStringLiteral("k=v"));
    const QCommandLineOption minDuration(QStringLiteral("min-duration"),
        QStringLiteral("Shortest trace duration, e.g. 150ms, 2s (a bare number is milliseconds)."),
        QStringLiteral("D"));
    const QCommandLineOption maxDuration(
        QStringLiteral("max-duration"), QStringLiteral("Longest trace duration."), QStringLiteral("D"));
    const QCommandLineOption traceId(QStringLiteral("trace-id"),
        QStringLiteral("Only this trace: 32 hex digits, 16 (matches the low 64 bits of a 128-bit id), or fewer with "
                       "leading zeros trimmed. Repeat or separate with commas for several."),
        QStringLiteral("ID"));
    const QCommandLineOption since(QStringLiteral("since"),
        QStringLiteral("Traces starting at or after T: ISO 8601 time or an age such as 1h, 2d or 1w."),
        QStringLiteral("T"));
    const QCommandLineOption until(
        QStringLiteral("until"), QStringLiteral("Traces starting at or before T."), QStringLiteral("T"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most N traces (default 20, 0: all)."),
        QStringLiteral("N"), QStringLiteral("20"));
    parser.addOptions(
        { service, operation, tag, traceId, minDuration, maxDuration, since, until, limit, jsonOption, cacheOption });
    int exitCode = 0;
    if (!parseOptions(
            parser, args, QStringLiteral("Search the cache (which must exist) for traces, newest first."), exitCode))
        return exitCode;

    TraceQuery query;
    query.service = parser.value(service);
    query.operation = parser.value(operation);
    for (const QString& t : parser.values(tag)) {
        const qsizetype eq = t.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            err() << "tracemap search: --tag expects key=value, got '" << t << "'\n";
            return 2;
        }
        query.tags.emplace_back(t.left(eq), t.mid(eq + 1));
    }
    for (const QString& text : parser.values(traceId)) {
        const auto ids = parseTraceIdList(text);
        if (!ids) {
            err() << "tracemap search: --trace-id: " << ids.error() << "\n";
            return 2;
        }
        if (ids->empty()) {
            err() << "tracemap search: --trace-id: no id given\n";
            return 2;
        }
        query.traceIds.insert(query.traceIds.end(), ids->begin(), ids->end());
    }
    auto durationOption = [&](const QCommandLineOption& option, qint64& target) {
        if (!parser.isSet(option))
            return true;
        const auto ns = parseDuration(parser.value(option));
        if (!ns) {
            err() << "tracemap search: --" << option.names().first() << " expects a duration such as 150ms or 2s, got '"
                  << parser.value(option) << "'\n";
            return false;
        }
        target = *ns;
        return true;
    };
    if (!durationOption(minDuration, query.minDurationNs) || !durationOption(maxDuration, query.maxDurationNs))
        return 2;
    const qint64 now = QDateTime::currentMSecsSinceEpoch() * 1000000;
    auto timeOption = [&](const QCommandLineOption& option, qint64& target) {
        if (!parser.isSet(option))
            return true;
        const auto ns = parseTimePoint(parser.value(option), now);
        if (!ns) {
            err() << "tracemap search: --" << option.names().first()
                  << " expects an ISO 8601 time or an age such as 15m, 2d or 1w, got '" << parser.value(option)
                  << "'\n";
            return false;
        }
        target = *ns;
        return true;
    };
    if (!timeOption(since, query.sinceNs) || !timeOption(until, query.untilNs))
        return 2;
    bool ok = false;
    query.limit = parser.value(limit).toInt(&ok);
    if (!ok || query.limit < 0) {
        err() << "tracemap search: --limit expects a whole number, got '" << parser.value(limit) << "'\n";
        return 2;
    }

    auto cache = openCache(parser, TraceCache::OpenMode::MustExist);
    if (!cache)
        return 1;
    const auto results = cache->search(query);
    if (!results) {
        err() << "tracemap search: " << results.error() << "\n";
        return 1;
    }
    if (parser.isSet(jsonOption)) {
        QJsonArray array;
        for (const TraceSummary& s : *results) {
            array.append(QJsonObject { { QStringLiteral("traceId"), QString::fromStdString(s.traceId.toHex()) },
                { QStringLiteral("start"), isoTime(s.startNs) },
                { QStringLiteral("startNs"), QString::number(s.startNs) },
                { QStringLiteral("durationNs"), s.durationNs }, { QStringLiteral("rootService"), s.rootService },
                { QStringLiteral("rootOperation"), s.rootOperation }, { QStringLiteral("spans"), s.spanCount },
                { QStringLiteral("services"), s.serviceCount }, { QStringLiteral("errors"), s.errorCount } });
        }
        out() << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return 0;
    }
    const auto counted = [](qint64 n, const char* one, const char* many) -> QString {
        return QString::number(n) + QLatin1Char(' ') + QLatin1String(n == 1 ? one : many);
    };
    for (const TraceSummary& s : *results) {
        out() << QString::fromStdString(s.traceId.toHex()).leftJustified(32) << "  " << isoTime(s.startNs) << "  "
              << formatDuration(s.durationNs).rightJustified(10) << "  " << s.rootService << ": " << s.rootOperation
              << "  (" << counted(s.spanCount, "span", "spans") << ", "
              << counted(s.serviceCount, "service", "services") << ", " << counted(s.errorCount, "error", "errors")
              << ")\n";
    }
    out() << counted(qint64(results->size()), "trace", "traces");
    if (query.limit > 0 && results->size() == size_t(query.limit))
        out() << " (the limit; --limit N shows more, 0 all)";
    out() << "\n";
    return 0;
}

int CommandLine::runStats(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOptions({ cacheOption, jsonOption });
    parser.addPositionalArgument(QStringLiteral("FILE"),
        QStringLiteral("Trace files to compute figures for (without them: the whole cache)."),
        QStringLiteral("[FILE...]"));
    int exitCode = 0;
    if (!parseOptions(parser, args,
            QStringLiteral("Spans, errors and exact duration percentiles per service and per operation. Spans "
                           "without a duration are counted (\"no dur.\") but left out of the percentiles."),
            exitCode))
        return exitCode;
    SpanStatistics statistics;
    if (!parser.positionalArguments().isEmpty()) {
        for (const QString& file : parser.positionalArguments()) {
            const auto summary = TraceImporter::importFile(file, [&](std::vector<Trace>& traces) {
                for (const Trace& t : traces)
                    statistics.add(t);
            });
            if (!summary) {
                err() << "tracemap: " << summary.error().toString() << "\n";
                return 1;
            }
        }
    } else {
        auto cache = openCache(parser, TraceCache::OpenMode::MustExist);
        if (!cache)
            return 1;
        const auto done = cache->forEachTrace([&](const Trace& t) {
            statistics.add(t);
            return true;
        });
        if (!done) {
            err() << "tracemap stats: " << done.error() << "\n";
            return 1;
        }
    }
    const auto rows = statistics.rows();
    if (parser.isSet(jsonOption)) {
        QJsonArray services;
        QJsonObject current;
        QJsonArray operations;
        auto figures = [](const SpanStatistics::Row& r) {
            // Without a single timed span there are no percentiles: null, not a made-up 0.
            const bool timed = r.spans > r.noDuration;
            auto duration = [timed](qint64 ns) { return timed ? QJsonValue(ns) : QJsonValue(); };
            return QJsonObject { { QStringLiteral("spans"), r.spans }, { QStringLiteral("noDuration"), r.noDuration },
                { QStringLiteral("errors"), r.errors }, { QStringLiteral("errorPercent"), r.errorPercent },
                { QStringLiteral("p50Ns"), duration(r.p50) }, { QStringLiteral("p95Ns"), duration(r.p95) },
                { QStringLiteral("p99Ns"), duration(r.p99) }, { QStringLiteral("maxNs"), duration(r.max) } };
        };
        for (const auto& r : rows) {
            if (r.isService && !current.isEmpty()) {
                current.insert(QStringLiteral("operations"), operations);
                services.append(current);
                operations = {};
            }
            QJsonObject o = figures(r);
            if (r.isService) {
                o.insert(QStringLiteral("service"), QString::fromStdString(r.service));
                current = o;
            } else {
                o.insert(QStringLiteral("operation"), QString::fromStdString(r.operation));
                operations.append(o);
            }
        }
        if (!current.isEmpty()) {
            current.insert(QStringLiteral("operations"), operations);
            services.append(current);
        }
        out()
            << QJsonDocument(QJsonObject { { QStringLiteral("services"), services } }).toJson(QJsonDocument::Indented);
        return 0;
    }
    // "no dur.": spans whose source gave no duration; they are counted in "spans" but not in p50..max.
    out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                 .arg(QStringLiteral("service / operation"), -48)
                 .arg(QStringLiteral("spans"), 9)
                 .arg(QStringLiteral("no dur."), 8)
                 .arg(QStringLiteral("errors"), 8)
                 .arg(QStringLiteral("err %"), 7)
                 .arg(QStringLiteral("p50"), 10)
                 .arg(QStringLiteral("p95"), 10)
                 .arg(QStringLiteral("p99"), 10)
                 .arg(QStringLiteral("max"), 10);
    for (const auto& r : rows) {
        const QString name = r.isService
            ? (r.service.empty() ? QStringLiteral("(no service)") : printable(r.service))
            : QStringLiteral("  ") + (r.operation.empty() ? QStringLiteral("(no operation)") : printable(r.operation));
        const bool timed = r.spans > r.noDuration;
        auto duration = [timed](qint64 ns) { return timed ? formatDuration(ns) : QStringLiteral("-"); };
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                     .arg(name.left(48), -48)
                     .arg(r.spans, 9)
                     .arg(r.noDuration, 8)
                     .arg(r.errors, 8)
                     .arg(r.errorPercent, 7, 'f', 2)
                     .arg(duration(r.p50), 10)
                     .arg(duration(r.p95), 10)
                     .arg(duration(r.p99), 10)
                     .arg(duration(r.max), 10);
    }
    return 0;
}

int CommandLine::runGenerate(const QStringList& args)
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
    if (!parseOptions(parser, args, QStringLiteral("Write realistic synthetic microservice traces."), exitCode))
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
