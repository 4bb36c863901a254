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

    /// Rows from per-service and per-operation figures of any kind (exact durations here, rollup histograms in
    /// rollupqueries::statistics), in the order rows() gives: each service followed by its operations.
    /// countsOf(figures) fills a Row's spans, noDuration, errors and durations; this adds the names and errorPercent.
    template <class Figures, class CountsOf>
    static std::vector<Row> rowsOf(const std::map<std::string, Figures>& services,
        const std::map<std::pair<std::string, std::string>, Figures>& operations, CountsOf countsOf)
    {
        auto named = [&](const std::string& service, const std::string* operation, const Figures& figures) {
            Row row = countsOf(figures);
            row.service = service;
            row.isService = operation == nullptr;
            row.operation = operation ? *operation : std::string();
            row.errorPercent
                = row.spans == 0 ? 0 : 100.0 * static_cast<double>(row.errors) / static_cast<double>(row.spans);
            return row;
        };
        std::vector<Row> out;
        auto operation = operations.begin();
        for (const auto& [service, figures] : services) {
            out.push_back(named(service, nullptr, figures));
            for (; operation != operations.end() && operation->first.first == service; ++operation)
                out.push_back(named(service, &operation->first.second, operation->second));
        }
        return out;
    }

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
