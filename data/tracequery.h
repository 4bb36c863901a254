#pragma once

#include <QString>

#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace tracemap {

/// A trace search, as Jaeger's search form has it. Empty fields do not filter.
struct TraceQuery {
    QString service;
    QString operation; // of the service when one is given, else of any service
    std::vector<std::pair<QString, QString>> tags; // key=value, all must match (span or resource attributes)
    std::optional<std::pair<QString, QString>> edge; // traces with a call from the first service to the second
    std::vector<qint64> imports; // only traces these imports wrote or found in the cache (ImportSummary::importId)
    qint64 minDurationNs = 0;
    qint64 maxDurationNs = std::numeric_limits<qint64>::max();
    qint64 sinceNs = std::numeric_limits<qint64>::min();
    qint64 untilNs = std::numeric_limits<qint64>::max();
    int limit = 20;
};

/// "150ms", "2s", "1.5m", "300us", "42ns", "1h" (Go-style units) to nanoseconds.
std::optional<qint64> parseDuration(const QString& text);
/// Nanoseconds to a short human form: "812 µs", "12.3 ms", "2.41 s".
QString formatDuration(qint64 ns);
/// An absolute time: ISO 8601 ("2026-11-26T10:00:00Z") or relative to now ("-1h", "15m" meaning that long ago).
std::optional<qint64> parseTimePoint(const QString& text, qint64 nowNs);

} // namespace tracemap
