#pragma once

#include <QtGlobal>

#include <string>
#include <string_view>

namespace tracemap {

/// Appends `value` as a varint (7 bits a byte, low first), as protobuf writes them; the cache's posting lists and
/// rollup histograms are stored so.
void appendVarint(std::string& out, quint64 value);
/// Reads a varint at `at`, moving `at` past it; false (and `at` anywhere) at a truncated or over-long one.
bool readVarint(std::string_view bytes, size_t& at, quint64& value);

/// Signed values as varints that stay short near zero (protobuf's zigzag: 0, -1, 1, -2 … → 0, 1, 2, 3 …).
inline quint64 zigzag(qint64 v)
{
    return (static_cast<quint64>(v) << 1) ^ static_cast<quint64>(v >> 63);
}
inline qint64 unzigzag(quint64 v)
{
    return static_cast<qint64>(v >> 1) ^ -static_cast<qint64>(v & 1);
}

} // namespace tracemap
