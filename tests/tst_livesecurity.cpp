// Security and hostile input on the live receivers, over real HTTP(S) on loopback (ports picked by the OS): the
// --listen address and the token rule of `tracemap serve`, TLS with a certificate made here, Zipkin proto3, and
// payloads built to hurt (huge counts, deep nesting, invalid UTF-8, gigantic values, absurd times). Each hostile
// request must get its documented answer, leave the cache unchanged when refused, and leave the server alive.

#include "receiversupport.h"
#include "testsupport.h"

#include "cache/tracecache.h"
#include "formats/traceimporter.h"
#include "formats/zipkinprotoparser.h"
#include "live/liveservice.h"
#include "model/inputlimits.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "zipkin/proto3/zipkin.pb.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

using namespace tracemap;
namespace otlp = opentelemetry::proto;
using receiversupport::Reply;

namespace {

QByteArray serialized(const google::protobuf::MessageLite& message)
{
    const std::string bytes = message.SerializeAsString();
    return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
}

// One OTLP JSON span with the given extra span members (`"attributes":[…]`, times, …).
QByteArray otlpJson(const QByteArray& spanMembers, const QByteArray& traceId = "5b8efff798038103d269b633813fc60c")
{
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
           "\"svc\"}}]},"
           "\"scopeSpans\":[{\"spans\":[{\"traceId\":\""
        + traceId + "\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"op\"," + spanMembers + "}]}]}]}";
}

QByteArray otlpJsonTimes(const QByteArray& start, const QByteArray& end)
{
    return otlpJson("\"startTimeUnixNano\":\"" + start + "\",\"endTimeUnixNano\":\"" + end + '"');
}

otlp::collector::trace::v1::ExportTraceServiceRequest otlpRequest()
{
    otlp::collector::trace::v1::ExportTraceServiceRequest request;
    auto* resource = request.add_resource_spans();
    auto* service = resource->mutable_resource()->add_attributes();
    service->set_key("service.name");
    service->mutable_value()->set_string_value("svc");
    auto* span = resource->add_scope_spans()->add_spans();
    span->set_trace_id(std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
    span->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
    span->set_name("op");
    span->set_start_time_unix_nano(1700000000000000000ull);
    span->set_end_time_unix_nano(1700000001000000000ull);
    return request;
}

otlp::trace::v1::Span* onlySpan(otlp::collector::trace::v1::ExportTraceServiceRequest& request)
{
    return request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
}

// An AnyValue nested `depth` kvlists deep, as protobuf bytes, built inside out without recursion.
std::string nestedAnyValue(int depth)
{
    std::string value = "\x0a\x01x"; // AnyValue { string_value = "x" }
    auto lengthDelimited = [](int field, const std::string& bytes) {
        std::string out(1, static_cast<char>(field << 3 | 2));
        for (quint64 n = bytes.size();; n >>= 7) {
            out.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
            if (n < 0x80)
                break;
        }
        return out + bytes;
    };
    for (int i = 0; i < depth; ++i) {
        const std::string keyValue = lengthDelimited(1, "k") + lengthDelimited(2, value); // KeyValue
        value = lengthDelimited(6, lengthDelimited(1, keyValue)); // AnyValue { kvlist_value { values } }
    }
    return value;
}

// The same, as OTLP JSON text.
QByteArray nestedAnyValueJson(int depth)
{
    QByteArray open;
    QByteArray close;
    for (int i = 0; i < depth; ++i) {
        open += "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":";
        close += "}]}}";
    }
    return open + "{\"stringValue\":\"x\"}" + close;
}

// Zipkin spans of a small trace across two services, as v2 JSON and as the proto3 ListOfSpans of the same data: a
// server, its client call, the callee's half of that call (shared id, no kind: a server because it is shared) and
// a producer.
// (No raw string literals in this file: Qt 6.4's moc loses the class after some of them.)
QByteArray zipkinJsonSpans()
{
    return "[\n"
           " {\"traceId\":\"463ac35c9f6413ad48485a3953bb6124\",\"id\":\"a2fb4a1d1a96d312\",\"name\":\"get "
           "/api\",\"kind\":\"SERVER\",\n"
           "  "
           "\"timestamp\":1700000000000000,\"duration\":207000,\"localEndpoint\":{\"serviceName\":\"frontend\","
           "\"ipv4\":\"192.168.99.1\",\n"
           "  "
           "\"port\":8080},\"remoteEndpoint\":{\"ipv6\":\"2001:db8::c001\",\"port\":53000},\"tags\":{\"http.method\":"
           "\"GET\",\n"
           "  "
           "\"http.path\":\"/"
           "api\"},\"annotations\":[{\"timestamp\":1700000000100000,\"value\":\"wr\"}],\"debug\":true},\n"
           " {\"traceId\":\"463ac35c9f6413ad48485a3953bb6124\",\"parentId\":\"a2fb4a1d1a96d312\",\"id\":"
           "\"0f0e0d0c0b0a0908\",\n"
           "  \"name\":\"query\",\"kind\":\"CLIENT\",\"timestamp\":1700000000010000,\"duration\":150000,\n"
           "  "
           "\"localEndpoint\":{\"serviceName\":\"frontend\"},\"remoteEndpoint\":{\"serviceName\":\"db\",\"ipv4\":\"10."
           "0.0.7\",\"port\":5432},\n"
           "  \"tags\":{\"db.statement\":\"select 1\",\"error\":\"timeout\"}},\n"
           " {\"traceId\":\"463ac35c9f6413ad48485a3953bb6124\",\"parentId\":\"a2fb4a1d1a96d312\",\"id\":"
           "\"0f0e0d0c0b0a0908\",\n"
           "  "
           "\"name\":\"query\",\"shared\":true,\"timestamp\":1700000000020000,\"duration\":100000,"
           "\n"
           "  \"localEndpoint\":{\"serviceName\":\"db\"}},\n"
           " {\"traceId\":\"463ac35c9f6413ad48485a3953bb6124\",\"parentId\":\"0f0e0d0c0b0a0908\",\"id\":"
           "\"1111111111111111\",\n"
           "  "
           "\"name\":\"produce\",\"kind\":\"PRODUCER\",\"timestamp\":1700000000030000,\"localEndpoint\":{"
           "\"serviceName\":\"db\"}}\n"
           "]";
}

QByteArray zipkinProtoSpans()
{
    auto bytes = [](const char* hex) {
        const QByteArray raw = QByteArray::fromHex(hex);
        return std::string(raw.constData(), static_cast<size_t>(raw.size()));
    };
    const std::string traceId = bytes("463ac35c9f6413ad48485a3953bb6124");
    zipkin::proto3::ListOfSpans list;
    auto* server = list.add_spans();
    server->set_trace_id(traceId);
    server->set_id(bytes("a2fb4a1d1a96d312"));
    server->set_name("get /api");
    server->set_kind(zipkin::proto3::Span::SERVER);
    server->set_timestamp(1700000000000000ull);
    server->set_duration(207000);
    server->mutable_local_endpoint()->set_service_name("frontend");
    server->mutable_local_endpoint()->set_ipv4(bytes("c0a86301"));
    server->mutable_local_endpoint()->set_port(8080);
    server->mutable_remote_endpoint()->set_ipv6(bytes("20010db800000000000000000000c001"));
    server->mutable_remote_endpoint()->set_port(53000);
    (*server->mutable_tags())["http.method"] = "GET";
    (*server->mutable_tags())["http.path"] = "/api";
    auto* annotation = server->add_annotations();
    annotation->set_timestamp(1700000000100000ull);
    annotation->set_value("wr");
    server->set_debug(true);
    auto* client = list.add_spans();
    client->set_trace_id(traceId);
    client->set_parent_id(bytes("a2fb4a1d1a96d312"));
    client->set_id(bytes("0f0e0d0c0b0a0908"));
    client->set_name("query");
    client->set_kind(zipkin::proto3::Span::CLIENT);
    client->set_timestamp(1700000000010000ull);
    client->set_duration(150000);
    client->mutable_local_endpoint()->set_service_name("frontend");
    client->mutable_remote_endpoint()->set_service_name("db");
    client->mutable_remote_endpoint()->set_ipv4(bytes("0a000007"));
    client->mutable_remote_endpoint()->set_port(5432);
    (*client->mutable_tags())["error"] = "timeout";
    (*client->mutable_tags())["db.statement"] = "select 1";
    auto* shared = list.add_spans();
    shared->set_trace_id(traceId);
    shared->set_parent_id(bytes("a2fb4a1d1a96d312"));
    shared->set_id(bytes("0f0e0d0c0b0a0908"));
    shared->set_name("query");
    shared->set_shared(true);
    shared->set_timestamp(1700000000020000ull);
    shared->set_duration(100000);
    shared->mutable_local_endpoint()->set_service_name("db");
    auto* producer = list.add_spans();
    producer->set_trace_id(traceId);
    producer->set_parent_id(bytes("0f0e0d0c0b0a0908"));
    producer->set_id(bytes("1111111111111111"));
    producer->set_name("produce");
    producer->set_kind(zipkin::proto3::Span::PRODUCER);
    producer->set_timestamp(1700000000030000ull);
    producer->mutable_local_endpoint()->set_service_name("db");
    return serialized(list);
}

// The process's peak resident memory in KiB since the last resetPeakMemory() (Linux: VmHWM).
qint64 peakMemoryKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool resetPeakMemory()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

} // namespace

class TestLiveSecurity : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_cachePath;
    std::unique_ptr<LiveService> m_service;
    QNetworkAccessManager m_network;

    LiveService::Options options(const QString& cachePath = QString())
    {
        return receiversupport::loopbackOptions(cachePath.isEmpty() ? m_cachePath : cachePath, receiversupport::Http);
    }

    bool start(const LiveService::Options& o) { return (m_service = receiversupport::startService(o)) != nullptr; }

    quint16 otlpPort() const { return m_service->listening().at(0).port; }
    quint16 zipkinPort() const { return m_service->listening().at(1).port; }

    Reply post(const QUrl& url, const QByteArray& contentType, const QByteArray& body,
        const QList<QPair<QByteArray, QByteArray>>& headers = {},
        const std::optional<QSslConfiguration>& tls = std::nullopt)
    {
        QNetworkRequest request(url);
        if (!contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        for (const auto& [name, value] : headers)
            request.setRawHeader(name, value);
        if (tls)
            request.setSslConfiguration(*tls);
        return receiversupport::send(m_network, request, "POST", body, 120000);
    }

    Reply post(quint16 port, const char* path, const QByteArray& contentType, const QByteArray& body)
    {
        return post(
            QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(QLatin1String(path))), contentType, body);
    }
    Reply postOtlp(const QByteArray& contentType, const QByteArray& body)
    {
        return post(otlpPort(), "/v1/traces", contentType, body);
    }
    Reply postZipkin(const QByteArray& contentType, const QByteArray& body)
    {
        return post(zipkinPort(), "/api/v2/spans", contentType, body);
    }

    std::unique_ptr<TraceCache> openCache(const QString& path = QString())
    {
        auto cache = TraceCache::open(path.isEmpty() ? m_cachePath : path, TraceCache::OpenMode::MustExist);
        return cache ? std::move(*cache) : nullptr;
    }

    std::shared_ptr<const Trace> cachedTrace(const char* traceHex, const QString& path = QString())
    {
        auto cache = openCache(path);
        if (!cache)
            return nullptr;
        auto trace = cache->loadTrace(*traceIdFromHex(traceHex));
        return trace ? *trace : nullptr;
    }

    // The server still answers: a valid span is stored after whatever came before.
    void verifyAlive()
    {
        const qint64 before = openCache()->spanCount();
        QCOMPARE(
            postOtlp("application/json",
                otlpJson("\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\"", "0000000000000000000000000000a11e"))
                .status,
            200);
        QCOMPARE(openCache()->spanCount(), before + 1);
    }

    static QStringList warningsOf(const Trace& trace, const Span& span)
    {
        QStringList out;
        for (quint32 w = span.warnings.begin; w < span.warnings.end(); ++w)
            out << QString::fromStdString(std::string(trace.text(trace.warnings[w])));
        return out;
    }

    // Makes a self-signed certificate for 127.0.0.1 and its key with the openssl program; false if it cannot.
    bool makeCertificate(const QString& name, QString& certPath, QString& keyPath)
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            return false;
        certPath = m_dir.filePath(name + QStringLiteral(".crt"));
        keyPath = m_dir.filePath(name + QStringLiteral(".key"));
        QProcess process;
        process.start(openssl,
            { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath, QStringLiteral("-days"),
                QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1") });
        return process.waitForFinished(60000) && process.exitCode() == 0 && QFile::exists(keyPath);
    }

    static QByteArray runServe(const QStringList& args, int& exitCode)
    {
        QProcess serve;
        // No gRPC endpoint: its fixed default port would collide with a running Tracemap or another test.
        serve.start(QStringLiteral(TRACEMAP_BINARY),
            QStringList { QStringLiteral("serve"), QStringLiteral("--otlp-grpc"), QStringLiteral("none") } + args);
        if (!serve.waitForFinished(30000)) {
            serve.kill();
            serve.waitForFinished();
            exitCode = -1;
            return {};
        }
        exitCode = serve.exitCode();
        return serve.readAllStandardError();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        static int run = 0;
        m_cachePath = m_dir.filePath(QStringLiteral("cache%1.db").arg(++run));
        QVERIFY(start(options()));
    }

    void cleanup() { m_service.reset(); }

    // --listen sets every endpoint's address; an endpoint's own ADDR:PORT wins; other than loopback needs a token.
    void listenFlag()
    {
        m_service.reset();
        const QString cache = m_dir.filePath(QStringLiteral("listen.db"));
        int exitCode = 0;
        QByteArray stderrText = runServe({ QStringLiteral("--cache"), cache, QStringLiteral("--listen"),
                                             QStringLiteral("0.0.0.0"), QStringLiteral("--otlp-http"),
                                             QStringLiteral("0"), QStringLiteral("--zipkin"), QStringLiteral("none") },
            exitCode);
        QVERIFY(exitCode != 0);
        QVERIFY2(stderrText.contains("0.0.0.0") && stderrText.contains("--token"), stderrText.constData());
        stderrText = runServe(
            { QStringLiteral("--cache"), cache, QStringLiteral("--listen"), QStringLiteral("here") }, exitCode);
        QCOMPARE(exitCode, 2);
        QVERIFY(stderrText.contains("--listen"));

        QProcess serve;
        serve.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--cache"), cache, QStringLiteral("--listen"),
                QStringLiteral("0.0.0.0"), QStringLiteral("--token"), QStringLiteral("s3cret"),
                QStringLiteral("--otlp-http"), QStringLiteral("0"), QStringLiteral("--zipkin"),
                QStringLiteral("127.0.0.1:0"), QStringLiteral("--otlp-grpc"), QStringLiteral("none") });
        QVERIFY(serve.waitForStarted());
        QByteArray ready;
        QTRY_VERIFY_WITH_TIMEOUT((ready += serve.readAllStandardOutput()).count('\n') >= 2, 20000);
        const auto otlpLine
            = QRegularExpression(QStringLiteral("OTLP/HTTP ready on http://0\\.0\\.0\\.0:(\\d+)/v1/traces"))
                  .match(QString::fromUtf8(ready));
        QVERIFY2(otlpLine.hasMatch(), ready.constData());
        QVERIFY(ready.contains("Zipkin ready on http://127.0.0.1:")); // its own address won
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/v1/traces").arg(otlpLine.captured(1)));
        const QByteArray body = otlpJsonTimes("1", "2");
        QCOMPARE(post(url, "application/json", body).status, 401);
        QCOMPARE(post(url, "application/json", body, { { "Authorization", "Bearer s3cret" } }).status, 200);
        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(20000));
        QCOMPARE(serve.exitCode(), 0);
    }

    void tls()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend here, so there is no HTTPS client to test with");
        QString cert;
        QString key;
        if (!makeCertificate(QStringLiteral("server"), cert, key))
            QSKIP("the openssl program is missing or could not make a certificate");
        auto o = options();
        o.tlsCertPath = cert;
        o.tlsKeyPath = key;
        QVERIFY(start(o));
        QVERIFY(m_service->listening().at(0).url.startsWith(QStringLiteral("https://127.0.0.1:")));
        QVERIFY(m_service->listening().at(1).url.startsWith(QStringLiteral("https://127.0.0.1:")));

        QSslConfiguration trusting = QSslConfiguration::defaultConfiguration();
        trusting.setCaCertificates(QSslCertificate::fromPath(cert));
        const QByteArray body = otlpJsonTimes("1", "2");
        const QUrl url(m_service->listening().at(0).url);
        const Reply reply = post(url, "application/json", body, {}, trusting);
        QCOMPARE(reply.error, QNetworkReply::NoError);
        QCOMPARE(reply.status, 200);
        QCOMPARE(openCache()->spanCount(), 1);
        // Without trusting the certificate the client refuses (on a new connection: the trusted one is cached);
        // plain HTTP gets no HTTP answer.
        m_network.clearConnectionCache();
        QVERIFY(post(url, "application/json", body).status == 0);
        QVERIFY(post(otlpPort(), "/v1/traces", "application/json", body).status == 0);
        QCOMPARE(
            post(QUrl(m_service->listening().at(1).url), "application/json", zipkinJsonSpans(), {}, trusting).status,
            202);
    }

    void tlsErrors()
    {
        QString cert;
        QString key;
        QString otherCert;
        QString otherKey;
        if (!makeCertificate(QStringLiteral("a"), cert, key)
            || !makeCertificate(QStringLiteral("b"), otherCert, otherKey))
            QSKIP("the openssl program is missing or could not make a certificate");
        auto attempt = [&](const QString& certPath, const QString& keyPath) {
            auto o = options(m_dir.filePath(QStringLiteral("tls-errors.db")));
            o.tlsCertPath = certPath;
            o.tlsKeyPath = keyPath;
            LiveService service;
            const auto started = service.start(o);
            return started ? QString() : started.error();
        };
        QVERIFY(attempt(cert, QString()).contains(QStringLiteral("both")));
        QVERIFY(attempt(QString(), key).contains(QStringLiteral("both")));
        QVERIFY(attempt(m_dir.filePath(QStringLiteral("missing.crt")), key).contains(QStringLiteral("cannot read")));
        QVERIFY(attempt(key, cert).contains(QStringLiteral("not PEM")));
        const QString mismatch = attempt(cert, otherKey);
        QVERIFY2(mismatch.contains(QStringLiteral("key")) && mismatch.contains(QStringLiteral("certificate")),
            qPrintable(mismatch));
        QVERIFY(attempt(cert, key).isEmpty());

        int exitCode = 0;
        const QByteArray stderrText
            = runServe({ QStringLiteral("--cache"), m_dir.filePath(QStringLiteral("tls-serve.db")),
                           QStringLiteral("--tls-cert"), cert },
                exitCode);
        QCOMPARE(exitCode, 2);
        QVERIFY(stderrText.contains("--tls-key"));
    }

    void zipkinProtoMatchesJson()
    {
        QCOMPARE(postZipkin("application/json", zipkinJsonSpans()).status, 202);
        const QString protoCache = m_dir.filePath(QStringLiteral("zipkin-proto.db"));
        const QString jsonCache = m_cachePath;
        QVERIFY(start(options(protoCache)));
        const Reply reply = postZipkin("application/x-protobuf", zipkinProtoSpans());
        QCOMPARE(reply.status, 202);
        const auto fromJson = cachedTrace("463ac35c9f6413ad48485a3953bb6124", jsonCache);
        const auto fromProto = cachedTrace("463ac35c9f6413ad48485a3953bb6124", protoCache);
        QVERIFY(fromJson && fromProto);
        QCOMPARE(fromProto->spans.size(), size_t(4));
        QVERIFY(*fromJson == *fromProto);
        // What the mapping gives, checked once here: endpoints, the shared server half, tags as attributes.
        QStringList spans;
        for (const Span& span : fromProto->spans)
            spans << QStringLiteral("%1 %2 %3")
                         .arg(QString::fromStdString(std::string(fromProto->serviceName(span))),
                             QString::fromStdString(std::string(fromProto->operationName(span))))
                         .arg(int(span.kind));
        QCOMPARE(spans,
            QStringList({ QStringLiteral("frontend get /api 2"), QStringLiteral("frontend query 3"),
                QStringLiteral("db query 2"), QStringLiteral("db produce 4") }));
    }

    // File import recognises a ListOfSpans by its first fields and reads it as the receiver does.
    void zipkinProtoFileImport()
    {
        const QString path = m_dir.filePath(QStringLiteral("spans.pb"));
        QVERIFY(testsupport::writeFile(path, zipkinProtoSpans()));
        qint64 spans = 0;
        const auto summary = TraceImporter::importFile(path, [&](std::vector<Trace>& traces) {
            for (const Trace& trace : traces)
                spans += qint64(trace.spans.size());
        });
        QVERIFY(summary);
        QCOMPARE(summary->format, TraceFormat::ZipkinV2Proto);
        QCOMPARE(spans, 4);
        QVERIFY(!ZipkinProtoParser::looksLikeListOfSpans(serialized(otlpRequest()).toStdString()));
    }

    void zipkinProtoErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("message");
        QByteArray valid = zipkinProtoSpans();
        QTest::newRow("length past the end") << QByteArray("\x0a\xff\xff\x03\x0a\x08", 6) << QByteArray("left");
        QTest::newRow("truncated") << valid.left(valid.size() - 5) << QByteArray("span #4");
        zipkin::proto3::ListOfSpans list;
        list.add_spans()->set_trace_id("12345");
        QTest::newRow("5-byte trace id") << serialized(list) << QByteArray("trace_id");
        list.mutable_spans(0)->set_trace_id("12345678");
        list.mutable_spans(0)->set_id("1234567");
        QTest::newRow("7-byte span id") << serialized(list) << QByteArray("id");
        list.mutable_spans(0)->set_id("12345678");
        list.mutable_spans(0)->mutable_local_endpoint()->set_ipv4("12345");
        QTest::newRow("5-byte ipv4") << serialized(list) << QByteArray("ipv4");
        list.mutable_spans(0)->clear_local_endpoint();
        list.mutable_spans(0)->set_timestamp(~0ull);
        QTest::newRow("timestamp past int64 ns") << serialized(list) << QByteArray("timestamp");
        list.mutable_spans(0)->set_timestamp(1);
        QByteArray badName = serialized(list) + QByteArray("\x2a\x02\xc3\x28", 4); // name = invalid UTF-8
        QByteArray wrapped = QByteArray("\x0a") + char(badName.size()) + badName;
        QTest::newRow("invalid UTF-8 name") << wrapped << QByteArray("UTF-8");
        QTest::newRow("OTLP protobuf") << serialized(otlpRequest()) << QByteArray("Zipkin");
    }

    void zipkinProtoErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, message);
        QCOMPARE(postZipkin("application/json", zipkinJsonSpans()).status, 202);
        const qint64 before = openCache()->spanCount();
        const Reply reply = postZipkin("application/x-protobuf", body);
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.body.contains(message), reply.body.constData());
        QCOMPARE(openCache()->spanCount(), before);
        verifyAlive();
    }

    // Refused whole (400), never half-stored: the cache holds exactly what it held before.
    void hostileRefused_data()
    {
        QTest::addColumn<bool>("zipkin");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("JSON nested 100,000 levels, OTLP")
            << false << QByteArray("application/json")
            << QByteArray("{\"resourceSpans\":") + QByteArray(100000, '[') + QByteArray(100000, ']') + '}';
        QTest::newRow("JSON nested 100,000 levels, Zipkin")
            << true << QByteArray("application/json") << QByteArray(100000, '[') + QByteArray(100000, ']');
        QTest::newRow("kvlist nested 10,000 levels, OTLP JSON")
            << false << QByteArray("application/json")
            << otlpJson("\"attributes\":[{\"key\":\"deep\",\"value\":" + nestedAnyValueJson(10000) + "}]");
        // Built in the test itself (an empty body here): see hostileRefused.
        QTest::newRow("kvlist nested 10,000 levels, OTLP protobuf")
            << false << QByteArray("application/x-protobuf") << QByteArray();
        QTest::newRow("invalid UTF-8 in a span name, OTLP JSON")
            << false << QByteArray("application/json") << otlpJson("").replace("\"op\"", "\"o\xc3\x28p\"");
        QTest::newRow("invalid UTF-8 in an attribute key, OTLP JSON")
            << false << QByteArray("application/json")
            << otlpJson("\"attributes\":[{\"key\":\"k\xff\",\"value\":{\"stringValue\":\"v\"}}]");
        auto badUtf8 = otlpRequest();
        onlySpan(badUtf8)->set_name("o\xc3\x28p");
        QTest::newRow("invalid UTF-8 in a span name, OTLP protobuf")
            << false << QByteArray("application/x-protobuf") << serialized(badUtf8);
        QTest::newRow("invalid UTF-8 in a tag value, Zipkin JSON")
            << true << QByteArray("application/json")
            << QByteArray("[{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"a2fb4a1d1a96d312\",\"tags\":{\"k\":"
                          "\"\\xed\\xa0\\x80\"}}]");
        QTest::newRow("escaped lone surrogate, OTLP JSON")
            << false << QByteArray("application/json") << otlpJson("").replace("\"op\"", "\"o\\ud800p\"");
        QTest::newRow("time past int64, OTLP JSON")
            << false << QByteArray("application/json") << otlpJsonTimes("1", "18446744073709551615");
        QTest::newRow("timestamp past int64 ns, Zipkin JSON")
            << true << QByteArray("application/json")
            << QByteArray("[{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"a2fb4a1d1a96d312\",\"timestamp\":"
                          "9223372036854775807}]");
        QTest::newRow("2 million empty objects, Zipkin")
            << true << QByteArray("application/json") << '[' + QByteArray("{},").repeated(2000000) + "{}]";
        auto truncated = otlpRequest();
        QByteArray cut = serialized(truncated);
        cut[1] = char(0x7f); // ResourceSpans claims 127 bytes; the body has fewer
        QTest::newRow("length prefix past the body, OTLP protobuf")
            << false << QByteArray("application/x-protobuf") << cut;
        QTest::newRow("length prefix of 2 GiB, OTLP protobuf")
            << false << QByteArray("application/x-protobuf") << QByteArray("\x0a\xff\xff\xff\xff\x07\x0a\x00", 8);
    }

    void hostileRefused()
    {
        QFETCH(bool, zipkin);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        if (body.isEmpty()) {
            // The protobuf row: a span whose attribute value is nested 10,000 kvlists deep.
            // The generated classes would recurse 10,000 levels to write it, so the bytes are spliced by hand.
            auto shallow = otlpRequest();
            std::string value = nestedAnyValue(10000);
            std::string keyValue = std::string("\x0a\x04"
                                               "deep",
                6);
            // KeyValue { key = "deep"; value = <nested> } appended to the span as field 9.
            auto varint = [](quint64 n) {
                std::string out;
                for (;; n >>= 7) {
                    out.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
                    if (n < 0x80)
                        return out;
                }
            };
            keyValue += '\x12' + varint(value.size()) + value;
            std::string span = onlySpan(shallow)->SerializeAsString() + '\x4a' + varint(keyValue.size()) + keyValue;
            std::string scope = '\x12' + varint(span.size()) + span;
            std::string resource = shallow.resource_spans(0).resource().SerializeAsString();
            std::string resourceSpans
                = '\x0a' + varint(resource.size()) + resource + '\x12' + varint(scope.size()) + scope;
            const std::string request = '\x0a' + varint(resourceSpans.size()) + resourceSpans;
            body = QByteArray(request.data(), static_cast<qsizetype>(request.size()));
        }
        QCOMPARE(postOtlp("application/json", otlpJsonTimes("1", "2")).status, 200);
        const qint64 before = openCache()->spanCount();
        const Reply reply = zipkin ? postZipkin(contentType, body) : postOtlp(contentType, body);
        QCOMPARE(reply.status, 400);
        QVERIFY(!reply.body.isEmpty());
        QCOMPARE(openCache()->spanCount(), before);
        verifyAlive();
    }

    // An 8 MiB value is cut to the documented limit at a character boundary, with a warning on the span and, for
    // OTLP, in partial_success (rejected 0 and a message: a warning). File import gets the same (the same readers).
    void giganticValuesAreTruncated_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<bool>("zipkin");
        QTest::newRow("OTLP JSON") << QByteArray("application/json") << false;
        QTest::newRow("OTLP protobuf") << QByteArray("application/x-protobuf") << false;
        QTest::newRow("Zipkin JSON") << QByteArray("application/json") << true;
        QTest::newRow("Zipkin proto3") << QByteArray("application/x-protobuf") << true;
    }

    void giganticValuesAreTruncated()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(bool, zipkin);
        // "é" is two bytes: an odd cut would split one.
        const std::string huge = "x" + QString(4 << 20, QChar(0xe9)).toStdString();
        QCOMPARE(huge.size(), size_t((8 << 20) + 1));
        QByteArray body;
        if (zipkin && contentType == "application/json") {
            body = "[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"id\":\"eee19b7ec3c1b174\",\"name\":\"op\","
                   "\"timestamp\":1,\"duration\":1,\"tags\":{\"huge\":\""
                + QByteArray::fromStdString(huge) + "\"}}]";
        } else if (zipkin) {
            zipkin::proto3::ListOfSpans list;
            auto* span = list.add_spans();
            span->set_trace_id(QByteArray::fromHex("5b8efff798038103d269b633813fc60c").toStdString());
            span->set_id(QByteArray::fromHex("eee19b7ec3c1b174").toStdString());
            span->set_timestamp(1);
            (*span->mutable_tags())["huge"] = huge;
            body = serialized(list);
        } else if (contentType == "application/json") {
            body = otlpJson(
                "\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"attributes\":[{\"key\":\"huge\",\"value\":"
                "{\"stringValue\":\""
                + QByteArray::fromStdString(huge) + "\"}}]");
        } else {
            auto request = otlpRequest();
            auto* attribute = onlySpan(request)->add_attributes();
            attribute->set_key("huge");
            attribute->mutable_value()->set_string_value(huge);
            body = serialized(request);
        }
        const Reply reply = zipkin ? postZipkin(contentType, body) : postOtlp(contentType, body);
        QCOMPARE(reply.status, zipkin ? 202 : 200);
        if (!zipkin) {
            QString message;
            qint64 rejected = -1;
            if (contentType == "application/json") {
                const QJsonObject partial
                    = QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("partialSuccess")).toObject();
                message = partial.value(QStringLiteral("errorMessage")).toString();
                rejected = partial.value(QStringLiteral("rejectedSpans")).toString().toLongLong();
            } else {
                otlp::collector::trace::v1::ExportTraceServiceResponse response;
                QVERIFY(response.ParseFromArray(reply.body.constData(), static_cast<int>(reply.body.size())));
                QVERIFY(response.has_partial_success());
                message = QString::fromStdString(response.partial_success().error_message());
                rejected = response.partial_success().rejected_spans();
            }
            QCOMPARE(rejected, 0); // a warning, not a rejection
            QVERIFY2(message.contains(QStringLiteral("truncated")), qPrintable(message));
        }
        const auto trace = cachedTrace("5b8efff798038103d269b633813fc60c");
        QVERIFY(trace);
        QCOMPARE(trace->spans.size(), size_t(1));
        const Span& span = trace->spans[0];
        bool found = false;
        for (quint32 a = span.attributes.begin; a < span.attributes.end(); ++a) {
            const Attribute& attribute = trace->attributes[a];
            if (trace->string(attribute.key) != "huge")
                continue;
            found = true;
            const std::string_view value = trace->text(attribute.ref);
            QVERIFY(value.size() <= limits::kMaxTextBytes);
            QVERIFY(value.size() > limits::kMaxTextBytes - 4);
            QVERIFY(QUtf8StringView(value.data(), qsizetype(value.size())).isValidUtf8());
        }
        QVERIFY(found);
        QVERIFY2(warningsOf(*trace, span).join(QLatin1Char('\n')).contains(QStringLiteral("'huge' truncated")),
            qPrintable(warningsOf(*trace, span).join(QLatin1Char('\n'))));
        verifyAlive();
    }

    // The limits live in the readers' common path, so a file gets them too, counted in the import's summary.
    void fileImportTruncatesToo()
    {
        auto request = otlpRequest();
        auto* attribute = onlySpan(request)->add_attributes();
        attribute->set_key("huge");
        attribute->mutable_value()->set_string_value(std::string(1 << 20, 'x'));
        const QString path = m_dir.filePath(QStringLiteral("huge.pb"));
        QVERIFY(testsupport::writeFile(path, serialized(request)));
        size_t kept = 0;
        const auto summary = TraceImporter::importFile(path, [&](std::vector<Trace>& traces) {
            const Trace& trace = traces.at(0);
            kept = trace.text(trace.attributes.at(trace.spans.at(0).attributes.begin).ref).size();
        });
        QVERIFY(summary);
        QCOMPARE(summary->truncations, 1);
        QCOMPARE(kept, limits::kMaxTextBytes);
        QVERIFY(!summary->warningKinds.empty());
        QVERIFY(summary->warningKinds.front().kind.contains(QStringLiteral("truncated")));
    }

    void veryManyAttributes()
    {
        auto request = otlpRequest();
        for (int i = 0; i < 50000; ++i) {
            auto* attribute = onlySpan(request)->add_attributes();
            attribute->set_key("k" + std::to_string(i));
            attribute->mutable_value()->set_int_value(i);
        }
        const Reply reply = postOtlp("application/x-protobuf", serialized(request));
        QCOMPARE(reply.status, 200);
        const auto trace = cachedTrace("5b8efff798038103d269b633813fc60c");
        QVERIFY(trace);
        QCOMPARE(size_t(trace->spans[0].attributes.count), limits::kMaxAttributes);
        QVERIFY(warningsOf(*trace, trace->spans[0]).join(QString()).contains(QStringLiteral("40000 span attributes")));
    }

    // Times at the edges of int64 are stored without overflow (a warning where they make no sense).
    void extremeTimes_data()
    {
        QTest::addColumn<quint64>("start");
        QTest::addColumn<quint64>("end");
        QTest::addColumn<QString>("warning");
        QTest::newRow("end before start") << quint64(2000) << quint64(1000) << QStringLiteral("end time before start");
        QTest::newRow("start at the int64 limit")
            << quint64(std::numeric_limits<qint64>::max()) << quint64(std::numeric_limits<qint64>::max()) << QString();
        QTest::newRow("end past int64") << quint64(1) << ~quint64(0) << QString();
        QTest::newRow("start past int64") << ~quint64(0) << quint64(1) << QStringLiteral("end time before start");
    }

    void extremeTimes()
    {
        QFETCH(quint64, start);
        QFETCH(quint64, end);
        QFETCH(QString, warning);
        auto request = otlpRequest();
        onlySpan(request)->set_start_time_unix_nano(start);
        onlySpan(request)->set_end_time_unix_nano(end);
        QCOMPARE(postOtlp("application/x-protobuf", serialized(request)).status, 200);
        const auto trace = cachedTrace("5b8efff798038103d269b633813fc60c");
        QVERIFY(trace);
        const Span& span = trace->spans[0];
        QVERIFY(span.durationNs >= 0);
        QVERIFY(span.startNs <= std::numeric_limits<qint64>::max() - span.durationNs); // end does not overflow
        if (!warning.isEmpty())
            QVERIFY(warningsOf(*trace, span).join(QString()).contains(warning));
        verifyAlive();
    }

    // Ten million spans without ids in one ResourceSpans: rejected as a partial success, and the memory they cost
    // on the way is bounded by the importer's batch (flushed every 100,000 spans, inside a record too), not by
    // their number. Without the flushes inside a record this takes gigabytes.
    void hugeCountsHaveBoundedMemory_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("OTLP JSON") << QByteArray("application/json");
        QTest::newRow("OTLP protobuf") << QByteArray("application/x-protobuf");
    }

    void hugeCountsHaveBoundedMemory()
    {
        QFETCH(QByteArray, contentType);
        // Two million keeps the test quick; without the flushes inside a record they took over 500 MiB.
        constexpr int kSpans = 2000000;
        QByteArray body;
        if (contentType == "application/json") {
            body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + QByteArray("{},").repeated(kSpans - 1)
                + "{}]}]}]}";
        } else {
            auto wrap = [](char tag, const QByteArray& bytes) {
                QByteArray out;
                out.reserve(bytes.size() + 11);
                out.append(tag);
                for (quint64 n = quint64(bytes.size());; n >>= 7) {
                    out.append(char((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
                    if (n < 0x80)
                        break;
                }
                out.append(bytes);
                return out;
            };
            body = wrap('\x0a', wrap('\x12', QByteArray("\x12\x00", 2).repeated(kSpans)));
        }
        if (!resetPeakMemory())
            QSKIP("cannot reset the peak memory figure (/proc/self/clear_refs)");
        const qint64 baseline = peakMemoryKiB();
        QVERIFY(resetPeakMemory());
        const Reply reply = postOtlp(contentType, body);
        const qint64 peak = peakMemoryKiB();
        QCOMPARE(reply.status, 200);
        qint64 rejected = 0;
        if (contentType == "application/json") {
            rejected = QJsonDocument::fromJson(reply.body)
                           .object()
                           .value(QStringLiteral("partialSuccess"))
                           .toObject()
                           .value(QStringLiteral("rejectedSpans"))
                           .toString()
                           .toLongLong();
        } else {
            otlp::collector::trace::v1::ExportTraceServiceResponse response;
            QVERIFY(response.ParseFromArray(reply.body.constData(), static_cast<int>(reply.body.size())));
            rejected = response.partial_success().rejected_spans();
        }
        QCOMPARE(rejected, kSpans);
        QCOMPARE(openCache()->spanCount(), 0);
        const qint64 grew = (peak - baseline) / 1024;
        qInfo() << kSpans << "spans in" << body.size() / (1 << 20) << "MiB: peak memory grew by" << grew << "MiB";
        // The body is held by the client and the server (a copy or two); the spans add a batch's worth.
        if (testsupport::kMemoryFiguresMeaningful)
            QVERIFY2(grew < 4 * body.size() / (1 << 20) + 150, qPrintable(QStringLiteral("%1 MiB").arg(grew)));
        verifyAlive();
    }
};

QTEST_GUILESS_MAIN(TestLiveSecurity)
#include "tst_livesecurity.moc"
