// The live receivers over real HTTP on 127.0.0.1 (ports picked by the OS): OTLP/HTTP and Zipkin status codes and
// bodies, gzip, partial success, limits, keep-alive, concurrent clients, a full queue, the token, and what the
// cache holds the moment a request is answered. Ends with `tracemap serve` run as a program.

#include "importsupport.h"
#include "receiversupport.h"
#include "testsupport.h"

#include "cache/tracecache.h"
#include "live/ingestwriter.h"
#include "live/liveservice.h"
#include "model/traceassembler.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

using namespace tracemap;
using receiversupport::gzip;
using receiversupport::Reply;
using testsupport::fixture;
using testsupport::readAll;
namespace otlp = opentelemetry::proto;

namespace {

// One span of the given ids, as OTLP JSON.
QByteArray otlpJsonSpan(const char* traceId, const char* spanId, const char* name = "op")
{
    return QStringLiteral(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
                          R"({"stringValue":"svc"}}]},"scopeSpans":[{"spans":[{"traceId":"%1","spanId":"%2",)"
                          R"("name":"%3","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":)"
                          R"("1700000001000000000"}]}]}]})")
        .arg(QLatin1String(traceId), QLatin1String(spanId), QLatin1String(name))
        .toUtf8();
}

// A raw HTTP/1.1 exchange on a socket, for what QNetworkAccessManager hides: the connection itself.
QByteArray rawRequest(
    const QByteArray& path, const QByteArray& body, const QByteArray& contentType, qint64 declaredLength = -1)
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + QByteArray::number(declaredLength < 0 ? body.size() : declaredLength) + "\r\n\r\n" + body;
}

// Reads one response (status line, headers, Content-Length body) from the socket; status 0 if none came.
Reply readResponse(QTcpSocket& socket, QByteArray& buffer)
{
    Reply reply;
    auto waitFor = [&](const std::function<bool()>& done) {
        while (!done()) {
            if (!socket.waitForReadyRead(10000))
                return false;
            buffer += socket.readAll();
        }
        return true;
    };
    if (!waitFor([&] { return buffer.contains("\r\n\r\n"); }))
        return reply;
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    reply.status = lines.value(0).split(' ').value(1).toInt();
    qsizetype length = 0;
    for (const QByteArray& line : lines) {
        const QByteArray lower = line.trimmed().toLower();
        if (lower.startsWith("content-length:"))
            length = lower.mid(15).trimmed().toLongLong();
        if (lower.startsWith("content-type:"))
            reply.contentType = lower.mid(13).trimmed();
    }
    if (!waitFor([&] { return buffer.size() >= headEnd + 4 + length; }))
        return Reply {};
    reply.body = buffer.mid(headEnd + 4, length);
    buffer.remove(0, headEnd + 4 + length);
    return reply;
}

} // namespace

class TestReceivers : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_cachePath;
    std::unique_ptr<LiveService> m_service;
    QNetworkAccessManager m_network;

    LiveService::Options options() { return receiversupport::loopbackOptions(m_cachePath, receiversupport::Http); }

    bool start(const LiveService::Options& o) { return (m_service = receiversupport::startService(o)) != nullptr; }

    quint16 otlpPort() const { return m_service->listening().at(0).port; }
    quint16 zipkinPort() const { return m_service->listening().at(1).port; }

    Reply post(quint16 port, const QString& path, const QByteArray& contentType, const QByteArray& body,
        const QList<QPair<QByteArray, QByteArray>>& headers = {}, const QByteArray& method = "POST")
    {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)));
        if (!contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        for (const auto& [name, value] : headers)
            request.setRawHeader(name, value);
        return receiversupport::send(m_network, request, method, body);
    }

    Reply postOtlp(
        const QByteArray& contentType, const QByteArray& body, const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        return post(otlpPort(), QStringLiteral("/v1/traces"), contentType, body, headers);
    }

    // What the cache holds now, read through a connection of its own, as any reader would.
    std::unique_ptr<TraceCache> openCache()
    {
        auto cache = TraceCache::open(m_cachePath, TraceCache::OpenMode::MustExist);
        return cache ? std::move(*cache) : nullptr;
    }

    // Every trace of the fixture is in the cache with all its spans.
    void verifyCached(const QString& fixturePath)
    {
        const auto expected = testsupport::importAll(fixturePath);
        QVERIFY(expected);
        QVERIFY(!expected->empty());
        auto cache = openCache();
        QVERIFY(cache);
        for (const Trace& trace : *expected) {
            const auto cached = cache->loadTrace(trace.id);
            QVERIFY2(cached, cached ? "" : qPrintable(cached.error()));
            QCOMPARE((*cached)->spans.size(), trace.spans.size());
        }
    }

    static QJsonObject json(const QByteArray& body) { return QJsonDocument::fromJson(body).object(); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        static int run = 0;
        m_cachePath = m_dir.filePath(QStringLiteral("cache%1.db").arg(++run));
        QVERIFY(start(options()));
    }

    void cleanup() { m_service.reset(); }

    void otlpProtobufIsCommittedWhenAnswered()
    {
        if (!requireFixtures())
            return;
        const QString file = fixture(QStringLiteral("otlp-proto/otlp2parquet-traces.pb"));
        const Reply reply = postOtlp("application/x-protobuf", readAll(file));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.contentType, QByteArray("application/x-protobuf"));
        otlp::collector::trace::v1::ExportTraceServiceResponse response;
        QVERIFY(response.ParseFromArray(reply.body.constData(), static_cast<int>(reply.body.size())));
        QVERIFY(!response.has_partial_success()); // full success leaves it unset
        verifyCached(file); // right after the answer: acknowledged means committed
    }

    void otlpJsonIsAnsweredInJson()
    {
        if (!requireFixtures())
            return;
        const QString file = fixture(QStringLiteral("otlp-json/otel-proto-example-trace.json"));
        const Reply reply = postOtlp("application/json; charset=utf-8", readAll(file));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.contentType, QByteArray("application/json"));
        QCOMPARE(json(reply.body), QJsonObject());
        verifyCached(file);
    }

    void otlpGzipBodies()
    {
        if (!requireFixtures())
            return;
        const QString proto = fixture(QStringLiteral("otlp-proto/otlp2parquet-trace.pb"));
        QCOMPARE(
            postOtlp("application/x-protobuf", gzip(readAll(proto)), { { "Content-Encoding", "gzip" } }).status, 200);
        verifyCached(proto);
        const QString jsonFile = fixture(QStringLiteral("otlp-json/nodejs-multi-resourcespans-combined.json"));
        QCOMPARE(postOtlp("application/json", gzip(readAll(jsonFile)), { { "Content-Encoding", "gzip" } }).status, 200);
        verifyCached(jsonFile);
        // Truncated gzip is malformed.
        const QByteArray compressed = gzip(readAll(jsonFile));
        QCOMPARE(
            postOtlp("application/json", compressed.left(compressed.size() / 2), { { "Content-Encoding", "gzip" } })
                .status,
            400);
        // Declared gzip but plain: malformed, not read as plain text.
        QCOMPARE(postOtlp("application/json", readAll(jsonFile), { { "Content-Encoding", "gzip" } }).status, 400);
    }

    void otlpEmptyRequestSucceeds()
    {
        QCOMPARE(postOtlp("application/x-protobuf", QByteArray()).status, 200);
        const Reply reply = postOtlp("application/json", "{}");
        QCOMPARE(reply.status, 200);
        QCOMPARE(json(reply.body), QJsonObject());
        QCOMPARE(openCache()->spanCount(), 0);
    }

    void otlpPartialSuccessJson()
    {
        // One span with an all-zero trace id, one valid: 200, one rejected, the valid one stored.
        const QByteArray zero = otlpJsonSpan("00000000000000000000000000000000", "eee19b7ec3c1b175");
        QJsonArray resourceSpans = json(otlpJsonSpan("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"))
                                       .value(QStringLiteral("resourceSpans"))
                                       .toArray();
        resourceSpans.append(json(zero).value(QStringLiteral("resourceSpans")).toArray().at(0));
        const QByteArray body
            = QJsonDocument(QJsonObject { { QStringLiteral("resourceSpans"), resourceSpans } }).toJson();
        const Reply reply = postOtlp("application/json", body);
        QCOMPARE(reply.status, 200);
        const QJsonObject partial = json(reply.body).value(QStringLiteral("partialSuccess")).toObject();
        QCOMPARE(partial.value(QStringLiteral("rejectedSpans")).toString(), QStringLiteral("1")); // int64: a string
        QVERIFY(!partial.value(QStringLiteral("errorMessage")).toString().isEmpty());
        auto cache = openCache();
        QCOMPARE(cache->spanCount(), 1);
        QVERIFY(cache->loadTrace(*traceIdFromHex("5b8efff798038103d269b633813fc60c")));
        QCOMPARE(m_service->counters().rejected, 1);
        QCOMPARE(m_service->counters().received, 1);
    }

    void otlpPartialSuccessProtobuf()
    {
        otlp::collector::trace::v1::ExportTraceServiceRequest request;
        auto* spans = request.add_resource_spans()->add_scope_spans();
        const std::string traceId("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16);
        for (const std::string& spanId : { std::string("\x01\x01\x01\x01\x01\x01\x01\x01", 8), std::string(8, '\0') }) {
            auto* span = spans->add_spans();
            span->set_trace_id(traceId);
            span->set_span_id(spanId);
            span->set_name("op");
            span->set_start_time_unix_nano(1700000000000000000ull);
            span->set_end_time_unix_nano(1700000001000000000ull);
        }
        const std::string bytes = request.SerializeAsString();
        const Reply reply = postOtlp("application/x-protobuf", QByteArray(bytes.data(), qsizetype(bytes.size())));
        QCOMPARE(reply.status, 200);
        otlp::collector::trace::v1::ExportTraceServiceResponse response;
        QVERIFY(response.ParseFromArray(reply.body.constData(), static_cast<int>(reply.body.size())));
        QVERIFY(response.has_partial_success());
        QCOMPARE(response.partial_success().rejected_spans(), 1);
        QVERIFY(!response.partial_success().error_message().empty());
        QCOMPARE(openCache()->spanCount(), 1);
    }

    void otlpErrors_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("malformed JSON") << "/v1/traces" << QByteArray("POST") << QByteArray("application/json")
                                        << QByteArray(R"({"resourceSpans":[{"scopeSpans":[)") << 400;
        QTest::newRow("malformed protobuf")
            << "/v1/traces" << QByteArray("POST") << QByteArray("application/x-protobuf")
            << QByteArray("\x0a\xff\xff\xff\x0f garbage", 14) << 400;
        QTest::newRow("Zipkin JSON on the OTLP path")
            << "/v1/traces" << QByteArray("POST") << QByteArray("application/json")
            << QByteArray(R"([{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"x"}])") << 400;
        QTest::newRow("unknown content type")
            << "/v1/traces" << QByteArray("POST") << QByteArray("text/plain") << QByteArray("hello") << 415;
        QTest::newRow("other path") << "/v1/metrics" << QByteArray("POST") << QByteArray("application/json")
                                    << QByteArray("{}") << 404;
        QTest::newRow("other method") << "/v1/traces" << QByteArray("PUT") << QByteArray("application/json")
                                      << QByteArray("{}") << 405;
    }

    void otlpErrors()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        const Reply reply = post(otlpPort(), path, contentType, body, {}, method);
        QCOMPARE(reply.status, status);
        // A google.rpc.Status in the request's encoding: JSON {code, message}, or protobuf fields 1 and 2.
        if (contentType == "application/x-protobuf") {
            QCOMPARE(reply.contentType, QByteArray("application/x-protobuf"));
            QCOMPARE(reply.body.at(0), '\x08'); // code, varint
            QVERIFY(reply.body.contains('\x12')); // message, length-delimited
            QVERIFY(reply.body.size() > 10);
        } else {
            QCOMPARE(reply.contentType, QByteArray("application/json"));
            QVERIFY(json(reply.body).value(QStringLiteral("code")).toInt() > 0);
            QVERIFY(!json(reply.body).value(QStringLiteral("message")).toString().isEmpty());
        }
        QCOMPARE(openCache()->spanCount(), 0); // nothing of a refused request is stored
    }

    void malformedBodyLeavesCacheUnchanged()
    {
        if (!requireFixtures())
            return;
        const QString file = fixture(QStringLiteral("otlp-json/otel-proto-example-trace.json"));
        QCOMPARE(postOtlp("application/json", readAll(file)).status, 200);
        auto cache = openCache();
        const qint64 spans = cache->spanCount();
        // Valid spans of a new trace first, then a syntax error: none of it may be stored.
        QByteArray body = otlpJsonSpan("11111111111111111111111111111111", "2222222222222222");
        body.chop(2);
        QCOMPARE(postOtlp("application/json", body).status, 400);
        QCOMPARE(cache->spanCount(), spans);
        QCOMPARE(cache->traceCount(), 1);
    }

    void spansOfACachedTraceMerge()
    {
        const char* traceId = "0af7651916cd43dd8448eb211c80319c";
        QCOMPARE(postOtlp("application/json", otlpJsonSpan(traceId, "00f067aa0ba902b7", "first")).status, 200);
        QCOMPARE(postOtlp("application/json", otlpJsonSpan(traceId, "00f067aa0ba902b8", "second")).status, 200);
        auto cache = openCache();
        QCOMPARE(cache->traceCount(), 1);
        const auto trace = cache->loadTrace(*traceIdFromHex(traceId));
        QVERIFY(trace);
        QCOMPARE((*trace)->spans.size(), size_t(2));
    }

    void oversizeDeclaredBodyIsRefusedBeforeItIsSent()
    {
        auto o = options();
        o.maxBodyBytes = 1000;
        QVERIFY(start(o));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, otlpPort());
        QVERIFY(socket.waitForConnected(10000));
        // Headers only: a 1 MB body is announced but never sent; the 413 must come anyway.
        socket.write(rawRequest("/v1/traces", QByteArray(), "application/json", 1000000));
        QByteArray buffer;
        const Reply reply = readResponse(socket, buffer);
        QCOMPARE(reply.status, 413);
        QVERIFY(json(reply.body).value(QStringLiteral("message")).toString().contains(QStringLiteral("1000")));
    }

    void oversizeAfterInflating()
    {
        if (!requireFixtures())
            return;
        auto o = options();
        const QByteArray body = readAll(fixture(QStringLiteral("otlp-json/otel-proto-example-trace.json")));
        o.maxBodyBytes = static_cast<size_t>(body.size()) - 1;
        QVERIFY(start(o));
        const QByteArray small = gzip(body);
        QVERIFY(small.size() < body.size() - 1);
        QCOMPARE(postOtlp("application/json", small, { { "Content-Encoding", "gzip" } }).status, 413);
        QCOMPARE(
            post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/json", QByteArray(2000, ' ')).status, 413);
        QCOMPARE(openCache()->spanCount(), 0);
    }

    void keepAlive()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, otlpPort());
        QVERIFY(socket.waitForConnected(10000));
        QByteArray buffer;
        socket.write(rawRequest(
            "/v1/traces", otlpJsonSpan("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1111111111111111"), "application/json"));
        QCOMPARE(readResponse(socket, buffer).status, 200);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        socket.write(rawRequest(
            "/v1/traces", otlpJsonSpan("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "1111111111111111"), "application/json"));
        QCOMPARE(readResponse(socket, buffer).status, 200); // the second answer on the same connection
        QCOMPARE(openCache()->traceCount(), 2);
    }

    void concurrentClients()
    {
        // Client A sends half a request and stalls; client B must be answered meanwhile, then A when it finishes.
        const QByteArray bodyA = otlpJsonSpan("cccccccccccccccccccccccccccccccc", "1111111111111111");
        const QByteArray requestA = rawRequest("/v1/traces", bodyA, "application/json");
        QTcpSocket a;
        QTcpSocket b;
        a.connectToHost(QHostAddress::LocalHost, otlpPort());
        b.connectToHost(QHostAddress::LocalHost, otlpPort());
        QVERIFY(a.waitForConnected(10000));
        QVERIFY(b.waitForConnected(10000));
        a.write(requestA.left(requestA.size() - 10));
        QVERIFY(a.waitForBytesWritten(10000));
        QByteArray bufferA;
        QByteArray bufferB;
        b.write(rawRequest(
            "/v1/traces", otlpJsonSpan("dddddddddddddddddddddddddddddddd", "1111111111111111"), "application/json"));
        QCOMPARE(readResponse(b, bufferB).status, 200);
        QCOMPARE(a.bytesAvailable(), 0);
        a.write(requestA.right(10));
        QCOMPARE(readResponse(a, bufferA).status, 200);
        QCOMPARE(openCache()->traceCount(), 2);
    }

    void fullQueueIsRetryable()
    {
        auto o = options();
        o.writer.maxQueueBytes = 1; // no request fits
        QVERIFY(start(o));
        const Reply reply
            = postOtlp("application/json", otlpJsonSpan("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "1111111111111111"));
        QCOMPARE(reply.status, 503);
        QVERIFY(reply.retryAfter.toInt() > 0);
        QCOMPARE(json(reply.body).value(QStringLiteral("code")).toInt(), 14); // UNAVAILABLE
        QCOMPARE(
            post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/json",
                R"([{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"x","timestamp":1,"duration":1}])")
                .status,
            503);
        QCOMPARE(m_service->counters().refused, 2);
        QCOMPARE(m_service->counters().received, 0);
        QCOMPARE(openCache()->spanCount(), 0);
    }

    void zipkin()
    {
        if (!requireFixtures())
            return;
        const QString v2 = fixture(QStringLiteral("zipkin-v2/yelp.json"));
        Reply reply = post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/json", readAll(v2));
        QCOMPARE(reply.status, 202);
        QVERIFY(reply.body.isEmpty());
        verifyCached(v2);
        const QString gzipped = fixture(QStringLiteral("zipkin-v2/messaging-kafka.json"));
        QCOMPARE(post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/json", gzip(readAll(gzipped)),
                     { { "Content-Encoding", "gzip" } })
                     .status,
            202);
        verifyCached(gzipped);
        const QString v1 = fixture(QStringLiteral("zipkin-v1/sofa-long-service-name.json"));
        QCOMPARE(post(zipkinPort(), QStringLiteral("/api/v1/spans"), "application/json", readAll(v1)).status, 202);
        verifyCached(v1);
    }

    void zipkinErrors()
    {
        if (!requireFixtures())
            return;
        const qint64 before = openCache()->spanCount();
        // v2 spans on the v1 path are bad input, with a message saying why.
        Reply reply = post(zipkinPort(), QStringLiteral("/api/v1/spans"), "application/json",
            readAll(fixture(QStringLiteral("zipkin-v2/yelp.json"))));
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.body.contains("zipkin-v2"));
        reply = post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/json", "[{\"traceId\":");
        QCOMPARE(reply.status, 400);
        QVERIFY(!reply.body.trimmed().isEmpty());
        // A proto3 ListOfSpans whose one span has no ids.
        QCOMPARE(
            post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/x-protobuf", QByteArray("\x0a\x00", 2))
                .status,
            400);
        QCOMPARE(post(zipkinPort(), QStringLiteral("/api/v2/trace"), "application/json", "[]").status, 404);
        QCOMPARE(
            post(zipkinPort(), QStringLiteral("/api/v2/spans"), QByteArray(), QByteArray(), {}, "GET").status, 405);
        QCOMPARE(post(zipkinPort(), QStringLiteral("/api/v2/spans"), "application/json", "[]").status, 202);
        QCOMPARE(openCache()->spanCount(), before);
    }

    void token()
    {
        auto o = options();
        o.token = "s3cret";
        QVERIFY(start(o));
        const QByteArray body = otlpJsonSpan("abababababababababababababababab", "1111111111111111");
        Reply reply = postOtlp("application/json", body);
        QCOMPARE(reply.status, 401);
        QCOMPARE(json(reply.body).value(QStringLiteral("code")).toInt(), 16); // UNAUTHENTICATED
        QCOMPARE(postOtlp("application/json", body, { { "Authorization", "Bearer wrong!" } }).status, 401);
        QCOMPARE(openCache()->spanCount(), 0);
        QCOMPARE(postOtlp("application/json", body, { { "Authorization", "Bearer s3cret" } }).status, 200);
        QCOMPARE(openCache()->spanCount(), 1);
    }

    void nonLoopbackNeedsAToken()
    {
        auto o = options();
        o.zipkin = LiveService::Endpoint { QHostAddress(QStringLiteral("0.0.0.0")), 0 };
        LiveService service;
        const auto started = service.start(o);
        QVERIFY(!started);
        QVERIFY(started.error().contains(QStringLiteral("token")));
        QVERIFY(service.listening().empty());
    }

    void writerBatchesBySpanCount()
    {
        // A long interval: the batch is written because it reached batchSpans, as one transaction for both.
        auto cache = TraceCache::open(m_dir.filePath(QStringLiteral("writer.db")));
        QVERIFY(cache);
        IngestWriter::Options o;
        o.batchInterval = std::chrono::hours(1);
        o.batchLinger = std::chrono::hours(1);
        o.batchSpans = 2;
        IngestWriter writer(std::move(*cache), o);
        auto traces = testsupport::importAll(fixture(QStringLiteral("zipkin-v2/yelp.json")));
        QVERIFY(traces && traces->size() == 1);
        Trace first = traces->front();
        first.spans.resize(1);
        TraceAssembler::assemble(first);
        auto a = writer.submit({ first }, 1);
        auto b = writer.submit({ first }, 1);
        QVERIFY(a && b);
        QVERIFY(a->get().has_value());
        QVERIFY(b->get().has_value());
        QCOMPARE(writer.counters().batches, 1);
        QCOMPARE(writer.counters().committed, 2);
        // Under the count, stop() still commits what is queued before it returns.
        auto c = writer.submit({ first }, 1);
        QVERIFY(c);
        writer.stop();
        QCOMPARE(c->wait_for(std::chrono::seconds(0)), std::future_status::ready);
        QCOMPARE(writer.counters().batches, 2);
        QVERIFY(!writer.submit({ first }, 1)); // stopped: refused
    }

    // Old traces go in transactions of batchTraces, and a request submitted meanwhile is committed as usual.
    void writerEnforcesRetentionInBatches()
    {
        if (!requireFixtures())
            return;
        const QString path = m_dir.filePath(QStringLiteral("retention.db"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache);
        auto traces = testsupport::importAll(fixture(QStringLiteral("zipkin-v2/yelp.json")));
        QVERIFY(traces && traces->size() == 1);
        std::vector<Trace> old;
        for (quint64 i = 1; i <= 10; ++i) {
            Trace t = traces->front();
            t.id = { 0, i }; // the fixture's spans started years ago
            old.push_back(std::move(t));
        }
        QVERIFY((*cache)->storeTraces(old, QStringLiteral("old")).has_value());
        IngestWriter::Options o;
        o.retention.maxAgeNs = std::chrono::nanoseconds(std::chrono::hours(24 * 365)).count();
        o.retention.batchTraces = 3;
        o.retentionInterval = std::chrono::hours(1);
        IngestWriter writer(std::move(*cache), o);
        Trace young = traces->front();
        const qint64 now
            = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
        const qint64 shift = now - TraceSummary::of(young).startNs;
        for (Span& span : young.spans)
            span.startNs += shift;
        TraceAssembler::assemble(young);
        auto answer = writer.submit({ young }, qint64(young.spans.size()));
        QVERIFY(answer);
        QVERIFY(answer->get().has_value());
        QTRY_COMPARE(writer.counters().deletedTraces, 10);
        QCOMPARE(writer.counters().retentionTransactions, 4); // 3 + 3 + 3 + 1
        writer.stop();
        auto reopened = TraceCache::open(path, TraceCache::OpenMode::MustExist);
        QVERIFY(reopened);
        QCOMPARE((*reopened)->traceCount(), 1);
    }

    void serveRetentionFlags()
    {
        if (!requireFixtures())
            return;
        const QString cachePath = m_dir.filePath(QStringLiteral("serve-retention.db"));
        {
            auto cache = TraceCache::open(cachePath);
            QVERIFY(cache);
            auto traces = testsupport::importAll(fixture(QStringLiteral("zipkin-v2/yelp.json")));
            QVERIFY(traces);
            QVERIFY((*cache)->storeTraces(*traces, QStringLiteral("old")).has_value());
        }
        QProcess bad;
        bad.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--cache"), cachePath, QStringLiteral("--max-cache-size"),
                QStringLiteral("lots") });
        QVERIFY(bad.waitForFinished(20000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("--max-cache-size"));

        m_service.reset();
        QProcess serve;
        serve.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--cache"), cachePath, QStringLiteral("--otlp-http"),
                QStringLiteral("127.0.0.1:0"), QStringLiteral("--zipkin"), QStringLiteral("none"),
                QStringLiteral("--otlp-grpc"), QStringLiteral("none"), QStringLiteral("--max-age"),
                QStringLiteral("7d"), QStringLiteral("--max-cache-size"), QStringLiteral("2GB") });
        QVERIFY(serve.waitForStarted());
        QByteArray stderrText;
        // The summary comes every few seconds; it names the old trace once retention deleted it.
        QTRY_VERIFY_WITH_TIMEOUT(
            (stderrText += serve.readAllStandardError()).contains("1 old traces deleted (retention)"), 30000);
        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(20000));
        QCOMPARE(serve.exitCode(), 0);
        auto cache = TraceCache::open(cachePath, TraceCache::OpenMode::MustExist);
        QVERIFY(cache);
        QCOMPARE((*cache)->traceCount(), 0);
    }

    void serveCommand()
    {
        if (!requireFixtures())
            return;
        m_service.reset();
        const QString cachePath = m_dir.filePath(QStringLiteral("serve.db"));
        QProcess serve;
        serve.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--cache"), cachePath, QStringLiteral("--otlp-http"),
                QStringLiteral("127.0.0.1:0"), QStringLiteral("--zipkin"), QStringLiteral("none"),
                QStringLiteral("--otlp-grpc"), QStringLiteral("none") });
        QVERIFY(serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(serve.canReadLine(), 20000);
        const QString ready = QString::fromUtf8(serve.readLine());
        const auto match
            = QRegularExpression(QStringLiteral(R"(OTLP/HTTP ready on http://127\.0\.0\.1:(\d+)/v1/traces)"))
                  .match(ready);
        QVERIFY2(match.hasMatch(), qPrintable(ready));
        const quint16 port = static_cast<quint16>(match.captured(1).toUInt());
        QVERIFY(port > 0);
        const QString file = fixture(QStringLiteral("otlp-proto/otlp2parquet-traces.pb"));
        QCOMPARE(post(port, QStringLiteral("/v1/traces"), "application/x-protobuf", readAll(file)).status, 200);
        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(20000));
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
        QVERIFY(serve.readAllStandardError().contains("stopped:"));
        m_cachePath = cachePath;
        verifyCached(file);
    }
};

QTEST_GUILESS_MAIN(TestReceivers)
#include "tst_receivers.moc"
