// The duration grid, its histograms and the per-minute rollups the cache keeps: percentiles within the grid's
// error of the exact ones, and rollups that always equal what the cached spans give, through re-imports, merged
// live batches, a cache migration and clear().

#include "importsupport.h"
#include "testsupport.h"

#include "analysis/spanstatistics.h"
#include "analysis/topologybuilder.h"
#include "cache/tracecache.h"
#include "generator/generatedfile.h"
#include "generator/tracegenerator.h"
#include "metrics/durationgrid.h"
#include "metrics/latencyhistogram.h"
#include "metrics/spanrollups.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"
#include "model/traceassembler.h"
#include "monitor/rollupqueries.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <sqlite3.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace tracemap;

namespace {

const char* const kHotrod = "otlp-json/jaeger-apiv3-hotrod-gettrace.json";
const char* const kSmartThings = "zipkin-v2/smartthings-mobile-web-install.json";

bool execSql(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    const bool opened = sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK;
    const bool ok = opened && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

// The rollups as the cache stores them, keyed like SpanRollups so that both compare directly.
SpanRollups storedRollups(const TraceCache& cache)
{
    SpanRollups out;
    const auto series = cache.rollupSeries();
    if (!series)
        return out;
    std::map<qint64, SeriesKey> keys;
    for (const RollupSeries& s : *series)
        keys[s.id] = s.key;
    const auto done = cache.forEachRollup({}, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max(),
        [&](qint64 id, qint64 minute, const RollupFigures& figures) {
            out.add({ keys[id], minute }, figures);
        });
    if (!done)
        qWarning() << done.error();
    return out;
}

// The rollups the cached traces give, computed from their spans.
SpanRollups recomputedRollups(const TraceCache& cache)
{
    SpanRollups out;
    const auto done = cache.forEachTrace([&](const Trace& trace) {
        out.add(trace);
        return true;
    });
    if (!done)
        qWarning() << done.error();
    return out;
}

qint64 rollupSpans(const SpanRollups& rollups)
{
    qint64 spans = 0;
    for (const auto& [cell, figures] : rollups.cells())
        spans += figures.spans;
    return spans;
}

QString describe(const SpanRollups& rollups)
{
    return QStringLiteral("%1 cells, %2 spans").arg(rollups.cells().size()).arg(rollupSpans(rollups));
}

#define COMPARE_ROLLUPS(cache)                                                                                         \
    do {                                                                                                               \
        const SpanRollups stored = storedRollups(cache);                                                               \
        const SpanRollups expected = recomputedRollups(cache);                                                         \
        QVERIFY2(!expected.isEmpty(), "no spans cached");                                                              \
        QVERIFY2(stored.cells() == expected.cells(),                                                                   \
            qPrintable(QStringLiteral("stored %1, from the spans %2").arg(describe(stored), describe(expected))));     \
        QCOMPARE(rollupSpans(stored), (cache).spanCount());                                                            \
    } while (false)

// The map of the whole cache from its rollups against TopologyBuilder over every cached span: the same nodes
// (kind, inferred, spans, errors, rate, resource attributes) and calls (calls, errors), percentiles within the
// grid's 4.5 %. Empty when they agree, else the first difference.
QString topologyDifference(const TraceCache& cache)
{
    TopologyBuilder builder;
    std::set<std::tuple<std::string, std::string, std::string>> attributeValues; // every one seen
    const auto read = cache.forEachTrace([&](const Trace& trace) {
        builder.add(trace);
        TopologyBuilder::forEachServiceAttribute(
            trace, [&](std::string_view service, std::string_view key, std::string_view value) {
                attributeValues.emplace(service, key, value);
            });
        return true;
    });
    if (!read)
        return read.error();
    const Topology want = builder.build();
    qint64 spans = 0;
    const auto got = rollupqueries::topology(cache, &spans);
    if (!got)
        return got.error();
    if (spans != cache.spanCount())
        return QStringLiteral("%1 spans counted, %2 cached").arg(spans).arg(cache.spanCount());
    const auto near = [](qint64 a, qint64 b) {
        return std::abs(static_cast<double>(a) - static_cast<double>(b)) <= 0.045 * static_cast<double>(b) + 1;
    };
    if (got->nodes.size() != want.nodes.size())
        return QStringLiteral("%1 nodes, %2 from the spans").arg(got->nodes.size()).arg(want.nodes.size());
    for (size_t i = 0; i < want.nodes.size(); ++i) {
        const Topology::Node& g = got->nodes[i];
        const Topology::Node& w = want.nodes[i];
        const QString name = QString::fromStdString(w.name);
        if (g.name != w.name || g.kind != w.kind || g.inferred != w.inferred)
            return QStringLiteral("node %1: %2 %3")
                .arg(name, QString::fromStdString(g.name), QString::fromLatin1(nodeKindName(g.kind)));
        if (g.spans != w.spans || g.errors != w.errors)
            return QStringLiteral("node %1: %2 spans %3 errors").arg(name).arg(g.spans).arg(g.errors);
        if (std::abs(g.ratePerSecond - w.ratePerSecond) > 1e-9 * std::max(1.0, w.ratePerSecond))
            return QStringLiteral("node %1: rate %2 against %3").arg(name).arg(g.ratePerSecond).arg(w.ratePerSecond);
        if (!near(g.p95Ns, w.p95Ns))
            return QStringLiteral("node %1: p95 %2 against %3").arg(name).arg(g.p95Ns).arg(w.p95Ns);
        // The same keys; the value of a key with several is the first the cache or the builder saw (any of them).
        for (size_t a = 0; a < std::max(g.attributes.size(), w.attributes.size()); ++a) {
            const auto pair = [](const auto& list, size_t i) {
                return i < list.size() ? QString::fromStdString(list[i].first + "=" + list[i].second) : QString();
            };
            if (a >= g.attributes.size() || a >= w.attributes.size() || g.attributes[a].first != w.attributes[a].first
                || !attributeValues.contains({ g.name, g.attributes[a].first, g.attributes[a].second }))
                return QStringLiteral("node %1: %2 against %3").arg(name, pair(g.attributes, a), pair(w.attributes, a));
        }
    }
    if (got->edges.size() != want.edges.size())
        return QStringLiteral("%1 calls, %2 from the spans").arg(got->edges.size()).arg(want.edges.size());
    for (size_t i = 0; i < want.edges.size(); ++i) {
        const Topology::Edge& g = got->edges[i];
        const Topology::Edge& w = want.edges[i];
        if (g.from != w.from || g.to != w.to || g.calls != w.calls || g.errors != w.errors || !near(g.p50Ns, w.p50Ns)
            || !near(g.p95Ns, w.p95Ns) || !near(g.p99Ns, w.p99Ns))
            return QStringLiteral("call %1 -> %2: %3 calls %4 errors p95 %5, from the spans %6 %7 %8")
                .arg(QString::fromStdString(want.nodes[w.from].name), QString::fromStdString(want.nodes[w.to].name))
                .arg(g.calls)
                .arg(g.errors)
                .arg(g.p95Ns)
                .arg(w.calls)
                .arg(w.errors)
                .arg(w.p95Ns);
    }
    return {};
}

// A cache at `path` with these fixtures imported, one import each.
bool importInto(const QString& path, std::initializer_list<const char*> fixtures)
{
    auto cache = TraceCache::open(path);
    if (!cache)
        return false;
    for (const char* fixture : fixtures) {
        if (!(*cache)->importFile(testsupport::fixture(QString::fromUtf8(fixture))))
            return false;
    }
    return true;
}

#define COMPARE_TOPOLOGY(cache)                                                                                        \
    do {                                                                                                               \
        const QString difference = topologyDifference(cache);                                                          \
        QVERIFY2(difference.isEmpty(), qPrintable(difference));                                                        \
    } while (false)

Trace oneSpanTrace(TraceId id, SpanId spanId, SpanId parentId, qint64 startNs, qint64 durationNs, bool error)
{
    Trace trace;
    trace.id = id;
    Span span;
    span.id = spanId;
    span.parentId = parentId;
    span.startNs = startNs;
    span.durationNs = durationNs;
    span.service = trace.strings.intern("checkout");
    span.operation = trace.strings.intern("GET /cart");
    span.kind = SpanKind::Server;
    span.status = error ? StatusCode::Error : StatusCode::Unset;
    trace.spans.push_back(span);
    TraceAssembler::assemble(trace);
    return trace;
}

} // namespace

class TestRollups : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gridBucketsHoldTheirDurations()
    {
        std::mt19937_64 random(7);
        std::uniform_real_distribution<double> exponent(0, 40); // 1 ns to about 18 minutes
        for (int i = 0; i < 200000; ++i) {
            const auto ns = static_cast<qint64>(std::exp2(exponent(random)));
            const int bucket = DurationGrid::bucketOf(ns);
            QVERIFY(bucket >= 0 && bucket < DurationGrid::kBuckets);
            // The table rounds within 0.1 % of a bucket's edge.
            QVERIFY2(ns >= DurationGrid::lowerBound(bucket) * 0.999 && ns < DurationGrid::upperBound(bucket) * 1.001,
                qPrintable(QStringLiteral("%1 ns in bucket %2").arg(ns).arg(bucket)));
            const double error = std::abs(static_cast<double>(DurationGrid::representative(bucket)) - ns) / ns;
            if (ns >= 1000) // below a microsecond, rounding the middle to whole nanoseconds adds up to 1 ns
                QVERIFY2(error <= 0.045, qPrintable(QStringLiteral("%1 ns: error %2").arg(ns).arg(error)));
        }
        QCOMPARE(DurationGrid::bucketOf(0), 0);
        QCOMPARE(DurationGrid::bucketOf(-5), 0);
        QCOMPARE(DurationGrid::bucketOf(2), 8);
        QCOMPARE(DurationGrid::bucketOf(1024), 80);
        QCOMPARE(DurationGrid::bucketOf(std::numeric_limits<qint64>::max()), DurationGrid::kBuckets - 1);
        for (int bucket = 100; bucket < 400; ++bucket) { // just inside each edge, from either side
            QCOMPARE(DurationGrid::bucketOf(std::llround(DurationGrid::lowerBound(bucket) * 1.002)), bucket);
            QCOMPARE(DurationGrid::bucketOf(std::llround(DurationGrid::lowerBound(bucket) * 0.998)), bucket - 1);
        }
    }

    void histogramEncodesAndRejectsDamage()
    {
        LatencyHistogram h;
        for (qint64 ns : { 5LL, 1000LL, 1000LL, 1000000LL, 3000000000LL })
            h.add(ns);
        h.addToBucket(DurationGrid::bucketOf(7), -3); // a change may take spans out
        QCOMPARE(h.total(), 2);
        const std::string bytes = h.encode();
        QCOMPARE(LatencyHistogram::decode(bytes), std::optional(h));
        QVERIFY(!LatencyHistogram::decode(bytes.substr(0, bytes.size() - 1)));
        QVERIFY(!LatencyHistogram::decode(bytes + '\x01'));
        QVERIFY(!LatencyHistogram::decode(std::string("\x01\xff\x07\x02", 4))); // bucket 1023: off the grid
        QVERIFY(!LatencyHistogram::decode(std::string("\x02\x05\x02\x00\x02", 5))); // the same bucket twice
        QVERIFY(LatencyHistogram::decode(std::string("\x00", 1))->isEmpty());

        LatencyHistogram other;
        other.add(1000, 2);
        h.merge(other, -1);
        QCOMPARE(h.buckets().size(), size_t(4)); // 1000 ns is gone, not kept at zero
    }

    void percentilesAgreeWithExactOnes()
    {
        GeneratorOptions options;
        options.traces = 400;
        options.seed = 5;
        TraceGenerator generator(options);
        SpanStatistics exact;
        SpanRollups rollups;
        Trace trace;
        while (generator.next(trace)) {
            exact.add(trace);
            rollups.add(trace);
        }
        std::map<std::pair<std::string, std::string>, LatencyHistogram> byOperation;
        for (const auto& [cell, figures] : rollups.cells())
            byOperation[{ cell.first.service, cell.first.operation }].merge(figures.durations);
        int compared = 0;
        for (const SpanStatistics::Row& row : exact.rows()) {
            if (row.isService || row.spans - row.noDuration < 20)
                continue;
            const LatencyHistogram& h = byOperation.at({ row.service, row.operation });
            QCOMPARE(h.total(), row.spans - row.noDuration);
            for (const auto& [p, value] : { std::pair { 50.0, row.p50 }, { 95.0, row.p95 }, { 99.0, row.p99 } }) {
                const double ratio = static_cast<double>(h.percentile(p)) / static_cast<double>(value);
                QVERIFY2(std::abs(ratio - 1) <= 0.045,
                    qPrintable(QStringLiteral("%1 %2 p%3: %4 vs exact %5")
                                   .arg(QString::fromStdString(row.service), QString::fromStdString(row.operation))
                                   .arg(p)
                                   .arg(h.percentile(p))
                                   .arg(value)));
            }
            ++compared;
        }
        QVERIFY2(compared >= 20, qPrintable(QString::number(compared)));
    }

    void importsKeepRollupsOfTheirSpans_data()
    {
        QTest::addColumn<QStringList>("files");
        QTest::newRow("hotrod") << QStringList { QString::fromUtf8(kHotrod) };
        QTest::newRow("smartthings, missing durations") << QStringList { QString::fromUtf8(kSmartThings) };
        QTest::newRow("the same file twice") << QStringList { QString::fromUtf8(kHotrod), QString::fromUtf8(kHotrod) };
        // The same trace in two formats' fixtures gains no spans, the JSON Lines twin of a .pb merges in place.
        QTest::newRow("twins") << QStringList { QStringLiteral("otlp-proto/otlp2parquet-traces.pb"),
            QStringLiteral("otlp-json/otlp2parquet-traces.jsonl") };
    }

    void importsKeepRollupsOfTheirSpans()
    {
        if (!requireFixtures())
            return;
        QFETCH(QStringList, files);
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY(cache.has_value());
        for (const QString& file : files) {
            const auto imported = (*cache)->importFile(testsupport::fixture(file));
            QVERIFY2(imported.has_value(), qPrintable(imported ? QString() : imported.error().toString()));
        }
        COMPARE_ROLLUPS(**cache);
        // And against SpanStatistics, which counts the same spans its own way: spans, errors, and durations only for
        // spans that have one.
        SpanStatistics exact;
        QVERIFY((*cache)->forEachTrace([&](const Trace& t) {
            exact.add(t);
            return true;
        }));
        std::map<std::pair<std::string, std::string>, RollupFigures> byOperation;
        const SpanRollups stored = storedRollups(**cache);
        for (const auto& [cell, figures] : stored.cells())
            byOperation[{ cell.first.service, cell.first.operation }].merge(figures);
        for (const SpanStatistics::Row& row : exact.rows()) {
            if (row.isService)
                continue;
            const RollupFigures& f = byOperation[{ row.service, row.operation }];
            QCOMPARE(f.spans, row.spans);
            QCOMPARE(f.errors, row.errors);
            QCOMPARE(f.durations.total(), row.spans - row.noDuration);
        }
        // tracemap stats of a large cache: the same rows from the rollups alone, counts exact, durations within 4.5 %.
        const auto summed = rollupqueries::statistics(**cache);
        QVERIFY(summed.has_value());
        const auto rows = exact.rows();
        QCOMPARE(summed->size(), rows.size());
        for (size_t i = 0; i < rows.size(); ++i) {
            const SpanStatistics::Row& want = rows[i];
            const SpanStatistics::Row& got = (*summed)[i];
            const QByteArray name = QByteArray::fromStdString(want.service + " " + want.operation);
            QVERIFY2(got.service == want.service && got.operation == want.operation && got.isService == want.isService,
                name.constData());
            QCOMPARE(got.spans, want.spans);
            QCOMPARE(got.noDuration, want.noDuration);
            QCOMPARE(got.errors, want.errors);
            for (const auto& [approximate, exactValue] : { std::pair { got.p50, want.p50 }, { got.p95, want.p95 },
                     { got.p99, want.p99 }, { got.max, want.max } }) {
                if (exactValue > 0) {
                    const double ratio = static_cast<double>(approximate) / static_cast<double>(exactValue);
                    QVERIFY2(std::abs(ratio - 1) <= 0.045, name.constData());
                }
            }
        }
    }

    void liveBatchesThatMergeTracesReplaceTheirFigures()
    {
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY(cache.has_value());
        GeneratorOptions options;
        options.traces = 60;
        TraceGenerator generator(options);
        std::vector<Trace> whole;
        Trace trace;
        while (generator.next(trace))
            whole.push_back(trace);
        // Each trace arrives in two batches: even spans first, then odd ones (parents after children, orphans).
        for (int half = 0; half < 2; ++half) {
            std::vector<Trace> batch;
            for (const Trace& t : whole) {
                Trace part = t;
                part.spans.clear();
                for (size_t i = half; i < t.spans.size(); i += 2)
                    part.spans.push_back(t.spans[i]);
                for (Span& s : part.spans)
                    s.parent = kNoIndex;
                TraceAssembler::assemble(part);
                batch.push_back(std::move(part));
            }
            QVERIFY((*cache)->storeTraces(batch, QStringLiteral("live")).has_value());
            COMPARE_ROLLUPS(**cache);
        }
        // Orphans that found their parents stopped being roots: the root series count only true roots now.
        qint64 roots = 0;
        const SpanRollups stored = storedRollups(**cache);
        for (const auto& [cell, figures] : stored.cells())
            roots += cell.first.root ? figures.spans : 0;
        QCOMPARE(roots, qint64(whole.size()));
    }

    void rollupsCountErrorsAndMinutes()
    {
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY(cache.has_value());
        const qint64 minute = 29'000'000LL * SpanRollups::kMinuteNs;
        std::vector<Trace> batch { oneSpanTrace({ 0, 1 }, 1, 0, minute + 1, 5'000'000, false),
            oneSpanTrace({ 0, 2 }, 1, 0, minute + SpanRollups::kMinuteNs - 1, 7'000'000, true),
            oneSpanTrace({ 0, 3 }, 1, 0, minute + SpanRollups::kMinuteNs, 9'000'000, true) };
        QVERIFY((*cache)->storeTraces(batch, QStringLiteral("live")).has_value());
        const auto series = (*cache)->rollupSeries();
        QVERIFY(series.has_value());
        QCOMPARE(series->size(), size_t(1));
        QVERIFY(series->front().key.isEntry());
        QCOMPARE(series->front().key.service, std::string("checkout"));
        std::vector<std::tuple<qint64, qint64, qint64, qint64>> rows; // minute, spans, errors, max duration
        QVERIFY((*cache)
                    ->forEachRollup({}, 0, std::numeric_limits<qint64>::max(),
                        [&](qint64, qint64 m, const RollupFigures& f) {
                            rows.emplace_back(m, f.spans, f.errors, f.durations.percentile(100));
                        })
                    .has_value());
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(std::get<0>(rows[0]), 29'000'000LL);
        QCOMPARE(std::get<1>(rows[0]), 2);
        QCOMPARE(std::get<2>(rows[0]), 1);
        QVERIFY(std::abs(std::get<3>(rows[0]) - 7'000'000) < 7'000'000 * 0.045);
        QCOMPARE(std::get<0>(rows[1]), 29'000'001LL);
        QCOMPARE((*cache)->rollupMinutes(), std::optional(std::pair { 29'000'000LL, 29'000'001LL }));
        QCOMPARE(SpanRollups::minuteOf(-1), -1); // before 1970 the minute is floored, not truncated
        QVERIFY((*cache)->clear().has_value());
        QCOMPARE((*cache)->rollupMinutes(), std::nullopt);
        QCOMPARE((*cache)->rollupSeries()->size(), size_t(0));
    }

    // Retention takes the rollups of the minutes before the oldest trace left with the traces: they follow what is
    // cached, and cannot outgrow a size limit on their own.
    void retentionDropsTheRollupsOfDeletedMinutes()
    {
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY(cache.has_value());
        GeneratorOptions options;
        options.traces = 600;
        options.spansPerTrace = 5;
        options.traceIntervalNs = 6'000'000'000; // 600 traces 6 s apart: an hour
        TraceGenerator generator(options);
        std::vector<Trace> batch;
        Trace trace;
        while (generator.next(trace))
            batch.push_back(std::move(trace));
        QVERIFY((*cache)->storeTraces(batch, QStringLiteral("generated")).has_value());
        const auto before = (*cache)->rollupMinutes();
        QVERIFY(before.has_value());
        RetentionPolicy policy;
        policy.nowNs = options.startNs + 60 * SpanRollups::kMinuteNs;
        policy.maxAgeNs = 30 * SpanRollups::kMinuteNs; // the first half hour goes
        const auto pass = (*cache)->enforceRetention(policy);
        QVERIFY(pass.has_value() && pass->traces > 0 && pass->done);
        qint64 oldest = std::numeric_limits<qint64>::max(), remaining = 0;
        QVERIFY((*cache)->forEachTrace([&](const Trace& t) {
            oldest = std::min(oldest, TraceSummary::of(t).startNs);
            remaining += static_cast<qint64>(t.spans.size());
            return true;
        }));
        const auto after = (*cache)->rollupMinutes();
        QVERIFY(after.has_value());
        QCOMPARE(after->first, SpanRollups::minuteOf(oldest));
        QVERIFY(after->first >= before->first + 29);
        QCOMPARE(after->second, before->second);
        const qint64 counted = rollupSpans(storedRollups(**cache));
        // The oldest minute left may still count spans of a trace deleted in it; no more than that.
        QVERIFY2(counted >= remaining && counted <= remaining + 20,
            qPrintable(QStringLiteral("%1 vs %2").arg(counted).arg(remaining)));
    }

    void schema3CacheIsMigrated()
    {
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        QVERIFY(importInto(path, { kSmartThings, kHotrod }));
        QVERIFY(execSql(path,
            "DROP TABLE rollups; DROP TABLE rollup_series; DROP TABLE call_rollups; DROP TABLE call_series; "
            "DROP TABLE service_attributes; DROP INDEX traces_by_duration; PRAGMA user_version=3;"));
        auto cache = TraceCache::open(path);
        QVERIFY2(cache.has_value(), qPrintable(cache ? QString() : cache.error()));
        COMPARE_ROLLUPS(**cache);
        COMPARE_TOPOLOGY(**cache);
        // And it goes on keeping them.
        std::vector<Trace> batch { oneSpanTrace({ 0, 77 }, 1, 0, 1'000'000'000, 1'000, false) };
        QVERIFY((*cache)->storeTraces(batch, QStringLiteral("live")).has_value());
        COMPARE_ROLLUPS(**cache);
        COMPARE_TOPOLOGY(**cache);
    }

    // Schema 5 had the span rollups but not the calls': opening it computes them from the cached traces.
    void schema5CacheGetsItsCallRollups()
    {
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        QVERIFY(importInto(path, { "zipkin-v2/messaging-kafka.json", kHotrod }));
        QVERIFY(execSql(path,
            "DROP TABLE call_rollups; DROP TABLE call_series; DROP TABLE service_attributes; PRAGMA user_version=5;"));
        auto cache = TraceCache::open(path);
        QVERIFY2(cache.has_value(), qPrintable(cache ? QString() : cache.error()));
        QVERIFY(!(*cache)->callSeries()->empty());
        COMPARE_TOPOLOGY(**cache);
    }

    // A service's resource attributes are kept up to Topology::kMaxNodeAttributes keys, the first seen, across
    // imports too: a flood of keys (one per pod, say) stays out of the cache, and the first value of a key stays.
    void serviceAttributesAreCappedAcrossImports()
    {
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY(cache.has_value());
        for (int import = 0; import < 3; ++import) {
            ResourceDraft resource;
            for (int k = 0; k < 20; ++k)
                resource.attributes.addString("key." + std::to_string(import * 20 + k), "v" + std::to_string(import));
            resource.attributes.addString("k8s.namespace.name", "ns" + std::to_string(import));
            SpanDraft draft;
            draft.traceId = { 0, static_cast<quint64>(100 + import) };
            draft.spanId = 1;
            draft.startNs = 1'000'000'000LL * (import + 1);
            draft.durationNs = 1'000'000;
            draft.service = "api";
            draft.operation = "GET /";
            draft.kind = SpanKind::Server;
            SpanBatch batch;
            batch.add(draft, &resource);
            std::vector<Trace> traces = batch.takeTraces();
            QVERIFY((*cache)->storeTraces(traces, QStringLiteral("live")).has_value());
        }
        // In the file (reading back caps them too).
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open((*cache)->path().toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_stmt* count = nullptr;
        QCOMPARE(sqlite3_prepare_v2(
                     db, "SELECT count(*) FROM service_attributes WHERE service = 'api'", -1, &count, nullptr),
            SQLITE_OK);
        QCOMPARE(sqlite3_step(count), SQLITE_ROW);
        const qint64 stored = sqlite3_column_int64(count, 0);
        sqlite3_finalize(count);
        sqlite3_close(db);
        QCOMPARE(stored, qint64(Topology::kMaxNodeAttributes));
        const auto attributes = (*cache)->serviceAttributes();
        QVERIFY(attributes.has_value());
        const auto& api = attributes->at("api");
        QCOMPARE(api.size(), Topology::kMaxNodeAttributes);
        const auto key = [&](std::string_view name) {
            const auto it = std::ranges::find(api, name, [](const auto& kv) { return std::string_view(kv.first); });
            return it == api.end() ? std::string("(none)") : it->second;
        };
        QCOMPARE(key("k8s.namespace.name"), std::string("ns0"));
        QCOMPARE(key("key.0"), std::string("v0"));
        QCOMPARE(key("key.30"), std::string("v1"));
        QCOMPARE(key("key.45"), std::string("(none)"));
    }

    // The map of the whole cache from its rollups equals TopologyBuilder's over the spans, through imports of every
    // kind of call (parent/child, span links, databases, brokers and hosts known only by attributes), a trace that
    // gains spans later (its old calls taken out) and retention.
    void topologyFromRollupsMatchesTheSpans()
    {
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
        QVERIFY(cache.has_value());
        for (const char* file : { kHotrod, kSmartThings, "zipkin-v2/messaging-kafka.json",
                 "zipkin-v2/messaging-rabbitmq.json", "zipkin-v2/messaging2.json", "zipkin-v2/simple-db-p6.json",
                 "zipkin-v2/frontend-backend-128bit-orphans.json", "jaeger/producer-consumer-follows-from-error.json",
                 "jaeger/genai-agent-57-spans-10-services.json" }) {
            const auto imported = (*cache)->importFile(testsupport::fixture(QString::fromUtf8(file)));
            QVERIFY2(imported.has_value(), qPrintable(imported ? QString() : imported.error().toString()));
        }
        COMPARE_TOPOLOGY(**cache);
        const auto before = rollupqueries::topology(**cache);
        QVERIFY(before && before->edges.size() >= 10);
        QVERIFY(std::ranges::any_of(before->nodes, [](const Topology::Node& n) { return n.inferred; }));
        QVERIFY(std::ranges::any_of(before->nodes, [](const Topology::Node& n) { return !n.attributes.empty(); }));

        // A trace whose client span's server arrives in a later batch: the call to the peer becomes a call to the
        // service, counted once.
        SpanDraft draft;
        draft.traceId = { 0, 99 };
        draft.spanId = 1;
        draft.startNs = 5'000'000'000;
        draft.durationNs = 3'000'000;
        draft.service = "shop";
        draft.operation = "GET /pay";
        draft.kind = SpanKind::Client;
        draft.attributes.addString("peer.service", "payments");
        SpanBatch clientSide;
        clientSide.add(draft);
        std::vector<Trace> first = clientSide.takeTraces();
        QVERIFY((*cache)->storeTraces(first, QStringLiteral("live")).has_value());
        COMPARE_TOPOLOGY(**cache);
        draft.clear();
        draft.traceId = { 0, 99 };
        draft.spanId = 2;
        draft.parentId = 1;
        draft.startNs = 5'001'000'000;
        draft.durationNs = 1'000'000;
        draft.service = "payments";
        draft.operation = "POST /charge";
        draft.kind = SpanKind::Server;
        draft.status = StatusCode::Error;
        SpanBatch serverSide;
        serverSide.add(draft);
        std::vector<Trace> second = serverSide.takeTraces();
        QVERIFY((*cache)->storeTraces(second, QStringLiteral("live")).has_value());
        COMPARE_TOPOLOGY(**cache);
        const auto after = rollupqueries::topology(**cache);
        QVERIFY(after.has_value());
        const int shop = after->nodeIndex("shop");
        const int payments = after->nodeIndex("payments");
        QVERIFY(shop >= 0 && payments >= 0 && !after->nodes[payments].inferred);
        const auto edge = std::ranges::find_if(after->edges, [&](const Topology::Edge& e) {
            return e.from == static_cast<quint32>(shop) && e.to == static_cast<quint32>(payments);
        });
        QVERIFY(edge != after->edges.end());
        QCOMPARE(edge->calls, 1);
        QCOMPARE(edge->errors, 1);

        // Retention drops the calls of the minutes before the oldest trace it keeps, with the spans'.
        const auto callsNow = [&] {
            qint64 calls = 0;
            const auto read
                = (*cache)->forEachCallRollup([&](qint64, qint64, const RollupFigures& f) { calls += f.spans; });
            return read ? calls : -1;
        };
        const qint64 callsBefore = callsNow();
        TraceQuery newest;
        newest.limit = 1;
        const auto top = (*cache)->search(newest);
        QVERIFY(top && top->size() == 1);
        RetentionPolicy policy;
        policy.nowNs = top->front().startNs;
        policy.maxAgeNs = 1;
        QVERIFY((*cache)->enforceRetention(policy).has_value());
        const qint64 callsAfter = callsNow();
        QVERIFY2(callsAfter >= 0 && callsAfter < callsBefore,
            qPrintable(QStringLiteral("%1 calls, %2 before").arg(callsAfter).arg(callsBefore)));

        QVERIFY((*cache)->clear().has_value());
        QVERIFY((*cache)->callSeries()->empty());
        QVERIFY((*cache)->serviceAttributes()->empty());
        QVERIFY(
            execSql((*cache)->path(), "INSERT INTO call_series(id, caller, callee, hints) VALUES (1, 'a', 'b', 0)"));
        QCOMPARE(callsNow(), 0); // the rollups of the calls went with their series
    }
};

QTEST_GUILESS_MAIN(TestRollups)
#include "tst_rollups.moc"
