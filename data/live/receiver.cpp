#include "live/receiver.h"

#include "live/ingestwriter.h"

namespace tracemap {

IngestOutcome SpanReceiver::ingest(DecodedSpans& spans)
{
    if (spans.traces.empty()) {
        // Nothing to write (an empty request, or every span rejected): nothing to wait for, but still counted.
        if (spans.rejected > 0 && !m_writer.submit({}, 0, spans.rejected))
            return { IngestOutcome::Kind::Refused, {} };
        return {};
    }
    auto commit = m_writer.submit(std::move(spans.traces), spans.spans, spans.rejected);
    if (!commit)
        return { IngestOutcome::Kind::Refused, {} };
    const auto written = commit->get();
    if (!written)
        return { IngestOutcome::Kind::Failed, written.error() };
    return {};
}

bool SpanReceiver::isGzip(const HttpRequest& request)
{
    return mediaType(request.contentEncoding) == "gzip";
}

} // namespace tracemap
