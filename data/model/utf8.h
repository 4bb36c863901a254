#pragma once

#include <string>
#include <string_view>

namespace tracemap {

/// UTF-8 as the standard defines it, checked by one validator, simdjson's (vectorised, and strict: no surrogates,
/// no overlong forms, nothing past U+10FFFF). Every reader and writer that must know asks here.
bool isValidUtf8(std::string_view text);
/// The first byte of `text` that starts no valid UTF-8 sequence, or npos: where an error message should point.
size_t firstInvalidUtf8(std::string_view text);
/// The text with each invalid sequence replaced by U+FFFD; valid text comes back as it was.
std::string repairedUtf8(std::string_view text);

} // namespace tracemap
