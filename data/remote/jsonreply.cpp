#include "remote/jsonreply.h"

#include <QJsonParseError>

namespace tracemap::remote {

std::expected<QJsonDocument, FetchError> parseJson(const HttpReply& reply, const QUrl& url)
{
    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(reply.body, &error);
    if (error.error != QJsonParseError::NoError) {
        FetchError e;
        e.kind = FetchError::Kind::BadResponse;
        e.message = QStringLiteral("%1: not JSON: %2 (byte %3)")
                        .arg(HttpFetcher::shown(url), error.errorString())
                        .arg(error.offset);
        return std::unexpected(e);
    }
    return document;
}

QStringList sortedStrings(const QJsonValue& array)
{
    QStringList names;
    for (const QJsonValue& v : array.toArray())
        if (v.isString())
            names << v.toString();
    names.sort(Qt::CaseInsensitive);
    names.removeDuplicates();
    return names;
}

qint64 int64Of(const QJsonValue& value)
{
    if (value.isString())
        return value.toString().toLongLong();
    return value.toInteger();
}

} // namespace tracemap::remote
