#pragma once

#include "analysis/selftime.h"

#include <QAbstractTableModel>

#include <vector>

namespace tracemap {

/// The per-operation table of a trace (SelfTime::perOperation): service, operation, count, total, self and max
/// time. Display text is formatted; SortRole holds the raw number (nanoseconds, counts) or the name.
class OperationTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ServiceColumn, OperationColumn, CountColumn, TotalColumn, SelfColumn, MaxColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<SelfTime::OperationRow> rows);
    const std::vector<SelfTime::OperationRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<SelfTime::OperationRow> m_rows;
};

} // namespace tracemap
