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
    quint64 delta = 0;
    for (size_t at = 0; at < bytes.size();) {
        if (!readVarint(bytes, at, delta))
            return; // damaged list: stop rather than read nonsense
        previous += static_cast<qint64>(delta);
        out.push_back(previous);
    }
}

std::vector<qint64> intersect(const std::vector<qint64>& a, const std::vector<qint64>& b)
{
    std::vector<qint64> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

} // namespace tracemap::cachedetail
