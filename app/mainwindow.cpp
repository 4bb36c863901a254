#include "mainwindow.h"

#include "tracecache.h"
#include "tracelistmodel.h"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QtConcurrent>

namespace tracemap {

namespace {

struct ImportOutcome {
    QStringList messages;
    QStringList errors;
    std::vector<TraceSummary> traces;
};

// Runs on a worker thread with its own SQLite connection.
ImportOutcome importAndList(const QString& cachePath, const QStringList& files)
{
    ImportOutcome outcome;
    auto cache = TraceCache::open(cachePath);
    if (!cache) {
        outcome.errors << cache.error();
        return outcome;
    }
    for (const QString& file : files) {
        const auto summary = (*cache)->importFile(file);
        if (summary)
            outcome.messages
                << QStringLiteral("%1: %2 traces, %3 spans").arg(file).arg(summary->traces).arg(summary->spans);
        else
            outcome.errors << summary.error().toString();
    }
    TraceQuery everything;
    everything.limit = 0;
    if (auto traces = (*cache)->search(everything))
        outcome.traces = std::move(*traces);
    return outcome;
}

} // namespace

MainWindow::MainWindow(QString cachePath, QWidget* parent)
    : QMainWindow(parent)
    , m_cachePath(std::move(cachePath))
    , m_model(new TraceListModel(this))
    , m_view(new QTableView(this))
    , m_status(new QLabel(this))
{
    m_cacheWorker.setMaxThreadCount(1);
    setWindowTitle(QStringLiteral("Tracemap"));
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(TraceListModel::SortRole);
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TraceListModel::Start, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->horizontalHeader()->setSectionResizeMode(TraceListModel::Root, QHeaderView::Stretch);
    m_view->verticalHeader()->hide();
    setCentralWidget(m_view);
    statusBar()->addWidget(m_status, 1);
    resize(1200, 720);
    refresh();
}

void MainWindow::openFiles(const QStringList& files)
{
    m_status->setText(tr("Importing %n file(s)…", nullptr, static_cast<int>(files.size())));
    auto* watcher = new QFutureWatcher<ImportOutcome>(this);
    connect(watcher, &QFutureWatcher<ImportOutcome>::finished, this, [this, watcher] {
        ImportOutcome outcome = watcher->result();
        watcher->deleteLater();
        m_model->setTraces(std::move(outcome.traces));
        m_view->resizeColumnsToContents();
        m_status->setText(tr("%n trace(s) in the cache. ", nullptr, m_model->rowCount())
            + outcome.messages.join(QStringLiteral("; ")));
        if (!outcome.errors.isEmpty())
            QMessageBox::warning(this, tr("Import failed"), outcome.errors.join(QStringLiteral("\n")));
    });
    watcher->setFuture(QtConcurrent::run(&m_cacheWorker, importAndList, m_cachePath, files));
}

void MainWindow::refresh()
{
    openFiles({});
}

} // namespace tracemap
