// Anomaly detection on hand-made series (planted shifts found at the right bucket, noise and tiny counts not),
// its statistics, and the whole path on generated data with planted causes: episodes found with the right start
// and explanation, none in control data.

#include "testsupport.h"

#include "analysis/spanstatistics.h"
#include "cache/tracecache.h"
#include "generator/tracegenerator.h"
#include "metrics/anomalydetector.h"
#include "metrics/redtable.h"
#include "metrics/significance.h"
#include "monitor/anomalyreport.h"
#include "monitor/exactpercentiles.h"
#include "monitor/rollupqueries.h"
#include "monitor/spancomparison.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <random>
#include <set>

using namespace tracemap;

namespace {

constexpr qint64 kMs = 1'000'000;

// A steady series: `perBucket` spans a bucket, durations log-normal around `medianMs`, `errorRate` of them failed.
BucketSeries steadySeries(int buckets, qint64 perBucket, double medianMs, double errorRate, quint64 seed)
{
    BucketSeries series;
    series.key = SeriesKey { "checkout", "GET /cart", SpanKind::Server, false };
    series.startNs = 29'000'000 * SpanRollups::kMinuteNs;
    series.buckets.resize(buckets);
    std::mt19937_64 random(seed);
    std::lognormal_distribution<double> duration(std::log(medianMs), 0.4);
    std::bernoulli_distribution failed(errorRate);
    std::poisson_distribution<qint64> count(static_cast<double>(perBucket));
    for (RollupFigures& bucket : series.buckets) {
        const qint64 n = count(random);
        for (qint64 i = 0; i < n; ++i) {
            ++bucket.spans;
            bucket.errors += failed(random) ? 1 : 0;
            bucket.durations.add(static_cast<qint64>(duration(random) * kMs));
        }
    }
    return series;
}

void scaleDurations(RollupFigures& bucket, double factor)
{
    LatencyHistogram scaled;
    for (const auto& [b, c] : bucket.durations.buckets())
        scaled.add(static_cast<qint64>(DurationGrid::representative(b) * factor), c);
    bucket.durations = scaled;
}

// 70 minutes of generated traffic (400 traces a minute, about 8 spans each) in a new cache, with these causes.
std::unique_ptr<TraceCache> generatedCache(const QTemporaryDir& dir, const std::vector<PlantedCause>& causes)
{
    GeneratorOptions options;
    options.traces = 28000;
    options.spansPerTrace = 8;
    options.traceIntervalNs = 150 * kMs;
    options.seed = 1; // the names below are those of seed 1 (tracemap generate --list-services)
    options.causes = causes;
    TraceGenerator generator(options);
    auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
    if (!cache)
        return nullptr;
    std::vector<Trace> batch;
    Trace trace;
    for (bool more = true; more;) {
        more = generator.next(trace);
        if (more)
            batch.push_back(std::move(trace));
        if (batch.size() == 4000 || (!more && !batch.empty())) {
            if (!(*cache)->storeTraces(batch, QStringLiteral("generated")))
                return nullptr;
            batch.clear();
        }
    }
    return std::move(*cache);
}

// The SmartThings production trace (spans without durations, error tags) in a new cache.
std::unique_ptr<TraceCache> smartThingsCache(const QTemporaryDir& dir)
{
    auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
    if (!cache
        || !(*cache)->importFile(testsupport::fixture(QStringLiteral("zipkin-v2/smartthings-mobile-web-install.json"))))
        return nullptr;
    return std::move(*cache);
}

PlantedCause cause(PlantedCause::Kind kind, std::string service, std::string operation, std::string attribute,
    qint64 from, qint64 to, double factor)
{
    PlantedCause c;
    c.kind = kind;
    c.service = std::move(service);
    c.operation = std::move(operation);
    c.attribute = std::move(attribute);
    c.fromMinute = from;
    c.toMinute = to;
    c.factor = factor;
    return c;
}

} // namespace

class TestAnomalies : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tails()
    {
        using namespace significance;
        QVERIFY(std::abs(normalUpperTail(1.959964) - 0.025) < 1e-6);
        // Binomial(10, 0.5): P(X >= 8) = 56/1024.
        QVERIFY(std::abs(binomialUpperTail(8, 10, 0.5) - 56.0 / 1024) < 1e-9);
        QCOMPARE(binomialUpperTail(0, 10, 0.5), 1.0);
        QCOMPARE(binomialUpperTail(11, 10, 0.5), 0.0);
        // Poisson(2): P(X <= 1) = 3 e^-2, P(X >= 2) = 1 - 3 e^-2.
        QVERIFY(std::abs(poissonLowerTail(1, 2) - 3 * std::exp(-2.0)) < 1e-9);
        QVERIFY(std::abs(poissonUpperTail(2, 2) - (1 - 3 * std::exp(-2.0))) < 1e-9);
        QVERIFY(std::abs(poissonUpperTail(130, 100) - 0.00228) < 0.0005); // large lambda: about the normal tail
        const std::vector<bool> found = benjaminiHochberg({ 0.001, 0.009, 0.04, 0.2 }, 0.05);
        // Ranks: 0.001 <= 0.0125, 0.009 <= 0.025, 0.04 > 0.0375, 0.2 > 0.05.
        QCOMPARE(found, (std::vector<bool> { true, true, false, false }));
        QCOMPARE(benjaminiHochberg({ 0.03, 0.04 }, 0.05), (std::vector<bool> { true, true })); // step-up
    }

    void controlSeriesHaveNoEpisode()
    {
        std::vector<BucketSeries> series;
        for (quint64 seed = 1; seed <= 20; ++seed)
            series.push_back(steadySeries(180, 60 + 10 * static_cast<qint64>(seed), 40, 0.01, seed));
        const auto episodes = AnomalyDetector().detect(series);
        QVERIFY2(episodes.empty(),
            qPrintable(episodes.empty() ? QString() : QString::fromLatin1(anomalyKindName(episodes.front().kind))));
    }

    void plantedShiftsAreFoundWhereTheyStart()
    {
        std::vector<BucketSeries> series { steadySeries(120, 100, 40, 0.01, 1), steadySeries(120, 100, 40, 0.01, 2),
            steadySeries(120, 100, 40, 0.01, 3), steadySeries(120, 100, 40, 0.01, 4) };
        for (int b = 70; b < 85; ++b)
            scaleDurations(series[0].buckets[b], 3);
        for (int b = 60; b < 75; ++b) {
            RollupFigures& f = series[1].buckets[b];
            f.errors = f.spans * 3 / 10;
        }
        for (int b = 50; b < 60; ++b) {
            RollupFigures& f = series[2].buckets[b];
            f.spans /= 5;
            f.durations = LatencyHistogram();
            f.durations.add(40 * kMs, f.spans);
        }
        // Series 3: a spike of three buckets with 3 spans each, all failed: too few to mean anything.
        for (int b = 90; b < 93; ++b)
            series[3].buckets[b].errors = std::min<qint64>(3, series[3].buckets[b].spans);
        const auto episodes = AnomalyDetector().detect(series);
        auto find = [&](size_t s, AnomalyEpisode::Kind kind) -> const AnomalyEpisode* {
            for (const AnomalyEpisode& e : episodes) {
                if (e.series == s && e.kind == kind)
                    return &e;
            }
            return nullptr;
        };
        const AnomalyEpisode* latency = find(0, AnomalyEpisode::Kind::Latency);
        QVERIFY(latency);
        QVERIFY2(std::abs(latency->firstBucket - 70) <= 1, qPrintable(QString::number(latency->firstBucket)));
        QVERIFY2(std::abs(latency->lastBucket - 84) <= 1, qPrintable(QString::number(latency->lastBucket)));
        QVERIFY2(latency->observed / latency->baseline > 2.5 && latency->observed / latency->baseline < 3.5,
            qPrintable(QStringLiteral("%1 / %2").arg(latency->observed).arg(latency->baseline)));
        QCOMPARE(latency->startNs, series[0].startNs + latency->firstBucket * series[0].stepNs);
        const AnomalyEpisode* errors = find(1, AnomalyEpisode::Kind::Errors);
        QVERIFY(errors);
        QVERIFY(std::abs(errors->firstBucket - 60) <= 1);
        QVERIFY(errors->observed > 0.25 && errors->baseline < 0.03);
        const AnomalyEpisode* drop = find(2, AnomalyEpisode::Kind::RateDrop);
        QVERIFY(drop);
        QVERIFY(std::abs(drop->firstBucket - 50) <= 1);
        QVERIFY(drop->observed < 0.3 * drop->baseline);
        QCOMPARE(find(3, AnomalyEpisode::Kind::Errors), nullptr);
        QCOMPARE(episodes.size(), size_t(3)); // nothing else
        for (size_t i = 1; i < episodes.size(); ++i)
            QVERIFY(episodes[i - 1].impact >= episodes[i].impact);
    }

    // A series whose p95 swings between 100 and 200 ms bucket by bucket: three buckets at 300 ms clear the ratio and
    // the +20 ms floors, but not the robust z (the baseline's spread is wide), so they are no episode.
    void noisySeriesNeedsAStrongSignal()
    {
        BucketSeries series = steadySeries(120, 100, 100, 0.01, 11);
        for (int b = 0; b < 120; ++b)
            scaleDurations(series.buckets[b], b % 2 ? 2 : 1);
        for (int b = 80; b < 83; ++b)
            scaleDurations(series.buckets[b], 3.0 / (b % 2 ? 2 : 1));
        const auto noisy = AnomalyDetector().detect({ series });
        QVERIFY2(noisy.empty(),
            qPrintable(noisy.empty() ? QString()
                                     : QStringLiteral("%1 %2-%3 %4 %5")
                                           .arg(QLatin1String(anomalyKindName(noisy[0].kind)))
                                           .arg(noisy[0].firstBucket)
                                           .arg(noisy[0].lastBucket)
                                           .arg(noisy[0].baseline)
                                           .arg(noisy[0].observed)));
        // Exactly two levels, 100 ms in even buckets and 200 ms in odd ones: before each odd bucket the baseline has
        // one even bucket more, so its median is 100 ms and its MAD zero; only the mean deviation tells that 200 ms is
        // its other usual level.
        BucketSeries twoLevels;
        twoLevels.key = series.key;
        twoLevels.buckets.resize(120);
        for (int b = 0; b < 120; ++b) {
            twoLevels.buckets[b].spans = 100;
            twoLevels.buckets[b].durations.add((b % 2 ? 200 : 100) * kMs, 100);
        }
        QVERIFY(AnomalyDetector().detect({ twoLevels }).empty());
        // The same three buckets in a steady series are an episode.
        BucketSeries steady = steadySeries(120, 100, 100, 0.01, 11);
        for (int b = 80; b < 83; ++b)
            scaleDurations(steady.buckets[b], 3);
        QCOMPARE(AnomalyDetector().detect({ steady }).size(), size_t(1));
    }

    // A shift that lasts longer than half the baseline window stays an episode to its end: the buckets it flagged
    // stay out of the baseline, which would otherwise take the new level for normal after 30 buckets.
    void longShiftsLastToTheirEnd()
    {
        std::vector<BucketSeries> series { steadySeries(160, 100, 40, 0.01, 21), steadySeries(160, 100, 40, 0.01, 22),
            steadySeries(160, 100, 40, 0.01, 23) };
        for (int b = 70; b < 120; ++b) {
            scaleDurations(series[0].buckets[b], 3);
            series[1].buckets[b].errors = series[1].buckets[b].spans * 3 / 10;
            series[2].buckets[b].spans /= 5;
        }
        const auto episodes = AnomalyDetector().detect(series);
        QCOMPARE(episodes.size(), size_t(3));
        for (const AnomalyEpisode& e : episodes) {
            QVERIFY2(std::abs(e.firstBucket - 70) <= 1 && std::abs(e.lastBucket - 119) <= 1,
                qPrintable(QStringLiteral("%1: %2–%3")
                               .arg(QLatin1String(anomalyKindName(e.kind)))
                               .arg(e.firstBucket)
                               .arg(e.lastBucket)));
        }
    }

    // Errors from 10 % to 13 %: three points more, and over 2,000 spans a bucket clearly significant, but not twice the
    // baseline rate, so not an episode (Dynatrace's relative floor); to 25 %, it is.
    void smallRelativeRiseInErrorsIsNoEpisode()
    {
        BucketSeries series = steadySeries(120, 2000, 40, 0.10, 31); // 2,000 spans: 13 % is 4.5 sigmas above 10 %
        for (int b = 70; b < 90; ++b)
            series.buckets[b].errors = series.buckets[b].spans * 13 / 100;
        QVERIFY(AnomalyDetector().detect({ series }).empty());
        for (int b = 70; b < 90; ++b)
            series.buckets[b].errors = series.buckets[b].spans * 25 / 100;
        QCOMPARE(AnomalyDetector().detect({ series }).size(), size_t(1));
    }

    // The sentence's finding: the first significant value that more of the selection has, past ids, numeric keys and
    // values that fewer have.
    void topFindingIsAnOverRepresentedValue()
    {
        auto attribute = [](std::string key, double selection, double baseline) {
            AttributeDifference a;
            a.key = std::move(key);
            a.score = std::abs(selection - baseline);
            a.topValue = 0;
            ValueShare v;
            v.value = std::string(1, 'x'); // not = "x": GCC 12 warns falsely (-Wrestrict, bug 105651) under ASan
            v.selectionShare = selection;
            v.baselineShare = baseline;
            v.significant = true;
            a.values = { v };
            return a;
        };
        ComparisonResult result;
        result.attributes = { attribute("fewer", 0.1, 0.7), attribute("enduser.id", 0.9, 0.1),
            attribute("size", 0.9, 0.2), attribute("version", 0.6, 0.1), attribute("later", 0.5, 0.1) };
        result.attributes[1].demoted = true;
        result.attributes[2].numeric = true;
        const auto finding = topFinding(result);
        QVERIFY(finding);
        QCOMPARE(finding->first->key, std::string("version"));
        QCOMPARE(finding->second->selectionShare, 0.6);
        result.attributes.erase(result.attributes.begin() + 3, result.attributes.end());
        QVERIFY(!topFinding(result));
    }

    // An error selection leaves out what says a span failed: Zipkin's error tag is there in the fixture, and gone from
    // the comparison.
    void errorSelectionsLeaveOutWhatDefinesThem()
    {
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        const auto cache = smartThingsCache(dir);
        QVERIFY(cache);
        MonitorScope everything;
        everything.allKinds = true;
        SpanSelection plain;
        plain.minDurationNs = 1'000'000;
        SpanSelection errors;
        errors.errorsOnly = true;
        auto keys = [&](const SpanSelection& selection) {
            std::set<std::string> out;
            const auto compared = compareSelection(*cache, everything, selection);
            for (const AttributeDifference& a : compared->result.attributes)
                out.insert(a.key);
            return out;
        };
        QVERIFY(keys(plain).contains("error"));
        QVERIFY(!keys(errors).contains("error"));
        QVERIFY(keys(errors).contains("http.method"));
    }

    // A small view's RED figures are the exact percentiles of its spans; a large one keeps the histograms'.
    void smallViewsGetExactPercentiles()
    {
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        const auto cache = smartThingsCache(dir);
        QVERIFY(cache);
        MonitorScope everything;
        everything.allKinds = true;
        const auto series = rollupqueries::loadSeries(*cache, everything, SpanRollups::kMinuteNs);
        QVERIFY(series.has_value());
        std::vector<RedRow> rows = redTable(*series);
        const std::vector<RedRow> fromRollups = rows;
        QVERIFY(!useExactPercentiles(*cache, everything, rows, 0).value()); // more traces than allowed
        QVERIFY(std::none_of(rows.begin(), rows.end(), [](const RedRow& r) { return r.exact; }));
        QVERIFY(useExactPercentiles(*cache, everything, rows).value());
        SpanStatistics exact;
        QVERIFY(cache->forEachTrace([&](const Trace& t) {
            exact.add(t);
            return true;
        }));
        int differing = 0;
        for (const SpanStatistics::Row& e : exact.rows()) {
            if (e.spans == e.noDuration)
                continue;
            const auto row = std::find_if(rows.begin(), rows.end(), [&](const RedRow& r) {
                return r.service == e.service && r.operation == (e.isService ? "" : e.operation);
            });
            QVERIFY(row != rows.end());
            QVERIFY(row->exact);
            QCOMPARE(row->p50, e.p50);
            QCOMPARE(row->p95, e.p95);
            QCOMPARE(row->p99, e.p99);
            differing += fromRollups[static_cast<size_t>(row - rows.begin())].p95 != e.p95;
        }
        QVERIFY(differing > 0); // the histograms' figures were not exact, so the test tells them apart
    }

    void shortBlipsAreNotEpisodes()
    {
        std::vector<BucketSeries> series { steadySeries(120, 100, 40, 0.01, 9) };
        for (int b : { 70, 71, 90 }) // two buckets, then one: runs shorter than three
            scaleDurations(series[0].buckets[b], 4);
        QVERIFY(AnomalyDetector().detect(series).empty());
        scaleDurations(series[0].buckets[73], 4); // 70, 71, (72), 73: one gap joined
        const auto episodes = AnomalyDetector().detect(series);
        QCOMPARE(episodes.size(), size_t(1));
        QCOMPARE(episodes.front().firstBucket, 70);
        QCOMPARE(episodes.front().lastBucket, 73);
    }

    void plantedCausesAreFoundAndExplained()
    {
        QTemporaryDir dir;
        const auto cache = generatedCache(dir,
            { cause(
                  PlantedCause::Kind::Latency, "frontend", "GET /api/fraud/search", "service.version=2.1.0", 40, 55, 4),
                cause(PlantedCause::Kind::Errors, "shipping", "", "cloud.region=eu-west-3", 30, 45, 0.6),
                cause(PlantedCause::Kind::RateDrop, "frontend", "GET /api/catalog", "", 20, 30, 0.2) });
        QVERIFY(cache);
        const auto episodes = findAnomalies(*cache, MonitorScope(), SpanRollups::kMinuteNs);
        QVERIFY2(episodes.has_value(), qPrintable(episodes ? QString() : episodes.error()));
        const qint64 start = GeneratorOptions().startNs;
        auto find = [&](AnomalyEpisode::Kind kind, const std::string& service,
                        const std::string& operation) -> const ExplainedEpisode* {
            for (const ExplainedEpisode& e : *episodes) {
                if (e.episode.kind == kind && e.series.service == service && e.series.operation == operation)
                    return &e;
            }
            return nullptr;
        };
        QString all;
        for (const ExplainedEpisode& e : *episodes)
            all += e.sentence + QLatin1Char('\n');
        auto startsAt = [&](const ExplainedEpisode* e, qint64 minute) {
            return std::abs(e->episode.startNs - (start + minute * SpanRollups::kMinuteNs)) <= SpanRollups::kMinuteNs;
        };

        const ExplainedEpisode* latency = find(AnomalyEpisode::Kind::Latency, "frontend", "GET /api/fraud/search");
        QVERIFY2(latency, qPrintable(all));
        QVERIFY2(startsAt(latency, 40), qPrintable(latency->sentence));
        QCOMPARE(latency->topKey, std::optional<std::string>("service.version"));
        QCOMPARE(latency->topValue, std::optional<std::string>("2.1.0"));
        QVERIFY2(latency->selectionShare > 0.35 && latency->baselineShare < 0.1, qPrintable(latency->sentence));
        QVERIFY2(latency->sentence.startsWith(QLatin1String("p95 of frontend GET /api/fraud/search rose ")),
            qPrintable(latency->sentence));
        QVERIFY2(
            latency->sentence.contains(QLatin1String("have service.version=2.1.0")), qPrintable(latency->sentence));

        const ExplainedEpisode* errors = find(AnomalyEpisode::Kind::Errors, "shipping", "GET /api/shipping");
        QVERIFY2(errors, qPrintable(all));
        QVERIFY2(startsAt(errors, 30), qPrintable(errors->sentence));
        QCOMPARE(errors->topKey, std::optional<std::string>("cloud.region"));
        QCOMPARE(errors->topValue, std::optional<std::string>("eu-west-3"));
        QVERIFY2(errors->selectionShare > 0.8, qPrintable(errors->sentence));
        QVERIFY(errors->episode.observed > 0.2 && errors->episode.baseline < 0.05);

        const ExplainedEpisode* drop = find(AnomalyEpisode::Kind::RateDrop, "frontend", "GET /api/catalog");
        QVERIFY2(drop, qPrintable(all));
        QVERIFY2(startsAt(drop, 20), qPrintable(drop->sentence));
        QVERIFY2(std::abs(drop->episode.endNs - (start + 30 * SpanRollups::kMinuteNs)) <= SpanRollups::kMinuteNs,
            qPrintable(drop->sentence));
        QVERIFY(drop->episode.observed < 0.35 * drop->episode.baseline);
    }

    // A comparison read as a sample finds what reading every trace finds, with shares close to the exact ones.
    void sampledComparisonAgreesWithTheWholeOne()
    {
        QTemporaryDir dir;
        const auto cache = generatedCache(
            dir, { cause(PlantedCause::Kind::Errors, "shipping", "", "cloud.region=eu-west-3", 30, 45, 0.6) });
        QVERIFY(cache);
        MonitorScope scope;
        scope.service = QStringLiteral("shipping");
        SpanSelection errors;
        errors.errorsOnly = true;
        errors.sinceNs = GeneratorOptions().startNs + 30 * SpanRollups::kMinuteNs;
        errors.untilNs = GeneratorOptions().startNs + 45 * SpanRollups::kMinuteNs;
        const auto whole = compareSelection(*cache, scope, errors, 1'000'000);
        const auto sampled = compareSelection(*cache, scope, errors, 400);
        QVERIFY(whole.has_value() && sampled.has_value());
        QVERIFY(!whole->isSampled());
        QVERIFY(sampled->isSampled());
        QCOMPARE(sampled->scopeTraces, whole->scopeTraces);
        QVERIFY2(sampled->readTraces <= 800, qPrintable(QString::number(sampled->readTraces)));
        auto top = [](const ScopeComparison& c) -> const AttributeDifference& { return c.result.attributes.front(); };
        QCOMPARE(top(*whole).key, std::string("cloud.region"));
        QCOMPARE(top(*sampled).key, top(*whole).key);
        const ValueShare& exact = top(*whole).values[static_cast<size_t>(top(*whole).topValue)];
        const ValueShare& estimate = top(*sampled).values[static_cast<size_t>(top(*sampled).topValue)];
        QCOMPARE(estimate.value, exact.value);
        QVERIFY2(std::abs(estimate.selectionShare - exact.selectionShare) < 0.05
                && std::abs(estimate.baselineShare - exact.baselineShare) < 0.05,
            qPrintable(QStringLiteral("%1 vs %2, %3 vs %4")
                           .arg(estimate.selectionShare)
                           .arg(exact.selectionShare)
                           .arg(estimate.baselineShare)
                           .arg(exact.baselineShare)));
        // Only selected spans were read from the traces that can hold them: none of the baseline's.
        QVERIFY(sampled->result.selectionSpans > 0 && sampled->result.selectionSpans < whole->result.selectionSpans);
    }

    // A scope with tags is counted from the spans that carry them: the planted version's spans alone, and with them
    // the slowdown is all there is.
    void taggedScopesCountTheSpansWithTheTags()
    {
        QTemporaryDir dir;
        const auto cache = generatedCache(dir,
            { cause(PlantedCause::Kind::Latency, "frontend", "GET /api/fraud/search", "service.version=2.1.0", 40, 55,
                4) });
        QVERIFY(cache);
        MonitorScope scope;
        scope.service = QStringLiteral("frontend");
        scope.operation = QStringLiteral("GET /api/fraud/search");
        scope.tags = { { QStringLiteral("service.version"), QStringLiteral("2.1.0") } };
        const auto tagged = rollupqueries::loadSeries(*cache, scope, SpanRollups::kMinuteNs);
        QVERIFY2(tagged.has_value(), qPrintable(tagged ? QString() : tagged.error()));
        scope.tags.clear();
        const auto all = rollupqueries::loadSeries(*cache, scope, SpanRollups::kMinuteNs);
        QVERIFY(all.has_value());
        QCOMPARE(tagged->size(), size_t(1));
        QCOMPARE(tagged->front().startNs, all->front().startNs); // the same buckets
        QCOMPARE(tagged->front().buckets.size(), all->front().buckets.size());
        // Counted independently: the operation's entry spans whose resource has the version.
        qint64 expected = 0, counted = 0, inWindow = 0;
        QVERIFY(cache->forEachTrace([&](const Trace& t) {
            for (const Span& s : t.spans) {
                if (t.string(s.service) != "frontend" || t.string(s.operation) != "GET /api/fraud/search"
                    || (s.parent != kNoIndex && s.kind != SpanKind::Server))
                    continue;
                for (quint32 i = t.resources[s.resource].attributes.begin; i < t.resources[s.resource].attributes.end();
                     ++i) {
                    const Attribute& a = t.attributes[i];
                    expected += t.string(a.key) == "service.version" && t.text(a.ref) == "2.1.0";
                }
            }
            return true;
        }));
        for (size_t b = 0; b < tagged->front().buckets.size(); ++b) {
            counted += tagged->front().buckets[b].spans;
            if (b >= 40 && b < 55)
                inWindow += tagged->front().buckets[b].spans;
            QVERIFY(tagged->front().buckets[b].spans <= all->front().buckets[b].spans);
        }
        QCOMPARE(counted, expected);
        QVERIFY2(inWindow > counted / 2, qPrintable(QStringLiteral("%1 of %2").arg(inWindow).arg(counted)));
    }

    void controlDataHasNoEpisode()
    {
        QTemporaryDir dir;
        const auto cache = generatedCache(dir, {});
        QVERIFY(cache);
        const auto episodes = findAnomalies(*cache, MonitorScope(), SpanRollups::kMinuteNs);
        QVERIFY(episodes.has_value());
        QString all;
        for (const ExplainedEpisode& e : *episodes)
            all += e.sentence + QLatin1Char('\n');
        QVERIFY2(episodes->empty(), qPrintable(all));
    }
};

QTEST_GUILESS_MAIN(TestAnomalies)
#include "tst_anomalies.moc"
