#pragma once

#include "model/tracequery.h"
#include "monitor/anomalyreport.h"
#include "monitor/monitorscope.h"
#include "monitor/spancomparison.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>

#include <vector>

namespace tracemap {

class MonitorPage;

/// Feeds the Monitor tab: the heatmap and the anomalies of the scope (the search's service, operation and time
/// range) from the cache's rollups, and the comparison of a brushed region, each on the worker with its own cache
/// connection. Newer requests supersede older ones (generation numbers). Clicks turn into searches.
class MonitorController : public QObject {
    Q_OBJECT
public:
    MonitorController(QString cachePath, QThreadPool* worker, MonitorPage* page, QObject* parent = nullptr);

    /// The scope of the search form's query (service, operation, time range); refresh() computes it.
    void setScope(const TraceQuery& query);
    /// Data arrived or the cache changed: recomputes. One computation at a time: a request while one runs makes
    /// one more run after it (live data would otherwise queue a computation per tick).
    void refresh();
    /// True from a request until its result reached the page.
    bool isComputing() const { return m_running || m_comparing; }

    const MonitorScope& scope() const { return m_scope; }

Q_SIGNALS:
    /// A heatmap cell was clicked or a RED row activated: the window shows these traces, slowest first.
    void tracesRequested(const TraceQuery& query);
    /// A comparison value was activated: the window puts it in the search form and searches.
    void filterRequested(const TraceQuery& query);
    /// An anomaly or a RED row was clicked: the window lists these traces (slowest first) in the results, without
    /// leaving the Monitor tab.
    void tracesListed(const TraceQuery& query);
    /// The episodes found, by service (for the topology map's marks).
    void anomaliesChanged(const QHash<QString, QStringList>& sentencesByService);

private:
    struct Overview;
    void show(const Overview& overview);
    /// Makes `scope` the one the tab shows (the search's, or a row or an episode of it).
    void narrowTo(const MonitorScope& scope);
    void compare(const MonitorScope& scope, const SpanSelection& selection, const QString& what);
    void compareRegion(qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64 maxDurationNs);
    /// Forgets the comparison shown or on its way (the selection was cleared, or the scope changed).
    void dropComparison();
    void showEpisode(int index);

    QString m_cachePath;
    QThreadPool* m_worker;
    MonitorPage* m_page;
    MonitorScope m_searchScope; // the search form's
    MonitorScope m_scope; // what the tab shows: the search's scope, or a row or an episode of it
    quint64 m_scopeGeneration = 0;
    quint64 m_comparisonGeneration = 0;
    bool m_running = false;
    bool m_pending = false;
    bool m_comparing = false;
    std::vector<ExplainedEpisode> m_episodes;
};

} // namespace tracemap
