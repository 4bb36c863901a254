#include "formats/jsonrecordsplitter.h"
#include "formats/parseerror.h"

#include <QtGlobal>

#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace tracemap {

namespace {

constexpr std::array<std::string_view, 6> kEnvelopeKeys { "data", "result", "resourceSpans", "batches", "trace",
    "resource_spans" };

bool isEnvelopeKey(std::string_view key)
{
    for (auto k : kEnvelopeKeys) {
        if (k == key)
            return true;
    }
    return false;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string describe(std::string_view input, size_t pos)
{
    if (pos >= input.size())
        return "the end of the file";
    const char c = input[pos];
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "byte 0x%02x", static_cast<unsigned char>(c));
        return buffer;
    }
    return std::string("'") + c + "'";
}

[[noreturn]] void failAt(std::string_view input, size_t at, std::string message)
{
    throw ParseError { input.data() + std::min(at, input.size()), std::move(message) };
}

// Offset of the closing quote of the string whose opening quote is at `open`.
size_t endOfString(std::string_view s, size_t open)
{
    size_t i = open + 1;
    const char* data = s.data();
    const size_t n = s.size();
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        while (i + 16 <= n) {
            const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
            const int mask
                = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash)));
            if (mask) {
                i += __builtin_ctz(static_cast<unsigned>(mask));
                break;
            }
            i += 16;
        }
#endif
        while (i < n && data[i] != '"' && data[i] != '\\')
            ++i;
        if (i >= n)
            failAt(s, n, "unexpected end of file inside a string that starts at byte " + std::to_string(open));
        if (data[i] == '"')
            return i;
        i += 2; // a backslash escapes the next character
    }
}

#ifdef __SSE2__
struct BlockMasks {
    quint64 quotes = 0;
    quint64 backslashes = 0;
    quint64 brackets = 0;
};

// Bit k set when byte k of the 64-byte block is a quote, a backslash, or one of [ ] { }.
BlockMasks blockMasks(const char* block)
{
    BlockMasks m;
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i noCase = _mm_set1_epi8(static_cast<char>(0xDF)); // '{' & 0xDF == '[', '}' & 0xDF == ']'
    const __m128i open = _mm_set1_epi8('[');
    const __m128i close = _mm_set1_epi8(']');
    for (int k = 0; k < 4; ++k) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * k));
        const __m128i folded = _mm_and_si128(bytes, noCase);
        const auto shift = 16 * k;
        m.quotes |= static_cast<quint64>(static_cast<quint16>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quote))))
            << shift;
        m.backslashes |= static_cast<quint64>(static_cast<quint16>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, backslash))))
            << shift;
        m.brackets |= static_cast<quint64>(static_cast<quint16>(
                          _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)))))
            << shift;
    }
    return m;
}
#endif

// Offset of the next '"', '{', '}', '[' or ']' at or after i, or n.
size_t nextStructural(const char* data, size_t n, size_t i)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i openBrace = _mm_set1_epi8('{');
    const __m128i closeBrace = _mm_set1_epi8('}');
    const __m128i openBracket = _mm_set1_epi8('[');
    const __m128i closeBracket = _mm_set1_epi8(']');
    while (i + 16 <= n) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
        const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, openBrace)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, closeBrace), _mm_cmpeq_epi8(block, openBracket)),
                _mm_cmpeq_epi8(block, closeBracket)));
        const int mask = _mm_movemask_epi8(hits);
        if (mask)
            return i + __builtin_ctz(static_cast<unsigned>(mask));
        i += 16;
    }
#endif
    while (i < n && data[i] != '"' && data[i] != '{' && data[i] != '}' && data[i] != '[' && data[i] != ']')
        ++i;
    return i;
}

} // namespace

JsonRecordSplitter::JsonRecordSplitter(std::string_view input)
    : m_input(input)
{
    // A UTF-8 byte order mark is not JSON, but editors write it.
    if (m_input.substr(0, 3) == "\xEF\xBB\xBF")
        m_pos = 3;
}

void JsonRecordSplitter::pushFrame(FrameState frame)
{
    // Trace formats wrap their records in a few envelopes at most; anything deeper is not trace data, and a
    // hostile file ([[[[…]]]] a million times) must get a clear error rather than a huge frame stack.
    if (m_frames.size() >= kMaxFrames)
        fail(m_pos,
            "JSON nested deeper than " + std::to_string(kMaxFrames)
                + " arrays or envelope objects around the trace records: this is not trace data");
    m_frames.push_back(frame);
}

void JsonRecordSplitter::fail(size_t at, std::string message) const
{
    failAt(m_input, at, std::move(message));
}

void JsonRecordSplitter::skipWhitespace()
{
    while (m_pos < m_input.size() && isSpace(m_input[m_pos]))
        ++m_pos;
}

size_t JsonRecordSplitter::skipValue(std::string_view s, size_t pos)
{
    while (pos < s.size() && isSpace(s[pos]))
        ++pos;
    if (pos >= s.size())
        failAt(s, pos, "unexpected end of file; expected a value");
    const char first = s[pos];
    if (first == '"')
        return endOfString(s, pos) + 1;
    if (first != '{' && first != '[') {
        const size_t begin = pos;
        while (pos < s.size() && !isSpace(s[pos]) && s[pos] != ',' && s[pos] != ']' && s[pos] != '}' && s[pos] != ':')
            ++pos;
        if (pos == begin)
            failAt(s, pos, "expected a value, found " + describe(s, pos));
        return pos;
    }
    // Containers: track the kind of every open bracket (an explicit stack, not recursion, so 100,000-deep
    // input is just a long string here) and check that each closes with its own kind.
    std::string open;
    const char* data = s.data();
    const size_t n = s.size();
    size_t i = pos;
    auto bracket = [&](size_t at) -> bool { // true when the value is complete
        const char c = data[at];
        if (c == '{' || c == '[') {
            open.push_back(c);
            return false;
        }
        const char expected = c == '}' ? '{' : '[';
        if (open.empty() || open.back() != expected)
            failAt(s, at, std::string("unexpected '") + c + "'; expected '" + (open.back() == '{' ? '}' : ']') + "'");
        open.pop_back();
        return open.empty();
    };
    for (;;) {
#ifdef __SSE2__
        // Fast path, 64 bytes at a time while no backslash is in sight and we start outside a string: quotes
        // pair up, a prefix XOR of the quote bits marks the bytes inside strings, and the brackets left over
        // are the structure.
        while (i + 64 <= n) {
            const BlockMasks m = blockMasks(data + i);
            if (m.backslashes)
                break;
            quint64 inString = m.quotes;
            inString ^= inString << 1;
            inString ^= inString << 2;
            inString ^= inString << 4;
            inString ^= inString << 8;
            inString ^= inString << 16;
            inString ^= inString << 32;
            for (quint64 structure = m.brackets & ~inString; structure; structure &= structure - 1) {
                const size_t at = i + static_cast<size_t>(__builtin_ctzll(structure));
                if (bracket(at))
                    return at + 1;
            }
            if (__builtin_popcountll(m.quotes) & 1) {
                // A string opens at the block's last quote: let the scalar scanner find its end.
                i = endOfString(s, i + 63 - static_cast<size_t>(__builtin_clzll(m.quotes))) + 1;
                continue;
            }
            i += 64;
        }
#endif
        i = nextStructural(data, n, i);
        if (i >= n) {
            failAt(s, n,
                std::string("unexpected end of file; expected '") + (open.back() == '{' ? '}' : ']') + "' to close the "
                    + (open.back() == '{' ? "object" : "array") + " opened at depth " + std::to_string(open.size()));
        }
        if (data[i] == '"') {
            i = endOfString(s, i) + 1;
            continue;
        }
        if (bracket(i))
            return i + 1;
        ++i;
    }
}

bool JsonRecordSplitter::isEnvelopeObject(size_t objectStart) const
{
    // Walks the object's keys, skipping values, until a key that wraps records appears.
    size_t pos = objectStart + 1;
    const size_t n = m_input.size();
    for (;;) {
        while (pos < n && isSpace(m_input[pos]))
            ++pos;
        if (pos >= n || m_input[pos] == '}')
            return false;
        if (m_input[pos] == ',') {
            ++pos;
            continue;
        }
        if (m_input[pos] != '"')
            return false; // malformed: let the record parser report it precisely
        const size_t close = endOfString(m_input, pos);
        const std::string_view key = m_input.substr(pos + 1, close - pos - 1);
        pos = close + 1;
        while (pos < n && isSpace(m_input[pos]))
            ++pos;
        if (pos >= n || m_input[pos] != ':')
            return false;
        ++pos;
        while (pos < n && isSpace(m_input[pos]))
            ++pos;
        if (isEnvelopeKey(key) && pos < n && (m_input[pos] == '[' || m_input[pos] == '{'))
            return true;
        pos = skipValue(m_input, pos);
    }
}

std::optional<JsonRecord> JsonRecordSplitter::next()
{
    for (;;) {
        skipWhitespace();
        if (m_frames.empty()) {
            if (m_pos >= m_input.size())
                return std::nullopt;
            const char c = m_input[m_pos];
            if (c == '[') {
                pushFrame({ Frame::RecordArray, {} });
                ++m_pos;
                continue;
            }
            if (c == '{') {
                if (isEnvelopeObject(m_pos)) {
                    pushFrame({ Frame::Envelope, {} });
                    ++m_pos;
                    continue;
                }
                const size_t begin = m_pos;
                m_pos = skipValue(m_input, m_pos);
                return JsonRecord { m_input.substr(begin, m_pos - begin), begin, {} };
            }
            fail(m_pos, "expected '{' or '[' at the start of a JSON document, found " + describe(m_input, m_pos));
        }

        FrameState& frame = m_frames.back();
        if (m_pos >= m_input.size())
            fail(m_pos,
                std::string("unexpected end of file; expected ") + (frame.kind == Frame::RecordArray ? "']'" : "'}'"));
        const char c = m_input[m_pos];
        if (frame.kind == Frame::RecordArray) {
            if (c == ']') {
                ++m_pos;
                m_frames.pop_back();
                continue;
            }
            if (frame.expectComma) {
                if (c != ',')
                    fail(m_pos, "expected ',' or ']' after an array element, found " + describe(m_input, m_pos));
                ++m_pos;
                frame.expectComma = false;
                continue;
            }
            frame.expectComma = true;
            if (c == '[') {
                const std::string_view key = frame.key;
                pushFrame({ Frame::RecordArray, key });
                ++m_pos;
                continue;
            }
            const size_t begin = m_pos;
            const std::string_view key = frame.key;
            m_pos = skipValue(m_input, m_pos);
            return JsonRecord { m_input.substr(begin, m_pos - begin), begin, key };
        }

        // Envelope object: walk its keys, descending into the ones that wrap records.
        if (c == '}') {
            ++m_pos;
            m_frames.pop_back();
            continue;
        }
        if (frame.expectComma) {
            if (c != ',')
                fail(m_pos, "expected ',' or '}' after an object member, found " + describe(m_input, m_pos));
            ++m_pos;
            frame.expectComma = false;
            continue;
        }
        if (c != '"')
            fail(m_pos, "expected a member name in quotes, found " + describe(m_input, m_pos));
        const size_t close = endOfString(m_input, m_pos);
        const std::string_view key = m_input.substr(m_pos + 1, close - m_pos - 1);
        m_pos = close + 1;
        skipWhitespace();
        if (m_pos >= m_input.size() || m_input[m_pos] != ':')
            fail(m_pos, "expected ':' after the member name \"" + std::string(key.substr(0, 40)) + '"');
        ++m_pos;
        skipWhitespace();
        frame.expectComma = true;
        if (isEnvelopeKey(key) && m_pos < m_input.size()) {
            if (m_input[m_pos] == '[') {
                pushFrame({ Frame::RecordArray, key });
                ++m_pos;
                continue;
            }
            if (m_input[m_pos] == '{') {
                if (isEnvelopeObject(m_pos)) {
                    pushFrame({ Frame::Envelope, key });
                    ++m_pos;
                    continue;
                }
                const size_t begin = m_pos;
                m_pos = skipValue(m_input, m_pos);
                return JsonRecord { m_input.substr(begin, m_pos - begin), begin, key };
            }
        }
        m_pos = skipValue(m_input, m_pos);
    }
}

} // namespace tracemap
