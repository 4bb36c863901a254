#include "cache/tracecodec.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace tracemap {

namespace {

constexpr char kMagic[4] = { 'T', 'M', 'T', 'R' };

// Records are written as their bytes, so none may hold padding: its bytes are whatever was in memory, and the same
// trace would then give a different blob each time (and leak that memory into the file). Every model record
// declares its padding as a zeroed member; Attribute's union with a double defeats the standard trait, so it is
// checked by size.
template <typename T> constexpr bool withoutPadding()
{
    if constexpr (std::is_same_v<T, Attribute>)
        return sizeof(Attribute) == sizeof(StringId) + sizeof(ValueType) + sizeof(Attribute::reserved) + sizeof(qint64);
    else
        return std::has_unique_object_representations_v<T>;
}

class Writer {
public:
    explicit Writer(std::string& out)
        : m_out(out)
    {
    }
    template <typename T> void value(const T& v)
    {
        static_assert(std::is_trivially_copyable_v<T> && withoutPadding<T>());
        m_out.append(reinterpret_cast<const char*>(&v), sizeof(T));
    }
    template <typename T> void array(const std::vector<T>& items)
    {
        static_assert(std::is_trivially_copyable_v<T> && withoutPadding<T>());
        value(static_cast<quint64>(items.size()));
        m_out.append(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(T));
    }
    void text(std::string_view s)
    {
        value(static_cast<quint64>(s.size()));
        m_out.append(s);
    }

private:
    std::string& m_out;
};

// Reads the encoded form from a ByteSource, which may be a decompressor: arrays are filled in place, so a large
// trace is never held twice. `remaining` (the declared total) bounds every count, and containers grow only as
// their bytes arrive.
class Reader {
public:
    Reader(const TraceCodec::ByteSource& source, quint64 totalBytes)
        : m_source(source)
        , m_remaining(totalBytes)
    {
    }
    bool bytes(char* out, quint64 size)
    {
        if (size > m_remaining || !m_source(out, size_t(size)))
            return false;
        m_remaining -= size;
        return true;
    }
    template <typename T> bool value(T& v)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        return bytes(reinterpret_cast<char*>(&v), sizeof(T));
    }
    template <typename T> bool array(std::vector<T>& items)
    {
        quint64 count = 0;
        if (!value(count) || count > m_remaining / sizeof(T))
            return false;
        return fill(items, count);
    }
    bool text(std::string& s)
    {
        quint64 size = 0;
        if (!value(size) || size > m_remaining)
            return false;
        return fill(s, size);
    }
    bool atEnd() const { return m_remaining == 0; }

private:
    // Grows the container as its bytes arrive, a step at a time, so a damaged count in a frame that declares a huge
    // size cannot allocate (and zero) more than a step beyond the data really there.
    template <typename Container> bool fill(Container& items, quint64 count)
    {
        using T = typename Container::value_type;
        static_assert(std::is_trivially_copyable_v<T>);
        constexpr quint64 kStep = std::max<quint64>(1, kStepBytes / sizeof(T));
        items.clear();
        while (items.size() < count) {
            const size_t before = items.size();
            const size_t after = size_t(std::min<quint64>(count, before + kStep));
            items.resize(after);
            if (!bytes(reinterpret_cast<char*>(items.data() + before), (after - before) * sizeof(T)))
                return false;
        }
        return true;
    }

    static constexpr quint64 kStepBytes = 256u << 20;
    const TraceCodec::ByteSource& m_source;
    quint64 m_remaining;
};

} // namespace

std::string TraceCodec::encode(const Trace& t)
{
    std::string out;
    out.reserve(64 + t.spans.size() * sizeof(Span) + t.attributes.size() * sizeof(Attribute) + t.payload.size());
    Writer w(out);
    out.append(kMagic, 4);
    w.value(kVersion);
    w.value(t.id);
    w.value(static_cast<quint64>(t.strings.size()));
    for (StringId i = 0; i < t.strings.size(); ++i)
        w.text(t.strings.at(i));
    w.array(t.spans);
    w.array(t.attributes);
    w.array(t.events);
    w.array(t.links);
    w.array(t.resources);
    w.array(t.scopes);
    w.array(t.warnings);
    w.array(t.childIndex);
    w.array(t.roots);
    w.text(t.payload);
    return out;
}

std::optional<Trace> TraceCodec::decode(std::string_view bytes)
{
    const ByteSource source = [&bytes](char* out, size_t size) {
        if (size > bytes.size())
            return false;
        std::memcpy(out, bytes.data(), size);
        bytes.remove_prefix(size);
        return true;
    };
    return decode(source, bytes.size());
}

std::optional<Trace> TraceCodec::decode(const ByteSource& source, quint64 totalBytes)
{
    Reader r(source, totalBytes);
    char magic[4] = {};
    quint32 version = 0;
    if (!r.bytes(magic, 4) || std::memcmp(magic, kMagic, 4) != 0 || !r.value(version) || version != kVersion)
        return std::nullopt;
    Trace t;
    quint64 stringCount = 0;
    if (!r.value(t.id) || !r.value(stringCount) || stringCount == 0 || stringCount > totalBytes)
        return std::nullopt;
    std::string s;
    for (quint64 i = 0; i < stringCount; ++i) {
        if (!r.text(s))
            return std::nullopt;
        if (i == 0 ? !s.empty() : t.strings.intern(s) != i)
            return std::nullopt; // duplicate strings would break id equality
    }
    if (!r.array(t.spans) || !r.array(t.attributes) || !r.array(t.events) || !r.array(t.links) || !r.array(t.resources)
        || !r.array(t.scopes) || !r.array(t.warnings) || !r.array(t.childIndex) || !r.array(t.roots)
        || !r.text(t.payload) || !r.atEnd())
        return std::nullopt;
    if (!isConsistent(t))
        return std::nullopt;
    return t;
}

bool TraceCodec::isConsistent(const Trace& t)
{
    const auto inside = [](Range r, size_t size) { return r.begin <= size && r.count <= size - r.begin; };
    const auto textOk
        = [&](StrRef ref) { return ref.offset <= t.payload.size() && ref.size <= t.payload.size() - ref.offset; };
    const size_t strings = t.strings.size();
    for (const Attribute& a : t.attributes) {
        if (a.key >= strings || a.type > ValueType::KeyValueList)
            return false;
        // Reading a bool that holds another byte than 0 or 1 is undefined (found by fuzz_tracecodec).
        unsigned char boolByte = 0;
        std::memcpy(&boolByte, &a.boolValue, 1);
        if (a.type == ValueType::Bool && boolByte > 1)
            return false;
        if ((a.type == ValueType::String || a.type == ValueType::Bytes || a.type == ValueType::Array
                || a.type == ValueType::KeyValueList)
            && !textOk(a.ref))
            return false;
    }
    for (const Event& e : t.events) {
        if (e.name >= strings || !inside(e.attributes, t.attributes.size()))
            return false;
    }
    for (const Link& l : t.links) {
        if (!textOk(l.traceState) || !inside(l.attributes, t.attributes.size()))
            return false;
    }
    for (const Resource& res : t.resources) {
        if (!inside(res.attributes, t.attributes.size()))
            return false;
    }
    for (const Scope& sc : t.scopes) {
        if (sc.name >= strings || !textOk(sc.version) || !inside(sc.attributes, t.attributes.size()))
            return false;
    }
    for (StrRef w : t.warnings) {
        if (!textOk(w))
            return false;
    }
    const size_t n = t.spans.size();
    for (const Span& s : t.spans) {
        if (s.service >= strings || s.operation >= strings)
            return false;
        if (s.resource != kNoIndex && s.resource >= t.resources.size())
            return false;
        if (s.scope != kNoIndex && s.scope >= t.scopes.size())
            return false;
        if (!inside(s.attributes, t.attributes.size()) || !inside(s.events, t.events.size())
            || !inside(s.links, t.links.size()) || !inside(s.warnings, t.warnings.size())
            || !inside(s.children, t.childIndex.size()) || !textOk(s.statusMessage) || !textOk(s.traceState))
            return false;
        if (s.parent != kNoIndex && s.parent >= n)
            return false;
        if (s.kind > SpanKind::Consumer || s.status > StatusCode::Error)
            return false;
        // Span::endNs() must not overflow, as SpanBatch ensures for every span it reads (found by fuzz_tracecodec).
        if (s.durationNs >= 0 ? s.startNs > std::numeric_limits<qint64>::max() - s.durationNs
                              : s.startNs < std::numeric_limits<qint64>::min() - s.durationNs)
            return false;
    }
    for (quint32 c : t.childIndex) {
        if (c >= n)
            return false;
    }
    for (quint32 root : t.roots) {
        if (root >= n || t.spans[root].parent != kNoIndex)
            return false;
    }
    // Each event belongs to one span, as the importer and the assembler make them: a damaged blob whose spans shared
    // events made ClockSkewAdjuster shift those twice, past qint64 (found by fuzz_tracecodec). Marking them stops at
    // the first one claimed twice, so this is bounded by the size of the events array.
    std::vector<bool> claimed(t.events.size(), false);
    for (const Span& s : t.spans) {
        for (quint32 e = s.events.begin; e < s.events.end(); ++e) {
            if (claimed[e])
                return false;
            claimed[e] = true;
        }
    }
    // The tree is a forest: a child names its parent and lies one level deeper. Depth then grows along every child
    // link, so no walk down (or up) the tree can loop: a damaged blob with a span among its own children made
    // CriticalPath run forever (found by fuzz_tracecodec). The children ranges may not list more than childIndex
    // holds, which bounds this check by the size of the blob however its ranges overlap.
    quint64 listed = 0;
    for (quint32 i = 0; i < n; ++i) {
        const Span& s = t.spans[i];
        if (s.parent == kNoIndex ? s.depth != 0 : quint64(s.depth) != quint64(t.spans[s.parent].depth) + 1)
            return false;
        listed += s.children.count;
        if (listed > t.childIndex.size())
            return false;
        for (quint32 k = s.children.begin; k < s.children.end(); ++k) {
            if (t.spans[t.childIndex[k]].parent != i)
                return false;
        }
    }
    return true;
}

} // namespace tracemap
