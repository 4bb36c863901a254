#include "metrics/redtable.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace tracemap {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fills a row's figures from buckets: totals over the window, and the same bucket by bucket.
RedRow rowOf(
    const std::string& service, const std::string& operation, const std::vector<RollupFigures>& buckets, qint64 stepNs)
{
    RedRow row;
    row.service = service;
    row.operation = operation;
    RollupFigures total;
    const double stepMinutes = static_cast<double>(stepNs) / SpanRollups::kMinuteNs;
    double p95Sum = 0;
    int p95Buckets = 0;
    for (const RollupFigures& b : buckets) {
        total.merge(b);
        row.perMinuteByBucket.push_back(static_cast<double>(b.spans) / stepMinutes);
        row.errorPercentByBucket.push_back(
            b.spans > 0 ? 100.0 * static_cast<double>(b.errors) / static_cast<double>(b.spans) : kNaN);
        const double p95 = b.durations.isEmpty() ? kNaN : static_cast<double>(b.durations.percentile(95));
        row.p95ByBucket.push_back(p95);
        if (!std::isnan(p95)) {
            p95Sum += p95;
            ++p95Buckets;
        }
    }
    row.spans = total.spans;
    row.errors = total.errors;
    row.perMinute = buckets.empty() ? 0 : static_cast<double>(total.spans) / (stepMinutes * buckets.size());
    row.errorPercent
        = total.spans > 0 ? 100.0 * static_cast<double>(total.errors) / static_cast<double>(total.spans) : 0;
    row.p50 = total.durations.percentile(50);
    row.p95 = total.durations.percentile(95);
    row.p99 = total.durations.percentile(99);
    row.impact = p95Buckets > 0 ? p95Sum / p95Buckets * row.perMinute : 0; // scaled by the caller
    return row;
}

// Scales the raw impact figures to 0..1 by the largest among the peers. (Jaeger scales min-max within a service's
// operations; by the largest of all operations, a service with one rare operation does not get a full bar.)
void scaleImpact(std::vector<RedRow*>& rows)
{
    double high = 0;
    for (const RedRow* r : rows)
        high = std::max(high, r->impact);
    for (RedRow* r : rows)
        r->impact = high > 0 ? r->impact / high : 0;
}

} // namespace

std::vector<RedRow> redTable(const std::vector<BucketSeries>& series)
{
    std::map<std::string, std::vector<const BucketSeries*>> byService;
    for (const BucketSeries& s : series)
        byService[s.key.service].push_back(&s);
    struct Group {
        RedRow service;
        std::vector<RedRow> operations;
    };
    std::vector<Group> groups;
    for (const auto& [service, members] : byService) {
        Group group;
        std::vector<RollupFigures> merged(members.front()->buckets.size());
        for (const BucketSeries* s : members) {
            for (size_t i = 0; i < merged.size() && i < s->buckets.size(); ++i)
                merged[i].merge(s->buckets[i]);
            group.operations.push_back(rowOf(service, s->key.operation, s->buckets, s->stepNs));
        }
        group.service = rowOf(service, std::string(), merged, members.front()->stepNs);
        groups.push_back(std::move(group));
    }
    std::vector<RedRow*> services, operations;
    for (Group& g : groups) {
        services.push_back(&g.service);
        for (RedRow& r : g.operations)
            operations.push_back(&r);
    }
    scaleImpact(services);
    scaleImpact(operations);
    for (Group& g : groups) {
        std::sort(g.operations.begin(), g.operations.end(),
            [](const RedRow& a, const RedRow& b) { return a.impact > b.impact; });
    }
    std::sort(groups.begin(), groups.end(),
        [](const Group& a, const Group& b) { return a.service.impact > b.service.impact; });
    std::vector<RedRow> out;
    for (Group& g : groups) {
        out.push_back(std::move(g.service));
        for (RedRow& r : g.operations)
            out.push_back(std::move(r));
    }
    return out;
}

} // namespace tracemap
