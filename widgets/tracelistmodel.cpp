#include "tracelistmodel.h"

#include "tracequery.h"

#include <QBrush>
#include <QDateTime>
#include <QPalette>

namespace tracemap {

void TraceListModel::setTraces(std::vector<TraceSummary> traces)
{
    beginResetModel();
    m_traces = std::move(traces);
    endResetModel();
}

int TraceListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_traces.size());
}

int TraceListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const TraceSummary& t = m_traces[static_cast<size_t>(index.row())];
    if (role == TraceIdRole)
        return QString::fromStdString(t.traceId.toHex());
    if (role == Qt::ForegroundRole && index.column() == Errors && t.errorCount > 0)
        return QBrush(QColor(0xd5, 0x5e, 0x00));
    if (role == SortRole) {
        switch (index.column()) {
        case Start:
            return t.startNs;
        case Root:
            return QString(t.rootService + QLatin1Char(' ') + t.rootOperation);
        case Duration:
            return t.durationNs;
        case Spans:
            return t.spanCount;
        case Services:
            return t.serviceCount;
        case Errors:
            return t.errorCount;
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Start:
        return QDateTime::fromMSecsSinceEpoch(t.startNs / 1000000).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Root:
        return QString(t.rootService + QStringLiteral(": ") + t.rootOperation);
    case Duration:
        return formatDuration(t.durationNs);
    case Spans:
        return t.spanCount;
    case Services:
        return t.serviceCount;
    case Errors:
        return t.errorCount;
    }
    return {};
}

QVariant TraceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const names[]
        = { "Start", "Root service: operation", "Duration", "Spans", "Services", "Errors" };
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace tracemap
