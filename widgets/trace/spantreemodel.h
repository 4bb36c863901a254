#pragma once

#include "model/trace.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace tracemap {

/// The span tree of one trace: roots at the top level, children in start order. An index's internalId is the
/// span's index in Trace::spans; rows within a parent are precomputed, so parent() and indexForSpan() are O(1).
class SpanTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { ServiceColumn, OperationColumn, StartColumn, DurationColumn, ColumnCount };
    enum Role {
        SpanIndexRole = Qt::UserRole + 1,
        SortRole, // numbers for the time columns, text for the others
        BarStartRole, // double 0..1: the span's start within the trace's [start, end]
        BarEndRole,
        IsErrorRole,
    };

    explicit SpanTreeModel(QObject* parent = nullptr);

    void setTrace(std::shared_ptr<const Trace> trace);
    std::shared_ptr<const Trace> trace() const { return m_trace; }
    qint64 traceStartNs() const { return m_startNs; }

    QModelIndex indexForSpan(quint32 spanIndex, int column = 0) const;
    /// kNoIndex for an invalid index.
    quint32 spanIndex(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString toolTip(const Span& span) const;
    double relative(qint64 ns) const;

    std::shared_ptr<const Trace> m_trace;
    std::vector<quint32> m_rowInParent; // per span
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
};

} // namespace tracemap
