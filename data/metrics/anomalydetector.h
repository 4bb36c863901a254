#pragma once

#include "metrics/spanrollups.h"

#include <QtGlobal>

#include <vector>

namespace tracemap {

/// One series' rollups in consecutive buckets: bucket i covers [startNs + i stepNs, startNs + (i+1) stepNs). Empty
/// buckets are there too (no spans is a rate of zero).
struct BucketSeries {
    SeriesKey key;
    qint64 startNs = 0;
    qint64 stepNs = SpanRollups::kMinuteNs;
    std::vector<RollupFigures> buckets;
};

/// A run of buckets in which one figure of a series left its own baseline.
struct AnomalyEpisode {
    enum class Kind { Latency, Errors, RateSpike, RateDrop };
    Kind kind = Kind::Latency;
    size_t series = 0; // index into the detector's input
    int firstBucket = 0;
    int lastBucket = 0; // inclusive
    qint64 startNs = 0;
    qint64 endNs = 0; // exclusive
    /// Latency: p95 in ns; errors: the error fraction; rate: spans per bucket. Baseline as it was at the episode's
    /// first bucket, observed over the whole episode.
    double baseline = 0;
    double observed = 0;
    qint64 spans = 0; // the series' spans in the episode
    qint64 errors = 0;
    /// How many requests it touched, so that kinds rank together: spans slower than the baseline p95 beyond the 5 %
    /// expected there (latency), errors beyond the baseline rate (errors), spans missing or extra (rate).
    double impact = 0;
    double pValue = 1; // the smallest of its buckets (latency: the normal tail of the robust z)
};

const char* anomalyKindName(AnomalyEpisode::Kind kind);

/// Finds episodes where a series' latency, error rate or rate departed from its own recent past, with robust
/// statistics and floors against noise (ANALYTICS.md §4, after Dynatrace's and Datadog's rules):
/// - latency: ln p95 against the median of the baseline's ln p95, in units of its MAD (or of its mean absolute
///   deviation when that is larger: a two-level baseline); z >= 4 and at least 1.5x and +20 ms, with at least 20
///   timed spans in the bucket;
/// - errors: the binomial tail of the bucket's errors at the baseline rate (Laplace-smoothed), with at least 5
///   errors, +2 percentage points and twice the baseline rate;
/// - rate: Poisson tails against the baseline's median count; a spike at least doubles it, a drop at most halves
///   a baseline of at least 10 spans. The first and last bucket of the range are not tested (often partial).
/// Error and rate p-values of every series and bucket are pooled under Benjamini–Hochberg. The baseline is the
/// previous `baselineBuckets` buckets, leaving out those that cleared the effect floors and were significant (so
/// that an episode does not become its own baseline); a signal needs `minBaselineBuckets` of them. An episode is a run
/// of at least `minBuckets` flagged buckets, gaps of up to `maxGap` buckets joined.
class AnomalyDetector {
public:
    struct Options {
        int baselineBuckets = 60;
        int minBaselineBuckets = 10;
        int minBuckets = 3;
        int maxGap = 1;
        double falseDiscoveryRate = 0.01;
        double latencyZ = 4;
        double latencyRatio = 1.5;
        qint64 latencyMinIncreaseNs = 20'000'000;
        qint64 latencyMinSpans = 20;
        qint64 errorsMin = 5;
        double errorsMinIncrease = 0.02;
        double errorsMinRatio = 2;
        double rateSpikeRatio = 2;
        double rateDropRatio = 0.5;
        double rateDropMinBaseline = 10;
    };

    AnomalyDetector() = default;
    explicit AnomalyDetector(Options options)
        : m_options(options)
    {
    }

    /// Episodes of all series, largest impact first.
    std::vector<AnomalyEpisode> detect(const std::vector<BucketSeries>& series) const;

private:
    Options m_options;
};

} // namespace tracemap
