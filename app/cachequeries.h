#pragma once

#include "model/ids.h"
#include "model/trace.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QString>
#include <QStringList>

#include <expected>
#include <memory>
#include <vector>

namespace tracemap {

/// What the window asks of the cache, each a blocking call that opens the cache at `cachePath` itself: made to run
/// on the window's cache worker (runOnWorker), so the window only wires the answers to its views.
namespace cachequeries {

struct SearchOutcome {
    std::vector<TraceSummary> traces;
    QString error;
    bool damaged = false; // the cache file is damaged (DamagedCachePrompt)
};
SearchOutcome search(const QString& cachePath, const TraceQuery& query);

/// The traces a query finds, or why the cache could not be searched.
std::expected<std::vector<TraceSummary>, QString> find(const QString& cachePath, const TraceQuery& query);

struct OpenedTrace {
    std::shared_ptr<const Trace> trace;
    TraceSummary summary; // a pass over every span: done on the worker, not on the GUI thread
    QString error;
};
OpenedTrace loadTrace(const QString& cachePath, const TraceId& id);

struct CacheInfo {
    QStringList services;
    QStringList operations; // of `service`, when one is given
    qint64 traces = 0;
    qint64 spans = 0;
    QString error;
    bool damaged = false; // the cache file is damaged (DamagedCachePrompt)
};
CacheInfo info(const QString& cachePath, const QString& service);

/// The operations of `service` (none when it is empty or the cache cannot be opened).
QStringList operations(const QString& cachePath, const QString& service);

/// Empties the cache; the error, or an empty string.
QString clear(const QString& cachePath);

} // namespace cachequeries

} // namespace tracemap
