#pragma once

#include "live/receiver.h"

namespace tracemap {

/// OTLP/HTTP traces (PROTOCOLS.md §1): POST /v1/traces, protobuf or JSON by Content-Type and answered in the same
/// encoding, gzip bodies. 200 with partial_success when spans were rejected; errors carry a google.rpc.Status:
/// 400 malformed, 413 too large, 415 unknown type, 404/405 other paths and methods, 503 + Retry-After when the
/// queue is full (retryable), 500 when the cache could not be written.
class OtlpHttpReceiver : public SpanReceiver {
public:
    using SpanReceiver::SpanReceiver;
    static constexpr std::string_view kPath = "/v1/traces";

    HttpResponse handle(const HttpRequest& request) override;
    HttpResponse refuse(int status, const QString& message, const HttpRequest& request) override;
};

} // namespace tracemap
