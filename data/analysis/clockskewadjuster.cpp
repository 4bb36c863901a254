#include "analysis/clockskewadjuster.h"

#include "model/traceassembler.h"

#include "model/tracequery.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace tracemap {

namespace {

constexpr quint16 kTimeUnknown = MissingStart | MissingDuration;

std::string_view resourceString(const Trace& trace, quint32 resource, std::string_view key)
{
    if (resource == kNoIndex || resource >= trace.resources.size())
        return {};
    const Range range = trace.resources[resource].attributes;
    for (quint32 i = range.begin; i < range.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        if (a.type == ValueType::String && trace.string(a.key) == key)
            return trace.text(a.ref);
    }
    return {};
}

// Times read from a file may lie anywhere in qint64, so the differences and shifts below are taken in 128 bits and
// a shift that would move a time out of qint64 is not made (found by the fuzz targets: undefined behaviour).
using Wide = __int128;

bool fitsQint64(Wide v)
{
    return v >= std::numeric_limits<qint64>::min() && v <= std::numeric_limits<qint64>::max();
}

qint64 saturated(Wide v)
{
    return v < std::numeric_limits<qint64>::min() ? std::numeric_limits<qint64>::min()
        : v > std::numeric_limits<qint64>::max()  ? std::numeric_limits<qint64>::max()
                                                  : qint64(v);
}

// Jaeger's calculateSkew: the shift that puts the child inside its (already adjusted) parent.
Wide skewDelta(Wide parentStart, Wide parentDuration, Wide childStart, Wide childDuration)
{
    if (childDuration > parentDuration)
        return childStart < parentStart ? parentStart - childStart : 0;
    if (childStart >= parentStart && childStart + childDuration <= parentStart + parentDuration)
        return 0;
    const Wide latency = (parentDuration - childDuration) / 2;
    return parentStart + latency - childStart;
}

// The shift itself when moving the span and its events by it keeps every time, and the span's end, in qint64; else 0.
// (Not qint64's minimum either: the warning text negates the shift.)
qint64 possibleShift(const Trace& trace, const Span& s, Wide delta)
{
    if (!fitsQint64(delta) || delta == std::numeric_limits<qint64>::min() || !fitsQint64(s.startNs + delta)
        || !fitsQint64(s.startNs + delta + s.durationNs))
        return 0;
    for (quint32 e = s.events.begin; e < s.events.end(); ++e) {
        if (!fitsQint64(trace.events[e].timeNs + delta))
            return 0;
    }
    return qint64(delta);
}

std::string deltaText(qint64 delta)
{
    const QString text = QStringLiteral("clock skew adjusted by %1%2 (%3 ns)")
                             .arg(delta < 0 ? QLatin1Char('-') : QLatin1Char('+'))
                             .arg(formatDuration(delta < 0 ? -delta : delta))
                             .arg(delta);
    return text.toStdString();
}

} // namespace

namespace {

std::string resourceHostKey(const Trace& trace, quint32 resource)
{
    for (std::string_view key :
        { std::string_view("host.id"), std::string_view("host.ip"), std::string_view("host.name") }) {
        const std::string_view value = resourceString(trace, resource, key);
        if (!value.empty())
            return std::string(key) + '=' + std::string(value);
    }
    return {};
}

} // namespace

std::string ClockSkewAdjuster::hostKey(const Trace& trace, const Span& span)
{
    std::string key = resourceHostKey(trace, span.resource);
    if (key.empty())
        key = "service=" + std::string(trace.serviceName(span));
    return key;
}

std::vector<quint32> ClockSkewAdjuster::hostKeys(const Trace& trace)
{
    // Each resource and each service is looked at once.
    std::unordered_map<std::string, quint32> ids;
    auto idOf = [&](std::string key) { return ids.try_emplace(std::move(key), quint32(ids.size())).first->second; };
    std::vector<quint32> byResource(trace.resources.size(), kNoIndex);
    for (quint32 r = 0; r < trace.resources.size(); ++r) {
        if (std::string key = resourceHostKey(trace, r); !key.empty())
            byResource[r] = idOf(std::move(key));
    }
    std::unordered_map<StringId, quint32> byService;
    std::vector<quint32> out(trace.spans.size());
    for (size_t i = 0; i < trace.spans.size(); ++i) {
        const Span& s = trace.spans[i];
        if (s.resource < byResource.size() && byResource[s.resource] != kNoIndex) {
            out[i] = byResource[s.resource];
            continue;
        }
        auto it = byService.find(s.service);
        if (it == byService.end())
            it = byService.emplace(s.service, idOf("service=" + std::string(trace.serviceName(s)))).first;
        out[i] = it->second;
    }
    return out;
}

std::vector<ClockSkewAdjuster::Finding> ClockSkewAdjuster::detect(const Trace& trace)
{
    const std::vector<quint32> keys = hostKeys(trace);
    std::vector<Finding> out;
    for (quint32 i = 0; i < trace.spans.size(); ++i) {
        const Span& s = trace.spans[i];
        if (s.parent == kNoIndex)
            continue;
        const Span& p = trace.spans[s.parent];
        if (keys[i] == keys[s.parent] || (s.problems & kTimeUnknown) || (p.problems & kTimeUnknown))
            continue;
        if (s.startNs < p.startNs || s.endNs() > p.endNs())
            out.push_back({ i, s.parent, std::max<qint64>(0, saturated(Wide(p.startNs) - s.startNs)),
                std::max<qint64>(0, saturated(Wide(s.endNs()) - p.endNs())) });
    }
    return out;
}

ClockSkewAdjuster::Adjustment ClockSkewAdjuster::adjust(const Trace& input)
{
    Adjustment result;
    const size_t n = input.spans.size();
    const std::vector<quint32> keys = hostKeys(input);
    std::vector<qint64> delta(n, 0);
    std::vector<quint32> skewHost(n, kNoIndex); // the host whose delta a span carries

    std::vector<quint32> stack(input.roots.rbegin(), input.roots.rend());
    while (!stack.empty()) {
        const quint32 i = stack.back();
        stack.pop_back();
        const Span& s = input.spans[i];
        if (s.parent == kNoIndex) {
            skewHost[i] = keys[i];
        } else if (keys[i] == skewHost[s.parent]) {
            skewHost[i] = skewHost[s.parent];
            delta[i] = possibleShift(input, s, delta[s.parent]);
        } else {
            const Span& p = input.spans[s.parent];
            skewHost[i] = keys[i];
            if (!(s.problems & kTimeUnknown) && !(p.problems & kTimeUnknown))
                delta[i] = possibleShift(
                    input, s, skewDelta(Wide(p.startNs) + delta[s.parent], p.durationNs, s.startNs, s.durationNs));
        }
        for (quint32 k = s.children.end(); k > s.children.begin; --k)
            stack.push_back(input.childIndex[k - 1]);
    }

    Trace t = input;
    for (size_t i = 0; i < n; ++i) {
        if (delta[i] == 0)
            continue;
        ++result.adjustedSpans;
        Span& s = t.spans[i];
        s.startNs += delta[i];
        for (quint32 e = s.events.begin; e < s.events.end(); ++e)
            t.events[e].timeNs += delta[i];
        // The span's warnings move to the end of the array so one more fits after them.
        const Range old = s.warnings;
        const StrRef added = t.addText(deltaText(delta[i]));
        s.warnings = { quint32(t.warnings.size()), old.count + 1 };
        for (quint32 w = old.begin; w < old.end(); ++w)
            t.warnings.push_back(t.warnings[w]);
        t.warnings.push_back(added);
    }
    // The flag means what TraceAssembler means by it, now measured on the adjusted times.
    for (Span& s : t.spans) {
        s.problems &= ~quint16(SpanProblem::ClockSkew);
        if (s.parent != kNoIndex && TraceAssembler::looksSkewed(s, t.spans[s.parent]))
            s.problems |= SpanProblem::ClockSkew;
    }

    // Keep the trace invariants: spans in start order (stable), children and roots in index order.
    std::vector<quint32> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
        [&](quint32 a, quint32 b) { return TraceAssembler::startsBefore(t.spans[a], t.spans[b]); });
    std::vector<quint32> newIndex(n);
    for (quint32 k = 0; k < n; ++k)
        newIndex[order[k]] = k;
    std::vector<Span> spans(n);
    result.deltaNs.resize(n);
    for (quint32 k = 0; k < n; ++k) {
        spans[k] = t.spans[order[k]];
        if (spans[k].parent != kNoIndex)
            spans[k].parent = newIndex[spans[k].parent];
        result.deltaNs[k] = delta[order[k]];
    }
    t.spans = std::move(spans);
    for (quint32& c : t.childIndex)
        c = newIndex[c];
    for (const Span& s : t.spans)
        std::sort(t.childIndex.begin() + s.children.begin, t.childIndex.begin() + s.children.end());
    for (quint32& r : t.roots)
        r = newIndex[r];
    std::sort(t.roots.begin(), t.roots.end());
    result.trace = std::move(t);
    return result;
}

} // namespace tracemap
