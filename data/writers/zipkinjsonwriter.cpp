#include "writers/zipkinjsonwriter.h"

#include "model/attributevalue.h"

namespace tracemap {

namespace {

const char* zipkinKind(SpanKind kind)
{
    switch (kind) {
    case SpanKind::Client:
        return "CLIENT";
    case SpanKind::Server:
        return "SERVER";
    case SpanKind::Producer:
        return "PRODUCER";
    case SpanKind::Consumer:
        return "CONSUMER";
    default:
        return nullptr;
    }
}

std::string_view findString(const Trace& trace, Range attributes, std::string_view key)
{
    for (quint32 i = attributes.begin; i < attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        if (a.type == ValueType::String && trace.string(a.key) == key)
            return trace.text(a.ref);
    }
    return {};
}

} // namespace

ZipkinJsonWriter::ZipkinJsonWriter(std::FILE* file)
    : m_out(file)
{
}

void ZipkinJsonWriter::begin()
{
    m_out.append('[');
}

void ZipkinJsonWriter::end()
{
    m_out.append("]\n");
    m_out.finish();
}

void ZipkinJsonWriter::write(const Trace& trace)
{
    m_traceId.clear();
    WriterOutput::appendTraceId(m_traceId, trace.id, false);
    for (const Span& span : trace.spans) {
        if (!m_first)
            m_out.append(',');
        m_first = false;
        writeSpan(trace, span);
        m_out.flushIfFull();
    }
}

void ZipkinJsonWriter::appendTag(std::string_view key, std::string_view value)
{
    std::string& out = m_out.buffer();
    if (!m_firstTag)
        out += ',';
    m_firstTag = false;
    appendJsonString(out, key);
    out += ':';
    appendJsonString(out, value);
}

void ZipkinJsonWriter::writeSpan(const Trace& trace, const Span& span)
{
    std::string& out = m_out.buffer();
    out += "{\"traceId\":\"";
    out += m_traceId;
    out += "\",\"id\":\"";
    WriterOutput::appendHex(out, span.id);
    out += '"';
    if (span.parentId != 0) {
        out += ",\"parentId\":\"";
        WriterOutput::appendHex(out, span.parentId);
        out += '"';
    }
    out += ",\"name\":";
    appendJsonString(out, trace.operationName(span));
    if (const char* kind = zipkinKind(span.kind)) {
        out += ",\"kind\":\"";
        out += kind;
        out += '"';
    }
    out += ",\"timestamp\":";
    WriterOutput::appendMicros(out, span.startNs);
    out += ",\"duration\":";
    WriterOutput::appendInt(out, std::max<qint64>(1, span.durationNs / 1000));

    out += ",\"localEndpoint\":{\"serviceName\":";
    appendJsonString(out, trace.serviceName(span));
    if (span.resource != kNoIndex) {
        const Range resource = trace.resources[span.resource].attributes;
        std::string_view ip = findString(trace, resource, "host.ip");
        if (ip.empty())
            ip = findString(trace, resource, "net.host.ip");
        if (!ip.empty()) {
            out += ip.find(':') == std::string_view::npos ? ",\"ipv4\":" : ",\"ipv6\":";
            appendJsonString(out, ip);
        }
    }
    out += '}';
    if (span.kind == SpanKind::Client || span.kind == SpanKind::Producer || span.kind == SpanKind::Consumer) {
        const std::string_view peer = findString(trace, span.attributes, "peer.service");
        if (!peer.empty()) {
            out += ",\"remoteEndpoint\":{\"serviceName\":";
            appendJsonString(out, peer);
            out += '}';
        }
    }

    if (span.events.count != 0) {
        out += ",\"annotations\":[";
        for (quint32 e = span.events.begin; e < span.events.end(); ++e) {
            const Event& event = trace.events[e];
            if (e != span.events.begin)
                out += ',';
            out += "{\"timestamp\":";
            WriterOutput::appendMicros(out, event.timeNs);
            out += ",\"value\":";
            m_text.assign(trace.string(event.name));
            if (event.attributes.count != 0) {
                std::vector<std::pair<std::string, AttributeValue>> entries;
                for (quint32 i = event.attributes.begin; i < event.attributes.end(); ++i) {
                    const Attribute& a = trace.attributes[i];
                    entries.emplace_back(std::string(trace.string(a.key)), AttributeValue::valueOf(trace, a));
                }
                m_text += ": ";
                m_text += AttributeValue::keyValueList(std::move(entries)).toDisplayString();
            }
            appendJsonString(out, m_text);
            out += '}';
        }
        out += ']';
    }

    out += ",\"tags\":{";
    m_firstTag = true;
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        m_text.clear();
        WriterOutput::appendAttributeText(m_text, trace, a);
        appendTag(trace.string(a.key), m_text);
    }
    if (span.status != StatusCode::Unset)
        appendTag("otel.status_code", span.status == StatusCode::Error ? "ERROR" : "OK");
    if (span.status == StatusCode::Error) {
        const std::string_view message = trace.text(span.statusMessage);
        appendTag("error", message.empty() ? std::string_view("true") : message);
    } else if (span.statusMessage.size != 0) {
        appendTag("otel.status_description", trace.text(span.statusMessage));
    }
    if (span.scope != kNoIndex) {
        const Scope& scope = trace.scopes[span.scope];
        if (scope.name != 0)
            appendTag("otel.scope.name", trace.string(scope.name));
        if (scope.version.size != 0)
            appendTag("otel.scope.version", trace.text(scope.version));
    }
    if (span.traceState.size != 0)
        appendTag("w3c.tracestate", trace.text(span.traceState));
    out += "}}";
}

} // namespace tracemap
