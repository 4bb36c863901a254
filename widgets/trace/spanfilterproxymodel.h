#pragma once

#include "analysis/spantextfilter.h"

#include <QSortFilterProxyModel>

namespace tracemap {

class SpanTreeModel;
struct Trace;

/// Filters a SpanTreeModel by a case-insensitive substring of the service, operation, span id, or an attribute key
/// or value of the span, and by a service (the tab's service filter). A matching span keeps its ancestors; the rest
/// is hidden.
///
/// The kept set (SpanTextFilter) is computed once per filter text and trace in O(spans), without recursion, instead
/// of Qt's recursive filtering, which revisits every subtree for each ancestor and recurses as deep as the tree.
/// setFilterText() computes it when first needed; a view with a large trace computes it on a worker and hands it
/// over with setFilterResult().
class SpanFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit SpanFilterProxyModel(QObject* parent = nullptr);

    /// The source must be a SpanTreeModel.
    void setSourceModel(QAbstractItemModel* sourceModel) override;

    QString filterText() const { return m_text; }
    void setFilterText(const QString& text);
    QString serviceFilter() const { return m_service; }
    void setServiceFilter(const QString& service);
    /// Applies a filter whose kept set was computed already (SpanTextFilter::apply(*trace, text.trimmed(),
    /// service)).
    void setFilterResult(
        const QString& text, const QString& service, const Trace* trace, SpanTextFilter::Result result);
    bool isFiltering() const { return !m_text.isEmpty() || !m_service.isEmpty(); }

    /// Spans matching the filter themselves, and spans shown (matches and their ancestors).
    size_t matchCount() const;
    size_t keptCount() const;
    bool spanMatches(quint32 spanIndex) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void ensureKeepSet() const;

    SpanTreeModel* m_spans = nullptr;
    QString m_text;
    QString m_service;
    mutable SpanTextFilter::Result m_result;
    mutable const Trace* m_keepFor = nullptr;
    mutable bool m_keepValid = false;
};

} // namespace tracemap
