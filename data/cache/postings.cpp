#include "cache/postings.h"

#include <algorithm>
#include <iterator>

namespace tracemap::cachedetail {

std::string_view utf8(const QByteArray& bytes)
{
    return { bytes.constData(), static_cast<size_t>(bytes.size()) };
}

QString qstring(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

namespace {

void appendVarint(std::string& out, quint64 v)
{
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

} // namespace

std::string encodePostings(const std::vector<qint64>& rows)
{
    std::string out;
    qint64 previous = 0;
    for (qint64 row : rows) {
        appendVarint(out, static_cast<quint64>(row - previous));
        previous = row;
    }
    return out;
}

void decodePostings(std::string_view bytes, std::vector<qint64>& out)
{
    qint64 previous = 0;
    quint64 value = 0;
    int shift = 0;
    for (unsigned char c : bytes) {
        value |= static_cast<quint64>(c & 0x7f) << shift;
        if (c & 0x80) {
            shift += 7;
            if (shift > 63)
                return; // damaged list: stop rather than read nonsense
            continue;
        }
        previous += static_cast<qint64>(value);
        out.push_back(previous);
        value = 0;
        shift = 0;
    }
}

std::vector<qint64> intersect(const std::vector<qint64>& a, const std::vector<qint64>& b)
{
    std::vector<qint64> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

} // namespace tracemap::cachedetail
