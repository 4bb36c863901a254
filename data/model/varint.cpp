#include "model/varint.h"

namespace tracemap {

void appendVarint(std::string& out, quint64 v)
{
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

bool readVarint(std::string_view bytes, size_t& at, quint64& value)
{
    value = 0;
    for (int shift = 0; shift <= 63 && at < bytes.size(); shift += 7) {
        const auto c = static_cast<unsigned char>(bytes[at++]);
        value |= static_cast<quint64>(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

} // namespace tracemap
