#include "live/receiver.h"

#include "live/ingestwriter.h"

namespace tracemap {

PendingIngest PendingIngest::submit(IngestWriter& writer, DecodedSpans& spans)
{
    PendingIngest pending;
    if (spans.traces.empty()) {
        // Nothing to write (an empty request, or every span rejected): nothing to wait for, but still counted.
        if (spans.rejected > 0 && !writer.submit({}, 0, spans.rejected))
            pending.m_outcome = { IngestOutcome::Kind::Refused, {} };
        return pending;
    }
    pending.m_commit = writer.submit(std::move(spans.traces), spans.spans, spans.rejected);
    if (!pending.m_commit)
        pending.m_outcome = { IngestOutcome::Kind::Refused, {} };
    return pending;
}

IngestOutcome PendingIngest::wait()
{
    if (m_commit) {
        const auto written = m_commit->get();
        m_commit.reset();
        if (!written)
            m_outcome = { IngestOutcome::Kind::Failed, written.error() };
    }
    return m_outcome;
}

IngestOutcome SpanReceiver::ingest(DecodedSpans& spans)
{
    return PendingIngest::submit(m_writer, spans).wait();
}

bool SpanReceiver::isGzip(const HttpRequest& request)
{
    return mediaType(request.contentEncoding) == "gzip";
}

} // namespace tracemap
