#pragma once

#include "analysis/topology.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QWidget>

#include <optional>
#include <vector>

class QLabel;
class QPushButton;

namespace tracemap {

class TraceListView;

/// The map's own panel: the figures of the selected service or call (spans, rate, errors, latency, callers and
/// callees), a short list of its traces (filled by whoever can query the cache, see selectionQuery()) and an
/// explicit "Show in Search Results". Selecting on the map never replaces the search.
class TopologyDetails : public QWidget {
    Q_OBJECT
public:
    explicit TopologyDetails(QWidget* parent = nullptr);

    /// Shows the node or the edge (indices into `topology`; both -1 for nothing selected).
    void showSelection(const Topology& topology, int node, int edge);
    /// The search that lists the selection's traces: none for nothing selected, for a service that reports no
    /// spans (seen only as a peer) or for a map read from a dependency-link file.
    std::optional<TraceQuery> selectionQuery() const { return m_query; }
    /// "service frontend", "calls from frontend to redis": what the query finds, for the results' note.
    QString selectionDescription() const { return m_description; }
    /// The traces of selectionQuery() (newest first), or the error of the search.
    void setTraces(std::vector<TraceSummary> traces, const QString& error = QString());

    QLabel* figuresLabel() const { return m_figures; }
    TraceListView* traceList() const { return m_traces; }
    QPushButton* showInResultsButton() const { return m_showInResults; }

    /// How many traces the panel lists.
    static constexpr int kTraceLimit = 20;

Q_SIGNALS:
    void showInResultsRequested();
    void traceActivated(const tracemap::TraceId& id);

private:
    QLabel* m_figures;
    QLabel* m_tracesTitle;
    TraceListView* m_traces;
    QPushButton* m_showInResults;
    std::optional<TraceQuery> m_query;
    QString m_description;
};

} // namespace tracemap
