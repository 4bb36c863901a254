#include "metrics/attributecomparison.h"

#include "metrics/significance.h"
#include "metrics/valuecounttable.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numbers>
#include <numeric>
#include <tuple>
#include <unordered_map>

namespace tracemap {

namespace {

constexpr int kUnknown = -1; // in the per-trace caches: not looked up yet
constexpr int kSkipped = -2; // an excluded key
constexpr int kUncountable = -1; // a value that is present but not counted by itself (bytes, arrays, long text)
constexpr int kSelection = 0;
constexpr int kBaseline = 1;
constexpr int kKinds = 6;
constexpr qint64 kHighCardinalitySpans = 20;
constexpr double kHighCardinalityRatio = 0.9;
constexpr double kSameGap = 1e-12; // shares computed as differences of quotients: equal ones differ in the last bits
constexpr const char* kOther = "(other)";
constexpr const char* kMissing = "(missing)";

struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};

double share(qint64 count, qint64 total)
{
    return total > 0 ? static_cast<double>(count) / static_cast<double>(total) : 0.0;
}

/// Two-proportion z-test with the pooled proportion, two-sided.
double twoProportionP(qint64 cS, qint64 nS, qint64 cB, qint64 nB)
{
    const double pooled = share(cS + cB, nS + nB);
    const double variance = pooled * (1 - pooled) * (1.0 / static_cast<double>(nS) + 1.0 / static_cast<double>(nB));
    if (!(variance > 0))
        return 1;
    const double z = (share(cS, nS) - share(cB, nB)) / std::sqrt(variance);
    return std::erfc(std::abs(z) / std::numbers::sqrt2);
}

/// The asymptotic Kolmogorov distribution's tail Q(λ) with Stephens' small-sample correction of λ, as in Numerical
/// Recipes (qks): two series, each used where it converges in four terms.
double kolmogorovSmirnovP(double d, double nEffective)
{
    const double root = std::sqrt(nEffective);
    const double lambda = (root + 0.12 + 0.11 / root) * d;
    if (!(lambda > 0))
        return 1;
    double p;
    if (lambda < 1.18) {
        const double y = std::exp(-std::numbers::pi * std::numbers::pi / (8 * lambda * lambda));
        const double y8 = std::pow(y, 8);
        p = 1 - std::sqrt(2 * std::numbers::pi) / lambda * y * (1 + y8 * (1 + y8 * y8 * (1 + y8 * y8 * y8)));
    } else {
        const double x = std::exp(-2 * lambda * lambda);
        const double x2 = x * x;
        p = 2 * x * (1 - x2 * x * (1 - x2 * x2 * x * (1 - x2 * x2 * x2 * x)));
    }
    return std::clamp(p, 0.0, 1.0);
}

/// Whether each side has at least minCount spans with the value, seen or expected from the other side's share. A
/// difference carried by fewer spans than that is what a small selection shows by chance, and the z-test's normal
/// approximation does not hold there either; c_S + c_B >= minCount alone would let 3 selected spans win against
/// any large baseline.
bool supported(qint64 cS, qint64 nS, qint64 cB, qint64 nB, qint64 minCount)
{
    const auto enough = [minCount](qint64 seen, qint64 n, qint64 otherSeen, qint64 otherN) {
        return seen >= minCount || static_cast<double>(n) * share(otherSeen, otherN) >= static_cast<double>(minCount);
    };
    return enough(cS, nS, cB, nB) && enough(cB, nB, cS, nS);
}

bool endsWith(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// Ids say nothing about a population even when they differ (every trace has its own); HyperDX demotes them too.
bool looksLikeId(std::string_view key)
{
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "id" || lower == "pid")
        return true;
    for (std::string_view suffix : { ".id", "_id", "-id", ".pid", "_pid", "uuid", "guid", "traceid", "spanid" }) {
        if (endsWith(lower, suffix))
            return true;
    }
    // camelCase: userId, requestID
    return key.size() > 2 && (endsWith(key, "Id") || endsWith(key, "ID"))
        && std::islower(static_cast<unsigned char>(key[key.size() - 3]));
}

std::string numberText(double value)
{
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, r.ptr);
}

ValueShare makeShare(std::string value, qint64 cS, qint64 nS, qint64 cB, qint64 nB)
{
    ValueShare v;
    v.value = std::move(value);
    v.selection = cS;
    v.baseline = cB;
    v.selectionShare = share(cS, nS);
    v.baselineShare = share(cB, nB);
    return v;
}

/// One key's values while the result is built: tested ones are p-valued and join the Benjamini–Hochberg pool.
struct Candidate {
    ValueShare share;
    bool tested = false;
    bool tail = false; // the values beyond the top valuesPerAttribute
};

struct PendingKey {
    AttributeDifference difference;
    std::vector<Candidate> candidates; // numeric: "<= t", "> t", then "(missing)"
    double ksD = 0;
};

} // namespace

/// A scalar value as a key=value search reads it (see cache/searchterms.cpp): strings as they are, booleans as
/// true/false, numbers in their shortest form. `number` is NaN unless the value is an Int or a finite Double.
struct AttributeComparison::ValueText {
    std::string_view text;
    double number = 0;
    char buffer[32];

    ValueText() = default;
    ValueText(const ValueText&) = delete; // text may point into buffer
    ValueText& operator=(const ValueText&) = delete;
};

inline bool AttributeComparison::readValue(const Trace& trace, const Attribute& a, ValueText& out)
{
    constexpr double kNotANumber = std::numeric_limits<double>::quiet_NaN();
    out.number = kNotANumber;
    switch (a.type) {
    case ValueType::String:
        out.text = trace.text(a.ref);
        return out.text.size() <= kMaxValueLength;
    case ValueType::Bool:
        out.text = a.boolValue ? "true" : "false";
        return true;
    case ValueType::Int: {
        const auto r = std::to_chars(out.buffer, out.buffer + sizeof out.buffer, a.intValue);
        out.text = std::string_view(out.buffer, r.ptr);
        out.number = static_cast<double>(a.intValue);
        return true;
    }
    case ValueType::Double: {
        const auto r = std::to_chars(out.buffer, out.buffer + sizeof out.buffer, a.doubleValue);
        out.text = std::string_view(out.buffer, r.ptr);
        if (std::isfinite(a.doubleValue))
            out.number = a.doubleValue;
        return r.ec == std::errc();
    }
    default:
        return false;
    }
}

struct AttributeComparison::KeyTally {
    std::string name;
    ValueCountTable values;
    std::vector<double> numbers; // per value id: its number, NaN for a value that is not an Int or Double
    std::array<qint64, 2> present { 0, 0 }; // spans with the key, counted values or not
    bool onlyNumbers = true;
    bool overflowed = false; // new values were refused at kMaxDistinctValues
};

/// Lookups: the global key index, and caches valid for the trace given to beginTrace() (indexed by its string
/// ids and resource indices), so that a key's text is hashed once per trace rather than once per span.
struct AttributeComparison::Lookup {
    std::unordered_map<std::string, int, KeyHash, std::equal_to<>> keyIndex;
    std::vector<quint64> stamps; // per key: serial of the last span that counted it
    std::array<int, kKinds> kindValues;

    std::vector<int> keyOfString;
    std::vector<int> serviceValue; // by string id: the value id in "service.name"
    std::vector<int> operationValue; // by string id: the value id in "name"
    std::vector<std::pair<quint32, quint32>> resourceSlices; // by resource: begin, count in resourcePairs
    std::vector<std::pair<int, int>> resourcePairs; // key, value of resource attributes (excluded keys left out)

    Lookup() { kindValues.fill(kUnknown); }
};

AttributeComparison::AttributeComparison()
    : AttributeComparison(Options {})
{
}

AttributeComparison::AttributeComparison(Options options)
    : m_options(std::move(options))
    , m_lookup(std::make_unique<Lookup>())
{
    m_options.shownValues = std::max(m_options.shownValues, 1);
    m_options.valuesPerAttribute = std::max(m_options.valuesPerAttribute, 1);
    m_kindKey = keyOf("span.kind");
    m_nameKey = keyOf("name");
    m_serviceKey = keyOf("service.name");
}

AttributeComparison::~AttributeComparison() = default;
AttributeComparison::AttributeComparison(AttributeComparison&&) noexcept = default;
AttributeComparison& AttributeComparison::operator=(AttributeComparison&&) noexcept = default;

int AttributeComparison::keyOf(std::string_view name)
{
    if (const auto it = m_lookup->keyIndex.find(name); it != m_lookup->keyIndex.end())
        return it->second;
    const bool excluded = std::ranges::find(m_options.excludedKeys, name) != m_options.excludedKeys.end();
    const int key = excluded ? kSkipped : static_cast<int>(m_keys.size());
    m_lookup->keyIndex.emplace(std::string(name), key);
    if (!excluded) {
        m_keys.emplace_back().name = name;
        m_lookup->stamps.push_back(0);
    }
    return key;
}

inline int AttributeComparison::keyOf(const Trace& trace, StringId id)
{
    int& cached = m_lookup->keyOfString[id];
    if (cached == kUnknown)
        cached = keyOf(trace.string(id));
    return cached;
}

void AttributeComparison::beginTrace(const Trace& trace)
{
    Lookup& l = *m_lookup;
    l.keyOfString.assign(trace.strings.size(), kUnknown);
    l.serviceValue.assign(trace.strings.size(), kUnknown);
    l.operationValue.assign(trace.strings.size(), kUnknown);
    l.resourceSlices.assign(trace.resources.size(), { 0, 0 });
    l.resourcePairs.clear();
}

inline int AttributeComparison::internValue(int key, const HashedText& value, double number)
{
    KeyTally& tally = m_keys[static_cast<size_t>(key)];
    if (std::isnan(number))
        tally.onlyNumbers = false;
    const int id = tally.values.find(value);
    if (id >= 0)
        return id;
    if (tally.values.size() >= kMaxDistinctValues) {
        tally.overflowed = true;
        return kUncountable;
    }
    tally.numbers.push_back(number);
    return tally.values.add(value);
}

inline int AttributeComparison::valueOf(int key, const Trace& trace, const Attribute& a)
{
    ValueText value;
    if (!readValue(trace, a, value)) {
        m_keys[static_cast<size_t>(key)].onlyNumbers = false;
        return kUncountable;
    }
    return internValue(key, HashedText::of(value.text), value.number);
}

int AttributeComparison::cachedText(std::vector<int>& cache, int key, const Trace& trace, StringId id)
{
    int& cached = cache[id];
    if (cached == kUnknown)
        cached = internValue(key, HashedText::of(trace.string(id)), std::numeric_limits<double>::quiet_NaN());
    return cached;
}

std::pair<const std::pair<int, int>*, const std::pair<int, int>*> AttributeComparison::resourceValues(
    const Trace& trace, quint32 resource)
{
    Lookup& l = *m_lookup;
    auto& slice = l.resourceSlices[resource];
    if (slice.second == 0) {
        // Resolved on first use per trace; a resource whose attributes are all excluded resolves again, cheaply.
        slice.first = static_cast<quint32>(l.resourcePairs.size());
        const Range range = trace.resources[resource].attributes;
        for (quint32 i = range.begin; i < range.end(); ++i) {
            const Attribute& a = trace.attributes[i];
            const int key = keyOf(trace, a.key);
            if (key >= 0)
                l.resourcePairs.emplace_back(key, valueOf(key, trace, a));
        }
        slice.second = static_cast<quint32>(l.resourcePairs.size()) - slice.first;
    }
    const auto* begin = l.resourcePairs.data() + slice.first;
    return { begin, begin + slice.second };
}

inline bool AttributeComparison::firstInSpan(int key)
{
    if (key < 0)
        return false;
    quint64& stamp = m_lookup->stamps[static_cast<size_t>(key)];
    if (stamp == m_serial)
        return false;
    stamp = m_serial;
    return true;
}

inline void AttributeComparison::count(int key, int value, int side)
{
    KeyTally& tally = m_keys[static_cast<size_t>(key)];
    ++tally.present[static_cast<size_t>(side)];
    if (value >= 0)
        ++tally.values.counts(static_cast<size_t>(value))[static_cast<size_t>(side)];
}

void AttributeComparison::add(const Trace& trace, const Span& span, bool selected)
{
    beginTrace(trace);
    countSpan(trace, span, selected);
}

void AttributeComparison::countSpan(const Trace& trace, const Span& span, bool selected)
{
    const int side = selected ? kSelection : kBaseline;
    ++m_spans[side];
    ++m_serial;
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        const int key = keyOf(trace, a.key);
        if (firstInSpan(key))
            count(key, valueOf(key, trace, a), side);
    }
    if (span.kind != SpanKind::Unspecified && firstInSpan(m_kindKey)) {
        int& value = m_lookup->kindValues[static_cast<size_t>(span.kind) % kKinds];
        if (value == kUnknown)
            value = internValue(
                m_kindKey, HashedText::of(spanKindName(span.kind)), std::numeric_limits<double>::quiet_NaN());
        count(m_kindKey, value, side);
    }
    if (firstInSpan(m_nameKey))
        count(m_nameKey, cachedText(m_lookup->operationValue, m_nameKey, trace, span.operation), side);
    if (span.resource < trace.resources.size()) {
        const auto [begin, end] = resourceValues(trace, span.resource);
        for (const auto* pair = begin; pair != end; ++pair) {
            if (firstInSpan(pair->first))
                count(pair->first, pair->second, side);
        }
    }
    if (firstInSpan(m_serviceKey))
        count(m_serviceKey, cachedText(m_lookup->serviceValue, m_serviceKey, trace, span.service), side);
}

namespace {

/// What result() reads of one key's counts.
struct KeyCounts {
    const ValueCountTable& values;
    const std::vector<double>& numbers;
    std::array<qint64, 2> present; // spans with the key: selection, baseline
    qint64 nS = 0; // spans: selection, baseline
    qint64 nB = 0;
};

/// The KS distance of a numeric key over the spans that have it, and its split bars "<= t" and "> t" (KS-tested
/// together when each side has minCount spans with the key).
void splitNumeric(const KeyCounts& k, qint64 minCount, PendingKey& p)
{
    AttributeDifference& d = p.difference;
    std::vector<int> ids(k.values.size());
    std::iota(ids.begin(), ids.end(), 0);
    std::ranges::sort(ids, {}, [&](int id) { return k.numbers[static_cast<size_t>(id)]; });
    qint64 totalS = 0;
    qint64 totalB = 0;
    for (int id : ids) {
        totalS += k.values.counts(static_cast<size_t>(id))[kSelection];
        totalB += k.values.counts(static_cast<size_t>(id))[kBaseline];
    }
    qint64 cumS = 0;
    qint64 cumB = 0;
    qint64 belowS = totalS;
    qint64 belowB = totalB;
    double split = ids.empty() ? 0 : k.numbers[static_cast<size_t>(ids.back())];
    double best = -1;
    for (size_t i = 0; i < ids.size(); ++i) {
        cumS += k.values.counts(static_cast<size_t>(ids[i]))[kSelection];
        cumB += k.values.counts(static_cast<size_t>(ids[i]))[kBaseline];
        const double x = k.numbers[static_cast<size_t>(ids[i])];
        if (i + 1 < ids.size() && k.numbers[static_cast<size_t>(ids[i + 1])] == x)
            continue; // the distribution functions step only after the last of equal values
        const double gap = std::abs(share(cumS, totalS) - share(cumB, totalB));
        if (totalS > 0 && totalB > 0 && gap > best) {
            best = gap;
            split = x;
            belowS = cumS;
            belowB = cumB;
        }
    }
    d.splitAt = split;
    d.selectionBelow = share(belowS, totalS);
    d.baselineBelow = share(belowB, totalB);
    p.ksD = std::max(best, 0.0);
    const std::string at = numberText(split);
    p.candidates.push_back({ makeShare("<= " + at, belowS, k.nS, belowB, k.nB) });
    p.candidates.push_back(
        { makeShare("> " + at, k.present[kSelection] - belowS, k.nS, k.present[kBaseline] - belowB, k.nB) });
    if (k.nS > 0 && k.nB > 0 && totalS >= minCount && totalB >= minCount) {
        const double nEffective
            = static_cast<double>(totalS) * static_cast<double>(totalB) / static_cast<double>(totalS + totalB);
        const double pValue = kolmogorovSmirnovP(p.ksD, nEffective);
        for (Candidate& c : p.candidates) {
            c.tested = true;
            c.share.pValue = pValue;
        }
    }
}

/// The top `limit` values of a categorical key by combined count (ties by text), then "(other)" for the rest.
void topValues(const KeyCounts& k, size_t limit, PendingKey& p)
{
    std::vector<int> ids(k.values.size());
    std::iota(ids.begin(), ids.end(), 0);
    const auto byCount = [&](int a, int b) {
        const auto& x = k.values.counts(static_cast<size_t>(a));
        const auto& y = k.values.counts(static_cast<size_t>(b));
        const qint64 cx = x[0] + x[1];
        const qint64 cy = y[0] + y[1];
        return cx != cy ? cx > cy : k.values.text(static_cast<size_t>(a)) < k.values.text(static_cast<size_t>(b));
    };
    if (ids.size() > limit) {
        std::nth_element(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(limit), ids.end(), byCount);
        ids.resize(limit);
    }
    std::ranges::sort(ids, byCount);
    qint64 otherS = k.present[kSelection];
    qint64 otherB = k.present[kBaseline];
    for (int id : ids) {
        const auto& c = k.values.counts(static_cast<size_t>(id));
        otherS -= c[kSelection];
        otherB -= c[kBaseline];
        p.candidates.push_back({ makeShare(
            std::string(k.values.text(static_cast<size_t>(id))), c[kSelection], k.nS, c[kBaseline], k.nB) });
    }
    if (otherS + otherB > 0)
        p.candidates.push_back({ makeShare(kOther, otherS, k.nS, otherB, k.nB), false, true });
}

/// z-tests a value when the counts support a test. A value all spans have, or none, is no hypothesis (zero
/// variance) and stays untested.
void testValue(Candidate& c, qint64 nS, qint64 nB, qint64 minCount)
{
    const ValueShare& v = c.share;
    const bool degenerate = v.selection + v.baseline == 0 || v.selection + v.baseline == nS + nB;
    if (nS > 0 && nB > 0 && !degenerate && supported(v.selection, nS, v.baseline, nB, minCount)) {
        c.tested = true;
        c.share.pValue = twoProportionP(v.selection, nS, v.baseline, nB);
    }
}

/// Marks the tests that survive Benjamini–Hochberg at false discovery rate q (significance::benjaminiHochberg).
void benjaminiHochberg(std::vector<std::pair<double, bool*>>& tests, double q)
{
    std::vector<double> pValues;
    pValues.reserve(tests.size());
    for (const auto& [p, significant] : tests)
        pValues.push_back(p);
    const std::vector<bool> found = significance::benjaminiHochberg(pValues, q);
    for (size_t i = 0; i < tests.size(); ++i)
        *tests[i].second = found[i];
}

/// The key's score: the largest |Δ| among its significant values (for a numeric key's split, KS D). Returns the
/// index of the candidate giving it, or -1.
int score(PendingKey& p)
{
    AttributeDifference& d = p.difference;
    int top = -1;
    bool topOver = false;
    for (int i = 0; i < static_cast<int>(p.candidates.size()); ++i) {
        Candidate& c = p.candidates[static_cast<size_t>(i)];
        if (d.numeric && i == 1)
            c.share.significant = p.candidates[0].share.significant; // "> t" shares the test of "<= t"
        if (!c.share.significant || (d.numeric && i == 1))
            continue;
        const double gap = d.numeric && i == 0 ? p.ksD : std::abs(c.share.selectionShare - c.share.baselineShare);
        // Equal gaps (a key with two values has two) go to the value the selection has more of, then to the
        // smaller p: "78 % of the selection has 2.1.0", not "22 % has 2.0.0".
        const bool over = c.share.selectionShare > c.share.baselineShare;
        const bool better = top < 0 || gap > d.score + kSameGap
            || (gap > d.score - kSameGap && std::tuple(over, -c.share.pValue) > std::tuple(topOver, -d.pValue));
        if (better) {
            d.score = gap;
            d.pValue = c.share.pValue;
            top = i;
            topOver = over;
        }
    }
    return top;
}

/// The shown values of a categorical key: the first `shown` by selection share (the scoring one always among
/// them), the rest folded into one "(other)" unless that is a single value, which is then shown as itself.
/// Returns the index of the scoring candidate in `values`, or -1.
int foldValues(
    const std::vector<Candidate>& candidates, int top, int shown, qint64 nS, qint64 nB, std::vector<ValueShare>& values)
{
    std::vector<int> order;
    int tail = -1;
    for (int i = 0; i < static_cast<int>(candidates.size()); ++i) {
        if (candidates[static_cast<size_t>(i)].tail)
            tail = i;
        else
            order.push_back(i);
    }
    std::ranges::sort(order, [&](int a, int b) {
        const ValueShare& x = candidates[static_cast<size_t>(a)].share;
        const ValueShare& y = candidates[static_cast<size_t>(b)].share;
        return std::tie(y.selectionShare, y.baselineShare, x.value)
            < std::tie(x.selectionShare, x.baselineShare, y.value);
    });
    const size_t kept = std::min(order.size(), static_cast<size_t>(shown));
    if (const auto at = std::ranges::find(order, top);
        at != order.end() && static_cast<size_t>(at - order.begin()) >= kept) {
        // Moved up to the last shown place: the shown values stay sorted, since it has the smallest share of them.
        order.erase(at);
        order.insert(order.begin() + static_cast<std::ptrdiff_t>(kept) - 1, top);
    }
    std::vector<int> rest(order.begin() + static_cast<std::ptrdiff_t>(kept), order.end());
    order.resize(kept);
    if (tail >= 0)
        rest.push_back(tail);
    if (rest.size() == 1) {
        order.push_back(rest.front());
        rest.clear();
    }
    int topIndex = -1;
    for (int i : order) {
        if (i == top)
            topIndex = static_cast<int>(values.size());
        values.push_back(candidates[static_cast<size_t>(i)].share);
    }
    if (!rest.empty()) {
        qint64 cS = 0;
        qint64 cB = 0;
        for (int i : rest) {
            cS += candidates[static_cast<size_t>(i)].share.selection;
            cB += candidates[static_cast<size_t>(i)].share.baseline;
            if (i == top)
                topIndex = static_cast<int>(values.size());
        }
        ValueShare other = makeShare(kOther, cS, nS, cB, nB);
        other.pValue = twoProportionP(cS, nS, cB, nB); // shown, but not one of the tests: never significant
        values.push_back(std::move(other));
    }
    return topIndex;
}

/// The order of ComparisonResult::attributes (see there).
bool ranksBefore(const AttributeDifference& x, const AttributeDifference& y)
{
    if (x.demoted != y.demoted)
        return !x.demoted;
    if ((x.score > 0) != (y.score > 0))
        return x.score > 0;
    if (x.score != y.score)
        return x.score > y.score;
    if (x.pValue != y.pValue)
        return x.pValue < y.pValue;
    return x.key < y.key;
}

} // namespace

ComparisonResult AttributeComparison::result() const
{
    ComparisonResult result;
    const qint64 nS = m_spans[kSelection];
    const qint64 nB = m_spans[kBaseline];
    result.selectionSpans = nS;
    result.baselineSpans = nB;

    std::vector<PendingKey> pending;
    pending.reserve(m_keys.size());
    for (const KeyTally& t : m_keys) {
        const qint64 present = t.present[kSelection] + t.present[kBaseline];
        if (present == 0)
            continue; // a pseudo key no span had
        PendingKey& p = pending.emplace_back();
        AttributeDifference& d = p.difference;
        d.key = t.name;
        d.distinctValues = static_cast<qint64>(t.values.size());
        d.numeric
            = t.onlyNumbers && !t.overflowed && t.values.size() > static_cast<size_t>(m_options.numericDistinctValues);
        d.demoted = looksLikeId(t.name)
            || (!d.numeric && present > kHighCardinalitySpans
                && (t.overflowed || static_cast<double>(t.values.size()) > kHighCardinalityRatio * present));
        const KeyCounts counts { t.values, t.numbers, t.present, nS, nB };
        if (d.numeric)
            splitNumeric(counts, m_options.minCount, p);
        else
            topValues(counts, static_cast<size_t>(m_options.valuesPerAttribute), p);
        const qint64 missingS = nS - t.present[kSelection];
        const qint64 missingB = nB - t.present[kBaseline];
        if (missingS + missingB > 0)
            p.candidates.push_back({ makeShare(kMissing, missingS, nS, missingB, nB) });
        for (size_t i = d.numeric ? 2 : 0; i < p.candidates.size(); ++i)
            testValue(p.candidates[i], nS, nB, m_options.minCount);
    }

    // One pool for all keys' tests; the split bars of a numeric key share one KS test, which joins it once.
    std::vector<std::pair<double, bool*>> tests;
    for (PendingKey& p : pending) {
        for (size_t i = 0; i < p.candidates.size(); ++i) {
            Candidate& c = p.candidates[i];
            if (c.tested && !(p.difference.numeric && i == 1))
                tests.emplace_back(c.share.pValue, &c.share.significant);
        }
    }
    benjaminiHochberg(tests, m_options.falseDiscoveryRate);

    for (PendingKey& p : pending) {
        AttributeDifference& d = p.difference;
        const int top = score(p);
        if (d.numeric) {
            for (Candidate& c : p.candidates)
                d.values.push_back(std::move(c.share));
            d.topValue = top;
        } else {
            d.topValue = foldValues(p.candidates, top, m_options.shownValues, nS, nB, d.values);
        }
    }

    std::ranges::sort(pending, ranksBefore, &PendingKey::difference);
    result.attributes.reserve(pending.size());
    for (PendingKey& p : pending)
        result.attributes.push_back(std::move(p.difference));
    return result;
}

} // namespace tracemap
