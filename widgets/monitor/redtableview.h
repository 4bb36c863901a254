#pragma once

#include "metrics/redtable.h"

#include <QTreeWidget>

#include <vector>

namespace tracemap {

/// The RED table: a row per service with its operations under it: rate, error %, p50, p95, p99 and impact, with a
/// sparkline of rate, error % and p95 over the window drawn in their cells. Sortable by any column (numerically);
/// a click on a row asks for its heatmap and lists its traces; activating it (double-click, Enter) shows them.
class RedTableView : public QTreeWidget {
    Q_OBJECT
public:
    enum Column { Name, Rate, Errors, P50, P95, P99, Impact, ColumnCount };
    /// Per cell: the value it sorts by (double), and the sparkline it draws (QList<double>, NaN = a gap).
    static constexpr int kSortRole = Qt::UserRole;
    static constexpr int kSparklineRole = Qt::UserRole + 1;

    explicit RedTableView(QWidget* parent = nullptr);

    void setRows(const std::vector<RedRow>& rows);

Q_SIGNALS:
    /// A row was clicked (show false) or activated (show true); operation empty: the service's row.
    void rowChosen(const QString& service, const QString& operation, bool show);
};

} // namespace tracemap
