#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <expected>
#include <memory>

namespace grpc {
class Server;
}

namespace tracemap {

class CommitWaiter;
class IngestWriter;
class OtlpGrpcService;

/// OTLP/gRPC traces (PROTOCOLS.md §2): the unary /opentelemetry.proto.collector.trace.v1.TraceService/Export on
/// Debian's gRPC C++, with the stubs generated from the project's trace_service.proto.
///
/// The request's bytes are read with the same decoder as OTLP/HTTP's protobuf bodies (gRPC has already inflated a
/// gzip message). OK, with partial_success when spans were rejected, only once the spans are committed;
/// UNAVAILABLE with a google.rpc.RetryInfo detail when the queue is full (the sender retries), INVALID_ARGUMENT
/// for a malformed message, RESOURCE_EXHAUSTED over the size limit (gRPC's own check, set to maxMessageBytes, and
/// the decoder's), UNAUTHENTICATED without the bearer token, INTERNAL when the cache could not be written.
///
/// Runs on gRPC's callback API: a call waiting for its commit holds no thread; one CommitWaiter thread answers
/// them all as their batches commit. The message is decoded on gRPC's callback thread (CPU work bounded by the
/// size limit, as an HTTP connection thread decodes its body); only the wait is moved off it.
class OtlpGrpcReceiver {
public:
    struct Options {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 0; // 0: the OS picks one; port() tells which
        size_t maxMessageBytes = size_t(64) << 20; // PROTOCOLS.md §2; gRPC's own default would be 4 MiB
        /// When set, calls must carry the metadata "authorization: Bearer <token>", else UNAUTHENTICATED.
        QByteArray token;
        /// PEM files; when both are set the port speaks TLS only.
        QString tlsCertPath;
        QString tlsKeyPath;
    };

    OtlpGrpcReceiver(IngestWriter& writer, const Options& options);
    OtlpGrpcReceiver(const OtlpGrpcReceiver&) = delete;
    OtlpGrpcReceiver& operator=(const OtlpGrpcReceiver&) = delete;
    /// Stops (see stop()).
    ~OtlpGrpcReceiver();

    /// Binds and starts serving; the error says which address could not be used and why.
    std::expected<void, QString> start();
    /// Stops accepting calls, and returns once every call in progress is answered (after its commit).
    void stop();
    quint16 port() const { return m_port; }
    bool usesTls() const { return !m_options.tlsCertPath.isEmpty(); }

private:
    IngestWriter& m_writer;
    const Options m_options;
    std::unique_ptr<CommitWaiter> m_waiter;
    std::unique_ptr<OtlpGrpcService> m_service;
    std::unique_ptr<grpc::Server> m_server;
    quint16 m_port = 0;
};

} // namespace tracemap
