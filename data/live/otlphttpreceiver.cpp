#include "live/otlphttpreceiver.h"

#include "live/otlpanswers.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr std::string_view kJson = "application/json";

bool wantsProtobuf(const HttpRequest& request)
{
    return mediaType(request.contentType) == kProtobuf;
}

HttpResponse status(int code, const QString& message, bool protobuf)
{
    HttpResponse response;
    response.status = code;
    if (protobuf) {
        response.contentType = kProtobuf;
        response.body = rpcStatus(rpcCode(code), message);
    } else {
        response.contentType = kJson;
        response.body = QJsonDocument(
            QJsonObject { { QStringLiteral("code"), rpcCode(code) }, { QStringLiteral("message"), message } })
                            .toJson(QJsonDocument::Compact)
                            .toStdString();
    }
    if (code == 503)
        response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
    return response;
}

HttpResponse success(const DecodedSpans& spans, bool protobuf)
{
    HttpResponse response;
    response.contentType = protobuf ? kProtobuf : kJson;
    // Full success leaves partial_success unset; rejected spans are reported, and the sender must not retry.
    // Truncated values are a warning: rejected_spans 0 with a message (PROTOCOLS.md §1).
    const QString message = spans.warningMessage();
    if (protobuf) {
        response.body = exportTraceResponse(spans);
    } else {
        QJsonObject body;
        if (!message.isEmpty())
            body.insert(QStringLiteral("partialSuccess"),
                QJsonObject { { QStringLiteral("rejectedSpans"), QString::number(spans.rejected) },
                    { QStringLiteral("errorMessage"), message } });
        response.body = QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString();
    }
    return response;
}

} // namespace

HttpResponse OtlpHttpReceiver::refuse(int code, const QString& message, const HttpRequest& request)
{
    return status(code, message, wantsProtobuf(request));
}

HttpResponse OtlpHttpReceiver::handle(const HttpRequest& request)
{
    const bool protobuf = wantsProtobuf(request);
    if (request.path != kPath)
        return status(404, QStringLiteral("no such path; OTLP/HTTP traces go to POST /v1/traces"), protobuf);
    if (request.method != "POST") {
        HttpResponse response = status(405, QStringLiteral("only POST is allowed on /v1/traces"), protobuf);
        response.headers.emplace_back("Allow", "POST");
        return response;
    }
    const std::string type = mediaType(request.contentType);
    if (type != kProtobuf && type != kJson)
        return status(415,
            QStringLiteral("unsupported Content-Type '%1': use application/x-protobuf or application/json")
                .arg(QString::fromStdString(request.contentType)),
            false);
    const std::string encoding = mediaType(request.contentEncoding);
    if (!encoding.empty() && encoding != "gzip" && encoding != "identity")
        return status(415,
            QStringLiteral("unsupported Content-Encoding '%1': use gzip or none")
                .arg(QString::fromStdString(request.contentEncoding)),
            protobuf);
    auto decoded = decodeSpans(
        request.body, isGzip(request), { protobuf ? TraceFormat::OtlpProto : TraceFormat::OtlpJson }, m_maxBodyBytes);
    if (!decoded)
        return status(decoded.error().status, decoded.error().message, protobuf);
    const IngestOutcome outcome = ingest(*decoded);
    switch (outcome.kind) {
    case IngestOutcome::Kind::Refused:
        return status(503, QStringLiteral("the receiver is busy; retry later"), protobuf);
    case IngestOutcome::Kind::Failed:
        return status(500, QStringLiteral("the spans could not be stored: %1").arg(outcome.error), protobuf);
    case IngestOutcome::Kind::Committed:
        break;
    }
    return success(*decoded, protobuf);
}

} // namespace tracemap
