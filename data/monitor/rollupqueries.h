#pragma once

#include "analysis/spanstatistics.h"
#include "analysis/topology.h"
#include "cache/tracecache.h"
#include "metrics/anomalydetector.h"
#include "metrics/latencyheatmap.h"
#include "monitor/monitorscope.h"

#include <QString>

#include <expected>
#include <vector>

namespace tracemap {

/// Reading monitoring figures from the cache's rollups, never from the spans: cheap for any number of spans.
namespace rollupqueries {

/// The largest bucket width: a year.
constexpr qint64 kMaxStepNs = 366LL * 1440 * SpanRollups::kMinuteNs;

/// A bucket width from a ladder of round ones (1, 2, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12 hours, 1 day) that
/// cuts rangeNs into at most maxBuckets buckets.
qint64 stepFor(qint64 rangeNs, int maxBuckets);

/// The scope's time range clipped to the minutes that have rollups; nullopt when nothing is cached in it.
std::optional<std::pair<qint64, qint64>> dataRange(const TraceCache& cache, const MonitorScope& scope);

/// One BucketSeries per (service, operation) in the scope (its kinds and root spans merged), over the scope's
/// data range in buckets of stepNs (a whole number of minutes), empty buckets included. Sorted by service, then
/// operation. A scope with tags is counted from the spans of its traces instead, if they are at most 20,000 (an
/// error says so otherwise); more than 600,000 buckets is an error too.
std::expected<std::vector<BucketSeries>, QString> loadSeries(
    const TraceCache& cache, const MonitorScope& scope, qint64 stepNs);

/// The step for about maxColumns buckets over the scope's data (a minute when there is none).
qint64 stepFor(const TraceCache& cache, const MonitorScope& scope, int maxColumns = 240);

/// The latency heatmap of the scope: buckets of stepNs (0: chosen for about maxColumns columns) across, the
/// duration rows that hold spans up (merged so that there are at most maxRows).
std::expected<LatencyHeatmap, QString> heatmap(
    const TraceCache& cache, const MonitorScope& scope, qint64 stepNs = 0, int maxColumns = 240, int maxRows = 80);
/// The same from series already loaded (all with the same buckets).
LatencyHeatmap heatmapOf(const std::vector<BucketSeries>& series, int maxRows = 80);

/// Up to this many spans, figures of the whole cache are read from every span (exact, well under a second);
/// past it, from the rollups (tens of milliseconds for ten million spans).
constexpr qint64 kExactSpans = 200'000;

/// The service topology of the whole cache from its rollups, made as TopologyBuilder makes it from the spans:
/// nodes from the span rollups (inferred peers from the calls they receive), edges from the call rollups, each
/// service's resource attributes from the cache; counts exact, percentiles within 4.5 %, rates per second of the
/// cached traces' time range. Sets `spans` to the spans counted. Reads one row per series and minute, all in one
/// snapshot of the cache.
std::expected<Topology, QString> topology(const TraceCache& cache, qint64* spans = nullptr);

/// `tracemap stats` of the whole cache from its rollups, in the rows SpanStatistics makes from the spans: spans,
/// spans without a duration and errors exact; p50, p95, p99 and max within 4.5 % (the duration grid's buckets).
/// One exception to exact: retention drops the rollups of whole minutes before the oldest trace it keeps, so a
/// deleted trace's spans in later minutes (a trace longer than the gap) stay counted.
/// Reads one row per series and minute, so its time does not grow with the spans.
std::expected<std::vector<SpanStatistics::Row>, QString> statistics(const TraceCache& cache);

} // namespace rollupqueries

} // namespace tracemap
