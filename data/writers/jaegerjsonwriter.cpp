#include "writers/jaegerjsonwriter.h"

#include "model/attributevalue.h"

namespace tracemap {

namespace {

constexpr quint64 kServiceKey = quint64(1) << 63;
constexpr qint64 kMaxSafeInteger = (qint64(1) << 53) - 1;

} // namespace

JaegerJsonWriter::JaegerJsonWriter(std::FILE* file)
    : m_out(file)
{
}

void JaegerJsonWriter::begin()
{
    m_out.append("{\"data\":[");
}

void JaegerJsonWriter::end()
{
    m_out.append("],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n");
    m_out.finish();
}

quint32 JaegerJsonWriter::processOf(const Span& span)
{
    const quint64 key = span.resource != kNoIndex ? quint64(span.resource) : (kServiceKey | span.service);
    for (size_t i = 0; i < m_processKeys.size(); ++i) {
        if (m_processKeys[i] == key)
            return quint32(i);
    }
    m_processKeys.push_back(key);
    return quint32(m_processKeys.size() - 1);
}

void JaegerJsonWriter::appendStringTag(std::string& out, std::string_view key, std::string_view value)
{
    out += "{\"key\":";
    appendJsonString(out, key);
    out += ",\"type\":\"string\",\"value\":";
    appendJsonString(out, value);
    out += '}';
}

void JaegerJsonWriter::appendTag(std::string& out, const Trace& trace, const Attribute& a)
{
    out += "{\"key\":";
    appendJsonString(out, trace.string(a.key));
    switch (a.type) {
    case ValueType::String:
        out += ",\"type\":\"string\",\"value\":";
        appendJsonString(out, trace.text(a.ref));
        break;
    case ValueType::Bool:
        out += a.boolValue ? ",\"type\":\"bool\",\"value\":true" : ",\"type\":\"bool\",\"value\":false";
        break;
    case ValueType::Int:
        out += ",\"type\":\"int64\",\"value\":";
        if (a.intValue > kMaxSafeInteger || a.intValue < -kMaxSafeInteger) {
            out += '"';
            WriterOutput::appendInt(out, a.intValue);
            out += '"';
        } else {
            WriterOutput::appendInt(out, a.intValue);
        }
        break;
    case ValueType::Double:
        out += ",\"type\":\"float64\",\"value\":";
        WriterOutput::appendDouble(out, a.doubleValue);
        break;
    case ValueType::Bytes:
        out += ",\"type\":\"binary\",\"value\":";
        appendJsonString(out, encodeBase64(trace.text(a.ref)));
        break;
    case ValueType::Empty:
    case ValueType::Array:
    case ValueType::KeyValueList:
        m_text.clear();
        WriterOutput::appendAttributeText(m_text, trace, a);
        out += ",\"type\":\"string\",\"value\":";
        appendJsonString(out, m_text);
        break;
    }
    out += '}';
}

void JaegerJsonWriter::write(const Trace& trace)
{
    std::string& out = m_out.buffer();
    if (!m_first)
        out += ',';
    m_first = false;
    m_traceId.clear();
    WriterOutput::appendTraceId(m_traceId, trace.id, false);
    m_processKeys.clear();
    m_processSpan.clear();

    out += "{\"traceID\":\"";
    out += m_traceId;
    out += "\",\"spans\":[";
    for (size_t i = 0; i < trace.spans.size(); ++i) {
        if (i)
            out += ',';
        const quint32 process = processOf(trace.spans[i]);
        if (process == m_processSpan.size())
            m_processSpan.push_back(quint32(i));
        writeSpan(trace, trace.spans[i]);
        m_out.flushIfFull();
    }
    out += "],";
    writeProcesses(trace);
    out += ",\"warnings\":null}";
    m_out.flushIfFull();
}

void JaegerJsonWriter::writeProcesses(const Trace& trace)
{
    std::string& out = m_out.buffer();
    out += "\"processes\":{";
    for (size_t p = 0; p < m_processKeys.size(); ++p) {
        if (p)
            out += ',';
        out += "\"p";
        WriterOutput::appendInt(out, qint64(p + 1));
        out += "\":{\"serviceName\":";
        const Span& span = trace.spans[m_processSpan[p]];
        const Resource* resource = (m_processKeys[p] & kServiceKey) ? nullptr : &trace.resources[span.resource];
        appendJsonString(out, trace.serviceName(span));
        out += ",\"tags\":[";
        bool firstTag = true;
        if (resource) {
            for (quint32 i = resource->attributes.begin; i < resource->attributes.end(); ++i) {
                const Attribute& a = trace.attributes[i];
                if (trace.string(a.key) == "service.name")
                    continue;
                if (!firstTag)
                    out += ',';
                firstTag = false;
                appendTag(out, trace, a);
            }
        }
        out += "]}";
    }
    out += '}';
}

void JaegerJsonWriter::writeSpan(const Trace& trace, const Span& span)
{
    std::string& out = m_out.buffer();
    out += "{\"traceID\":\"";
    out += m_traceId;
    out += "\",\"spanID\":\"";
    WriterOutput::appendHex(out, span.id);
    out += '"';
    if (span.w3cFlags != 0) {
        out += ",\"flags\":";
        WriterOutput::appendInt(out, span.w3cFlags & 0xff);
    }
    out += ",\"operationName\":";
    appendJsonString(out, trace.operationName(span));

    out += ",\"references\":[";
    bool firstRef = true;
    auto reference = [&](const char* type, const TraceId& traceId, SpanId spanId) {
        if (!firstRef)
            out += ',';
        firstRef = false;
        out += "{\"refType\":\"";
        out += type;
        out += "\",\"traceID\":\"";
        WriterOutput::appendTraceId(out, traceId, false);
        out += "\",\"spanID\":\"";
        WriterOutput::appendHex(out, spanId);
        out += "\"}";
    };
    if (span.parentId != 0)
        reference("CHILD_OF", trace.id, span.parentId);
    for (quint32 i = span.links.begin; i < span.links.end(); ++i) {
        const Link& link = trace.links[i];
        reference(link.type == LinkType::ChildOf ? "CHILD_OF" : "FOLLOWS_FROM", link.traceId, link.spanId);
    }

    out += "],\"startTime\":";
    WriterOutput::appendMicros(out, span.startNs);
    out += ",\"duration\":";
    WriterOutput::appendInt(out, span.durationNs / 1000);

    out += ",\"tags\":[";
    bool firstTag = true;
    auto separate = [&]() {
        if (!firstTag)
            out += ',';
        firstTag = false;
    };
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        separate();
        appendTag(out, trace, trace.attributes[i]);
    }
    if (span.kind != SpanKind::Unspecified) {
        separate();
        appendStringTag(out, "span.kind", spanKindName(span.kind));
    }
    if (span.status != StatusCode::Unset) {
        separate();
        appendStringTag(out, "otel.status_code", span.status == StatusCode::Error ? "ERROR" : "OK");
    }
    if (span.status == StatusCode::Error) {
        separate();
        out += "{\"key\":\"error\",\"type\":\"bool\",\"value\":true}";
    }
    if (span.statusMessage.size != 0) {
        separate();
        appendStringTag(out, "otel.status_description", trace.text(span.statusMessage));
    }
    if (span.scope != kNoIndex) {
        const Scope& scope = trace.scopes[span.scope];
        if (scope.name != 0) {
            separate();
            appendStringTag(out, "otel.scope.name", trace.string(scope.name));
        }
        if (scope.version.size != 0) {
            separate();
            appendStringTag(out, "otel.scope.version", trace.text(scope.version));
        }
    }
    if (span.traceState.size != 0) {
        separate();
        appendStringTag(out, "w3c.tracestate", trace.text(span.traceState));
    }

    out += "],\"logs\":[";
    for (quint32 e = span.events.begin; e < span.events.end(); ++e) {
        const Event& event = trace.events[e];
        if (e != span.events.begin)
            out += ',';
        out += "{\"timestamp\":";
        WriterOutput::appendMicros(out, event.timeNs);
        out += ",\"fields\":[";
        appendStringTag(out, "event", trace.string(event.name));
        for (quint32 i = event.attributes.begin; i < event.attributes.end(); ++i) {
            out += ',';
            appendTag(out, trace, trace.attributes[i]);
        }
        out += "]}";
    }

    out += "],\"processID\":\"p";
    WriterOutput::appendInt(out, qint64(processOf(span) + 1));
    out += "\",\"warnings\":";
    if (span.warnings.count == 0) {
        out += "null}";
        return;
    }
    out += '[';
    for (quint32 w = span.warnings.begin; w < span.warnings.end(); ++w) {
        if (w != span.warnings.begin)
            out += ',';
        appendJsonString(out, trace.text(trace.warnings[w]));
    }
    out += "]}";
}

} // namespace tracemap
