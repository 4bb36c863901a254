#include "live/otlpgrpcreceiver.h"

#include "live/accesstoken.h"
#include "live/commitwaiter.h"
#include "live/otlpanswers.h"
#include "live/receiver.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include <QFile>

#include <climits>

namespace tracemap {

namespace {

using TraceService = opentelemetry::proto::collector::trace::v1::TraceService;

// A gRPC status whose details (grpc-status-details-bin) hold the same google.rpc.Status, as OTLP clients read it.
grpc::Status failure(int code, const QString& message, std::optional<std::chrono::seconds> retryDelay = {})
{
    return grpc::Status(
        static_cast<grpc::StatusCode>(code), message.toStdString(), rpcStatus(code, message, retryDelay));
}

grpc::Status answer(const IngestOutcome& outcome)
{
    switch (outcome.kind) {
    case IngestOutcome::Kind::Refused:
        return failure(grpc::StatusCode::UNAVAILABLE, QStringLiteral("the receiver is busy; retry later"),
            std::chrono::seconds(kRetryAfterSeconds));
    case IngestOutcome::Kind::Failed:
        return failure(
            grpc::StatusCode::INTERNAL, QStringLiteral("the spans could not be stored: %1").arg(outcome.error));
    case IngestOutcome::Kind::Committed:
        break;
    }
    return grpc::Status::OK;
}

std::string bytesOf(const grpc::ByteBuffer& buffer)
{
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (!buffer.Dump(&slices).ok())
        return bytes;
    bytes.reserve(buffer.Length());
    for (const grpc::Slice& slice : slices)
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    return bytes;
}

std::expected<std::string, QString> readPem(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::unexpected(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return file.readAll().toStdString();
}

} // namespace

// Export with the raw request bytes (a generic ByteBuffer), so that they go through decodeSpans exactly as an
// OTLP/HTTP protobuf body does rather than being parsed twice.
class OtlpGrpcService : public TraceService::WithRawCallbackMethod_Export<TraceService::Service> {
public:
    OtlpGrpcService(IngestWriter& writer, CommitWaiter& waiter, const OtlpGrpcReceiver::Options& options)
        : m_writer(writer)
        , m_waiter(waiter)
        , m_options(options)
    {
    }

    grpc::ServerUnaryReactor* Export(
        grpc::CallbackServerContext* context, const grpc::ByteBuffer* request, grpc::ByteBuffer* response) override
    {
        grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
        if (!authorized(*context)) {
            reactor->Finish(
                failure(grpc::StatusCode::UNAUTHENTICATED, QStringLiteral("missing or wrong bearer token")));
            return reactor;
        }
        auto decoded = decodeSpans(bytesOf(*request), false, { TraceFormat::OtlpProto }, m_options.maxMessageBytes);
        if (!decoded) {
            reactor->Finish(failure(rpcCode(decoded.error().status), decoded.error().message));
            return reactor;
        }
        auto finish = [reactor, response, body = exportTraceResponse(*decoded)](const IngestOutcome& outcome) {
            const grpc::Status status = answer(outcome);
            if (status.ok()) {
                grpc::Slice slice(body);
                *response = grpc::ByteBuffer(&slice, 1);
            }
            reactor->Finish(status);
        };
        PendingIngest pending = PendingIngest::submit(m_writer, *decoded);
        if (pending.waits())
            m_waiter.add(std::move(pending), std::move(finish));
        else
            finish(pending.wait());
        return reactor;
    }

private:
    bool authorized(const grpc::CallbackServerContext& context) const
    {
        // gRPC metadata keys are lowercase.
        const auto& metadata = context.client_metadata();
        const auto found = metadata.find("authorization");
        const std::string_view value = found == metadata.end()
            ? std::string_view()
            : std::string_view(found->second.data(), found->second.size());
        return bearerAuthorizes(value, m_options.token);
    }

    IngestWriter& m_writer;
    CommitWaiter& m_waiter;
    const OtlpGrpcReceiver::Options& m_options;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(IngestWriter& writer, const Options& options)
    : m_writer(writer)
    , m_options(options)
{
}

OtlpGrpcReceiver::~OtlpGrpcReceiver()
{
    stop();
}

std::expected<void, QString> OtlpGrpcReceiver::start()
{
    const QString host = m_options.address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + m_options.address.toString() + QLatin1Char(']')
        : m_options.address.toString();
    const QString where = QStringLiteral("%1:%2").arg(host).arg(m_options.port);
    if (m_options.address.protocol() != QAbstractSocket::IPv4Protocol
        && m_options.address.protocol() != QAbstractSocket::IPv6Protocol)
        return std::unexpected(QStringLiteral("cannot listen on %1: not an IP address").arg(where));
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
    if (m_options.tlsCertPath.isEmpty() != m_options.tlsKeyPath.isEmpty())
        return std::unexpected(QStringLiteral("TLS needs both a certificate and a key file"));
    if (!m_options.tlsCertPath.isEmpty()) {
        const auto certificate = readPem(m_options.tlsCertPath);
        const auto key = readPem(m_options.tlsKeyPath);
        if (!certificate || !key)
            return std::unexpected(certificate ? key.error() : certificate.error());
        grpc::SslServerCredentialsOptions tls;
        tls.pem_key_cert_pairs.push_back({ *key, *certificate });
        credentials = grpc::SslServerCredentials(tls);
    }

    m_waiter = std::make_unique<CommitWaiter>();
    m_service = std::make_unique<OtlpGrpcService>(m_writer, *m_waiter, m_options);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(where.toStdString(), credentials, &port);
    builder.RegisterService(m_service.get());
    // gRPC refuses a larger message itself with RESOURCE_EXHAUSTED, before it is read whole.
    builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<size_t>(m_options.maxMessageBytes, INT_MAX)));
    // gRPC sets SO_REUSEPORT by default, which would let a second server share a port already in use instead of
    // failing to start.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // Memory for the calls being read counts against this quota: under many large calls at once gRPC stops reading
    // (the senders wait) rather than holding them all, as the HTTP side is bounded by its connection limit.
    grpc::ResourceQuota quota("tracemap-otlp-grpc");
    quota.Resize(std::max<size_t>(4 * m_options.maxMessageBytes, size_t(256) << 20));
    builder.SetResourceQuota(quota);
    m_server = builder.BuildAndStart();
    if (!m_server || port == 0) {
        stop();
        return std::unexpected(
            QStringLiteral("cannot listen on %1 (in use, or not an address of this machine)").arg(where));
    }
    m_port = static_cast<quint16>(port);
    return {};
}

void OtlpGrpcReceiver::stop()
{
    // Shutdown() stops accepting calls and returns once the calls in progress have finished; they finish as their
    // batches commit, which the writer (stopped after the receivers) still does, and the waiter answers them.
    if (m_server) {
        m_server->Shutdown();
        m_server->Wait();
        m_server.reset();
    }
    if (m_waiter)
        m_waiter->stop();
    m_service.reset();
    m_waiter.reset();
    m_port = 0;
}

} // namespace tracemap
