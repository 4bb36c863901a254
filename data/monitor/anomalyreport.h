#pragma once

#include "cache/tracecache.h"
#include "metrics/anomalydetector.h"
#include "metrics/attributecomparison.h"
#include "monitor/monitorscope.h"

#include <QString>

#include <expected>
#include <optional>
#include <utility>
#include <vector>

namespace tracemap {

/// An anomaly episode with what it is about and its one-sentence explanation.
struct ExplainedEpisode {
    AnomalyEpisode episode;
    SeriesKey series;
    qint64 traces = 0; // traces with spans of the series in the episode (failed ones for errors); estimated when
                       // the comparison read a sample
    bool tracesEstimated = false;
    /// The comparison's top finding (the episode's spans against the series' baseline): key, value and shares.
    std::optional<std::string> topKey;
    std::optional<std::string> topValue;
    double selectionShare = 0;
    double baselineShare = 0;
    QString sentence;
};

/// Anomaly episodes of the scope's series (rollups in buckets of stepNs; 0: about 240 buckets over the data), each
/// explained with the comparison of its spans against the baseline before it.
std::expected<std::vector<ExplainedEpisode>, QString> findAnomalies(const TraceCache& cache, const MonitorScope& scope,
    qint64 stepNs = 0, const AnomalyDetector::Options& options = AnomalyDetector::Options());
/// The same on series already loaded for the scope (rollupqueries::loadSeries).
std::expected<std::vector<ExplainedEpisode>, QString> findAnomalies(const TraceCache& cache, const MonitorScope& scope,
    const std::vector<BucketSeries>& series, const AnomalyDetector::Options& options = AnomalyDetector::Options());

/// What explains a selection in one sentence: the first attribute (by rank) with a significant value that more of
/// the selection has than the baseline, not an id nor a numeric key; nullopt when none.
std::optional<std::pair<const AttributeDifference*, const ValueShare*>> topFinding(const ComparisonResult& result);

/// "p95 of checkout GET /cart rose 3.1× (240 ms → 745 ms) from 14:05 to 14:20 UTC in 412 traces; 78 % of them have
/// version=2.1.0 (4 % before)". Times are UTC.
QString describeEpisode(const ExplainedEpisode& e);

} // namespace tracemap
