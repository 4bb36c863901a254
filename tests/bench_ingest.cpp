// Live ingest benchmark (not a test: it prints figures). See README "Benchmarks".
// Spans/s persisted through OTLP/HTTP protobuf (requests of 512 spans posted over several keep-alive connections
// to LiveService on 127.0.0.1, each request acknowledged after its commit), divided by the honest floor: the same
// spans, already decoded, written in the same process into the cache's own schema with raw SQLite (prepared
// statements, one transaction: trace rows, zstd trace blobs, posting lists, operations), i.e. without HTTP,
// protobuf decoding, queueing or merging. Medians of --runs runs (default 3) per side, the ratio, the p50/p99
// request latency, the queue's peak and the peak RSS (VmHWM, reset before each live run).
#include "livesupport.h"
#include "testsupport.h"

#include "cache/postings.h"
#include "cache/searchterms.h"
#include "cache/tracecache.h"
#include "cache/tracecodec.h"
#include "live/liveservice.h"
#include "live/spandecoder.h"
#include "model/traceassembler.h"
#include "model/tracesummary.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

#include <sqlite3.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

using namespace tracemap;
namespace otlp = opentelemetry::proto;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::ranges::sort(values);
    return values.empty() ? 0.0 : values[values.size() / 2];
}

using testsupport::statusKb;

void resetPeakRss()
{
    testsupport::resetPeakResident();
}

struct ServiceInfo {
    const char* name;
    const char* language;
    const char* route;
};

constexpr ServiceInfo kServices[] = {
    { "frontend", "nodejs", "/api/cart/{id}" },
    { "checkout", "go", "/checkout/{id}" },
    { "payments", "java", "/payments/{id}/charge" },
    { "inventory", "python", "/stock/{id}" },
    { "shipping", "dotnet", "/quotes/{id}" },
};

void setString(otlp::common::v1::KeyValue* kv, const char* key, std::string value)
{
    kv->set_key(key);
    kv->mutable_value()->set_string_value(std::move(value));
}

void setInt(otlp::common::v1::KeyValue* kv, const char* key, qint64 value)
{
    kv->set_key(key);
    kv->mutable_value()->set_int_value(value);
}

// Requests of exactly `spansPerRequest` spans, cut from a stream of traces of 10 to 60 spans over five services, each
// span with 10 to 20 attributes of the usual semantic conventions (strings, ints, a bool, a double), grouped per
// service in ResourceSpans with 8 resource attributes, as an SDK's batch exporter sends them: a trace may straddle
// two requests.
std::vector<std::string> makeRequests(int requests, int spansPerRequest, quint64 seed)
{
    std::mt19937_64 rng(seed);
    auto pick = [&rng](int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); };
    struct PendingSpan {
        otlp::trace::v1::Span span;
        int service = 0;
    };
    std::vector<PendingSpan> stream;
    const qint64 baseNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    const size_t total = static_cast<size_t>(requests) * static_cast<size_t>(spansPerRequest);
    quint64 traceNumber = 0;
    while (stream.size() < total) {
        const tracemap::TraceId traceId { rng() | 1, rng() | 1 };
        const std::string traceBytes = livesupport::traceIdBytes(traceId);
        const int spans = pick(10, 60);
        const qint64 traceStart = baseNs + static_cast<qint64>(++traceNumber) * 1000000;
        std::vector<quint64> ids;
        for (int i = 0; i < spans && stream.size() < total; ++i) {
            PendingSpan pending;
            pending.service = i == 0 ? 0 : pick(0, 4);
            const ServiceInfo& service = kServices[pending.service];
            otlp::trace::v1::Span& span = pending.span;
            ids.push_back(rng() | 1);
            span.set_trace_id(traceBytes);
            span.set_span_id(livesupport::spanIdBytes(ids.back()));
            if (i > 0)
                span.set_parent_span_id(livesupport::spanIdBytes(ids[static_cast<size_t>(pick(0, i - 1))]));
            const std::string id = std::to_string(pick(10000, 99999));
            std::string route = service.route;
            span.set_name(std::string(i % 3 == 0 ? "GET " : "POST ") + route);
            span.set_kind(static_cast<otlp::trace::v1::Span_SpanKind>(i == 0 ? 2 : pick(1, 3)));
            const qint64 start = traceStart + i * 20000;
            span.set_start_time_unix_nano(static_cast<quint64>(start));
            span.set_end_time_unix_nano(static_cast<quint64>(start + pick(50000, 50000000)));
            route.replace(route.find("{id}"), 4, id);
            std::vector<otlp::common::v1::KeyValue> attributes(20);
            setString(&attributes[0], "http.request.method", i % 3 == 0 ? "GET" : "POST");
            setString(&attributes[1], "http.route", service.route);
            setString(&attributes[2], "url.full", "https://shop.example.com" + route + "?session=" + id);
            setInt(&attributes[3], "http.response.status_code", pick(0, 30) == 0 ? 503 : 200);
            setString(&attributes[4], "server.address", std::string(service.name) + ".svc.cluster.local");
            setInt(&attributes[5], "server.port", 8080);
            setString(&attributes[6], "network.protocol.version", "1.1");
            setString(&attributes[7], "user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101");
            setInt(&attributes[8], "thread.id", pick(1, 200));
            setString(&attributes[9], "thread.name", "worker-" + std::to_string(pick(1, 16)));
            setString(&attributes[10], "code.function", std::string("handle") + service.name);
            setString(&attributes[11], "code.namespace", std::string("shop.") + service.language);
            setString(&attributes[12], "db.system", "postgresql");
            setString(&attributes[13], "db.statement", "SELECT * FROM items WHERE id = " + id);
            setString(&attributes[14], "enduser.id", "customer-" + std::to_string(pick(1, 5000)));
            setString(&attributes[15], "session.id", std::to_string(rng()));
            attributes[16].set_key("cache.hit");
            attributes[16].mutable_value()->set_bool_value(pick(0, 1) == 1);
            attributes[17].set_key("load.factor");
            attributes[17].mutable_value()->set_double_value(pick(0, 1000) / 1000.0);
            setString(&attributes[18], "messaging.system", "kafka");
            setInt(&attributes[19], "retry.count", pick(0, 3));
            const int count = pick(10, 20);
            for (int a = 0; a < count; ++a)
                *span.add_attributes() = std::move(attributes[static_cast<size_t>(a)]);
            if (pick(0, 30) == 0) {
                span.mutable_status()->set_code(otlp::trace::v1::Status::STATUS_CODE_ERROR);
                span.mutable_status()->set_message("upstream unavailable");
            }
            stream.push_back(std::move(pending));
        }
    }
    std::vector<std::string> bodies;
    for (int r = 0; r < requests; ++r) {
        otlp::collector::trace::v1::ExportTraceServiceRequest request;
        otlp::trace::v1::ScopeSpans* scopes[std::size(kServices)] = {};
        for (int s = 0; s < spansPerRequest; ++s) {
            PendingSpan& pending = stream[static_cast<size_t>(r * spansPerRequest + s)];
            otlp::trace::v1::ScopeSpans*& scope = scopes[pending.service];
            if (!scope) {
                auto* resource = request.add_resource_spans();
                const ServiceInfo& service = kServices[pending.service];
                auto* attributes = resource->mutable_resource()->mutable_attributes();
                setString(attributes->Add(), "service.name", service.name);
                setString(attributes->Add(), "service.version", "1.4.2");
                setString(attributes->Add(), "service.instance.id", std::string(service.name) + "-7d9f8");
                setString(attributes->Add(), "host.name", "node-3.example.internal");
                setInt(attributes->Add(), "process.pid", 4242 + pending.service);
                setString(attributes->Add(), "telemetry.sdk.name", "opentelemetry");
                setString(attributes->Add(), "telemetry.sdk.language", service.language);
                setString(attributes->Add(), "deployment.environment.name", "production");
                scope = resource->add_scope_spans();
                scope->mutable_scope()->set_name("io.opentelemetry.http");
                scope->mutable_scope()->set_version("1.30.0");
            }
            *scope->add_spans() = std::move(pending.span);
        }
        bodies.push_back(request.SerializeAsString());
    }
    return bodies;
}

struct LiveRun {
    double seconds = 0;
    std::vector<double> latenciesMs;
    qint64 committed = 0;
    qint64 batches = 0;
    qint64 peakQueuedBytes = 0;
    bool ok = false;
};

// Posts every request to a fresh LiveService over `connections` keep-alive connections (request i on connection
// i % connections, each waiting for its answer, as an exporter with that many workers does).
LiveRun runLive(const std::vector<std::string>& bodies, int connections, const QString& cachePath)
{
    LiveRun run;
    LiveService::Options options;
    options.cachePath = cachePath;
    options.otlpHttp = LiveService::Endpoint { QHostAddress::LocalHost, 0 };
    options.zipkin.reset();
    LiveService service;
    if (auto started = service.start(options); !started) {
        std::fprintf(stderr, "bench_ingest: %s\n", qPrintable(started.error()));
        return run;
    }
    const quint16 port = service.listening().at(0).port;
    std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
    std::atomic<int> failures = 0;
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            livesupport::HttpClient http(port);
            for (size_t i = static_cast<size_t>(c); i < bodies.size(); i += static_cast<size_t>(connections)) {
                const auto sent = Clock::now();
                const auto answer = http.post("/v1/traces", "application/x-protobuf", bodies[i]);
                latencies[static_cast<size_t>(c)].push_back(secondsSince(sent) * 1000.0);
                if (answer.status != 200)
                    ++failures;
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    run.seconds = secondsSince(start); // every request answered, so every span committed
    const IngestCounters counters = service.counters();
    service.stop();
    run.committed = counters.committed;
    run.batches = counters.batches;
    run.peakQueuedBytes = counters.peakQueuedBytes;
    for (const auto& mine : latencies)
        run.latenciesMs.insert(run.latenciesMs.end(), mine.begin(), mine.end());
    run.ok = failures == 0;
    if (!run.ok)
        std::fprintf(stderr, "bench_ingest: %d requests failed\n", failures.load());
    return run;
}

// The floor: the decoded traces written into a fresh cache's tables with raw SQLite, as the cache lays them out.
std::expected<double, QString> runRaw(const std::vector<Trace>& traces, const QString& cachePath)
{
    if (auto created = TraceCache::open(cachePath); !created) // the schema and pragmas, nothing else
        return std::unexpected(created.error());
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(cachePath).constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        return std::unexpected(QStringLiteral("cannot open %1").arg(cachePath));
    auto fail = [db](const char* what) {
        const QString message
            = QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close(db);
        return std::unexpected(message);
    };
    // The cache's own connection settings (TraceCache::migrate).
    if (sqlite3_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;", nullptr,
            nullptr, nullptr)
        != SQLITE_OK)
        return fail("pragmas");
    const auto start = Clock::now();
    sqlite3_stmt* insertTrace = nullptr;
    sqlite3_stmt* insertBlob = nullptr;
    sqlite3_stmt* insertPosting = nullptr;
    sqlite3_stmt* insertOperation = nullptr;
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_exec(
        db, "INSERT INTO imports(path, imported_at, format) VALUES ('raw', 0, 'live')", nullptr, nullptr, nullptr);
    const qint64 importId = sqlite3_last_insert_rowid(db);
    if (sqlite3_prepare_v2(db,
            "INSERT INTO traces(row, trace_hi, trace_lo, start_ns, duration_ns, root_service, root_operation, "
            "span_count, service_count, error_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            -1, &insertTrace, nullptr)
            != SQLITE_OK
        || sqlite3_prepare_v2(
               db, "INSERT INTO trace_blobs(trace_row, seq, data) VALUES (?1, 0, ?2)", -1, &insertBlob, nullptr)
            != SQLITE_OK
        || sqlite3_prepare_v2(
               db, "INSERT INTO postings(term, import_id, rows) VALUES (?1, ?2, ?3)", -1, &insertPosting, nullptr)
            != SQLITE_OK
        || sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO operations(service, operation) VALUES (?1, ?2)", -1,
               &insertOperation, nullptr)
            != SQLITE_OK)
        return fail("prepare");
    ZSTD_CCtx* zstd = ZSTD_createCCtx();
    std::string compressed;
    std::vector<std::pair<qint64, qint64>> postings;
    std::set<std::pair<std::string, std::string>> operations;
    bool ok = true;
    qint64 row = 0;
    for (const Trace& trace : traces) {
        ++row;
        const TraceSummary summary = TraceSummary::of(trace);
        const QByteArray rootService = summary.rootService.toUtf8();
        const QByteArray rootOperation = summary.rootOperation.toUtf8();
        sqlite3_bind_int64(insertTrace, 1, row);
        sqlite3_bind_int64(insertTrace, 2, static_cast<qint64>(trace.id.high));
        sqlite3_bind_int64(insertTrace, 3, static_cast<qint64>(trace.id.low));
        sqlite3_bind_int64(insertTrace, 4, summary.startNs);
        sqlite3_bind_int64(insertTrace, 5, summary.durationNs);
        sqlite3_bind_text(insertTrace, 6, rootService.constData(), static_cast<int>(rootService.size()), SQLITE_STATIC);
        sqlite3_bind_text(
            insertTrace, 7, rootOperation.constData(), static_cast<int>(rootOperation.size()), SQLITE_STATIC);
        sqlite3_bind_int64(insertTrace, 8, summary.spanCount);
        sqlite3_bind_int64(insertTrace, 9, summary.serviceCount);
        sqlite3_bind_int64(insertTrace, 10, summary.errorCount);
        ok = ok && sqlite3_step(insertTrace) == SQLITE_DONE;
        sqlite3_reset(insertTrace);
        const std::string encoded = TraceCodec::encode(trace);
        compressed.resize(ZSTD_compressBound(encoded.size()));
        const size_t size
            = ZSTD_compressCCtx(zstd, compressed.data(), compressed.size(), encoded.data(), encoded.size(), 1);
        sqlite3_bind_int64(insertBlob, 1, row);
        sqlite3_bind_blob(insertBlob, 2, compressed.data(), static_cast<int>(size), SQLITE_STATIC);
        ok = ok && !ZSTD_isError(size) && sqlite3_step(insertBlob) == SQLITE_DONE;
        sqlite3_reset(insertBlob);
        for (qint64 term : SearchTerms::ofTrace(trace))
            postings.emplace_back(term, row);
        postings.emplace_back(SearchTerms::importedBy(importId), row);
        for (const Span& span : trace.spans)
            operations.emplace(std::string(trace.string(span.service)), std::string(trace.string(span.operation)));
    }
    std::ranges::sort(postings);
    postings.erase(std::unique(postings.begin(), postings.end()), postings.end());
    std::vector<qint64> rows;
    for (size_t i = 0; i < postings.size();) {
        const qint64 term = postings[i].first;
        rows.clear();
        for (; i < postings.size() && postings[i].first == term; ++i)
            rows.push_back(postings[i].second);
        const std::string encoded = cachedetail::encodePostings(rows);
        sqlite3_bind_int64(insertPosting, 1, term);
        sqlite3_bind_int64(insertPosting, 2, importId);
        sqlite3_bind_blob(insertPosting, 3, encoded.data(), static_cast<int>(encoded.size()), SQLITE_STATIC);
        ok = ok && sqlite3_step(insertPosting) == SQLITE_DONE;
        sqlite3_reset(insertPosting);
    }
    for (const auto& [service, operation] : operations) {
        sqlite3_bind_text(insertOperation, 1, service.data(), static_cast<int>(service.size()), SQLITE_STATIC);
        sqlite3_bind_text(insertOperation, 2, operation.data(), static_cast<int>(operation.size()), SQLITE_STATIC);
        ok = ok && sqlite3_step(insertOperation) == SQLITE_DONE;
        sqlite3_reset(insertOperation);
    }
    ok = ok && sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    const double seconds = secondsSince(start);
    ZSTD_freeCCtx(zstd);
    for (sqlite3_stmt* statement : { insertTrace, insertBlob, insertPosting, insertOperation })
        sqlite3_finalize(statement);
    if (!ok)
        return fail("insert");
    sqlite3_close(db);
    return seconds;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int requests = 400;
    int runs = 3;
    int connections = 4;
    constexpr int spansPerRequest = 512;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--requests"))
            requests = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--runs"))
            runs = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--connections"))
            connections = std::max(1, args[i + 1].toInt());
    }
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;

    const std::vector<std::string> bodies = makeRequests(requests, spansPerRequest, 42);
    size_t bodyBytes = 0;
    for (const std::string& body : bodies)
        bodyBytes += body.size();
    // The same spans for the floor, decoded by the receiver's own decoder (untimed) and merged per trace.
    std::vector<Trace> traces;
    {
        std::unordered_map<TraceId, size_t, TraceIdHash> index;
        for (const std::string& body : bodies) {
            auto decoded = decodeSpans(body, false, { TraceFormat::OtlpProto }, size_t(64) << 20);
            if (!decoded) {
                std::fprintf(stderr, "bench_ingest: %s\n", qPrintable(decoded.error().message));
                return 1;
            }
            for (Trace& trace : decoded->traces) {
                const auto [it, inserted] = index.try_emplace(trace.id, traces.size());
                if (inserted) {
                    traces.push_back(std::move(trace));
                } else {
                    TraceAssembler::append(traces[it->second], trace);
                    TraceAssembler::assemble(traces[it->second]);
                }
            }
        }
    }
    const qint64 spans = qint64(requests) * spansPerRequest;
    std::printf("bench_ingest: %lld spans in %d OTLP/HTTP protobuf requests of %d spans (%.1f MB, %.0f bytes a "
                "span), %zu traces, %d connections, %d runs per side\n",
        static_cast<long long>(spans), requests, spansPerRequest, bodyBytes / 1e6, double(bodyBytes) / spans,
        traces.size(), connections, runs);

    const long heldKb = statusKb("VmRSS:"); // the request bodies and the decoded spans, held throughout
    long livePeakKb = 0;
    std::vector<double> liveRates;
    std::vector<double> rawRates;
    std::vector<double> latencies;
    qint64 peakQueue = 0;
    for (int run = 0; run < runs; ++run) {
        resetPeakRss();
        const LiveRun live = runLive(bodies, connections, dir.filePath(QStringLiteral("live%1.db").arg(run)));
        livePeakKb = std::max(livePeakKb, statusKb("VmHWM:"));
        if (!live.ok || live.committed != spans) {
            std::fprintf(stderr, "bench_ingest: the live run committed %lld of %lld spans\n",
                static_cast<long long>(live.committed), static_cast<long long>(spans));
            return 1;
        }
        const auto raw = runRaw(traces, dir.filePath(QStringLiteral("raw%1.db").arg(run)));
        if (!raw) {
            std::fprintf(stderr, "bench_ingest: %s\n", qPrintable(raw.error()));
            return 1;
        }
        liveRates.push_back(spans / live.seconds);
        rawRates.push_back(spans / *raw);
        latencies.insert(latencies.end(), live.latenciesMs.begin(), live.latenciesMs.end());
        peakQueue = std::max(peakQueue, live.peakQueuedBytes);
        std::printf("  run %d: live %.3f s (%.0f spans/s, %lld batches), raw SQLite %.3f s (%.0f spans/s)\n", run + 1,
            live.seconds, spans / live.seconds, static_cast<long long>(live.batches), *raw, spans / *raw);
        std::fflush(stdout);
    }
    std::ranges::sort(latencies);
    auto percentile = [&latencies](double p) {
        return latencies[std::min(
            latencies.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies.size())))];
    };
    const double live = median(liveRates);
    const double raw = median(rawRates);
    std::printf("live OTLP/HTTP (median)     %10.0f spans/s\n", live);
    std::printf("raw SQLite insert (median)  %10.0f spans/s\n", raw);
    std::printf("ratio live / raw            %10.2f   (goal >= 0.5, and >= 100000 spans/s)\n", live / raw);
    std::printf("request latency             p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu requests)\n", percentile(0.5),
        percentile(0.99), latencies.back(), latencies.size());
    std::printf("queue peak                  %.1f MB\n", peakQueue / 1e6);
    std::printf("peak RSS (VmHWM) live runs  %.0f MB, of which %.0f MB held before (request bodies, decoded spans)\n",
        livePeakKb / 1024.0, heldKb / 1024.0);
    return 0;
}
