#include "cachequeries.h"

#include "cache/tracecache.h"

namespace tracemap::cachequeries {

SearchOutcome search(const QString& cachePath, const TraceQuery& query)
{
    SearchOutcome outcome;
    auto cache = TraceCache::openChecked(cachePath);
    if (!cache) {
        outcome.error = cache.error().message;
        outcome.damaged = cache.error().damaged;
        return outcome;
    }
    auto traces = (*cache)->search(query);
    if (traces)
        outcome.traces = std::move(*traces);
    else
        outcome.error = traces.error();
    outcome.damaged = (*cache)->isDamaged();
    return outcome;
}

std::expected<std::vector<TraceSummary>, QString> find(const QString& cachePath, const TraceQuery& query)
{
    auto cache = TraceCache::open(cachePath);
    if (!cache)
        return std::unexpected(cache.error());
    return (*cache)->search(query);
}

OpenedTrace loadTrace(const QString& cachePath, const TraceId& id)
{
    OpenedTrace outcome;
    auto cache = TraceCache::open(cachePath);
    if (!cache) {
        outcome.error = cache.error();
        return outcome;
    }
    auto trace = (*cache)->loadTrace(id);
    if (trace) {
        outcome.trace = *trace;
        outcome.summary = TraceSummary::of(**trace);
    } else {
        outcome.error = trace.error();
    }
    return outcome;
}

CacheInfo info(const QString& cachePath, const QString& service)
{
    CacheInfo info;
    auto cache = TraceCache::openChecked(cachePath);
    if (!cache) {
        info.error = cache.error().message;
        info.damaged = cache.error().damaged;
        return info;
    }
    info.services = (*cache)->services();
    if (!service.isEmpty())
        info.operations = (*cache)->operations(service);
    info.traces = (*cache)->traceCount();
    info.spans = (*cache)->spanCount();
    if ((*cache)->isDamaged()) { // a count over a damaged page: not zero traces, but a cache to move aside
        info.damaged = true;
        info.error = QStringLiteral("%1: the cache file is damaged: move it aside to start a new cache").arg(cachePath);
    }
    return info;
}

QStringList operations(const QString& cachePath, const QString& service)
{
    auto cache = TraceCache::open(cachePath);
    return cache && !service.isEmpty() ? (*cache)->operations(service) : QStringList();
}

QString clear(const QString& cachePath)
{
    auto cache = TraceCache::open(cachePath);
    if (!cache)
        return cache.error();
    auto cleared = (*cache)->clear();
    return cleared ? QString() : cleared.error();
}

} // namespace tracemap::cachequeries
