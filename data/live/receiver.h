#pragma once

#include "live/httpserver.h"
#include "live/spandecoder.h"

#include <expected>
#include <future>
#include <optional>

namespace tracemap {

class IngestWriter;

/// What became of a request's spans once handed to the writer.
struct IngestOutcome {
    enum class Kind { Committed, Refused, Failed };
    Kind kind = Kind::Committed;
    QString error; // Failed: why the batch could not be written
};

/// A request's spans handed to the writer: decided at once (nothing to write, or the queue refused them) or
/// waiting for the batch that commits them. Receivers that answer later (OTLP/gRPC) wait elsewhere than the
/// request's thread; the HTTP receivers wait in place (SpanReceiver::ingest).
class PendingIngest {
public:
    /// Queues the spans (moved out of `spans`; its counts stay) without waiting.
    static PendingIngest submit(IngestWriter& writer, DecodedSpans& spans);
    /// True while the outcome depends on a commit still to come.
    bool waits() const { return m_commit.has_value(); }
    /// Blocks until the batch is committed (at once when nothing waits). Call once.
    IngestOutcome wait();

private:
    std::optional<std::future<std::expected<void, QString>>> m_commit;
    IngestOutcome m_outcome;
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

} // namespace tracemap
