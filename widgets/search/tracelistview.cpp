#include "tracelistview.h"

#include "durationbardelegate.h"
#include "tracelistmodel.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QScrollBar>
#include <QSortFilterProxyModel>

#include <optional>

namespace tracemap {

TraceListView::TraceListView(QWidget* parent)
    : QTableView(parent)
    , m_model(new TraceListModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TraceListModel::SortRole);
    setModel(m_proxy);
    setSortingEnabled(true);
    sortByColumn(TraceListModel::Start, Qt::DescendingOrder);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setStretchLastSection(false);
    horizontalHeader()->setSectionResizeMode(TraceListModel::Root, QHeaderView::Stretch);
    horizontalHeader()->resizeSection(
        TraceListModel::Start, fontMetrics().horizontalAdvance(QStringLiteral("0000-00-00 00:00:00.000  ")));
    horizontalHeader()->resizeSection(TraceListModel::Duration, 220);
    setItemDelegateForColumn(TraceListModel::Duration, new DurationBarDelegate(this));
    connect(this, &QTableView::doubleClicked, this, &TraceListView::activate);
}

void TraceListView::setTraces(std::vector<TraceSummary> traces, Update update)
{
    std::optional<TraceId> current;
    std::optional<TraceId> topInView;
    if (update == Update::KeepPlace) {
        if (const TraceSummary* summary = summaryAt(currentIndex()))
            current = summary->traceId;
        if (verticalScrollBar()->value() > 0) {
            if (const TraceSummary* summary = summaryAt(indexAt(QPoint(0, 0))))
                topInView = summary->traceId;
        }
    }
    m_model->setTraces(std::move(traces));
    if (current) {
        if (const QModelIndex index = indexOfTrace(*current); index.isValid())
            selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    if (topInView) {
        if (const QModelIndex index = indexOfTrace(*topInView); index.isValid()) {
            updateGeometries(); // the scroll bar's range is otherwise updated later, for the old row count
            scrollTo(index, QAbstractItemView::PositionAtTop);
        }
    }
    if (m_proxy->rowCount() > 0 && !currentIndex().isValid())
        setCurrentIndex(m_proxy->index(0, 0));
}

QModelIndex TraceListView::indexOfTrace(const TraceId& id) const
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->traceAt(row).traceId == id)
            return m_proxy->mapFromSource(m_model->index(row, 0));
    }
    return {};
}

const TraceSummary* TraceListView::summaryAt(const QModelIndex& index) const
{
    const QModelIndex source = m_proxy->mapToSource(index);
    return source.isValid() ? &m_model->traceAt(source.row()) : nullptr;
}

void TraceListView::activate(const QModelIndex& index)
{
    if (const TraceSummary* summary = summaryAt(index))
        Q_EMIT traceActivated(summary->traceId);
}

void TraceListView::keyPressEvent(QKeyEvent* event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && currentIndex().isValid()) {
        activate(currentIndex());
        return;
    }
    QTableView::keyPressEvent(event);
}

} // namespace tracemap
