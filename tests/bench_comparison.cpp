// Attribute comparison benchmark (not a test: it prints figures). Generates about 1,000,000 spans with the trace
// generator, selects the spans slower than the 90th percentile of all durations, and times counting every span
// into an AttributeComparison plus result(), --runs times (default 3), printing the median. Two baselines, timed
// the same way: a plain count of the same (key, value) pairs with a std::string map per key, as one would write it
// first, and the floor: reading and hashing every span's own values without counting them.
// Usage: bench_comparison [--traces N] [--runs N] [--extra N]   (--extra: N more attributes per span, default 0)
#include "generator/tracegenerator.h"
#include "metrics/attributecomparison.h"
#include "metrics/valuecounttable.h"

#include <QElapsedTimer>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

using namespace tracemap;

namespace {

struct Timing {
    double countMs = 0;
    double resultMs = 0;
    double total() const { return countMs + resultMs; }
};

double median(std::vector<double> values)
{
    std::ranges::sort(values);
    return values[values.size() / 2];
}

Timing timeComparison(const std::vector<Trace>& traces, qint64 threshold, ComparisonResult& result)
{
    QElapsedTimer timer;
    timer.start();
    AttributeComparison comparison;
    for (const Trace& t : traces)
        comparison.addTrace(t, [threshold](const Span& s) { return s.durationNs > threshold; });
    Timing timing;
    timing.countMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    result = comparison.result();
    timing.resultMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return timing;
}

// The baseline: the same pairs counted with a string per key and value, looked up per span.
double timeNaive(const std::vector<Trace>& traces, qint64 threshold, size_t& keys)
{
    QElapsedTimer timer;
    timer.start();
    std::unordered_map<std::string, std::unordered_map<std::string, std::array<qint64, 2>>> counts;
    const auto countRange = [&](const Trace& t, Range range, int side) {
        char buffer[32];
        for (quint32 i = range.begin; i < range.end(); ++i) {
            const Attribute& a = t.attributes[i];
            std::string value;
            if (a.type == ValueType::String)
                value = t.text(a.ref);
            else if (a.type == ValueType::Int)
                value.assign(buffer, std::to_chars(buffer, buffer + sizeof buffer, a.intValue).ptr);
            else
                continue;
            ++counts[std::string(t.string(a.key))][value][static_cast<size_t>(side)];
        }
    };
    for (const Trace& t : traces) {
        for (const Span& s : t.spans) {
            const int side = s.durationNs > threshold ? 0 : 1;
            countRange(t, s.attributes, side);
            if (s.resource < t.resources.size())
                countRange(t, t.resources[s.resource].attributes, side);
            ++counts["name"][std::string(t.operationName(s))][static_cast<size_t>(side)];
            ++counts["span.kind"][spanKindName(s.kind)][static_cast<size_t>(side)];
        }
    }
    keys = counts.size();
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

// The floor: reading every span's own attribute values once and hashing them, nothing counted. What the
// comparison adds to this is the cost of its tables.
double timeReading(const std::vector<Trace>& traces, quint64& checksum)
{
    QElapsedTimer timer;
    timer.start();
    char buffer[32];
    for (const Trace& t : traces) {
        for (const Span& s : t.spans) {
            for (quint32 i = s.attributes.begin; i < s.attributes.end(); ++i) {
                const Attribute& a = t.attributes[i];
                if (a.type == ValueType::String)
                    checksum += HashedText::of(t.text(a.ref)).hash;
                else if (a.type == ValueType::Int)
                    checksum += HashedText::of(
                        std::string_view(buffer, std::to_chars(buffer, buffer + sizeof buffer, a.intValue).ptr))
                                    .hash;
            }
        }
    }
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

/// Gives every span `extra` more attributes (the generator writes about 7 per span with the resource's; real
/// OpenTelemetry spans carry 10 to 20): strings and integers from vocabularies of 2 to 1,000 values, the way
/// feature flags, tenants, regions and retry counts look. The spans' attribute ranges are rebuilt around them.
void widen(Trace& t, int extra, quint64& state)
{
    if (extra <= 0)
        return;
    std::vector<Attribute> attributes;
    attributes.reserve(t.attributes.size() + t.spans.size() * static_cast<size_t>(extra));
    for (Resource& r : t.resources) {
        const auto begin = static_cast<quint32>(attributes.size());
        attributes.insert(
            attributes.end(), t.attributes.begin() + r.attributes.begin, t.attributes.begin() + r.attributes.end());
        r.attributes = { begin, r.attributes.count };
    }
    static constexpr int kVocabularies[] = { 2, 10, 100, 1000 };
    for (Span& s : t.spans) {
        const auto begin = static_cast<quint32>(attributes.size());
        attributes.insert(
            attributes.end(), t.attributes.begin() + s.attributes.begin, t.attributes.begin() + s.attributes.end());
        for (int k = 0; k < extra; ++k) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const auto pick = static_cast<qint64>((state >> 33) % kVocabularies[k % 4]);
            Attribute a;
            a.key = t.strings.intern("extra." + std::to_string(k));
            if (k % 3 == 2) {
                a.type = ValueType::Int;
                a.intValue = pick;
            } else {
                a.type = ValueType::String;
                a.ref = t.addText("value-" + std::to_string(pick));
            }
            attributes.push_back(a);
        }
        s.attributes = { begin, static_cast<quint32>(attributes.size()) - begin };
    }
    t.attributes = std::move(attributes);
}

} // namespace

int main(int argc, char** argv)
{
    GeneratorOptions options;
    options.traces = 20000;
    options.spansPerTrace = 50;
    int runs = 3;
    int extra = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--traces") == 0)
            options.traces = std::atoll(argv[i + 1]);
        else if (std::strcmp(argv[i], "--runs") == 0)
            runs = std::max(1, std::atoi(argv[i + 1]));
        else if (std::strcmp(argv[i], "--extra") == 0)
            extra = std::max(0, std::atoi(argv[i + 1]));
    }

    std::vector<Trace> traces;
    traces.reserve(static_cast<size_t>(options.traces));
    std::vector<qint64> durations;
    size_t attributes = 0;
    {
        TraceGenerator generator(options);
        Trace t;
        quint64 state = 1;
        while (generator.next(t)) {
            widen(t, extra, state);
            for (const Span& s : t.spans) {
                durations.push_back(s.durationNs);
                attributes += s.attributes.count;
                if (s.resource < t.resources.size())
                    attributes += t.resources[s.resource].attributes.count;
            }
            traces.push_back(std::move(t));
            t = Trace();
        }
    }
    const size_t spans = durations.size();
    auto p90 = durations.begin() + static_cast<std::ptrdiff_t>(spans * 9 / 10);
    std::nth_element(durations.begin(), p90, durations.end());
    const qint64 threshold = *p90;
    std::printf("bench_comparison: %zu traces, %zu spans, %.1f attributes per span (span and resource) + 3 pseudo; "
                "selection: duration > p90 = %lld ns\n",
        traces.size(), spans, static_cast<double>(attributes) / static_cast<double>(spans),
        static_cast<long long>(threshold));

    std::vector<double> counting;
    std::vector<double> results;
    std::vector<double> totals;
    std::vector<double> naive;
    std::vector<double> reading;
    quint64 checksum = 0;
    ComparisonResult result;
    size_t naiveKeys = 0;
    for (int run = 0; run < runs; ++run) {
        const Timing timing = timeComparison(traces, threshold, result);
        counting.push_back(timing.countMs);
        results.push_back(timing.resultMs);
        totals.push_back(timing.total());
        naive.push_back(timeNaive(traces, threshold, naiveKeys));
        reading.push_back(timeReading(traces, checksum));
        std::printf("  run %d: count %.1f ms + result %.1f ms = %.1f ms; naive string maps %.1f ms; reading the "
                    "values %.1f ms\n",
            run + 1, timing.countMs, timing.resultMs, timing.total(), naive.back(), reading.back());
    }
    const double total = median(totals);
    std::printf("median of %d: count %.1f ms, result %.1f ms, total %.1f ms (%.0f ns/span); naive %.1f ms, ratio "
                "naive/comparison %.2f; reading the values %.1f ms, ratio comparison/reading %.2f (checksum %llx)\n",
        runs, median(counting), median(results), total, total * 1e6 / static_cast<double>(spans), median(naive),
        median(naive) / total, median(reading), total / median(reading), static_cast<unsigned long long>(checksum));

    std::printf("selection %lld spans, baseline %lld spans, %zu keys (naive: %zu); top attributes:\n",
        static_cast<long long>(result.selectionSpans), static_cast<long long>(result.baselineSpans),
        result.attributes.size(), naiveKeys);
    for (size_t i = 0; i < std::min<size_t>(result.attributes.size(), 8); ++i) {
        const AttributeDifference& a = result.attributes[i];
        const ValueShare* top = a.topValue >= 0 ? &a.values[static_cast<size_t>(a.topValue)] : nullptr;
        std::printf("  %-28s score %.3f%s%s  %s %.1f %% vs %.1f %%\n", a.key.c_str(), a.score, a.numeric ? " (KS)" : "",
            a.demoted ? " (demoted)" : "", top ? top->value.c_str() : "-", top ? 100 * top->selectionShare : 0.0,
            top ? 100 * top->baselineShare : 0.0);
    }
    return 0;
}
