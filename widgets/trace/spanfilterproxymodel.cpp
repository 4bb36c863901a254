#include "spanfilterproxymodel.h"

#include "model/trace.h"
#include "spantreemodel.h"

namespace tracemap {

SpanFilterProxyModel::SpanFilterProxyModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SpanTreeModel::SortRole);
    setDynamicSortFilter(false);
}

void SpanFilterProxyModel::setSourceModel(QAbstractItemModel* sourceModel)
{
    m_spans = qobject_cast<SpanTreeModel*>(sourceModel);
    Q_ASSERT(m_spans || !sourceModel);
    m_keepValid = false;
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void SpanFilterProxyModel::setFilterText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    m_keepValid = false;
    invalidateFilter();
}

void SpanFilterProxyModel::setServiceFilter(const QString& service)
{
    if (service == m_service)
        return;
    m_service = service;
    m_keepValid = false;
    invalidateFilter();
}

void SpanFilterProxyModel::setFilterResult(
    const QString& text, const QString& service, const Trace* trace, SpanTextFilter::Result result)
{
    m_text = text.trimmed();
    m_service = service;
    m_result = std::move(result);
    m_keepFor = trace;
    m_keepValid = true;
    invalidateFilter();
}

size_t SpanFilterProxyModel::matchCount() const
{
    ensureKeepSet();
    return m_result.matchCount;
}

size_t SpanFilterProxyModel::keptCount() const
{
    ensureKeepSet();
    return m_result.keptCount;
}

bool SpanFilterProxyModel::spanMatches(quint32 spanIndex) const
{
    ensureKeepSet();
    return spanIndex < m_result.keep.size() && m_result.keep[spanIndex] == SpanTextFilter::Match;
}

bool SpanFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!isFiltering() || !m_spans)
        return true;
    ensureKeepSet();
    const quint32 span = m_spans->spanIndex(m_spans->index(sourceRow, 0, sourceParent));
    return span < m_result.keep.size() && m_result.keep[span] != SpanTextFilter::Hidden;
}

void SpanFilterProxyModel::ensureKeepSet() const
{
    // The source may have been reset to another trace since the set was built: rebuild lazily.
    const Trace* trace = m_spans ? m_spans->trace().get() : nullptr;
    if (m_keepValid && trace == m_keepFor)
        return;
    m_keepFor = trace;
    m_keepValid = true;
    m_result = trace ? SpanTextFilter::apply(*trace, m_text, m_service) : SpanTextFilter::Result();
}

} // namespace tracemap
