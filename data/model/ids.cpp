#include "model/ids.h"

#include <array>

namespace tracemap {

namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<quint64> parseHex64(std::string_view hex)
{
    if (hex.empty() || hex.size() > 16)
        return std::nullopt;
    quint64 value = 0;
    for (char c : hex) {
        const int d = hexDigit(c);
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
        if (c.unicode() > 0x7f || hexDigit(char(c.unicode())) < 0)
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
    static const std::array<signed char, 256> table = [] {
        std::array<signed char, 256> t {};
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        t['-'] = 62;
        t['_'] = 63;
        return t;
    }();
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    std::string out;
    out.reserve(text.size() * 3 / 4);
    quint32 buffer = 0;
    int bits = 0;
    for (unsigned char c : text) {
        const int v = table[c];
        if (v < 0)
            return std::nullopt;
        buffer = (buffer << 6) | quint32(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    if (bits >= 6) // a lone trailing character cannot encode a whole byte
        return std::nullopt;
    return out;
}

std::string encodeBase64(std::string_view bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const quint32 n
            = (quint32(quint8(bytes[i])) << 16) | (quint32(quint8(bytes[i + 1])) << 8) | quint8(bytes[i + 2]);
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
        out.push_back(alphabet[n & 63]);
    }
    if (i < bytes.size()) {
        quint32 n = quint32(quint8(bytes[i])) << 16;
        if (i + 1 < bytes.size())
            n |= quint32(quint8(bytes[i + 1])) << 8;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

} // namespace tracemap
