#pragma once

#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QSplitter;

namespace tracemap {

class TopologyDetails;
class TopologyView;

/// The Topology tab: which traces to map (the search results, the whole cache, the last trace opened), the map,
/// and beside it the panel of the selected service or call. Selecting asks for the selection's traces
/// (tracesWanted); whoever can query the cache answers with setTraces(). Nothing here replaces the search unless
/// the user asks (showInResultsRequested).
class TopologyPage : public QWidget {
    Q_OBJECT
public:
    enum class Scope { SearchResults, WholeCache, CurrentTrace };

    explicit TopologyPage(QWidget* parent = nullptr);

    TopologyView* view() const { return m_view; }
    TopologyDetails* details() const { return m_details; }
    Scope scope() const;
    void setScope(Scope scope);

    /// The connections whose back end keeps dependency links (Jaeger, Zipkin): each becomes a choice beside the maps
    /// built from cached traces, with a time window.
    void setDependencySources(const QStringList& connections);
    /// The connection whose links are chosen, or empty when the map is built from traces.
    QString dependencySource() const;

    /// The answer to tracesWanted(request, …); an answer to an older request is dropped.
    void setTraces(quint64 request, std::vector<TraceSummary> traces, const QString& error = QString());

Q_SIGNALS:
    void scopeChanged(tracemap::TopologyPage::Scope scope);
    /// The selection's traces are wanted: run `query` and answer with setTraces(request, …).
    void tracesWanted(quint64 request, const tracemap::TraceQuery& query);
    /// "Show in Search Results": run `query` as the search; `description` says what it lists.
    void showInResultsRequested(const tracemap::TraceQuery& query, const QString& description);
    void traceActivated(const tracemap::TraceId& id);
    /// A connection's dependency links over the last `lookbackNs` are wanted on the map.
    void dependenciesWanted(const QString& connection, qint64 lookbackNs);

private:
    void onSelectionChanged();
    void onChoiceChanged();

    QComboBox* m_scope;
    QComboBox* m_lookback; // the dependency links' window
    QStringList m_dependencySources;
    QSplitter* m_splitter;
    TopologyView* m_view;
    TopologyDetails* m_details;
    quint64 m_request = 0;
};

} // namespace tracemap
