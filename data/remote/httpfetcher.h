#pragma once

#include "remote/endpoint.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <atomic>
#include <expected>
#include <functional>
#include <memory>

class QIODevice;
class QNetworkAccessManager;

namespace tracemap::remote {

struct HttpReply {
    int status = 0;
    QByteArray contentType;
    QByteArray body; // empty when the body went to a file
    qint64 bytes = 0; // body bytes received (after gzip)
};

/// Why a request failed, in words that name the URL: "401 from https://tempo.example/api/search: check the token".
struct FetchError {
    enum class Kind { Http, Connection, Tls, Timeout, Cancelled, TooLarge, Disk, Setup, BadResponse, Unsupported };
    Kind kind = Kind::Connection;
    int status = 0; // for Http
    QByteArray body; // the start of an HTTP error's body (Jaeger's 404 "No traces found" is told apart by it)
    QString message;
};

/// GET requests to one back end, blocking the calling thread in a local event loop: the clients run off the GUI
/// thread (or in the command line), and a sequence of requests with fallbacks reads best as straight code. Every
/// request carries the endpoint's headers, trusts its CA file, follows redirects, accepts gzip (Qt inflates it),
/// and fails when the server says nothing for the endpoint's timeout. A cancel flag, polled, aborts the request.
class HttpFetcher {
public:
    explicit HttpFetcher(Endpoint endpoint);
    ~HttpFetcher();
    HttpFetcher(const HttpFetcher&) = delete;
    HttpFetcher& operator=(const HttpFetcher&) = delete;

    const Endpoint& endpoint() const { return m_endpoint; }
    /// Set by another thread to abort the request under way (and every later one).
    void setCancelFlag(const std::atomic_bool* cancel) { m_cancel = cancel; }
    bool isCancelled() const { return m_cancel && m_cancel->load(); }
    /// Bytes received so far and the total when the server said it (else -1).
    void setProgress(std::function<void(qint64 done, qint64 total)> progress) { m_progress = std::move(progress); }

    static constexpr qint64 kMaxInMemory = 64LL << 20;
    /// The body in memory, for the small answers (service lists, search summaries); more than maxBytes fails.
    std::expected<HttpReply, FetchError> get(
        const QUrl& url, const QByteArray& accept = "application/json", qint64 maxBytes = kMaxInMemory);
    /// The body written to `file` as it arrives, so that a trace of hundreds of megabytes is never held in memory.
    std::expected<HttpReply, FetchError> download(
        const QUrl& url, QIODevice& file, const QByteArray& accept = "application/json");

    /// The URL as errors name it: no query, no user info.
    static QString shown(const QUrl& url);

private:
    std::expected<HttpReply, FetchError> run(
        const QUrl& url, const QByteArray& accept, QIODevice* file, qint64 maxBytes);

    Endpoint m_endpoint;
    std::unique_ptr<QNetworkAccessManager> m_network; // made by the first request, in the thread that uses it
    const std::atomic_bool* m_cancel = nullptr;
    std::function<void(qint64, qint64)> m_progress;
};

} // namespace tracemap::remote
