#include "topologycontroller.h"

#include "dependencylinksreader.h"
#include "topologybuilder.h"
#include "topologyview.h"
#include "tracecache.h"

#include <QFutureWatcher>
#include <QtConcurrent>

#include <expected>

namespace tracemap {

TopologyController::TopologyController(QString cachePath, QThreadPool* worker, TopologyView* view, QObject* parent)
    : QObject(parent)
    , m_cachePath(std::move(cachePath))
    , m_worker(worker)
    , m_view(view)
{
}

void TopologyController::setScope(Scope scope)
{
    m_scope = scope;
    refresh();
}

void TopologyController::setSearchResults(std::vector<TraceId> traces)
{
    m_results = std::move(traces);
    if (m_scope == Scope::SearchResults)
        refresh();
}

void TopologyController::deliver(quint64 generation, QFuture<Outcome> future)
{
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, generation] {
        Outcome outcome = watcher->result();
        watcher->deleteLater();
        if (generation != m_generation)
            return; // a newer request is on its way
        if (!outcome) {
            Q_EMIT failed(outcome.error());
            return;
        }
        m_view->setTopology(std::move(*outcome));
    });
    watcher->setFuture(std::move(future));
}

void TopologyController::setCurrentTrace(const TraceId& trace)
{
    m_currentTrace = trace;
    if (m_scope == Scope::CurrentTrace)
        refresh();
}

void TopologyController::refresh()
{
    const quint64 generation = ++m_generation;
    const QString path = m_cachePath;
    const bool whole = m_scope == Scope::WholeCache;
    const std::vector<TraceId> results = m_scope == Scope::CurrentTrace
        ? (m_currentTrace.isValid() ? std::vector<TraceId> { m_currentTrace } : std::vector<TraceId>())
        : m_results;
    deliver(generation, QtConcurrent::run(m_worker, [path, whole, results]() -> Outcome {
        auto cache = TraceCache::open(path);
        if (!cache)
            return std::unexpected(cache.error());
        TopologyBuilder builder;
        if (whole) {
            auto done = (*cache)->forEachTrace([&](const Trace& trace) {
                builder.add(trace);
                return true;
            });
            if (!done)
                return std::unexpected(done.error());
        } else {
            for (const TraceId& id : results) {
                if (auto trace = (*cache)->loadTrace(id))
                    builder.add(**trace);
            }
        }
        return builder.build();
    }));
}

void TopologyController::showDependencyFile(const QString& path)
{
    const quint64 generation = ++m_generation;
    deliver(generation, QtConcurrent::run(m_worker, [path]() -> Outcome {
        auto topology = DependencyLinksReader::readFile(path);
        if (!topology)
            return std::unexpected(topology.error().toString());
        return std::move(*topology);
    }));
}

} // namespace tracemap
