#pragma once

#include "model/spanbatch.h"
#include "model/spandraft.h"

#include <functional>
#include <string_view>

namespace tracemap {

/// Reads binary OTLP traces: a TracesData message or an ExportTraceServiceRequest, which share field 1
/// (repeated ResourceSpans). Each ResourceSpans is decoded on its own, so memory stays bounded by the largest one
/// rather than by the input; the caller may flush the batch in afterRecord. Inputs over 2 GiB are fine as long as
/// no single ResourceSpans is. Throws ParseError pointing at the ResourceSpans that could not be read.
class OtlpProtoParser {
public:
    void parse(std::string_view bytes, SpanBatch& batch, const std::function<void(size_t bytesDone)>& progress = {},
        const std::function<void()>& afterRecord = {});

private:
    SpanDraft m_span;
    ResourceDraft m_resource;
    ScopeDraft m_scope;
};

} // namespace tracemap
