#pragma once

#include "ids.h"
#include "topology.h"

#include <QFuture>

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <expected>
#include <vector>

namespace tracemap {

class TopologyView;

/// Feeds the topology map: computes the service graph of the current search results, of the whole cache, or of
/// a dependency-link file on the cache worker, and hands it to the view (which lays it out off the GUI thread).
class TopologyController : public QObject {
    Q_OBJECT
public:
    enum class Scope { SearchResults, WholeCache, CurrentTrace };

    TopologyController(QString cachePath, QThreadPool* worker, TopologyView* view, QObject* parent = nullptr);

    Scope scope() const { return m_scope; }
    void setScope(Scope scope);
    /// The traces the search found; used when the scope is SearchResults.
    void setSearchResults(std::vector<TraceId> traces);
    /// The trace of the trace tab last shown; used when the scope is CurrentTrace.
    void setCurrentTrace(const TraceId& trace);
    /// Shows the links of a dependency-link file instead (until the next search or scope change).
    void showDependencyFile(const QString& path);

Q_SIGNALS:
    void failed(const QString& message);

private:
    using Outcome = std::expected<Topology, QString>;
    void refresh();
    /// Shows the topology the future computes unless a newer request was made meanwhile.
    void deliver(quint64 generation, QFuture<Outcome> future);

    QString m_cachePath;
    QThreadPool* m_worker;
    TopologyView* m_view;
    Scope m_scope = Scope::SearchResults;
    std::vector<TraceId> m_results;
    TraceId m_currentTrace;
    quint64 m_generation = 0;
};

} // namespace tracemap
