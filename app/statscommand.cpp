#include "statscommand.h"

#include "analysis/spanstatistics.h"
#include "cache/tracecache.h"
#include "commandline.h"
#include "formats/traceimporter.h"
#include "monitor/rollupqueries.h"
#include "monitoroptions.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

using namespace commandline;

namespace {

// --by-time: RED figures per bucket from the cache's rollups (percentiles within 4.4 % of the exact ones).
int printByTime(const QCommandLineParser& parser, MonitorOptions& monitor, qint64 stepNs)
{
    const auto scope = monitor.scope(parser);
    if (!scope)
        return 2;
    auto cache = monitor.openCache(parser);
    if (!cache)
        return 1;
    const auto series = rollupqueries::loadSeries(*cache, *scope, stepNs);
    if (!series) {
        err() << "tracemap stats: " << series.error() << "\n";
        return 1;
    }
    const double minutes = static_cast<double>(stepNs) / SpanRollups::kMinuteNs;
    QJsonArray rows;
    if (!parser.isSet(jsonOption)) {
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                     .arg(QStringLiteral("service / operation"), -40)
                     .arg(QStringLiteral("start (UTC)"), -24)
                     .arg(QStringLiteral("spans"), 8)
                     .arg(QStringLiteral("per min"), 9)
                     .arg(QStringLiteral("err %"), 7)
                     .arg(QStringLiteral("p50"), 10)
                     .arg(QStringLiteral("p95"), 10)
                     .arg(QStringLiteral("p99"), 10);
    }
    for (const BucketSeries& s : *series) {
        const QString name = printable(s.key.service) + QLatin1Char(' ') + printable(s.key.operation);
        for (size_t i = 0; i < s.buckets.size(); ++i) {
            const RollupFigures& f = s.buckets[i];
            if (f.spans == 0)
                continue;
            const qint64 start = s.startNs + static_cast<qint64>(i) * s.stepNs;
            const double errorPercent = 100.0 * static_cast<double>(f.errors) / static_cast<double>(f.spans);
            const bool timed = !f.durations.isEmpty();
            if (parser.isSet(jsonOption)) {
                auto duration = [&](double p) { return timed ? QJsonValue(f.durations.percentile(p)) : QJsonValue(); };
                rows.append(QJsonObject { { QStringLiteral("service"), QString::fromStdString(s.key.service) },
                    { QStringLiteral("operation"), QString::fromStdString(s.key.operation) },
                    { QStringLiteral("start"), isoTime(start) }, { QStringLiteral("spans"), f.spans },
                    { QStringLiteral("perMinute"), static_cast<double>(f.spans) / minutes },
                    { QStringLiteral("errors"), f.errors }, { QStringLiteral("errorPercent"), errorPercent },
                    { QStringLiteral("p50Ns"), duration(50) }, { QStringLiteral("p95Ns"), duration(95) },
                    { QStringLiteral("p99Ns"), duration(99) } });
                continue;
            }
            auto duration
                = [&](double p) { return timed ? formatDuration(f.durations.percentile(p)) : QStringLiteral("-"); };
            out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                         .arg(name.left(40), -40)
                         .arg(isoTime(start), -24)
                         .arg(f.spans, 8)
                         .arg(static_cast<double>(f.spans) / minutes, 9, 'f', 1)
                         .arg(errorPercent, 7, 'f', 2)
                         .arg(duration(50), 10)
                         .arg(duration(95), 10)
                         .arg(duration(99), 10);
        }
    }
    if (parser.isSet(jsonOption))
        out() << QJsonDocument(
            QJsonObject { { QStringLiteral("stepNs"), QString::number(stepNs) }, { QStringLiteral("buckets"), rows } })
                     .toJson(QJsonDocument::Indented);
    return 0;
}

} // namespace

int StatsCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    MonitorOptions monitor(QStringLiteral("stats"));
    monitor.addTo(parser);
    const QCommandLineOption byTime(QStringLiteral("by-time"),
        QStringLiteral("RED figures per bucket of STEP (whole minutes: 1m, 5m, 1h) and per service and operation, "
                       "from the rollups; --service, --operation, --all-kinds, --since and --until narrow them."),
        QStringLiteral("STEP"));
    parser.addOption(byTime);
    const QCommandLineOption exact(QStringLiteral("exact"),
        QStringLiteral("Read every span of the cache for exact percentiles and maxima, however many there are. "
                       "Without it a cache of more than %1 spans is summed from its per-minute rollups: counts "
                       "exact, durations within 4.5 %.")
            .arg(rollupqueries::kExactSpans));
    parser.addOption(exact);
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("Spans, errors and duration percentiles per service and per operation: exact from the "
                           "spans, or for a cache of more than %1 spans from its rollups (counts exact, durations "
                           "within 4.5 %; --exact reads every span). Spans without a duration are counted (\"no "
                           "dur.\") but left out of the percentiles.")
                .arg(rollupqueries::kExactSpans),
            exitCode))
        return exitCode;
    if (parser.isSet(byTime)) {
        const auto step = monitor.step(parser, byTime);
        return step ? printByTime(parser, monitor, *step) : 2;
    }
    if (monitor.hasScope(parser)) {
        err() << "tracemap stats: --service, --operation, --all-kinds, --tag, --since and --until go with --by-time\n";
        return 2;
    }
    SpanStatistics statistics;
    std::vector<SpanStatistics::Row> rows;
    bool fromRollups = false;
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
        // The rollups first: they are cheap, and their counts say whether reading every span is.
        auto summed = rollupqueries::statistics(*cache);
        if (!summed) {
            err() << "tracemap stats: " << summed.error() << "\n";
            return 1;
        }
        qint64 spans = 0;
        for (const SpanStatistics::Row& row : *summed)
            spans += row.isService ? row.spans : 0;
        fromRollups = !parser.isSet(exact) && spans > rollupqueries::kExactSpans;
        if (fromRollups) {
            rows = std::move(*summed);
        } else {
            const auto done = cache->forEachTrace([&](const Trace& t) {
                statistics.add(t);
                return true;
            });
            if (!done) {
                err() << "tracemap stats: " << done.error() << "\n";
                return 1;
            }
        }
    }
    if (!fromRollups)
        rows = statistics.rows();
    const QString precision = fromRollups
        ? QStringLiteral("rollups: spans, no dur. and errors exact; p50, p95, p99 and max within 4.5 % (--exact reads "
                         "every span)")
        : QStringLiteral("exact");
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
        out() << QJsonDocument(QJsonObject { { QStringLiteral("services"), services },
                                   { QStringLiteral("figures"), fromRollups ? QStringLiteral("rollups") : precision } })
                     .toJson(QJsonDocument::Indented);
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
    if (fromRollups)
        out() << "(figures from the per-minute " << precision << ")\n";
    return 0;
}

} // namespace tracemap
