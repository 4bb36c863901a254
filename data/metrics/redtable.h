#pragma once

#include "metrics/anomalydetector.h"

#include <QtGlobal>

#include <string>
#include <vector>

namespace tracemap {

/// Rate, errors and duration of one service or one of its operations over a window, with the same figures bucket
/// by bucket for sparklines: the rows of Jaeger's Monitor tab.
struct RedRow {
    std::string service;
    std::string operation; // empty on a service's own row
    qint64 spans = 0;
    qint64 errors = 0;
    double perMinute = 0;
    double errorPercent = 0;
    qint64 p50 = 0; // ns; 0 when no span has a duration
    qint64 p95 = 0;
    qint64 p99 = 0;
    /// True when p50..p99 are exact percentiles of the spans (a small view), not the histogram's (within 4.4 %).
    bool exact = false;
    /// Jaeger's impact: mean p95 × mean rate over the buckets, divided by the largest among all operations (a
    /// service row: among the services). Where time goes: a slow but rare operation and a fast but frequent one
    /// both rank low.
    double impact = 0;
    std::vector<double> perMinuteByBucket;
    std::vector<double> errorPercentByBucket; // NaN where a bucket has no span
    std::vector<double> p95ByBucket; // ns; NaN where a bucket has no timed span

    bool isService() const { return operation.empty(); }
};

/// The RED rows of series (one per service and operation, as rollupqueries::loadSeries gives them, all with the
/// same buckets): each service's row followed by its operations' rows, services by impact, operations by impact.
std::vector<RedRow> redTable(const std::vector<BucketSeries>& series);

} // namespace tracemap
