#pragma once

#include "model/ids.h"
#include "model/stringtable.h"

#include <QtGlobal>

#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

/// A slice of a trace's payload arena (attribute strings and bytes, status messages, warnings).
struct StrRef {
    quint32 offset = 0;
    quint32 size = 0;
    bool operator==(const StrRef&) const = default;
};

/// A contiguous run of elements in one of a trace's arrays.
struct Range {
    quint32 begin = 0;
    quint32 count = 0;
    quint32 end() const { return begin + count; }
    bool operator==(const Range&) const = default;
};

enum class SpanKind : quint8 { Unspecified, Internal, Server, Client, Producer, Consumer };
enum class StatusCode : quint8 { Unset, Ok, Error };
enum class ValueType : quint8 { Empty, String, Bool, Int, Double, Bytes, Array, KeyValueList };
enum class LinkType : quint8 { Link, ChildOf, FollowsFrom };

const char* spanKindName(SpanKind kind);
const char* statusCodeName(StatusCode code);

/// One typed attribute. Arrays and key-value lists keep their elements encoded in the payload (see
/// AttributeValue), because they are rare and flat records keep the common case at 16 bytes.
struct Attribute {
    StringId key = 0;
    ValueType type = ValueType::Empty;
    quint8 reserved[3] = {}; // explicit, so that the bytes the cache writes (TraceCodec) are all set
    union {
        qint64 intValue;
        double doubleValue;
        bool boolValue;
        StrRef ref; // String, Bytes, Array, KeyValueList
    };
    Attribute()
        : intValue(0)
    {
    }
};
static_assert(sizeof(Attribute) == 16);

struct Event {
    qint64 timeNs = 0;
    StringId name = 0;
    Range attributes;
    quint32 reserved = 0; // explicit padding: see Attribute::reserved
};

struct Link {
    TraceId traceId;
    SpanId spanId = 0;
    LinkType type = LinkType::Link;
    quint8 reserved[3] = {}; // explicit padding: see Attribute::reserved
    quint32 flags = 0;
    StrRef traceState;
    Range attributes;
};

/// The process or resource a span ran in (OTLP resource, Jaeger process, Zipkin local endpoint).
struct Resource {
    Range attributes;
    bool operator==(const Resource&) const = default;
};

/// The instrumentation scope (OTLP) that produced a span.
struct Scope {
    StringId name = 0;
    StrRef version;
    Range attributes;
};

/// Things the importer or the assembler noticed about a span. Each has a human-readable warning too.
enum SpanProblem : quint16 {
    NoProblem = 0,
    OrphanSpan = 1 << 0, // parent id given but the parent is not in the trace
    DuplicateSpanId = 1 << 1, // another span of the trace has the same id
    CycleBroken = 1 << 2, // the span's parent chain looped; its parent link was dropped
    SelfParent = 1 << 3, // the span named itself as parent
    SharedServerHalf = 1 << 4, // Zipkin server half that shared its client's id; given its own id
    MissingDuration = 1 << 5, // duration absent in the source (Zipkin)
    MissingStart = 1 << 6,
    ClockSkew = 1 << 7, // starts before its parent or ends after it, and ran in another service (another clock)
};

constexpr quint32 kNoIndex = 0xffffffffu;

/// One span. Plain data in contiguous storage: strings are ids into the trace's string table, variable-length
/// parts are ranges into the trace's arrays. Tree fields (parent, depth, children) are filled by TraceAssembler.
struct Span {
    SpanId id = 0;
    SpanId parentId = 0;
    qint64 startNs = 0;
    qint64 durationNs = 0;
    StringId service = 0;
    StringId operation = 0;
    quint32 resource = kNoIndex;
    quint32 scope = kNoIndex;
    Range attributes;
    Range events;
    Range links;
    Range warnings;
    StrRef statusMessage;
    StrRef traceState;
    quint32 w3cFlags = 0;
    SpanKind kind = SpanKind::Unspecified;
    StatusCode status = StatusCode::Unset;
    quint16 problems = NoProblem;
    quint32 parent = kNoIndex; // index of the parent span in Trace::spans
    quint32 depth = 0;
    Range children; // into Trace::childIndex, ordered by start time

    qint64 endNs() const { return startNs + durationNs; }
    bool isError() const { return status == StatusCode::Error; }
};

/// All spans of one trace with everything they refer to. A value type: copy it, move it, compare it; a finished
/// trace is shared between threads as std::shared_ptr<const Trace>.
///
/// Invariants after TraceAssembler::assemble(): spans are sorted by start time; every Range and StrRef is inside
/// its array; Span::parent/children/depth describe a forest (no cycles); roots lists spans without a parent in the
/// trace (true roots and orphans) in start order.
struct Trace {
    TraceId id;
    StringTable strings;
    std::vector<Span> spans;
    std::vector<Attribute> attributes;
    std::vector<Event> events;
    std::vector<Link> links;
    std::vector<Resource> resources;
    std::vector<Scope> scopes;
    std::vector<StrRef> warnings;
    std::vector<quint32> childIndex;
    std::vector<quint32> roots;
    std::string payload;

    std::string_view text(StrRef ref) const { return std::string_view(payload).substr(ref.offset, ref.size); }
    std::string_view string(StringId id) const { return strings.at(id); }
    StrRef addText(std::string_view text);

    /// The service.name of a span's resource, or the span's own service.
    std::string_view serviceName(const Span& span) const { return strings.at(span.service); }
    std::string_view operationName(const Span& span) const { return strings.at(span.operation); }

    qint64 startNs() const;
    qint64 endNs() const;
    size_t errorCount() const;
    size_t serviceCount() const;
    quint32 maxDepth() const;

    /// Bytes held by the span records, tree and attribute records (not the payload arena), and the arena.
    size_t structuralBytes() const;
    size_t payloadBytes() const { return payload.capacity(); }

    bool operator==(const Trace& other) const;
};

} // namespace tracemap
