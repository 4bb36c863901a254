#include "formats/zipkinprotoparser.h"

#include "formats/parseerror.h"

#include "zipkin/proto3/zipkin.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <limits>

namespace tracemap {

namespace {

using google::protobuf::internal::WireFormatLite;

struct Context {
    const char* position = nullptr;
    size_t offset = 0;
    size_t index = 0; // 1-based

    [[noreturn]] void fail(std::string_view what) const
    {
        std::string message
            = "invalid Zipkin protobuf: span #" + std::to_string(index) + " at byte " + std::to_string(offset) + ' ';
        message += what;
        throw ParseError { position, std::move(message) };
    }
};

// Microseconds (unsigned on the wire) to nanoseconds; 0 means unknown. Out of range is an error, as in the JSON
// reader (json::microsToNanos), not a silent wrap.
std::optional<qint64> nanos(quint64 micros, std::string_view what, const Context& context)
{
    if (micros == 0)
        return std::nullopt;
    if (micros > static_cast<quint64>(std::numeric_limits<qint64>::max() / 1000))
        context.fail(std::string("has a ") + std::string(what) + " out of range (" + std::to_string(micros) + " µs)");
    return static_cast<qint64>(micros) * 1000;
}

std::string ipText(const std::string& bytes, int family)
{
    char text[INET6_ADDRSTRLEN] = {};
    return inet_ntop(family, bytes.data(), text, sizeof text) ? std::string(text) : std::string();
}

void readEndpoint(const zipkin::proto3::Endpoint& in, ZipkinSpanMapper::Endpoint& out, const Context& context)
{
    out = {};
    out.service = in.service_name();
    if (!in.ipv4().empty() && in.ipv4().size() != 4)
        context.fail("has an ipv4 of " + std::to_string(in.ipv4().size()) + " bytes (expected 4)");
    if (!in.ipv6().empty() && in.ipv6().size() != 16)
        context.fail("has an ipv6 of " + std::to_string(in.ipv6().size()) + " bytes (expected 16)");
    // As the JSON reader: ipv4 when there is one, else ipv6.
    out.ip = !in.ipv4().empty() ? ipText(in.ipv4(), AF_INET) : !in.ipv6().empty() ? ipText(in.ipv6(), AF_INET6) : "";
    out.port = in.port();
}

} // namespace

ZipkinProtoParser::ZipkinProtoParser()
    : m_mapper(false)
{
}

bool ZipkinProtoParser::looksLikeListOfSpans(std::string_view bytes)
{
    // 0a <span length> 0a <8|16> <trace id> [12 08 <parent id>] 1a 08 <id>: the length varint is skipped.
    if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x0a)
        return false;
    size_t i = 1;
    while (i < bytes.size() && (static_cast<unsigned char>(bytes[i]) & 0x80))
        ++i;
    ++i;
    auto at = [&](size_t k) { return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0x100; };
    if (at(i) != 0x0a || (at(i + 1) != 8 && at(i + 1) != 16))
        return false;
    i += 2 + at(i + 1);
    if (at(i) == 0x12 && at(i + 1) == 8)
        i += 10;
    return at(i) == 0x1a && at(i + 1) == 8;
}

void ZipkinProtoParser::parse(std::string_view bytes, SpanBatch& batch, const std::function<void(size_t)>& progress,
    const std::function<void()>& afterSpan)
{
    constexpr quint32 kSpanTag = WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
    const auto* data = reinterpret_cast<const quint8*>(bytes.data());
    zipkin::proto3::Span span;
    Context context;
    size_t offset = 0;
    while (offset < bytes.size()) {
        const size_t window = std::min<size_t>(bytes.size() - offset, INT_MAX);
        google::protobuf::io::CodedInputStream in(data + offset, static_cast<int>(window));
        context.position = bytes.data() + offset;
        context.offset = offset;
        const quint32 tag = in.ReadTag();
        if (tag == 0)
            throw ParseError { context.position,
                "invalid Zipkin protobuf: expected a field tag at byte " + std::to_string(offset) };
        if (tag != kSpanTag) {
            if (!WireFormatLite::SkipField(&in, tag))
                throw ParseError { context.position,
                    "invalid Zipkin protobuf: field " + std::to_string(WireFormatLite::GetTagFieldNumber(tag))
                        + " at byte " + std::to_string(offset)
                        + " could not be skipped (truncated or not a ListOfSpans)" };
            offset += static_cast<size_t>(in.CurrentPosition());
            continue;
        }
        ++context.index;
        quint32 length = 0;
        if (!in.ReadVarint32(&length))
            context.fail("could not be decoded (bad length)");
        const size_t start = offset + static_cast<size_t>(in.CurrentPosition());
        if (length > bytes.size() - start)
            context.fail("could not be decoded: it needs " + std::to_string(length) + " bytes but the input has "
                + std::to_string(bytes.size() - start) + " left (truncated?)");
        if (length > static_cast<quint32>(INT_MAX) || !span.ParseFromArray(data + start, static_cast<int>(length)))
            context.fail("could not be decoded (not a Zipkin Span, or a string that is not UTF-8)");

        m_mapper.clear();
        ZipkinSpanMapper::Span& s = m_mapper.span();
        const auto traceId = traceIdFromBytes(span.trace_id());
        if (!traceId)
            context.fail("has a " + std::to_string(span.trace_id().size()) + "-byte trace_id (expected 8 or 16)");
        s.traceId = *traceId;
        const auto id = spanIdFromBytes(span.id());
        if (!id)
            context.fail("has a " + std::to_string(span.id().size()) + "-byte id (expected 8)");
        s.id = *id;
        if (!span.parent_id().empty()) {
            const auto parent = spanIdFromBytes(span.parent_id());
            if (!parent)
                context.fail("has a " + std::to_string(span.parent_id().size()) + "-byte parent_id (expected 8)");
            s.parentId = *parent;
        }
        s.name = span.name();
        switch (span.kind()) {
        case zipkin::proto3::Span::CLIENT:
            s.kind = SpanKind::Client;
            break;
        case zipkin::proto3::Span::SERVER:
            s.kind = SpanKind::Server;
            break;
        case zipkin::proto3::Span::PRODUCER:
            s.kind = SpanKind::Producer;
            break;
        case zipkin::proto3::Span::CONSUMER:
            s.kind = SpanKind::Consumer;
            break;
        default:
            s.kind = SpanKind::Unspecified;
        }
        s.timestampNs = nanos(span.timestamp(), "timestamp", context);
        s.durationNs = nanos(span.duration(), "duration", context);
        if (span.has_local_endpoint())
            readEndpoint(span.local_endpoint(), s.local, context);
        if (span.has_remote_endpoint())
            readEndpoint(span.remote_endpoint(), s.remote, context);
        for (const auto& annotation : span.annotations()) {
            ZipkinSpanMapper::Annotation& a = s.annotations.emplace_back();
            a.timeNs = nanos(annotation.timestamp(), "annotation timestamp", context).value_or(0);
            a.value = annotation.value();
        }
        // A map has no order on the wire; sorted by key, as Zipkin's own JSON writer orders tags.
        for (const auto& [key, value] : span.tags())
            s.tags.push_back({ key, value, {} });
        std::ranges::sort(s.tags, [](const auto& a, const auto& b) { return a.key < b.key; });
        s.debug = span.debug();
        s.shared = span.shared();
        m_mapper.emit(batch);

        offset = start + length;
        if (progress)
            progress(offset);
        if (afterSpan)
            afterSpan();
    }
}

} // namespace tracemap
