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
    void openTrace(const TraceId& id);

    /// For tests and `tracemap screenshot`.
    TraceListView* resultsView() const { return m_results; }
    QTabWidget* tabs() const { return m_tabs; }
    SearchPanel* searchPanel() const { return m_searchPanel; }
    bool isImporting() const;
    QString cachePath() const { return m_cachePath; }

    /// Where the bundled sample is written so it can be imported like any file.
    static QString samplePath();

Q_SIGNALS:
    void importsFinished();
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

    QString m_cachePath;
    QThreadPool m_cacheWorker; // one thread: cache work stays in order
    ImportController* m_imports;
    SearchPanel* m_searchPanel;
    QDockWidget* m_searchDock;
    TraceListView* m_results;
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
