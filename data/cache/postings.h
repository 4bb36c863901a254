#pragma once

// Internal to the cache (tracecache.cpp writes, tracecachesearch.cpp searches): the posting lists of the search
// index and the conversions both sides use.

#include "model/varint.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <string>
#include <string_view>
#include <vector>

namespace tracemap::cachedetail {

std::string_view utf8(const QByteArray& bytes);
QString qstring(std::string_view s);
using tracemap::appendVarint;
using tracemap::readVarint;
/// A posting list: trace rows in ascending order, delta-encoded as varints.
std::string encodePostings(const std::vector<qint64>& rows);
/// Appends the rows of a posting list to `out`; stops at a damaged list rather than read nonsense.
void decodePostings(std::string_view bytes, std::vector<qint64>& out);
/// The rows in both sorted lists.
std::vector<qint64> intersect(const std::vector<qint64>& a, const std::vector<qint64>& b);

} // namespace tracemap::cachedetail
