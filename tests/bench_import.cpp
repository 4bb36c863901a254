// Import and search benchmark (not a test: it prints figures, it asserts nothing). See README "Benchmarks".
// In one run: generates a 400,000-span and a 1,000,000-span Jaeger JSON file, imports each into a fresh cache in
// a child process (wall time, spans/s, MB/s, peak RSS from wait4), times `node` parsing the 400k file with
// JSON.parse as the baseline, measures bytes per span of the in-memory model, and times 20 searches.
#include "generatedfile.h"
#include "tracecache.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace tracemap;

namespace {

struct ChildRun {
    double seconds = 0;
    long peakRssKb = 0;
    int exitCode = -1;
    QByteArray output;
};

// Runs a program, measuring wall time and the child's own peak RSS.
ChildRun runChild(const QStringList& command)
{
    ChildRun run;
    int pipeFds[2];
    if (pipe(pipeFds) != 0)
        return run;
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipeFds[1], STDOUT_FILENO);
        close(pipeFds[0]);
        std::vector<QByteArray> args;
        for (const QString& a : command)
            args.push_back(a.toLocal8Bit());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(pipeFds[1]);
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipeFds[0], buffer, sizeof buffer)) > 0)
        run.output.append(buffer, n);
    close(pipeFds[0]);
    int status = 0;
    struct rusage usage { };
    wait4(pid, &status, 0, &usage);
    run.seconds = timer.nsecsElapsed() / 1e9;
    run.peakRssKb = usage.ru_maxrss;
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

qint64 generate(const QString& path, qint64 traces, int spansPerTrace)
{
    GeneratorOptions options;
    options.traces = traces;
    options.spansPerTrace = spansPerTrace;
    options.services = 24;
    options.seed = 42;
    const auto written = writeGeneratedFile(options, "jaeger", path);
    return written ? written->spans : -1;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
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

    struct Case {
        const char* name;
        qint64 traces;
    };
    const Case cases[] = { { "400k", 8000 / scale }, { "1M", 20000 / scale } };
    QString cache1M;
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
        for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
            QFile::remove(cache + suffix);
        const ChildRun import
            = runChild({ tracemap, QStringLiteral("import"), QStringLiteral("--cache"), cache, file });
        std::printf("[%s] tracemap import: %.2f s, %.0f spans/s, %.0f MB/s, peak RSS %.0f MB (%.2f x file size)%s\n",
            c.name, import.seconds, spans / import.seconds, mb / import.seconds, import.peakRssKb / 1024.0,
            import.peakRssKb * 1024.0 / (mb * 1e6), import.exitCode == 0 ? "" : "  FAILED");
        if (std::string(c.name) == "400k" || quick) {
            const QString script = QStringLiteral("JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))");
            const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
            if (node.isEmpty()) {
                std::printf("[%s] node not found: no baseline\n", c.name);
            } else {
                const ChildRun baseline = runChild({ node, QStringLiteral("-e"), script, file });
                std::printf("[%s] node JSON.parse baseline: %.2f s, peak RSS %.0f MB%s\n", c.name, baseline.seconds,
                    baseline.peakRssKb / 1024.0, baseline.exitCode == 0 ? "" : "  (node failed)");
                std::printf("[%s] ratio tracemap full import / node JSON.parse = %.2f (goal <= 0.5)\n", c.name,
                    import.seconds / baseline.seconds);
            }
        }
        cache1M = cache;
        QFile::remove(file);
    }

    auto cache = TraceCache::open(cache1M);
    if (!cache) {
        std::printf("cannot open %s\n", qPrintable(cache1M));
        return 1;
    }
    // Bytes per span of the in-memory model, over every trace of the 1M cache, read back as a viewer would.
    size_t spanRecords = 0, attributeRecords = 0, otherRecords = 0, strings = 0, payload = 0, spanCount = 0;
    QElapsedTimer loadTimer;
    loadTimer.start();
    (void)(*cache)->forEachTrace([&](const Trace& t) {
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
    std::vector<double> times;
    for (const TraceQuery& q : queries) {
        QElapsedTimer timer;
        timer.start();
        const auto results = (*cache)->search(q);
        times.push_back(timer.nsecsElapsed() / 1e6);
        (void)results;
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    std::printf(
        "[search] 20 searches on the %zu-span cache: p50 %.2f ms, p95 %.2f ms, max %.2f ms (goal p95 <= 50 ms)\n",
        spanCount, median(times), sorted[static_cast<size_t>(0.95 * (sorted.size() - 1))], sorted.back());
    return 0;
}
