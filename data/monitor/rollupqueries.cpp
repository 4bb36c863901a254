#include "monitor/rollupqueries.h"

#include <algorithm>
#include <limits>
#include <map>

namespace tracemap::rollupqueries {

namespace {

constexpr qint64 kMinute = SpanRollups::kMinuteNs;
// A scope with tags is read from its spans: up to this many traces, about a second's reading.
constexpr size_t kMaxTaggedTraces = 20000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - (a % b < 0 ? 1 : 0);
}

} // namespace

qint64 stepFor(qint64 rangeNs, int maxBuckets)
{
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
    const qint64 first = std::max(minutes->first, SpanRollups::minuteOf(scope.sinceNs));
    const qint64 last = std::min(minutes->second, SpanRollups::minuteOf(scope.untilNs));
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
    TraceQuery query;
    query.service = scope.service;
    if (!scope.service.isEmpty())
        query.operation = scope.operation;
    query.tags = scope.tags;
    query.sinceNs
        = scope.sinceNs > std::numeric_limits<qint64>::min() + kMinute ? scope.sinceNs - kMinute : scope.sinceNs;
    query.untilNs = scope.untilNs;
    query.limit = static_cast<int>(kMaxTaggedTraces) + 1;
    const auto traces = cache.search(query, TraceCache::RootNames::Without);
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
    const auto buckets = static_cast<size_t>((range->second - startNs + stepNs - 1) / stepNs);
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
    map.bucketsPerRow = std::max(1, (highest - lowest + maxRows) / std::max(maxRows, 1));
    map.firstBucket = lowest / map.bucketsPerRow * map.bucketsPerRow; // rows start on a multiple: stable edges
    map.rows = (highest - map.firstBucket) / map.bucketsPerRow + 1;
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

} // namespace tracemap::rollupqueries
