#pragma once

#include "live/receiver.h"

namespace tracemap {

/// Zipkin's collector API (PROTOCOLS.md §3): POST /api/v2/spans (a JSON array of v2 spans, or proto3 ListOfSpans
/// with Content-Type application/x-protobuf) and /api/v1/spans (v1 JSON), gzip bodies; 202 with an empty body once
/// committed, 400 with a text message on bad input (v1 sent to the v2 path is bad input), 503 + Retry-After when the
/// queue is full. Spans with an all-zero id are dropped and counted as rejected (Zipkin's API has no partial success to
/// report them in).
class ZipkinReceiver : public SpanReceiver {
public:
    using SpanReceiver::SpanReceiver;

    HttpResponse handle(const HttpRequest& request) override;
    HttpResponse refuse(int status, const QString& message, const HttpRequest& request) override;
};

} // namespace tracemap
