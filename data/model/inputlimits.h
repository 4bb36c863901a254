#pragma once

#include <cstddef>
#include <string_view>

namespace tracemap {

/// Limits on what one span may carry, applied as spans are read (AttributeBuffer, SpanBatch), so that a hostile
/// file or request cannot make one trace arbitrarily large. Text over the limit is cut at a UTF-8 character
/// boundary and attributes over the count are dropped, each with a warning on the span; nothing is refused.
namespace limits {

/// An attribute value (string, bytes, or the encoding of an array or key-value list), an attribute key, a name
/// (service, operation, event) or a status message.
inline constexpr size_t kMaxTextBytes = size_t(64) << 10;
/// Attributes of one span, event, link, resource or scope.
inline constexpr size_t kMaxAttributes = 10000;

/// text cut to at most maxBytes without splitting a UTF-8 sequence (bytes values are cut anywhere: pass utf8 false).
inline std::string_view clipped(std::string_view text, size_t maxBytes = kMaxTextBytes, bool utf8 = true)
{
    if (text.size() <= maxBytes)
        return text;
    size_t end = maxBytes;
    if (utf8) {
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80)
            --end;
    }
    return text.substr(0, end);
}

} // namespace limits

} // namespace tracemap
