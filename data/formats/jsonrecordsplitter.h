#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

struct JsonRecord {
    std::string_view text;
    size_t offset = 0; // of text in the input
    std::string_view envelope; // the envelope key the record was found under ("data", "resourceSpans", …) or ""
};

/// Cuts a JSON input into records that can be parsed one at a time, so memory stays bounded however large the
/// file is. A record is an element of an envelope array — `{"data":[…]}` (Jaeger), `{"resourceSpans":[…]}` /
/// `{"batches":[…]}` (OTLP, Tempo), `{"result":{"resourceSpans":[…]}}` (Jaeger api_v3), a bare top-level array
/// (Zipkin, Jaeger span arrays), arrays nested in it (Zipkin lists of traces) — or else a whole top-level value.
/// Several top-level values in a row (JSON Lines) are read one after the other.
///
/// It checks structure only (brackets, strings, where values may stand), without recursion, and throws
/// ParseError at the first byte that breaks it, e.g. a truncated file. Values inside records are left to the
/// format parser.
class JsonRecordSplitter {
public:
    explicit JsonRecordSplitter(std::string_view input);

    std::optional<JsonRecord> next();
    size_t position() const { return m_pos; }

    /// Skips one JSON value starting at pos (after whitespace); returns the offset just past it.
    static size_t skipValue(std::string_view input, size_t pos);

private:
    enum class Frame { RecordArray, Envelope };
    struct FrameState {
        Frame kind;
        std::string_view key;
        bool expectComma = false;
    };

    static constexpr size_t kMaxFrames = 64;
    void pushFrame(FrameState frame);
    bool isEnvelopeObject(size_t objectStart) const;
    void skipWhitespace();
    [[noreturn]] void fail(size_t at, std::string message) const;

    std::string_view m_input;
    size_t m_pos = 0;
    std::vector<FrameState> m_frames;
};

} // namespace tracemap
