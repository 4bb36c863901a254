#include "live/otlpanswers.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace tracemap {

int rpcCode(int httpStatus)
{
    // Clients ignore Status.code on HTTP (PROTOCOLS.md §1), but it should not lie; gRPC answers with it.
    switch (httpStatus) {
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

std::string rpcStatus(int code, const QString& message, std::optional<std::chrono::seconds> retryDelay)
{
    google::rpc::Status status;
    status.set_code(code);
    status.set_message(message.toStdString());
    if (retryDelay) {
        google::rpc::RetryInfo retry;
        retry.mutable_retry_delay()->set_seconds(retryDelay->count());
        status.add_details()->PackFrom(retry); // type.googleapis.com/google.rpc.RetryInfo
    }
    return status.SerializeAsString();
}

std::string exportTraceResponse(const DecodedSpans& spans)
{
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
    // Rejected spans are reported, and the sender must not retry them; truncated values are a warning:
    // rejected_spans 0 with a message (PROTOCOLS.md §1).
    if (const QString message = spans.warningMessage(); !message.isEmpty()) {
        auto* partial = response.mutable_partial_success();
        if (spans.rejected > 0)
            partial->set_rejected_spans(spans.rejected);
        partial->set_error_message(message.toStdString());
    }
    return response.SerializeAsString();
}

} // namespace tracemap
