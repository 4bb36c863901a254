#pragma once

#include "metrics/durationgrid.h"

#include <QtGlobal>

#include <algorithm>
#include <vector>

namespace tracemap {

/// Span counts per time column and duration row: what the latency heatmap draws. Rows are runs of
/// `bucketsPerRow` DurationGrid buckets from `firstBucket` up, so a view shows a few dozen rows whatever the
/// spread of durations; columns are `columnNs` wide from `startNs`.
struct LatencyHeatmap {
    qint64 startNs = 0;
    qint64 columnNs = 60'000'000'000;
    int columns = 0;
    int firstBucket = 0;
    int bucketsPerRow = 1;
    int rows = 0;
    std::vector<qint64> counts; // columns * rows, column by column: counts[column * rows + row]

    bool isEmpty() const { return columns == 0 || rows == 0; }
    qint64 count(int column, int row) const { return counts[static_cast<size_t>(column) * rows + row]; }
    qint64 maxCount() const { return counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end()); }
    qint64 total() const
    {
        qint64 sum = 0;
        for (qint64 c : counts)
            sum += c;
        return sum;
    }

    qint64 columnStartNs(int column) const { return startNs + column * columnNs; }
    qint64 endNs() const { return columnStartNs(columns); }
    /// The durations a row holds: [rowLowerNs, rowUpperNs).
    double rowLowerNs(int row) const { return DurationGrid::lowerBound(firstBucket + row * bucketsPerRow); }
    double rowUpperNs(int row) const { return DurationGrid::lowerBound(firstBucket + (row + 1) * bucketsPerRow); }
    /// The column and row a time and duration fall in, or -1 outside the map.
    int columnOf(qint64 ns) const
    {
        if (columnNs <= 0 || ns < startNs || ns >= endNs())
            return -1;
        return static_cast<int>((ns - startNs) / columnNs);
    }
    int rowOf(qint64 durationNs) const
    {
        const int row = (DurationGrid::bucketOf(durationNs) - firstBucket) / std::max(bucketsPerRow, 1);
        return DurationGrid::bucketOf(durationNs) < firstBucket || row >= rows ? -1 : row;
    }
};

} // namespace tracemap
