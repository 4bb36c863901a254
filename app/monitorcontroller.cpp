#include "monitorcontroller.h"

#include "latencyheatmapview.h"
#include "metrics/redtable.h"
#include "monitor/exactpercentiles.h"
#include "monitor/rollupqueries.h"
#include "monitor/spancomparison.h"
#include "monitorpage.h"
#include "redtableview.h"
#include "workerjob.h"

#include <QDateTime>

#include <limits>
#include <memory>
#include <utility>

namespace tracemap {

struct MonitorController::Overview {
    std::shared_ptr<const LatencyHeatmap> heatmap;
    std::vector<RedRow> red;
    std::vector<ExplainedEpisode> episodes;
    QString error;
};

namespace {

// The search for the traces of a scope a user reads: those that start in its range.
TraceQuery queryOf(const MonitorScope& scope)
{
    return scope.traceQuery(0);
}

QString timeText(qint64 ns)
{
    return QDateTime::fromMSecsSinceEpoch(ns / 1'000'000).toString(QStringLiteral("HH:mm"));
}

} // namespace

MonitorController::MonitorController(QString cachePath, QThreadPool* worker, MonitorPage* page, QObject* parent)
    : QObject(parent)
    , m_cachePath(std::move(cachePath))
    , m_worker(worker)
    , m_page(page)
{
    LatencyHeatmapView* heatmap = page->heatmap();
    connect(heatmap, &LatencyHeatmapView::regionSelected, this, &MonitorController::compareRegion);
    connect(heatmap, &LatencyHeatmapView::selectionCleared, this, &MonitorController::dropComparison);
    connect(heatmap, &LatencyHeatmapView::cellClicked, this,
        [this](qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64) {
            // The traces whose spans fall in the cell: of the scope, started in its time, at least its shortest
            // duration long (a trace lasts at least as long as its spans).
            TraceQuery query = queryOf(m_scope);
            query.sinceNs = startNs;
            query.untilNs = endNs - 1;
            query.minDurationNs = minDurationNs;
            Q_EMIT tracesRequested(query);
        });
    connect(page, &MonitorPage::filterRequested, this, [this](const QString& key, const QString& value) {
        // The comparison's pseudo attributes are the search form's fields, not tags a search knows.
        TraceQuery query;
        query.service = key == QLatin1String("service.name") ? value : m_scope.service;
        query.operation = key == QLatin1String("name") ? value : m_scope.operation;
        if (key != QLatin1String("service.name") && key != QLatin1String("name"))
            query.tags.emplace_back(key, value);
        Q_EMIT filterRequested(query);
    });
    connect(page, &MonitorPage::anomalyActivated, this, &MonitorController::showEpisode);
    connect(page, &MonitorPage::allKindsToggled, this, [this](bool on) {
        m_searchScope.allKinds = on;
        MonitorScope scope = m_scope;
        scope.allKinds = on;
        narrowTo(scope);
        refresh();
    });
    connect(page, &MonitorPage::wholeScopeRequested, this, [this] {
        narrowTo(m_searchScope);
        refresh();
    });
    connect(page, &MonitorPage::errorsComparisonRequested, this, [this] {
        SpanSelection errors;
        errors.errorsOnly = true;
        m_page->heatmap()->clearSelection();
        compare(m_scope, errors, tr("The failed spans"));
    });
    connect(page->redTable(), &RedTableView::rowChosen, this,
        [this](const QString& service, const QString& operation, bool show) {
            // The row's heatmap here, its traces in the results (shown when the row was activated).
            MonitorScope scope = m_scope;
            scope.service = service;
            scope.operation = operation;
            narrowTo(scope);
            refresh();
            if (show)
                Q_EMIT tracesRequested(queryOf(m_scope));
            else
                Q_EMIT tracesListed(queryOf(m_scope));
        });
}

void MonitorController::dropComparison()
{
    ++m_comparisonGeneration; // one on its way is for what is no longer selected
    m_comparing = false;
    m_page->showComparisonMessage(tr("Drag over the heatmap to compare a region with the rest."));
}

void MonitorController::setScope(const TraceQuery& query)
{
    MonitorScope scope;
    scope.service = query.service;
    scope.operation = query.service.isEmpty() ? QString() : query.operation;
    scope.sinceNs = query.sinceNs;
    scope.untilNs = query.untilNs;
    scope.tags = query.tags;
    scope.allKinds = m_scope.allKinds;
    m_searchScope = scope;
    narrowTo(scope);
}

void MonitorController::narrowTo(const MonitorScope& scope)
{
    if (scope == m_scope)
        return;
    m_scope = scope;
    ++m_scopeGeneration;
    dropComparison();
    m_page->setNarrowed(!(m_scope == m_searchScope));
}

void MonitorController::refresh()
{
    if (m_running) {
        m_pending = true;
        return;
    }
    m_running = true;
    const quint64 scopeGeneration = m_scopeGeneration;
    const QString what = m_scope.service.isEmpty()
        ? tr("All services")
        : (m_scope.operation.isEmpty() ? m_scope.service : m_scope.service + QLatin1Char(' ') + m_scope.operation);
    QString tags;
    for (const auto& [key, value] : m_scope.tags)
        tags += QStringLiteral(" · ") + key + QLatin1Char('=') + value;
    m_page->setScopeText(m_scope.allKinds ? tr("%1%2 · every span").arg(what, tags)
                                          : tr("%1%2 · entry spans (SERVER, CONSUMER and roots)").arg(what, tags));
    const QString path = m_cachePath;
    const MonitorScope scope = m_scope;
    runOnWorker(
        m_worker, this,
        [path, scope] {
            Overview overview;
            auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
            if (!cache) {
                overview.error = cache.error();
                return overview;
            }
            // One read of the rollups for all three.
            const auto series = rollupqueries::loadSeries(**cache, scope, rollupqueries::stepFor(**cache, scope));
            if (!series) {
                overview.error = series.error();
                return overview;
            }
            overview.heatmap = std::make_shared<const LatencyHeatmap>(rollupqueries::heatmapOf(*series));
            overview.red = redTable(*series);
            // A small view gets exact percentiles from its spans rather than the histograms'.
            if (auto exact = useExactPercentiles(**cache, scope, overview.red); !exact)
                overview.error = exact.error();
            auto episodes = findAnomalies(**cache, scope, *series);
            if (episodes)
                overview.episodes = std::move(*episodes);
            else
                overview.error = episodes.error();
            return overview;
        },
        [this, scopeGeneration](const Overview& overview) {
            m_running = false;
            // Shown unless the scope changed meanwhile: under live data a newer run is always asked for before
            // this one ends, and dropping every result for it would leave the tab as it was.
            if (scopeGeneration == m_scopeGeneration)
                show(overview);
            if (std::exchange(m_pending, false))
                refresh();
        });
}

void MonitorController::show(const Overview& overview)
{
    m_page->heatmap()->setHeatmap(overview.heatmap);
    m_page->showRed(overview.red);
    m_episodes = overview.episodes;
    QStringList sentences;
    QHash<QString, QStringList> byService;
    for (const ExplainedEpisode& e : m_episodes) {
        sentences << e.sentence;
        byService[QString::fromStdString(e.series.service)] << e.sentence;
    }
    m_page->showAnomalies(sentences);
    // The map marks the episodes of the search's scope, not of a row or an episode the tab narrowed to.
    if (m_scope == m_searchScope)
        Q_EMIT anomaliesChanged(byService);
    if (!overview.error.isEmpty())
        m_page->setScopeText(tr("Monitoring unavailable: %1").arg(overview.error));
}

void MonitorController::compare(const MonitorScope& scope, const SpanSelection& selection, const QString& what)
{
    const quint64 generation = ++m_comparisonGeneration;
    m_comparing = true;
    m_page->details()->setCurrentIndex(MonitorPage::ComparisonTab);
    m_page->showComparisonMessage(tr("Comparing…"));
    const QString path = m_cachePath;
    runOnWorker(
        m_worker, this,
        [path, scope, selection]() -> std::expected<ScopeComparison, QString> {
            auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
            if (!cache)
                return std::unexpected(cache.error());
            return compareSelection(**cache, scope, selection);
        },
        [this, generation, what](const std::expected<ScopeComparison, QString>& compared) {
            if (generation != m_comparisonGeneration)
                return;
            m_comparing = false;
            if (!compared) {
                m_page->showComparisonMessage(tr("The comparison failed: %1").arg(compared.error()));
                return;
            }
            QString title = tr("%1: %2 spans in %3 traces, against the other %4 spans of the scope")
                                .arg(what)
                                .arg(compared->result.selectionSpans)
                                .arg(compared->selectedTraces)
                                .arg(compared->result.baselineSpans);
            if (compared->isSampled())
                title += tr(" (a sample: %1 of the scope's %2 traces read)")
                             .arg(compared->readTraces)
                             .arg(compared->scopeTraces);
            m_page->showComparison(title, compared->result);
        });
}

void MonitorController::compareRegion(qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64 maxDurationNs)
{
    SpanSelection selection;
    selection.sinceNs = startNs;
    selection.untilNs = endNs;
    selection.minDurationNs = minDurationNs;
    selection.maxDurationNs = maxDurationNs;
    compare(m_scope, selection,
        tr("%1–%2, %3 – %4")
            .arg(timeText(startNs), timeText(endNs), formatDuration(minDurationNs), formatDuration(maxDurationNs)));
}

void MonitorController::showEpisode(int index)
{
    if (index < 0 || index >= static_cast<int>(m_episodes.size()))
        return;
    // The episode's series on the heatmap with the episode marked, its spans compared with the series' baseline
    // (as its sentence was made), and its traces in the results.
    const ExplainedEpisode explained = m_episodes[static_cast<size_t>(index)];
    const AnomalyEpisode& e = explained.episode;
    const qint64 stepNs = std::max<qint64>(1, (e.endNs - e.startNs) / (e.lastBucket - e.firstBucket + 1));
    MonitorScope scope = m_scope;
    scope.service = QString::fromStdString(explained.series.service);
    scope.operation = QString::fromStdString(explained.series.operation);
    narrowTo(scope);
    refresh();
    m_page->heatmap()->setMarkedRange(e.startNs, e.endNs);
    const bool latency = e.kind == AnomalyEpisode::Kind::Latency;
    if (latency)
        m_page->heatmap()->setSelectedRegion(
            e.startNs, e.endNs, static_cast<qint64>(e.baseline), std::numeric_limits<qint64>::max());
    MonitorScope around = m_scope;
    around.sinceNs = e.startNs - AnomalyDetector::Options().baselineBuckets * stepNs;
    around.untilNs = e.endNs - 1;
    SpanSelection selection;
    selection.sinceNs = e.startNs;
    selection.untilNs = e.endNs;
    selection.errorsOnly = e.kind == AnomalyEpisode::Kind::Errors;
    compare(around, selection, explained.sentence);
    TraceQuery query = queryOf(m_scope);
    query.sinceNs = e.startNs;
    query.untilNs = e.endNs - 1;
    if (latency)
        query.minDurationNs = static_cast<qint64>(e.baseline);
    Q_EMIT tracesListed(query);
}

} // namespace tracemap
