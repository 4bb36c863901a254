// bench_heatmap: monitoring at scale (issue 13's goals). A cache of 10 million generated spans over 24 hours, then:
// the heatmap of everything from the rollups, cold (a new connection) and warm (the same one again); anomaly
// detection over 24 hours of one-minute buckets of every operation; a comparison over a selection of about a million
// spans. Each is compared with a plain SQLite GROUP BY (minute, duration bucket) over the same spans, in a table
// holding just those two columns, in the same run. Figures are medians of 3 unless said.
//
//   bench_heatmap [--spans N] [--services N] [--cache PATH]
//   (PATH: build the cache there, or reuse it when it has spans: then give the same --spans and --services)

#include "cache/tracecache.h"
#include "generator/tracegenerator.h"
#include "metrics/anomalydetector.h"
#include "metrics/durationgrid.h"
#include "monitor/rollupqueries.h"
#include "monitor/spancomparison.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <vector>

using namespace tracemap;

namespace {

constexpr qint64 kDayNs = 86'400'000'000'000;

double medianMs(int runs, const std::function<void()>& work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

GeneratorOptions optionsFor(qint64 spans, int services)
{
    GeneratorOptions o;
    o.spansPerTrace = 20;
    o.traces = std::max<qint64>(1, spans / o.spansPerTrace);
    o.services = services; // 200 services give about 250 entry operations
    o.seed = 13;
    o.traceIntervalNs = kDayNs / o.traces;
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    qint64 spans = 10'000'000;
    int services = 200;
    QString cachePath;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--spans"))
            spans = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--services"))
            services = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--cache"))
            cachePath = args[i + 1];
    }
    QTemporaryDir temporary;
    if (cachePath.isEmpty())
        cachePath = temporary.filePath(QStringLiteral("bench.sqlite"));

    // The plain table the GROUP BY runs on: the spans' minute and duration bucket, precomputed, in memory.
    sqlite3* plain = nullptr;
    sqlite3_open(":memory:", &plain);
    sqlite3_exec(plain, "CREATE TABLE spans(minute INTEGER, bucket INTEGER)", nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(plain, "INSERT INTO spans VALUES (?1, ?2)", -1, &insert, nullptr);
    sqlite3_exec(plain, "BEGIN", nullptr, nullptr, nullptr);

    const GeneratorOptions options = optionsFor(spans, services);
    auto cache = TraceCache::open(cachePath);
    if (!cache) {
        std::fprintf(stderr, "%s\n", qPrintable(cache.error()));
        return 1;
    }
    const bool reuse = (*cache)->spanCount() > 0;
    QElapsedTimer building;
    building.start();
    TraceGenerator generator(options);
    std::vector<Trace> batch;
    Trace trace;
    qint64 generated = 0;
    for (bool more = true; more;) {
        more = generator.next(trace);
        if (more) {
            for (const Span& s : trace.spans) {
                sqlite3_bind_int64(insert, 1, SpanRollups::minuteOf(s.startNs));
                sqlite3_bind_int64(insert, 2, DurationGrid::bucketOf(s.durationNs));
                sqlite3_step(insert);
                sqlite3_reset(insert);
            }
            generated += static_cast<qint64>(trace.spans.size());
            if (!reuse)
                batch.push_back(std::move(trace));
        }
        if (batch.size() == 5000 || (!more && !batch.empty())) {
            if (auto r = (*cache)->storeTraces(batch, QStringLiteral("bench")); !r) {
                std::fprintf(stderr, "%s\n", qPrintable(r.error()));
                return 1;
            }
            batch.clear();
        }
    }
    sqlite3_exec(plain, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_finalize(insert);
    std::printf("cache: %lld spans in %lld traces over 24 h, %s in %.1f s (%s)\n",
        static_cast<long long>((*cache)->spanCount()), static_cast<long long>((*cache)->traceCount()),
        reuse ? "reused" : "built", static_cast<double>(building.elapsed()) / 1000,
        qPrintable(
            QString::number(static_cast<double>((*cache)->usedBytes()) / (1 << 20), 'f', 0) + QStringLiteral(" MiB")));
    const auto series = (*cache)->rollupSeries();
    std::printf("rollup series: %zu; plain table: %lld spans\n", series ? series->size() : 0,
        static_cast<long long>(generated));

    const double groupBy = medianMs(3, [&] {
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(plain, "SELECT minute / 6, bucket / 3, count(*) FROM spans GROUP BY 1, 2", -1, &s, nullptr);
        qint64 rows = 0;
        while (sqlite3_step(s) == SQLITE_ROW)
            ++rows;
        sqlite3_finalize(s);
    });
    std::printf("\nplain SQLite GROUP BY (minute/6, bucket/3) over %lld spans: %.0f ms\n",
        static_cast<long long>(generated), groupBy);

    MonitorScope everything;
    qint64 cells = 0;
    const double cold = medianMs(3, [&] {
        auto fresh = TraceCache::open(cachePath, TraceCache::OpenMode::MustExist);
        const auto map = rollupqueries::heatmap(**fresh, everything);
        cells = map ? static_cast<qint64>(map->columns) * map->rows : 0;
    });
    const double warm = medianMs(3, [&] { (void)rollupqueries::heatmap(**cache, everything); });
    std::printf("heatmap of everything (%lld cells): cold %.0f ms (goal 1000), warm %.0f ms (goal 100); "
                "GROUP BY / cold %.1f, GROUP BY / warm %.1f\n",
        static_cast<long long>(cells), cold, warm, groupBy / cold, groupBy / warm);

    std::vector<BucketSeries> minutes;
    const double load
        = medianMs(3, [&] { minutes = *rollupqueries::loadSeries(**cache, everything, SpanRollups::kMinuteNs); });
    size_t episodes = 0;
    const double detect = medianMs(3, [&] { episodes = AnomalyDetector().detect(minutes).size(); });
    std::printf("anomaly detection, %zu operations x %zu one-minute buckets: load %.0f ms + detect %.0f ms = %.0f ms "
                "(goal 1000; %zu episodes)\n",
        minutes.size(), minutes.empty() ? size_t(0) : minutes.front().buckets.size(), load, detect, load + detect,
        episodes);

    // A selection of about a million spans: a tenth of the day, every duration and kind of span.
    const qint64 start = options.startNs + 10 * (kDayNs / 24);
    SpanSelection selection;
    selection.sinceNs = start;
    selection.untilNs = start + kDayNs / 10;
    MonitorScope around;
    around.allKinds = true;
    around.sinceNs = start - kDayNs / 10;
    around.untilNs = start + kDayNs / 5;
    qint64 selected = 0, baseline = 0, read = 0, scopeTraces = 0;
    const double compare = medianMs(3, [&] {
        const auto result = compareSelection(**cache, around, selection);
        if (result) {
            selected = result->result.selectionSpans;
            baseline = result->result.baselineSpans;
            read = result->readTraces;
            scopeTraces = result->scopeTraces;
        }
    });
    // The same selection read whole, for the cost of not sampling.
    const double whole = medianMs(1, [&] {
        const auto result = compareSelection(**cache, around, selection, std::numeric_limits<size_t>::max() / 4);
        if (result)
            std::printf("unsampled: %lld selected spans against %lld\n",
                static_cast<long long>(result->result.selectionSpans),
                static_cast<long long>(result->result.baselineSpans));
    });
    TraceQuery scopeQuery;
    scopeQuery.sinceNs = around.sinceNs - 60'000'000'000;
    scopeQuery.untilNs = around.untilNs;
    scopeQuery.limit = 0;
    const double listing = medianMs(3, [&] { (void)(*cache)->search(scopeQuery, TraceCache::RootNames::Without); });
    std::printf("comparison of a sample of %lld selected spans with %lld around them (%lld of the scope's %lld traces "
                "read): %.0f ms (goal 300; listing the scope's traces: %.0f ms); GROUP BY / comparison %.1f\n",
        static_cast<long long>(selected), static_cast<long long>(baseline), static_cast<long long>(read),
        static_cast<long long>(scopeTraces), compare, listing, groupBy / compare);
    std::printf(
        "the same comparison reading every trace (1 run): %.0f ms; sampled / whole %.2f\n", whole, compare / whole);
    sqlite3_close(plain);
    return 0;
}
