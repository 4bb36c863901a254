#pragma once

#include "live/httpserver.h"
#include "live/spandecoder.h"

namespace tracemap {

class IngestWriter;

/// What became of a request's spans once handed to the writer.
struct IngestOutcome {
    enum class Kind { Committed, Refused, Failed };
    Kind kind = Kind::Committed;
    QString error; // Failed: why the batch could not be written
};

/// The part the OTLP/HTTP and Zipkin receivers share: routing by path and method, decoding with the formats'
/// readers, and handing the spans to the writer and waiting for their commit before answering.
class SpanReceiver : public HttpHandler {
public:
    explicit SpanReceiver(IngestWriter& writer, size_t maxBodyBytes)
        : m_writer(writer)
        , m_maxBodyBytes(maxBodyBytes)
    {
    }

protected:
    /// Queues the spans and blocks until their batch is committed (or the queue refused them).
    IngestOutcome ingest(DecodedSpans& spans);
    static bool isGzip(const HttpRequest& request);

    IngestWriter& m_writer;
    const size_t m_maxBodyBytes;
};

/// The seconds a refused sender should wait before retrying (Retry-After).
inline constexpr int kRetryAfterSeconds = 1;

} // namespace tracemap
