#include "formats/zipkinjsonparser.h"
#include "formats/jsonfields.h"

#include <algorithm>

namespace tracemap {

using namespace json;

ZipkinJsonParser::ZipkinJsonParser(Version version)
    : m_version(version)
    , m_mapper(version == Version::V1)
{
}

void ZipkinJsonParser::parseRecord(std::string_view record, SpanBatch& batch)
{
    RecordScope scope(record);
    auto doc = m_parser.iterate(simdjson::padded_string_view(record.data(), record.size(), record.size() + 64));
    value root;
    if (doc.get_value().get(root) != simdjson::SUCCESS)
        fail(record.data(), "expected a Zipkin span object");
    readSpan(asObject(root, "a Zipkin span"), batch);
}

void ZipkinJsonParser::readEndpoint(value v, ZipkinSpanMapper::Endpoint& out)
{
    out = {};
    if (isNull(v))
        return;
    for (auto field : asObject(v, "an endpoint")) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            fail(nullptr, "malformed endpoint member");
        value fv = field.value();
        if (key == "serviceName")
            out.service = asString(fv, "serviceName");
        else if (key == "ipv4" || (key == "ipv6" && out.ip.empty()))
            out.ip = asString(fv, key);
        else if (key == "port")
            out.port = asInt64(fv, "port");
    }
}

void ZipkinJsonParser::readSpan(object span, SpanBatch& batch)
{
    m_mapper.clear();
    ZipkinSpanMapper::Span& s = m_mapper.span();

    for (auto field : span) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            fail(nullptr, "malformed span member");
        value v = field.value();
        if (key == "traceId") {
            s.traceId = asTraceId(v, "traceId");
        } else if (key == "id") {
            s.id = asSpanId(v, "id");
        } else if (key == "parentId") {
            if (!isNull(v)) {
                // v1 files in the wild carry non-hex parent ids ("BADID"): keep the span, drop the parent link.
                const char* at = positionOf(v);
                const std::string_view text = asString(v, "parentId");
                try {
                    s.parentId = spanIdFromText(text, at, "parentId");
                } catch (const ParseError&) {
                    if (m_version == Version::V2)
                        throw;
                    s.tags.push_back({ "zipkin.invalid_parent_id", std::string(text), {} });
                }
            }
        } else if (key == "name") {
            if (!isNull(v))
                s.name = asString(v, "name");
        } else if (key == "kind") {
            if (!isNull(v))
                s.kind = ZipkinSpanMapper::kindFromName(asString(v, "kind"));
        } else if (key == "timestamp") {
            if (!isNull(v)) {
                const char* at = positionOf(v);
                s.timestampNs = microsToNanos(asInt64(v, "timestamp"), at, "timestamp");
            }
        } else if (key == "duration") {
            if (!isNull(v)) {
                const char* at = positionOf(v);
                const qint64 micros = asInt64(v, "duration");
                if (micros < 0)
                    fail(at, "duration is negative (" + std::to_string(micros) + " µs)");
                s.durationNs = microsToNanos(micros, at, "duration");
            }
        } else if (key == "localEndpoint") {
            readEndpoint(v, s.local);
        } else if (key == "remoteEndpoint") {
            readEndpoint(v, s.remote);
        } else if (key == "debug") {
            s.debug = !isNull(v) && asBool(v, "debug");
        } else if (key == "shared") {
            s.shared = !isNull(v) && asBool(v, "shared");
        } else if (key == "annotations") {
            if (isNull(v))
                continue;
            for (auto element : asArray(v, "annotations")) {
                value av;
                if (element.get(av) != simdjson::SUCCESS)
                    fail(nullptr, "malformed annotation");
                ZipkinSpanMapper::Annotation& a = s.annotations.emplace_back();
                a.position = positionOf(av);
                for (auto af : asObject(av, "an annotation")) {
                    std::string_view ak;
                    if (af.unescaped_key().get(ak) != simdjson::SUCCESS)
                        fail(nullptr, "malformed annotation member");
                    value afv = af.value();
                    if (ak == "timestamp") {
                        const char* at = positionOf(afv);
                        a.timeNs = microsToNanos(asInt64(afv, "annotation timestamp"), at, "annotation timestamp");
                    } else if (ak == "value") {
                        a.value = asString(afv, "annotation value");
                    } else if (ak == "endpoint") {
                        readEndpoint(afv, a.endpoint);
                    }
                }
            }
        } else if (key == "tags") {
            if (isNull(v))
                continue;
            for (auto tag : asObject(v, "tags")) {
                std::string_view tk;
                if (tag.unescaped_key().get(tk) != simdjson::SUCCESS)
                    fail(nullptr, "malformed tag");
                value tv = tag.value();
                std::string text;
                if (isString(tv))
                    text = asString(tv, "a tag value");
                else {
                    text = rawJson(tv);
                }
                s.tags.push_back({ std::string(tk), std::move(text), {} });
            }
        } else if (key == "binaryAnnotations") {
            if (isNull(v))
                continue;
            for (auto element : asArray(v, "binaryAnnotations")) {
                value bv;
                if (element.get(bv) != simdjson::SUCCESS)
                    fail(nullptr, "malformed binary annotation");
                ZipkinSpanMapper::Tag& t = s.tags.emplace_back();
                for (auto bf : asObject(bv, "a binary annotation")) {
                    std::string_view bk;
                    if (bf.unescaped_key().get(bk) != simdjson::SUCCESS)
                        fail(nullptr, "malformed binary annotation member");
                    value bfv = bf.value();
                    if (bk == "key") {
                        t.key = asString(bfv, "binary annotation key");
                    } else if (bk == "value") {
                        if (isString(bfv)) {
                            t.value = asString(bfv, "binary annotation value");
                        } else {
                            t.value = rawJson(bfv);
                        }
                    } else if (bk == "endpoint") {
                        readEndpoint(bfv, t.endpoint);
                    }
                }
            }
        }
    }
    if (!s.traceId.isValid())
        fail(nullptr, "span " + spanIdToHex(s.id) + " has no traceId");
    if (s.id == 0)
        fail(nullptr, "a span of trace " + s.traceId.toHex() + " has no id");
    m_mapper.emit(batch);
}

} // namespace tracemap
