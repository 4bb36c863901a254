#include "tracelistmodel.h"

#include "model/tracequery.h"

#include <QBrush>
#include <QDateTime>
#include <QPalette>

#include <algorithm>

namespace tracemap {

void TraceListModel::setTraces(std::vector<TraceSummary> traces)
{
    beginResetModel();
    m_traces = std::move(traces);
    m_longest = 1;
    for (const TraceSummary& t : m_traces)
        m_longest = std::max(m_longest, t.durationNs);
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
    switch (role) {
    case TraceIdRole:
        return QString::fromStdString(t.traceId.toHex());
    case BarStartRole:
        return 0.0;
    case BarEndRole:
        return static_cast<double>(t.durationNs) / static_cast<double>(m_longest);
    case IsErrorRole:
        return t.errorCount > 0;
    case Qt::ForegroundRole:
        // Error rows are marked in the Okabe-Ito vermilion, which stays distinct for colour-blind users.
        if (t.errorCount > 0 && (index.column() == Errors || index.column() == Root))
            return QBrush(QColor(0xd5, 0x5e, 0x00));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Root)
            return QStringLiteral("%1\n%2").arg(QString(t.rootService + QStringLiteral(": ") + t.rootOperation),
                QString::fromStdString(t.traceId.toHex()));
        break;
    default:
        break;
    }
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
        // UTC, as the trace header and span details show it: traces come from hosts in any time zone.
        return QDateTime::fromMSecsSinceEpoch(t.startNs / 1000000, Qt::UTC)
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Root:
        return QString(
            (t.rootService.isEmpty() ? tr("(no service)") : t.rootService) + QStringLiteral(": ") + t.rootOperation);
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
