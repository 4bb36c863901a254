#pragma once

#include "spanbatch.h"

#include <string_view>

namespace tracemap {

/// Reads one JSON record of a trace format into spans. A record is what JsonRecordSplitter yields: one element of
/// an envelope array ({"data":[…]}, resourceSpans, a bare array) or a whole document. The buffer stays readable
/// for at least simdjson::SIMDJSON_PADDING bytes past the record's end. Throws ParseError (or simdjson_error,
/// which the pipeline maps) on bad input.
class JsonFormatParser {
public:
    virtual ~JsonFormatParser() = default;
    virtual void parseRecord(std::string_view record, SpanBatch& batch) = 0;
};

} // namespace tracemap
