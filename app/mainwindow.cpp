#include "mainwindow.h"

#include "analysiscontroller.h"
#include "dependencylinksreader.h"
#include "flamegraphview.h"
#include "importcontroller.h"
#include "searchpanel.h"
#include "startpage.h"
#include "topologyexporter.h"
#include "topologyview.h"
#include "tracecache.h"
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
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace tracemap {

namespace {

constexpr int kMaxRecentFiles = 10;

struct CacheInfo {
    QStringList services;
    qint64 traces = 0;
    qint64 spans = 0;
    QString error;
};

QString fileFilter()
{
    return QObject::tr("Trace files (*.json *.jsonl *.gz *.pb *.binpb *.proto *.bin);;All files (*)");
}

} // namespace

MainWindow::MainWindow(QString cachePath, QWidget* parent)
    : QMainWindow(parent)
    , m_cachePath(std::move(cachePath))
    , m_imports(new ImportController(m_cachePath, &m_importWorker, this))
    , m_searchPanel(new SearchPanel(this))
    , m_searchDock(new QDockWidget(tr("Search"), this))
    , m_results(new TraceListView(this))
    , m_topology(new TopologyView(this))
    , m_flameGraph(new FlameGraphView(this))
    , m_analysis(new AnalysisController(m_cachePath, &m_analysisWorker, m_topology, m_flameGraph, this))
    , m_tabs(new QTabWidget(this))
    , m_startPage(new StartPage(this))
    , m_central(new QStackedWidget(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
{
    qRegisterMetaType<ImportSummary>();
    qRegisterMetaType<ImportError>();
    m_cacheWorker.setMaxThreadCount(1);
    m_importWorker.setMaxThreadCount(1);
    m_analysisWorker.setMaxThreadCount(1);
    setWindowTitle(QStringLiteral("Tracemap"));
    setAcceptDrops(true);
    setObjectName(QStringLiteral("mainWindow"));

    m_searchDock->setObjectName(QStringLiteral("searchDock"));
    m_searchDock->setWidget(m_searchPanel);
    addDockWidget(Qt::LeftDockWidgetArea, m_searchDock);

    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->addTab(m_results, tr("Search Results"));
    m_tabs->addTab(createTopologyPage(), tr("Topology"));
    m_tabs->addTab(createFlameGraphPage(), tr("Flame Graph"));
    // The results and topology tabs stay; trace tabs can be closed.
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    m_tabs->tabBar()->setTabButton(1, QTabBar::RightSide, nullptr);
    m_tabs->tabBar()->setTabButton(2, QTabBar::RightSide, nullptr);
    m_central->addWidget(m_startPage);
    m_central->addWidget(m_tabs);
    setCentralWidget(m_central);

    createActions();
    createStatusBar();

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    // The topology of "the last trace opened" follows the trace tab the user looks at.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (auto* view = qobject_cast<TraceView*>(m_tabs->widget(index)))
            m_analysis->setCurrentTrace(view->selection()->trace()->id);
    });
    connect(m_startPage, &StartPage::openRequested, this,
        [this] { openFiles(QFileDialog::getOpenFileNames(this, tr("Open Trace Files"), QString(), fileFilter())); });
    connect(m_startPage, &StartPage::sampleRequested, this, &MainWindow::openSample);
    connect(m_results, &TraceListView::traceActivated, this, [this](const TraceId& id) { openTrace(id); });
    connect(m_searchPanel, &SearchPanel::searchRequested, this, &MainWindow::search);
    connect(m_searchPanel, &SearchPanel::serviceChanged, this, [this](const QString& service) {
        const QString path = m_cachePath;
        runOnWorker(
            &m_cacheWorker, this,
            [path, service] {
                auto cache = TraceCache::open(path);
                return cache && !service.isEmpty() ? (*cache)->operations(service) : QStringList();
            },
            [this](const QStringList& operations) { m_searchPanel->setOperations(operations); });
    });

    connect(m_imports, &ImportController::started, this, [this](const QString& file) {
        m_status->setText(tr("Importing %1…").arg(QFileInfo(file).fileName()));
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(m_imports, &ImportController::progress, this,
        [this](const QString&, int percent) { m_progress->setValue(percent); });
    connect(m_imports, &ImportController::fileImported, this, [this](const ImportSummary& s) {
        addRecentFile(s.file);
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
    connect(m_imports, &ImportController::finished, this, [this] {
        m_progress->hide();
        m_cancel->hide();
        refreshCacheInfo();
        search(m_lastQuery);
        if (!m_importErrors.isEmpty())
            showImportErrors();
        Q_EMIT importsFinished();
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_searchPanel->restoreState(settings.value(QStringLiteral("search/form")).toMap());
    if (const auto restored = m_searchPanel->query(); std::holds_alternative<TraceQuery>(restored))
        m_lastQuery = std::get<TraceQuery>(restored);
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1400, 860);
    updateRecentMenu();
    refreshCacheInfo();
    search(m_lastQuery);
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

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Tracemap"), this, [this] {
        QMessageBox::about(this, tr("About Tracemap"),
            tr("<b>Tracemap %1</b><p>Distributed traces and service topology.</p><p>Free software under the GNU "
               "GPL, version 3 or later.</p><p>Cache: %2</p>")
                .arg(QCoreApplication::applicationVersion(), m_cachePath.toHtmlEscaped()));
    });
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
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
}

bool MainWindow::isImporting() const
{
    return m_imports->isBusy();
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
            m_tabs->setCurrentWidget(m_topology->parentWidget());
        } else {
            traceFiles << file;
        }
    }
    m_imports->importFiles(traceFiles);
}

void MainWindow::search(const TraceQuery& query)
{
    m_lastQuery = query;
    const quint64 generation = ++m_searchGeneration;
    const QString path = m_cachePath;
    struct Outcome {
        std::vector<TraceSummary> traces;
        QString error;
    };
    runOnWorker(
        &m_cacheWorker, this,
        [path, query] {
            auto outcome = std::make_shared<Outcome>();
            auto cache = TraceCache::open(path);
            if (!cache) {
                outcome->error = cache.error();
                return outcome;
            }
            auto traces = (*cache)->search(query);
            if (traces)
                outcome->traces = std::move(*traces);
            else
                outcome->error = traces.error();
            return outcome;
        },
        [this, generation](const std::shared_ptr<Outcome>& outcome) {
            if (generation != m_searchGeneration)
                return; // a newer search is on its way
            const int count = static_cast<int>(outcome->traces.size());
            std::vector<TraceId> ids;
            ids.reserve(outcome->traces.size());
            for (const TraceSummary& t : outcome->traces)
                ids.push_back(t.traceId);
            m_analysis->setSearchResults(std::move(ids));
            m_results->setTraces(std::move(outcome->traces));
            if (!outcome->error.isEmpty())
                m_status->setText(tr("Search failed: %1").arg(outcome->error));
            else if (!isImporting())
                m_status->setText(tr("%n trace(s) found.", nullptr, count));
            Q_EMIT searchFinished(count);
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
            selectSpan(qobject_cast<TraceView*>(m_tabs->widget(i)), span);
            Q_EMIT traceOpened(hex);
            return;
        }
    }
    const QString path = m_cachePath;
    struct Outcome {
        std::shared_ptr<const Trace> trace;
        TraceSummary summary; // a pass over every span: done here, not on the GUI thread
        QString error;
    };
    m_status->setText(tr("Opening trace %1…").arg(hex));
    runOnWorker(
        &m_cacheWorker, this,
        [path, id] {
            auto outcome = std::make_shared<Outcome>();
            auto cache = TraceCache::open(path);
            if (!cache) {
                outcome->error = cache.error();
                return outcome;
            }
            auto trace = (*cache)->loadTrace(id);
            if (trace) {
                outcome->trace = *trace;
                outcome->summary = TraceSummary::of(**trace);
            } else {
                outcome->error = trace.error();
            }
            return outcome;
        },
        [this, hex, span](const std::shared_ptr<Outcome>& outcome) {
            if (!outcome->trace) {
                m_status->setText(outcome->error);
                QMessageBox::information(this, tr("Open Trace"), outcome->error);
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

QWidget* MainWindow::createTopologyPage()
{
    auto* page = new QWidget(this);
    auto* scope = new QComboBox(page);
    scope->addItem(tr("Services of the search results"));
    scope->addItem(tr("Services of the whole cache"));
    scope->addItem(tr("Services of the last trace opened"));
    auto* row = new QHBoxLayout;
    row->addWidget(scope);
    row->addStretch(1);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_topology, 1);
    connect(scope, &QComboBox::currentIndexChanged, this, [this](int index) {
        static constexpr AnalysisController::Scope scopes[] = { AnalysisController::Scope::SearchResults,
            AnalysisController::Scope::WholeCache, AnalysisController::Scope::CurrentTrace };
        m_analysis->setScope(scopes[std::clamp(index, 0, 2)]);
    });
    connect(m_analysis, &AnalysisController::failed, this,
        [this](const QString& message) { m_status->setText(tr("Topology: %1").arg(message)); });
    // A click on a service lists its traces; a click on a call lists the traces that make it.
    connect(m_topology, &TopologyView::nodeClicked, this, [this](const QString& service) {
        if (!m_searchPanel->setService(service)) {
            m_status->setText(tr("%1 reports no spans of its own (it is inferred from its callers)").arg(service));
            return;
        }
        m_searchPanel->find();
        m_tabs->setCurrentWidget(m_results);
    });
    connect(m_topology, &TopologyView::edgeClicked, this, &MainWindow::searchEdge);
    return page;
}

void MainWindow::searchEdge(const QString& from, const QString& to)
{
    TraceQuery query;
    query.edge = std::make_pair(from, to);
    query.limit = 100;
    search(query);
    m_status->setText(tr("Traces with calls from %1 to %2").arg(from, to));
    m_tabs->setCurrentWidget(m_results);
}

void MainWindow::exportTopology()
{
    if (!m_topology->isLaidOut() || m_topology->topology().nodes.empty()) {
        QMessageBox::information(this, tr("Export Topology"), tr("There is no topology to export yet."));
        return;
    }
    QString selected;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Topology"), QStringLiteral("topology.svg"),
        tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf);;Graphviz DOT (*.dot);;JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    TopologyExporter::Options options;
    options.edgeLabels = m_topology->edgeLabels();
    const auto written = TopologyExporter::write(path, m_topology->topology(), m_topology->geometry(), options);
    if (!written)
        QMessageBox::warning(this, tr("Export Topology"), written.error());
    else
        m_status->setText(tr("Topology written to %1").arg(path));
}

void MainWindow::refreshCacheInfo()
{
    const QString path = m_cachePath;
    runOnWorker(
        &m_cacheWorker, this,
        [path] {
            auto info = std::make_shared<CacheInfo>();
            auto cache = TraceCache::open(path);
            if (!cache) {
                info->error = cache.error();
                return info;
            }
            info->services = (*cache)->services();
            info->traces = (*cache)->traceCount();
            info->spans = (*cache)->spanCount();
            return info;
        },
        [this](const std::shared_ptr<CacheInfo>& info) {
            if (!info->error.isEmpty()) {
                m_status->setText(info->error);
                return;
            }
            m_searchPanel->setServices(info->services);
            updateCentralPage(info->traces);
            if (!isImporting() && info->traces > 0)
                m_status->setText(tr("Cache: %1 traces, %2 spans").arg(info->traces).arg(info->spans));
        });
}

void MainWindow::updateCentralPage(qint64 traceCount)
{
    if (traceCount == 0 && !isImporting() && m_tabs->count() == kFixedTabs)
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
        &m_cacheWorker, this,
        [path] {
            auto cache = TraceCache::open(path);
            if (!cache)
                return cache.error();
            auto cleared = (*cache)->clear();
            return cleared ? QString() : cleared.error();
        },
        [this](const QString& error) {
            m_status->setText(error.isEmpty() ? tr("Cache cleared.") : error);
            refreshCacheInfo();
            search(m_lastQuery);
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

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard Shortcuts"),
        tr("<table cellpadding=3>"
           "<tr><td><b>Ctrl+O</b></td><td>Open trace files</td></tr>"
           "<tr><td><b>Ctrl+F</b></td><td>Find traces (focus the search panel)</td></tr>"
           "<tr><td><b>Enter</b></td><td>Run the search / open the selected trace</td></tr>"
           "<tr><td><b>Ctrl+W</b></td><td>Close the trace tab</td></tr>"
           "<tr><td><b>Ctrl+Tab</b>, <b>Ctrl+Shift+Tab</b></td><td>Next, previous tab</td></tr>"
           "<tr><td><b>Ctrl+C</b></td><td>Copy the selected value in span details</td></tr>"
           "<tr><td><b>F1</b></td><td>This list</td></tr>"
           "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr></table>"));
}

void MainWindow::addRecentFile(const QString& file)
{
    if (file == samplePath())
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
    const QStringList files = QSettings().value(QStringLiteral("recentFiles")).toStringList();
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
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("search/form"), m_searchPanel->state());
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
