// Import and search benchmark (not a test: it prints figures). See README "Benchmarks".
// In one run: generates a 400,000-span and a 1,000,000-span Jaeger JSON file (spans shuffled within each trace, so
// that the importer's sort is timed too), imports each into a fresh cache in
// a child process (wall time, spans/s, MB/s, peak RSS from wait4) --runs times (default 3) and prints the median,
// does the same for 400,000-span Zipkin v2 JSON, OTLP JSON and OTLP protobuf files (peak RSS against the 1M file's),
// times `node` parsing the 400k file with JSON.parse as the baseline as many times (its version printed), measures
// bytes per span of the in-memory model, and times 20 searches twice: on a fresh connection before anything read
// the traces back, then warm, right after every trace was read. The searches' results are checked against a
// reference computed from the traces themselves; a wrong result makes the exit code 1.
#include "benchsupport.h"
#include "cache/tracecache.h"
#include "childprocess.h"
#include "model/tracesummary.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace tracemap;
using benchsupport::ChildRun;
using benchsupport::median;
using benchsupport::runChild;

namespace {

qint64 generate(const QString& path, qint64 traces, int spansPerTrace, std::string_view format = "jaeger")
{
    GeneratorOptions options;
    options.traces = traces;
    options.spansPerTrace = spansPerTrace;
    options.services = 24;
    options.seed = 42;
    const auto written = benchsupport::writeShuffledFile(options, format, path);
    return written ? written->spans : -1;
}

void removeCache(const QString& cache)
{
    for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
        QFile::remove(cache + suffix);
}

// Imports `file` into a fresh `cache` `runs` times, each in a child process; returns the last run, with the wall
// times of all of them in `seconds`.
ChildRun importRuns(
    const QString& tracemap, const QString& cache, const QString& file, int runs, std::vector<double>* seconds)
{
    ChildRun import;
    for (int run = 0; run < runs; ++run) {
        removeCache(cache);
        import = runChild({ tracemap, QStringLiteral("import"), QStringLiteral("--cache"), cache, file });
        seconds->push_back(import.seconds);
    }
    return import;
}

QString runsText(const std::vector<double>& seconds)
{
    QStringList out;
    for (double s : seconds)
        out << QString::number(s, 'f', 2);
    return out.join(QLatin1String(", "));
}

// Does the trace match the query? Only what the benchmark's queries use (service, operation, the error and
// http.request.method tags, minimum duration), written apart from the cache's index.
bool matches(const Trace& t, const TraceQuery& q)
{
    if (TraceSummary::of(t).durationNs < q.minDurationNs)
        return false;
    const std::string service = q.service.toStdString();
    const std::string operation = q.operation.toStdString();
    bool serviceFound = service.empty();
    bool operationFound = operation.empty();
    for (const Span& span : t.spans) {
        serviceFound = serviceFound || t.serviceName(span) == service;
        operationFound = operationFound
            || (t.operationName(span) == operation && (service.empty() || t.serviceName(span) == service));
    }
    if (!serviceFound || !operationFound)
        return false;
    for (const auto& [key, value] : q.tags) {
        const std::string k = key.toStdString();
        const std::string v = value.toStdString();
        bool found = false;
        auto scan = [&](Range r) {
            for (quint32 i = r.begin; i < r.end() && !found; ++i) {
                const Attribute& a = t.attributes[i];
                found = t.string(a.key) == k
                    && ((a.type == ValueType::String && t.text(a.ref) == v)
                        || (a.type == ValueType::Bool && v == (a.boolValue ? "true" : "false")));
            }
        };
        for (const Span& span : t.spans) {
            found = found || (k == "error" && v == "true" && span.isError());
            scan(span.attributes);
        }
        for (const Resource& r : t.resources)
            scan(r.attributes);
        if (!found)
            return false;
    }
    return true;
}

// Times the searches; counts the ones whose result is not the reference's newest matches.
std::vector<double> timeSearches(const TraceCache& cache, const std::vector<TraceQuery>& queries,
    const std::vector<std::vector<qint64>>& reference, int* wrong)
{
    std::vector<double> times;
    for (size_t i = 0; i < queries.size(); ++i) {
        QElapsedTimer timer;
        timer.start();
        const auto results = cache.search(queries[i]);
        times.push_back(timer.nsecsElapsed() / 1e6);
        if (reference.empty())
            continue;
        // reference[i]: start times of every matching trace, newest first; the result must be its first N.
        const size_t limit = queries[i].limit > 0 ? size_t(queries[i].limit) : reference[i].size();
        bool right = results.has_value() && results->size() == std::min(limit, reference[i].size());
        for (size_t k = 0; right && k < results->size(); ++k)
            right = (*results)[k].startNs == reference[i][k];
        if (!right) {
            ++*wrong;
            std::printf("[search] WRONG result for query %zu (%zu results, %zu expected)\n", i,
                results ? results->size() : size_t(0), std::min(limit, reference[i].size()));
        }
    }
    return times;
}

void printSearchTimes(const char* label, std::vector<double> times, size_t spanCount)
{
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    std::printf("[search, %s] 20 searches on the %zu-span cache: p50 %.2f ms, p95 %.2f ms, max %.2f ms (goal p95 "
                "<= 50 ms)\n",
        label, spanCount, median(times), sorted[static_cast<size_t>(0.95 * (sorted.size() - 1))], sorted.back());
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QString tracemap = QCoreApplication::applicationDirPath() + QStringLiteral("/../app/tracemap");
    const QString dirPath
        = qEnvironmentVariable("TRACEMAP_BENCH_DIR", QDir::tempPath() + QStringLiteral("/tracemap-bench"));
    QDir().mkpath(dirPath);
    const bool quick = app.arguments().contains(QStringLiteral("--quick")); // 40k/100k spans, for a smoke run
    const qint64 scale = quick ? 10 : 1;
    const qsizetype runsAt = app.arguments().indexOf(QStringLiteral("--runs"));
    const int runs = std::max(1, runsAt > 0 ? app.arguments().value(runsAt + 1).toInt() : 3);
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (!node.isEmpty()) {
        const ChildRun version = runChild({ node, QStringLiteral("--version") });
        std::printf("node %s, %d runs per side, medians below\n", version.output.trimmed().constData(), runs);
    }

    struct Case {
        const char* name;
        qint64 traces;
    };
    const Case cases[] = { { "400k", 8000 / scale }, { "1M", 20000 / scale } };
    QString cache1M;
    long peakRss1MKb = 0;
    for (const Case& c : cases) {
        const QString file = dirPath + QStringLiteral("/spans-%1.json").arg(QLatin1String(c.name));
        QElapsedTimer timer;
        timer.start();
        const qint64 spans = generate(file, c.traces, 50);
        if (spans < 0) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(file));
            return 1;
        }
        const double mb = QFileInfo(file).size() / 1e6;
        std::printf("[%s] generated %lld spans, %.0f MB in %.1f s\n", c.name, static_cast<long long>(spans), mb,
            timer.elapsed() / 1e3);
        const QString cache = dirPath + QStringLiteral("/cache-%1.sqlite").arg(QLatin1String(c.name));
        std::vector<double> importSeconds;
        const ChildRun import = importRuns(tracemap, cache, file, runs, &importSeconds);
        const double importMedian = median(importSeconds);
        std::printf("[%s] tracemap import: median %.2f s (%s), %.0f spans/s, %.0f MB/s, peak RSS %.0f MB (%.2f x "
                    "file size)%s\n",
            c.name, importMedian, qPrintable(runsText(importSeconds)), spans / importMedian, mb / importMedian,
            import.peakRssKb / 1024.0, import.peakRssKb * 1024.0 / (mb * 1e6), import.exitCode == 0 ? "" : "  FAILED");
        if (std::string(c.name) == "400k" || quick) {
            const QString script = QStringLiteral("JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))");
            if (node.isEmpty()) {
                std::printf("[%s] node not found: no baseline\n", c.name);
            } else {
                std::vector<double> nodeSeconds;
                ChildRun baseline;
                for (int run = 0; run < runs; ++run) {
                    baseline = runChild({ node, QStringLiteral("-e"), script, file });
                    nodeSeconds.push_back(baseline.seconds);
                }
                const double nodeMedian = median(nodeSeconds);
                std::printf("[%s] node JSON.parse baseline: median %.2f s (%s), peak RSS %.0f MB%s\n", c.name,
                    nodeMedian, qPrintable(runsText(nodeSeconds)), baseline.peakRssKb / 1024.0,
                    baseline.exitCode == 0 ? "" : "  (node failed)");
                const double ratio = importMedian / nodeMedian;
                std::printf("[%s] ratio of medians, tracemap full import / node JSON.parse = %.2f (goal <= 0.5: %s)\n",
                    c.name, ratio, ratio <= 0.5 ? "met" : "NOT met");
            }
        }
        cache1M = cache;
        peakRss1MKb = import.peakRssKb;
        QFile::remove(file);
    }

    // The other formats, from files of the same 400,000 spans (Zipkin v2 and OTLP JSON are smaller than Jaeger's
    // JSON, OTLP protobuf much smaller: spans/s compares them, MB/s the parsers' speed on their bytes).
    for (const char* format : { "zipkin", "otlp-json", "otlp-proto" }) {
        const QString file = dirPath + QStringLiteral("/spans-400k.%1").arg(QLatin1String(format));
        const qint64 spans = generate(file, 8000 / scale, 50, format);
        if (spans < 0) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(file));
            return 1;
        }
        const double mb = QFileInfo(file).size() / 1e6;
        const QString cache = dirPath + QStringLiteral("/cache-%1.sqlite").arg(QLatin1String(format));
        std::vector<double> importSeconds;
        const ChildRun import = importRuns(tracemap, cache, file, runs, &importSeconds);
        const double importMedian = median(importSeconds);
        std::printf("[%s] %lld spans, %.0f MB: tracemap import median %.2f s (%s), %.0f spans/s, %.0f MB/s, peak RSS "
                    "%.0f MB (%.2f x the 1M-span Jaeger import's; goal <= 1.5)%s\n",
            format, static_cast<long long>(spans), mb, importMedian, qPrintable(runsText(importSeconds)),
            spans / importMedian, mb / importMedian, import.peakRssKb / 1024.0,
            peakRss1MKb > 0 ? double(import.peakRssKb) / double(peakRss1MKb) : 0.0,
            import.exitCode == 0 ? "" : "  FAILED");
        removeCache(cache);
        QFile::remove(file);
    }

    auto cache = TraceCache::open(cache1M);
    if (!cache) {
        std::printf("cannot open %s\n", qPrintable(cache1M));
        return 1;
    }
    const QStringList services = (*cache)->services();
    std::vector<TraceQuery> queries;
    for (int i = 0; i < 20; ++i) {
        TraceQuery q;
        const QString service = services.value(i % std::max<qsizetype>(1, services.size()));
        switch (i % 5) {
        case 0:
            q.service = service;
            break;
        case 1:
            q.service = service;
            q.operation = (*cache)->operations(service).value(0);
            break;
        case 2:
            q.tags.emplace_back(QStringLiteral("error"), QStringLiteral("true"));
            q.service = service;
            break;
        case 3:
            q.service = service;
            q.minDurationNs = 100000000;
            break;
        case 4:
            q.tags.emplace_back(QStringLiteral("http.request.method"), QStringLiteral("POST"));
            q.limit = 100;
            break;
        }
        queries.push_back(q);
    }
    // Fresh connection: nothing of this process has read the cache yet (the OS may still hold the file's pages from
    // the import just before).
    int wrong = 0;
    const std::vector<double> fresh = timeSearches(**cache, queries, {}, &wrong);

    // Bytes per span of the in-memory model, over every trace of the 1M cache, read back as a viewer would.
    size_t spanRecords = 0, attributeRecords = 0, otherRecords = 0, strings = 0, payload = 0, spanCount = 0;
    QElapsedTimer loadTimer;
    loadTimer.start();
    std::vector<std::vector<qint64>> reference(queries.size());
    (void)(*cache)->forEachTrace([&](const Trace& t) {
        for (size_t i = 0; i < queries.size(); ++i) {
            if (matches(t, queries[i]))
                reference[i].push_back(TraceSummary::of(t).startNs);
        }
        spanRecords += t.spans.capacity() * sizeof(Span) + (t.childIndex.capacity() + t.roots.capacity()) * 4;
        attributeRecords += t.attributes.capacity() * sizeof(Attribute);
        otherRecords += t.events.capacity() * sizeof(Event) + t.links.capacity() * sizeof(Link)
            + t.resources.capacity() * sizeof(Resource) + t.scopes.capacity() * sizeof(Scope)
            + t.warnings.capacity() * sizeof(StrRef) + sizeof(Trace);
        strings += t.strings.memoryUsage();
        payload += t.payloadBytes();
        spanCount += t.spans.size();
        return true;
    });
    const double n = static_cast<double>(std::max<size_t>(spanCount, 1));
    std::printf("[model] %zu spans read back from the cache in %.2f s; bytes per span: spans+tree %.0f, events/links/"
                "resources/scopes %.0f, interned strings %.0f => %.0f excluding attributes; attribute records %.0f "
                "(16 B each), attribute payload %.0f; total %.0f\n",
        spanCount, loadTimer.elapsed() / 1e3, spanRecords / n, otherRecords / n, strings / n,
        (spanRecords + otherRecords + strings) / n, attributeRecords / n, payload / n,
        (spanRecords + otherRecords + strings + attributeRecords + payload) / n);

    for (auto& starts : reference)
        std::sort(starts.begin(), starts.end(), std::greater<>());
    printSearchTimes("fresh connection", fresh, spanCount);
    // Warm: every trace was just read back, so SQLite's and the OS's caches hold the whole file. Checked this time.
    printSearchTimes("warm", timeSearches(**cache, queries, reference, &wrong), spanCount);
    std::printf("[search] results checked against the traces: %s\n", wrong == 0 ? "all right" : "WRONG");
    return wrong == 0 ? 0 : 1;
}
