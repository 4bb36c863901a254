#pragma once

#include "metrics/durationgrid.h"

#include <QtGlobal>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracemap {

/// Durations counted on the DurationGrid: a sparse list of (bucket, count), ascending by bucket. Counts may be
/// negative while a histogram is a change to apply (a re-imported trace takes its old spans out), never in one
/// that is read back.
class LatencyHistogram {
public:
    using Bucket = std::pair<quint16, qint64>;

    void add(qint64 durationNs, qint64 count = 1) { addToBucket(DurationGrid::bucketOf(durationNs), count); }
    void addToBucket(int bucket, qint64 count);
    /// Adds `sign` times the other's counts (sign -1 subtracts); buckets that reach zero are dropped.
    void merge(const LatencyHistogram& other, qint64 sign = 1);

    bool isEmpty() const { return m_buckets.empty(); }
    qint64 total() const;
    const std::vector<Bucket>& buckets() const { return m_buckets; }

    /// The nearest-rank percentile (p in 0..100) as its bucket's geometric middle: within ±4.4 % of the exact
    /// nearest-rank percentile of the same durations. 0 when empty.
    qint64 percentile(double p) const;

    /// Varint bytes: the number of buckets, then per bucket its distance from the previous one and its count
    /// (zigzag, so that a change with negative counts encodes too).
    std::string encode() const;
    /// nullopt for damaged bytes (truncated, buckets out of order or off the grid).
    static std::optional<LatencyHistogram> decode(std::string_view bytes);

    bool operator==(const LatencyHistogram&) const = default;

private:
    std::vector<Bucket> m_buckets;
};

} // namespace tracemap
