#include "formats/otlpprotoparser.h"

#include "formats/parseerror.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <climits>
#include <limits>

namespace tracemap {

namespace {

namespace otlp = opentelemetry::proto;
using google::protobuf::internal::WireFormatLite;

// Where in the input the ResourceSpans being converted starts, for error messages.
struct Context {
    const char* position = nullptr;
    size_t offset = 0;
    size_t index = 0; // 1-based

    [[noreturn]] void fail(std::string_view what) const
    {
        std::string message
            = "invalid protobuf: ResourceSpans #" + std::to_string(index) + " at byte " + std::to_string(offset) + ' ';
        message += what;
        throw ParseError { position, std::move(message) };
    }
};

std::string spanLabel(const otlp::trace::v1::Span& span)
{
    return "span \"" + span.name().substr(0, 80) + '"';
}

AttributeValue toValue(const otlp::common::v1::AnyValue& value, int depth, const Context& context)
{
    if (depth > AttributeValue::kMaxDepth)
        context.fail("is invalid: an attribute value is nested more than " + std::to_string(AttributeValue::kMaxDepth)
            + " levels deep");
    switch (value.value_case()) {
    case otlp::common::v1::AnyValue::kStringValue:
        return AttributeValue::fromString(value.string_value());
    case otlp::common::v1::AnyValue::kBoolValue:
        return AttributeValue::fromBool(value.bool_value());
    case otlp::common::v1::AnyValue::kIntValue:
        return AttributeValue::fromInt(value.int_value());
    case otlp::common::v1::AnyValue::kDoubleValue:
        return AttributeValue::fromDouble(value.double_value());
    case otlp::common::v1::AnyValue::kBytesValue:
        return AttributeValue::fromBytes(value.bytes_value());
    case otlp::common::v1::AnyValue::kArrayValue: {
        std::vector<AttributeValue> items;
        items.reserve(value.array_value().values_size());
        for (const auto& item : value.array_value().values())
            items.push_back(toValue(item, depth + 1, context));
        return AttributeValue::array(std::move(items));
    }
    case otlp::common::v1::AnyValue::kKvlistValue: {
        std::vector<std::pair<std::string, AttributeValue>> entries;
        entries.reserve(value.kvlist_value().values_size());
        for (const auto& entry : value.kvlist_value().values())
            entries.emplace_back(entry.key(), toValue(entry.value(), depth + 1, context));
        return AttributeValue::keyValueList(std::move(entries));
    }
    case otlp::common::v1::AnyValue::VALUE_NOT_SET:
        break;
    }
    return {};
}

void addAttributes(AttributeBuffer& out,
    const google::protobuf::RepeatedPtrField<otlp::common::v1::KeyValue>& attributes, const Context& context)
{
    for (const auto& kv : attributes) {
        const std::string& key = kv.key();
        const auto& value = kv.value();
        switch (value.value_case()) {
        case otlp::common::v1::AnyValue::kStringValue:
            out.addString(key, value.string_value());
            break;
        case otlp::common::v1::AnyValue::kBoolValue:
            out.addBool(key, value.bool_value());
            break;
        case otlp::common::v1::AnyValue::kIntValue:
            out.addInt(key, value.int_value());
            break;
        case otlp::common::v1::AnyValue::kDoubleValue:
            out.addDouble(key, value.double_value());
            break;
        case otlp::common::v1::AnyValue::kBytesValue:
            out.addBytes(key, value.bytes_value());
            break;
        case otlp::common::v1::AnyValue::kArrayValue:
        case otlp::common::v1::AnyValue::kKvlistValue:
            out.addValue(key, toValue(value, 0, context));
            break;
        case otlp::common::v1::AnyValue::VALUE_NOT_SET:
            out.addEmpty(key);
            break;
        }
    }
}

qint64 clampNanos(quint64 ns)
{
    return static_cast<qint64>(std::min<quint64>(ns, std::numeric_limits<qint64>::max()));
}

TraceId traceIdOf(
    const std::string& bytes, std::string_view field, const otlp::trace::v1::Span& span, const Context& context)
{
    if (bytes.empty())
        return {};
    if (bytes.size() == 16)
        return *traceIdFromBytes(bytes);
    context.fail("is invalid: " + spanLabel(span) + " has a " + std::to_string(bytes.size()) + "-byte "
        + std::string(field) + " (expected 16 bytes)");
}

SpanId spanIdOf(
    const std::string& bytes, std::string_view field, const otlp::trace::v1::Span& span, const Context& context)
{
    if (bytes.empty())
        return 0;
    if (const auto id = spanIdFromBytes(bytes))
        return *id;
    context.fail("is invalid: " + spanLabel(span) + " has a " + std::to_string(bytes.size()) + "-byte "
        + std::string(field) + " (expected 8 bytes)");
}

SpanKind kindOf(int kind, SpanDraft& draft)
{
    if (kind >= 0 && kind <= static_cast<int>(SpanKind::Consumer))
        return static_cast<SpanKind>(kind);
    draft.addWarning("unknown span kind " + std::to_string(kind));
    return SpanKind::Unspecified;
}

StatusCode statusOf(int code, SpanDraft& draft)
{
    if (code >= 0 && code <= static_cast<int>(StatusCode::Error))
        return static_cast<StatusCode>(code);
    draft.addWarning("unknown status code " + std::to_string(code));
    return StatusCode::Unset;
}

// One span into the batch, under the resource and scope being read.
void addSpan(const otlp::trace::v1::Span& span, std::string_view service, SpanDraft& draft, ResourceDraft& resource,
    ScopeDraft& scope, SpanBatch& batch, const Context& context)
{
    draft.clear();
    draft.traceId = traceIdOf(span.trace_id(), "trace_id", span, context);
    draft.spanId = spanIdOf(span.span_id(), "span_id", span, context);
    draft.parentId = spanIdOf(span.parent_span_id(), "parent_span_id", span, context);
    if (!draft.traceId.isValid())
        draft.addWarning("missing or all-zero trace id");
    if (draft.spanId == 0)
        draft.addWarning("missing or all-zero span id");
    draft.service = service;
    draft.operation = span.name();
    draft.traceState = span.trace_state();
    draft.w3cFlags = span.flags();
    draft.kind = kindOf(span.kind(), draft);
    draft.setUnixNanoTimes(clampNanos(span.start_time_unix_nano()), clampNanos(span.end_time_unix_nano()));
    addAttributes(draft.attributes, span.attributes(), context);
    if (span.has_status()) {
        draft.status = statusOf(span.status().code(), draft);
        draft.statusMessage = span.status().message();
    }
    for (const auto& event : span.events()) {
        EventDraft& e = draft.addEvent();
        e.timeNs = clampNanos(event.time_unix_nano());
        e.name = event.name();
        addAttributes(e.attributes, event.attributes(), context);
    }
    for (const auto& link : span.links()) {
        LinkDraft& l = draft.addLink();
        l.traceId = traceIdOf(link.trace_id(), "link trace_id", span, context);
        l.spanId = spanIdOf(link.span_id(), "link span_id", span, context);
        l.type = LinkType::Link;
        l.flags = link.flags();
        l.traceState = link.trace_state();
        addAttributes(l.attributes, link.attributes(), context);
    }
    batch.add(draft, &resource, &scope);
}

// Calls visit(field number, bytes) for each length-delimited field of a message, in wire order, skipping the others;
// false if the message is malformed. Lets a ResourceSpans be read one span at a time instead of all at once.
template <typename Visit> bool forEachLengthDelimited(std::string_view message, Visit&& visit)
{
    google::protobuf::io::CodedInputStream in(
        reinterpret_cast<const quint8*>(message.data()), static_cast<int>(message.size()));
    for (;;) {
        const quint32 tag = in.ReadTag();
        if (tag == 0)
            return static_cast<size_t>(in.CurrentPosition()) == message.size();
        if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
            if (!WireFormatLite::SkipField(&in, tag))
                return false;
            continue;
        }
        quint32 length = 0;
        if (!in.ReadVarint32(&length))
            return false;
        const auto at = static_cast<size_t>(in.CurrentPosition());
        if (length > message.size() - at)
            return false;
        visit(WireFormatLite::GetTagFieldNumber(tag), message.substr(at, length));
        if (!in.Skip(static_cast<int>(length)))
            return false;
    }
}

} // namespace

void OtlpProtoParser::parse(std::string_view bytes, SpanBatch& batch, const std::function<void(size_t)>& progress,
    const std::function<void()>& afterSpan)
{
    constexpr quint32 kResourceSpansTag = WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
    const auto* data = reinterpret_cast<const quint8*>(bytes.data());
    otlp::resource::v1::Resource resource;
    otlp::common::v1::InstrumentationScope scope;
    otlp::trace::v1::Span span;
    Context context;
    size_t offset = 0;

    while (offset < bytes.size()) {
        // A fresh stream per top-level field keeps every position below INT_MAX, so inputs over 2 GiB work.
        const size_t window = std::min<size_t>(bytes.size() - offset, INT_MAX);
        google::protobuf::io::CodedInputStream in(data + offset, static_cast<int>(window));
        in.SetTotalBytesLimit(INT_MAX);
        context.position = bytes.data() + offset;
        context.offset = offset;

        const quint32 tag = in.ReadTag();
        if (tag == 0)
            throw ParseError { context.position,
                "invalid protobuf: expected a field tag at byte " + std::to_string(offset) };
        if (tag != kResourceSpansTag) {
            if (!WireFormatLite::SkipField(&in, tag))
                throw ParseError { context.position,
                    "invalid protobuf: field " + std::to_string(WireFormatLite::GetTagFieldNumber(tag)) + " at byte "
                        + std::to_string(offset) + " could not be skipped (truncated or not OTLP protobuf)" };
            offset += static_cast<size_t>(in.CurrentPosition());
            continue;
        }

        ++context.index;
        quint32 length = 0;
        if (!in.ReadVarint32(&length))
            context.fail("could not be decoded (bad length)");
        const size_t start = offset + static_cast<size_t>(in.CurrentPosition());
        if (length > bytes.size() - start)
            context.fail("could not be decoded: it needs " + std::to_string(length) + " bytes but the input has "
                + std::to_string(bytes.size() - start) + " left (truncated?)");
        if (length > static_cast<quint32>(INT_MAX))
            context.fail("could not be decoded");
        const std::string_view resourceSpans = bytes.substr(start, length);

        // The resource first, wherever it is in the message: every span of it needs it. Then the spans, one at
        // a time into the same message, so memory is bounded by the largest span however many there are.
        m_resource.clear();
        bool ok = forEachLengthDelimited(resourceSpans, [&](int field, std::string_view value) {
            if (field != 1)
                return;
            if (!resource.ParseFromArray(value.data(), static_cast<int>(value.size())))
                context.fail("could not be decoded (its resource)");
            m_resource.clear();
            addAttributes(m_resource.attributes, resource.attributes(), context);
        });
        if (!ok)
            context.fail("could not be decoded");
        const std::string service(m_resource.attributes.findString("service.name").value_or(std::string_view()));
        ok = forEachLengthDelimited(resourceSpans, [&](int field, std::string_view scopeSpans) {
            if (field != 2)
                return;
            m_scope.clear();
            bool scopeOk = forEachLengthDelimited(scopeSpans, [&](int scopeField, std::string_view value) {
                if (scopeField != 1)
                    return;
                if (!scope.ParseFromArray(value.data(), static_cast<int>(value.size())))
                    context.fail("could not be decoded (a scope)");
                m_scope.clear();
                m_scope.name = scope.name();
                m_scope.version = scope.version();
                addAttributes(m_scope.attributes, scope.attributes(), context);
            });
            scopeOk = scopeOk && forEachLengthDelimited(scopeSpans, [&](int scopeField, std::string_view value) {
                if (scopeField != 2)
                    return;
                if (!span.ParseFromArray(value.data(), static_cast<int>(value.size())))
                    context.fail("could not be decoded (a span: truncated, nested too deeply, or a string that is "
                                 "not UTF-8)");
                addSpan(span, service, m_span, m_resource, m_scope, batch, context);
                if (afterSpan)
                    afterSpan();
            });
            if (!scopeOk)
                context.fail("could not be decoded (a ScopeSpans)");
        });
        if (!ok)
            context.fail("could not be decoded");

        offset = start + length;
        if (progress)
            progress(offset);
    }
}

} // namespace tracemap
