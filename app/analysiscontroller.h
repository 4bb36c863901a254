#pragma once

#include "analysis/flamegraph.h"
#include "analysis/topology.h"
#include "model/ids.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace tracemap {

class FlameGraphView;
class TopologyView;

/// Feeds the views that summarise many traces: computes, in one pass over the traces of the current search
/// results, the whole cache or the last trace opened, the service topology (for the map) and the aggregated flame
/// graph, on the query worker, and hands them to the views. A dependency-link file feeds the map alone.
class AnalysisController : public QObject {
    Q_OBJECT
public:
    enum class Scope { SearchResults, WholeCache, CurrentTrace };

    AnalysisController(QString cachePath, QThreadPool* worker, TopologyView* topologyView,
        FlameGraphView* flameGraphView, QObject* parent = nullptr);

    Scope scope() const { return m_scope; }
    void setScope(Scope scope);
    /// The traces the search found; used when the scope is SearchResults.
    void setSearchResults(std::vector<TraceId> traces);
    /// The trace of the trace tab last shown; used when the scope is CurrentTrace.
    void setCurrentTrace(const TraceId& trace);
    /// Live data arrived (and, in SearchResults scope, the search found `traces`): computes again, but never
    /// supersedes a computation in progress for it. Under steady arrival a request a second would otherwise drop
    /// every result before it lands; instead one more pass runs once the current one is shown.
    void refreshForNewData(std::optional<std::vector<TraceId>> traces = std::nullopt);
    /// Shows the links of a dependency-link file instead (until the next search or scope change).
    void showDependencyFile(const QString& path);
    /// Shows a back end's links on the map until setScope() chooses traces again: searches and live data
    /// meanwhile update the flame graph only.
    void showTopology(Topology topology);
    /// True from a request until its result (or failure) reached the views.
    bool isComputing() const { return m_delivered != m_generation; }

Q_SIGNALS:
    void failed(const QString& message);

private:
    struct Result {
        Topology topology;
        std::shared_ptr<const FlameGraph> flameGraph; // none for a dependency-link file
    };
    using Outcome = std::expected<Result, QString>;
    void refresh();
    /// Shows the topology the future computes unless a newer request was made meanwhile.
    void deliver(quint64 generation, std::function<Outcome()> work);

    QString m_cachePath;
    QThreadPool* m_worker;
    TopologyView* m_view;
    FlameGraphView* m_flameGraphView;
    Scope m_scope = Scope::SearchResults;
    std::vector<TraceId> m_results;
    TraceId m_currentTrace;
    quint64 m_generation = 0;
    quint64 m_delivered = 0;
    bool m_refreshQueued = false; // refreshForNewData came while computing
    bool m_linksShown = false; // showTopology, showDependencyFile: the map is a back end's or a file's links
    quint64 m_linksGeneration = 0; // the request that brings them
};

} // namespace tracemap
