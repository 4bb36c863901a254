#pragma once

#include "formats/zipkinspanmapper.h"

#include <functional>
#include <string_view>

namespace tracemap {

/// Reads Zipkin's proto3 `ListOfSpans` (the v2 model: ids as raw bytes, times in microseconds, tags a map) into the
/// same spans the Zipkin v2 JSON reader gives, through the shared ZipkinSpanMapper. Each Span is decoded on its own,
/// so memory is bounded by the largest span, not by the input. Throws ParseError pointing at the span that could
/// not be read (truncated, an id of the wrong size, a time out of range).
class ZipkinProtoParser {
public:
    ZipkinProtoParser();
    void parse(std::string_view bytes, SpanBatch& batch, const std::function<void(size_t bytesDone)>& progress = {},
        const std::function<void()>& afterSpan = {});

    /// Whether bytes start like a ListOfSpans rather than an OTLP request: a span's 8- or 16-byte trace_id, an
    /// optional 8-byte parent_id, then its 8-byte id.
    static bool looksLikeListOfSpans(std::string_view bytes);

private:
    ZipkinSpanMapper m_mapper;
};

} // namespace tracemap
