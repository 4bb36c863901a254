#include "monitor/spancomparison.h"

#include <cmath>
#include <limits>

namespace tracemap {

namespace {

// Traces read per side of a sampled comparison: enough for shares within a couple of points, and a comparison
// that takes a fraction of a second on any cache.
constexpr size_t kSampleTraces = 1500;

} // namespace

std::vector<std::string> SpanSelection::definingKeys() const
{
    if (!errorsOnly)
        return {};
    // A failed request's status code says that it failed, not why.
    return { "error", "otel.status_code", "otel.status_description", "status.code", "status.message",
        "http.status_code", "http.response.status_code", "rpc.grpc.status_code", "error.type" };
}

std::expected<ScopeComparison, QString> compareSelection(
    const TraceCache& cache, const MonitorScope& scope, const SpanSelection& selection)
{
    return compareSelection(cache, scope, selection, kSampleTraces);
}

std::expected<ScopeComparison, QString> compareSelection(
    const TraceCache& cache, const MonitorScope& scope, const SpanSelection& selection, size_t sampleTraces)
{
    const auto traces = cache.search(scope.traceQuery(), TraceCache::RootNames::Without);
    if (!traces)
        return std::unexpected(traces.error());
    AttributeComparison::Options options;
    options.excludedKeys = selection.definingKeys();
    AttributeComparison comparison(options);
    ScopeComparison out;
    out.scopeTraces = static_cast<qint64>(traces->size());

    // Which traces are read, and which of their spans count on which side.
    enum class Count { Both, SelectedOnly, BaselineOnly };
    double candidateScale = 1; // traces that can hold selected spans per one of them read
    std::vector<std::pair<const TraceSummary*, Count>> reads;
    if (traces->size() <= 2 * sampleTraces) {
        for (const TraceSummary& t : *traces)
            reads.emplace_back(&t, Count::Both);
    } else {
        // A trace can hold a selected span only if it overlaps the selection's time, lasts at least its shortest
        // duration, and (for errors) has one.
        std::vector<const TraceSummary*> candidates, others;
        for (const TraceSummary& t : *traces) {
            const bool can = t.startNs < selection.untilNs
                && (selection.sinceNs == std::numeric_limits<qint64>::min()
                    || t.startNs + t.durationNs >= selection.sinceNs)
                && t.durationNs >= selection.minDurationNs && (!selection.errorsOnly || t.errorCount > 0);
            (can ? candidates : others).push_back(&t);
        }
        // Evenly spread: every k-th of the traces, which come ordered by start time.
        auto sample = [&](const std::vector<const TraceSummary*>& from, Count count) {
            const size_t take = std::min(from.size(), sampleTraces);
            for (size_t i = 0; i < take; ++i)
                reads.emplace_back(from[i * from.size() / take], count);
        };
        sample(candidates, Count::SelectedOnly);
        sample(others, Count::BaselineOnly);
        candidateScale = static_cast<double>(candidates.size())
            / static_cast<double>(std::max<size_t>(1, std::min(candidates.size(), sampleTraces)));
    }
    std::vector<TraceId> ids;
    ids.reserve(reads.size());
    for (const auto& [summary, count] : reads)
        ids.push_back(summary->traceId);
    size_t next = 0;
    const auto visited = cache.forEachTraceOf(ids, [&](const Trace& trace) {
        while (next < reads.size() && !(reads[next].first->traceId == trace.id))
            ++next; // a trace deleted meanwhile is skipped
        const Count count = next < reads.size() ? reads[next++].second : Count::Both;
        bool selectedAny = false;
        comparison.addTrace(
            trace,
            [&](const Span& span) {
                const bool selected = selection.contains(span);
                selectedAny = selectedAny || selected;
                return selected;
            },
            [&](const Span& span) {
                if (!scope.matches(trace, span))
                    return false;
                if (count == Count::Both)
                    return true;
                return selection.contains(span) == (count == Count::SelectedOnly);
            });
        out.selectedTraces += selectedAny ? 1 : 0;
        return true;
    });
    if (!visited)
        return std::unexpected(visited.error());
    out.readTraces = static_cast<qint64>(reads.size());
    out.selectedTraces = std::llround(static_cast<double>(out.selectedTraces) * candidateScale);
    out.result = comparison.result();
    return out;
}

} // namespace tracemap
