#include "live/otlphttpreceiver.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr std::string_view kJson = "application/json";

// The two small messages a receiver writes, encoded by hand rather than through generated classes:
// google.rpc.Status { int32 code = 1; string message = 2; } and
// ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1 { int64 rejected_spans = 1;
// string error_message = 2; } }.
void putVarint(std::string& out, quint64 value)
{
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void putBytes(std::string& out, int field, std::string_view bytes)
{
    putVarint(out, static_cast<quint64>(field) << 3 | 2);
    putVarint(out, bytes.size());
    out.append(bytes);
}

void putInt(std::string& out, int field, qint64 value)
{
    putVarint(out, static_cast<quint64>(field) << 3);
    putVarint(out, static_cast<quint64>(value));
}

// The google.rpc.Code for an HTTP status (clients ignore it, PROTOCOLS.md §1, but it should not lie).
int rpcCode(int status)
{
    switch (status) {
    case 401:
        return 16; // UNAUTHENTICATED
    case 404:
        return 5; // NOT_FOUND
    case 405:
        return 12; // UNIMPLEMENTED
    case 413:
        return 8; // RESOURCE_EXHAUSTED
    case 503:
        return 14; // UNAVAILABLE
    case 500:
        return 13; // INTERNAL
    default:
        return 3; // INVALID_ARGUMENT
    }
}

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
        putInt(response.body, 1, rpcCode(code));
        putBytes(response.body, 2, message.toStdString());
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
        if (!message.isEmpty()) {
            std::string partial;
            if (spans.rejected > 0)
                putInt(partial, 1, spans.rejected);
            putBytes(partial, 2, message.toStdString());
            putBytes(response.body, 1, partial);
        }
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
