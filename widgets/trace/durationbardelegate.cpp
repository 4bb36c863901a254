#include "durationbardelegate.h"

#include "spantreemodel.h"

#include <QApplication>
#include <QPainter>
#include <QStyle>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {
constexpr int kMargin = 2;
constexpr int kTextGap = 4;

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor barColor(const QPalette& palette, bool error)
{
    // Okabe-Ito colours, which stay distinct for colour-blind users; the lighter pair on dark backgrounds.
    if (isDark(palette))
        return error ? QColor(0xff, 0x8c, 0x42) : QColor(0x56, 0xb4, 0xe9);
    return error ? QColor(0xd5, 0x5e, 0x00) : QColor(0x00, 0x72, 0xb2);
}
} // namespace

QRect DurationBarDelegate::barRect(const QRect& cell, double start, double end)
{
    const QRect area = cell.adjusted(kMargin, kMargin + 1, -kMargin, -kMargin - 1);
    start = std::clamp(start, 0.0, 1.0);
    end = std::clamp(end, start, 1.0);
    const int left = area.left() + static_cast<int>(std::floor(start * area.width()));
    const int width = std::max(1, static_cast<int>(std::round((end - start) * area.width())));
    return QRect(std::min(left, area.right()), area.top(), width, std::max(1, area.height()));
}

DurationBarDelegate::TextPlacement DurationBarDelegate::textPlacement(
    const QRect& cellRect, const QRect& bar, int textWidth)
{
    const QRect cell = cellRect.adjusted(kMargin, 0, -kMargin, 0);
    const auto span
        = [&](int left, int width) { return QRect(left, cell.top(), std::min(width, cell.width()), cell.height()); };
    if (bar.right() + kTextGap + textWidth <= cell.right())
        return { TextPlacement::Right, span(bar.right() + kTextGap, textWidth) };
    if (bar.left() - kTextGap - textWidth >= cell.left())
        return { TextPlacement::Left, span(bar.left() - kTextGap - textWidth, textWidth) };
    if (bar.width() >= textWidth + 2 * kTextGap)
        return { TextPlacement::OnBar, span(bar.left() + kTextGap, textWidth) };
    // Neither beside nor inside: on the side with more room, against the cell's edge, so it covers as little of
    // the bar as it can. (Drawn over the bar's edge in one colour, a text is half invisible: "94.5 ms" read "4.5 ms".)
    if (cell.right() - bar.right() >= bar.left() - cell.left())
        return { TextPlacement::OnPlate, span(std::max(cell.left(), cell.right() + 1 - textWidth), textWidth) };
    return { TextPlacement::OnPlate, span(cell.left(), textWidth) };
}

void DurationBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const bool error = index.data(SpanTreeModel::IsErrorRole).toBool();
    const QRect bar = barRect(
        opt.rect, index.data(SpanTreeModel::BarStartRole).toDouble(), index.data(SpanTreeModel::BarEndRole).toDouble());

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->fillRect(bar, barColor(opt.palette, error));

    const bool selected = opt.state & QStyle::State_Selected;
    const QFontMetrics metrics(opt.font);
    // One pixel of slack: the advance is rounded, and elidedText() compares unrounded widths.
    const int textWidth = metrics.horizontalAdvance(text) + 1;
    const TextPlacement placement = textPlacement(opt.rect, bar, textWidth);
    QColor textColor = opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    if (placement.where == TextPlacement::OnBar) {
        textColor = isDark(opt.palette) ? QColor(Qt::black) : QColor(Qt::white);
    } else if (placement.where == TextPlacement::OnPlate) {
        textColor = opt.palette.color(QPalette::Text);
        painter->fillRect(placement.rect.adjusted(-1, kMargin, 1, -kMargin), opt.palette.base());
    }
    painter->setFont(opt.font);
    painter->setPen(textColor);
    painter->drawText(placement.rect, Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(text, Qt::ElideRight, placement.rect.width()));
    painter->restore();
}

} // namespace tracemap
