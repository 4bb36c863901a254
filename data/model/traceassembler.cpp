#include "model/traceassembler.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace tracemap {

namespace {

constexpr quint16 kDerivedProblems = OrphanSpan | DuplicateSpanId | CycleBroken | SelfParent | ClockSkew;
// Beyond this many spans sharing one id, pairwise comparison would be quadratic on hostile input.
constexpr size_t kMaxPairwiseGroup = 64;

quint64 mix64(quint64 x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

quint64 fnv1a(std::string_view text)
{
    quint64 h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

// (id, index) of every span, sorted by id then index: groups of equal ids are adjacent, and a binary search finds
// the first span with an id. Sorting a vector avoids a hash map's allocation per span on the hot path.
using IdIndex = std::vector<std::pair<SpanId, quint32>>;

IdIndex sortedIds(const std::vector<Span>& spans)
{
    IdIndex ids(spans.size());
    for (quint32 i = 0; i < spans.size(); ++i)
        ids[i] = { spans[i].id, i };
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool hasDuplicateIds(const IdIndex& ids)
{
    return std::adjacent_find(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.first == b.first; })
        != ids.end();
}

// Calls visit(id, members) for each id that more than one span has.
template <typename Visit> void forEachSharedId(const IdIndex& ids, Visit visit)
{
    std::vector<quint32> members;
    for (size_t i = 0; i < ids.size();) {
        size_t j = i + 1;
        while (j < ids.size() && ids[j].first == ids[i].first)
            ++j;
        if (j - i > 1) {
            members.clear();
            for (size_t k = i; k < j; ++k)
                members.push_back(ids[k].second);
            visit(ids[i].first, members);
        }
        i = j;
    }
}

bool isUnknownName(std::string_view name)
{
    return name.empty() || name == "unknown";
}

bool sameAttributes(const Trace& t, Range a, Range b)
{
    if (a.count != b.count)
        return false;
    for (quint32 i = 0; i < a.count; ++i) {
        const Attribute& x = t.attributes[a.begin + i];
        const Attribute& y = t.attributes[b.begin + i];
        if (x.key != y.key || x.type != y.type)
            return false;
        const bool hasText = x.type == ValueType::String || x.type == ValueType::Bytes || x.type == ValueType::Array
            || x.type == ValueType::KeyValueList;
        if (hasText ? t.text(x.ref) != t.text(y.ref) : x.intValue != y.intValue)
            return false;
    }
    return true;
}

// The same span twice (a file imported again, a batch re-sent): every field a source writes is equal.
bool identical(const Trace& t, const Span& a, const Span& b)
{
    // A time the source did not give is not part of the span: the assembler may have placed it (see
    // placeTimelessSpans), differently in a trace assembled from fewer pieces.
    const bool sameStart = a.startNs == b.startNs || (a.problems & b.problems & MissingStart);
    const bool sameDuration = a.durationNs == b.durationNs || (a.problems & b.problems & MissingDuration);
    return a.id == b.id && a.parentId == b.parentId && sameStart && sameDuration && a.service == b.service
        && a.operation == b.operation && a.kind == b.kind && a.status == b.status && a.events.count == b.events.count
        && a.links.count == b.links.count && t.text(a.statusMessage) == t.text(b.statusMessage)
        && sameAttributes(t, a.attributes, b.attributes);
}

// Zipkin reports one span in pieces (late data, one piece with the timestamp, another with the duration).
bool piecesOfOneSpan(const Trace& t, const Span& a, const Span& b)
{
    const bool kindsFit = a.kind == b.kind || a.kind == SpanKind::Unspecified || b.kind == SpanKind::Unspecified;
    const bool servicesFit = a.service == b.service || a.service == 0 || b.service == 0;
    const bool namesFit
        = a.operation == b.operation || isUnknownName(t.string(a.operation)) || isUnknownName(t.string(b.operation));
    const bool startsFit = a.startNs == b.startNs || (a.problems & MissingStart) || (b.problems & MissingStart);
    const bool durationsFit
        = a.durationNs == b.durationNs || (a.problems & MissingDuration) || (b.problems & MissingDuration);
    return kindsFit && servicesFit && namesFit && startsFit && durationsFit;
}

Range concatenated(std::vector<Attribute>& attributes, Range a, Range b, bool skipKnownKeys)
{
    Range out { static_cast<quint32>(attributes.size()), 0 };
    for (quint32 i = a.begin; i < a.end(); ++i)
        attributes.push_back(attributes[i]);
    for (quint32 i = b.begin; i < b.end(); ++i) {
        const Attribute candidate = attributes[i];
        const bool known = skipKnownKeys
            && std::any_of(attributes.begin() + out.begin, attributes.end(),
                [&](const Attribute& x) { return x.key == candidate.key; });
        if (!known)
            attributes.push_back(candidate);
    }
    out.count = static_cast<quint32>(attributes.size()) - out.begin;
    return out;
}

template <typename T> Range concatenatedItems(std::vector<T>& items, Range a, Range b)
{
    Range out { static_cast<quint32>(items.size()), a.count + b.count };
    for (quint32 i = a.begin; i < a.end(); ++i)
        items.push_back(items[i]);
    for (quint32 i = b.begin; i < b.end(); ++i)
        items.push_back(items[i]);
    return out;
}

void mergePiece(Trace& t, Span& into, const Span& piece)
{
    if ((into.problems & MissingStart) && !(piece.problems & MissingStart)) {
        into.startNs = piece.startNs;
        into.problems &= ~MissingStart;
    }
    if ((into.problems & MissingDuration) && !(piece.problems & MissingDuration)) {
        into.durationNs = piece.durationNs;
        into.problems &= ~MissingDuration;
    }
    if (into.service == 0)
        into.service = piece.service;
    if (isUnknownName(t.string(into.operation)))
        into.operation = piece.operation;
    if (into.kind == SpanKind::Unspecified)
        into.kind = piece.kind;
    if (into.parentId == 0)
        into.parentId = piece.parentId;
    if (into.resource == kNoIndex)
        into.resource = piece.resource;
    if (into.scope == kNoIndex)
        into.scope = piece.scope;
    if (piece.status == StatusCode::Error || into.status == StatusCode::Unset) {
        into.status = piece.status;
        if (piece.statusMessage.size)
            into.statusMessage = piece.statusMessage;
    }
    if (piece.attributes.count)
        into.attributes = concatenated(t.attributes, into.attributes, piece.attributes, true);
    if (piece.events.count) {
        into.events = concatenatedItems(t.events, into.events, piece.events);
        std::sort(t.events.begin() + into.events.begin, t.events.begin() + into.events.end(),
            [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
    }
    if (piece.links.count)
        into.links = concatenatedItems(t.links, into.links, piece.links);
    if (piece.warnings.count)
        into.warnings = concatenatedItems(t.warnings, into.warnings, piece.warnings);
}

template <typename T> void removeMarked(std::vector<T>& items, const std::vector<bool>& removed)
{
    size_t out = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        if (!removed[i])
            items[out++] = items[i];
    }
    items.resize(out);
}

} // namespace

SpanId TraceAssembler::serverHalfId(SpanId sharedId, std::string_view serverService)
{
    const SpanId id = mix64(sharedId ^ fnv1a(serverService) ^ 0x5e4e4a1f5e4e4a1full);
    return id == 0 ? 1 : id;
}

void TraceAssembler::splitSharedServerHalves(Trace& t)
{
    std::unordered_map<SpanId, std::vector<std::pair<SpanId, quint32>>> moved; // old id -> (new id, server service)
    // Server halves split by an earlier assemble(): children of the shared id appended since then (the rest of the
    // trace from a later batch or file) must follow them as if all spans had come at once.
    for (const Span& s : t.spans) {
        if ((s.problems & SharedServerHalf) && s.parentId != 0) {
            auto& halves = moved[s.parentId];
            if (std::find(halves.begin(), halves.end(), std::pair<SpanId, quint32>(s.id, s.service)) == halves.end())
                halves.emplace_back(s.id, s.service);
        }
    }
    const IdIndex ids = sortedIds(t.spans);
    if (!hasDuplicateIds(ids) && moved.empty())
        return;
    forEachSharedId(ids, [&](SpanId id, const std::vector<quint32>& members) {
        const auto client = std::find_if(
            members.begin(), members.end(), [&](quint32 i) { return t.spans[i].kind == SpanKind::Client; });
        if (client == members.end())
            return;
        const SpanId clientId = t.spans[*client].id;
        for (quint32 i : members) {
            Span& s = t.spans[i];
            if (s.kind != SpanKind::Server)
                continue;
            const SpanId newId = serverHalfId(id, t.string(s.service));
            auto& halves = moved[id];
            if (std::find(halves.begin(), halves.end(), std::pair<SpanId, quint32>(newId, s.service)) == halves.end())
                halves.emplace_back(newId, s.service);
            s.id = newId;
            s.parentId = clientId;
            s.problems |= SharedServerHalf;
        }
    });
    if (moved.empty())
        return;
    // Children of the shared id belong to the server side when they ran in the server's service (Zipkin keys
    // shared spans by id and endpoint); when client and server are the same service, they follow the server
    // (Jaeger's DeduplicateClientServerSpanIDs moves them all).
    for (Span& s : t.spans) {
        const auto it = moved.find(s.parentId);
        if (it == moved.end() || (s.problems & SharedServerHalf))
            continue;
        for (const auto& [newId, serverService] : it->second) {
            if (s.service == serverService || it->second.size() == 1) {
                if (s.id != newId)
                    s.parentId = newId;
                break;
            }
        }
    }
}

bool TraceAssembler::mergeSameIdSpans(Trace& t)
{
    const IdIndex ids = sortedIds(t.spans);
    if (!hasDuplicateIds(ids))
        return false;
    std::vector<bool> removed(t.spans.size(), false);
    bool anyRemoved = false;
    forEachSharedId(ids, [&](SpanId, const std::vector<quint32>& group) {
        // In start order (ties by position), so the member kept and the members flagged are the same when the
        // assembled (sorted) trace is assembled again: assemble() must be idempotent. Timeless members come first,
        // where their missing (zero) start put them before placeTimelessSpans gave them one.
        std::vector<quint32> members = group;
        std::stable_sort(members.begin(), members.end(), [&](quint32 a, quint32 b) {
            const bool aTimeless = t.spans[a].problems & MissingStart;
            const bool bTimeless = t.spans[b].problems & MissingStart;
            if (aTimeless != bTimeless)
                return aTimeless;
            return t.spans[a].startNs < t.spans[b].startNs;
        });
        if (members.size() > kMaxPairwiseGroup) {
            for (size_t k = 1; k < members.size(); ++k)
                t.spans[members[k]].problems |= DuplicateSpanId;
            return;
        }
        for (size_t bi = 1; bi < members.size(); ++bi) {
            Span& b = t.spans[members[bi]];
            for (size_t ai = 0; ai < bi; ++ai) {
                if (removed[members[ai]])
                    continue;
                Span& a = t.spans[members[ai]];
                if (identical(t, a, b)) {
                    removed[members[bi]] = anyRemoved = true;
                    break;
                }
                if (piecesOfOneSpan(t, a, b)) {
                    mergePiece(t, a, b);
                    removed[members[bi]] = anyRemoved = true;
                    break;
                }
            }
            if (!removed[members[bi]])
                b.problems |= DuplicateSpanId;
        }
    });
    if (anyRemoved)
        removeMarked(t.spans, removed);
    return anyRemoved;
}

bool TraceAssembler::looksSkewed(const Span& s, const Span& p)
{
    // Within one service it is just async work.
    constexpr quint16 kTimeUnknown = MissingStart | MissingDuration;
    if (p.service == s.service || (s.problems & kTimeUnknown) || (p.problems & kTimeUnknown))
        return false;
    const bool messaging = s.kind == SpanKind::Consumer || p.kind == SpanKind::Producer;
    return s.startNs < p.startNs || (!messaging && s.endNs() > p.endNs());
}

bool TraceAssembler::startsBefore(const Span& a, const Span& b)
{
    const bool aTimeless = a.problems & MissingStart;
    const bool bTimeless = b.problems & MissingStart;
    return std::tie(a.startNs, aTimeless, a.id, a.kind) < std::tie(b.startNs, bTimeless, b.id, b.kind);
}

void TraceAssembler::sortByStart(Trace& t)
{
    if (std::is_sorted(t.spans.begin(), t.spans.end(), startsBefore))
        return;
    std::stable_sort(t.spans.begin(), t.spans.end(), startsBefore);
}

void TraceAssembler::linkParents(Trace& t)
{
    const auto n = static_cast<quint32>(t.spans.size());
    const IdIndex ids = sortedIds(t.spans);

    for (quint32 i = 0; i < n; ++i) {
        Span& s = t.spans[i];
        s.parent = kNoIndex;
        if (s.parentId == 0)
            continue;
        if (s.parentId == s.id) {
            s.problems |= SelfParent;
            continue;
        }
        const auto it = std::lower_bound(ids.begin(), ids.end(), std::pair<SpanId, quint32>(s.parentId, 0));
        if (it == ids.end() || it->first != s.parentId || it->second == i)
            s.problems |= OrphanSpan;
        else
            s.parent = it->second;
    }

    // Depths by walking up to a span whose depth is known. A walk that meets itself is a cycle: the cycle's
    // earliest span loses its parent, and the walk starts again (each span is walked at most twice).
    enum : quint8 { Unvisited, OnPath, Done };
    std::vector<quint8> state(n, Unvisited);
    std::vector<quint32> path;
    for (quint32 start = 0; start < n; ++start) {
        if (state[start] == Done)
            continue;
        for (;;) {
            path.clear();
            quint32 j = start;
            while (j != kNoIndex && state[j] == Unvisited) {
                state[j] = OnPath;
                path.push_back(j);
                j = t.spans[j].parent;
            }
            if (j != kNoIndex && state[j] == OnPath) {
                const auto cycleBegin = std::find(path.begin(), path.end(), j);
                const quint32 earliest = *std::min_element(cycleBegin, path.end());
                t.spans[earliest].parent = kNoIndex;
                t.spans[earliest].problems |= CycleBroken;
                for (quint32 p : path)
                    state[p] = Unvisited;
                continue;
            }
            for (auto it = path.rbegin(); it != path.rend(); ++it) {
                Span& s = t.spans[*it];
                s.depth = s.parent == kNoIndex ? 0 : t.spans[s.parent].depth + 1;
                state[*it] = Done;
            }
            break;
        }
    }

    for (Span& s : t.spans) {
        if (s.parent != kNoIndex && looksSkewed(s, t.spans[s.parent]))
            s.problems |= ClockSkew;
    }

    // Children as index ranges, by a counting sort on the parent; spans are already in start order.
    std::vector<quint32> counts(n + 1, 0);
    for (const Span& s : t.spans) {
        if (s.parent != kNoIndex)
            ++counts[s.parent];
    }
    quint32 offset = 0;
    for (quint32 i = 0; i < n; ++i) {
        t.spans[i].children = { offset, counts[i] };
        offset += counts[i];
        counts[i] = t.spans[i].children.begin;
    }
    t.childIndex.assign(offset, 0);
    t.roots.clear();
    for (quint32 i = 0; i < n; ++i) {
        const quint32 parent = t.spans[i].parent;
        if (parent == kNoIndex)
            t.roots.push_back(i);
        else
            t.childIndex[counts[parent]++] = i;
    }
}

// A span the source gave no start time (a Zipkin span without timestamp, OTLP without startTimeUnixNano) would sit
// at 1970 and stretch its trace over decades. It is placed at its parent's start, a root at the trace's earliest
// known start; the MissingStart flag stays, so the details say the time is not the source's. Parents are placed
// before their children (by depth), so a chain of timeless spans follows its first timed ancestor.
static bool placeTimelessSpans(Trace& t)
{
    std::vector<quint32> timeless;
    for (quint32 i = 0; i < t.spans.size(); ++i) {
        if (t.spans[i].problems & MissingStart)
            timeless.push_back(i);
    }
    if (timeless.empty() || timeless.size() == t.spans.size())
        return false; // nothing to place, or nothing to place it by
    const qint64 earliest = t.startNs(); // skips timeless spans
    std::stable_sort(
        timeless.begin(), timeless.end(), [&t](quint32 a, quint32 b) { return t.spans[a].depth < t.spans[b].depth; });
    bool moved = false;
    for (const quint32 i : timeless) {
        Span& s = t.spans[i];
        const qint64 start = s.parent == kNoIndex ? earliest : t.spans[s.parent].startNs;
        moved = moved || s.startNs != start;
        s.startNs = start;
    }
    return moved;
}

void TraceAssembler::assemble(Trace& t)
{
    for (Span& s : t.spans)
        s.problems &= ~kDerivedProblems;
    splitSharedServerHalves(t);
    const bool dropped = mergeSameIdSpans(t);
    sortByStart(t);
    linkParents(t);
    if (placeTimelessSpans(t)) {
        sortByStart(t);
        linkParents(t);
    }
    // Dropped duplicates and merged pieces leave records nothing points to; a compact copy keeps a trace that is
    // merged again and again (re-imports, live ingest) from growing.
    if (dropped)
        t = compacted(t);
}

Trace TraceAssembler::compacted(const Trace& t)
{
    Trace out;
    out.id = t.id;
    std::vector<StringId> strings(t.strings.size(), kNoIndex);
    auto string = [&](StringId id) {
        if (strings[id] == kNoIndex)
            strings[id] = out.strings.intern(t.strings.at(id));
        return strings[id];
    };
    auto text = [&](StrRef ref) { return out.addText(t.text(ref)); };
    auto attributes = [&](Range range) {
        Range copy { static_cast<quint32>(out.attributes.size()), range.count };
        for (quint32 i = range.begin; i < range.end(); ++i) {
            Attribute a = t.attributes[i];
            a.key = string(a.key);
            if (a.type == ValueType::String || a.type == ValueType::Bytes || a.type == ValueType::Array
                || a.type == ValueType::KeyValueList)
                a.ref = text(a.ref);
            out.attributes.push_back(a);
        }
        return copy;
    };
    std::vector<quint32> resources(t.resources.size(), kNoIndex);
    std::vector<quint32> scopes(t.scopes.size(), kNoIndex);
    out.spans.reserve(t.spans.size());
    for (Span s : t.spans) {
        s.service = string(s.service);
        s.operation = string(s.operation);
        if (s.resource != kNoIndex) {
            if (resources[s.resource] == kNoIndex) {
                resources[s.resource] = static_cast<quint32>(out.resources.size());
                out.resources.push_back(Resource { attributes(t.resources[s.resource].attributes) });
            }
            s.resource = resources[s.resource];
        }
        if (s.scope != kNoIndex) {
            if (scopes[s.scope] == kNoIndex) {
                const Scope& from = t.scopes[s.scope];
                scopes[s.scope] = static_cast<quint32>(out.scopes.size());
                Scope scope;
                scope.name = string(from.name);
                scope.version = text(from.version);
                scope.attributes = attributes(from.attributes);
                out.scopes.push_back(scope);
            }
            s.scope = scopes[s.scope];
        }
        s.attributes = attributes(s.attributes);
        const Range events = s.events;
        s.events = { static_cast<quint32>(out.events.size()), events.count };
        for (quint32 i = events.begin; i < events.end(); ++i) {
            Event e = t.events[i];
            e.name = string(e.name);
            out.events.push_back(e);
        }
        for (quint32 i = 0; i < events.count; ++i)
            out.events[s.events.begin + i].attributes = attributes(t.events[events.begin + i].attributes);
        const Range links = s.links;
        s.links = { static_cast<quint32>(out.links.size()), links.count };
        for (quint32 i = links.begin; i < links.end(); ++i) {
            Link l = t.links[i];
            l.traceState = text(l.traceState);
            out.links.push_back(l);
        }
        for (quint32 i = 0; i < links.count; ++i)
            out.links[s.links.begin + i].attributes = attributes(t.links[links.begin + i].attributes);
        const Range warnings = s.warnings;
        s.warnings = { static_cast<quint32>(out.warnings.size()), warnings.count };
        for (quint32 i = warnings.begin; i < warnings.end(); ++i)
            out.warnings.push_back(text(t.warnings[i]));
        s.statusMessage = text(s.statusMessage);
        s.traceState = text(s.traceState);
        out.spans.push_back(s);
    }
    out.childIndex = t.childIndex;
    out.roots = t.roots;
    return out;
}

bool TraceAssembler::sameContent(const Trace& a, const Trace& b)
{
    if (a.id != b.id || a.spans.size() != b.spans.size())
        return false;
    return compacted(a) == compacted(b);
}

void TraceAssembler::append(Trace& into, const Trace& from)
{
    std::vector<StringId> strings(from.strings.size());
    for (StringId i = 0; i < from.strings.size(); ++i)
        strings[i] = into.strings.intern(from.strings.at(i));
    auto text = [&](StrRef ref) { return into.addText(from.text(ref)); };
    const auto attributeBase = static_cast<quint32>(into.attributes.size());
    for (Attribute a : from.attributes) {
        a.key = strings[a.key];
        if (a.type == ValueType::String || a.type == ValueType::Bytes || a.type == ValueType::Array
            || a.type == ValueType::KeyValueList)
            a.ref = text(a.ref);
        into.attributes.push_back(a);
    }
    auto rebase = [](Range r, quint32 base) { return Range { r.begin + base, r.count }; };
    const auto eventBase = static_cast<quint32>(into.events.size());
    for (Event e : from.events) {
        e.name = strings[e.name];
        e.attributes = rebase(e.attributes, attributeBase);
        into.events.push_back(e);
    }
    const auto linkBase = static_cast<quint32>(into.links.size());
    for (Link l : from.links) {
        l.traceState = text(l.traceState);
        l.attributes = rebase(l.attributes, attributeBase);
        into.links.push_back(l);
    }
    const auto resourceBase = static_cast<quint32>(into.resources.size());
    for (Resource r : from.resources) {
        r.attributes = rebase(r.attributes, attributeBase);
        into.resources.push_back(r);
    }
    const auto scopeBase = static_cast<quint32>(into.scopes.size());
    for (Scope s : from.scopes) {
        s.name = strings[s.name];
        s.version = text(s.version);
        s.attributes = rebase(s.attributes, attributeBase);
        into.scopes.push_back(s);
    }
    const auto warningBase = static_cast<quint32>(into.warnings.size());
    for (StrRef w : from.warnings)
        into.warnings.push_back(text(w));
    for (Span s : from.spans) {
        s.service = strings[s.service];
        s.operation = strings[s.operation];
        if (s.resource != kNoIndex)
            s.resource += resourceBase;
        if (s.scope != kNoIndex)
            s.scope += scopeBase;
        s.attributes = rebase(s.attributes, attributeBase);
        s.events = rebase(s.events, eventBase);
        s.links = rebase(s.links, linkBase);
        s.warnings = rebase(s.warnings, warningBase);
        s.statusMessage = text(s.statusMessage);
        s.traceState = text(s.traceState);
        into.spans.push_back(s);
    }
}

} // namespace tracemap
