#include "spantreemodel.h"

#include "model/tracequery.h"
#include "spanproblems.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace tracemap {

namespace {
QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}
} // namespace

SpanTreeModel::SpanTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

void SpanTreeModel::setTrace(std::shared_ptr<const Trace> trace)
{
    beginResetModel();
    m_trace = std::move(trace);
    m_rowInParent.assign(m_trace ? m_trace->spans.size() : 0, 0);
    m_startNs = m_endNs = 0;
    if (m_trace) {
        const Trace& t = *m_trace;
        for (size_t i = 0; i < t.roots.size(); ++i)
            m_rowInParent[t.roots[i]] = static_cast<quint32>(i);
        for (const Span& s : t.spans) {
            for (quint32 i = 0; i < s.children.count; ++i)
                m_rowInParent[t.childIndex[s.children.begin + i]] = i;
        }
        m_startNs = t.startNs();
        m_endNs = t.endNs();
    }
    endResetModel();
}

QModelIndex SpanTreeModel::indexForSpan(quint32 spanIndex, int column) const
{
    if (!m_trace || spanIndex >= m_trace->spans.size() || column < 0 || column >= ColumnCount)
        return {};
    return createIndex(static_cast<int>(m_rowInParent[spanIndex]), column, static_cast<quintptr>(spanIndex));
}

quint32 SpanTreeModel::spanIndex(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this)
        return kNoIndex;
    return static_cast<quint32>(index.internalId());
}

QModelIndex SpanTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!m_trace || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const Trace& t = *m_trace;
    if (!parent.isValid()) {
        if (static_cast<size_t>(row) >= t.roots.size())
            return {};
        return createIndex(row, column, static_cast<quintptr>(t.roots[static_cast<size_t>(row)]));
    }
    if (parent.column() != 0)
        return {};
    const Span& p = t.spans[spanIndex(parent)];
    if (static_cast<quint32>(row) >= p.children.count)
        return {};
    return createIndex(row, column, static_cast<quintptr>(t.childIndex[p.children.begin + static_cast<quint32>(row)]));
}

QModelIndex SpanTreeModel::parent(const QModelIndex& child) const
{
    if (!m_trace || !child.isValid())
        return {};
    const quint32 parentSpan = m_trace->spans[spanIndex(child)].parent;
    return parentSpan == kNoIndex ? QModelIndex() : indexForSpan(parentSpan);
}

int SpanTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!m_trace)
        return 0;
    if (!parent.isValid())
        return static_cast<int>(m_trace->roots.size());
    if (parent.column() != 0)
        return 0;
    return static_cast<int>(m_trace->spans[spanIndex(parent)].children.count);
}

int SpanTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool SpanTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

double SpanTreeModel::relative(qint64 ns) const
{
    const qint64 total = m_endNs - m_startNs;
    if (total <= 0)
        return 0;
    return std::clamp(static_cast<double>(ns - m_startNs) / static_cast<double>(total), 0.0, 1.0);
}

QString SpanTreeModel::toolTip(const Span& span) const
{
    QString text = fromView(m_trace->serviceName(span)) + QStringLiteral(": ") + fromView(m_trace->operationName(span));
    if (span.isError()) {
        text += QLatin1Char('\n') + tr("Error");
        if (span.statusMessage.size)
            text += QStringLiteral(": ") + fromView(m_trace->text(span.statusMessage));
    }
    const QStringList problems = spanProblemDescriptions(span.problems);
    if (!problems.isEmpty())
        text += QLatin1Char('\n') + problems.join(QLatin1Char('\n'));
    return text;
}

QVariant SpanTreeModel::data(const QModelIndex& index, int role) const
{
    if (!m_trace || !index.isValid())
        return {};
    const quint32 si = spanIndex(index);
    const Span& span = m_trace->spans[si];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ServiceColumn:
            return fromView(m_trace->serviceName(span));
        case OperationColumn:
            if (span.isError())
                return QString(QStringLiteral("⚠ ") + fromView(m_trace->operationName(span)));
            return fromView(m_trace->operationName(span));
        case StartColumn:
            return formatDuration(span.startNs - m_startNs);
        case DurationColumn:
            return formatDuration(span.durationNs);
        }
        return {};
    case Qt::ToolTipRole:
        return toolTip(span);
    case Qt::ForegroundRole:
        if (span.isError())
            return QBrush(QColor(0xd5, 0x5e, 0x00)); // Okabe-Ito vermillion: readable for colour-blind users
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == StartColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SpanIndexRole:
        return si;
    case SortRole:
        switch (index.column()) {
        case ServiceColumn:
            return fromView(m_trace->serviceName(span));
        case OperationColumn:
            return fromView(m_trace->operationName(span));
        case StartColumn:
            return span.startNs - m_startNs;
        case DurationColumn:
            return span.durationNs;
        }
        return {};
    case BarStartRole:
        return relative(span.startNs);
    case BarEndRole:
        return relative(span.endNs());
    case IsErrorRole:
        return span.isError();
    }
    return {};
}

QVariant SpanTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ServiceColumn:
        return tr("Service");
    case OperationColumn:
        return tr("Operation");
    case StartColumn:
        return tr("Start");
    case DurationColumn:
        return tr("Duration");
    }
    return {};
}

} // namespace tracemap
