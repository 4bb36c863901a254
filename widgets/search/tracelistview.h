#pragma once

#include "model/tracesummary.h"

#include <QTableView>

#include <vector>

class QSortFilterProxyModel;

namespace tracemap {

class TraceListModel;

/// Search results: a sortable table of trace summaries (the model behind a QSortFilterProxyModel), the duration
/// drawn as a bar scaled to the longest result, error rows marked. Double-click or Enter activates a trace.
class TraceListView : public QTableView {
    Q_OBJECT
public:
    explicit TraceListView(QWidget* parent = nullptr);

    /// Reset: a new list, the first row current. KeepPlace: the same list, refreshed (live follow): the current
    /// trace stays current and the rows in view stay in view, unless the list is scrolled to the top, where new
    /// traces appear.
    enum class Update { Reset, KeepPlace };
    void setTraces(std::vector<TraceSummary> traces, Update update = Update::Reset);
    TraceListModel* traceModel() const { return m_model; }
    QSortFilterProxyModel* proxyModel() const { return m_proxy; }
    /// The summary of the row at a view (proxy) index.
    const TraceSummary* summaryAt(const QModelIndex& index) const;

Q_SIGNALS:
    void traceActivated(const tracemap::TraceId& id);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void activate(const QModelIndex& index);
    QModelIndex indexOfTrace(const TraceId& id) const;

    TraceListModel* m_model;
    QSortFilterProxyModel* m_proxy;
};

} // namespace tracemap
