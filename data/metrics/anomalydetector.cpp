#include "metrics/anomalydetector.h"

#include "metrics/significance.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace tracemap {

const char* anomalyKindName(AnomalyEpisode::Kind kind)
{
    switch (kind) {
    case AnomalyEpisode::Kind::Latency:
        return "latency";
    case AnomalyEpisode::Kind::Errors:
        return "errors";
    case AnomalyEpisode::Kind::RateSpike:
        return "rate-spike";
    case AnomalyEpisode::Kind::RateDrop:
        return "rate-drop";
    }
    return "unknown";
}

namespace {

constexpr int kKinds = 4;

double median(std::vector<double> values)
{
    const size_t middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + middle, values.end());
    const double upper = values[middle];
    if (values.size() % 2)
        return upper;
    return (*std::max_element(values.begin(), values.begin() + middle) + upper) / 2;
}

// One bucket's test of one signal: whether it cleared the effect floors, its p-value and the baseline it was
// measured against.
struct Test {
    bool effect = false;
    double pValue = 1;
    double baseline = 0;
    bool flagged = false; // effect and significant (decided after the whole pool is known for errors and rate)

    /// Whether later buckets leave this one out of their baseline, so that an episode does not become its own
    /// baseline. Only a bucket that is significant too: leaving out every bucket past the floors would let a noisy
    /// series (p95 swinging between two levels) shed one of its levels and then find it anomalous. Errors and rate
    /// are judged on their own p-value here, strictly, as the pooled decision comes after the scan.
    bool leftOutOfBaselines() const { return effect && (flagged || pValue <= kProvisionalP); }
    static constexpr double kProvisionalP = 1e-4;
};

} // namespace

std::vector<AnomalyEpisode> AnomalyDetector::detect(const std::vector<BucketSeries>& input) const
{
    const Options& o = m_options;
    // tests[series][kind][bucket]
    std::vector<std::array<std::vector<Test>, kKinds>> tests(input.size());
    for (size_t s = 0; s < input.size(); ++s) {
        const std::vector<RollupFigures>& buckets = input[s].buckets;
        const int count = static_cast<int>(buckets.size());
        for (auto& perKind : tests[s])
            perKind.assign(buckets.size(), Test {});
        auto& latency = tests[s][static_cast<int>(AnomalyEpisode::Kind::Latency)];
        auto& errors = tests[s][static_cast<int>(AnomalyEpisode::Kind::Errors)];
        auto& spike = tests[s][static_cast<int>(AnomalyEpisode::Kind::RateSpike)];
        auto& drop = tests[s][static_cast<int>(AnomalyEpisode::Kind::RateDrop)];
        std::vector<double> logP95(buckets.size(), 0);
        for (int t = 0; t < count; ++t) {
            if (buckets[t].durations.total() >= o.latencyMinSpans)
                logP95[t] = std::log(static_cast<double>(std::max<qint64>(buckets[t].durations.percentile(95), 1)));
        }
        for (int t = 0; t < count; ++t) {
            const RollupFigures& now = buckets[t];
            const int from = std::max(0, t - o.baselineBuckets);
            // Latency: robust z of ln p95.
            if (now.durations.total() >= o.latencyMinSpans) {
                std::vector<double> past;
                for (int b = from; b < t; ++b) {
                    if (buckets[b].durations.total() >= o.latencyMinSpans && !latency[b].leftOutOfBaselines())
                        past.push_back(logP95[b]);
                }
                if (static_cast<int>(past.size()) >= o.minBaselineBuckets) {
                    const double centre = median(past);
                    std::vector<double> deviations;
                    double deviationSum = 0;
                    for (double v : past) {
                        deviations.push_back(std::abs(v - centre));
                        deviationSum += deviations.back();
                    }
                    // The MAD (as a standard deviation), unless the mean absolute deviation says more: a baseline
                    // split between two levels, one a little more common, has a MAD of zero and every bucket of the
                    // other level would look like an anomaly.
                    const double meanDeviation = deviationSum / static_cast<double>(past.size());
                    const double scale = std::max({ 1.4826 * median(deviations), 1.2533 * meanDeviation, 0.05 });
                    const double z = (logP95[t] - centre) / scale;
                    const double baseline = std::exp(centre);
                    const double observed = std::exp(logP95[t]);
                    Test& test = latency[t];
                    test.baseline = baseline;
                    test.effect
                        = observed >= o.latencyRatio * baseline && observed - baseline >= o.latencyMinIncreaseNs;
                    test.pValue = significance::normalUpperTail(z);
                    test.flagged = test.effect && z >= o.latencyZ;
                }
            }
            // Errors: binomial tail at the baseline's smoothed error rate.
            qint64 pastSpans = 0, pastErrors = 0;
            int pastBuckets = 0;
            for (int b = from; b < t; ++b) {
                if (!errors[b].leftOutOfBaselines() && buckets[b].spans > 0) {
                    pastSpans += buckets[b].spans;
                    pastErrors += buckets[b].errors;
                    ++pastBuckets;
                }
            }
            if (pastBuckets >= o.minBaselineBuckets && now.spans > 0) {
                const double p0 = (static_cast<double>(pastErrors) + 1) / (static_cast<double>(pastSpans) + 2);
                const double rate = static_cast<double>(now.errors) / static_cast<double>(now.spans);
                Test& test = errors[t];
                test.baseline = p0;
                test.effect
                    = now.errors >= o.errorsMin && rate - p0 >= o.errorsMinIncrease && rate >= o.errorsMinRatio * p0;
                test.pValue = significance::binomialUpperTail(now.errors, now.spans, p0);
            }
            // Rate: Poisson tails around the baseline's median count; not at the range's edges (partial buckets).
            if (t == 0 || t == count - 1)
                continue;
            std::vector<double> counts;
            for (int b = std::max(1, from); b < t; ++b) {
                if (!spike[b].leftOutOfBaselines() && !drop[b].leftOutOfBaselines())
                    counts.push_back(static_cast<double>(buckets[b].spans));
            }
            if (static_cast<int>(counts.size()) < o.minBaselineBuckets)
                continue;
            const double lambda = median(counts);
            if (lambda > 0 && static_cast<double>(now.spans) >= o.rateSpikeRatio * lambda) {
                spike[t] = { true, significance::poissonUpperTail(now.spans, lambda), lambda, false };
            } else if (lambda >= o.rateDropMinBaseline && static_cast<double>(now.spans) <= o.rateDropRatio * lambda) {
                drop[t] = { true, significance::poissonLowerTail(now.spans, lambda), lambda, false };
            }
        }
    }

    // Errors and rate: one Benjamini–Hochberg pool over every series and bucket that cleared its floors.
    std::vector<Test*> pooled;
    std::vector<double> pValues;
    for (auto& perSeries : tests) {
        for (int kind = 1; kind < kKinds; ++kind) {
            for (Test& test : perSeries[kind]) {
                if (test.effect) {
                    pooled.push_back(&test);
                    pValues.push_back(test.pValue);
                }
            }
        }
    }
    // The pool's size is every test made, not only those past the floors: a test skipped for its small effect was
    // still a chance for a false discovery.
    size_t made = 0;
    for (size_t s = 0; s < input.size(); ++s)
        made += 3 * input[s].buckets.size();
    std::vector<double> padded = pValues;
    padded.resize(std::max(made, pValues.size()), 1.0);
    const std::vector<bool> discovered = significance::benjaminiHochberg(padded, o.falseDiscoveryRate);
    for (size_t i = 0; i < pooled.size(); ++i)
        pooled[i]->flagged = discovered[i];

    std::vector<AnomalyEpisode> episodes;
    for (size_t s = 0; s < input.size(); ++s) {
        const BucketSeries& series = input[s];
        for (int kind = 0; kind < kKinds; ++kind) {
            const std::vector<Test>& flags = tests[s][kind];
            const int count = static_cast<int>(flags.size());
            for (int t = 0; t < count;) {
                if (!flags[t].flagged) {
                    ++t;
                    continue;
                }
                // A run of flagged buckets, gaps of up to maxGap joined.
                int last = t, flaggedBuckets = 0;
                for (int b = t; b < count && b - last <= o.maxGap + 1; ++b) {
                    if (flags[b].flagged) {
                        last = b;
                        ++flaggedBuckets;
                    }
                }
                if (flaggedBuckets >= o.minBuckets) {
                    AnomalyEpisode e;
                    e.kind = static_cast<AnomalyEpisode::Kind>(kind);
                    e.series = s;
                    e.firstBucket = t;
                    e.lastBucket = last;
                    e.startNs = series.startNs + t * series.stepNs;
                    e.endNs = series.startNs + (last + 1) * series.stepNs;
                    e.baseline = flags[t].baseline;
                    e.pValue = 1;
                    RollupFigures total;
                    for (int b = t; b <= last; ++b) {
                        total.merge(series.buckets[b]);
                        if (flags[b].flagged)
                            e.pValue = std::min(e.pValue, flags[b].pValue);
                    }
                    e.spans = total.spans;
                    e.errors = total.errors;
                    const double n = static_cast<double>(total.spans);
                    const int buckets = last - t + 1;
                    switch (e.kind) {
                    case AnomalyEpisode::Kind::Latency: {
                        e.observed = static_cast<double>(total.durations.percentile(95));
                        double slower = 0;
                        for (const auto& [bucket, c] : total.durations.buckets()) {
                            if (DurationGrid::lowerBound(bucket) >= e.baseline)
                                slower += static_cast<double>(c);
                        }
                        e.impact = std::max(0.0, slower - 0.05 * static_cast<double>(total.durations.total()));
                        break;
                    }
                    case AnomalyEpisode::Kind::Errors:
                        e.observed = n > 0 ? static_cast<double>(total.errors) / n : 0;
                        e.impact = std::max(0.0, static_cast<double>(total.errors) - n * e.baseline);
                        break;
                    case AnomalyEpisode::Kind::RateSpike:
                    case AnomalyEpisode::Kind::RateDrop:
                        e.observed = n / buckets;
                        e.impact = std::abs(n - e.baseline * buckets);
                        break;
                    }
                    episodes.push_back(e);
                }
                t = last + 1;
            }
        }
    }
    std::sort(episodes.begin(), episodes.end(), [](const AnomalyEpisode& a, const AnomalyEpisode& b) {
        return a.impact != b.impact ? a.impact > b.impact : a.pValue < b.pValue;
    });
    return episodes;
}

} // namespace tracemap
