#pragma once

#include "metrics/attributecomparison.h"
#include "metrics/redtable.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QTreeWidget;
class QPushButton;
class QTabWidget;

namespace tracemap {

class LatencyHeatmapView;
class RedTableView;

/// The Monitor tab: the latency heatmap of the scope above; below it, what sets a brushed region (or the errors)
/// apart (the comparison, one attribute a row with its values' shares in the selection and in the rest), the RED
/// table of the services and operations, and the anomaly episodes, one sentence each. It only shows what the app
/// computes and says what the user asked for.
class MonitorPage : public QWidget {
    Q_OBJECT
public:
    explicit MonitorPage(QWidget* parent = nullptr);

    LatencyHeatmapView* heatmap() const { return m_heatmap; }
    QTreeWidget* comparison() const { return m_comparison; }
    QTreeWidget* anomalies() const { return m_anomalies; }
    RedTableView* redTable() const { return m_red; }
    QTabWidget* details() const { return m_details; }
    enum DetailsTab { ComparisonTab, RedTab, AnomaliesTab };

    void setScopeText(const QString& text);
    /// Whether the tab shows less than the search's scope (a RED row, an anomaly): offers the way back.
    void setNarrowed(bool narrowed);
    /// `title` says what was selected ("14:05–14:20, 350 ms – 1.2 s: 412 spans in 398 traces").
    void showComparison(const QString& title, const ComparisonResult& result);
    void showComparisonMessage(const QString& message);
    /// One sentence per episode, largest impact first.
    void showAnomalies(const QStringList& sentences);
    void showRed(const std::vector<RedRow>& rows);

Q_SIGNALS:
    /// A value of the comparison was activated: search for spans with it.
    void filterRequested(const QString& key, const QString& value);
    void anomalyActivated(int index);
    /// "Compare the errors": the scope's error spans against its other spans.
    void errorsComparisonRequested();
    /// "All span kinds" was toggled: every span, or entry spans only (the default).
    void allKindsToggled(bool on);
    /// "Whole scope": back from a row or an anomaly to the search's scope.
    void wholeScopeRequested();

private:
    LatencyHeatmapView* m_heatmap;
    QLabel* m_scope;
    QLabel* m_comparisonTitle;
    QTreeWidget* m_comparison;
    QTreeWidget* m_anomalies;
    RedTableView* m_red;
    QTabWidget* m_details;
    QPushButton* m_wholeScope;
};

} // namespace tracemap
