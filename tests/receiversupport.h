#pragma once

// What the receiver tests share (tst_receivers, tst_grpcreceiver, tst_livesecurity): a LiveService on free loopback
// ports, requests posted through Qt, and gzip. Needs live, Qt Network and zlib.

#include "gzipsupport.h"
#include "live/liveservice.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QtTest/QtTest>

#include <memory>

namespace receiversupport {

using gzipsupport::gzip;

/// Which endpoints a test's service runs, each on a free loopback port. None is on a fixed port: it would collide
/// with a running Tracemap or another test.
enum Endpoints { Http = 1, Grpc = 2 };

inline tracemap::LiveService::Options loopbackOptions(const QString& cachePath, int endpoints)
{
    using tracemap::LiveService;
    LiveService::Options o;
    o.cachePath = cachePath;
    const LiveService::Endpoint anyPort { QHostAddress::LocalHost, 0 };
    o.otlpHttp = (endpoints & Http) ? std::optional(anyPort) : std::nullopt;
    o.zipkin = (endpoints & Http) ? std::optional(anyPort) : std::nullopt;
    o.otlpGrpc = (endpoints & Grpc) ? std::optional(anyPort) : std::nullopt;
    return o;
}

/// The started service, or nothing (the reason is logged).
inline std::unique_ptr<tracemap::LiveService> startService(const tracemap::LiveService::Options& options)
{
    auto service = std::make_unique<tracemap::LiveService>();
    if (const auto started = service->start(options); !started) {
        qWarning() << started.error();
        return nullptr;
    }
    return service;
}

struct Reply {
    int status = 0; // 0: no answer within the time
    QByteArray body;
    QByteArray contentType;
    QByteArray retryAfter;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
};

/// Sends and waits up to `timeoutMs` for the answer.
inline Reply send(QNetworkAccessManager& network, const QNetworkRequest& request, const QByteArray& method,
    const QByteArray& body, int timeoutMs = 20000)
{
    QNetworkReply* reply = network.sendCustomRequest(request, method, body);
    Reply result;
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, timeoutMs)) {
        reply->abort();
    } else {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        result.retryAfter = reply->rawHeader("Retry-After");
        result.error = reply->error();
    }
    reply->deleteLater();
    return result;
}

} // namespace receiversupport
