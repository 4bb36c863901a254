#pragma once

#include "formats/importerror.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QMainWindow>
#include <QStringList>
#include <QThreadPool>

#include <memory>

class QAction;
class QDockWidget;
class QSettings;
class QTemporaryDir;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QToolButton;

namespace tracemap {

class DamagedCachePrompt;
class ImportController;
class ResultsPage;
class SearchPanel;
class StartPage;
class TraceListView;
class AnalysisController;
class TopologyPage;
class TopologyView;
class FlameGraphView;
class MonitorController;
class MonitorPage;
class LiveController;
class ConnectionStore;
class RemoteSearchController;
class SecretStore;
struct IngestCounters;

/// The window a user lives in: a search dock, the results and one tab per open trace, imports with progress and
/// cancel in the status bar. All cache work runs on one worker thread, in the order it was asked for; the GUI
/// thread only swaps finished results in (stale search results are dropped by generation).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Saved: the window restores and saves its geometry, search form and recent files (QSettings). None: it
    /// neither reads nor writes them, as `tracemap screenshot` and tests need.
    enum class Persistence { Saved, None };

    explicit MainWindow(QString cachePath, Persistence persistence = Persistence::Saved, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Imports the files; when done, the results show the traces of these files (Jaeger's upload does the same).
    void openFiles(const QStringList& files);
    void openSample();
    /// Runs the search the form describes (the form shows `query`).
    void search(const TraceQuery& query);
    /// Lists the traces of a query the form cannot show (the files just opened, a call on the map, trace ids);
    /// `note` says above the results what they are.
    void showResults(const TraceQuery& query, const QString& note);
    /// Looks up trace ids as typed (space or comma separated): one found opens, several are listed.
    void lookupTraceIds(const QString& text);
    /// Opens the trace in a tab (or shows its tab) and selects the span, if one is given.
    void openTrace(const TraceId& id, SpanId span = 0);

    /// For tests and `tracemap screenshot`.
    TraceListView* resultsView() const;
    ResultsPage* resultsPage() const { return m_resultsPage; }
    QTabWidget* tabs() const { return m_tabs; }
    SearchPanel* searchPanel() const { return m_searchPanel; }
    /// The query the results show.
    const TraceQuery& shownQuery() const { return m_shownQuery; }
    TopologyPage* topologyPage() const { return m_topologyPage; }
    MonitorPage* monitorPage() const { return m_monitorPage; }
    TopologyView* topologyView() const;
    FlameGraphView* flameGraphView() const { return m_flameGraph; }
    LiveController* live() const { return m_live; }
    /// The saved back-end connections (File ▸ Connect…) and the search dock's remote source.
    ConnectionStore* connections() const { return m_connections.get(); }
    RemoteSearchController* remoteSearch() const { return m_remote; }
    /// The live writer's committed span count that the results, map and open traces last refreshed for (follow).
    qint64 liveFollowedCommitted() const { return m_followedCommitted; }
    /// Search Results, Topology and Flame Graph; trace tabs come after them.
    static constexpr int kFixedTabs = 4;
    /// Opening files lists at most this many of their traces, the newest first.
    static constexpr int kOpenedTracesShown = 2000;
    bool isImporting() const;
    /// Nothing on its way: no import, search, live follow or analysis running, the map laid out and every trace tab's
    /// flame chart laid out. `tracemap screenshot` waits for this, so it never captures a placeholder.
    bool isSettled() const;
    QString cachePath() const { return m_cachePath; }
    QString statusText() const;
    /// What Help ▸ About says: version, licence, the libraries it runs with and their versions, the cache.
    QString aboutText() const;

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
    /// Recomputes the Monitor tab if it is in front, else marks it stale until it is.
    void refreshMonitor();
    /// New: a search the user asked for. Follow: the shown results again, as live data arrived (the selection and
    /// scroll position kept; the map and flame graph recomputed without superseding one in progress).
    /// New: the search form's (or a view's) search, which the Monitor tab follows; Follow: live data arrived;
    /// FromMonitor: traces the Monitor tab asked for, which must not narrow its own scope.
    enum class SearchKind { New, Follow, FromMonitor };
    void runSearch(const TraceQuery& query, const QString& note, SearchKind kind = SearchKind::New);
    /// The traces of a heatmap cell, a RED row or an anomaly: the newest 1000, slowest first, leaving the Monitor
    /// tab's scope as it is.
    void listMonitorTraces(TraceQuery query, const QString& note);
    /// Live spans were committed: refresh what shows the cache (throttled by the live tick, once a second).
    void followLive(const IngestCounters& counters);
    /// Reloads the open trace tabs whose trace gained spans, in place.
    void reloadGrownTraces();
    void onImportsFinished();
    void updateRecentMenu();
    void addRecentFile(const QString& file);
    void showImportErrors();
    void showImportWarnings();
    void showShortcuts();
    void showAbout();
    void clearCache();
    void closeTab(int index);
    void updateCentralPage(qint64 traceCount);
    void wireTopologyPage();
    /// The search dock's Source box, File ▸ Connect… and the back ends' dependency links on the map.
    void wireRemoteSources();
    /// Searches, lists and opens from the chosen source from now on: a connection's name, or empty for the cache.
    void selectSource(const QString& connection);
    void listConnections();
    void showConnections();
    /// The Cancel button and progress bar, shared by imports and both remote controllers: shown while any works.
    void updateBusy();
    QWidget* createFlameGraphPage();
    void exportTopology();

    QString m_cachePath;
    Persistence m_persistence;
    std::unique_ptr<QTemporaryDir> m_scratch; // Persistence::None: settings that vanish with the window
    QThreadPool m_cacheWorker; // queries: one thread, so they run in the order asked
    QThreadPool m_importWorker; // imports: one writer; queries go on meanwhile (SQLite WAL)
    // Topology and flame graph of many traces: seconds on a large cache, so opening a trace or searching never
    // queues behind them.
    QThreadPool m_analysisWorker;
    QThreadPool m_monitorWorker; // the Monitor tab: one computation at a time
    ImportController* m_imports;
    DamagedCachePrompt* m_damagedCache = nullptr; // asks to move a damaged cache aside
    SearchPanel* m_searchPanel;
    QDockWidget* m_searchDock;
    ResultsPage* m_resultsPage;
    TopologyPage* m_topologyPage;
    FlameGraphView* m_flameGraph;
    AnalysisController* m_analysis;
    MonitorPage* m_monitorPage;
    MonitorController* m_monitor;
    bool m_monitorStale = true;
    LiveController* m_live;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<QSettings> m_connectionSettings; // a scratch file when Persistence::None
    std::unique_ptr<ConnectionStore> m_connections;
    RemoteSearchController* m_remote;
    RemoteSearchController* m_links; // the map's dependency links, from any connection
    QString m_busyText; // what the status bar says a remote request is doing
    bool m_remoteResultsShown = false; // the results list a back end's search, which live follow must not replace
    QTabWidget* m_tabs;
    StartPage* m_startPage;
    QStackedWidget* m_central;
    QMenu* m_recentMenu = nullptr;
    QAction* m_traceOnMap = nullptr; // Trace ▸ Show Its Services on the Map, for the trace tab in front
    QLabel* m_status;
    QLabel* m_cacheSize;
    QToolButton* m_warnings;
    QProgressBar* m_progress;
    QToolButton* m_cancel;
    QStringList m_importErrors;
    TraceQuery m_shownQuery; // what the results show: the form's search, or another with a note
    QString m_shownNote;
    quint64 m_searchGeneration = 0;
    quint64 m_searchDelivered = 0;
    int m_tracesOpening = 0;
    int m_panelQueries = 0; // the map panel's trace lists on their way
    int m_followQueries = 0; // live follow's reloads of open traces on their way
    qint64 m_followedCommitted = 0; // the live writer's committed count the views last refreshed for
    bool m_dependencyMapShown = false; // a dependency-link file was opened: its map, not the start page
    bool m_initialSearchDone = false; // the first search waits for the cache's services (the form must match)
    // What the files being opened brought, for "the traces just opened".
    std::vector<qint64> m_openedImports;
    QStringList m_openedFiles;
    qint64 m_openedTraces = 0;
    qint64 m_openedSpans = 0;
    qint64 m_openedWarningSpans = 0;
    QStringList m_openedWarnings; // per file, its warnings by kind, for the Warnings dialog
};

} // namespace tracemap
