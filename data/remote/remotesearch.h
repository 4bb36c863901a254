#pragma once

#include "model/tracequery.h"

#include <QString>
#include <QStringList>

#include <limits>
#include <utility>
#include <vector>

namespace tracemap::remote {

/// A trace search as the back ends take it: what the search form holds, plus Tempo's TraceQL.
struct RemoteSearch {
    QString service;
    QString operation;
    std::vector<std::pair<QString, QString>> tags; // Zipkin: an empty key is a bare word of its annotationQuery
    QString traceQl; // Tempo only: replaces service, operation and tags
    qint64 minDurationNs = 0; // 0: none
    qint64 maxDurationNs = 0; // 0: none
    qint64 sinceNs = 0; // the window: required by every back end
    qint64 untilNs = 0;
    int limit = 20;
};

/// A search form's query as a back end takes it: "no bound" (TraceQuery's 0 and max) as none, a finite time range
/// (the last `defaultWindowNs` before now when the form has no start: every API needs one), a limit (20 when the
/// form has none), and Tempo's TraceQL, which then replaces service, operation and tags.
RemoteSearch remoteSearchOf(const TraceQuery& form, const QString& traceQl, qint64 nowNs, qint64 defaultWindowNs);

/// A duration as Go's time.ParseDuration reads it ("1.5s", "250ms", "42us", "7ns"), which Jaeger and Tempo take.
QString goDuration(qint64 ns);
/// RFC 3339 in UTC with nanoseconds ("2026-01-01T00:00:00.000000001Z"), as Jaeger's api_v3 takes times.
QString rfc3339(qint64 ns);

} // namespace tracemap::remote
