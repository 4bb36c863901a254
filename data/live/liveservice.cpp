#include "live/liveservice.h"

#include "cache/tracecache.h"
#include "live/otlpgrpcreceiver.h"
#include "live/otlphttpreceiver.h"
#include "live/zipkinreceiver.h"

namespace tracemap {

LiveService::LiveService() = default;

LiveService::~LiveService()
{
    stop();
}

std::expected<void, QString> LiveService::start(const Options& options)
{
    stop();
    for (const auto& endpoint : { options.otlpHttp, options.zipkin, options.otlpGrpc }) {
        if (endpoint && !endpoint->address.isLoopback() && options.token.isEmpty())
            return std::unexpected(
                QStringLiteral("listening on %1, which is not a loopback address, needs an access token")
                    .arg(endpoint->address.toString()));
    }
    auto cache = TraceCache::open(options.cachePath);
    if (!cache)
        return std::unexpected(cache.error());
    m_writer = std::make_unique<IngestWriter>(std::move(*cache), options.writer);
    m_otlp = std::make_unique<OtlpHttpReceiver>(*m_writer, options.maxBodyBytes);
    m_zipkin = std::make_unique<ZipkinReceiver>(*m_writer, options.maxBodyBytes);
    auto host = [](const QHostAddress& address) {
        return address.protocol() == QAbstractSocket::IPv6Protocol
            ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
            : address.toString();
    };
    auto listen = [&](const Endpoint& endpoint, HttpHandler& handler, const QString& protocol,
                      const QString& path) -> std::expected<void, QString> {
        HttpServer::Options serverOptions;
        serverOptions.address = endpoint.address;
        serverOptions.port = endpoint.port;
        serverOptions.maxBodyBytes = options.maxBodyBytes;
        serverOptions.token = options.token;
        auto server = std::make_unique<HttpServer>(handler, serverOptions);
        if (auto started = server->start(); !started)
            return std::unexpected(QStringLiteral("%1: %2").arg(protocol, started.error()));
        m_listening.push_back(
            { protocol, QStringLiteral("http://%1:%2%3").arg(host(endpoint.address)).arg(server->port()).arg(path),
                server->port() });
        m_servers.push_back(std::move(server));
        return {};
    };
    std::expected<void, QString> started;
    if (options.otlpHttp)
        started = listen(*options.otlpHttp, *m_otlp, QStringLiteral("OTLP/HTTP"), QStringLiteral("/v1/traces"));
    if (started && options.zipkin)
        started = listen(*options.zipkin, *m_zipkin, QStringLiteral("Zipkin"), QStringLiteral("/api/v2/spans"));
    if (started && options.otlpGrpc) {
        OtlpGrpcReceiver::Options grpcOptions;
        grpcOptions.address = options.otlpGrpc->address;
        grpcOptions.port = options.otlpGrpc->port;
        grpcOptions.maxMessageBytes = options.maxBodyBytes;
        grpcOptions.token = options.token;
        grpcOptions.tlsCertPath = options.tlsCertPath;
        grpcOptions.tlsKeyPath = options.tlsKeyPath;
        m_grpc = std::make_unique<OtlpGrpcReceiver>(*m_writer, grpcOptions);
        if (auto listening = m_grpc->start(); !listening)
            started = std::unexpected(QStringLiteral("OTLP/gRPC: %1").arg(listening.error()));
        if (started)
            m_listening.push_back({ QStringLiteral("OTLP/gRPC"),
                QStringLiteral("%1://%2:%3")
                    .arg(m_grpc->usesTls() ? QStringLiteral("https") : QStringLiteral("http"),
                        host(options.otlpGrpc->address))
                    .arg(m_grpc->port()),
                m_grpc->port() });
    }
    if (!started)
        stop();
    return started;
}

void LiveService::stop()
{
    // Servers first: a request in progress waits for its commit, which the writer still makes; then the writer
    // commits what is left and ends.
    for (auto& server : m_servers)
        server->stop();
    if (m_grpc)
        m_grpc->stop();
    m_servers.clear();
    m_listening.clear();
    if (m_writer) {
        m_writer->stop();
        m_finalCounters = m_writer->counters();
    }
    m_otlp.reset();
    m_zipkin.reset();
    m_grpc.reset();
    m_writer.reset();
}

IngestCounters LiveService::counters() const
{
    return m_writer ? m_writer->counters() : m_finalCounters;
}

} // namespace tracemap
