#include "live/spandecoder.h"

#include "formats/inputbuffer.h"
#include "formats/traceimporter.h"
#include "model/inputlimits.h"
#include "model/traceassembler.h"

#include <QStringList>

#include <algorithm>
#include <cctype>
#include <zlib.h>

namespace tracemap {

namespace {

// Inflates a gzip body, stopping as soon as it passes maxBytes: the limit applies after decompression
// (PROTOCOLS.md §1), and a small body that inflates to gigabytes must not be inflated whole to find that out.
std::expected<std::string, DecodeFailure> inflateBounded(std::string_view body, size_t maxBytes)
{
    z_stream stream {};
    if (inflateInit2(&stream, 15 + 16) != Z_OK)
        return std::unexpected(DecodeFailure { 500, QStringLiteral("cannot start inflating") });
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    std::string out;
    int status = Z_OK;
    while (status == Z_OK) {
        const size_t done = out.size();
        out.resize(done + std::min<size_t>(std::max<size_t>(done, 64 << 10), maxBytes + 1 - done));
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + done);
        stream.avail_out = static_cast<uInt>(out.size() - done);
        status = inflate(&stream, Z_NO_FLUSH);
        out.resize(out.size() - stream.avail_out);
        if (out.size() > maxBytes) {
            inflateEnd(&stream);
            return std::unexpected(DecodeFailure {
                413, QStringLiteral("the request is over the limit of %1 bytes once inflated").arg(maxBytes) });
        }
        if (status == Z_BUF_ERROR && stream.avail_in == 0)
            break; // the input ended before the gzip stream did
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END)
        return std::unexpected(DecodeFailure { 400, QStringLiteral("the gzip body is truncated or corrupt") });
    return out;
}

// Takes out spans an OTLP receiver must reject (PROTOCOLS.md §1: an all-zero id is invalid); the parsers keep them
// with a warning because a file may still be worth reading, but live data with such ids cannot be merged later.
// Runs on each flush of the importer, so a body of millions of id-less spans never holds them all at once.
void rejectInvalidIds(std::vector<Trace>& traces, DecodedSpans& decoded)
{
    std::vector<Trace> kept;
    for (Trace& trace : traces) {
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
        if (!trace.spans.empty())
            kept.push_back(std::move(trace));
    }
    traces = std::move(kept);
}

} // namespace

QString DecodedSpans::warningMessage() const
{
    QStringList parts;
    if (rejected > 0)
        parts << rejectedReason;
    if (truncations > 0)
        parts << QStringLiteral("%1 values were truncated to %2 bytes or attributes dropped past %3 per span, event "
                                "or resource (see the spans' warnings)")
                     .arg(truncations)
                     .arg(limits::kMaxTextBytes)
                     .arg(limits::kMaxAttributes);
    return parts.join(QStringLiteral("; "));
}

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
    if (!gzip && body.size() > maxBytes)
        return std::unexpected(
            DecodeFailure { 413, QStringLiteral("the request is over the limit of %1 bytes").arg(maxBytes) });
    // gzip is inflated here, within the limit, whether declared or only recognised by its magic bytes; a body that
    // is still gzip once inflated is refused, so that InputBuffer, which inflates without a limit, never has to.
    auto isGzipped = [](std::string_view bytes) {
        return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f
            && static_cast<unsigned char>(bytes[1]) == 0x8b;
    };
    std::string inflated;
    if (gzip || isGzipped(body)) {
        auto bytes = inflateBounded(body, maxBytes);
        if (!bytes)
            return std::unexpected(bytes.error());
        inflated = std::move(*bytes);
        body = inflated;
        if (isGzipped(body))
            return std::unexpected(DecodeFailure { 400, QStringLiteral("the body is compressed twice") });
    }
    auto input = InputBuffer::fromBytes(body, QStringLiteral("request"));
    if (!input)
        return std::unexpected(DecodeFailure { 400, input.error() });
    // An empty request is a success (PROTOCOLS.md §1): no bytes, or a JSON object with no members, which the
    // importer's format detection cannot name.
    std::string_view text = input->bytes();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.empty() || text == "{}")
        return decoded;
    // Protobuf is read as the endpoint's protobuf format: its first bytes cannot always say which one it is.
    ImportOptions importOptions;
    if (accepted.size() == 1 && isProtobufFormat(*accepted.begin()))
        importOptions.format = *accepted.begin();
    auto summary = TraceImporter::importBuffer(
        *input,
        [&](std::vector<Trace>& traces) {
            rejectInvalidIds(traces, decoded);
            for (Trace& trace : traces)
                decoded.traces.push_back(std::move(trace));
        },
        importOptions);
    if (!summary)
        return std::unexpected(DecodeFailure { 400, summary.error().toString() });
    decoded.truncations = summary->truncations;
    // A body of no spans is fine whatever its envelope; one with spans must be of the endpoint's format.
    if (summary->spans > 0 && std::ranges::find(accepted, summary->format) == accepted.end())
        return std::unexpected(DecodeFailure { 400,
            QStringLiteral("the body is %1, which this endpoint does not take")
                .arg(traceFormatName(summary->format)) });
    // The importer flushes every ImportOptions::flushSpans spans, so one trace may come in parts: merge them.
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
    for (const Trace& trace : decoded.traces)
        decoded.spans += static_cast<qint64>(trace.spans.size());
    return decoded;
}

} // namespace tracemap
