#pragma once

#include "model/trace.h"

#include <QtGlobal>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracemap {

struct HashedText;

/// One bar pair of an attribute: how many selected and baseline spans have the value.
struct ValueShare {
    std::string value; // "(other)" for the folded rest, "(missing)" for spans without the key
    qint64 selection = 0; // spans in S with this value
    qint64 baseline = 0; // spans in B with this value
    double selectionShare = 0; // selection / selection spans
    double baselineShare = 0;
    double pValue = 1; // two-proportion z-test, two-sided (numeric split bars: the KS test's)
    bool significant = false; // survived Benjamini–Hochberg and the minimum count
};

/// How differently one attribute is distributed in the selection and the baseline.
///
/// Categorical keys: `values` are the shown values sorted by selection share (descending), then "(other)" for the
/// rest when there are more than Options::shownValues; "(missing)" is a value like the others. The value giving
/// the score is always shown on its own. Selection (and baseline) counts over `values` add up to the selection
/// (baseline) span count.
///
/// Numeric keys (Int/Double only, more than Options::numericDistinctValues distinct values) are scored with the
/// Kolmogorov–Smirnov distance D between the values of the spans that have the key (or with the "(missing)"
/// difference, when that is significant and larger); `values` are then the two sides of the split point t where D
/// is reached, "<= t" and "> t", then "(missing)" if any span lacks the key.
struct AttributeDifference {
    std::string key;
    bool numeric = false; // scored with KS D instead of per-value shares
    bool demoted = false; // id-like key or high cardinality: listed after all others whatever its score
    double score = 0; // max |selShare - baseShare| over significant values (KS D for numeric), 0 if none
    double pValue = 1; // of the value (or KS test) giving the score
    int topValue = -1; // index in values of the value giving the score, -1 if none
    std::vector<ValueShare> values;
    qint64 distinctValues = 0; // distinct countable values seen, before any folding
    // Numeric keys: the split point t and the share of each side's spans having the key with a value <= t.
    double splitAt = 0;
    double selectionBelow = 0;
    double baselineBelow = 0;
};

struct ComparisonResult {
    qint64 selectionSpans = 0;
    qint64 baselineSpans = 0;
    /// Not demoted first: score > 0 by score (descending; ties: smaller p, then key), then score 0 by key. Then
    /// the demoted ones in the same order. Excluded keys are absent.
    std::vector<AttributeDifference> attributes;
};

/// "What is different about the selection?" (ANALYTICS.md section 2): counts the attribute values of spans in a
/// selection S and a baseline B (the rest of the scope) in one pass, then ranks attributes by the largest
/// difference in share, in percentage points, among the values that pass a significance gate.
///
/// Counted per span, each key at most once (the first occurrence wins): the span's attributes, then the pseudo
/// attributes "span.kind" (when specified) and "name" (the operation), then the attributes of the span's
/// resource, then "service.name" from the span's service when neither the span nor its resource had one. Values
/// read as in a key=value search (strings as they are, booleans as true/false, numbers in their shortest form);
/// bytes, arrays, key-value lists and strings over kMaxValueLength bytes count as present but go to "(other)".
/// Status, errors and durations are not counted: they are what selections are made of.
///
/// Statistics: each tested value gets a two-proportion z-test (pooled); numeric keys a two-sample KS test. A
/// value is tested only when each side has at least minCount spans with it, observed or expected from the other
/// side's share (so 3 selected spans can never be a finding, however rare their value is in the baseline; for
/// numeric keys: at least minCount spans with the key on each side). All tests of all keys are then gated
/// together by Benjamini–Hochberg at falseDiscoveryRate.
///
/// Not thread-safe; one instance per comparison. Memory grows with the distinct values per key, about 100 bytes
/// and the text per value; a key takes at most kMaxDistinctValues (later new values go to "(other)", and the key
/// counts as high cardinality).
class AttributeComparison {
public:
    static constexpr size_t kMaxValueLength = 256;
    static constexpr size_t kMaxDistinctValues = 1 << 18;

    struct Options {
        double falseDiscoveryRate = 0.05; // BH q
        qint64 minCount = 5; // spans with a value needed on each side, observed or expected (see above)
        int valuesPerAttribute = 20; // top values by combined count tested per key; the rest is one "(other)"
        int shownValues = 6;
        int numericDistinctValues = 20; // a numeric key with more distinct values is compared as a distribution
        std::vector<std::string> excludedKeys; // attributes that define the selection
    };

    AttributeComparison();
    explicit AttributeComparison(Options options);
    ~AttributeComparison();
    AttributeComparison(AttributeComparison&&) noexcept;
    AttributeComparison& operator=(AttributeComparison&&) noexcept;

    const Options& options() const { return m_options; }

    /// Counts one span (its attributes and its resource's) into the selection or the baseline. For many spans of
    /// one trace addTrace() is faster: it looks keys and resource values up once per trace, not once per span.
    void add(const Trace& trace, const Span& span, bool selected);

    /// Counts the spans of the trace for which inScope(span) is true, into the selection where selected(span) is
    /// (both callables taking a const Span&, returning bool).
    template <typename Selected, typename InScope>
    void addTrace(const Trace& trace, Selected&& selected, InScope&& inScope)
    {
        beginTrace(trace);
        for (const Span& span : trace.spans) {
            if (inScope(span))
                countSpan(trace, span, selected(span));
        }
    }
    template <typename Selected> void addTrace(const Trace& trace, Selected&& selected)
    {
        addTrace(trace, std::forward<Selected>(selected), [](const Span&) { return true; });
    }

    qint64 selectionSpans() const { return m_spans[0]; }
    qint64 baselineSpans() const { return m_spans[1]; }

    ComparisonResult result() const;

private:
    struct KeyTally;
    struct Lookup;
    struct ValueText;

    void beginTrace(const Trace& trace);
    void countSpan(const Trace& trace, const Span& span, bool selected);
    int keyOf(const Trace& trace, StringId key);
    int keyOf(std::string_view name);
    int valueOf(int key, const Trace& trace, const Attribute& attribute);
    static bool readValue(const Trace& trace, const Attribute& attribute, ValueText& out);
    int internValue(int key, const HashedText& value, double number);
    int cachedText(std::vector<int>& cache, int key, const Trace& trace, StringId id);
    std::pair<const std::pair<int, int>*, const std::pair<int, int>*> resourceValues(
        const Trace& trace, quint32 resource);
    bool firstInSpan(int key);
    void count(int key, int value, int side);

    Options m_options;
    std::vector<KeyTally> m_keys;
    std::unique_ptr<Lookup> m_lookup;
    qint64 m_spans[2] = { 0, 0 }; // selection, baseline
    quint64 m_serial = 0; // of the span being counted, for counting each key once per span
    int m_kindKey = -1;
    int m_nameKey = -1;
    int m_serviceKey = -1;
};

} // namespace tracemap
