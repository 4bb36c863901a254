#include "monitor/rollupqueries.h"

#include "analysis/topologyaccumulator.h"
#include "model/tracequery.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>

namespace tracemap::rollupqueries {

namespace {

constexpr qint64 kMinute = SpanRollups::kMinuteNs;
// A scope with tags is read from its spans: up to this many traces, about a second's reading.
constexpr size_t kMaxTaggedTraces = 20000;
// Buckets per series at most (a year of minutes is 525,600): beyond, memory rather than insight.
constexpr qint64 kMaxBuckets = 600'000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - (a % b < 0 ? 1 : 0);
}

} // namespace

qint64 stepFor(qint64 rangeNs, int maxBuckets)
{
    rangeNs = std::min(rangeNs, kMaxStepNs * std::max(maxBuckets, 1));
    static constexpr qint64 kLadder[] = { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440 };
    for (qint64 minutes : kLadder) {
        if (rangeNs <= minutes * kMinute * std::max(maxBuckets, 1))
            return minutes * kMinute;
    }
    const qint64 days = rangeNs / (1440 * kMinute * std::max(maxBuckets, 1)) + 1;
    return days * 1440 * kMinute;
}

std::optional<std::pair<qint64, qint64>> dataRange(const TraceCache& cache, const MonitorScope& scope)
{
    const auto minutes = cache.rollupMinutes();
    if (!minutes)
        return std::nullopt;
    // Minutes whose nanoseconds, and a step of a year past them, still fit in a qint64: a span stamped at the
    // type's end (a clamped timestamp) must not overflow the arithmetic below.
    constexpr qint64 kLastMinute = std::numeric_limits<qint64>::max() / kMinute - kMaxStepNs / kMinute - 2;
    const qint64 first = std::max({ minutes->first, SpanRollups::minuteOf(scope.sinceNs), -kLastMinute });
    const qint64 last = std::min({ minutes->second, SpanRollups::minuteOf(scope.untilNs), kLastMinute });
    if (first > last)
        return std::nullopt;
    return std::pair { first * kMinute, (last + 1) * kMinute };
}

namespace {

// A scope with tags, from the spans of its traces (rollups know no attributes): the same series as the rollups
// would give, counting only the spans that carry the tags.
std::expected<std::vector<BucketSeries>, QString> seriesFromSpans(
    const TraceCache& cache, const MonitorScope& scope, qint64 stepNs, qint64 startNs, size_t buckets)
{
    const auto traces
        = cache.search(scope.traceQuery(MonitorScope::kTraceStartSlackNs, static_cast<int>(kMaxTaggedTraces) + 1),
            TraceCache::RootNames::Without);
    if (!traces)
        return std::unexpected(traces.error());
    if (traces->size() > kMaxTaggedTraces)
        return std::unexpected(QStringLiteral("the tags match more than %1 traces: narrow the time range, the "
                                              "service or the tags (rollups, which need none of this, know no tags)")
                                   .arg(kMaxTaggedTraces));
    std::map<std::pair<std::string, std::string>, BucketSeries> byName;
    std::vector<TraceId> ids;
    for (const TraceSummary& t : *traces)
        ids.push_back(t.traceId);
    const auto read = cache.forEachTraceOf(ids, [&](const Trace& trace) {
        for (const Span& span : trace.spans) {
            if (!scope.matches(trace, span))
                continue;
            const auto bucket = floorDiv(span.startNs - startNs, stepNs);
            if (bucket < 0 || static_cast<size_t>(bucket) >= buckets)
                continue;
            BucketSeries& series
                = byName[{ std::string(trace.string(span.service)), std::string(trace.string(span.operation)) }];
            if (series.buckets.empty()) {
                series.key = SeriesKey { std::string(trace.string(span.service)),
                    std::string(trace.string(span.operation)), SpanKind::Server, false };
                series.startNs = startNs;
                series.stepNs = stepNs;
                series.buckets.resize(buckets);
            }
            RollupFigures& figures = series.buckets[static_cast<size_t>(bucket)];
            ++figures.spans;
            figures.errors += span.isError() ? 1 : 0;
            if (!(span.problems & MissingDuration))
                figures.durations.add(span.durationNs);
        }
        return true;
    });
    if (!read)
        return std::unexpected(read.error());
    std::vector<BucketSeries> out;
    for (auto& [name, series] : byName)
        out.push_back(std::move(series));
    return out;
}

} // namespace

std::expected<std::vector<BucketSeries>, QString> loadSeries(
    const TraceCache& cache, const MonitorScope& scope, qint64 stepNs)
{
    std::vector<BucketSeries> out;
    const auto range = dataRange(cache, scope);
    const auto all = cache.rollupSeries();
    if (!all)
        return std::unexpected(all.error());
    if (!range)
        return out;
    stepNs = std::max(kMinute, stepNs / kMinute * kMinute);
    // Buckets are aligned to multiples of the step (since the epoch), so that figures do not depend on the range.
    const qint64 startNs = floorDiv(range->first, stepNs) * stepNs;
    const qint64 bucketCount = (range->second - startNs + stepNs - 1) / stepNs;
    if (bucketCount > kMaxBuckets)
        return std::unexpected(
            QStringLiteral("%1 buckets of %2 from %3 to %4: take a larger step or a shorter time range")
                .arg(bucketCount)
                .arg(formatDuration(stepNs), QString::number(range->first), QString::number(range->second)));
    const auto buckets = static_cast<size_t>(bucketCount);
    if (!scope.tags.empty())
        return seriesFromSpans(cache, scope, stepNs, startNs, buckets);
    std::map<std::pair<std::string, std::string>, size_t> indexOf;
    std::map<qint64, size_t> seriesToIndex;
    std::vector<qint64> ids;
    for (const RollupSeries& s : *all) {
        if (!scope.matches(s.key))
            continue;
        auto [at, inserted] = indexOf.try_emplace({ s.key.service, s.key.operation }, indexOf.size());
        seriesToIndex[s.id] = at->second;
        ids.push_back(s.id);
    }
    if (ids.empty())
        return out;
    out.resize(indexOf.size());
    for (const auto& [name, index] : indexOf) {
        BucketSeries& series = out[index];
        series.key = SeriesKey { name.first, name.second, SpanKind::Server, false };
        series.startNs = startNs;
        series.stepNs = stepNs;
        series.buckets.resize(buckets);
    }
    const auto read = cache.forEachRollup(ids, range->first / kMinute, range->second / kMinute - 1,
        [&](qint64 id, qint64 minute, const RollupFigures& figures) {
            BucketSeries& series = out[seriesToIndex.at(id)];
            const auto bucket = static_cast<size_t>((minute * kMinute - startNs) / stepNs);
            if (bucket < series.buckets.size())
                series.buckets[bucket].merge(figures);
        });
    if (!read)
        return std::unexpected(read.error());
    std::sort(out.begin(), out.end(), [](const BucketSeries& a, const BucketSeries& b) { return a.key < b.key; });
    return out;
}

qint64 stepFor(const TraceCache& cache, const MonitorScope& scope, int maxColumns)
{
    const auto range = dataRange(cache, scope);
    return range ? stepFor(range->second - range->first, maxColumns) : kMinute;
}

std::expected<LatencyHeatmap, QString> heatmap(
    const TraceCache& cache, const MonitorScope& scope, qint64 stepNs, int maxColumns, int maxRows)
{
    const auto series = loadSeries(cache, scope, stepNs > 0 ? stepNs : stepFor(cache, scope, maxColumns));
    if (!series)
        return std::unexpected(series.error());
    return heatmapOf(*series, maxRows);
}

LatencyHeatmap heatmapOf(const std::vector<BucketSeries>& series, int maxRows)
{
    LatencyHeatmap map;
    if (series.empty())
        return map;
    int lowest = DurationGrid::kBuckets, highest = -1;
    for (const BucketSeries& s : series) {
        for (const RollupFigures& f : s.buckets) {
            if (!f.durations.isEmpty()) {
                lowest = std::min<int>(lowest, f.durations.buckets().front().first);
                highest = std::max<int>(highest, f.durations.buckets().back().first);
            }
        }
    }
    map.startNs = series.front().startNs;
    map.columnNs = series.front().stepNs;
    map.columns = static_cast<int>(series.front().buckets.size());
    if (highest < 0)
        return map;
    // Rows start on a multiple of their width, so that their edges stay put as data arrives; that can take one more
    // row, then the rows widen.
    for (map.bucketsPerRow = std::max(1, (highest - lowest + maxRows) / std::max(maxRows, 1));; ++map.bucketsPerRow) {
        map.firstBucket = lowest / map.bucketsPerRow * map.bucketsPerRow;
        map.rows = (highest - map.firstBucket) / map.bucketsPerRow + 1;
        if (map.rows <= std::max(maxRows, 1))
            break;
    }
    map.counts.assign(static_cast<size_t>(map.columns) * map.rows, 0);
    for (const BucketSeries& s : series) {
        for (int column = 0; column < map.columns; ++column) {
            for (const auto& [bucket, count] : s.buckets[column].durations.buckets())
                map.counts[static_cast<size_t>(column) * map.rows + (bucket - map.firstBucket) / map.bucketsPerRow]
                    += count;
        }
    }
    return map;
}

namespace {

// Every span rollup of the cache, minute by minute, with the key of its series; all in one snapshot.
std::expected<void, QString> forEachSpanRollup(
    const TraceCache& cache, const std::function<void(const SeriesKey&, const RollupFigures&)>& visit)
{
    const auto snapshot = cache.readSnapshot();
    const auto series = cache.rollupSeries();
    if (!series)
        return std::unexpected(series.error());
    const auto minutes = cache.rollupMinutes();
    if (!minutes || series->empty())
        return {};
    std::map<qint64, const SeriesKey*> keyOf;
    std::vector<qint64> ids;
    for (const RollupSeries& s : *series) {
        keyOf[s.id] = &s.key;
        ids.push_back(s.id);
    }
    return cache.forEachRollup(ids, minutes->first, minutes->second,
        [&](qint64 id, qint64, const RollupFigures& figures) { visit(*keyOf.at(id), figures); });
}

} // namespace

std::expected<std::vector<SpanStatistics::Row>, QString> statistics(const TraceCache& cache)
{
    // Kinds and root spans merged, as SpanStatistics counts every span of an operation.
    std::map<std::string, RollupFigures> services;
    std::map<std::pair<std::string, std::string>, RollupFigures> operations;
    const auto read = forEachSpanRollup(cache, [&](const SeriesKey& key, const RollupFigures& figures) {
        services[key.service].merge(figures);
        operations[{ key.service, key.operation }].merge(figures);
    });
    if (!read)
        return std::unexpected(read.error());
    return SpanStatistics::rowsOf(services, operations, [](const RollupFigures& f) {
        SpanStatistics::Row r;
        r.spans = f.spans;
        r.noDuration = f.spans - f.durations.total();
        r.errors = f.errors;
        r.p50 = f.durations.percentile(50);
        r.p95 = f.durations.percentile(95);
        r.p99 = f.durations.percentile(99);
        r.max = f.durations.percentile(100);
        return r;
    });
}

std::expected<Topology, QString> topology(const TraceCache& cache, qint64* spans)
{
    // One snapshot for every read below: a live batch committed between two of them would make a new service's calls
    // arrive without its spans (an inferred node until the next refresh).
    const auto snapshot = cache.readSnapshot();
    TopologyAccumulator<LatencyHistogram> figures;
    qint64 spanTotal = 0;
    const auto spansRead = forEachSpanRollup(cache, [&](const SeriesKey& key, const RollupFigures& f) {
        if (key.service.empty())
            return;
        auto& node = figures.node(key.service);
        node.spans += f.spans;
        node.errors += f.errors;
        spanTotal += f.spans;
        if (key.kind == SpanKind::Server || key.kind == SpanKind::Consumer) {
            node.entrySpans += f.spans;
            node.entryDurations.merge(f.durations);
        } else {
            node.otherDurations.merge(f.durations);
        }
    });
    if (!spansRead)
        return std::unexpected(spansRead.error());
    const auto calls = cache.callSeries();
    if (!calls)
        return std::unexpected(calls.error());
    std::map<qint64, const CallKey*> callKey;
    for (const CallSeries& s : *calls)
        callKey[s.id] = &s.key;
    const auto read = cache.forEachCallRollup([&](qint64 id, qint64, const RollupFigures& f) {
        if (const auto key = callKey.find(id); key != callKey.end())
            figures.addCall(
                key->second->caller, key->second->callee, f.spans, f.errors, f.durations, key->second->peerHints);
    });
    if (!read)
        return std::unexpected(read.error());
    const auto attributes = cache.serviceAttributes();
    if (!attributes)
        return std::unexpected(attributes.error());
    for (const auto& [service, pairs] : *attributes) {
        if (!figures.contains(service))
            continue;
        for (const auto& [key, value] : pairs)
            figures.addAttribute(service, key, value);
    }
    if (const auto range = cache.traceTimeRange())
        figures.setTimeRange(range->first, range->second);
    if (spans)
        *spans = spanTotal;
    return figures.build();
}

} // namespace tracemap::rollupqueries
