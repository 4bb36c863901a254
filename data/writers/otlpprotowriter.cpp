#include "writers/otlpprotowriter.h"

#include "model/attributevalue.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace tracemap {

namespace {

namespace common = opentelemetry::proto::common::v1;
namespace otlp = opentelemetry::proto::trace::v1;

std::string spanIdBytes(SpanId id)
{
    std::string bytes(8, '\0');
    for (int i = 7; i >= 0; --i, id >>= 8)
        bytes[size_t(i)] = char(id & 0xff);
    return bytes;
}

std::string traceIdBytes(const TraceId& id)
{
    return spanIdBytes(id.high) + spanIdBytes(id.low);
}

void setValue(common::AnyValue* out, const AttributeValue& v)
{
    switch (v.type()) {
    case ValueType::Empty:
        break;
    case ValueType::String:
        out->set_string_value(v.stringValue());
        break;
    case ValueType::Bytes:
        out->set_bytes_value(v.stringValue());
        break;
    case ValueType::Bool:
        out->set_bool_value(v.boolValue());
        break;
    case ValueType::Int:
        out->set_int_value(v.intValue());
        break;
    case ValueType::Double:
        out->set_double_value(v.doubleValue());
        break;
    case ValueType::Array: {
        common::ArrayValue* array = out->mutable_array_value();
        for (const AttributeValue& item : v.items())
            setValue(array->add_values(), item);
        break;
    }
    case ValueType::KeyValueList: {
        common::KeyValueList* list = out->mutable_kvlist_value();
        for (const auto& [key, value] : v.entries()) {
            common::KeyValue* kv = list->add_values();
            kv->set_key(key);
            setValue(kv->mutable_value(), value);
        }
        break;
    }
    }
}

void addAttributes(google::protobuf::RepeatedPtrField<common::KeyValue>* out, const Trace& trace, Range attributes)
{
    out->Reserve(int(out->size() + attributes.count));
    for (quint32 i = attributes.begin; i < attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        common::KeyValue* kv = out->Add();
        kv->set_key(std::string(trace.string(a.key)));
        common::AnyValue* value = kv->mutable_value();
        switch (a.type) {
        case ValueType::String:
            value->set_string_value(std::string(trace.text(a.ref)));
            break;
        case ValueType::Int:
            value->set_int_value(a.intValue);
            break;
        case ValueType::Bool:
            value->set_bool_value(a.boolValue);
            break;
        case ValueType::Double:
            value->set_double_value(a.doubleValue);
            break;
        default:
            setValue(value, AttributeValue::valueOf(trace, a));
            break;
        }
    }
}

void fillSpan(otlp::Span* out, const Trace& trace, const Span& span, const std::string& traceId)
{
    out->set_trace_id(traceId);
    out->set_span_id(spanIdBytes(span.id));
    if (span.parentId != 0)
        out->set_parent_span_id(spanIdBytes(span.parentId));
    if (span.traceState.size != 0)
        out->set_trace_state(std::string(trace.text(span.traceState)));
    out->set_flags(span.w3cFlags);
    out->set_name(std::string(trace.operationName(span)));
    out->set_kind(otlp::Span_SpanKind(int(span.kind)));
    out->set_start_time_unix_nano(quint64(std::max<qint64>(0, span.startNs)));
    out->set_end_time_unix_nano(quint64(std::max<qint64>(0, span.endNs())));
    addAttributes(out->mutable_attributes(), trace, span.attributes);
    for (quint32 e = span.events.begin; e < span.events.end(); ++e) {
        const Event& event = trace.events[e];
        otlp::Span_Event* pe = out->add_events();
        pe->set_time_unix_nano(quint64(std::max<qint64>(0, event.timeNs)));
        pe->set_name(std::string(trace.string(event.name)));
        addAttributes(pe->mutable_attributes(), trace, event.attributes);
    }
    for (quint32 l = span.links.begin; l < span.links.end(); ++l) {
        const Link& link = trace.links[l];
        otlp::Span_Link* pl = out->add_links();
        pl->set_trace_id(traceIdBytes(link.traceId));
        pl->set_span_id(spanIdBytes(link.spanId));
        if (link.traceState.size != 0)
            pl->set_trace_state(std::string(trace.text(link.traceState)));
        addAttributes(pl->mutable_attributes(), trace, link.attributes);
        pl->set_flags(link.flags);
    }
    if (span.status != StatusCode::Unset || span.statusMessage.size != 0) {
        otlp::Status* status = out->mutable_status();
        status->set_code(otlp::Status_StatusCode(int(span.status)));
        if (span.statusMessage.size != 0)
            status->set_message(std::string(trace.text(span.statusMessage)));
    }
}

void appendVarint(std::string& out, quint64 value)
{
    while (value >= 0x80) {
        out.push_back(char(value | 0x80));
        value >>= 7;
    }
    out.push_back(char(value));
}

} // namespace

OtlpProtoWriter::OtlpProtoWriter(std::FILE* file)
    : m_out(file)
    , m_message(std::make_unique<otlp::ResourceSpans>())
{
}

OtlpProtoWriter::~OtlpProtoWriter() = default;

void OtlpProtoWriter::begin() { }

void OtlpProtoWriter::end()
{
    m_out.finish();
}

void OtlpProtoWriter::write(const Trace& trace)
{
    const std::string traceId = traceIdBytes(trace.id);
    m_groups.build(trace);
    for (const ResourceGroups::ResourceGroup& resource : m_groups.resources()) {
        otlp::ResourceSpans& message = *m_message;
        message.Clear();
        auto* resourceAttributes = message.mutable_resource()->mutable_attributes();
        if (resource.resource != kNoIndex) {
            addAttributes(resourceAttributes, trace, trace.resources[resource.resource].attributes);
        } else {
            common::KeyValue* kv = resourceAttributes->Add();
            kv->set_key("service.name");
            kv->mutable_value()->set_string_value(std::string(trace.serviceName(trace.spans[resource.firstSpan])));
        }
        for (quint32 g = resource.scopesBegin; g < resource.scopesEnd; ++g) {
            const ResourceGroups::ScopeGroup& group = m_groups.scopes()[g];
            otlp::ScopeSpans* scopeSpans = message.add_scope_spans();
            if (group.scope != kNoIndex) {
                const Scope& scope = trace.scopes[group.scope];
                common::InstrumentationScope* ps = scopeSpans->mutable_scope();
                ps->set_name(std::string(trace.string(scope.name)));
                ps->set_version(std::string(trace.text(scope.version)));
                addAttributes(ps->mutable_attributes(), trace, scope.attributes);
            }
            scopeSpans->mutable_spans()->Reserve(int(group.end - group.begin));
            for (quint32 i = group.begin; i < group.end; ++i)
                fillSpan(scopeSpans->add_spans(), trace, trace.spans[m_groups.spanOrder()[i]], traceId);
        }
        m_bytes.clear();
        if (!message.SerializeToString(&m_bytes)) {
            m_serialized = false;
            continue;
        }
        std::string& out = m_out.buffer();
        out.push_back('\x0a');
        appendVarint(out, m_bytes.size());
        out += m_bytes;
        m_out.flushIfFull();
    }
}

} // namespace tracemap
