#pragma once

// A small HTTP/1.1 server for the remote client tests (tst_remoteclients): it stands in for a Jaeger, Tempo or
// Zipkin query service, answering each path with what a test's handler returns, and records every request (path,
// query, headers) so that a test can assert exactly what the client sent. Loopback only, on a port the system
// picks; plain or TLS (QSslServer). Bodies can be gzipped, sent chunked from a generator (a 200 MB response is
// never held in memory), or delayed (a slow server). Needs Qt Network and zlib.

#include "gzipsupport.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <map>
#include <memory>

namespace fakebackend {

struct Request {
    QByteArray method;
    QByteArray path; // percent-encoded, as sent
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case

    QString item(const QString& key) const { return query.queryItemValue(key, QUrl::FullyDecoded); }
};

struct Response {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    bool gzip = false; // Content-Encoding: gzip, compressed here
    /// Sent chunked: called for the next piece until it returns an empty one.
    std::function<QByteArray()> chunks;
    int delayMs = 0; // before the status line: a slow server
    QByteArray location; // for a redirect
};

using Handler = std::function<Response(const Request&)>;

inline Response json(const QByteArray& body, int status = 200)
{
    Response r;
    r.status = status;
    r.body = body;
    return r;
}

/// Go's net/http answer for a path it has no route for (what Jaeger sends for a removed endpoint).
inline Response noRoute()
{
    Response r;
    r.status = 404;
    r.contentType = "text/plain; charset=utf-8";
    r.body = "404 page not found\n";
    return r;
}

class Server : public QObject {
public:
    /// With a certificate and key (PEM), serves HTTPS.
    explicit Server(const QByteArray& certificatePem = {}, const QByteArray& keyPem = {})
    {
        if (!certificatePem.isEmpty()) {
            auto ssl = std::make_unique<QSslServer>();
            QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
            configuration.setLocalCertificate(QSslCertificate(certificatePem, QSsl::Pem));
            configuration.setPrivateKey(QSslKey(keyPem, QSsl::Rsa, QSsl::Pem));
            ssl->setSslConfiguration(configuration);
            m_server = std::move(ssl);
            m_scheme = QStringLiteral("https");
        } else {
            m_server = std::make_unique<QTcpServer>();
        }
        QObject::connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket* socket = m_server->nextPendingConnection())
                accept(socket);
        });
        m_server->listen(QHostAddress::LocalHost, 0);
    }

    void route(const QByteArray& path, Handler handler) { m_routes[path] = std::move(handler); }
    /// The base URL, with a path prefix when the test puts the API behind one (a reverse proxy).
    QUrl url(const QString& prefix = {}) const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2%3").arg(m_scheme).arg(m_server->serverPort()).arg(prefix));
    }
    bool isListening() const { return m_server->isListening(); }

    QList<Request> requests;
    /// The paths asked, in order: "/api/v3/services", ….
    QByteArrayList paths() const
    {
        QByteArrayList list;
        for (const Request& r : requests)
            list << r.path;
        return list;
    }

private:
    void accept(QTcpSocket* socket)
    {
        socket->setParent(this);
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            *buffer += socket->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            Request request = parse(buffer->left(end));
            buffer->remove(0, end + 4);
            requests << request;
            const auto route = m_routes.find(request.path);
            Response response = route != m_routes.end() ? route->second(request) : noRoute();
            if (response.delayMs > 0) {
                QPointer<QTcpSocket> guarded(socket);
                QTimer::singleShot(response.delayMs, this, [this, guarded, response] {
                    if (guarded)
                        answer(guarded, response);
                });
            } else {
                answer(socket, response);
            }
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    static Request parse(const QByteArray& head)
    {
        Request request;
        const QByteArrayList lines = head.split('\n');
        const QByteArrayList first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        const QByteArray target = first.value(1);
        const qsizetype question = target.indexOf('?');
        request.path = question < 0 ? target : target.left(question);
        if (question >= 0)
            request.query.setQuery(QString::fromUtf8(target.mid(question + 1)));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        return request;
    }

    void answer(QTcpSocket* socket, Response response)
    {
        if (response.gzip)
            response.body = gzipsupport::gzip(response.body);
        QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " Status\r\n";
        head += "Content-Type: " + response.contentType + "\r\nConnection: close\r\n";
        if (response.gzip)
            head += "Content-Encoding: gzip\r\n";
        if (!response.location.isEmpty())
            head += "Location: " + response.location + "\r\n";
        if (response.chunks) {
            socket->write(head + "Transfer-Encoding: chunked\r\n\r\n");
            // The next piece only when the last has left: the server's memory stays at a few pieces.
            // One generator, shared: the lambda below is copied into the connection, and a copied generator would
            // start over.
            auto next = [socket, chunks = std::make_shared<std::function<QByteArray()>>(response.chunks)] {
                while (socket->bytesToWrite() < (1 << 20)) {
                    const QByteArray piece = (*chunks)();
                    if (piece.isEmpty()) {
                        socket->write("0\r\n\r\n");
                        socket->disconnectFromHost();
                        QObject::disconnect(socket, &QTcpSocket::bytesWritten, nullptr, nullptr);
                        return;
                    }
                    socket->write(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n");
                }
            };
            QObject::connect(socket, &QTcpSocket::bytesWritten, socket, next);
            next();
            return;
        }
        socket->write(
            head + "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n" + response.body);
        socket->disconnectFromHost();
    }

    std::unique_ptr<QTcpServer> m_server;
    QString m_scheme = QStringLiteral("http");
    std::map<QByteArray, Handler> m_routes;
};

} // namespace fakebackend
