#include "spanfilterproxymodel.h"

#include "attributevalue.h"
#include "spantreemodel.h"
#include "trace.h"

namespace tracemap {

namespace {
QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}
} // namespace

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

size_t SpanFilterProxyModel::matchCount() const
{
    ensureKeepSet();
    return m_matchCount;
}

size_t SpanFilterProxyModel::keptCount() const
{
    ensureKeepSet();
    return m_keptCount;
}

bool SpanFilterProxyModel::spanMatches(quint32 spanIndex) const
{
    ensureKeepSet();
    return spanIndex < m_keep.size() && m_keep[spanIndex] == Match;
}

bool SpanFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_text.isEmpty() || !m_spans)
        return true;
    ensureKeepSet();
    const quint32 span = m_spans->spanIndex(m_spans->index(sourceRow, 0, sourceParent));
    return span < m_keep.size() && m_keep[span] != Hidden;
}

void SpanFilterProxyModel::ensureKeepSet() const
{
    // The source may have been reset to another trace since the set was built: rebuild lazily.
    const Trace* trace = m_spans ? m_spans->trace().get() : nullptr;
    if (m_keepValid && trace == m_keepFor)
        return;
    m_keepFor = trace;
    m_keepValid = true;
    m_keep.clear();
    m_matchCount = m_keptCount = 0;
    if (!trace)
        return;
    const size_t n = trace->spans.size();
    if (m_text.isEmpty()) {
        m_keep.assign(n, Match);
        m_matchCount = m_keptCount = n;
        return;
    }
    m_keep.assign(n, Hidden);
    std::vector<qint8> stringCache(trace->strings.size(), -1);
    for (quint32 i = 0; i < n; ++i) {
        if (!matches(*trace, i, stringCache))
            continue;
        ++m_matchCount;
        if (m_keep[i] == Hidden)
            ++m_keptCount;
        m_keep[i] = Match;
        // Every kept span already has its ancestors kept, so the walk stops at the first one.
        for (quint32 p = trace->spans[i].parent; p != kNoIndex && m_keep[p] == Hidden; p = trace->spans[p].parent) {
            m_keep[p] = Ancestor;
            ++m_keptCount;
        }
    }
}

bool SpanFilterProxyModel::matches(const Trace& trace, quint32 spanIndex, std::vector<qint8>& stringCache) const
{
    auto stringMatches = [&](StringId id) {
        if (id >= stringCache.size())
            return false;
        if (stringCache[id] < 0)
            stringCache[id] = fromView(trace.string(id)).contains(m_text, Qt::CaseInsensitive) ? 1 : 0;
        return stringCache[id] == 1;
    };
    const Span& span = trace.spans[spanIndex];
    if (stringMatches(span.service) || stringMatches(span.operation))
        return true;
    if (QString::fromStdString(spanIdToHex(span.id)).contains(m_text, Qt::CaseInsensitive))
        return true;
    for (quint32 a = span.attributes.begin; a < span.attributes.end(); ++a) {
        const Attribute& attribute = trace.attributes[a];
        if (stringMatches(attribute.key))
            return true;
        const QString value = attribute.type == ValueType::String
            ? fromView(trace.text(attribute.ref))
            : QString::fromStdString(AttributeValue::valueOf(trace, attribute).toDisplayString());
        if (value.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace tracemap
