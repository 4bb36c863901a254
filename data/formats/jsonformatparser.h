#pragma once

#include "model/spanbatch.h"

#include <functional>
#include <string_view>

namespace tracemap {

/// Reads one JSON record of a trace format into spans. A record is what JsonRecordSplitter yields: one element of
/// an envelope array ({"data":[…]}, resourceSpans, a bare array) or a whole document. The buffer stays readable
/// for at least simdjson::SIMDJSON_PADDING bytes past the record's end. Throws ParseError (or simdjson_error,
/// which the pipeline maps) on bad input.
class JsonFormatParser {
public:
    /// Called now and then while a record is parsed, with the parse position: a record can be a whole trace of a
    /// million spans, and the pipeline reports progress (and may cancel, by throwing) from here.
    using PositionHook = std::function<void(const char* position)>;

    virtual ~JsonFormatParser() = default;
    virtual void parseRecord(std::string_view record, SpanBatch& batch) = 0;

    void setPositionHook(PositionHook hook) { m_positionHook = std::move(hook); }

protected:
    /// Parsers call this after each span; one call in kSpansPerReport reaches the hook with `position()`.
    template <typename Position> void spanParsed(Position position)
    {
        if (m_positionHook && ++m_spansSinceReport >= kSpansPerReport) {
            m_spansSinceReport = 0;
            m_positionHook(position());
        }
    }

private:
    static constexpr unsigned kSpansPerReport = 8192;
    PositionHook m_positionHook;
    unsigned m_spansSinceReport = 0;
};

} // namespace tracemap
