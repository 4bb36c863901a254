#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <condition_variable>
#include <expected>
#include <mutex>
#include <string>
#include <vector>

struct MHD_Daemon;
struct MHD_Connection;

namespace tracemap {

struct HttpRequest {
    std::string method;
    std::string path;
    std::string contentType;
    std::string contentEncoding;
    std::string body;
};

struct HttpResponse {
    int status = 200;
    std::string contentType;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// What a server serves: called from the server's connection threads, several at once.
class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    /// A whole request, body read (and under the limit). May block (a receiver waits for its spans' commit).
    virtual HttpResponse handle(const HttpRequest& request) = 0;
    /// The answer to a request the server refuses before handling it (401, 413), in the handler's error form.
    virtual HttpResponse refuse(int status, const QString& message, const HttpRequest& request) = 0;
};

/// An HTTP/1.1 server on GNU libmicrohttpd, one thread per connection (bounded by maxConnections).
///
/// Chosen over Qt 6.4's QHttpServer, which cannot limit a body before reading it all: here a Content-Length over
/// maxBodyBytes is answered 413 before a byte of the body is read, and a chunked body is cut off as soon as it
/// passes the limit. Connections stay alive between requests, idle ones close after idleTimeoutSeconds.
class HttpServer {
public:
    struct Options {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 0; // 0: the OS picks one; port() tells which
        size_t maxBodyBytes = size_t(64) << 20; // PROTOCOLS.md §1: 64 MiB
        unsigned maxConnections = 64;
        unsigned idleTimeoutSeconds = 60;
        /// When set, requests must carry "Authorization: Bearer <token>", else 401.
        QByteArray token;
        /// PEM certificate (chain) and private key: when both are set the server speaks HTTPS only.
        QByteArray tlsCertPem;
        QByteArray tlsKeyPem;
    };

    HttpServer(HttpHandler& handler, const Options& options);
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    ~HttpServer();

    /// Binds and starts serving; the error says which address could not be used and why.
    std::expected<void, QString> start();
    /// Stops accepting connections, answers the requests already begun (new ones on open connections get 503 with
    /// Retry-After and the connection closes), then closes the connections. A request still uploading after
    /// `kStopGraceSeconds` is cut off.
    void stop();
    quint16 port() const { return m_port; }
    const Options& options() const { return m_options; }
    bool isTls() const { return !m_options.tlsCertPem.isEmpty(); }
    /// Whether this build of libmicrohttpd can serve HTTPS (Debian's uses GnuTLS).
    static bool supportsTls();

private:
    struct Exchange; // one request in progress
    friend struct HttpServerCallbacks; // libmicrohttpd's C callbacks
    /// One call of libmicrohttpd's access handler; false drops the connection.
    bool onRequest(MHD_Connection* connection, const char* url, const char* method, const char* uploadData,
        size_t* uploadSize, void** state);
    QString tooLargeMessage() const;
    void logLibraryMessage(const QString& message);
    void exchangeEnded(); // a request was answered (or its connection closed)

    mutable std::mutex m_logMutex;
    QString m_lastLibraryMessage; // libmicrohttpd's last error text, for start()'s message

    HttpHandler& m_handler;
    const Options m_options;
    MHD_Daemon* m_daemon = nullptr;
    quint16 m_port = 0;

    // Requests begun and not yet answered, so that stop() can wait for them.
    std::mutex m_exchangesMutex;
    std::condition_variable m_exchangesDone;
    int m_exchanges = 0;
    bool m_stopping = false;
};

inline constexpr int kStopGraceSeconds = 30;
/// The seconds a refused sender should wait before retrying (Retry-After, and gRPC's RetryInfo).
inline constexpr int kRetryAfterSeconds = 1;

} // namespace tracemap
