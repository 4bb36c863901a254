#pragma once

#include "model/ids.h"

#include <QTreeWidget>

#include <memory>
#include <vector>

namespace tracemap {

class TraceSelection;
struct Trace;
struct Range;

/// The details of the selection's span as key / value / type rows, grouped in sections: Span, Warnings,
/// Attributes, Resource, Scope, Events, Links. Keys and values wrap to the column width (anywhere in a word, so long
/// ids show whole; line breaks in a value show as ⏎), with the full value as tooltip; Ctrl+C and the context menu
/// copy the full value or key=value.
class SpanDetailsView : public QTreeWidget {
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn };
    enum Role { FullValueRole = Qt::UserRole + 1, LinkRole };

    explicit SpanDetailsView(TraceSelection* selection, QWidget* parent = nullptr);

    /// The top-level item of a section ("Span", "Attributes", …; translated titles), or nullptr if not shown.
    QTreeWidgetItem* section(const QString& title) const;
    /// The row `key` of that section, or nullptr.
    QTreeWidgetItem* row(const QString& sectionTitle, const QString& key) const;
    /// The full (not elided) value of an item, and "key=value".
    static QString fullValue(const QTreeWidgetItem* item);
    static QString keyValue(const QTreeWidgetItem* item);

    /// The clock-skew delta per span index of `trace` (ClockSkewAdjuster::Adjustment::deltaNs): a span of that
    /// trace with a non-zero delta shows a "Clock skew adjustment" row. An empty vector clears it.
    void setClockSkewDeltas(std::shared_ptr<const Trace> trace, std::vector<qint64> deltaNs);

    void copyValue() const;
    void copyKeyValue() const;

Q_SIGNALS:
    /// A link row was activated (double-click or Enter).
    void linkActivated(tracemap::TraceId traceId, tracemap::SpanId spanId);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void rebuild();
    void activateItem(QTreeWidgetItem* item);
    QTreeWidgetItem* addSection(const QString& title);
    QTreeWidgetItem* addRow(
        QTreeWidgetItem* parent, const QString& key, const QString& value, const QString& type = QString());
    void addAttributes(QTreeWidgetItem* parent, const Trace& trace, const Range& attributes);

    TraceSelection* m_selection;
    std::weak_ptr<const Trace> m_traceStartOf;
    qint64 m_traceStartNs = 0;
    std::shared_ptr<const Trace> m_deltaTrace;
    std::vector<qint64> m_deltas;
};

} // namespace tracemap
