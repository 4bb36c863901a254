#include "live/httpserver.h"

#include "live/accesstoken.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <QLoggingCategory>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace tracemap {

Q_LOGGING_CATEGORY(lcHttp, "tracemap.live.http", QtWarningMsg)

// One request on a connection: its head, the body read so far, and whether it has grown past the limit.
struct HttpServer::Exchange {
    HttpRequest request;
    bool started = false;
    bool tooLarge = false;
    size_t discarded = 0;
};

namespace {

std::string header(MHD_Connection* connection, const char* name)
{
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    return value ? std::string(value) : std::string();
}

bool send(MHD_Connection* connection, const HttpResponse& response)
{
    MHD_Response* reply = MHD_create_response_from_buffer(
        response.body.size(), const_cast<char*>(response.body.data()), MHD_RESPMEM_MUST_COPY);
    if (!reply)
        return false;
    if (!response.contentType.empty())
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, response.contentType.c_str());
    for (const auto& [name, value] : response.headers)
        MHD_add_response_header(reply, name.c_str(), value.c_str());
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(response.status), reply);
    MHD_destroy_response(reply);
    return queued == MHD_YES;
}

} // namespace

struct HttpServerCallbacks {
    static MHD_Result access(void* self, MHD_Connection* connection, const char* url, const char* method,
        const char* /*version*/, const char* uploadData, size_t* uploadSize, void** state)
    {
        return static_cast<HttpServer*>(self)->onRequest(connection, url, method, uploadData, uploadSize, state)
            ? MHD_YES
            : MHD_NO;
    }
    // libmicrohttpd's error messages (a TLS key that does not match its certificate, a failed handshake): kept for
    // start()'s error and logged at debug level (off unless QT_LOGGING_RULES asks), since any client can cause them.
    static void log(void* self, const char* format, va_list arguments)
    {
        char text[512];
        std::vsnprintf(text, sizeof text, format, arguments);
        static_cast<HttpServer*>(self)->logLibraryMessage(QString::fromLocal8Bit(text).trimmed());
    }
    static void completed(
        void* self, MHD_Connection* /*connection*/, void** state, MHD_RequestTerminationCode /*reason*/)
    {
        if (!*state)
            return;
        delete static_cast<HttpServer::Exchange*>(*state);
        *state = nullptr;
        static_cast<HttpServer*>(self)->exchangeEnded();
    }
};

HttpServer::HttpServer(HttpHandler& handler, const Options& options)
    : m_handler(handler)
    , m_options(options)
{
}

HttpServer::~HttpServer()
{
    stop();
}

std::expected<void, QString> HttpServer::start()
{
    const QString where = QStringLiteral("%1:%2").arg(m_options.address.toString()).arg(m_options.port);
    sockaddr_in v4 {};
    sockaddr_in6 v6 {};
    const sockaddr* address = nullptr;
    // MHD_USE_ITC lets stop() close the listening socket first (MHD_quiesce_daemon) and answer what is in progress.
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC;
    if (m_options.address.protocol() == QAbstractSocket::IPv4Protocol) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(m_options.port);
        v4.sin_addr.s_addr = htonl(m_options.address.toIPv4Address());
        address = reinterpret_cast<const sockaddr*>(&v4);
    } else if (m_options.address.protocol() == QAbstractSocket::IPv6Protocol) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(m_options.port);
        const Q_IPV6ADDR bytes = m_options.address.toIPv6Address();
        std::memcpy(&v6.sin6_addr, bytes.c, sizeof bytes.c);
        address = reinterpret_cast<const sockaddr*>(&v6);
        flags |= MHD_USE_IPv6;
    } else {
        return std::unexpected(QStringLiteral("cannot listen on %1: not an IP address").arg(where));
    }
    // The TLS options go last and are replaced by MHD_OPTION_END when there is no TLS.
    const bool tls = isTls() || !m_options.tlsKeyPem.isEmpty();
    if (tls) {
        if (m_options.tlsCertPem.isEmpty() || m_options.tlsKeyPem.isEmpty())
            return std::unexpected(
                QStringLiteral("cannot listen on %1: TLS needs both a certificate and a key").arg(where));
        if (!supportsTls())
            return std::unexpected(QStringLiteral("cannot listen on %1 with TLS: this libmicrohttpd was built without "
                                                  "TLS support (GnuTLS)")
                                       .arg(where));
        flags |= MHD_USE_TLS;
    }
    flags |= MHD_USE_ERROR_LOG;
    {
        const std::lock_guard lock(m_logMutex);
        m_lastLibraryMessage.clear();
    }
    errno = 0;
    m_daemon = MHD_start_daemon(flags, m_options.port, nullptr, nullptr, &HttpServerCallbacks::access, this,
        MHD_OPTION_EXTERNAL_LOGGER, &HttpServerCallbacks::log, this, MHD_OPTION_SOCK_ADDR, address,
        MHD_OPTION_CONNECTION_LIMIT, m_options.maxConnections, MHD_OPTION_CONNECTION_TIMEOUT,
        m_options.idleTimeoutSeconds, MHD_OPTION_NOTIFY_COMPLETED, &HttpServerCallbacks::completed, this,
        tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, m_options.tlsCertPem.constData(), MHD_OPTION_HTTPS_MEM_KEY,
        m_options.tlsKeyPem.constData(), MHD_OPTION_END);
    if (!m_daemon) {
        const int error = errno;
        QString reason;
        {
            const std::lock_guard lock(m_logMutex);
            reason = m_lastLibraryMessage;
        }
        if (reason.isEmpty() || error == EADDRINUSE || error == EACCES || error == EADDRNOTAVAIL)
            reason = QString::fromLocal8Bit(std::strerror(error));
        else if (tls)
            reason = QStringLiteral("the TLS certificate and key were refused (does the key match the certificate?): ")
                + reason;
        return std::unexpected(QStringLiteral("cannot listen on %1: %2").arg(where, reason));
    }
    const MHD_DaemonInfo* info = MHD_get_daemon_info(m_daemon, MHD_DAEMON_INFO_BIND_PORT);
    m_port = info ? info->port : m_options.port;
    return {};
}

bool HttpServer::supportsTls()
{
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

void HttpServer::logLibraryMessage(const QString& message)
{
    qCDebug(lcHttp) << message;
    const std::lock_guard lock(m_logMutex);
    m_lastLibraryMessage = message;
}

void HttpServer::stop()
{
    if (!m_daemon)
        return;
    // MHD_stop_daemon shuts every connection's socket at once, so an answer still being prepared (a request
    // waiting for its batch to commit) would be lost although its spans are committed. First stop accepting,
    // then wait for the requests begun to be answered; the sender retries what was refused meanwhile.
    const MHD_socket listening = MHD_quiesce_daemon(m_daemon);
    if (listening != MHD_INVALID_SOCKET)
        ::close(listening);
    {
        std::unique_lock lock(m_exchangesMutex);
        m_stopping = true;
        m_exchangesDone.wait_for(lock, std::chrono::seconds(kStopGraceSeconds), [this] { return m_exchanges == 0; });
    }
    MHD_stop_daemon(m_daemon);
    m_daemon = nullptr;
}

void HttpServer::exchangeEnded()
{
    const std::lock_guard lock(m_exchangesMutex);
    if (--m_exchanges == 0)
        m_exchangesDone.notify_all();
}

bool HttpServer::onRequest(MHD_Connection* connection, const char* url, const char* method, const char* uploadData,
    size_t* uploadSize, void** state)
{
    auto* exchange = static_cast<Exchange*>(*state);
    if (!exchange) {
        // The first call: headers only. Refuse here what need not be read: an unauthorised request, or a body
        // whose declared length is over the limit (answered before any of it is read).
        bool stopping = false;
        {
            const std::lock_guard lock(m_exchangesMutex);
            stopping = m_stopping;
            ++m_exchanges;
        }
        exchange = new Exchange;
        *state = exchange;
        if (stopping) {
            // A new request on a connection kept alive: not taken any more. Retryable, and the connection closes.
            HttpResponse response
                = m_handler.refuse(503, QStringLiteral("the receiver is stopping"), exchange->request);
            if (std::ranges::none_of(response.headers, [](const auto& h) { return h.first == "Retry-After"; }))
                response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
            response.headers.emplace_back("Connection", "close");
            return send(connection, response);
        }
        exchange->request.method = method;
        exchange->request.path = url;
        exchange->request.contentType = header(connection, MHD_HTTP_HEADER_CONTENT_TYPE);
        exchange->request.contentEncoding = header(connection, MHD_HTTP_HEADER_CONTENT_ENCODING);
        if (!bearerAuthorizes(header(connection, MHD_HTTP_HEADER_AUTHORIZATION), m_options.token))
            return send(
                connection, m_handler.refuse(401, QStringLiteral("missing or wrong bearer token"), exchange->request));
        const std::string length = header(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > m_options.maxBodyBytes)
            return send(connection, m_handler.refuse(413, tooLargeMessage(), exchange->request));
        return true;
    }
    if (*uploadSize > 0) {
        // A chunked body has no declared length: read it, but keep nothing past the limit, and drop the
        // connection if the sender goes on for as long again.
        if (!exchange->tooLarge && exchange->request.body.size() + *uploadSize <= m_options.maxBodyBytes) {
            exchange->request.body.append(uploadData, *uploadSize);
        } else {
            exchange->tooLarge = true;
            exchange->request.body.clear();
            exchange->request.body.shrink_to_fit();
            exchange->discarded += *uploadSize;
            if (exchange->discarded > m_options.maxBodyBytes)
                return false;
        }
        *uploadSize = 0;
        return true;
    }
    if (exchange->tooLarge)
        return send(connection, m_handler.refuse(413, tooLargeMessage(), exchange->request));
    return send(connection, m_handler.handle(exchange->request));
}

QString HttpServer::tooLargeMessage() const
{
    return QStringLiteral("the request body is over the limit of %1 bytes").arg(m_options.maxBodyBytes);
}

} // namespace tracemap
