// The OTLP/gRPC receiver over real gRPC on 127.0.0.1 (port picked by the OS), driven by a client stub generated
// from the project's trace_service.proto: what the cache holds the moment a call is answered, gzip, partial
// success, the status codes (and the RetryInfo of a full queue), the token, TLS, a clean stop with a call in
// flight, and `tracemap serve --otlp-grpc` as a program.

#include "receiversupport.h"
#include "testsupport.h"

#include "cache/tracecache.h"
#include "live/liveservice.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <future>

using namespace tracemap;
namespace otlp = opentelemetry::proto;
using otlp::collector::trace::v1::ExportTraceServiceRequest;
using otlp::collector::trace::v1::ExportTraceServiceResponse;
using otlp::collector::trace::v1::TraceService;

namespace {

const std::string kTraceId("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16);
const std::string kRootId("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8);
const std::string kChildId("\x53\x99\x5c\x3f\x42\xcd\x8a\xd8", 8);
constexpr quint64 kStart = 1700000000000000000ull;

void addAttribute(google::protobuf::RepeatedPtrField<otlp::common::v1::KeyValue>* attributes, const std::string& key,
    const std::function<void(otlp::common::v1::AnyValue*)>& set)
{
    auto* attribute = attributes->Add();
    attribute->set_key(key);
    set(attribute->mutable_value());
}

// A root span of "checkout" and its child, with attributes of four types.
ExportTraceServiceRequest twoSpans(const std::string& traceId = kTraceId)
{
    ExportTraceServiceRequest request;
    auto* resourceSpans = request.add_resource_spans();
    addAttribute(resourceSpans->mutable_resource()->mutable_attributes(), "service.name",
        [](auto* v) { v->set_string_value("checkout"); });
    auto* spans = resourceSpans->add_scope_spans()->mutable_spans();
    auto* root = spans->Add();
    root->set_trace_id(traceId);
    root->set_span_id(kRootId);
    root->set_name("POST /checkout");
    root->set_kind(otlp::trace::v1::Span::SPAN_KIND_SERVER);
    root->set_start_time_unix_nano(kStart);
    root->set_end_time_unix_nano(kStart + 250000000);
    addAttribute(root->mutable_attributes(), "http.route", [](auto* v) { v->set_string_value("/checkout"); });
    addAttribute(root->mutable_attributes(), "http.status_code", [](auto* v) { v->set_int_value(201); });
    auto* child = spans->Add();
    child->set_trace_id(traceId);
    child->set_span_id(kChildId);
    child->set_parent_span_id(kRootId);
    child->set_name("charge");
    child->set_start_time_unix_nano(kStart + 10000000);
    child->set_end_time_unix_nano(kStart + 200000000);
    addAttribute(child->mutable_attributes(), "retry", [](auto* v) { v->set_bool_value(true); });
    addAttribute(child->mutable_attributes(), "amount", [](auto* v) { v->set_double_value(12.5); });
    return request;
}

const Attribute* attribute(const Trace& trace, const Span& span, std::string_view key)
{
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        if (trace.string(trace.attributes[i].key) == key)
            return &trace.attributes[i];
    }
    return nullptr;
}

// The google.rpc.Status a failed call carries in grpc-status-details-bin.
google::rpc::Status details(const grpc::Status& status)
{
    google::rpc::Status parsed;
    parsed.ParseFromString(status.error_details());
    return parsed;
}

std::unique_ptr<grpc::ClientContext> context(const QByteArray& token = {})
{
    auto result = std::make_unique<grpc::ClientContext>();
    result->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token.isNull())
        result->AddMetadata("authorization", token.toStdString());
    return result;
}

} // namespace

class TestGrpcReceiver : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_cachePath;
    std::unique_ptr<LiveService> m_service;

    LiveService::Options options() { return receiversupport::loopbackOptions(m_cachePath, receiversupport::Grpc); }

    bool start(const LiveService::Options& o) { return (m_service = receiversupport::startService(o)) != nullptr; }

    quint16 port() const { return m_service->listening().at(0).port; }
    std::string target() const { return QStringLiteral("127.0.0.1:%1").arg(port()).toStdString(); }

    std::unique_ptr<TraceService::Stub> stub(const grpc::ChannelArguments& arguments = {},
        std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials())
    {
        return TraceService::NewStub(grpc::CreateCustomChannel(target(), credentials, arguments));
    }

    grpc::Status exportSpans(const ExportTraceServiceRequest& request, ExportTraceServiceResponse* response = nullptr,
        const QByteArray& token = {})
    {
        ExportTraceServiceResponse ignored;
        return stub()->Export(context(token).get(), request, response ? response : &ignored);
    }

    std::unique_ptr<TraceCache> openCache()
    {
        auto cache = TraceCache::open(m_cachePath, TraceCache::OpenMode::MustExist);
        return cache ? std::move(*cache) : nullptr;
    }

    // The two spans of twoSpans() are in the cache, as sent.
    void verifyTwoSpansCached()
    {
        auto cache = openCache();
        QVERIFY(cache);
        const auto loaded = cache->loadTrace(*traceIdFromBytes(kTraceId));
        QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error()));
        const Trace& trace = **loaded;
        QCOMPARE(trace.spans.size(), size_t(2));
        const Span& root = trace.spans[0];
        const Span& child = trace.spans[1];
        QCOMPARE(root.id, *spanIdFromBytes(kRootId));
        QCOMPARE(root.parentId, SpanId(0));
        QCOMPARE(child.id, *spanIdFromBytes(kChildId));
        QCOMPARE(child.parentId, root.id);
        QCOMPARE(child.parent, 0u);
        QCOMPARE(root.startNs, qint64(kStart));
        QCOMPARE(root.durationNs, qint64(250000000));
        QCOMPARE(child.startNs, qint64(kStart + 10000000));
        QCOMPARE(child.durationNs, qint64(190000000));
        QCOMPARE(trace.serviceName(root), std::string_view("checkout"));
        QCOMPARE(trace.operationName(child), std::string_view("charge"));
        QCOMPARE(root.kind, SpanKind::Server);
        const Attribute* route = attribute(trace, root, "http.route");
        QVERIFY(route && route->type == ValueType::String);
        QCOMPARE(trace.text(route->ref), std::string_view("/checkout"));
        const Attribute* code = attribute(trace, root, "http.status_code");
        QVERIFY(code && code->type == ValueType::Int);
        QCOMPARE(code->intValue, qint64(201));
        const Attribute* retry = attribute(trace, child, "retry");
        QVERIFY(retry && retry->type == ValueType::Bool && retry->boolValue);
        const Attribute* amount = attribute(trace, child, "amount");
        QVERIFY(amount && amount->type == ValueType::Double);
        QCOMPARE(amount->doubleValue, 12.5);
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

    void listensWhereItSays()
    {
        QCOMPARE(m_service->listening().size(), size_t(1));
        const auto& endpoint = m_service->listening().front();
        QCOMPARE(endpoint.protocol, QStringLiteral("OTLP/gRPC"));
        QVERIFY(endpoint.port > 0); // port 0 picked a free one
        QCOMPARE(endpoint.url, QStringLiteral("http://127.0.0.1:%1").arg(endpoint.port));
    }

    void exportIsCommittedWhenAnswered()
    {
        ExportTraceServiceResponse response;
        const grpc::Status status = exportSpans(twoSpans(), &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QVERIFY(!response.has_partial_success()); // full success leaves it unset
        verifyTwoSpansCached(); // right after the answer: acknowledged means committed
        QCOMPARE(m_service->counters().committed, 2);
    }

    void gzipOnTheChannel()
    {
        grpc::ChannelArguments arguments;
        arguments.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
        ExportTraceServiceResponse response;
        const grpc::Status status = stub(arguments)->Export(context().get(), twoSpans(), &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        verifyTwoSpansCached();
    }

    void partialSuccess()
    {
        ExportTraceServiceRequest request = twoSpans();
        auto* spans = request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
        auto* zero = spans->Add();
        *zero = spans->Get(1);
        zero->set_span_id(std::string(8, '\0'));
        ExportTraceServiceResponse response;
        const grpc::Status status = exportSpans(request, &response);
        QVERIFY2(status.ok(), status.error_message().c_str()); // partial success is OK, never retried
        QVERIFY(response.has_partial_success());
        QCOMPARE(response.partial_success().rejected_spans(), 1);
        QVERIFY(!response.partial_success().error_message().empty());
        verifyTwoSpansCached();
        QCOMPARE(m_service->counters().rejected, 1);
        QCOMPARE(m_service->counters().received, 2);
    }

    void emptyRequestSucceeds()
    {
        ExportTraceServiceResponse response;
        QVERIFY(exportSpans(ExportTraceServiceRequest(), &response).ok());
        QVERIFY(!response.has_partial_success());
        QCOMPARE(openCache()->spanCount(), 0);
    }

    void malformedIsInvalidArgument()
    {
        QVERIFY(exportSpans(twoSpans()).ok());
        // Bytes that are no ExportTraceServiceRequest, sent through a generic stub as the same method.
        grpc::GenericStub generic(grpc::CreateChannel(target(), grpc::InsecureChannelCredentials()));
        const char garbage[] = "\x0a\xff\xff\xff\x0f garbage";
        grpc::Slice slice(garbage, sizeof garbage - 1);
        const grpc::ByteBuffer request(&slice, 1);
        grpc::ByteBuffer reply;
        std::promise<grpc::Status> done;
        auto call = context();
        generic.UnaryCall(call.get(), "/opentelemetry.proto.collector.trace.v1.TraceService/Export", {}, &request,
            &reply, [&done](grpc::Status status) { done.set_value(status); });
        const grpc::Status status = done.get_future().get();
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY(!status.error_message().empty());
        QCOMPARE(details(status).code(), int(grpc::StatusCode::INVALID_ARGUMENT));
        auto cache = openCache();
        QCOMPARE(cache->spanCount(), 2); // the earlier spans, nothing of the malformed call
        QCOMPARE(cache->traceCount(), 1);
    }

    void oversizeIsResourceExhausted()
    {
        auto o = options();
        o.maxBodyBytes = 1000;
        QVERIFY(start(o));
        ExportTraceServiceRequest request = twoSpans();
        addAttribute(request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->mutable_attributes(),
            "big", [](auto* v) { v->set_string_value(std::string(2000, 'x')); });
        grpc::Status status = exportSpans(request);
        QCOMPARE(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        // The limit holds once inflated: the same message gzipped is far under 1000 bytes on the wire.
        grpc::ChannelArguments arguments;
        arguments.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
        ExportTraceServiceResponse response;
        status = stub(arguments)->Export(context().get(), request, &response);
        QCOMPARE(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        QCOMPARE(openCache()->spanCount(), 0);
        QVERIFY(exportSpans(twoSpans()).ok()); // under the limit
    }

    void largeMessageOverGrpcsDefaultLimit()
    {
        // gRPC's own default would refuse over 4 MiB; the receiver takes up to maxBodyBytes (64 MiB).
        ExportTraceServiceRequest request = twoSpans();
        addAttribute(request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->mutable_attributes(),
            "big", [](auto* v) { v->set_string_value(std::string(5 << 20, 'x')); });
        grpc::ChannelArguments arguments;
        arguments.SetMaxSendMessageSize(-1);
        ExportTraceServiceResponse response;
        const grpc::Status status = stub(arguments)->Export(context().get(), request, &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(openCache()->spanCount(), 2);
    }

    void fullQueueIsUnavailableWithRetryInfo()
    {
        auto o = options();
        o.writer.maxQueueBytes = 1; // no request fits
        QVERIFY(start(o));
        const grpc::Status status = exportSpans(twoSpans());
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAVAILABLE);
        const google::rpc::Status rpc = details(status);
        QCOMPARE(rpc.code(), int(grpc::StatusCode::UNAVAILABLE));
        QCOMPARE(rpc.details_size(), 1);
        QCOMPARE(rpc.details(0).type_url(), std::string("type.googleapis.com/google.rpc.RetryInfo"));
        google::rpc::RetryInfo retry;
        QVERIFY(rpc.details(0).UnpackTo(&retry));
        QVERIFY(retry.retry_delay().seconds() > 0);
        QCOMPARE(m_service->counters().refused, 2);
        QCOMPARE(m_service->counters().received, 0);
        QCOMPARE(openCache()->spanCount(), 0);
    }

    void token()
    {
        auto o = options();
        o.token = "s3cret";
        QVERIFY(start(o));
        grpc::Status status = exportSpans(twoSpans());
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        status = exportSpans(twoSpans(), nullptr, "Bearer wrong!");
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        status = exportSpans(twoSpans(), nullptr, "s3cret"); // the token without "Bearer "
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        QCOMPARE(openCache()->spanCount(), 0);
        status = exportSpans(twoSpans(), nullptr, "Bearer s3cret");
        QVERIFY2(status.ok(), status.error_message().c_str());
        verifyTwoSpansCached();
    }

    void nonLoopbackNeedsAToken()
    {
        auto o = options();
        o.otlpGrpc = LiveService::Endpoint { QHostAddress(QStringLiteral("0.0.0.0")), 0 };
        LiveService service;
        const auto started = service.start(o);
        QVERIFY(!started);
        QVERIFY(started.error().contains(QStringLiteral("token")));
        QVERIFY(service.listening().empty());
    }

    void portInUseIsAnError()
    {
        auto o = options();
        o.cachePath = m_dir.filePath(QStringLiteral("second.db"));
        o.otlpGrpc->port = port();
        LiveService second;
        const auto started = second.start(o);
        QVERIFY(!started); // not shared through SO_REUSEPORT
        QVERIFY(started.error().contains(QStringLiteral("OTLP/gRPC")));
    }

    void tls()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("the openssl program is needed to make a self-signed certificate");
        const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
        const QString key = m_dir.filePath(QStringLiteral("key.pem"));
        QProcess make;
        make.start(openssl,
            { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost") });
        QVERIFY(make.waitForFinished(60000));
        QVERIFY2(make.exitCode() == 0, make.readAllStandardError().constData());

        auto o = options();
        o.tlsCertPath = cert;
        o.tlsKeyPath = key;
        QVERIFY(start(o));
        QVERIFY(m_service->listening().front().url.startsWith(QStringLiteral("https://127.0.0.1:")));
        grpc::SslCredentialsOptions trust;
        trust.pem_root_certs = testsupport::readAll(cert).toStdString();
        ExportTraceServiceResponse response;
        grpc::Status status = stub({}, grpc::SslCredentials(trust))->Export(context().get(), twoSpans(), &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        verifyTwoSpansCached();
        // The port speaks TLS only: a plaintext client gets no answer.
        status = stub()->Export(context().get(), twoSpans(), &response);
        QCOMPARE(status.error_code(), grpc::StatusCode::UNAVAILABLE);

        o.tlsKeyPath.clear(); // a certificate without its key
        LiveService half;
        QVERIFY(!half.start(o));
    }

    void stopAnswersTheCallsInFlight()
    {
        // A long batch interval and linger: the call is still waiting for its commit when stop() begins.
        auto o = options();
        o.writer.batchInterval = std::chrono::seconds(2);
        o.writer.batchLinger = std::chrono::seconds(2);
        QVERIFY(start(o));
        auto client = stub();
        auto call = context();
        const ExportTraceServiceRequest request = twoSpans();
        ExportTraceServiceResponse response;
        std::promise<grpc::Status> done;
        client->async()->Export(
            call.get(), &request, &response, [&done](grpc::Status status) { done.set_value(status); });
        QTRY_COMPARE(m_service->counters().received, 2); // queued, not committed yet
        QCOMPARE(m_service->counters().committed, 0);
        m_service->stop();
        const grpc::Status status = done.get_future().get();
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(m_service->counters().committed, 2);
        verifyTwoSpansCached();
    }

    void serveCommand()
    {
        m_service.reset();
        const QString cachePath = m_dir.filePath(QStringLiteral("serve.db"));
        QProcess serve;
        serve.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--cache"), cachePath, QStringLiteral("--otlp-grpc"),
                QStringLiteral("127.0.0.1:0"), QStringLiteral("--otlp-http"), QStringLiteral("none"),
                QStringLiteral("--zipkin"), QStringLiteral("none") });
        QVERIFY(serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(serve.canReadLine(), 20000);
        const QString ready = QString::fromUtf8(serve.readLine());
        const auto match
            = QRegularExpression(QStringLiteral(R"(OTLP/gRPC ready on http://127\.0\.0\.1:(\d+)\n)")).match(ready);
        QVERIFY2(match.hasMatch(), qPrintable(ready));
        auto client = TraceService::NewStub(grpc::CreateChannel(
            QStringLiteral("127.0.0.1:%1").arg(match.captured(1)).toStdString(), grpc::InsecureChannelCredentials()));
        ExportTraceServiceResponse response;
        const grpc::Status status = client->Export(context().get(), twoSpans(), &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(20000));
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
        m_cachePath = cachePath;
        verifyTwoSpansCached();
    }
};

QTEST_GUILESS_MAIN(TestGrpcReceiver)
#include "tst_grpcreceiver.moc"
