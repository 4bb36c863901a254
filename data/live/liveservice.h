#pragma once

#include "live/httpserver.h"
#include "live/ingestwriter.h"

#include <QString>

#include <expected>
#include <memory>
#include <optional>
#include <vector>

namespace tracemap {

class OtlpGrpcReceiver;
class OtlpHttpReceiver;
class ZipkinReceiver;

/// The receivers and the writer together, as `tracemap serve` (and later the window) runs them.
class LiveService {
public:
    struct Endpoint {
        QHostAddress address;
        quint16 port = 0;
    };
    struct Options {
        QString cachePath;
        std::optional<Endpoint> otlpHttp = Endpoint { QHostAddress::LocalHost, 4318 };
        std::optional<Endpoint> otlpGrpc = Endpoint { QHostAddress::LocalHost, 4317 };
        std::optional<Endpoint> zipkin = Endpoint { QHostAddress::LocalHost, 9411 };
        size_t maxBodyBytes = HttpServer::Options().maxBodyBytes; // gRPC's largest message too
        /// Required to listen on anything but loopback; requests then need "Authorization: Bearer <token>".
        QByteArray token;
        /// PEM files of a certificate (chain) and its private key: both set, every endpoint (HTTP and gRPC) speaks
        /// TLS only.
        QString tlsCertPath, tlsKeyPath;
        IngestWriter::Options writer;
    };
    /// A started endpoint, with the port it really listens on.
    struct Listening {
        QString protocol; // "OTLP/HTTP", "Zipkin", "OTLP/gRPC"
        QString
            url; // where to send: http://127.0.0.1:4318/v1/traces (https:// with TLS), http://127.0.0.1:4317 for gRPC
        quint16 port = 0;
    };

    LiveService();
    ~LiveService();

    /// Opens the cache and starts the endpoints; on error nothing is left running.
    std::expected<void, QString> start(const Options& options);
    /// Stops accepting, answers the requests in progress, commits the last batch.
    void stop();

    const std::vector<Listening>& listening() const { return m_listening; }
    /// So far, or of the last run once stopped.
    IngestCounters counters() const;

private:
    std::unique_ptr<IngestWriter> m_writer;
    std::unique_ptr<OtlpHttpReceiver> m_otlp;
    std::unique_ptr<ZipkinReceiver> m_zipkin;
    std::unique_ptr<OtlpGrpcReceiver> m_grpc;
    std::vector<std::unique_ptr<HttpServer>> m_servers;
    std::vector<Listening> m_listening;
    IngestCounters m_finalCounters;
};

} // namespace tracemap
