#include "live/liveservice.h"

#include "cache/tracecache.h"
#include "live/otlpgrpcreceiver.h"
#include "live/otlphttpreceiver.h"
#include "live/zipkinreceiver.h"

#include <QFile>

namespace tracemap {

namespace {

struct TlsFiles {
    QByteArray certificate;
    QByteArray key;
};

// Reads the PEM files, so that a wrong path or a file of the wrong kind is named before any socket is opened.
// Whether the key belongs to the certificate is for the TLS library to say when the server starts.
std::expected<TlsFiles, QString> readTlsFiles(const QString& certPath, const QString& keyPath)
{
    if (certPath.isEmpty() != keyPath.isEmpty())
        return std::unexpected(QStringLiteral("TLS needs both a certificate and a key file (--tls-cert and --tls-key); "
                                              "only the %1 was given")
                                   .arg(certPath.isEmpty() ? QStringLiteral("key") : QStringLiteral("certificate")));
    TlsFiles files;
    if (certPath.isEmpty())
        return files;
    auto read = [](const QString& path, const char* what, const char* marker) -> std::expected<QByteArray, QString> {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return std::unexpected(QStringLiteral("cannot read the TLS %1 file %2: %3")
                                       .arg(QLatin1String(what), path, file.errorString()));
        QByteArray pem = file.read(1 << 20);
        if (!pem.contains("-----BEGIN ") || !pem.contains(marker))
            return std::unexpected(
                QStringLiteral("the TLS %1 file %2 is not PEM (expected a '-----BEGIN …%3-----' block)")
                    .arg(QLatin1String(what), path, QLatin1String(marker)));
        return pem;
    };
    auto certificate = read(certPath, "certificate", "CERTIFICATE");
    if (!certificate)
        return std::unexpected(certificate.error());
    auto key = read(keyPath, "key", "PRIVATE KEY");
    if (!key)
        return std::unexpected(key.error());
    files.certificate = std::move(*certificate);
    files.key = std::move(*key);
    return files;
}

} // namespace

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
            return std::unexpected(QStringLiteral(
                "listening on %1, which is not a loopback address, needs an access token (serve's --token T; "
                "senders then send 'Authorization: Bearer T')")
                                       .arg(endpoint->address.toString()));
    }
    const auto tls = readTlsFiles(options.tlsCertPath, options.tlsKeyPath);
    if (!tls)
        return std::unexpected(tls.error());
    if (!tls->certificate.isEmpty() && !HttpServer::supportsTls())
        return std::unexpected(QStringLiteral("TLS was asked for, but this build of libmicrohttpd has no TLS support"));
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
        serverOptions.tlsCertPem = tls->certificate;
        serverOptions.tlsKeyPem = tls->key;
        auto server = std::make_unique<HttpServer>(handler, serverOptions);
        if (auto started = server->start(); !started)
            return std::unexpected(QStringLiteral("%1: %2").arg(protocol, started.error()));
        m_listening.push_back({ protocol,
            QStringLiteral("%1://%2:%3%4")
                .arg(server->isTls() ? QStringLiteral("https") : QStringLiteral("http"), host(endpoint.address))
                .arg(server->port())
                .arg(path),
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
