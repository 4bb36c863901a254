#pragma once

#include "model/trace.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tracemap {

/// The binary form of an assembled trace in the cache: a versioned header, then each array of the Trace as it
/// is in memory (little-endian plain data), so encoding is a few memcpy and decoding validates and copies.
/// decode() checks every index and range, so a damaged cache file gives nullopt, never a crash.
class TraceCodec {
public:
    static constexpr quint32 kVersion = 1;

    /// Fills exactly `size` bytes at `out` with the next encoded bytes, or returns false.
    using ByteSource = std::function<bool(char* out, size_t size)>;

    static std::string encode(const Trace& trace);
    static std::optional<Trace> decode(std::string_view bytes);
    /// Decodes `totalBytes` read in order from `source` (a decompressor, say), straight into the trace's arrays.
    static std::optional<Trace> decode(const ByteSource& source, quint64 totalBytes);

    /// True when every range, string id and text reference of the trace is inside its arrays, every span's end is
    /// a qint64, and the spans form a forest (each child one level below the parent it names, roots without one).
    static bool isConsistent(const Trace& trace);
};

} // namespace tracemap
