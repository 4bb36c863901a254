#pragma once

#include "importerror.h"
#include "tracequery.h"
#include "tracesummary.h"

#include <QMainWindow>
#include <QStringList>
#include <QThreadPool>

#include <memory>

class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QToolButton;

namespace tracemap {

class ImportController;
class SearchPanel;
class StartPage;
class TraceListView;
class AnalysisController;
class TopologyView;
class FlameGraphView;

/// The window a user lives in: a search dock, the results and one tab per open trace, imports with progress and
/// cancel in the status bar. All cache work runs on one worker thread, in the order it was asked for; the GUI
/// thread only swaps finished results in (stale search results are dropped by generation).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QString cachePath, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openFiles(const QStringList& files);
    void openSample();
    void search(const TraceQuery& query);
    /// Opens the trace in a tab (or shows its tab) and selects the span, if one is given.
    void openTrace(const TraceId& id, SpanId span = 0);

    /// For tests and `tracemap screenshot`.
    TraceListView* resultsView() const { return m_results; }
    QTabWidget* tabs() const { return m_tabs; }
    SearchPanel* searchPanel() const { return m_searchPanel; }
    TopologyView* topologyView() const { return m_topology; }
    FlameGraphView* flameGraphView() const { return m_flameGraph; }
    /// Search Results, Topology and Flame Graph; trace tabs come after them.
    static constexpr int kFixedTabs = 3;
    bool isImporting() const;
    QString cachePath() const { return m_cachePath; }

    /// Where the bundled sample is written so it can be imported like any file.
    static QString samplePath();

Q_SIGNALS:
    void importsFinished();
    /// A file could not be imported (the message names the file and the place); the error dialog follows.
    void importFailed(const QString& message);
    void searchFinished(int results);
    void traceOpened(const QString& traceId);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createStatusBar();
    void refreshCacheInfo();
    void updateRecentMenu();
    void addRecentFile(const QString& file);
    void showImportErrors();
    void showShortcuts();
    void clearCache();
    void closeTab(int index);
    void updateCentralPage(qint64 traceCount);
    QWidget* createTopologyPage();
    QWidget* createFlameGraphPage();
    void exportTopology();
    void searchEdge(const QString& from, const QString& to);

    QString m_cachePath;
    QThreadPool m_cacheWorker; // queries: one thread, so they run in the order asked
    QThreadPool m_importWorker; // imports: one writer; queries go on meanwhile (SQLite WAL)
    // Topology and flame graph of many traces: seconds on a large cache, so opening a trace or searching never
    // queues behind them.
    QThreadPool m_analysisWorker;
    ImportController* m_imports;
    SearchPanel* m_searchPanel;
    QDockWidget* m_searchDock;
    TraceListView* m_results;
    TopologyView* m_topology;
    FlameGraphView* m_flameGraph;
    AnalysisController* m_analysis;
    QTabWidget* m_tabs;
    StartPage* m_startPage;
    QStackedWidget* m_central;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_status;
    QProgressBar* m_progress;
    QToolButton* m_cancel;
    QStringList m_importErrors;
    TraceQuery m_lastQuery;
    quint64 m_searchGeneration = 0;
};

} // namespace tracemap
