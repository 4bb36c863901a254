#include "model/trace.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace tracemap {

const char* spanKindName(SpanKind kind)
{
    switch (kind) {
    case SpanKind::Unspecified:
        return "unspecified";
    case SpanKind::Internal:
        return "internal";
    case SpanKind::Server:
        return "server";
    case SpanKind::Client:
        return "client";
    case SpanKind::Producer:
        return "producer";
    case SpanKind::Consumer:
        return "consumer";
    }
    return "unspecified";
}

const char* statusCodeName(StatusCode code)
{
    switch (code) {
    case StatusCode::Unset:
        return "unset";
    case StatusCode::Ok:
        return "ok";
    case StatusCode::Error:
        return "error";
    }
    return "unset";
}

StrRef Trace::addText(std::string_view text)
{
    if (text.empty())
        return {};
    StrRef ref { static_cast<quint32>(payload.size()), static_cast<quint32>(text.size()) };
    payload.append(text);
    return ref;
}

// Spans whose source gave no start time (Zipkin late data) sit at 0; they would stretch the trace back to 1970.
qint64 Trace::startNs() const
{
    qint64 start = std::numeric_limits<qint64>::max();
    for (const Span& s : spans) {
        if (!(s.problems & MissingStart))
            start = std::min(start, s.startNs);
    }
    if (start == std::numeric_limits<qint64>::max())
        return spans.empty() ? 0 : spans.front().startNs;
    return start;
}

qint64 Trace::endNs() const
{
    qint64 end = std::numeric_limits<qint64>::min();
    for (const Span& s : spans) {
        if (!(s.problems & MissingStart))
            end = std::max(end, s.endNs());
    }
    if (end == std::numeric_limits<qint64>::min())
        return spans.empty() ? 0 : spans.front().endNs();
    return end;
}

size_t Trace::errorCount() const
{
    return std::count_if(spans.begin(), spans.end(), [](const Span& s) { return s.isError(); });
}

size_t Trace::serviceCount() const
{
    std::vector<bool> seen(strings.size());
    size_t count = 0;
    for (const Span& s : spans) {
        if (s.service != 0 && !seen[s.service]) {
            seen[s.service] = true;
            ++count;
        }
    }
    return count;
}

quint32 Trace::maxDepth() const
{
    quint32 depth = 0;
    for (const Span& s : spans)
        depth = std::max(depth, s.depth);
    return depth;
}

size_t Trace::structuralBytes() const
{
    return spans.capacity() * sizeof(Span) + attributes.capacity() * sizeof(Attribute)
        + events.capacity() * sizeof(Event) + links.capacity() * sizeof(Link) + resources.capacity() * sizeof(Resource)
        + scopes.capacity() * sizeof(Scope) + warnings.capacity() * sizeof(StrRef)
        + childIndex.capacity() * sizeof(quint32) + roots.capacity() * sizeof(quint32) + strings.memoryUsage()
        + sizeof(Trace);
}

namespace {

bool sameAttribute(const Attribute& a, const Attribute& b)
{
    if (a.key != b.key || a.type != b.type)
        return false;
    switch (a.type) {
    case ValueType::Empty:
        return true;
    case ValueType::Bool:
        return a.boolValue == b.boolValue;
    case ValueType::Int:
    case ValueType::Double:
        return std::memcmp(&a.intValue, &b.intValue, sizeof(qint64)) == 0;
    default:
        return a.ref == b.ref;
    }
}

bool sameSpan(const Span& a, const Span& b)
{
    return a.id == b.id && a.parentId == b.parentId && a.startNs == b.startNs && a.durationNs == b.durationNs
        && a.service == b.service && a.operation == b.operation && a.resource == b.resource && a.scope == b.scope
        && a.attributes == b.attributes && a.events == b.events && a.links == b.links && a.warnings == b.warnings
        && a.statusMessage == b.statusMessage && a.traceState == b.traceState && a.w3cFlags == b.w3cFlags
        && a.kind == b.kind && a.status == b.status && a.problems == b.problems && a.parent == b.parent
        && a.depth == b.depth && a.children == b.children;
}

} // namespace

bool Trace::operator==(const Trace& o) const
{
    auto eventEq = [](const Event& a, const Event& b) {
        return a.timeNs == b.timeNs && a.name == b.name && a.attributes == b.attributes;
    };
    auto linkEq = [](const Link& a, const Link& b) {
        return a.traceId == b.traceId && a.spanId == b.spanId && a.type == b.type && a.flags == b.flags
            && a.traceState == b.traceState && a.attributes == b.attributes;
    };
    auto scopeEq = [](const Scope& a, const Scope& b) {
        return a.name == b.name && a.version == b.version && a.attributes == b.attributes;
    };
    return id == o.id && strings == o.strings && payload == o.payload
        && std::equal(spans.begin(), spans.end(), o.spans.begin(), o.spans.end(), sameSpan)
        && std::equal(attributes.begin(), attributes.end(), o.attributes.begin(), o.attributes.end(), sameAttribute)
        && std::equal(events.begin(), events.end(), o.events.begin(), o.events.end(), eventEq)
        && std::equal(links.begin(), links.end(), o.links.begin(), o.links.end(), linkEq) && resources == o.resources
        && std::equal(scopes.begin(), scopes.end(), o.scopes.begin(), o.scopes.end(), scopeEq) && warnings == o.warnings
        && childIndex == o.childIndex && roots == o.roots;
}

} // namespace tracemap
