#include "remote/httpfetcher.h"

#include <QEventLoop>
#include <QIODevice>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QThread>
#include <QTimer>

namespace tracemap::remote {

namespace {

constexpr qint64 kErrorBodyBytes = 4096; // enough for any API's error message
constexpr int kCancelPollMs = 50;
constexpr qint64 kReadBuffer = 4 << 20;

std::unexpected<FetchError> failure(FetchError::Kind kind, const QString& message)
{
    FetchError e;
    e.kind = kind;
    e.message = message;
    return std::unexpected(e);
}

QString firstLine(const QByteArray& body)
{
    QString line = QString::fromUtf8(body.left(400)).section(QLatin1Char('\n'), 0, 0).trimmed();
    if (line.size() > 200)
        line = line.left(200) + QStringLiteral("…");
    return line;
}

/// What an HTTP error status means to the user of a query API.
QString statusMessage(int status, const QString& where, const QByteArray& body)
{
    switch (status) {
    case 401:
        return QStringLiteral("401 from %1: check the token").arg(where);
    case 403:
        return QStringLiteral("403 from %1: access denied; check the token and, for a multi-tenant Tempo, the "
                              "X-Scope-OrgID header")
            .arg(where);
    case 404:
        return QStringLiteral("404 from %1: not found").arg(where);
    default: {
        const QString detail = firstLine(body);
        return detail.isEmpty() ? QStringLiteral("%1 from %2").arg(status).arg(where)
                                : QStringLiteral("%1 from %2: %3").arg(status).arg(where, detail);
    }
    }
}

} // namespace

HttpFetcher::HttpFetcher(Endpoint endpoint)
    : m_endpoint(std::move(endpoint))
{
}

HttpFetcher::~HttpFetcher() = default;

QString HttpFetcher::shown(const QUrl& url)
{
    return url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemoveFragment);
}

std::expected<HttpReply, FetchError> HttpFetcher::get(const QUrl& url, const QByteArray& accept, qint64 maxBytes)
{
    return run(url, accept, nullptr, maxBytes);
}

std::expected<HttpReply, FetchError> HttpFetcher::download(const QUrl& url, QIODevice& file, const QByteArray& accept)
{
    return run(url, accept, &file, 0);
}

std::expected<HttpReply, FetchError> HttpFetcher::run(
    const QUrl& url, const QByteArray& accept, QIODevice* file, qint64 maxBytes)
{
    const QString where = shown(url);
    if (m_cancel && m_cancel->load())
        return failure(FetchError::Kind::Cancelled, QStringLiteral("cancelled: %1").arg(where));
    if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
        return failure(FetchError::Kind::Setup, QStringLiteral("%1: not an http or https URL").arg(where));

    QNetworkRequest request(url);
    request.setRawHeader("Accept", accept);
    request.setRawHeader("User-Agent", "Tracemap");
    for (const auto& [name, value] : m_endpoint.headers)
        request.setRawHeader(name, value);
    // Redirects are followed only where the credentials may go: Qt would send the endpoint's headers (a token, a
    // tenant) to any host a proxy names. The same host (an upgrade to https included) is fine, or any host when
    // the endpoint has no headers.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::UserVerifiedRedirectPolicy);
    request.setMaximumRedirectsAllowed(10);
    // Qt refuses bodies that inflate past a ratio it finds suspicious; a JSON trace compresses that well, and the
    // size is bounded here (kMaxInMemory) or by the disk it streams to.
    request.setDecompressedSafetyCheckThreshold(-1);
    if (url.scheme() == QLatin1String("https")) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!m_endpoint.caFile.isEmpty()) {
            const QList<QSslCertificate> certificates = QSslCertificate::fromPath(m_endpoint.caFile, QSsl::Pem);
            if (certificates.isEmpty())
                return failure(FetchError::Kind::Setup,
                    QStringLiteral("the CA file %1 holds no PEM certificate").arg(m_endpoint.caFile));
            ssl.addCaCertificates(certificates);
        }
        request.setSslConfiguration(ssl);
    }

    // A QNetworkAccessManager serves the thread that made it: a client handed from one worker thread to another
    // (a pool recycles its threads) gets a new one.
    if (!m_network || m_network->thread() != QThread::currentThread())
        m_network = std::make_unique<QNetworkAccessManager>();
    std::unique_ptr<QNetworkReply> reply(m_network->get(request));
    // Without a bound, Qt's network thread reads as fast as the socket delivers and queues what this thread has not
    // written yet: a fast server would fill memory with a body meant for the disk.
    reply->setReadBufferSize(kReadBuffer);

    HttpReply result;
    QByteArray errorBody;
    bool timedOut = false;
    bool cancelled = false;
    bool tooLarge = false;
    QString diskError;
    QStringList tlsErrors;

    QEventLoop loop;
    QTimer silence; // restarted by every byte: a slow but steady download is not a timeout
    silence.setSingleShot(true);
    silence.setInterval(m_endpoint.timeoutMs);
    QTimer cancelPoll;
    cancelPoll.setInterval(kCancelPollMs);
    QObject::connect(&silence, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (m_cancel && m_cancel->load()) {
            cancelled = true;
            reply->abort();
        }
    });
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
        silence.start();
        const QByteArray chunk = reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300) {
            errorBody += chunk.left(kErrorBodyBytes - errorBody.size());
            return;
        }
        result.bytes += chunk.size();
        if (file) {
            if (file->write(chunk) != chunk.size()) {
                diskError = file->errorString();
                reply->abort();
            }
        } else if (result.body.size() + chunk.size() > maxBytes) {
            tooLarge = true;
            reply->abort();
        } else {
            result.body += chunk;
        }
    });
    QObject::connect(reply.get(), &QNetworkReply::downloadProgress, &loop, [&](qint64 done, qint64 total) {
        silence.start();
        if (m_progress)
            m_progress(done, total);
    });
    QObject::connect(reply.get(), &QNetworkReply::sslErrors, &loop, [&](const QList<QSslError>& errors) {
        for (const QSslError& e : errors)
            tlsErrors << e.errorString();
    });
    QString refusedRedirect;
    QObject::connect(reply.get(), &QNetworkReply::redirected, &loop, [&](const QUrl& target) {
        // Against the URL asked (whose host the headers are meant for), not the last hop.
        const bool sameOrigin
            = target.host() == url.host() && (target.port() == url.port() || target.scheme() == QLatin1String("https"));
        if (sameOrigin || m_endpoint.headers.empty()) {
            Q_EMIT reply->redirectAllowed();
            return;
        }
        refusedRedirect = shown(target);
        reply->abort();
    });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    silence.start();
    cancelPoll.start();
    if (!reply->isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);

    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    if (cancelled)
        return failure(FetchError::Kind::Cancelled, QStringLiteral("cancelled: %1").arg(where));
    if (timedOut)
        return failure(FetchError::Kind::Timeout,
            QStringLiteral("no answer from %1 for %2 s").arg(where).arg(m_endpoint.timeoutMs / 1000.0));
    if (tooLarge)
        return failure(
            FetchError::Kind::TooLarge, QStringLiteral("%1 answered more than %2 MB").arg(where).arg(maxBytes >> 20));
    if (!refusedRedirect.isEmpty())
        return failure(FetchError::Kind::Connection,
            QStringLiteral("%1 redirects to another host, %2: not followed, as the connection's headers (a token) "
                           "would go there too; give that URL instead")
                .arg(where, refusedRedirect));
    if (!diskError.isEmpty())
        return failure(FetchError::Kind::Disk, QStringLiteral("cannot save %1: %2").arg(where, diskError));
    if (result.status != 0 && (result.status < 200 || result.status >= 300)) {
        FetchError e;
        e.kind = FetchError::Kind::Http;
        e.status = result.status;
        e.body = errorBody;
        e.message = statusMessage(result.status, where, errorBody);
        return std::unexpected(e);
    }
    switch (reply->error()) {
    case QNetworkReply::NoError:
        break;
    case QNetworkReply::ConnectionRefusedError:
        return failure(FetchError::Kind::Connection,
            QStringLiteral("connection refused by %1:%2 (%3)")
                .arg(url.host())
                .arg(url.port(url.scheme() == QLatin1String("https") ? 443 : 80))
                .arg(where));
    case QNetworkReply::HostNotFoundError:
        return failure(FetchError::Kind::Connection, QStringLiteral("host %1 not found (%2)").arg(url.host(), where));
    case QNetworkReply::SslHandshakeFailedError:
        return failure(FetchError::Kind::Tls,
            QStringLiteral("TLS failure with %1: %2; to trust the server's certificate authority, give its CA file "
                           "(--ca-file)")
                .arg(where, tlsErrors.isEmpty() ? reply->errorString() : tlsErrors.join(QStringLiteral("; "))));
    default:
        return failure(FetchError::Kind::Connection, QStringLiteral("%1: %2").arg(where, reply->errorString()));
    }
    if (result.status == 0)
        return failure(FetchError::Kind::Connection, QStringLiteral("%1: no HTTP answer").arg(where));
    // A web UI that answers every unknown path with its page (Jaeger's does, before v2.20) has no such API route:
    // the same as Go's 404, so that the clients' fallbacks apply.
    if (result.contentType.startsWith("text/html") && !accept.contains("html")) {
        FetchError e;
        e.kind = FetchError::Kind::Http;
        e.status = 404;
        e.body = result.body.left(kErrorBodyBytes);
        e.message = QStringLiteral("404 from %1: a web page, not the API (no such route)").arg(where);
        return std::unexpected(e);
    }
    return result;
}

} // namespace tracemap::remote
