#pragma once

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <array>
#include <compare>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

using SpanId = quint64;

/// A 128-bit trace id. Jaeger and Zipkin write 64-bit ids too; those have high() == 0.
struct TraceId {
    quint64 high = 0;
    quint64 low = 0;

    bool isValid() const { return high != 0 || low != 0; }
    auto operator<=>(const TraceId&) const = default;

    /// 32 lowercase hex characters (16 when the high half is zero, as Jaeger writes them).
    std::string toHex() const;
    std::string toFullHex() const;
};

/// The value of a hex digit (either case), or -1. A table: ids are parsed for every span of every file.
inline int hexDigitValue(char c)
{
    static constexpr auto kValues = [] {
        std::array<qint8, 256> values {};
        values.fill(-1);
        for (int i = 0; i < 10; ++i)
            values['0' + i] = qint8(i);
        for (int i = 0; i < 6; ++i) {
            values['a' + i] = qint8(10 + i);
            values['A' + i] = qint8(10 + i);
        }
        return values;
    }();
    return kValues[static_cast<unsigned char>(c)];
}

/// Parses 1..16 hex digits (left-padded, as Zipkin and Jaeger allow short ids). Case-insensitive.
std::optional<SpanId> spanIdFromHex(std::string_view hex);
/// Parses 1..32 hex digits into a trace id, left-padded.
std::optional<TraceId> traceIdFromHex(std::string_view hex);
/// Trace and span ids given as raw big-endian bytes (protobuf, and base64 in Tempo's JSON).
std::optional<TraceId> traceIdFromBytes(std::string_view bytes);
std::optional<SpanId> spanIdFromBytes(std::string_view bytes);

std::string spanIdToHex(SpanId id);

/// A trace id as a person types or pastes it: 32 hex digits (128 bits), 16 (64 bits), or fewer with the leading
/// zeros trimmed, as Tempo prints them (padded back). Spaces around it are ignored, case does not matter. An id
/// of 16 digits or fewer has high() == 0: TraceQuery::traceIds then matches it against the low 64 bits of each
/// trace (see there). The error says what is wrong with the text, quoting it.
std::expected<TraceId, QString> parseTraceIdText(QStringView text);
/// Several such ids separated by commas or spaces (empty items are skipped). Fails on the first bad one.
std::expected<std::vector<TraceId>, QString> parseTraceIdList(QStringView text);

/// Decodes standard or URL-safe base64 (padding optional). Returns nullopt on a character outside the alphabet.
std::optional<std::string> decodeBase64(std::string_view text);
std::string encodeBase64(std::string_view bytes);

struct TraceIdHash {
    size_t operator()(const TraceId& id) const noexcept
    {
        return std::hash<quint64>()(id.high * 0x9E3779B97F4A7C15ull ^ id.low);
    }
};

} // namespace tracemap
