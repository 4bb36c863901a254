#pragma once

#include <QStyledItemDelegate>

namespace tracemap {

/// Draws a span's extent within its trace as a bar in the cell ([BarStartRole, BarEndRole] of the cell width, at
/// least 1 px) with the duration text beside it, inside it, or, when neither has room, on a plate of the base
/// colour over the bar's edge. The whole text is drawn; it is elided (at the end) only in a cell narrower than it.
class DurationBarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    /// The bar's rectangle inside `cell` for a span from `start` to `end` (fractions 0..1 of the trace).
    static QRect barRect(const QRect& cell, double start, double end);

    /// Where the duration text goes. OnBar: inside `bar`, in a colour that contrasts with it. OnPlate: over part of
    /// the bar, on a plate of the base colour. Otherwise beside the bar, clear of it.
    struct TextPlacement {
        enum Where { Right, Left, OnBar, OnPlate };
        Where where = Right;
        QRect rect;
    };
    /// The text's place for a text `textWidth` pixels wide, inside `cell` (the whole cell, as painted).
    static TextPlacement textPlacement(const QRect& cell, const QRect& bar, int textWidth);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace tracemap
