#include "model/ids.h"

#include <QByteArray>

#include <array>

namespace tracemap {

namespace {

std::optional<quint64> parseHex64(std::string_view hex)
{
    if (hex.empty() || hex.size() > 16)
        return std::nullopt;
    quint64 value = 0;
    for (char c : hex) {
        const int d = hexDigitValue(c);
        if (d < 0)
            return std::nullopt;
        value = (value << 4) | quint64(d);
    }
    return value;
}

void appendHex64(std::string& out, quint64 v)
{
    static constexpr char digits[] = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4)
        out.push_back(digits[(v >> shift) & 0xf]);
}

quint64 readBigEndian(std::string_view bytes)
{
    quint64 v = 0;
    for (unsigned char c : bytes)
        v = (v << 8) | c;
    return v;
}

} // namespace

std::string TraceId::toHex() const
{
    std::string out;
    out.reserve(32);
    if (high != 0)
        appendHex64(out, high);
    appendHex64(out, low);
    return out;
}

std::string TraceId::toFullHex() const
{
    std::string out;
    out.reserve(32);
    appendHex64(out, high);
    appendHex64(out, low);
    return out;
}

std::optional<SpanId> spanIdFromHex(std::string_view hex)
{
    return parseHex64(hex);
}

std::optional<TraceId> traceIdFromHex(std::string_view hex)
{
    if (hex.empty() || hex.size() > 32)
        return std::nullopt;
    TraceId id;
    if (hex.size() > 16) {
        const auto high = parseHex64(hex.substr(0, hex.size() - 16));
        const auto low = parseHex64(hex.substr(hex.size() - 16));
        if (!high || !low)
            return std::nullopt;
        id.high = *high;
        id.low = *low;
    } else {
        const auto low = parseHex64(hex);
        if (!low)
            return std::nullopt;
        id.low = *low;
    }
    return id;
}

std::optional<TraceId> traceIdFromBytes(std::string_view bytes)
{
    if (bytes.size() == 16)
        return TraceId { readBigEndian(bytes.substr(0, 8)), readBigEndian(bytes.substr(8)) };
    if (bytes.size() == 8)
        return TraceId { 0, readBigEndian(bytes) };
    return std::nullopt;
}

std::optional<SpanId> spanIdFromBytes(std::string_view bytes)
{
    if (bytes.size() != 8)
        return std::nullopt;
    return readBigEndian(bytes);
}

std::string spanIdToHex(SpanId id)
{
    std::string out;
    out.reserve(16);
    appendHex64(out, id);
    return out;
}

std::expected<TraceId, QString> parseTraceIdText(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    auto refuse = [&](const QString& why) {
        return std::unexpected(QStringLiteral("'%1' is not a trace id: %2").arg(trimmed.toString(), why));
    };
    if (trimmed.isEmpty())
        return std::unexpected(QStringLiteral("an empty trace id"));
    if (trimmed.size() > 32)
        return refuse(QStringLiteral("%1 characters, at most 32 hex digits expected").arg(trimmed.size()));
    for (const QChar c : trimmed) {
        if (c.unicode() > 0x7f || hexDigitValue(char(c.unicode())) < 0)
            return refuse(QStringLiteral("'%1' is not a hex digit").arg(c));
    }
    const QByteArray latin1 = trimmed.toLatin1();
    const auto id = traceIdFromHex(std::string_view(latin1.constData(), size_t(latin1.size())));
    if (!id || !id->isValid())
        return refuse(QStringLiteral("all zeros"));
    return *id;
}

std::expected<std::vector<TraceId>, QString> parseTraceIdList(QStringView text)
{
    std::vector<TraceId> ids;
    qsizetype begin = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != QLatin1Char(',') && !text[i].isSpace())
            continue;
        if (i > begin) {
            const auto id = parseTraceIdText(text.sliced(begin, i - begin));
            if (!id)
                return std::unexpected(id.error());
            ids.push_back(*id);
        }
        begin = i + 1;
    }
    return ids;
}

std::optional<std::string> decodeBase64(std::string_view text)
{
    const QByteArray input = QByteArray::fromRawData(text.data(), static_cast<qsizetype>(text.size()));
    // Qt takes a lone trailing character as a truncated byte; it cannot encode one, so it is an error here.
    qsizetype length = input.size();
    while (length > 0 && input[length - 1] == '=')
        --length;
    if (length % 4 == 1)
        return std::nullopt;
    // The standard alphabet, else the URL-safe one (Tempo and protobuf's JSON mapping write either); padding
    // optional.
    for (const auto alphabet : { QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding }) {
        if (const auto decoded
            = QByteArray::fromBase64Encoding(input, alphabet | QByteArray::AbortOnBase64DecodingErrors)) {
            return std::string(decoded.decoded.constData(), static_cast<size_t>(decoded.decoded.size()));
        }
    }
    return std::nullopt;
}

std::string encodeBase64(std::string_view bytes)
{
    const QByteArray encoded = QByteArray::fromRawData(bytes.data(), static_cast<qsizetype>(bytes.size())).toBase64();
    return std::string(encoded.constData(), static_cast<size_t>(encoded.size()));
}

} // namespace tracemap
