#pragma once

#include "metrics/spanrollups.h"
#include "model/trace.h"

#include <QString>

#include <limits>

namespace tracemap {

/// What a monitoring view looks at: one service (or all), one of its operations (or all), entry spans only (the
/// default, as Jaeger's Monitor tab) or every kind, in a time range.
struct MonitorScope {
    QString service;
    QString operation;
    bool allKinds = false;
    qint64 sinceNs = std::numeric_limits<qint64>::min();
    qint64 untilNs = std::numeric_limits<qint64>::max();

    bool matches(const SeriesKey& key) const;
    /// The same test on a span, and its start inside the range.
    bool matches(const Trace& trace, const Span& span) const;
};

} // namespace tracemap
