// The Jaeger, Tempo and Zipkin clients against fake servers (fakebackend.h) that answer as PROTOCOLS.md §3-5
// documents, with the shared fixtures as bodies and every quirk listed there: api_v3 and its fallback to /api,
// "No traces found" as a 404, Tempo's ids without leading zeros, base64 ids, enum names and the old "batches" key,
// ms-versus-µs parameters, tenant and token headers, gzip, a chunked 200 MB body, a slow server, a 401, TLS with
// a self-signed CA. Each test checks the exact requests sent as well as what lands in the cache.

#include "fakebackend.h"
#include "testsupport.h"

#include "cache/tracecache.h"
#include "formats/traceimporter.h"
#include "remote/remotepull.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest/QtTest>

using namespace tracemap;
using namespace tracemap::remote;
using fakebackend::json;
using fakebackend::Request;
using fakebackend::Response;

namespace {

constexpr qint64 kSecond = 1'000'000'000;
constexpr qint64 kUntil = 1767225600LL * kSecond; // 2026-01-01T00:00:00Z
constexpr qint64 kSince = kUntil - 3600 * kSecond;

QByteArray fixtureBytes(const char* relative)
{
    return testsupport::readAll(testsupport::fixture(QString::fromUtf8(relative)));
}

/// The error of a failed result, for QVERIFY2 (which evaluates its message even when the check passes).
template <typename T> QByteArray whyNot(const std::expected<T, FetchError>& result)
{
    return result ? QByteArray() : result.error().message.toUtf8();
}
template <typename T> QByteArray whyNot(const std::expected<T, QString>& result)
{
    return result ? QByteArray() : result.error().toUtf8();
}

QStringList strings(std::initializer_list<const char*> list)
{
    QStringList out;
    for (const char* s : list)
        out << QString::fromUtf8(s);
    return out;
}

RemoteSearch lastHour(const QString& service = {})
{
    RemoteSearch s;
    s.service = service;
    s.sinceNs = kSince;
    s.untilNs = kUntil;
    s.limit = 20;
    return s;
}

Endpoint endpointOf(const QUrl& url, std::vector<std::pair<QByteArray, QByteArray>> headers = {})
{
    Endpoint e;
    e.baseUrl = url;
    e.headers = std::move(headers);
    e.timeoutMs = 10000;
    return e;
}

std::unique_ptr<TraceCache> openCache(const QTemporaryDir& dir)
{
    auto cache = TraceCache::open(dir.filePath(QStringLiteral("cache.sqlite")));
    return cache ? std::move(*cache) : nullptr;
}

/// The trace id of a fixture, as its importer reads it.
TraceId traceIdOf(const QString& file)
{
    TraceId id;
    const auto imported = TraceImporter::importFile(file, [&](std::vector<Trace>& traces) {
        if (!traces.empty())
            id = traces.front().id;
    });
    return imported ? id : TraceId();
}

/// Tempo's JSON as gogo jsonpb writes it: the old "batches" key, base64 ids, enum names, 64-bit values as strings.
/// One server span of "cart" in a trace whose id has leading zeros.
QByteArray tempoJsonTrace()
{
    return R"({"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},)"
           R"("scopeSpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAq8Dg==","spanId":"AAAAAAAAAAE=",)"
           R"("name":"GET /cart","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1767222000000000000",)"
           R"("endTimeUnixNano":"1767222000250000000","status":{"code":"STATUS_CODE_ERROR"}}]}]}]})";
}
const QString kTempoTraceHex = QStringLiteral("00000000000000000000000000000abc0e").right(32);

/// A server on a thread of its own that sends one chunked body as fast as the socket takes it: unlike the fake
/// back ends, it does not wait for the client's thread, so a client that buffers what it has not written yet
/// shows it in its memory.
class FastServerThread : public QThread {
public:
    explicit FastServerThread(qint64 bytes)
        : m_bytes(bytes)
    {
    }
    quint16 port() const { return m_port.load(); }

protected:
    void run() override
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        m_port = server.serverPort();
        if (!server.waitForNewConnection(30000))
            return;
        std::unique_ptr<QTcpSocket> socket(server.nextPendingConnection());
        QByteArray head;
        while (!head.contains("\r\n\r\n") && socket->waitForReadyRead(30000))
            head += socket->readAll();
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: close\r\n\r\n");
        const QByteArray piece(256 << 10, ' ');
        for (qint64 sent = 0; sent < m_bytes; sent += piece.size()) {
            socket->write(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n");
            while (socket->bytesToWrite() > (1 << 20))
                if (!socket->waitForBytesWritten(30000))
                    return;
        }
        socket->write("0\r\n\r\n");
        socket->waitForBytesWritten(30000);
        socket->disconnectFromHost();
        if (socket->state() != QAbstractSocket::UnconnectedState)
            socket->waitForDisconnected(30000);
    }

private:
    qint64 m_bytes;
    std::atomic<quint16> m_port = 0;
};

/// A disk that takes a millisecond per 256 KB: slower than loopback.
class SlowSink : public QIODevice {
public:
    SlowSink() { open(QIODevice::WriteOnly); }
    qint64 written = 0;

protected:
    qint64 readData(char*, qint64) override { return -1; }
    qint64 writeData(const char*, qint64 size) override
    {
        QThread::usleep(static_cast<unsigned long>(size / (256 << 10) + 1) * 1000);
        written += size;
        return size;
    }
};

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs the tracemap program while this thread's event loop keeps serving the fake back ends.
Run runTracemap(const QStringList& args)
{
    QProcess process;
    process.start(QStringLiteral(TRACEMAP_BINARY), args);
    Run run;
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace

class TestRemoteClients : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(testsupport::requireFixtures()); }

    // api_v3 behind a reverse proxy's prefix, with a token: services, a search on a server before v2.19 (no
    // trace-summaries: the client falls back to whole traces), the search's body imported without a second fetch.
    void jaegerApiV3()
    {
        fakebackend::Server server;
        const QByteArray hotrod = fixtureBytes("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
        server.route("/jaeger/api/v3/services",
            [](const Request&) { return json(R"({"services":["route","frontend","driver"]})"); });
        server.route("/jaeger/api/v3/operations", [](const Request& r) {
            return json(r.item(QStringLiteral("service")) == QLatin1String("frontend")
                    ? R"({"operations":[{"name":"HTTP GET /dispatch","spanKind":"server"},{"name":"HTTP GET /dispatch","spanKind":"client"},{"name":"/driver.DriverService/FindNearest","spanKind":"client"}]})"
                    : R"({"operations":[]})");
        });
        server.route("/jaeger/api/v3/traces", [&](const Request&) { return json(hotrod); });
        auto client = RemoteClient::create(BackendKind::Jaeger,
            endpointOf(server.url(QStringLiteral("/jaeger")), { { "Authorization", "Bearer s3cret" } }));

        const auto services = client->services();
        QVERIFY2(services, whyNot(services).constData());
        QCOMPARE(*services, strings({ "driver", "frontend", "route" }));
        const auto operations = client->operations(QStringLiteral("frontend"));
        QVERIFY(operations);
        QCOMPARE(*operations, strings({ "/driver.DriverService/FindNearest", "HTTP GET /dispatch" }));

        RemoteSearch search = lastHour(QStringLiteral("frontend"));
        search.minDurationNs = 100'000'000;
        const auto found = client->search(search, RemoteClient::Want::Summaries);
        QVERIFY2(found, whyNot(found).constData());
        QCOMPARE(server.paths(),
            QByteArrayList({ "/jaeger/api/v3/services", "/jaeger/api/v3/operations", "/jaeger/api/v3/trace-summaries",
                "/jaeger/api/v3/traces" }));
        const Request& sent = server.requests.last();
        QCOMPARE(sent.item(QStringLiteral("query.service_name")), QStringLiteral("frontend"));
        QCOMPARE(sent.item(QStringLiteral("query.start_time_min")), QStringLiteral("2025-12-31T23:00:00.000000000Z"));
        QCOMPARE(sent.item(QStringLiteral("query.start_time_max")), QStringLiteral("2026-01-01T00:00:00.000000000Z"));
        QCOMPARE(sent.item(QStringLiteral("query.duration_min")), QStringLiteral("100ms"));
        QVERIFY(!sent.query.hasQueryItem(QStringLiteral("query.attributes")));
        for (const Request& r : server.requests)
            QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer s3cret"));

        QCOMPARE(found->traces.size(), size_t(1));
        const TraceSummary& summary = found->traces.front();
        QCOMPARE(QString::fromStdString(summary.traceId.toHex()), QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb"));
        QCOMPARE(summary.spanCount, 40);
        QCOMPARE(summary.serviceCount, 6);
        QCOMPARE(summary.rootService, QStringLiteral("frontend"));
        QVERIFY(found->body);

        // "Fetch all": the saved body goes to the cache, no new request.
        QTemporaryDir dir;
        auto cache = openCache(dir);
        QVERIFY(cache);
        const qsizetype before = server.requests.size();
        const auto imported = RemotePull::importDownloads(*cache, { *found->body }, *client);
        QVERIFY2(imported, whyNot(imported).constData());
        QCOMPARE(server.requests.size(), before);
        QCOMPARE(cache->traceCount(), 1);
        QCOMPARE(cache->spanCount(), 40);
        QVERIFY(imported->file.startsWith(QStringLiteral("jaeger http://127.0.0.1:")));
        QVERIFY(imported->file.endsWith(QStringLiteral("/jaeger/api/v3/traces")));

        // trace-summaries is not asked again once the server said it has none.
        QVERIFY(client->search(search, RemoteClient::Want::Summaries));
        QCOMPARE(server.paths().last(), QByteArray("/jaeger/api/v3/traces"));
        QCOMPARE(server.paths().at(server.paths().size() - 2), QByteArray("/jaeger/api/v3/traces"));

        // Tags: this server (before v2.19) would drop query.attributes from a GET and list unfiltered traces, so
        // they go to its /api search, which takes them.
        search.tags = { { QStringLiteral("error"), QStringLiteral("true") } };
        const auto noLegacy = client->search(search, RemoteClient::Want::Summaries);
        QVERIFY(!noLegacy);
        QVERIFY2(noLegacy.error().message.contains(QStringLiteral("cannot search by tags")),
            qPrintable(noLegacy.error().message));
        server.route("/jaeger/api/traces",
            [](const Request&) { return json(fixtureBytes("jaeger/jaeger-ui-issue115-follows-from.json")); });
        const auto tagged = client->search(search, RemoteClient::Want::Summaries);
        QVERIFY2(tagged, whyNot(tagged).constData());
        QCOMPARE(server.paths().last(), QByteArray("/jaeger/api/traces"));
        QCOMPARE(server.requests.last().item(QStringLiteral("tags")), QStringLiteral(R"({"error":"true"})"));
        QCOMPARE(tagged->traces.size(), size_t(1));
    }

    // v2.19+: the summaries endpoint answers, and nothing else is asked for a results table.
    void jaegerTraceSummaries()
    {
        fakebackend::Server server;
        server.route("/api/v3/trace-summaries", [](const Request&) {
            return json(R"({"summaries":[{"traceId":"00000000000000000000000000000abc","rootServiceName":"api",)"
                        R"("rootOperationName":"GET /","minStartTimeUnixNano":"1767222000000000000",)"
                        R"("maxEndTimeUnixNano":"1767222001500000000","spanCount":12,"errorSpanCount":2}]})");
        });
        auto client = RemoteClient::create(BackendKind::Jaeger, endpointOf(server.url()));
        RemoteSearch search = lastHour(QStringLiteral("api"));
        search.tags = { { QStringLiteral("http.status_code"), QStringLiteral("500") } };
        const auto found = client->search(search, RemoteClient::Want::Summaries);
        QVERIFY2(found, whyNot(found).constData());
        QCOMPARE(server.paths(), QByteArrayList({ "/api/v3/trace-summaries" }));
        // Since v2.19 a GET carries the tags as a JSON map.
        QCOMPARE(server.requests[0].item(QStringLiteral("query.attributes")),
            QStringLiteral(R"({"http.status_code":"500"})"));
        QCOMPARE(found->traces.size(), size_t(1));
        QCOMPARE(QString::fromStdString(found->traces[0].traceId.toFullHex()),
            QStringLiteral("00000000000000000000000000000abc"));
        QCOMPARE(found->traces[0].durationNs, 1'500'000'000);
        QCOMPARE(found->traces[0].spanCount, 12);
        QCOMPARE(found->traces[0].errorCount, 2);
        QVERIFY(!found->body);
    }

    // A server after v2.20 answers the internal /api search with Go's 404; one before api_v3 the reverse. Either
    // way the client falls back, and remembers. api_v3's own 404 "No traces found" is an empty result.
    void jaegerFallsBackBetweenApis()
    {
        fakebackend::Server old;
        // Its web UI answers an unknown path with its page and a 200, as Jaeger's did before v2.20.
        old.route("/api/v3/services", [](const Request&) {
            Response page;
            page.contentType = "text/html; charset=utf-8";
            page.body = "<!doctype html><html><body>Jaeger UI</body></html>";
            return page;
        });
        old.route("/api/services", [](const Request&) {
            return json(R"({"data":["frontend"],"total":1,"limit":0,"offset":0,"errors":null})");
        });
        old.route("/api/traces",
            [](const Request&) { return json(fixtureBytes("jaeger/jaeger-ui-issue115-follows-from.json")); });
        auto client = RemoteClient::create(BackendKind::Jaeger, endpointOf(old.url()));
        const auto services = client->services();
        QVERIFY2(services, whyNot(services).constData());
        QCOMPARE(*services, strings({ "frontend" }));
        QCOMPARE(old.paths(), QByteArrayList({ "/api/v3/services", "/api/services" }));
        RemoteSearch search = lastHour(QStringLiteral("frontend"));
        search.tags = { { QStringLiteral("http.status_code"), QStringLiteral("500") } };
        search.minDurationNs = 1'500'000'000;
        const auto found = client->search(search, RemoteClient::Want::Traces);
        QVERIFY2(found, whyNot(found).constData());
        QCOMPARE(old.paths().last(), QByteArray("/api/traces")); // straight to the API that worked
        QCOMPARE(old.paths().size(), 3);
        const Request& sent = old.requests.last();
        QCOMPARE(sent.item(QStringLiteral("service")), QStringLiteral("frontend"));
        QCOMPARE(sent.item(QStringLiteral("start")), QString::number(kSince / 1000)); // µs
        QCOMPARE(sent.item(QStringLiteral("end")), QString::number(kUntil / 1000));
        QCOMPARE(sent.item(QStringLiteral("minDuration")), QStringLiteral("1500ms"));
        QCOMPARE(sent.item(QStringLiteral("tags")), QStringLiteral(R"({"http.status_code":"500"})"));
        QCOMPARE(found->traces.size(), size_t(1));
        QCOMPARE(found->traces[0].spanCount, 2);

        fakebackend::Server recent;
        recent.route("/api/v3/traces",
            [](const Request&) { return json(R"({"error":{"httpCode":404,"message":"No traces found"}})", 404); });
        auto v3 = RemoteClient::create(BackendKind::Jaeger, endpointOf(recent.url()));
        const auto none = v3->search(lastHour(QStringLiteral("frontend")), RemoteClient::Want::Traces);
        QVERIFY2(none, whyNot(none).constData());
        QVERIFY(none->traces.empty());
        QCOMPARE(recent.paths(), QByteArrayList({ "/api/v3/traces" })); // an answer, not a missing route

        // A missing trace is an error that names it.
        recent.route("/api/v3/traces/abc",
            [](const Request&) { return json(R"({"error":{"httpCode":404,"message":"trace not found"}})", 404); });
        const auto missing = v3->downloadTraces({ QStringLiteral("abc") });
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.startsWith(QStringLiteral("trace abc not found: 404 from http://127.0.0.1:")),
            qPrintable(missing.error().message));
    }

    void jaegerDependencies()
    {
        fakebackend::Server server;
        server.route("/api/dependencies", [](const Request&) {
            return json(R"({"data":[{"parent":"frontend","child":"driver","callCount":12},)"
                        R"({"parent":"driver","child":"redis","callCount":30}],"total":2,"errors":null})");
        });
        auto client = RemoteClient::create(BackendKind::Jaeger, endpointOf(server.url()));
        const auto links = client->dependencies(kUntil, 7 * 24 * 3600 * kSecond);
        QVERIFY2(links, whyNot(links).constData());
        QCOMPARE(server.requests.size(), 1);
        QCOMPARE(server.requests[0].item(QStringLiteral("endTs")), QString::number(kUntil / 1'000'000)); // ms
        QCOMPARE(server.requests[0].item(QStringLiteral("lookback")), QString::number(7 * 24 * 3600 * 1000LL));
        QCOMPARE(links->edges.size(), size_t(2));
        QCOMPARE(links->nodes.size(), size_t(3));

        auto tempo = RemoteClient::create(BackendKind::Tempo, endpointOf(server.url()));
        const auto none = tempo->dependencies(kUntil, kSecond);
        QVERIFY(!none);
        QCOMPARE(none.error().kind, FetchError::Kind::Unsupported);
    }

    // Tempo: a logfmt search in a tenant; ids without their leading zeros, padded back; a trace asked as protobuf
    // and answered as such; an older Tempo that answers JSON anyway (base64 ids, enum names, "batches"); a proxy
    // without /api/traces, where /api/v2/traces answers.
    void tempo()
    {
        fakebackend::Server server;
        const QString pbFile = testsupport::fixture(QStringLiteral("otlp-proto/otlp2parquet-trace.pb"));
        const QString pbHex = QString::fromStdString(traceIdOf(pbFile).toFullHex());
        QVERIFY(!pbHex.isEmpty());
        const QString stripped = QStringLiteral("abc0e");
        server.route("/api/search", [&](const Request& r) {
            Response unauthorised;
            unauthorised.status = 401;
            unauthorised.contentType = "text/plain";
            unauthorised.body = "no org id";
            if (r.headers.value("x-scope-orgid") != "team-a")
                return unauthorised;
            return json(QStringLiteral(
                R"({"traces":[{"traceID":"%1","rootServiceName":"cart","rootTraceName":"GET /cart","startTimeUnixNano":"1767222000000000000","durationMs":250,)"
                R"("serviceStats":{"cart":{"spanCount":1,"errorCount":1}}},)"
                R"({"traceID":"%2","rootServiceName":"shop","rootTraceName":"buy","startTimeUnixNano":"1767222001000000000","durationMs":12,"serviceStats":{"shop":{"spanCount":3}}}],"metrics":{"inspectedTraces":2}})")
                            .arg(stripped, pbHex)
                            .toUtf8());
        });
        server.route("/api/traces/" + pbHex.toLatin1(), [&](const Request& r) {
            Response protobuf;
            protobuf.contentType = "application/protobuf";
            protobuf.body = testsupport::readAll(pbFile);
            return r.headers.value("accept") == "application/protobuf" ? protobuf : json("{}");
        });
        // No v1 route for this one: a proxy that passes only /api/v2.
        server.route("/api/v2/traces/" + kTempoTraceHex.toLatin1(), [](const Request&) {
            return json(R"({"trace":)" + tempoJsonTrace() + R"(,"status":"PARTIAL","message":"a querier timed out"})");
        });

        RemoteSearch search = lastHour(QStringLiteral("cart"));
        search.tags = { { QStringLiteral("http.url"), QStringLiteral("/api cart") } };
        search.minDurationNs = 200'000'000;
        auto noTenant = RemoteClient::create(BackendKind::Tempo, endpointOf(server.url()));
        const auto refused = noTenant->search(search, RemoteClient::Want::Summaries);
        QVERIFY(!refused);
        QCOMPARE(refused.error().message,
            QStringLiteral("401 from %1api/search: check the token").arg(server.url().toString() + QLatin1Char('/')));

        auto client
            = RemoteClient::create(BackendKind::Tempo, endpointOf(server.url(), { { "X-Scope-OrgID", "team-a" } }));
        const auto found = client->search(search, RemoteClient::Want::Summaries);
        QVERIFY2(found, whyNot(found).constData());
        const Request& sent = server.requests.last();
        QCOMPARE(sent.item(QStringLiteral("tags")), QStringLiteral(R"(service.name=cart http.url="/api cart")"));
        QCOMPARE(sent.item(QStringLiteral("minDuration")), QStringLiteral("200ms"));
        QCOMPARE(sent.item(QStringLiteral("start")), QString::number(kSince / kSecond)); // seconds
        QCOMPARE(sent.item(QStringLiteral("end")), QString::number(kUntil / kSecond));
        QCOMPARE(sent.item(QStringLiteral("limit")), QStringLiteral("20"));
        QCOMPARE(found->traces.size(), size_t(2));
        QCOMPARE(QString::fromStdString(found->traces[0].traceId.toFullHex()), kTempoTraceHex);
        QCOMPARE(found->traces[0].durationNs, 250'000'000);
        QCOMPARE(found->traces[0].errorCount, 1);
        QCOMPARE(found->traces[1].spanCount, 3);
        QVERIFY(!found->body); // Tempo's search has no spans: pulling fetches each trace

        QTemporaryDir dir;
        auto cache = openCache(dir);
        PullRequest request;
        request.search = search;
        const qsizetype before = server.requests.size();
        const auto pulled = RemotePull::pull(*client, *cache, request);
        QVERIFY2(pulled, whyNot(pulled).constData());
        const QByteArrayList asked = server.paths().mid(before);
        QCOMPARE(asked,
            QByteArrayList({ "/api/search", "/api/traces/" + kTempoTraceHex.toLatin1(),
                "/api/v2/traces/" + kTempoTraceHex.toLatin1(), "/api/traces/" + pbHex.toLatin1() }));
        for (const Request& r : server.requests.mid(before))
            QCOMPARE(r.headers.value("x-scope-orgid"), QByteArray("team-a"));
        QCOMPARE(server.requests.mid(before)[1].headers.value("accept"), QByteArray("application/protobuf"));
        QCOMPARE(cache->traceCount(), 2);
        QCOMPARE(pulled->notes,
            QStringList {
                QStringLiteral("Tempo returned trace %1 partially: a querier timed out").arg(kTempoTraceHex) });
        const auto cart = cache->loadTrace(*traceIdFromHex(kTempoTraceHex.toStdString()));
        QVERIFY2(cart, whyNot(cart).constData());
        QCOMPARE((*cart)->spans.size(), size_t(1));
        QCOMPARE((*cart)->spans[0].kind, SpanKind::Server);
        QVERIFY((*cart)->spans[0].isError());

        // Completion: tag names per scope and values, through v2's {type, value} list.
        server.route("/api/search/tags", [](const Request& r) {
            return json(r.item(QStringLiteral("scope")) == QLatin1String("resource")
                    ? R"({"tagNames":["service.name"]})"
                    : R"({"tagNames":["http.url","http.method"]})");
        });
        server.route("/api/v2/search/tag/resource.service.name/values", [](const Request&) {
            return json(R"({"tagValues":[{"type":"string","value":"shop"},{"type":"string","value":"cart"}]})");
        });
        QCOMPARE(client->tagNames().value_or(QStringList()),
            strings({ "resource.service.name", "span.http.method", "span.http.url" }));
        QCOMPARE(client->services().value_or(QStringList()), strings({ "cart", "shop" }));
    }

    // Zipkin: search answers whole traces (gzipped here), µs durations against ms times; two ids in one traceMany.
    void zipkin()
    {
        fakebackend::Server server;
        const QByteArray a = fixtureBytes("zipkin-v2/frontend-backend-128bit-orphans.json").trimmed();
        const QByteArray b = fixtureBytes("zipkin-v2/messaging-kafka.json").trimmed();
        server.route("/zipkin/api/v2/services", [](const Request&) { return json(R"(["frontend","backend"])"); });
        server.route("/zipkin/api/v2/spans", [](const Request&) { return json(R"(["get /api","get"])"); });
        server.route("/zipkin/api/v2/traces", [&](const Request&) {
            Response r = json("[" + a + "," + b + "]");
            r.gzip = true;
            return r;
        });
        server.route("/zipkin/api/v2/traceMany", [&](const Request&) { return json("[" + a + "," + b + "]"); });
        server.route("/zipkin/api/v2/trace/0562809467078eab", [&](const Request&) { return json(b); });
        server.route("/zipkin/api/v2/dependencies", [](const Request&) {
            return json(R"([{"parent":"frontend","child":"backend","callCount":4,"errorCount":1}])");
        });
        auto client = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url(QStringLiteral("/zipkin/"))));
        QCOMPARE(client->services().value_or(QStringList()), strings({ "backend", "frontend" }));
        QCOMPARE(
            client->operations(QStringLiteral("frontend")).value_or(QStringList()), strings({ "get", "get /api" }));
        QCOMPARE(server.requests[1].item(QStringLiteral("serviceName")), QStringLiteral("frontend"));

        RemoteSearch search = lastHour(QStringLiteral("frontend"));
        search.operation = QStringLiteral("GET /api");
        search.tags = { { QStringLiteral("http.path"), QStringLiteral("/api") } };
        search.minDurationNs = 1'500'000; // 1.5 ms
        search.limit = 5;
        const auto found = client->search(search, RemoteClient::Want::Traces);
        QVERIFY2(found, whyNot(found).constData());
        const Request& sent = server.requests.last();
        QCOMPARE(sent.headers.value("accept-encoding").contains("gzip"), true);
        QCOMPARE(sent.item(QStringLiteral("serviceName")), QStringLiteral("frontend"));
        QCOMPARE(sent.item(QStringLiteral("spanName")), QStringLiteral("get /api"));
        QCOMPARE(sent.item(QStringLiteral("annotationQuery")), QStringLiteral("http.path=/api"));
        QCOMPARE(sent.item(QStringLiteral("minDuration")), QStringLiteral("1500")); // µs
        QCOMPARE(sent.item(QStringLiteral("endTs")), QString::number(kUntil / 1'000'000)); // ms
        QCOMPARE(sent.item(QStringLiteral("lookback")), QStringLiteral("3600000"));
        QCOMPARE(sent.item(QStringLiteral("limit")), QStringLiteral("5"));
        QCOMPARE(found->traces.size(), size_t(2));
        QVERIFY(found->body);

        const auto two = client->downloadTraces(
            { QStringLiteral("4d1e00c0db9010db86154a4ba6e91385"), QStringLiteral("0562809467078eab") });
        QVERIFY2(two, whyNot(two).constData());
        QCOMPARE(server.paths().last(), QByteArray("/zipkin/api/v2/traceMany"));
        QCOMPARE(server.requests.last().item(QStringLiteral("traceIds")),
            QStringLiteral("4d1e00c0db9010db86154a4ba6e91385,0562809467078eab"));
        // /traceMany leaves out what it does not have: said, naming it.
        const auto partly
            = client->downloadTraces({ QStringLiteral("0562809467078eab"), QStringLiteral("00000000000000cc") });
        QVERIFY(!partly);
        QVERIFY2(partly.error().message.startsWith(QStringLiteral("trace 00000000000000cc not found: ")),
            qPrintable(partly.error().message));
        QTemporaryDir dir;
        auto cache = openCache(dir);
        PullRequest one;
        one.traceIds = QStringList { QStringLiteral("0562809467078eab") };
        const auto pulled = RemotePull::pull(*client, *cache, one);
        QVERIFY2(pulled, whyNot(pulled).constData());
        QCOMPARE(server.paths().last(), QByteArray("/zipkin/api/v2/trace/0562809467078eab"));
        QCOMPARE(pulled->traces, 1);
        QCOMPARE(pulled->spans, 28);
        QCOMPARE(cache->traceCount(), 1);

        const auto links = client->dependencies(kUntil, 3600 * kSecond);
        QVERIFY2(links, whyNot(links).constData());
        QCOMPARE(links->edges.size(), size_t(1));
        QCOMPARE(server.requests.last().item(QStringLiteral("lookback")), QStringLiteral("3600000"));
    }

    // A body that is not what the API promises: the error names the URL and the byte, and the cache keeps what it
    // had (one good trace here), because the pull saves everything before it imports anything.
    void badBodyLeavesTheCacheAsItWas()
    {
        fakebackend::Server server;
        const QByteArray good = fixtureBytes("zipkin-v2/messaging-kafka.json").trimmed();
        server.route(
            "/api/v2/traces", [&](const Request&) { return json("[" + good + ",[{\"traceId\":\"abc\",\"id\":"); });
        server.route("/api/v2/trace/0562809467078eab", [&](const Request&) { return json(good); });
        auto client = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url()));
        QTemporaryDir dir;
        auto cache = openCache(dir);
        PullRequest byId;
        byId.traceIds = QStringList { QStringLiteral("0562809467078eab") };
        QVERIFY(RemotePull::pull(*client, *cache, byId));
        PullRequest search;
        search.search = lastHour();
        const auto pulled = RemotePull::pull(*client, *cache, search);
        QVERIFY(!pulled);
        QVERIFY2(pulled.error().contains(server.url().toString() + QStringLiteral("/api/v2/traces")),
            qPrintable(pulled.error()));
        QVERIFY2(pulled.error().contains(QStringLiteral("byte")), qPrintable(pulled.error()));
        QCOMPARE(cache->traceCount(), 1);

        // A trace fetched by id that does not import: the error names its URL, not the file it was saved to.
        PullRequest broken;
        broken.traceIds = QStringList { QStringLiteral("00000000000000bb") };
        server.route(
            "/api/v2/trace/00000000000000bb", [](const Request&) { return json(R"([{"traceId":"bb","id":)"); });
        const auto failed = RemotePull::pull(*client, *cache, broken);
        QVERIFY(!failed);
        QVERIFY2(failed.error().startsWith(server.url().toString() + QStringLiteral("/api/v2/trace/00000000000000bb")),
            qPrintable(failed.error()));
        QVERIFY2(failed.error().contains(QStringLiteral("byte")), qPrintable(failed.error()));
        QCOMPARE(cache->spanCount(), 28);
    }

    // 200 MB sent chunked, never held whole: the client writes it to disk as it comes (its peak memory grows by far
    // less than the body), and it imports whole. One trace comes back at the very end, a span more, past the
    // importer's flushes: the summaries merge its two parts.
    void chunked200MegabyteResponse()
    {
        const QByteArray trace = fixtureBytes("zipkin-v2/messaging-kafka.json").trimmed();
        const QByteArray spanTemplate = trace.mid(1, trace.size() - 2);
        constexpr qint64 kBytes = 200LL << 20;
        const QByteArray lateSpan
            = R"(,[{"traceId":"1000000000000000","id":"00000000000000aa","parentId":)"
              R"("1000000000000000","name":"late","duration":5,"localEndpoint":{"serviceName":"late"}}]])";
        fakebackend::Server server;
        server.route("/api/v2/traces", [&](const Request&) {
            Response r;
            qint64 sent = 0;
            int index = 0;
            // Traces of the fixture's 28 spans, each under its own id, until 200 MB have gone.
            r.chunks = [&, sent, index]() mutable -> QByteArray {
                if (sent >= kBytes)
                    return {};
                QByteArray piece;
                while (piece.size() < (256 << 10)) {
                    QByteArray copy = spanTemplate;
                    copy.replace("0562809467078eab", QByteArray::number(0x1000000000000000LL + index, 16));
                    piece += (index == 0 ? "[[" : ",[") + copy + "]";
                    ++index;
                }
                sent += piece.size();
                if (sent >= kBytes)
                    piece += lateSpan;
                return piece;
            };
            return r;
        });
        auto client = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url()));
        testsupport::resetPeakResident();
        const long residentKb = testsupport::statusKb("VmRSS:");
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("body.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        const auto reply
            = client->http().download(QUrl(server.url().toString() + QStringLiteral("/api/v2/traces")), file);
        file.close();
        QVERIFY2(reply, whyNot(reply).constData());
        QVERIFY(reply->bytes >= kBytes);
        QCOMPARE(file.size(), reply->bytes);
        const qint64 grown = testsupport::peakGrowthBytes(residentKb);
        qInfo("200 MB downloaded: peak memory grew by %lld MB", grown >> 20);
        if (testsupport::kMemoryFiguresMeaningful)
            QVERIFY2(grown < (32LL << 20), qPrintable(QStringLiteral("peak memory grew by %1 MB").arg(grown >> 20)));

        const auto found = client->search(lastHour(), RemoteClient::Want::Traces);
        QVERIFY2(found, whyNot(found).constData());
        QVERIFY(found->traces.size() > 1000);
        const auto first = std::find_if(found->traces.begin(), found->traces.end(), [](const TraceSummary& s) {
            return s.traceId == TraceId { 0, 0x1000000000000000ULL };
        });
        QVERIFY(first != found->traces.end());
        QCOMPARE(first->spanCount, 29);
        QVERIFY(found->body);
        auto cache = openCache(dir);
        const auto imported = RemotePull::importDownloads(*cache, { *found->body }, *client);
        QVERIFY2(imported, whyNot(imported).constData());
        QCOMPARE(imported->traces, qint64(found->traces.size()));
        QCOMPARE(imported->spans, imported->traces * 28 + 1);
        QCOMPARE(cache->traceCount(), imported->traces);
    }

    // Qt's network thread reads ahead of a slow disk only as far as the client's read buffer: a fast server and a
    // slow sink leave memory flat.
    void slowDiskFastServerBoundsMemory()
    {
        constexpr qint64 kBytes = 96LL << 20;
        FastServerThread server(kBytes);
        server.start();
        QTRY_VERIFY(server.port() != 0);
        auto client = RemoteClient::create(
            BackendKind::Zipkin, endpointOf(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port()))));
        testsupport::resetPeakResident();
        const long residentKb = testsupport::statusKb("VmRSS:");
        SlowSink sink;
        const auto reply = client->http().download(
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/v2/traces").arg(server.port())), sink);
        QVERIFY2(reply, whyNot(reply).constData());
        QCOMPARE(sink.written, kBytes);
        const qint64 grown = testsupport::peakGrowthBytes(residentKb);
        qInfo("96 MB to a slow disk: peak memory grew by %lld MB", grown >> 20);
        if (testsupport::kMemoryFiguresMeaningful)
            QVERIFY2(grown < (48LL << 20), qPrintable(QStringLiteral("peak memory grew by %1 MB").arg(grown >> 20)));
        QVERIFY(server.wait(30000));
    }

    // A server that says nothing: the request fails after the timeout, or at once when cancelled.
    void slowServerTimesOutOrIsCancelled()
    {
        fakebackend::Server server;
        server.route("/api/v2/services", [](const Request&) {
            Response r = json("[]");
            r.delayMs = 20000;
            return r;
        });
        Endpoint patient = endpointOf(server.url());
        patient.timeoutMs = 300;
        auto client = RemoteClient::create(BackendKind::Zipkin, patient);
        const auto late = client->services();
        QVERIFY(!late);
        QCOMPARE(late.error().kind, FetchError::Kind::Timeout);
        QCOMPARE(late.error().message,
            QStringLiteral("no answer from %1/api/v2/services for 0.3 s").arg(server.url().toString()));

        auto waiting = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url()));
        std::atomic_bool cancel = false;
        waiting->http().setCancelFlag(&cancel);
        QTimer::singleShot(100, [&] { cancel = true; });
        const auto cancelled = waiting->services();
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().kind, FetchError::Kind::Cancelled);
    }

    void connectionRefusedAndRedirects()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        auto nobody = RemoteClient::create(
            BackendKind::Zipkin, endpointOf(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort))));
        const auto refused = nobody->services();
        QVERIFY(!refused);
        QCOMPARE(refused.error().message,
            QStringLiteral("connection refused by 127.0.0.1:%1 (http://127.0.0.1:%1/api/v2/services)").arg(closedPort));

        fakebackend::Server server;
        server.route("/old/api/v2/services", [](const Request&) {
            Response r;
            r.status = 308;
            r.location = "/new/api/v2/services";
            return r;
        });
        server.route("/new/api/v2/services", [](const Request&) { return json(R"(["moved"])"); });
        auto client = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url(QStringLiteral("/old"))));
        QCOMPARE(client->services().value_or(QStringList()), strings({ "moved" }));

        // To another host (here another port) the token must not follow: refused, unless there is no header.
        fakebackend::Server elsewhere;
        elsewhere.route("/api/v2/services", [](const Request&) { return json(R"(["elsewhere"])"); });
        server.route("/away/api/v2/services", [&](const Request&) {
            Response r;
            r.status = 302;
            r.location = elsewhere.url().toString().toUtf8() + "/api/v2/services";
            return r;
        });
        auto withToken = RemoteClient::create(BackendKind::Zipkin,
            endpointOf(server.url(QStringLiteral("/away")), { { "Authorization", "Bearer s3cret" } }));
        const auto refusedRedirect = withToken->services();
        QVERIFY(!refusedRedirect);
        QVERIFY2(refusedRedirect.error().message.contains(QStringLiteral("redirects to another host")),
            qPrintable(refusedRedirect.error().message));
        QVERIFY(elsewhere.requests.isEmpty());
        auto anonymous = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url(QStringLiteral("/away"))));
        QCOMPARE(anonymous->services().value_or(QStringList()), strings({ "elsewhere" }));
    }

    // HTTPS with a certificate from a CA of our own: refused with a message that says how to trust it, then
    // accepted with the CA file.
    void tlsWithSelfSignedCa()
    {
        QTemporaryDir dir;
        auto run = [&](const QStringList& args) {
            QProcess openssl;
            openssl.setWorkingDirectory(dir.path());
            openssl.start(QStringLiteral("openssl"), args);
            return openssl.waitForFinished(30000) && openssl.exitCode() == 0;
        };
        if (!run({ QStringLiteral("version") })) {
            // packaging/dev.sh installs it: in CI a missing openssl is a failure, not a skip.
            if (qgetenv("CI") == "true")
                QFAIL("openssl is not installed");
            QSKIP("openssl is not installed");
        }
        QFile config(dir.filePath(QStringLiteral("server.ext")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
        config.close();
        QVERIFY(run(QStringLiteral("req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "
                                   "/CN=Tracemap-test-CA")
                        .split(QLatin1Char(' '))));
        QVERIFY(run(QStringLiteral("req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1")
                        .split(QLatin1Char(' '))));
        QVERIFY(run(QStringLiteral("x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
                                   "-days 2 -extfile server.ext")
                        .split(QLatin1Char(' '))));
        fakebackend::Server server(testsupport::readAll(dir.filePath(QStringLiteral("server.pem"))),
            testsupport::readAll(dir.filePath(QStringLiteral("server.key"))));
        QVERIFY(server.isListening());
        server.route("/api/v2/services", [](const Request&) { return json(R"(["secure"])"); });

        auto untrusted = RemoteClient::create(BackendKind::Zipkin, endpointOf(server.url()));
        const auto refused = untrusted->services();
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, FetchError::Kind::Tls);
        QVERIFY2(refused.error().message.startsWith(
                     QStringLiteral("TLS failure with %1/api/v2/services: ").arg(server.url().toString())),
            qPrintable(refused.error().message));
        QVERIFY(refused.error().message.contains(QStringLiteral("--ca-file")));

        Endpoint trusting = endpointOf(server.url());
        trusting.caFile = dir.filePath(QStringLiteral("ca.pem"));
        auto client = RemoteClient::create(BackendKind::Zipkin, trusting);
        const auto services = client->services();
        QVERIFY2(services, whyNot(services).constData());
        QCOMPARE(*services, strings({ "secure" }));

        // The same from the command line: refused without --ca-file, fetched with it.
        server.route(
            "/api/v2/traces", [](const Request&) { return json(fixtureBytes("zipkin-v2/messaging-kafka.json")); });
        const QString cache = dir.filePath(QStringLiteral("tls.sqlite"));
        const Run untrustedPull = runTracemap({ QStringLiteral("pull"), QStringLiteral("zipkin"),
            server.url().toString(), QStringLiteral("--cache"), cache });
        QCOMPARE(untrustedPull.exitCode, 1);
        QVERIFY2(untrustedPull.err.contains(QStringLiteral("TLS failure")), qPrintable(untrustedPull.err));
        const Run trustedPull = runTracemap({ QStringLiteral("pull"), QStringLiteral("zipkin"), server.url().toString(),
            QStringLiteral("--ca-file"), trusting.caFile, QStringLiteral("--cache"), cache });
        QVERIFY2(trustedPull.exitCode == 0, qPrintable(trustedPull.err));
        QVERIFY2(trustedPull.out.startsWith(QStringLiteral("pulled 1 trace, 28 spans from zipkin https://127.0.0.1:")),
            qPrintable(trustedPull.out));
    }

    // `tracemap pull`: one line on success; exit 1 with the message, and the cache as it was, on failure.
    void pullCommand()
    {
        fakebackend::Server server;
        const QByteArray a = fixtureBytes("zipkin-v2/frontend-backend-128bit-orphans.json").trimmed();
        const QByteArray b = fixtureBytes("zipkin-v2/messaging-kafka.json").trimmed();
        server.route("/api/v2/traces", [&](const Request&) { return json("[" + a + "," + b + "]"); });
        server.route("/api/v3/traces/0000000000000abc",
            [](const Request&) { return json(R"({"error":{"httpCode":404,"message":"trace not found"}})", 404); });
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("pulled.sqlite"));
        const QString url = server.url().toString();

        Run pulled = runTracemap({ QStringLiteral("pull"), QStringLiteral("zipkin"), url, QStringLiteral("--service"),
            QStringLiteral("frontend"), QStringLiteral("--since"), QStringLiteral("2h"), QStringLiteral("--limit"),
            QStringLiteral("5"), QStringLiteral("--header"), QStringLiteral("Authorization: Bearer t0ken"),
            QStringLiteral("--cache"), cache });
        QVERIFY2(pulled.exitCode == 0, qPrintable(pulled.err));
        QCOMPARE(pulled.out,
            QStringLiteral("pulled 2 traces, 29 spans from zipkin %1/api/v2/traces (1 span with warnings)\n").arg(url));
        QCOMPARE(server.requests.size(), 1);
        const Request& sent = server.requests[0];
        QCOMPARE(sent.item(QStringLiteral("serviceName")), QStringLiteral("frontend"));
        QCOMPARE(sent.item(QStringLiteral("limit")), QStringLiteral("5"));
        QCOMPARE(sent.item(QStringLiteral("lookback")), QStringLiteral("7200000"));
        QCOMPARE(sent.headers.value("authorization"), QByteArray("Bearer t0ken"));

        Run missing = runTracemap({ QStringLiteral("pull"), QStringLiteral("jaeger"), url, QStringLiteral("--trace"),
            QStringLiteral("abc"), QStringLiteral("--cache"), cache });
        QCOMPARE(missing.exitCode, 1);
        QCOMPARE(missing.out, QString());
        QCOMPARE(missing.err,
            QStringLiteral(
                "tracemap pull: trace 0000000000000abc not found: 404 from %1/api/v3/traces/0000000000000abc: "
                "not found\n")
                .arg(url));
        auto reopened = TraceCache::open(cache, TraceCache::OpenMode::MustExist);
        QVERIFY(reopened);
        QCOMPARE((*reopened)->traceCount(), 2);

        Run refused = runTracemap({ QStringLiteral("pull"), QStringLiteral("zipkin"),
            QStringLiteral("http://127.0.0.1:1"), QStringLiteral("--cache"), cache });
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("connection refused by 127.0.0.1:1")), qPrintable(refused.err));
        // Into a cache that did not exist: none is left behind.
        const QString fresh = dir.filePath(QStringLiteral("never.sqlite"));
        QCOMPARE(runTracemap({ QStringLiteral("pull"), QStringLiteral("zipkin"), QStringLiteral("http://127.0.0.1:1"),
                                 QStringLiteral("--cache"), fresh })
                     .exitCode,
            1);
        QVERIFY(!QFileInfo::exists(fresh));
        QCOMPARE(runTracemap({ QStringLiteral("pull"), QStringLiteral("zipkin"), url, QStringLiteral("--limit"),
                                 QStringLiteral("0"), QStringLiteral("--cache"), fresh })
                     .exitCode,
            2);

        QCOMPARE(runTracemap({ QStringLiteral("pull"), QStringLiteral("elastic"), url }).exitCode, 2);
        const Run traceQlElsewhere = runTracemap({ QStringLiteral("pull"), QStringLiteral("jaeger"), url,
            QStringLiteral("--query"), QStringLiteral("{ }") });
        QCOMPARE(traceQlElsewhere.exitCode, 2);
        QVERIFY(traceQlElsewhere.err.contains(QStringLiteral("--query (TraceQL) is for Tempo")));
        QCOMPARE(
            runTracemap({ QStringLiteral("pull"), QStringLiteral("tempo"), QStringLiteral("ftp://x") }).exitCode, 2);
        QCOMPARE(runTracemap({ QStringLiteral("pull"), QStringLiteral("tempo"), url, QStringLiteral("--header"),
                                 QStringLiteral("no colon") })
                     .exitCode,
            2);
    }

    // "Test connection" without a kind: each API's probe until one answers as it should.
    void detectsTheKind()
    {
        fakebackend::Server tempo;
        tempo.route("/api/echo", [](const Request&) {
            Response r;
            r.contentType = "text/plain";
            r.body = "echo";
            return r;
        });
        QCOMPARE(
            RemoteClient::detect(endpointOf(tempo.url()), nullptr).value_or(BackendKind::Jaeger), BackendKind::Tempo);
        fakebackend::Server zipkin;
        zipkin.route("/api/v2/services", [](const Request&) { return json(R"(["a"])"); });
        QCOMPARE(
            RemoteClient::detect(endpointOf(zipkin.url()), nullptr).value_or(BackendKind::Jaeger), BackendKind::Zipkin);
        fakebackend::Server nothing;
        const auto unknown = RemoteClient::detect(endpointOf(nothing.url()), nullptr);
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains(QStringLiteral("answers neither as Jaeger, nor Tempo, nor Zipkin")),
            qPrintable(unknown.error().message));
        QCOMPARE(guessBackendKind(QUrl(QStringLiteral("https://tempo.example.com"))), BackendKind::Tempo);
        QCOMPARE(guessBackendKind(QUrl(QStringLiteral("http://localhost:9411"))), BackendKind::Zipkin);
        QCOMPARE(guessBackendKind(QUrl(QStringLiteral("http://proxy/jaeger/"))), BackendKind::Jaeger);
        QCOMPARE(guessBackendKind(QUrl(QStringLiteral("http://localhost:8080"))), std::nullopt);
    }
};

QTEST_GUILESS_MAIN(TestRemoteClients)
#include "tst_remoteclients.moc"
