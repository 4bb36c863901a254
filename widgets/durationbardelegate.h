#pragma once

#include <QStyledItemDelegate>

namespace tracemap {

/// Draws a span's extent within its trace as a bar in the cell ([BarStartRole, BarEndRole] of the cell width, at
/// least 1 px) with the duration text beside it, or over it when there is no room on either side.
class DurationBarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    /// The bar's rectangle inside `cell` for a span from `start` to `end` (fractions 0..1 of the trace).
    static QRect barRect(const QRect& cell, double start, double end);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace tracemap
