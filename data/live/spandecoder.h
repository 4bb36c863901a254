#pragma once

#include "formats/traceformat.h"
#include "model/trace.h"

#include <QString>

#include <expected>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace tracemap {

/// The spans of one received body, assembled per trace, with the invalid ones taken out.
struct DecodedSpans {
    std::vector<Trace> traces;
    qint64 spans = 0; // kept
    qint64 rejected = 0; // dropped: an all-zero trace or span id
    QString rejectedReason;
    qint64 truncations = 0; // values cut or attributes dropped at the input limits (model/inputlimits.h)

    /// What a partial success says: the rejection's reason and the truncations (a warning when nothing was
    /// rejected); empty when there is nothing to say.
    QString warningMessage() const;
};

/// Why a body could not be decoded, as the HTTP status a receiver answers with.
struct DecodeFailure {
    int status = 400;
    QString message;
};

/// Decodes a request body with the importer's own machinery (InputBuffer, the record splitter and the format
/// parsers), so live data is read exactly as a file is; gzip is inflated first, stopping at the limit. `accepted` are
/// the formats this endpoint takes: a body of another format (Zipkin JSON posted to /v1/traces) is malformed for it. An
/// empty body decodes to no spans. `maxBytes` limits the body once inflated (413).
std::expected<DecodedSpans, DecodeFailure> decodeSpans(
    std::string_view body, bool gzip, std::initializer_list<TraceFormat> accepted, size_t maxBytes);

/// The media type of a Content-Type header, lowercased, parameters ("; charset=utf-8") dropped.
std::string mediaType(std::string_view contentType);

} // namespace tracemap
