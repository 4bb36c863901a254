#pragma once

#include "remote/httpfetcher.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <expected>

namespace tracemap::remote {

/// The small JSON answers of the query APIs (lists of services, search summaries), read with Qt's JSON: a
/// trace body never goes through here, it goes to the importer.
std::expected<QJsonDocument, FetchError> parseJson(const HttpReply& reply, const QUrl& url);
/// The strings of an array (others skipped), sorted and without repeats, as a combo box lists them.
QStringList sortedStrings(const QJsonValue& array);
/// A 64-bit figure written as a number or, as protobuf's JSON writes 64-bit values, as a string; 0 otherwise.
qint64 int64Of(const QJsonValue& value);

} // namespace tracemap::remote
