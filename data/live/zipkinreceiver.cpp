#include "live/zipkinreceiver.h"

namespace tracemap {

namespace {

HttpResponse text(int status, const QString& message)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "text/plain; charset=utf-8";
    response.body = message.toStdString() + '\n';
    if (status == 503)
        response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
    return response;
}

} // namespace

HttpResponse ZipkinReceiver::refuse(int status, const QString& message, const HttpRequest&)
{
    return text(status, message);
}

HttpResponse ZipkinReceiver::handle(const HttpRequest& request)
{
    const bool v2 = request.path == "/api/v2/spans";
    if (!v2 && request.path != "/api/v1/spans")
        return text(404, QStringLiteral("no such path; Zipkin spans go to POST /api/v2/spans or /api/v1/spans"));
    if (request.method != "POST") {
        HttpResponse response = text(405, QStringLiteral("only POST is allowed here"));
        response.headers.emplace_back("Allow", "POST");
        return response;
    }
    // No type is taken as JSON, as Zipkin's own collector does.
    const std::string type = mediaType(request.contentType);
    const bool protobuf = type == "application/x-protobuf";
    if (protobuf && !v2)
        return text(415, QStringLiteral("/api/v1/spans takes JSON; proto3 ListOfSpans goes to /api/v2/spans"));
    if (!protobuf && !type.empty() && type != "application/json")
        return text(415,
            QStringLiteral("unsupported Content-Type '%1': send application/json or application/x-protobuf")
                .arg(QString::fromStdString(request.contentType)));
    const TraceFormat format = protobuf ? TraceFormat::ZipkinV2Proto
        : v2                            ? TraceFormat::ZipkinV2Json
                                        : TraceFormat::ZipkinV1Json;
    auto decoded = decodeSpans(request.body, isGzip(request), { format }, m_maxBodyBytes);
    if (!decoded)
        return text(decoded.error().status, decoded.error().message);
    const IngestOutcome outcome = ingest(*decoded);
    switch (outcome.kind) {
    case IngestOutcome::Kind::Refused:
        return text(503, QStringLiteral("the receiver is busy; retry later"));
    case IngestOutcome::Kind::Failed:
        return text(500, QStringLiteral("the spans could not be stored: %1").arg(outcome.error));
    case IngestOutcome::Kind::Committed:
        break;
    }
    HttpResponse accepted;
    accepted.status = 202;
    return accepted;
}

} // namespace tracemap
