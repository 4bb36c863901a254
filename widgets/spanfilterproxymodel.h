#pragma once

#include <QSortFilterProxyModel>

#include <vector>

namespace tracemap {

class SpanTreeModel;
struct Trace;

/// Filters a SpanTreeModel by a case-insensitive substring of the service, operation, span id, or an attribute key
/// or value of the span. A matching span keeps its ancestors; the rest is hidden.
///
/// The kept set is computed once per filter text and trace in O(spans), without recursion, instead of Qt's
/// recursive filtering, which revisits every subtree for each ancestor and recurses as deep as the tree.
class SpanFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit SpanFilterProxyModel(QObject* parent = nullptr);

    /// The source must be a SpanTreeModel.
    void setSourceModel(QAbstractItemModel* sourceModel) override;

    QString filterText() const { return m_text; }
    void setFilterText(const QString& text);
    bool isFiltering() const { return !m_text.isEmpty(); }

    /// Spans matching the filter themselves, and spans shown (matches and their ancestors).
    size_t matchCount() const;
    size_t keptCount() const;
    bool spanMatches(quint32 spanIndex) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    enum Keep : quint8 { Hidden, Ancestor, Match };
    void ensureKeepSet() const;
    bool matches(const Trace& trace, quint32 spanIndex, std::vector<qint8>& stringCache) const;

    SpanTreeModel* m_spans = nullptr;
    QString m_text;
    mutable std::vector<Keep> m_keep;
    mutable const Trace* m_keepFor = nullptr;
    mutable bool m_keepValid = false;
    mutable size_t m_matchCount = 0;
    mutable size_t m_keptCount = 0;
};

} // namespace tracemap
