// The cache at scale (not a test: it prints figures). See README "Benchmarks".
// Builds, once, two caches of generated traces of 10 spans each, as issue 18 measured them: 1,000,000 traces
// (10M spans) and 100,000 traces (1M spans), each from `tracemap generate --services 60 --format otlp-proto
// --seed 12` imported by `tracemap import` in a child process (its time, spans/s and peak RSS are printed, and kept
// beside the cache for later runs). The caches stay in the build folder (bench-bigcache/); the files are deleted.
// Then, --runs times (default 3) per cache, medians printed with the ratio of the big cache's to the small one's:
// - 30 searches that mix every filter (service, operation, tags, minimum and maximum duration, time range, limit)
//   on a connection opened for the run: p50, p95 and the slowest; every result is checked for order and bounds;
// - `tracemap stats` and `tracemap topology` over the whole cache, in child processes;
// - what the window reads first (TraceCache::open, the service list, one service's operations, the trace and span
//   counts: what cachequeries::info asks for), in this process;
// - the window itself: `tracemap screenshot --scope whole --timings` in a child process, which reports when the
//   window was shown, when it settled (service list, first search, the map and flame graph of its results), how
//   long the whole-cache map and flame graph took after that, and the longest the GUI thread went without turning
//   its event loop; and `--view red` for the Monitor tab's RED table of the whole cache.
// --quick: caches ten times smaller (100k and 10k traces), for a smoke run.
#include "childprocess.h"

#include "cache/tracecache.h"
#include "model/tracequery.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>

#include <algorithm>
#include <cstdio>

using namespace tracemap;
using benchsupport::median;
using benchsupport::runChild;

namespace {

// "10M spans", "100k spans".
QString spansLabel(qint64 spans)
{
    return spans >= 1'000'000 ? QStringLiteral("%1M spans").arg(spans / 1'000'000)
                              : QStringLiteral("%1k spans").arg(spans / 1'000);
}

struct BuiltCache {
    QString path;
    qint64 traces = 0;
    qint64 spans = 0;
    double importSeconds = 0;
    double fileMb = 0;
    double peakRssMb = 0;
};

// The cache of `traces` generated traces, built unless an earlier run left it (with its import figures beside it).
std::optional<BuiltCache> ensureCache(const QString& tracemap, const QString& dir, qint64 traces)
{
    BuiltCache built;
    built.traces = traces;
    built.spans = traces * 10;
    built.path = QStringLiteral("%1/cache-%2.sqlite").arg(dir).arg(traces);
    QSettings figures(built.path + QStringLiteral(".figures"), QSettings::IniFormat);
    if (QFileInfo::exists(built.path) && figures.contains(QStringLiteral("importSeconds"))) {
        built.importSeconds = figures.value(QStringLiteral("importSeconds")).toDouble();
        built.fileMb = figures.value(QStringLiteral("fileMb")).toDouble();
        built.peakRssMb = figures.value(QStringLiteral("peakRssMb")).toDouble();
        return built;
    }
    for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
        QFile::remove(built.path + suffix);
    const QString file = QStringLiteral("%1/traces-%2.pb").arg(dir).arg(traces);
    std::printf("[build] generating %lld traces of 10 spans...\n", static_cast<long long>(traces));
    std::fflush(stdout);
    const auto generated = runChild({ tracemap, QStringLiteral("generate"), QStringLiteral("--traces"),
        QString::number(traces), QStringLiteral("--spans-per-trace"), QStringLiteral("10"),
        QStringLiteral("--services"), QStringLiteral("60"), QStringLiteral("--format"), QStringLiteral("otlp-proto"),
        QStringLiteral("--seed"), QStringLiteral("12"), QStringLiteral("-o"), file });
    if (generated.exitCode != 0)
        return std::nullopt;
    built.fileMb = QFileInfo(file).size() / 1e6;
    std::printf("[build] importing %s (%.0f MB)...\n", qPrintable(file), built.fileMb);
    std::fflush(stdout);
    const auto imported = runChild({ tracemap, QStringLiteral("import"), QStringLiteral("--cache"), built.path, file });
    QFile::remove(file);
    if (imported.exitCode != 0)
        return std::nullopt;
    built.importSeconds = imported.seconds;
    built.peakRssMb = imported.peakRssKb / 1024.0;
    figures.setValue(QStringLiteral("importSeconds"), built.importSeconds);
    figures.setValue(QStringLiteral("fileMb"), built.fileMb);
    figures.setValue(QStringLiteral("peakRssMb"), built.peakRssMb);
    figures.sync();
    return built;
}

// The 30 searches: names and times taken from the cache itself, so that each finds something (or, twice, on
// purpose, nothing).
std::vector<TraceQuery> searchesFor(const TraceCache& cache)
{
    std::vector<std::pair<QString, QString>> operations;
    const QStringList services = cache.services();
    for (const QString& service : services) {
        for (const QString& operation : cache.operations(service))
            operations.emplace_back(service, operation);
    }
    const auto minutes = cache.rollupMinutes();
    const qint64 first = minutes ? minutes->first * SpanRollups::kMinuteNs : 0;
    const qint64 last = minutes ? (minutes->second + 1) * SpanRollups::kMinuteNs : 0;
    const auto at = [&](double fraction) { return first + static_cast<qint64>(fraction * double(last - first)); };
    const auto service
        = [&](size_t i) { return services.isEmpty() ? QString() : services[qsizetype(i) % services.size()]; };
    const auto operation = [&](size_t i) {
        return operations.empty() ? std::pair<QString, QString>() : operations[(i * 7) % operations.size()];
    };
    constexpr qint64 ms = 1'000'000;
    std::vector<TraceQuery> queries;
    const auto add = [&](auto&& set) {
        TraceQuery q;
        q.limit = 20;
        set(q);
        queries.push_back(q);
    };
    for (size_t i = 0; i < 5; ++i)
        add([&](TraceQuery& q) { q.service = service(i); });
    for (size_t i = 0; i < 3; ++i)
        add([&](TraceQuery& q) { std::tie(q.service, q.operation) = operation(i); });
    add([&](TraceQuery& q) { q.tags = { { QStringLiteral("error"), QStringLiteral("true") } }; });
    add([&](TraceQuery& q) { q.tags = { { QStringLiteral("span.kind"), QStringLiteral("server") } }; });
    add([&](TraceQuery& q) { q.minDurationNs = 2000 * ms; });
    add([&](TraceQuery& q) { q.service = service(0), q.minDurationNs = 500 * ms; });
    add([&](TraceQuery& q) { q.maxDurationNs = 5 * ms; });
    add([&](TraceQuery& q) { q.minDurationNs = 100 * ms, q.maxDurationNs = 200 * ms; });
    add([&](TraceQuery& q) { q.sinceNs = at(0.9); });
    // A heatmap cell: a short window and a duration most traces have.
    add([&](TraceQuery& q) { q.sinceNs = at(0.5), q.untilNs = at(0.51), q.minDurationNs = 1 * ms, q.limit = 0; });
    add([&](TraceQuery& q) { q.service = service(1), q.sinceNs = at(0.95); });
    add([&](TraceQuery& q) { std::tie(q.service, q.operation) = operation(3), q.minDurationNs = 50 * ms; });
    add([&](TraceQuery& q) {
        q.tags = { { QStringLiteral("error"), QStringLiteral("true") } }, q.minDurationNs = 1000 * ms;
    });
    add([&](TraceQuery& q) {
        q.service = service(2), q.tags = { { QStringLiteral("span.kind"), QStringLiteral("client") } };
        q.maxDurationNs = 10 * ms;
    });
    add([&](TraceQuery& q) { q.limit = 1000; });
    add([&](TraceQuery& q) { q.service = service(3), q.limit = 1000; });
    add([&](TraceQuery& q) { q.minDurationNs = 2000 * ms, q.limit = 0; });
    add([&](TraceQuery& q) {
        q.service = service(4), q.minDurationNs = 500 * ms, q.sinceNs = at(0.25), q.untilNs = at(0.75);
    });
    add([&](TraceQuery& q) { q.operation = operation(5).second; });
    add([&](TraceQuery& q) {
        q.tags = { { QStringLiteral("span.kind"), QStringLiteral("server") },
            { QStringLiteral("error"), QStringLiteral("true") } };
    });
    add([&](TraceQuery& q) {
        q.service = service(5), q.tags = { { QStringLiteral("error"), QStringLiteral("true") } }, q.sinceNs = at(0.8);
    });
    add([&](TraceQuery& q) { q.minDurationNs = 3'600'000 * ms; }); // an hour: nothing
    add([&](TraceQuery& q) { q.service = QStringLiteral("no-such-service"); }); // nothing
    add([&](TraceQuery& q) { q.service = service(6), q.maxDurationNs = 1 * ms, q.limit = 100; });
    return queries;
}

struct SearchRun {
    double p50 = 0, p95 = 0, slowest = 0;
    int wrong = 0;
};

// One run of the searches on a connection of its own; every result must be newest first, within its bounds and
// its limit.
std::optional<SearchRun> runSearches(const QString& path)
{
    auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
    if (!cache)
        return std::nullopt;
    const std::vector<TraceQuery> queries = searchesFor(**cache);
    std::vector<double> times;
    SearchRun run;
    for (const TraceQuery& q : queries) {
        QElapsedTimer timer;
        timer.start();
        const auto found = (*cache)->search(q);
        times.push_back(timer.nsecsElapsed() / 1e6);
        bool right = found.has_value() && (q.limit == 0 || found->size() <= size_t(q.limit));
        for (size_t i = 0; right && i < found->size(); ++i) {
            const TraceSummary& s = (*found)[i];
            right = s.durationNs >= q.minDurationNs && s.durationNs <= q.maxDurationNs && s.startNs >= q.sinceNs
                && s.startNs <= q.untilNs && (i == 0 || (*found)[i - 1].startNs >= s.startNs);
        }
        run.wrong += right ? 0 : 1;
    }
    std::ranges::sort(times);
    run.p50 = times[times.size() / 2];
    run.p95 = times[static_cast<size_t>(0.95 * double(times.size() - 1))];
    run.slowest = times.back();
    return run;
}

// What the window reads from the cache before its first search (cachequeries::info), in milliseconds.
std::optional<double> listsMs(const QString& path)
{
    QElapsedTimer timer;
    timer.start();
    auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
    if (!cache)
        return std::nullopt;
    const QStringList services = (*cache)->services();
    if (services.isEmpty() || (*cache)->operations(services.front()).isEmpty() || (*cache)->traceCount() == 0
        || (*cache)->spanCount() == 0)
        return std::nullopt;
    return timer.nsecsElapsed() / 1e6;
}

struct WindowRun {
    double shownMs = 0, settledMs = 0, scopeMs = 0, viewMs = 0, stallMs = 0;
};

// `tracemap screenshot --timings` of the cache, showing `view` with the maps' `scope`.
std::optional<WindowRun> runWindow(
    const QString& tracemap, const QString& path, const QString& view, const QString& scope)
{
    const QString picture = QDir::temp().filePath(QStringLiteral("bench_bigcache-window.png"));
    const auto run = runChild(
        { tracemap, QStringLiteral("screenshot"), QStringLiteral("--cache"), path, QStringLiteral("--view"), view,
            QStringLiteral("--scope"), scope, QStringLiteral("--timings"), QStringLiteral("-o"), picture },
        true);
    QFile::remove(picture);
    const auto match
        = QRegularExpression(QStringLiteral("shown (\\d+) ms; settled (\\d+) ms(?:; scope \\w+ (\\d+) ms)?; "
                                            "view \\w+ (\\d+) ms; longest GUI-thread stall (\\d+) ms"))
              .match(QString::fromUtf8(run.output));
    if (run.exitCode != 0 || !match.hasMatch()) {
        std::fprintf(stderr, "bench_bigcache: the window run failed: %s\n", run.output.constData());
        return std::nullopt;
    }
    return WindowRun { match.captured(1).toDouble(), match.captured(2).toDouble(), match.captured(3).toDouble(),
        match.captured(4).toDouble(), match.captured(5).toDouble() };
}

struct Figures {
    double searchP50 = 0, searchP95 = 0, searchSlowest = 0, statsSeconds = 0, topologySeconds = 0, listsMs = 0;
    WindowRun window; // shown, settled, the whole-cache map and flame graph (scope), the longest stall
    double redMs = 0; // the Monitor tab's RED table of the whole cache, after the window settled
};

std::optional<Figures> measure(const QString& tracemap, const BuiltCache& cache, int runs, int* wrong)
{
    std::vector<double> p50, p95, slowest, stats, topology, lists, shown, settled, whole, stall, red;
    const QString map = QDir::temp().filePath(QStringLiteral("bench_bigcache-map.json"));
    for (int r = 0; r < runs; ++r) {
        const auto run = runSearches(cache.path);
        if (!run)
            return std::nullopt;
        *wrong += run->wrong;
        p50.push_back(run->p50);
        p95.push_back(run->p95);
        slowest.push_back(run->slowest);
        const auto statsRun = runChild({ tracemap, QStringLiteral("stats"), QStringLiteral("--cache"), cache.path });
        if (statsRun.exitCode != 0)
            return std::nullopt;
        stats.push_back(statsRun.seconds);
        const auto topologyRun = runChild(
            { tracemap, QStringLiteral("topology"), QStringLiteral("--cache"), cache.path, QStringLiteral("-o"), map },
            true); // its note on the rollups goes to stderr
        QFile::remove(map);
        if (topologyRun.exitCode != 0)
            return std::nullopt;
        topology.push_back(topologyRun.seconds);
        const auto listed = listsMs(cache.path);
        const auto window = runWindow(tracemap, cache.path, QStringLiteral("topology"), QStringLiteral("whole"));
        const auto monitor = runWindow(tracemap, cache.path, QStringLiteral("red"), QStringLiteral("results"));
        if (!listed || !window || !monitor)
            return std::nullopt;
        lists.push_back(*listed);
        shown.push_back(window->shownMs);
        settled.push_back(window->settledMs);
        whole.push_back(window->scopeMs);
        stall.push_back(std::max(window->stallMs, monitor->stallMs));
        red.push_back(monitor->viewMs);
    }
    return Figures { median(p50), median(p95), median(slowest), median(stats), median(topology), median(lists),
        WindowRun { median(shown), median(settled), median(whole), 0, median(stall) }, median(red) };
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    qputenv("QT_QPA_PLATFORM", "offscreen"); // for the window's child processes
    const QString tracemap = QCoreApplication::applicationDirPath() + QStringLiteral("/../app/tracemap");
    const QString dir = QCoreApplication::applicationDirPath() + QStringLiteral("/../bench-bigcache");
    QDir().mkpath(dir);
    const bool quick = app.arguments().contains(QStringLiteral("--quick"));
    const qsizetype runsAt = app.arguments().indexOf(QStringLiteral("--runs"));
    const int runs = std::max(1, runsAt > 0 ? app.arguments().value(runsAt + 1).toInt() : 3);
    const qint64 bigTraces = quick ? 100'000 : 1'000'000;

    const auto small = ensureCache(tracemap, dir, bigTraces / 10);
    const auto big = ensureCache(tracemap, dir, bigTraces);
    if (!small || !big) {
        std::fprintf(stderr, "bench_bigcache: cannot build the caches in %s\n", qPrintable(dir));
        return 1;
    }
    int wrong = 0;
    std::optional<Figures> figures[2];
    const BuiltCache* caches[2] = { &*small, &*big };
    for (int i = 0; i < 2; ++i) {
        const BuiltCache& c = *caches[i];
        std::printf("[%s] import of the %.0f MB file: %.1f s, %.0f spans/s, peak RSS %.0f MB (%.2f x the "
                    "file); cache %.0f MB\n",
            qPrintable(spansLabel(c.spans)), c.fileMb, c.importSeconds, c.spans / c.importSeconds, c.peakRssMb,
            c.peakRssMb / c.fileMb, QFileInfo(c.path).size() / 1e6);
        std::fflush(stdout);
        figures[i] = measure(tracemap, c, runs, &wrong);
        if (!figures[i]) {
            std::fprintf(stderr, "bench_bigcache: cannot measure %s\n", qPrintable(c.path));
            return 1;
        }
        std::printf("[%s] 30 searches: p50 %.2f ms, p95 %.2f ms, slowest %.2f ms (goal p95 <= 50 ms); "
                    "tracemap stats %.2f s (goal <= 1 s); medians of %d runs\n",
            qPrintable(spansLabel(c.spans)), figures[i]->searchP50, figures[i]->searchP95, figures[i]->searchSlowest,
            figures[i]->statsSeconds, runs);
        const Figures& f = *figures[i];
        std::printf("[%s] tracemap topology %.2f s; the window's lists and counts %.0f ms; window shown %.0f ms, "
                    "settled (first search and its views) %.0f ms, whole-cache map and flame graph %.0f ms, RED table "
                    "%.0f ms, longest GUI-thread stall %.0f ms (goal: each under 1 s)\n",
            qPrintable(spansLabel(c.spans)), f.topologySeconds, f.listsMs, f.window.shownMs, f.window.settledMs,
            f.window.scopeMs, f.redMs, f.window.stallMs);
        std::fflush(stdout);
    }
    const Figures& s = *figures[0];
    const Figures& b = *figures[1];
    std::printf("[ratio, 10x the spans] import spans/s %.2f; search p50 %.2f, p95 %.2f; stats %.2f; topology %.2f; "
                "lists %.2f; window settled %.2f, whole cache %.2f, RED %.2f\n",
        (big->spans / big->importSeconds) / (small->spans / small->importSeconds), b.searchP50 / s.searchP50,
        b.searchP95 / s.searchP95, b.statsSeconds / s.statsSeconds, b.topologySeconds / s.topologySeconds,
        b.listsMs / s.listsMs, b.window.settledMs / s.window.settledMs, b.window.scopeMs / s.window.scopeMs,
        b.redMs / s.redMs);
    if (wrong > 0)
        std::printf("[search] %d results out of order, out of bounds or over the limit\n", wrong);
    return wrong > 0 ? 1 : 0;
}
