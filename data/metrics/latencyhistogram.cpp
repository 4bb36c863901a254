#include "metrics/latencyhistogram.h"

#include "model/varint.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

void LatencyHistogram::addToBucket(int bucket, qint64 count)
{
    if (count == 0)
        return;
    const auto key = static_cast<quint16>(std::clamp(bucket, 0, DurationGrid::kBuckets - 1));
    // Most additions go to the last bucket or one near it; a histogram holds a few dozen buckets.
    auto at = std::lower_bound(
        m_buckets.begin(), m_buckets.end(), key, [](const Bucket& b, quint16 k) { return b.first < k; });
    if (at != m_buckets.end() && at->first == key) {
        at->second += count;
        if (at->second == 0)
            m_buckets.erase(at);
    } else {
        m_buckets.insert(at, { key, count });
    }
}

void LatencyHistogram::merge(const LatencyHistogram& other, qint64 sign)
{
    std::vector<Bucket> merged;
    merged.reserve(m_buckets.size() + other.m_buckets.size());
    auto a = m_buckets.begin();
    auto b = other.m_buckets.begin();
    while (a != m_buckets.end() || b != other.m_buckets.end()) {
        if (b == other.m_buckets.end() || (a != m_buckets.end() && a->first < b->first)) {
            merged.push_back(*a++);
        } else if (a == m_buckets.end() || b->first < a->first) {
            merged.emplace_back(b->first, sign * b->second);
            ++b;
        } else {
            const qint64 sum = a->second + sign * b->second;
            if (sum != 0)
                merged.emplace_back(a->first, sum);
            ++a;
            ++b;
        }
    }
    m_buckets = std::move(merged);
}

qint64 LatencyHistogram::total() const
{
    qint64 sum = 0;
    for (const auto& [bucket, count] : m_buckets)
        sum += count;
    return sum;
}

qint64 LatencyHistogram::percentile(double p) const
{
    const qint64 n = total();
    if (n <= 0)
        return 0;
    const auto rank = std::max<qint64>(1, static_cast<qint64>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * n)));
    qint64 seen = 0;
    for (const auto& [bucket, count] : m_buckets) {
        seen += count;
        if (seen >= rank)
            return DurationGrid::representative(bucket);
    }
    return DurationGrid::representative(m_buckets.back().first);
}

std::string LatencyHistogram::encode() const
{
    std::string out;
    appendVarint(out, m_buckets.size());
    int previous = 0;
    for (const auto& [bucket, count] : m_buckets) {
        appendVarint(out, static_cast<quint64>(bucket - previous));
        appendVarint(out, zigzag(count));
        previous = bucket;
    }
    return out;
}

std::optional<LatencyHistogram> LatencyHistogram::decode(std::string_view bytes)
{
    size_t at = 0;
    quint64 size = 0;
    if (!readVarint(bytes, at, size) || size > static_cast<quint64>(DurationGrid::kBuckets))
        return std::nullopt;
    LatencyHistogram histogram;
    histogram.m_buckets.reserve(size);
    quint64 bucket = 0;
    for (quint64 i = 0; i < size; ++i) {
        quint64 delta = 0, count = 0;
        if (!readVarint(bytes, at, delta) || !readVarint(bytes, at, count))
            return std::nullopt;
        bucket += delta;
        if ((i > 0 && delta == 0) || bucket >= static_cast<quint64>(DurationGrid::kBuckets))
            return std::nullopt;
        histogram.m_buckets.emplace_back(static_cast<quint16>(bucket), unzigzag(count));
    }
    if (at != bytes.size())
        return std::nullopt;
    return histogram;
}

} // namespace tracemap
