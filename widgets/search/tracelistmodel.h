#pragma once

#include "model/tracesummary.h"
#include "spantreemodel.h"

#include <QAbstractTableModel>

#include <vector>

namespace tracemap {

/// Trace summaries as a table: start, root service and operation, duration, spans, services, errors.
class TraceListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Start, Root, Duration, Spans, Services, Errors, ColumnCount };
    // The bar roles are the span tree's, so DurationBarDelegate draws both.
    enum Role {
        TraceIdRole = Qt::UserRole + 100,
        SortRole = SpanTreeModel::SortRole,
        BarStartRole = SpanTreeModel::BarStartRole,
        BarEndRole = SpanTreeModel::BarEndRole,
        IsErrorRole = SpanTreeModel::IsErrorRole,
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setTraces(std::vector<TraceSummary> traces);
    const TraceSummary& traceAt(int row) const { return m_traces.at(static_cast<size_t>(row)); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<TraceSummary> m_traces;
    qint64 m_longest = 1; // the bars are scaled to the longest result
};

} // namespace tracemap
