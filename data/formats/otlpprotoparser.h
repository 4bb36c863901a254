#pragma once

#include "model/spanbatch.h"
#include "model/spandraft.h"

#include <functional>
#include <string_view>

namespace tracemap {

/// Reads binary OTLP traces: a TracesData message or an ExportTraceServiceRequest, which share field 1
/// (repeated ResourceSpans). Each span is decoded on its own (its resource and scope once), so memory stays bounded
/// by the largest span rather than by the input; the caller may flush the batch in afterSpan. Inputs over 2 GiB are
/// fine as long as no single ResourceSpans is. Throws ParseError pointing at the ResourceSpans that could not be
/// read.
class OtlpProtoParser {
public:
    void parse(std::string_view bytes, SpanBatch& batch, const std::function<void(size_t bytesDone)>& progress = {},
        const std::function<void()>& afterSpan = {});

private:
    SpanDraft m_span;
    ResourceDraft m_resource;
    ScopeDraft m_scope;
};

} // namespace tracemap
