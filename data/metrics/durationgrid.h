#pragma once

#include <QtGlobal>

#include <array>
#include <bit>
#include <cmath>

namespace tracemap {

/// The log grid durations are counted on: 8 buckets per power of two (base 2^(1/8), OpenTelemetry's exponential
/// histogram at scale 3), so a bucket is 9 % wide and its geometric middle is within ±4.4 % of any duration in it.
/// Bucket i holds [2^(i/8), 2^((i+1)/8)) nanoseconds; durations below 1 ns (0) go to bucket 0. 504 buckets cover
/// every qint64.
class DurationGrid {
public:
    static constexpr int kBucketsPerOctave = 8;
    static constexpr int kBuckets = 63 * kBucketsPerOctave;

    /// The bucket of a duration: the power of two from the bit width, the eighth inside it from the next 10 bits
    /// through a table, so that binning costs no logarithm (the table rounds within 0.1 % of a bucket edge).
    static int bucketOf(qint64 ns)
    {
        if (ns <= 1)
            return 0;
        const auto value = static_cast<quint64>(ns);
        const int exponent = std::bit_width(value) - 1;
        const quint64 mantissa
            = exponent >= kMantissaBits ? (value >> (exponent - kMantissaBits)) : (value << (kMantissaBits - exponent));
        return exponent * kBucketsPerOctave + s_eighths[mantissa & (kMantissaSteps - 1)];
    }

    /// The smallest duration of bucket i, and the one past its largest.
    static double lowerBound(int bucket) { return std::exp2(static_cast<double>(bucket) / kBucketsPerOctave); }
    static double upperBound(int bucket) { return lowerBound(bucket + 1); }
    /// The duration a bucket stands for in percentiles: its geometric middle.
    static qint64 representative(int bucket)
    {
        return std::llround(std::exp2((static_cast<double>(bucket) + 0.5) / kBucketsPerOctave));
    }

private:
    static constexpr int kMantissaBits = 10;
    static constexpr int kMantissaSteps = 1 << kMantissaBits;
    static const std::array<quint8, kMantissaSteps> s_eighths;
};

} // namespace tracemap
