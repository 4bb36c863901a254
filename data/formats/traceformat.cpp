#include "formats/traceformat.h"

#include "formats/zipkinprotoparser.h"

namespace tracemap {

QString traceFormatName(TraceFormat format)
{
    switch (format) {
    case TraceFormat::JaegerJson:
        return QStringLiteral("jaeger-json");
    case TraceFormat::ZipkinV1Json:
        return QStringLiteral("zipkin-v1-json");
    case TraceFormat::ZipkinV2Json:
        return QStringLiteral("zipkin-v2-json");
    case TraceFormat::OtlpJson:
        return QStringLiteral("otlp-json");
    case TraceFormat::OtlpProto:
        return QStringLiteral("otlp-proto");
    case TraceFormat::ZipkinV2Proto:
        return QStringLiteral("zipkin-v2-proto");
    case TraceFormat::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

namespace {
bool hasMember(std::string_view record, std::string_view name)
{
    // Member names are looked for as "name" followed by a colon; good enough to tell formats apart, whose
    // member names do not overlap.
    size_t pos = 0;
    while ((pos = record.find(name, pos)) != std::string_view::npos) {
        const size_t end = pos + name.size();
        if (pos > 0 && record[pos - 1] == '"' && end < record.size() && record[end] == '"') {
            size_t i = end + 1;
            while (
                i < record.size() && (record[i] == ' ' || record[i] == '\n' || record[i] == '\r' || record[i] == '\t'))
                ++i;
            if (i < record.size() && record[i] == ':')
                return true;
        }
        pos = end;
    }
    return false;
}
} // namespace

TraceFormat detectJsonFormat(std::string_view envelopeKey, std::string_view record)
{
    if (envelopeKey == "resourceSpans" || envelopeKey == "batches" || envelopeKey == "resource_spans")
        return TraceFormat::OtlpJson;
    if (hasMember(record, "scopeSpans") || hasMember(record, "instrumentationLibrarySpans")
        || hasMember(record, "resourceSpans") || hasMember(record, "scope_spans"))
        return TraceFormat::OtlpJson;
    if (hasMember(record, "spanID") || hasMember(record, "operationName") || hasMember(record, "processes"))
        return TraceFormat::JaegerJson;
    if (hasMember(record, "traceId") || hasMember(record, "id")) {
        if (hasMember(record, "binaryAnnotations") || hasMember(record, "endpoint"))
            return TraceFormat::ZipkinV1Json;
        return TraceFormat::ZipkinV2Json;
    }
    if (hasMember(record, "spanId") || hasMember(record, "startTimeUnixNano"))
        return TraceFormat::OtlpJson;
    return TraceFormat::Unknown;
}

bool looksLikeDependencyLinks(std::string_view firstRecord)
{
    return hasMember(firstRecord, "parent") && hasMember(firstRecord, "child");
}

bool looksLikeProtobuf(std::string_view bytes)
{
    // TracesData / ExportTraceServiceRequest start with field 1, wire type 2 (0x0a), then a varint length, then
    // the ResourceSpans' own first tag (resource = 1 or scope_spans = 2, both length-delimited). The length may
    // run past the end: a truncated file is still protobuf, and the parser then says where it was cut. A JSON
    // document starting with newlines (0x0a too) is recognised by its first other character.
    if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x0a)
        return false;
    const size_t text = bytes.find_first_not_of(" \t\r\n");
    if (text != std::string_view::npos && (bytes[text] == '{' || bytes[text] == '['))
        return false;
    quint64 length = 0;
    size_t i = 1;
    for (int shift = 0; i < bytes.size() && shift < 64; shift += 7, ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        length |= static_cast<quint64>(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    ++i;
    if (i >= bytes.size())
        return length == 0 && i == bytes.size();
    if (length == 0)
        return true;
    const auto tag = static_cast<unsigned char>(bytes[i]);
    return tag == 0x0a || tag == 0x12 || tag == 0x1a;
}

TraceFormat detectProtobufFormat(std::string_view bytes)
{
    if (ZipkinProtoParser::looksLikeListOfSpans(bytes))
        return TraceFormat::ZipkinV2Proto;
    return looksLikeProtobuf(bytes) ? TraceFormat::OtlpProto : TraceFormat::Unknown;
}

bool isProtobufFormat(TraceFormat format)
{
    return format == TraceFormat::OtlpProto || format == TraceFormat::ZipkinV2Proto;
}

} // namespace tracemap
