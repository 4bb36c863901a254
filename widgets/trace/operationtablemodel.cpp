#include "operationtablemodel.h"

#include "model/tracequery.h"

namespace tracemap {

void OperationTableModel::setRows(std::vector<SelfTime::OperationRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int OperationTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OperationTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OperationTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SelfTime::OperationRow& row = m_rows[size_t(index.row())];
    if (role == Qt::TextAlignmentRole)
        return index.column() >= CountColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != SortRole)
        return {};
    const bool raw = role == SortRole;
    switch (Column(index.column())) {
    case ServiceColumn:
        return QString::fromStdString(row.service);
    case OperationColumn:
        return QString::fromStdString(row.operation);
    case CountColumn:
        return raw ? QVariant(row.count) : QVariant(QString::number(row.count));
    case TotalColumn:
        return raw ? QVariant(row.totalNs) : QVariant(formatDuration(row.totalNs));
    case SelfColumn:
        return raw ? QVariant(row.selfNs) : QVariant(formatDuration(row.selfNs));
    case MaxColumn:
        return raw ? QVariant(row.maxNs) : QVariant(formatDuration(row.maxNs));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant OperationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case ServiceColumn:
        return tr("Service");
    case OperationColumn:
        return tr("Operation");
    case CountColumn:
        return tr("Count");
    case TotalColumn:
        return tr("Total");
    case SelfColumn:
        return tr("Self");
    case MaxColumn:
        return tr("Max");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace tracemap
