#include "analysiscontroller.h"

#include "analysis/topologybuilder.h"
#include "cache/tracecache.h"
#include "flamegraphview.h"
#include "formats/dependencylinksreader.h"
#include "model/tracequery.h"
#include "monitor/rollupqueries.h"
#include "topologyview.h"
#include "workerjob.h"

#include <expected>

namespace tracemap {

namespace {

// The flame graph of a whole cache too large to read (rollupqueries::kExactSpans) aggregates its newest traces:
// about a third of a second's reading.
constexpr int kFlameGraphSampleTraces = 10'000;

} // namespace

AnalysisController::AnalysisController(
    QString cachePath, QThreadPool* worker, TopologyView* topologyView, FlameGraphView* flameGraphView, QObject* parent)
    : QObject(parent)
    , m_cachePath(std::move(cachePath))
    , m_worker(worker)
    , m_view(topologyView)
    , m_flameGraphView(flameGraphView)
{
}

void AnalysisController::setScope(Scope scope)
{
    m_scope = scope;
    m_linksShown = false;
    refresh();
}

void AnalysisController::setSearchResults(std::vector<TraceId> traces)
{
    m_results = std::move(traces);
    if (m_scope == Scope::SearchResults)
        refresh();
}

void AnalysisController::deliver(quint64 generation, std::function<Outcome()> work)
{
    runOnWorker(m_worker, this, std::move(work), [this, generation](Outcome outcome) {
        // A newer request is on its way, unless this is the links shown: the searches that follow them (the
        // first one of an empty cache) must not take the map away.
        if (generation != m_generation && !(m_linksShown && generation == m_linksGeneration))
            return;
        m_delivered = std::max(m_delivered, generation);
        if (!outcome) {
            Q_EMIT failed(outcome.error());
            return;
        }
        const bool fromTraces = outcome->flameGraph != nullptr;
        if (fromTraces)
            m_flameGraphView->setFlameGraph(std::move(outcome->flameGraph));
        // A back end's links stay on the map until another scope is chosen; the flame graph follows the traces.
        if (!fromTraces || !m_linksShown)
            m_view->setTopology(std::move(outcome->topology));
        if (std::exchange(m_refreshQueued, false))
            refresh();
    });
}

void AnalysisController::refreshForNewData(std::optional<std::vector<TraceId>> traces)
{
    if (traces)
        m_results = std::move(*traces);
    if (isComputing())
        m_refreshQueued = true;
    else
        refresh();
}

void AnalysisController::setCurrentTrace(const TraceId& trace)
{
    m_currentTrace = trace;
    if (m_scope == Scope::CurrentTrace)
        refresh();
}

void AnalysisController::refresh()
{
    m_refreshQueued = false; // this pass reads the latest data
    const quint64 generation = ++m_generation;
    const QString path = m_cachePath;
    const bool whole = m_scope == Scope::WholeCache;
    const std::vector<TraceId> results = m_scope == Scope::CurrentTrace
        ? (m_currentTrace.isValid() ? std::vector<TraceId> { m_currentTrace } : std::vector<TraceId>())
        : m_results;
    deliver(generation, [path, whole, results]() -> Outcome {
        auto cache = TraceCache::open(path);
        if (!cache)
            return std::unexpected(cache.error());
        TopologyBuilder builder;
        auto flameGraph = std::make_shared<FlameGraph>();
        auto add = [&](const Trace& trace) {
            builder.add(trace);
            flameGraph->add(trace);
        };
        if (whole) {
            // A large cache's map comes from its rollups, and its flame graph from its newest traces: nothing here
            // grows with the cache.
            qint64 spans = 0;
            auto rolledUp = rollupqueries::topology(**cache, &spans);
            if (!rolledUp)
                return std::unexpected(rolledUp.error());
            if (spans > rollupqueries::kExactSpans) {
                TraceQuery newest;
                newest.limit = kFlameGraphSampleTraces;
                const auto sample = (*cache)->search(newest, TraceCache::RootNames::Without);
                if (!sample)
                    return std::unexpected(sample.error());
                std::vector<TraceId> ids;
                ids.reserve(sample->size());
                for (const TraceSummary& t : *sample)
                    ids.push_back(t.traceId);
                const auto read = (*cache)->forEachTraceOf(ids, [&](const Trace& trace) {
                    flameGraph->add(trace);
                    return true;
                });
                if (!read)
                    return std::unexpected(read.error());
                flameGraph->setSampledFrom(static_cast<size_t>((*cache)->traceCount()));
                flameGraph->build();
                return Result { std::move(*rolledUp), std::move(flameGraph) };
            }
            auto done = (*cache)->forEachTrace([&](const Trace& trace) {
                add(trace);
                return true;
            });
            if (!done)
                return std::unexpected(done.error());
        } else {
            for (const TraceId& id : results) {
                if (auto trace = (*cache)->loadTrace(id))
                    add(**trace);
            }
        }
        flameGraph->build();
        return Result { builder.build(), std::move(flameGraph) };
    });
}

void AnalysisController::showDependencyFile(const QString& path)
{
    m_linksShown = true;
    const quint64 generation = m_linksGeneration = ++m_generation;
    deliver(generation, [path]() -> Outcome {
        auto topology = DependencyLinksReader::readFile(path);
        if (!topology)
            return std::unexpected(topology.error().toString());
        return Result { std::move(*topology), nullptr };
    });
}

void AnalysisController::showTopology(Topology topology)
{
    m_linksShown = true;
    const quint64 generation = m_linksGeneration = ++m_generation;
    deliver(generation, [topology = std::move(topology)]() -> Outcome { return Result { topology, nullptr }; });
}

} // namespace tracemap
