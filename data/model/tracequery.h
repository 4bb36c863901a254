#pragma once

#include "model/ids.h"

#include <QMetaType>
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
    /// Only these traces (parseTraceIdList reads them from text); the other fields still filter. An id with
    /// high == 0 (16 hex digits or fewer) matches every trace whose low 64 bits it is, whatever the high half,
    /// as Zipkin's non-strict lookup does: a 64-bit id from a system that shortens 128-bit ids still finds the
    /// trace. A 128-bit id matches exactly.
    std::vector<TraceId> traceIds;
    qint64 minDurationNs = 0;
    qint64 maxDurationNs = std::numeric_limits<qint64>::max();
    qint64 sinceNs = std::numeric_limits<qint64>::min();
    qint64 untilNs = std::numeric_limits<qint64>::max();
    int limit = 20;
};

/// "150ms", "2s", "1.5m", "300us", "42ns", "1h" (Go-style units), and for lookbacks "30d", "2w" (24-hour days,
/// 7-day weeks) to nanoseconds. A bare number is milliseconds.
std::optional<qint64> parseDuration(const QString& text);
/// A tag value as logfmt writes it (the search form's Tags field, Tempo's `tags`): bare when it has no space, quote,
/// backslash or '=', else in double quotes with a backslash before quotes and backslashes.
QString logfmtValue(const QString& value);
/// Nanoseconds to a short human form: "812 µs", "12.3 ms", "2.41 s".
QString formatDuration(qint64 ns);
/// An absolute time: ISO 8601 ("2026-11-26T10:00:00Z") or relative to now ("-1h", "15m", "30d", "2w" meaning that
/// long ago).
std::optional<qint64> parseTimePoint(const QString& text, qint64 nowNs);

} // namespace tracemap

// Queries cross threads and signals (the search form, the map panel).
Q_DECLARE_METATYPE(tracemap::TraceQuery)
