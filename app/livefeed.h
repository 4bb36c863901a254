#pragma once

#include "generator/tracegenerator.h"

#include <QByteArray>

#include <vector>

namespace tracemap {

/// What an OpenTelemetry SDK would send: generated traces as OTLP/HTTP protobuf request bodies
/// (ExportTraceServiceRequest), `tracesPerRequest` traces each. For `tracemap screenshot --view live` and
/// bench_livewindow, which feed the window's own receiver over loopback.
struct LiveFeed {
    std::vector<QByteArray> requests;
    std::vector<qint64> requestSpans; // spans of each request
    qint64 traces = 0;
    qint64 spans = 0;
};
LiveFeed generateOtlpRequests(const GeneratorOptions& options, int tracesPerRequest);

} // namespace tracemap
