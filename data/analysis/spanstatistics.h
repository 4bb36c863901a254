#pragma once

#include "model/trace.h"

#include <QString>

#include <map>
#include <string>
#include <vector>

namespace tracemap {

/// Rate/error/duration figures per service and per operation, with exact percentiles (nearest rank on the sorted
/// durations), as `tracemap stats` prints them. Spans whose source gave no duration (MissingDuration) count as
/// spans but stay out of the percentiles and the maximum: their zero is not a measurement.
class SpanStatistics {
public:
    struct Row {
        std::string service;
        bool isService = false; // a service's own row (then operation is empty), else one of its operations
        std::string operation; // may be empty: spans without a name
        qint64 spans = 0; // all of them, those without a duration included
        qint64 noDuration = 0; // spans without a duration, left out of p50..max
        qint64 errors = 0;
        double errorPercent = 0;
        qint64 p50 = 0; // 0 when no span has a duration
        qint64 p95 = 0;
        qint64 p99 = 0;
        qint64 max = 0;
    };

    void add(const Trace& trace);
    /// Services in name order, each followed by its operations in name order.
    std::vector<Row> rows() const;

    /// The nearest-rank percentile of sorted values (p in 0..100).
    static qint64 percentile(const std::vector<qint64>& sorted, double p);

private:
    struct Accumulator {
        std::vector<qint64> durations;
        qint64 noDuration = 0;
        qint64 errors = 0;
    };
    std::map<std::string, Accumulator> m_services;
    std::map<std::pair<std::string, std::string>, Accumulator> m_operations;
};

} // namespace tracemap
