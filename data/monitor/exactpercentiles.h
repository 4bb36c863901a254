#pragma once

#include "cache/tracecache.h"
#include "metrics/redtable.h"
#include "monitor/monitorscope.h"

#include <QString>

#include <expected>
#include <vector>

namespace tracemap {

/// When the scope holds at most maxTraces traces, replaces the RED rows' p50, p95 and p99 (from the rollups'
/// histograms, within 4.4 %) by the exact nearest-rank percentiles of the spans, read from the traces, and marks
/// the rows exact. A small view is cheap to read whole, and there a user compares figures with single traces.
/// Returns whether it did.
std::expected<bool, QString> useExactPercentiles(
    const TraceCache& cache, const MonitorScope& scope, std::vector<RedRow>& rows, size_t maxTraces = 2000);

} // namespace tracemap
