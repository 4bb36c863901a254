#include "statscommand.h"

#include "analysis/spanstatistics.h"
#include "cache/tracecache.h"
#include "commandline.h"
#include "formats/traceimporter.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

using namespace commandline;

int StatsCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOptions({ cacheOption, jsonOption });
    parser.addPositionalArgument(QStringLiteral("FILE"),
        QStringLiteral("Trace files to compute figures for (without them: the whole cache)."),
        QStringLiteral("[FILE...]"));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
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

} // namespace tracemap
