#include "redtableview.h"

#include "model/tracequery.h"

#include <QHeaderView>
#include <QPainter>
#include <QPainterPath>
#include <QStyledItemDelegate>

#include <cmath>

namespace tracemap {

namespace {

constexpr int kServiceRole = Qt::UserRole + 2;
constexpr int kOperationRole = Qt::UserRole + 3;

// Compares by the numbers a cell sorts by, not by its text ("9.5 ms" < "10 ms").
class RedItem : public QTreeWidgetItem {
public:
    using QTreeWidgetItem::QTreeWidgetItem;
    bool operator<(const QTreeWidgetItem& other) const override
    {
        const int column = treeWidget() ? treeWidget()->sortColumn() : 0;
        const QVariant a = data(column, RedTableView::kSortRole);
        const QVariant b = other.data(column, RedTableView::kSortRole);
        if (a.isValid() && b.isValid())
            return a.toDouble() < b.toDouble();
        return text(column).localeAwareCompare(other.text(column)) < 0;
    }
};

// Draws a cell's figure on the left and, when it has one, its sparkline on the right: one QPainterPath of the
// buckets' values, gaps where a bucket has none. A sparkline per cell, not a plot widget per cell.
class SparklineDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        const QVariant line = index.data(RedTableView::kSparklineRole);
        if (!line.isValid()) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionViewItem textOption = option;
        const int sparkWidth = std::min(80, option.rect.width() / 2);
        textOption.rect.setRight(option.rect.right() - sparkWidth - 4);
        QStyledItemDelegate::paint(painter, textOption, index);
        const QList<double> values = line.value<QList<double>>();
        double high = 0;
        for (double v : values)
            high = std::isnan(v) ? high : std::max(high, v);
        if (values.size() < 2 || high <= 0)
            return;
        const QRectF area(
            option.rect.right() - sparkWidth, option.rect.top() + 3, sparkWidth - 2, option.rect.height() - 6);
        QPainterPath path;
        bool drawing = false;
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (std::isnan(values[i])) {
                drawing = false;
                continue;
            }
            const QPointF p(
                area.left() + area.width() * i / (values.size() - 1), area.bottom() - area.height() * values[i] / high);
            drawing ? path.lineTo(p) : path.moveTo(p);
            drawing = true;
        }
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const bool selected = option.state & QStyle::State_Selected;
        painter->setPen(QPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Link), 1.2));
        painter->drawPath(path);
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        if (index.data(RedTableView::kSparklineRole).isValid())
            size.setWidth(size.width() + 90);
        return size;
    }
};

QList<double> toList(const std::vector<double>& values)
{
    return QList<double>(values.begin(), values.end());
}

QString durationText(qint64 ns)
{
    return ns > 0 ? formatDuration(ns) : QStringLiteral("–");
}

} // namespace

RedTableView::RedTableView(QWidget* parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("redTable"));
    setColumnCount(ColumnCount);
    setHeaderLabels(
        { tr("Service / operation"), tr("Rate (/min)"), tr("Error %"), tr("p50"), tr("p95"), tr("p99"), tr("Impact") });
    setItemDelegate(new SparklineDelegate(this));
    setSortingEnabled(true);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    header()->setSectionResizeMode(Name, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    auto choose = [this](QTreeWidgetItem* item, bool show) {
        Q_EMIT rowChosen(item->data(Name, kServiceRole).toString(), item->data(Name, kOperationRole).toString(), show);
    };
    connect(this, &QTreeWidget::itemClicked, this, [choose](QTreeWidgetItem* item) { choose(item, false); });
    connect(this, &QTreeWidget::itemActivated, this, [choose](QTreeWidgetItem* item) { choose(item, true); });
}

void RedTableView::setRows(const std::vector<RedRow>& rows)
{
    // New figures (a live tick) keep the order the user chose; the first ones come by impact.
    const bool first = topLevelItemCount() == 0;
    const int column = first ? Impact : sortColumn();
    const Qt::SortOrder order = first ? Qt::DescendingOrder : header()->sortIndicatorOrder();
    setSortingEnabled(false); // or every insertion re-sorts
    clear();
    QTreeWidgetItem* service = nullptr;
    for (const RedRow& r : rows) {
        auto* item = r.isService() || !service ? new RedItem(this) : new RedItem(service);
        if (r.isService())
            service = item;
        const QString name = QString::fromStdString(r.isService() ? r.service : r.operation);
        item->setText(Name, name.isEmpty() ? tr("(no name)") : name);
        item->setData(Name, kServiceRole, QString::fromStdString(r.service));
        item->setData(Name, kOperationRole, QString::fromStdString(r.operation));
        auto set = [item](int column, const QString& text, double sortValue) {
            item->setText(column, text);
            item->setData(column, kSortRole, sortValue);
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
        };
        set(Rate, QString::number(r.perMinute, 'f', r.perMinute < 10 ? 2 : 1), r.perMinute);
        set(Errors, QStringLiteral("%1 %").arg(r.errorPercent, 0, 'f', 2), r.errorPercent);
        set(P50, durationText(r.p50), static_cast<double>(r.p50));
        set(P95, durationText(r.p95), static_cast<double>(r.p95));
        set(P99, durationText(r.p99), static_cast<double>(r.p99));
        const QString how = r.exact ? tr("Exact: read from the spans (the view is small)")
                                    : tr("From the per-minute histograms: within 4.4 % of the exact figure");
        for (int c : { P50, P95, P99 })
            item->setToolTip(c, how);
        set(Impact, QString::number(r.impact, 'f', 2), r.impact);
        item->setData(Rate, kSparklineRole, QVariant::fromValue(toList(r.perMinuteByBucket)));
        item->setData(Errors, kSparklineRole, QVariant::fromValue(toList(r.errorPercentByBucket)));
        item->setData(P95, kSparklineRole, QVariant::fromValue(toList(r.p95ByBucket)));
        item->setToolTip(Impact,
            tr("Mean p95 × mean rate over the window, scaled to 0–1 among its peers (Jaeger's "
               "impact): where the time goes."));
    }
    setSortingEnabled(true);
    sortByColumn(column, order);
    expandAll();
    for (int c = Rate; c < ColumnCount; ++c)
        resizeColumnToContents(c);
}

} // namespace tracemap
