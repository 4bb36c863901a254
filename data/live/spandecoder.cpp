#include "live/spandecoder.h"

#include "formats/inputbuffer.h"
#include "formats/traceimporter.h"
#include "model/traceassembler.h"

#include <algorithm>
#include <cctype>

namespace tracemap {

namespace {

// Takes out spans an OTLP receiver must reject (PROTOCOLS.md §1: an all-zero id is invalid); the parsers keep them
// with a warning because a file may still be worth reading, but live data with such ids cannot be merged later.
void rejectInvalidIds(DecodedSpans& decoded)
{
    std::vector<Trace> kept;
    for (Trace& trace : decoded.traces) {
        const qint64 total = static_cast<qint64>(trace.spans.size());
        if (!trace.id.isValid()) {
            decoded.rejected += total;
            decoded.rejectedReason = QStringLiteral("spans with an all-zero trace id were rejected");
            continue;
        }
        const auto invalid = std::ranges::remove_if(trace.spans, [](const Span& span) { return span.id == 0; });
        if (!invalid.empty()) {
            decoded.rejected += static_cast<qint64>(invalid.size());
            decoded.rejectedReason = QStringLiteral("spans with an all-zero span id were rejected");
            trace.spans.erase(invalid.begin(), invalid.end());
            TraceAssembler::assemble(trace);
        }
        if (trace.spans.empty())
            continue;
        decoded.spans += static_cast<qint64>(trace.spans.size());
        kept.push_back(std::move(trace));
    }
    decoded.traces = std::move(kept);
}

} // namespace

std::string mediaType(std::string_view contentType)
{
    std::string type(contentType.substr(0, contentType.find(';')));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.pop_back();
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
        type.erase(type.begin());
    std::ranges::transform(type, type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return type;
}

std::expected<DecodedSpans, DecodeFailure> decodeSpans(
    std::string_view body, bool gzip, std::initializer_list<TraceFormat> accepted, size_t maxBytes)
{
    DecodedSpans decoded;
    if (body.empty())
        return decoded;
    // InputBuffer inflates by the gzip magic; a body declared gzip that is not is malformed, not plain text.
    const bool looksGzip = body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f
        && static_cast<unsigned char>(body[1]) == 0x8b;
    if (gzip && !looksGzip)
        return std::unexpected(DecodeFailure { 400, QStringLiteral("Content-Encoding is gzip but the body is not") });
    auto input = InputBuffer::fromBytes(body, QStringLiteral("request"));
    if (!input)
        return std::unexpected(DecodeFailure { 400, input.error() });
    if (input->bytes().size() > maxBytes)
        return std::unexpected(DecodeFailure { 413,
            QStringLiteral("the request is %1 bytes once inflated, over the limit of %2")
                .arg(input->bytes().size())
                .arg(maxBytes) });
    // An empty request is a success (PROTOCOLS.md §1): no bytes, or a JSON object with no members, which the
    // importer's format detection cannot name.
    std::string_view text = input->bytes();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.empty() || text == "{}")
        return decoded;
    auto summary = TraceImporter::importBuffer(*input, [&](std::vector<Trace>& traces) {
        for (Trace& trace : traces)
            decoded.traces.push_back(std::move(trace));
    });
    if (!summary)
        return std::unexpected(DecodeFailure { 400, summary.error().toString() });
    // A body of no spans is fine whatever its envelope; one with spans must be of the endpoint's format.
    if (summary->spans > 0 && std::ranges::find(accepted, summary->format) == accepted.end())
        return std::unexpected(DecodeFailure { 400,
            QStringLiteral("the body is %1, which this endpoint does not take")
                .arg(traceFormatName(summary->format)) });
    // The importer flushes every 100,000 spans, so one trace may come in parts: merge them.
    std::ranges::sort(decoded.traces, [](const Trace& a, const Trace& b) { return a.id < b.id; });
    std::vector<Trace> merged;
    for (Trace& trace : decoded.traces) {
        if (!merged.empty() && merged.back().id == trace.id) {
            TraceAssembler::append(merged.back(), trace);
            TraceAssembler::assemble(merged.back());
        } else {
            merged.push_back(std::move(trace));
        }
    }
    decoded.traces = std::move(merged);
    rejectInvalidIds(decoded);
    return decoded;
}

} // namespace tracemap
