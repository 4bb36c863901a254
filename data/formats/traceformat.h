#pragma once

#include <QString>

#include <string_view>

namespace tracemap {

enum class TraceFormat { Unknown, JaegerJson, ZipkinV1Json, ZipkinV2Json, OtlpJson, OtlpProto, ZipkinV2Proto };

QString traceFormatName(TraceFormat format);

/// Recognises a format from the content alone: the envelope key the first record came from and the member names
/// of that record (JSON), or the protobuf shape of the first bytes. Never from the file name.
TraceFormat detectJsonFormat(std::string_view envelopeKey, std::string_view firstRecord);
/// A record of Jaeger's dependency-link format ({"parent", "child", "callCount"}): service-map data, not spans.
bool looksLikeDependencyLinks(std::string_view firstRecord);
bool looksLikeProtobuf(std::string_view bytes);
/// OtlpProto or ZipkinV2Proto for bytes that look like protobuf (a Zipkin ListOfSpans has its own first fields).
TraceFormat detectProtobufFormat(std::string_view bytes);
bool isProtobufFormat(TraceFormat format);

} // namespace tracemap
