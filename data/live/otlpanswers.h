#pragma once

#include "live/spandecoder.h"

#include <QString>

#include <chrono>
#include <optional>
#include <string>

namespace tracemap {

/// What OTLP/HTTP and OTLP/gRPC answer alike, as serialized protobuf (the generated google.rpc and OTLP classes).

/// The google.rpc.Code (the same numbers as gRPC's status codes) for the HTTP status an error would have.
int rpcCode(int httpStatus);

/// A google.rpc.Status: the protobuf error body of OTLP/HTTP and the grpc-status-details-bin of OTLP/gRPC. With a
/// retry delay it carries a google.rpc.RetryInfo detail, which tells a throttled sender when to try again.
std::string rpcStatus(int code, const QString& message, std::optional<std::chrono::seconds> retryDelay = {});

/// An ExportTraceServiceResponse: empty on full success (partial_success unset), else the rejected spans and why.
std::string exportTraceResponse(const DecodedSpans& spans);

} // namespace tracemap
