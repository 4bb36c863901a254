#include "writers/otlpjsonwriter.h"

#include "model/attributevalue.h"

namespace tracemap {

OtlpJsonWriter::OtlpJsonWriter(std::FILE* file)
    : m_out(file)
{
}

void OtlpJsonWriter::begin()
{
    m_out.append("{\"resourceSpans\":[");
}

void OtlpJsonWriter::end()
{
    m_out.append("]}\n");
    m_out.finish();
}

void OtlpJsonWriter::appendNanos(std::string& out, qint64 ns)
{
    // fixed64 in the proto: a time before 1970 cannot be written, so it is clamped.
    out += '"';
    WriterOutput::appendInt(out, std::max<qint64>(0, ns));
    out += '"';
}

void OtlpJsonWriter::appendValue(std::string& out, const AttributeValue& v)
{
    switch (v.type()) {
    case ValueType::Empty:
        out += "{}";
        break;
    case ValueType::String:
        out += "{\"stringValue\":";
        appendJsonString(out, v.stringValue());
        out += '}';
        break;
    case ValueType::Bytes:
        out += "{\"bytesValue\":";
        appendJsonString(out, encodeBase64(v.stringValue()));
        out += '}';
        break;
    case ValueType::Bool:
        out += v.boolValue() ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
        break;
    case ValueType::Int:
        out += "{\"intValue\":\"";
        WriterOutput::appendInt(out, v.intValue());
        out += "\"}";
        break;
    case ValueType::Double:
        out += "{\"doubleValue\":";
        WriterOutput::appendDouble(out, v.doubleValue());
        out += '}';
        break;
    case ValueType::Array:
        out += "{\"arrayValue\":{\"values\":[";
        for (size_t i = 0; i < v.items().size(); ++i) {
            if (i)
                out += ',';
            appendValue(out, v.items()[i]);
        }
        out += "]}}";
        break;
    case ValueType::KeyValueList:
        out += "{\"kvlistValue\":{\"values\":[";
        for (size_t i = 0; i < v.entries().size(); ++i) {
            if (i)
                out += ',';
            out += "{\"key\":";
            appendJsonString(out, v.entries()[i].first);
            out += ",\"value\":";
            appendValue(out, v.entries()[i].second);
            out += '}';
        }
        out += "]}}";
        break;
    }
}

void OtlpJsonWriter::appendValue(std::string& out, const Trace& trace, const Attribute& a)
{
    switch (a.type) {
    case ValueType::String:
        out += "{\"stringValue\":";
        appendJsonString(out, trace.text(a.ref));
        out += '}';
        break;
    case ValueType::Int:
        out += "{\"intValue\":\"";
        WriterOutput::appendInt(out, a.intValue);
        out += "\"}";
        break;
    default:
        appendValue(out, AttributeValue::valueOf(trace, a));
        break;
    }
}

void OtlpJsonWriter::appendAttributes(std::string& out, const Trace& trace, Range attributes)
{
    out += '[';
    for (quint32 i = attributes.begin; i < attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        if (i != attributes.begin)
            out += ',';
        out += "{\"key\":";
        appendJsonString(out, trace.string(a.key));
        out += ",\"value\":";
        appendValue(out, trace, a);
        out += '}';
    }
    out += ']';
}

void OtlpJsonWriter::write(const Trace& trace)
{
    m_traceId.clear();
    WriterOutput::appendTraceId(m_traceId, trace.id, true);
    m_groups.build(trace);
    std::string& out = m_out.buffer();
    for (const ResourceGroups::ResourceGroup& resource : m_groups.resources()) {
        if (!m_first)
            out += ',';
        m_first = false;
        out += "{\"resource\":{\"attributes\":";
        if (resource.resource != kNoIndex) {
            appendAttributes(out, trace, trace.resources[resource.resource].attributes);
        } else {
            out += "[{\"key\":\"service.name\",\"value\":{\"stringValue\":";
            appendJsonString(out, trace.serviceName(trace.spans[resource.firstSpan]));
            out += "}}]";
        }
        out += "},\"scopeSpans\":[";
        for (quint32 g = resource.scopesBegin; g < resource.scopesEnd; ++g) {
            const ResourceGroups::ScopeGroup& group = m_groups.scopes()[g];
            if (g != resource.scopesBegin)
                out += ',';
            out += "{\"scope\":{";
            if (group.scope != kNoIndex) {
                const Scope& scope = trace.scopes[group.scope];
                out += "\"name\":";
                appendJsonString(out, trace.string(scope.name));
                if (scope.version.size != 0) {
                    out += ",\"version\":";
                    appendJsonString(out, trace.text(scope.version));
                }
                if (scope.attributes.count != 0) {
                    out += ",\"attributes\":";
                    appendAttributes(out, trace, scope.attributes);
                }
            }
            out += "},\"spans\":[";
            for (quint32 i = group.begin; i < group.end; ++i) {
                if (i != group.begin)
                    out += ',';
                writeSpan(trace, trace.spans[m_groups.spanOrder()[i]]);
                m_out.flushIfFull();
            }
            out += "]}";
        }
        out += "]}";
    }
    m_out.flushIfFull();
}

void OtlpJsonWriter::writeSpan(const Trace& trace, const Span& span)
{
    std::string& out = m_out.buffer();
    out += "{\"traceId\":\"";
    out += m_traceId;
    out += "\",\"spanId\":\"";
    WriterOutput::appendHex(out, span.id);
    out += '"';
    if (span.parentId != 0) {
        out += ",\"parentSpanId\":\"";
        WriterOutput::appendHex(out, span.parentId);
        out += '"';
    }
    if (span.traceState.size != 0) {
        out += ",\"traceState\":";
        appendJsonString(out, trace.text(span.traceState));
    }
    if (span.w3cFlags != 0) {
        out += ",\"flags\":";
        WriterOutput::appendInt(out, span.w3cFlags);
    }
    out += ",\"name\":";
    appendJsonString(out, trace.operationName(span));
    if (span.kind != SpanKind::Unspecified) {
        out += ",\"kind\":";
        WriterOutput::appendInt(out, int(span.kind));
    }
    out += ",\"startTimeUnixNano\":";
    appendNanos(out, span.startNs);
    out += ",\"endTimeUnixNano\":";
    appendNanos(out, span.endNs());
    if (span.attributes.count != 0) {
        out += ",\"attributes\":";
        appendAttributes(out, trace, span.attributes);
    }
    if (span.events.count != 0) {
        out += ",\"events\":[";
        for (quint32 e = span.events.begin; e < span.events.end(); ++e) {
            const Event& event = trace.events[e];
            if (e != span.events.begin)
                out += ',';
            out += "{\"timeUnixNano\":";
            appendNanos(out, event.timeNs);
            out += ",\"name\":";
            appendJsonString(out, trace.string(event.name));
            if (event.attributes.count != 0) {
                out += ",\"attributes\":";
                appendAttributes(out, trace, event.attributes);
            }
            out += '}';
        }
        out += ']';
    }
    if (span.links.count != 0) {
        out += ",\"links\":[";
        for (quint32 l = span.links.begin; l < span.links.end(); ++l) {
            const Link& link = trace.links[l];
            if (l != span.links.begin)
                out += ',';
            out += "{\"traceId\":\"";
            WriterOutput::appendTraceId(out, link.traceId, true);
            out += "\",\"spanId\":\"";
            WriterOutput::appendHex(out, link.spanId);
            out += '"';
            if (link.traceState.size != 0) {
                out += ",\"traceState\":";
                appendJsonString(out, trace.text(link.traceState));
            }
            if (link.attributes.count != 0) {
                out += ",\"attributes\":";
                appendAttributes(out, trace, link.attributes);
            }
            if (link.flags != 0) {
                out += ",\"flags\":";
                WriterOutput::appendInt(out, link.flags);
            }
            out += '}';
        }
        out += ']';
    }
    if (span.status != StatusCode::Unset || span.statusMessage.size != 0) {
        out += ",\"status\":{";
        if (span.statusMessage.size != 0) {
            out += "\"message\":";
            appendJsonString(out, trace.text(span.statusMessage));
            if (span.status != StatusCode::Unset)
                out += ',';
        }
        if (span.status != StatusCode::Unset) {
            out += "\"code\":";
            WriterOutput::appendInt(out, int(span.status));
        }
        out += '}';
    }
    out += '}';
}

} // namespace tracemap
