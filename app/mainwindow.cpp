#include "mainwindow.h"

#include "libraryversions.h"

#include "analysiscontroller.h"
#include "cachequeries.h"
#include "connectionsdialog.h"
#include "damagedcacheprompt.h"
#include "flamechartview.h"
#include "flamegraphview.h"
#include "formats/dependencylinksreader.h"
#include "importcontroller.h"
#include "livecontroller.h"
#include "monitorcontroller.h"
#include "monitorpage.h"
#include "remoteconnections.h"
#include "remotesearchcontroller.h"
#include "resultspage.h"
#include "searchpanel.h"
#include "shortcutshelp.h"
#include "startpage.h"
#include "tagcompleter.h"
#include "topologyexporter.h"
#include "topologypage.h"
#include "topologyview.h"
#include "tracelistmodel.h"
#include "tracelistview.h"
#include "traceselection.h"
#include "traceview.h"
#include "workerjob.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <map>

namespace tracemap {

namespace {

constexpr int kMaxRecentFiles = 10;

QString fileFilter()
{
    return QObject::tr("Trace files (*.json *.jsonl *.gz *.pb *.binpb *.proto *.bin);;All files (*)");
}

} // namespace

MainWindow::MainWindow(QString cachePath, Persistence persistence, QWidget* parent)
    : QMainWindow(parent)
    , m_cachePath(std::move(cachePath))
    , m_persistence(persistence)
    , m_imports(new ImportController(m_cachePath, &m_importWorker, this))
    , m_searchPanel(new SearchPanel(this))
    , m_searchDock(new QDockWidget(tr("Search"), this))
    , m_resultsPage(new ResultsPage(this))
    , m_topologyPage(new TopologyPage(this))
    , m_flameGraph(new FlameGraphView(this))
    , m_analysis(new AnalysisController(m_cachePath, &m_analysisWorker, m_topologyPage->view(), m_flameGraph, this))
    , m_monitorPage(new MonitorPage(this))
    , m_monitor(new MonitorController(m_cachePath, &m_monitorWorker, m_monitorPage, this))
    , m_live(new LiveController(m_cachePath,
          persistence == Persistence::Saved ? LiveController::Persistence::Saved : LiveController::Persistence::None,
          this))
    , m_remote(new RemoteSearchController(m_cachePath, this))
    , m_links(new RemoteSearchController(m_cachePath, this))
    , m_tabs(new QTabWidget(this))
    , m_startPage(new StartPage(this))
    , m_central(new QStackedWidget(this))
    , m_status(new QLabel(this))
    , m_cacheSize(new QLabel(this))
    , m_warnings(new QToolButton(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
{
    qRegisterMetaType<ImportSummary>();
    qRegisterMetaType<ImportError>();
    m_cacheWorker.setMaxThreadCount(1);
    m_importWorker.setMaxThreadCount(1);
    m_analysisWorker.setMaxThreadCount(1);
    m_monitorWorker.setMaxThreadCount(1);
    setWindowTitle(QStringLiteral("Tracemap"));
    setAcceptDrops(true);
    setObjectName(QStringLiteral("mainWindow"));

    m_searchDock->setObjectName(QStringLiteral("searchDock"));
    m_searchDock->setWidget(m_searchPanel);
    addDockWidget(Qt::LeftDockWidgetArea, m_searchDock);

    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->addTab(m_resultsPage, tr("Search Results"));
    m_tabs->addTab(m_topologyPage, tr("Topology"));
    m_tabs->addTab(createFlameGraphPage(), tr("Flame Graph"));
    m_tabs->addTab(m_monitorPage, tr("Monitor"));
    // The results, topology, flame graph and monitor tabs stay; trace tabs can be closed.
    for (int i = 0; i < kFixedTabs; ++i)
        m_tabs->tabBar()->setTabButton(i, QTabBar::RightSide, nullptr);
    m_central->addWidget(m_startPage);
    m_central->addWidget(m_tabs);
    setCentralWidget(m_central);

    // Connections: in the user's settings and key store, or (tests, screenshots) in a folder that goes with the
    // window and in memory.
    if (m_persistence == Persistence::Saved) {
        m_connectionSettings = std::make_unique<QSettings>();
        m_secrets = SecretStore::keychain();
    } else {
        m_scratch = std::make_unique<QTemporaryDir>();
        m_connectionSettings
            = std::make_unique<QSettings>(m_scratch->filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        m_secrets = SecretStore::inMemory();
    }
    m_connections = std::make_unique<ConnectionStore>(*m_connectionSettings, *m_secrets);

    createActions();
    createStatusBar();
    m_damagedCache = new DamagedCachePrompt(m_cachePath, this);
    connect(m_imports, &ImportController::cacheDamaged, m_damagedCache, &DamagedCachePrompt::ask);
    connect(m_damagedCache, &DamagedCachePrompt::moved, this, [this](const QString& movedTo) {
        m_status->setText(tr("The damaged cache was moved to %1; a new cache was started.").arg(movedTo));
        refreshCacheInfo();
    });
    wireTopologyPage();
    wireRemoteSources();

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    // The topology of "the last trace opened" follows the trace tab the user looks at.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        auto* view = qobject_cast<TraceView*>(m_tabs->widget(index));
        if (view)
            m_analysis->setCurrentTrace(view->selection()->trace()->id);
        if (m_traceOnMap)
            m_traceOnMap->setEnabled(view != nullptr);
        if (m_monitorStale)
            refreshMonitor();
    });
    connect(m_monitor, &MonitorController::tracesRequested, this, [this](const TraceQuery& query) {
        listMonitorTraces(query, tr("Traces of the Monitor tab's selection, slowest first"));
        m_tabs->setCurrentWidget(m_resultsPage);
    });
    connect(m_monitor, &MonitorController::tracesListed, this, [this](const TraceQuery& query) {
        listMonitorTraces(query, tr("Traces chosen in the Monitor tab, slowest first"));
    });
    connect(m_monitor, &MonitorController::anomaliesChanged, topologyView(), &TopologyView::setAnomalies);
    connect(m_monitor, &MonitorController::filterRequested, this, [this](const TraceQuery& query) {
        // The form keeps what it had (time range, other tags) and gains the service, operation or tag chosen.
        QVariantMap form = m_searchPanel->state();
        if (!query.service.isEmpty())
            form.insert(QStringLiteral("service"), query.service);
        if (!query.operation.isEmpty())
            form.insert(QStringLiteral("operation"), query.operation);
        m_searchPanel->restoreState(form);
        for (const auto& [key, value] : query.tags)
            m_searchPanel->addTag(key, value);
        m_searchPanel->find();
    });
    connect(m_startPage, &StartPage::openRequested, this,
        [this] { openFiles(QFileDialog::getOpenFileNames(this, tr("Open Trace Files"), QString(), fileFilter())); });
    connect(m_startPage, &StartPage::sampleRequested, this, &MainWindow::openSample);
    connect(m_startPage, &StartPage::connectRequested, this, &MainWindow::showConnections);
    connect(resultsView(), &TraceListView::traceActivated, this, [this](const TraceId& id) {
        if (!m_remoteResultsShown) {
            openTrace(id);
            return;
        }
        // A back end's result: from the cache when it is there (offline too, and without waiting behind the
        // network), else fetched into it first.
        TraceQuery query;
        query.traceIds = { id };
        query.limit = 1;
        const QString path = m_cachePath;
        using Found = std::expected<std::vector<TraceSummary>, QString>;
        ++m_tracesOpening;
        runOnWorker(
            &m_cacheWorker, this, [path, query] { return std::make_shared<Found>(cachequeries::find(path, query)); },
            [this, id](const std::shared_ptr<Found>& found) {
                --m_tracesOpening;
                if (*found && !(*found)->empty())
                    openTrace(id);
                else
                    m_remote->open(id);
            });
    });
    connect(m_resultsPage, &ResultsPage::formSearchRequested, m_searchPanel, &SearchPanel::find);
    // Find Traces shows what it found, whichever tab was in front.
    connect(m_searchPanel, &SearchPanel::searchRequested, this, [this](const TraceQuery& query) {
        if (m_remote->isRemote())
            m_remote->search(query, m_searchPanel->traceQl());
        else
            search(query);
        m_tabs->setCurrentWidget(m_resultsPage);
    });
    connect(m_searchPanel, &SearchPanel::traceIdLookupRequested, this, &MainWindow::lookupTraceIds);
    connect(m_searchPanel, &SearchPanel::serviceChanged, this, [this](const QString& service) {
        if (m_remote->isRemote()) {
            m_remote->listOperations(service);
            return;
        }
        const QString path = m_cachePath;
        runOnWorker(
            &m_cacheWorker, this, [path, service] { return cachequeries::operations(path, service); },
            [this](const QStringList& operations) { m_searchPanel->setOperations(operations); });
    });

    connect(m_imports, &ImportController::started, this, [this](const QString& file) {
        m_status->setText(tr("Importing %1…").arg(QFileInfo(file).fileName()));
        m_progress->setRange(0, 100); // a remote fetch may have left it busy
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(m_imports, &ImportController::progress, this,
        [this](const QString&, int percent) { m_progress->setValue(percent); });
    connect(m_imports, &ImportController::fileImported, this, [this](const ImportSummary& s) {
        addRecentFile(s.file);
        m_openedImports.push_back(s.importId);
        m_openedFiles << QFileInfo(s.file).fileName();
        m_openedTraces += s.traces;
        m_openedSpans += s.spans;
        if (s.warnings > 0) {
            m_openedWarningSpans += s.warnings;
            m_openedWarnings << tr("%1: %n span(s) with warnings", nullptr, static_cast<int>(s.warnings))
                                    .arg(QFileInfo(s.file).fileName());
            for (const ImportWarningKind& kind : s.warningKinds)
                m_openedWarnings << QStringLiteral("  ") + kind.describe();
        }
        m_status->setText(tr("%1: %2 traces, %3 spans, %4 services (%5)")
                              .arg(QFileInfo(s.file).fileName())
                              .arg(s.traces)
                              .arg(s.spans)
                              .arg(s.services)
                              .arg(traceFormatName(s.format)));
    });
    connect(m_imports, &ImportController::fileFailed, this, [this](const ImportError& e) {
        if (!e.cancelled) {
            m_importErrors << e.toString();
            Q_EMIT importFailed(e.toString());
        } else {
            m_status->setText(tr("Import of %1 cancelled; the cache is unchanged.").arg(QFileInfo(e.file).fileName()));
        }
    });
    connect(m_imports, &ImportController::finished, this, &MainWindow::onImportsFinished);
    connect(m_live, &LiveController::ticked, this, &MainWindow::followLive);
    connect(m_live, &LiveController::startFailed, this, [this](const QString& message) {
        m_status->setText(tr("Live could not start: %1").arg(message));
        // Not modal, as the import errors: a nested event loop would stall whoever waits for the window.
        auto* box
            = new QMessageBox(QMessageBox::Warning, tr("Live"), tr("Live could not start."), QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("liveError"));
        box->setInformativeText(message);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    connect(m_live, &LiveController::stateChanged, this, [this](LiveController::State state) {
        if (state == LiveController::State::On) {
            m_central->setCurrentWidget(m_tabs); // spans are on their way: the results, not the start page
            m_status->setText(tr("Live: receiving (the status bar's Live button lists where to send)"));
        }
    });

    resize(1400, 860);
    if (m_persistence == Persistence::Saved) {
        QSettings settings;
        restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
        m_searchPanel->restoreState(settings.value(QStringLiteral("search/form")).toMap());
        listConnections(); // the restored source, if still a connection, is connected
    }
    updateRecentMenu();
    // The first search runs once the cache's services are in the form (refreshCacheInfo), so it searches what the
    // form shows: a restored service the cache lacks is dropped first.
    refreshCacheInfo();
}

TraceListView* MainWindow::resultsView() const
{
    return m_resultsPage->list();
}

TopologyView* MainWindow::topologyView() const
{
    return m_topologyPage->view();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::onImportsFinished()
{
    updateBusy();
    refreshCacheInfo();
    if (!m_openedImports.empty()) {
        // As Jaeger's upload does: show what was just opened, and say how much it was.
        TraceQuery query;
        query.imports = std::exchange(m_openedImports, {});
        query.limit = kOpenedTracesShown;
        const QStringList files = std::exchange(m_openedFiles, {});
        const QString what = files.size() == 1 ? files.first() : tr("the %1 files just opened").arg(files.size());
        const qint64 traces = std::exchange(m_openedTraces, 0);
        const QString summary = tr("%1: %2 traces, %3 spans imported")
                                    .arg(files.size() == 1 ? files.first() : tr("%1 files").arg(files.size()))
                                    .arg(traces)
                                    .arg(std::exchange(m_openedSpans, 0));
        QString note = tr("Traces of %1").arg(what);
        if (traces > kOpenedTracesShown)
            note += tr(" (the newest %1 of %2)").arg(kOpenedTracesShown).arg(traces);
        // showResults, not runSearch: the first search of the form, if its cache lists are still on their way,
        // must not replace the traces just opened.
        showResults(query, note);
        m_tabs->setCurrentWidget(m_resultsPage);
        m_status->setText(summary);
        // Warnings are summarised by kind, each with an example, one click away.
        m_warnings->setVisible(m_openedWarningSpans > 0);
        m_warnings->setText(
            tr("%n span(s) with warnings…", nullptr, static_cast<int>(std::exchange(m_openedWarningSpans, 0))));
        m_warnings->setProperty("details", std::exchange(m_openedWarnings, {}).join(QLatin1Char('\n')));
    } else {
        // Nothing new (every file failed or was cancelled): the results stay what they were, searched again.
        runSearch(m_shownQuery, m_shownNote);
    }
    if (!m_importErrors.isEmpty())
        showImportErrors();
    Q_EMIT importsFinished();
}

MainWindow::~MainWindow()
{
    m_imports->cancel();
    m_importWorker.waitForDone();
    m_cacheWorker.waitForDone();
    m_analysisWorker.waitForDone();
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open…"), this,
        [this] { openFiles(QFileDialog::getOpenFileNames(this, tr("Open Trace Files"), QString(), fileFilter())); });
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QAction* sample = file->addAction(tr("Open &Sample"), this, &MainWindow::openSample);
    file->addAction(tr("&Export Topology…"), this, &MainWindow::exportTopology);
    file->addSeparator();
    QAction* connectAction = file->addAction(tr("&Connect…"), this, &MainWindow::showConnections);
    connectAction->setObjectName(QStringLiteral("connectAction"));
    connectAction->setToolTip(tr("Search and open traces in Jaeger, Grafana Tempo or Zipkin"));
    file->addAction(m_live->liveAction());
    file->addAction(m_live->settingsAction());
    file->addSeparator();
    file->addAction(tr("&Clear Cache…"), this, &MainWindow::clearCache);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* toggleSearch = m_searchDock->toggleViewAction();
    toggleSearch->setText(tr("&Search Panel"));
    view->addAction(toggleSearch);
    QToolBar* toolbar = addToolBar(tr("Main Toolbar"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->addAction(open);
    toolbar->addAction(sample);
    view->addAction(toolbar->toggleViewAction());
    view->addSeparator();
    QAction* find = view->addAction(tr("&Find Traces"), this, [this] {
        m_searchDock->show();
        m_searchDock->raise();
        m_searchPanel->focusSearch();
    });
    find->setShortcut(QKeySequence::Find);
    toolbar->addAction(find);
    QAction* lookup = view->addAction(tr("&Lookup Trace ID"), this, [this] {
        m_searchDock->show();
        m_searchDock->raise();
        m_searchPanel->focusTraceIdLookup();
    });
    lookup->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    toolbar->addSeparator();
    toolbar->addAction(m_live->liveAction());
    toolbar->addAction(m_live->followAction());

    QMenu* trace = menuBar()->addMenu(tr("&Trace"));
    QAction* close = trace->addAction(tr("&Close Tab"), this, [this] { closeTab(m_tabs->currentIndex()); });
    close->setShortcut(QKeySequence::Close);
    QAction* next = trace->addAction(tr("&Next Tab"), this, [this] {
        if (m_tabs->count() > 0)
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + 1) % m_tabs->count());
    });
    next->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Tab));
    QAction* previous = trace->addAction(tr("&Previous Tab"), this, [this] {
        if (m_tabs->count() > 0)
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + m_tabs->count() - 1) % m_tabs->count());
    });
    previous->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Tab));
    // A trace's own topology (openzipkin/zipkin#2622): the map of "the last trace opened", this one.
    m_traceOnMap = trace->addAction(tr("Show Its Services on the &Map"), this, [this] {
        auto* view = qobject_cast<TraceView*>(m_tabs->currentWidget());
        if (!view)
            return;
        m_analysis->setCurrentTrace(view->selection()->trace()->id);
        m_topologyPage->setScope(TopologyPage::Scope::CurrentTrace);
        m_tabs->setCurrentWidget(m_topologyPage);
    });
    m_traceOnMap->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    m_traceOnMap->setEnabled(false);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Tracemap"), this, &MainWindow::showAbout);
}

QString MainWindow::aboutText() const
{
    QString libraries;
    for (const auto& [name, version] : libraryVersions())
        libraries += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(name, version.toHtmlEscaped());
    return tr("<b>Tracemap %1</b><p>Distributed traces and service topology.</p>"
              "<p>Free software under the GNU General Public License, version 3 or later "
              "(GPL-3.0-or-later).</p><p>Runs with:</p><table cellspacing=\"4\">%2</table><p>Cache: %3</p>")
        .arg(QStringLiteral(TRACEMAP_VERSION), libraries, m_cachePath.toHtmlEscaped());
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setObjectName(QStringLiteral("aboutBox"));
    box.setWindowTitle(tr("About Tracemap"));
    box.setIconPixmap(QIcon(QStringLiteral(":/icons/tracemap.svg")).pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(aboutText());
    box.setStandardButtons(QMessageBox::Close);
    box.exec();
}

void MainWindow::createStatusBar()
{
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancel->setText(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelImport"));
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, m_imports, &ImportController::cancel);
    m_cacheSize->setToolTip(m_cachePath);
    m_warnings->setObjectName(QStringLiteral("importWarnings"));
    m_warnings->setAutoRaise(true);
    m_warnings->setToolTip(tr("What the last import found odd in the spans, by kind, with an example of each"));
    m_warnings->hide();
    connect(m_warnings, &QToolButton::clicked, this, &MainWindow::showImportWarnings);
    statusBar()->addPermanentWidget(m_warnings);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_live->statusButton());
    statusBar()->addPermanentWidget(m_cacheSize);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
}

bool MainWindow::isImporting() const
{
    return m_imports->isBusy();
}

bool MainWindow::isSettled() const
{
    if (isImporting() || !m_initialSearchDone || m_searchDelivered != m_searchGeneration || m_tracesOpening > 0
        || m_remote->isBusy() || m_links->isBusy() || m_panelQueries > 0 || m_followQueries > 0
        || m_analysis->isComputing() || m_monitor->isComputing() || m_live->state() == LiveController::State::Starting
        || m_live->state() == LiveController::State::Stopping)
        return false;
    if (topologyView()->isLayoutPending())
        return false;
    for (int i = kFixedTabs; i < m_tabs->count(); ++i) {
        if (const auto* view = qobject_cast<const TraceView*>(m_tabs->widget(i));
            view && view->flameChart()->isLayoutPending())
            return false;
    }
    return true;
}

QString MainWindow::samplePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir.isEmpty() ? QDir::tempPath() : dir).filePath(QStringLiteral("sample-shop.json.gz"));
}

void MainWindow::openSample()
{
    const QString path = samplePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile::remove(path);
    if (!QFile::copy(QStringLiteral(":/samples/sample-shop.json.gz"), path)) {
        QMessageBox::warning(this, tr("Open Sample"), tr("Cannot write the sample to %1.").arg(path));
        return;
    }
    openFiles({ path });
}

void MainWindow::openFiles(const QStringList& files)
{
    if (files.isEmpty())
        return;
    m_central->setCurrentWidget(m_tabs);
    // Dependency-link files hold a service graph, not spans: they go straight to the topology map.
    QStringList traceFiles;
    for (const QString& file : files) {
        if (DependencyLinksReader::isDependencyLinksFile(file)) {
            m_analysis->showDependencyFile(file);
            m_dependencyMapShown = true;
            m_tabs->setCurrentWidget(m_topologyPage);
            m_status->setText(tr("%1 is a dependency-link file: its service graph is on the Topology tab")
                                  .arg(QFileInfo(file).fileName()));
        } else {
            traceFiles << file;
        }
    }
    m_imports->importFiles(traceFiles);
}

void MainWindow::listMonitorTraces(TraceQuery query, const QString& note)
{
    query.limit = 1000; // a cell or an episode is a few minutes: enough to hold them, slowest first
    m_initialSearchDone = true;
    runSearch(query, note, SearchKind::FromMonitor);
    resultsView()->sortByColumn(TraceListModel::Duration, Qt::DescendingOrder);
}

void MainWindow::search(const TraceQuery& query)
{
    m_initialSearchDone = true;
    runSearch(query, QString());
}

void MainWindow::showResults(const TraceQuery& query, const QString& note)
{
    m_initialSearchDone = true;
    runSearch(query, note);
}

void MainWindow::runSearch(const TraceQuery& query, const QString& note, SearchKind kind)
{
    m_shownQuery = query;
    m_shownNote = note;
    m_remoteResultsShown = false;
    m_resultsPage->setRemote(false);
    m_resultsPage->setNote(note);
    const quint64 generation = ++m_searchGeneration;
    const QString path = m_cachePath;
    using Outcome = cachequeries::SearchOutcome;
    runOnWorker(
        &m_cacheWorker, this, [path, query] { return std::make_shared<Outcome>(cachequeries::search(path, query)); },
        [this, generation, kind](const std::shared_ptr<Outcome>& outcome) {
            if (generation != m_searchGeneration)
                return; // a newer search is on its way
            m_searchDelivered = generation;
            const int count = static_cast<int>(outcome->traces.size());
            std::vector<TraceId> ids;
            ids.reserve(outcome->traces.size());
            for (const TraceSummary& t : outcome->traces)
                ids.push_back(t.traceId);
            const bool follow = kind == SearchKind::Follow;
            if (follow) {
                m_analysis->refreshForNewData(std::move(ids));
            } else {
                m_analysis->setSearchResults(std::move(ids));
                if (kind == SearchKind::New) {
                    m_monitor->setScope(m_shownQuery);
                    refreshMonitor();
                }
            }
            resultsView()->setTraces(
                std::move(outcome->traces), follow ? TraceListView::Update::KeepPlace : TraceListView::Update::Reset);
            if (outcome->damaged)
                m_damagedCache->ask(outcome->error);
            if (!outcome->error.isEmpty())
                m_status->setText(tr("Search failed: %1").arg(outcome->error));
            else if (!follow && !isImporting() && m_shownQuery.imports.empty()) // an import's own summary stays
                m_status->setText(tr("%n trace(s) found.", nullptr, count));
            Q_EMIT searchFinished(count);
        });
}

void MainWindow::followLive(const IngestCounters& counters)
{
    if (!m_live->isFollowing() || counters.committed == m_followedCommitted)
        return;
    // One refresh at a time: while the last one is on its way, the next tick looks again (committed stays unseen).
    if (m_searchDelivered != m_searchGeneration || m_followQueries > 0 || isImporting())
        return;
    m_followedCommitted = counters.committed;
    if (!m_remoteResultsShown)
        runSearch(m_shownQuery, m_shownNote, SearchKind::Follow);
    refreshCacheInfo();
    refreshMonitor();
    if (m_analysis->scope() != AnalysisController::Scope::SearchResults)
        m_analysis->refreshForNewData();
    reloadGrownTraces();
}

void MainWindow::reloadGrownTraces()
{
    std::vector<TraceId> open;
    for (int i = kFixedTabs; i < m_tabs->count(); ++i) {
        if (const auto* view = qobject_cast<const TraceView*>(m_tabs->widget(i)))
            open.push_back(view->originalTrace()->id);
    }
    if (open.empty())
        return;
    // The summaries first (a row per trace): only a trace whose span count changed is loaded again.
    TraceQuery query;
    query.limit = static_cast<int>(open.size());
    query.traceIds = std::move(open);
    const QString path = m_cachePath;
    using Grown = std::vector<std::shared_ptr<const Trace>>;
    std::map<TraceId, size_t> shown;
    for (int i = kFixedTabs; i < m_tabs->count(); ++i) {
        if (const auto* view = qobject_cast<const TraceView*>(m_tabs->widget(i)))
            shown[view->originalTrace()->id] = view->originalTrace()->spans.size();
    }
    ++m_followQueries;
    runOnWorker(
        &m_cacheWorker, this,
        [path, query, shown = std::move(shown)] {
            Grown grown;
            const auto found = cachequeries::find(path, query);
            if (!found)
                return grown;
            for (const TraceSummary& summary : *found) {
                const auto it = shown.find(summary.traceId);
                if (it != shown.end() && static_cast<size_t>(summary.spanCount) != it->second) {
                    if (auto loaded = cachequeries::loadTrace(path, summary.traceId); loaded.trace)
                        grown.push_back(std::move(loaded.trace));
                }
            }
            return grown;
        },
        [this](const Grown& grown) {
            --m_followQueries;
            for (const auto& trace : grown) {
                for (int i = kFixedTabs; i < m_tabs->count(); ++i) {
                    auto* view = qobject_cast<TraceView*>(m_tabs->widget(i));
                    if (view && view->originalTrace()->id == trace->id)
                        view->setNewVersion(trace);
                }
            }
        });
}

void MainWindow::lookupTraceIds(const QString& text)
{
    auto ids = parseTraceIdList(text);
    if (!ids || ids->empty()) {
        m_searchPanel->showMessage(ids ? tr("No trace ID given.") : ids.error());
        return;
    }
    m_searchPanel->showMessage(QString());
    if (m_remote->isRemote()) {
        for (const TraceId& id : *ids)
            m_remote->open(id); // each into the cache (if not there yet), then its tab
        return;
    }
    TraceQuery query;
    query.traceIds = std::move(*ids);
    query.limit = 1000;
    const QString path = m_cachePath;
    using Found = std::expected<std::vector<TraceSummary>, QString>;
    ++m_tracesOpening;
    runOnWorker(
        &m_cacheWorker, this, [path, query] { return std::make_shared<Found>(cachequeries::find(path, query)); },
        [this, query, text](const std::shared_ptr<Found>& found) {
            --m_tracesOpening;
            if (!*found) {
                m_searchPanel->showMessage(found->error());
            } else if (found->value().empty()) {
                m_searchPanel->showMessage(tr("No trace %1 in the cache.").arg(text));
            } else if (found->value().size() == 1) {
                openTrace(found->value().front().traceId); // as Jaeger's lookup does
            } else {
                showResults(query, tr("Traces with the IDs %1").arg(text));
                m_tabs->setCurrentWidget(m_resultsPage);
            }
        });
}

namespace {
void selectSpan(TraceView* view, SpanId span)
{
    if (span == 0)
        return;
    const auto trace = view->selection()->trace();
    for (quint32 i = 0; i < trace->spans.size(); ++i) {
        if (trace->spans[i].id == span) {
            view->selection()->setSpanIndex(i);
            return;
        }
    }
}
} // namespace

void MainWindow::openTrace(const TraceId& id, SpanId span)
{
    const QString hex = QString::fromStdString(id.toHex());
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->widget(i)->property("traceId").toString() == hex) {
            m_tabs->setCurrentIndex(i);
            auto* view = qobject_cast<TraceView*>(m_tabs->widget(i));
            view->flameChart()->setFocus(Qt::OtherFocusReason);
            selectSpan(view, span);
            Q_EMIT traceOpened(hex);
            return;
        }
    }
    const QString path = m_cachePath;
    using Outcome = cachequeries::OpenedTrace;
    m_status->setText(tr("Opening trace %1…").arg(hex));
    ++m_tracesOpening;
    runOnWorker(
        &m_cacheWorker, this, [path, id] { return std::make_shared<Outcome>(cachequeries::loadTrace(path, id)); },
        [this, hex, span](const std::shared_ptr<Outcome>& outcome) {
            --m_tracesOpening;
            if (!outcome->trace) {
                m_status->setText(outcome->error);
                // Not modal: a nested event loop in a worker's callback would stall whoever waits (screenshot).
                auto* box = new QMessageBox(
                    QMessageBox::Information, tr("Open Trace"), outcome->error, QMessageBox::Ok, this);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
                return;
            }
            auto* view = new TraceView(outcome->trace, m_tabs);
            view->setProperty("traceId", hex);
            connect(view, &TraceView::linkActivated, this,
                [this](const TraceId& trace, SpanId span) { openTrace(trace, span); });
            const TraceSummary& summary = outcome->summary;
            const QString title = QStringLiteral("%1: %2").arg(summary.rootService, summary.rootOperation);
            const int index = m_tabs->addTab(view, title.size() > 40 ? title.left(39) + QChar(0x2026) : title);
            m_tabs->setTabToolTip(index, QStringLiteral("%1\n%2").arg(title, hex));
            m_tabs->setCurrentIndex(index);
            // Keys go to the flame chart (W/A/S/D, n/N), as in Perfetto; the span filter takes them when clicked.
            view->flameChart()->setFocus(Qt::OtherFocusReason);
            selectSpan(view, span);
            m_status->setText(tr("Trace %1: %n span(s)", nullptr, static_cast<int>(summary.spanCount)).arg(hex));
            Q_EMIT traceOpened(hex);
        });
}

void MainWindow::closeTab(int index)
{
    if (index < 0 || index >= m_tabs->count() || !m_tabs->widget(index)->property("traceId").isValid())
        return; // the results and topology tabs stay
    QWidget* page = m_tabs->widget(index);
    m_tabs->removeTab(index);
    page->deleteLater();
}

QWidget* MainWindow::createFlameGraphPage()
{
    // The call paths of the same traces the topology tab maps, merged across traces (AnalysisController).
    auto* page = new QWidget(this);
    auto* widthMode = new QComboBox(page);
    widthMode->addItem(tr("Width: total time"), int(FlameGraphView::Width::TotalTime));
    widthMode->addItem(tr("Width: self time"), int(FlameGraphView::Width::SelfTime));
    widthMode->addItem(tr("Width: span count"), int(FlameGraphView::Width::Count));
    auto* hint = new QLabel(tr("Click a frame to zoom into it; Esc or a click on \u201call\u201d zooms out."), page);
    hint->setEnabled(false);
    auto* row = new QHBoxLayout;
    row->addWidget(widthMode);
    row->addWidget(hint, 1);
    auto* scroll = new QScrollArea(page);
    scroll->setWidget(m_flameGraph);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(row);
    layout->addWidget(scroll, 1);
    connect(widthMode, &QComboBox::currentIndexChanged, this, [this, widthMode](int index) {
        m_flameGraph->setWidthMode(FlameGraphView::Width(widthMode->itemData(index).toInt()));
    });
    return page;
}

void MainWindow::wireTopologyPage()
{
    connect(m_topologyPage, &TopologyPage::scopeChanged, this, [this](TopologyPage::Scope scope) {
        static constexpr AnalysisController::Scope scopes[] = { AnalysisController::Scope::SearchResults,
            AnalysisController::Scope::WholeCache, AnalysisController::Scope::CurrentTrace };
        m_analysis->setScope(scopes[static_cast<int>(scope)]);
    });
    connect(m_analysis, &AnalysisController::failed, this,
        [this](const QString& message) { m_status->setText(tr("Topology: %1").arg(message)); });
    // The panel of the selected service or call lists its newest traces; the search stays as it is.
    connect(m_topologyPage, &TopologyPage::tracesWanted, this, [this](quint64 request, const TraceQuery& query) {
        const QString path = m_cachePath;
        using Found = std::expected<std::vector<TraceSummary>, QString>;
        ++m_panelQueries;
        runOnWorker(
            &m_cacheWorker, this, [path, query] { return std::make_shared<Found>(cachequeries::find(path, query)); },
            [this, request](const std::shared_ptr<Found>& found) {
                --m_panelQueries;
                if (*found)
                    m_topologyPage->setTraces(request, std::move(**found));
                else
                    m_topologyPage->setTraces(request, {}, found->error());
            });
    });
    connect(m_topologyPage, &TopologyPage::traceActivated, this, [this](const TraceId& id) { openTrace(id); });
    connect(m_topologyPage, &TopologyPage::showInResultsRequested, this,
        [this](const TraceQuery& selection, const QString& description) {
            // Exactly the panel's traces, not combined with whatever else the form holds: a note says what they are.
            TraceQuery query = selection;
            query.limit = 100;
            showResults(query, tr("Traces of %1").arg(description));
            m_tabs->setCurrentWidget(m_resultsPage);
        });
}

void MainWindow::wireRemoteSources()
{
    connect(m_connections.get(), &ConnectionStore::changed, this, &MainWindow::listConnections);
    connect(m_searchPanel, &SearchPanel::sourceChanged, this, &MainWindow::selectSource);
    connect(m_remote, &RemoteSearchController::servicesListed, m_searchPanel, &SearchPanel::setServices);
    connect(m_remote, &RemoteSearchController::operationsListed, this,
        [this](const QString& service, const QStringList& operations) {
            if (m_searchPanel->service() == service)
                m_searchPanel->setOperations(operations);
        });
    connect(m_remote, &RemoteSearchController::tagKeysListed, m_searchPanel->tagCompleter(), &TagCompleter::setKeys);
    connect(
        m_remote, &RemoteSearchController::tagValuesListed, m_searchPanel->tagCompleter(), &TagCompleter::setValues);
    connect(m_searchPanel->tagCompleter(), &TagCompleter::valuesWanted, this, [this](const QString& key) {
        if (m_remote->isRemote())
            m_remote->listTagValues(key);
    });
    connect(m_remote, &RemoteSearchController::resultsReady, this,
        [this](const std::vector<TraceSummary>& traces, const QString& note) {
            // Supersedes any local search on its way, as a newer search does.
            m_searchDelivered = ++m_searchGeneration;
            m_remoteResultsShown = true;
            m_shownNote = note;
            m_resultsPage->setNote(note);
            m_resultsPage->setRemote(true);
            std::vector<TraceId> ids;
            for (const TraceSummary& t : traces)
                ids.push_back(t.traceId);
            m_analysis->setSearchResults(std::move(ids)); // those already cached are mapped
            resultsView()->setTraces(traces);
            m_status->setText(tr("%n trace(s) found.", nullptr, int(traces.size())));
            Q_EMIT searchFinished(int(traces.size()));
        });
    connect(m_remote, &RemoteSearchController::traceReady, this, [this](const TraceId& id) { openTrace(id); });
    for (RemoteSearchController* remote : { m_remote, m_links }) {
        connect(remote, &RemoteSearchController::fetched, this, [this](const ImportSummary& s) {
            QString text = tr("%1: %2 traces, %3 spans fetched into the cache").arg(s.file).arg(s.traces).arg(s.spans);
            if (!s.notes.isEmpty())
                text += QStringLiteral(" (") + s.notes.join(QStringLiteral("; ")) + QLatin1Char(')');
            m_status->setText(text);
            m_busyText.clear();
            refreshCacheInfo();
            if (m_remoteResultsShown)
                m_analysis->refreshForNewData(); // the results' map gains the traces now cached
        });
        connect(remote, &RemoteSearchController::failed, this, [this](const QString& message) {
            m_searchPanel->showMessage(message);
            m_status->setText(message);
        });
        connect(remote, &RemoteSearchController::busyChanged, this, [this](const QString& what) {
            if (!what.isEmpty()) {
                m_status->setText(what);
                m_busyText = what;
            } else if (m_status->text() == m_busyText) {
                m_status->clear(); // done, and nothing said since: "Listing …" must not look stuck
            }
            updateBusy();
        });
        connect(remote, &RemoteSearchController::progress, this, [this](qint64 done, qint64 total) {
            if (isImporting())
                return; // the import's own bar
            // A size the server did not say: a busy bar, the bytes in the status text's tooltip.
            m_progress->setRange(0, total > 0 ? 100 : 0);
            m_progress->setValue(total > 0 ? int(done * 100 / total) : 0);
            m_progress->setToolTip(tr("%1 MB received").arg(double(done) / (1 << 20), 0, 'f', 1));
            m_progress->show();
        });
    }
    connect(m_cancel, &QToolButton::clicked, m_remote, &RemoteSearchController::cancel);
    connect(m_cancel, &QToolButton::clicked, m_links, &RemoteSearchController::cancel);
    connect(m_resultsPage, &ResultsPage::fetchAllRequested, m_remote, &RemoteSearchController::fetchAll);

    // The map: a back end's dependency links for a window, beside the maps built from cached traces.
    connect(m_topologyPage, &TopologyPage::dependenciesWanted, this, [this](const QString& name, qint64 lookbackNs) {
        const auto connection = m_connections->connection(name);
        if (!connection) {
            m_status->setText(tr("No connection %1").arg(name));
            return;
        }
        m_links->setConnection(connection);
        m_links->loadDependencies(lookbackNs);
    });
    connect(m_links, &RemoteSearchController::dependenciesReady, this,
        [this](const Topology& topology, const QString& description) {
            // Still what the Topology tab asks for (a slow answer may come after another choice)?
            if (!m_links->connection() || m_topologyPage->dependencySource() != m_links->connection()->name)
                return;
            m_analysis->showTopology(topology);
            m_status->setText(
                tr("%1: %2 services, %3 calls").arg(description).arg(topology.nodes.size()).arg(topology.edges.size()));
        });
    listConnections();
}

void MainWindow::showConnections()
{
    auto* dialog = new ConnectionsDialog(*m_connections, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::listConnections()
{
    QStringList names;
    QStringList withLinks; // Tempo keeps no dependency links
    for (const RemoteConnection& c : m_connections->withoutSecrets()) { // names and kinds: no key store prompt
        names << c.name;
        if (c.kind != remote::BackendKind::Tempo)
            withLinks << c.name;
    }
    m_topologyPage->setDependencySources(withLinks);
    const QString before = m_searchPanel->source();
    m_searchPanel->setSources(names); // a source that is gone gives way to the cache (sourceChanged)
    if (before.isEmpty() || m_searchPanel->source() != before)
        return;
    // The chosen connection, restored or edited (a new URL or token), is connected (again); another's edit leaves
    // the search and its results alone.
    const auto now = m_connections->connection(before);
    if (!m_remote->connection() || !now || *now != *m_remote->connection())
        selectSource(before);
}

void MainWindow::selectSource(const QString& name)
{
    const auto connection = name.isEmpty() ? std::nullopt : m_connections->connection(name);
    if (!name.isEmpty() && !connection) {
        m_searchPanel->setSource(QString());
        return;
    }
    if (m_remoteResultsShown) {
        // The list came from the previous source: its rows are not this one's to open or fetch.
        m_remoteResultsShown = false;
        resultsView()->setTraces({});
        m_resultsPage->setRemote(false);
        m_resultsPage->setNote(tr("Find Traces searches %1.").arg(name.isEmpty() ? tr("the local cache") : name));
    }
    m_remote->setConnection(connection);
    m_searchPanel->tagCompleter()->setKeys({});
    if (!connection) {
        m_searchPanel->setSourceStyle(SearchPanel::SourceStyle::Cache);
        refreshCacheInfo();
        return;
    }
    static constexpr SearchPanel::SourceStyle styles[]
        = { SearchPanel::SourceStyle::Jaeger, SearchPanel::SourceStyle::Tempo, SearchPanel::SourceStyle::Zipkin };
    m_searchPanel->setSourceStyle(styles[static_cast<int>(connection->kind)]);
    // The cache's services are not the back end's: none until it lists its own.
    m_searchPanel->setServices({});
    // A secret the key store would not give is said here, not later as a puzzling 401.
    m_searchPanel->showMessage(m_connections->lastProblem());
    m_central->setCurrentWidget(m_tabs);
    m_remote->listServices();
    m_remote->listTagKeys();
}

void MainWindow::updateBusy()
{
    const bool remoteBusy = m_remote->isBusy() || m_links->isBusy();
    m_cancel->setVisible(isImporting() || remoteBusy);
    if (!isImporting() && !remoteBusy)
        m_progress->hide();
}

void MainWindow::exportTopology()
{
    const TopologyView* map = topologyView();
    if (!map->isLaidOut() || map->topology().nodes.empty()) {
        QMessageBox::information(this, tr("Export Topology"), tr("There is no topology to export yet."));
        return;
    }
    QString selected;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Topology"), QStringLiteral("topology.svg"),
        tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf);;Graphviz DOT (*.dot);;JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    TopologyExporter::Options options; // the map as shown: its groups, filters, colours, sizes
    options.edgeLabels = map->edgeLabels();
    options.colorBy = map->colorBy();
    options.sizeBy = map->sizeBy();
    const auto written = TopologyExporter::write(path, map->topology(), map->geometry(), options);
    if (!written)
        QMessageBox::warning(this, tr("Export Topology"), written.error());
    else
        m_status->setText(tr("Topology written to %1").arg(path));
}

void MainWindow::refreshMonitor()
{
    // Only while it (or the map, which marks the anomalies) is in front: anomalies read spans to explain
    // themselves, which live ticks must not repeat for tabs nobody looks at. Brought to the front, it catches up.
    m_monitorStale = m_tabs->currentWidget() != m_monitorPage && m_tabs->currentWidget() != m_topologyPage;
    if (!m_monitorStale)
        m_monitor->refresh();
}

void MainWindow::refreshCacheInfo()
{
    const QString path = m_cachePath;
    const QString service = m_searchPanel->service();
    runOnWorker(
        &m_cacheWorker, this,
        [path, service] { return std::make_shared<cachequeries::CacheInfo>(cachequeries::info(path, service)); },
        [this, service](const std::shared_ptr<cachequeries::CacheInfo>& info) {
            if (!info->error.isEmpty()) {
                m_status->setText(info->error);
                if (info->damaged)
                    m_damagedCache->ask(info->error);
                m_initialSearchDone = true; // nothing to search: the window is as settled as it gets
                return;
            }
            if (!m_remote->isRemote()) { // a connection's lists come from it
                m_searchPanel->setServices(info->services);
                if (!service.isEmpty() && m_searchPanel->service() == service)
                    m_searchPanel->setOperations(info->operations);
            }
            if (!m_initialSearchDone) {
                // The form now holds only what the cache has: that is the first search.
                const auto query = m_searchPanel->query();
                if (const auto* error = std::get_if<QString>(&query))
                    m_searchPanel->showMessage(*error); // a restored field is wrong: say so, search everything
                search(std::holds_alternative<TraceQuery>(query) ? std::get<TraceQuery>(query) : TraceQuery {});
            }
            updateCentralPage(info->traces);
            m_cacheSize->setText(tr("Cache: %1 traces, %2 spans").arg(info->traces).arg(info->spans));
        });
}

void MainWindow::updateCentralPage(qint64 traceCount)
{
    // A connection searches a back end, a dependency-link file is a map: they show even while the cache is empty.
    if (traceCount == 0 && !isImporting() && m_tabs->count() == kFixedTabs && !m_remote->isRemote()
        && !m_dependencyMapShown)
        m_central->setCurrentWidget(m_startPage);
    else
        m_central->setCurrentWidget(m_tabs);
}

void MainWindow::clearCache()
{
    if (QMessageBox::question(this, tr("Clear Cache"),
            tr("Remove every trace from the cache %1? The files you imported are not touched.").arg(m_cachePath))
        != QMessageBox::Yes)
        return;
    for (int i = m_tabs->count() - 1; i >= 0; --i)
        closeTab(i);
    const QString path = m_cachePath;
    runOnWorker(
        &m_cacheWorker, this, [path] { return cachequeries::clear(path); },
        [this](const QString& error) {
            m_status->setText(error.isEmpty() ? tr("Cache cleared.") : error);
            refreshCacheInfo();
            runSearch(m_shownQuery, m_shownNote);
        });
}

void MainWindow::showImportErrors()
{
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Import Failed"),
        tr("%n file(s) could not be imported. The cache is unchanged for them.", nullptr,
            static_cast<int>(m_importErrors.size())),
        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("importErrors"));
    box->setInformativeText(m_importErrors.first());
    box->setDetailedText(m_importErrors.join(QLatin1Char('\n')));
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    m_importErrors.clear();
}

void MainWindow::showImportWarnings()
{
    auto* box = new QMessageBox(
        QMessageBox::Information, tr("Import Warnings"), m_warnings->text().chopped(1), QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("importWarningsDialog"));
    box->setInformativeText(tr("The spans were imported; these are what they lack or contradict, by kind, with "
                               "the first span of each kind."));
    box->setDetailedText(m_warnings->property("details").toString());
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showShortcuts()
{
    auto* box = new QMessageBox(
        QMessageBox::NoIcon, tr("Keyboard Shortcuts"), ShortcutsHelp::html(), QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("shortcuts"));
    box->setTextFormat(Qt::RichText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::addRecentFile(const QString& file)
{
    if (file == samplePath() || m_persistence == Persistence::None)
        return;
    QSettings settings;
    QStringList files = settings.value(QStringLiteral("recentFiles")).toStringList();
    const QString absolute = QFileInfo(file).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), files);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = m_persistence == Persistence::Saved
        ? QSettings().value(QStringLiteral("recentFiles")).toStringList()
        : QStringList();
    for (const QString& file : files)
        m_recentMenu->addAction(QFileInfo(file).fileName(), this, [this, file] { openFiles({ file }); })
            ->setToolTip(file);
    m_recentMenu->setToolTipsVisible(true);
    if (!files.isEmpty())
        m_recentMenu->addSeparator();
    QAction* clear = m_recentMenu->addAction(tr("Clear List"), this, [this] {
        QSettings().remove(QStringLiteral("recentFiles"));
        updateRecentMenu();
    });
    clear->setEnabled(!files.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_persistence == Persistence::Saved) {
        QSettings settings;
        settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
        settings.setValue(QStringLiteral("window/state"), saveState());
        settings.setValue(QStringLiteral("search/form"), m_searchPanel->state());
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList files;
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            files << url.toLocalFile();
    }
    if (!files.isEmpty()) {
        event->acceptProposedAction();
        openFiles(files);
    }
}

} // namespace tracemap
