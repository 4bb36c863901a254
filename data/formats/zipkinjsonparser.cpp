#include "formats/zipkinjsonparser.h"
#include "formats/jsonfields.h"

#include <algorithm>

namespace tracemap {

using namespace json;

namespace {

SpanKind kindFromName(std::string_view name)
{
    if (name == "CLIENT")
        return SpanKind::Client;
    if (name == "SERVER")
        return SpanKind::Server;
    if (name == "PRODUCER")
        return SpanKind::Producer;
    if (name == "CONSUMER")
        return SpanKind::Consumer;
    return SpanKind::Unspecified;
}

bool isAddressKey(std::string_view key)
{
    return key == "sa" || key == "ca" || key == "ma";
}

} // namespace

ZipkinJsonParser::ZipkinJsonParser(Version version)
    : m_version(version)
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

void ZipkinJsonParser::readEndpoint(value v, Endpoint& out)
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
    m_traceId = {};
    m_id = m_parentId = 0;
    m_name.clear();
    m_kind = SpanKind::Unspecified;
    m_timestamp.reset();
    m_duration.reset();
    m_local = m_remote = {};
    m_debug = m_shared = false;
    m_annotations.clear();
    m_tags.clear();

    for (auto field : span) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            fail(nullptr, "malformed span member");
        value v = field.value();
        if (key == "traceId") {
            m_traceId = asTraceId(v, "traceId");
        } else if (key == "id") {
            m_id = asSpanId(v, "id");
        } else if (key == "parentId") {
            if (!isNull(v)) {
                // v1 files in the wild carry non-hex parent ids ("BADID"): keep the span, drop the parent link.
                const char* at = positionOf(v);
                const std::string_view text = asString(v, "parentId");
                try {
                    m_parentId = spanIdFromText(text, at, "parentId");
                } catch (const ParseError&) {
                    if (m_version == Version::V2)
                        throw;
                    m_tags.push_back({ "zipkin.invalid_parent_id", std::string(text), {} });
                }
            }
        } else if (key == "name") {
            if (!isNull(v))
                m_name = asString(v, "name");
        } else if (key == "kind") {
            if (!isNull(v))
                m_kind = kindFromName(asString(v, "kind"));
        } else if (key == "timestamp") {
            if (!isNull(v)) {
                const char* at = positionOf(v);
                m_timestamp = microsToNanos(asInt64(v, "timestamp"), at, "timestamp");
            }
        } else if (key == "duration") {
            if (!isNull(v)) {
                const char* at = positionOf(v);
                const qint64 micros = asInt64(v, "duration");
                if (micros < 0)
                    fail(at, "duration is negative (" + std::to_string(micros) + " µs)");
                m_duration = microsToNanos(micros, at, "duration");
            }
        } else if (key == "localEndpoint") {
            readEndpoint(v, m_local);
        } else if (key == "remoteEndpoint") {
            readEndpoint(v, m_remote);
        } else if (key == "debug") {
            m_debug = !isNull(v) && asBool(v, "debug");
        } else if (key == "shared") {
            m_shared = !isNull(v) && asBool(v, "shared");
        } else if (key == "annotations") {
            if (isNull(v))
                continue;
            for (auto element : asArray(v, "annotations")) {
                value av;
                if (element.get(av) != simdjson::SUCCESS)
                    fail(nullptr, "malformed annotation");
                Annotation& a = m_annotations.emplace_back();
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
                m_tags.push_back({ std::string(tk), std::move(text), {} });
            }
        } else if (key == "binaryAnnotations") {
            if (isNull(v))
                continue;
            for (auto element : asArray(v, "binaryAnnotations")) {
                value bv;
                if (element.get(bv) != simdjson::SUCCESS)
                    fail(nullptr, "malformed binary annotation");
                Tag& t = m_tags.emplace_back();
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
    if (!m_traceId.isValid())
        fail(nullptr, "span " + spanIdToHex(m_id) + " has no traceId");
    if (m_id == 0)
        fail(nullptr, "a span of trace " + m_traceId.toHex() + " has no id");
    emit(batch);
}

ResourceDraft& ZipkinJsonParser::resourceFor(const Endpoint& endpoint)
{
    const std::string key = endpoint.service + '\x1f' + endpoint.ip;
    auto [it, inserted] = m_resources.try_emplace(key);
    if (inserted) {
        it->second.attributes.addString("service.name", endpoint.service);
        if (!endpoint.ip.empty())
            it->second.attributes.addString("host.ip", endpoint.ip);
    }
    return it->second;
}

void ZipkinJsonParser::emit(SpanBatch& batch)
{
    auto find = [this](std::string_view value) -> const Annotation* {
        for (const auto& a : m_annotations) {
            if (a.value == value)
                return &a;
        }
        return nullptr;
    };
    const Annotation* cs = find("cs");
    const Annotation* cr = find("cr");
    const Annotation* sr = find("sr");
    const Annotation* ss = find("ss");
    const Annotation* ms = find("ms");
    const Annotation* mr = find("mr");
    const Annotation* ws = find("ws"); // wire send: a producer's end
    const Annotation* wr = find("wr"); // wire receive: a consumer's start, before its "mr"
    m_v1Style = m_version == Version::V1 || (m_kind == SpanKind::Unspecified && (cs || cr || sr || ss));

    if (!m_v1Style) {
        const Endpoint* remote = m_remote.isEmpty() ? nullptr : &m_remote;
        // Without a timestamp (late or lost data) the earliest annotation is the best start there is.
        std::optional<qint64> start = m_timestamp;
        for (const auto& a : m_annotations)
            start = std::min(start.value_or(a.timeNs), a.timeNs);
        emitHalf(batch, m_shared && m_kind == SpanKind::Unspecified ? SpanKind::Server : m_kind, m_local, remote, start,
            m_duration, true);
        return;
    }

    auto endpointOf = [this](const Annotation* a) -> const Endpoint& {
        return a && !a->endpoint.isEmpty() ? a->endpoint : m_local;
    };
    auto address = [this](std::string_view key) -> const Endpoint* {
        for (const auto& t : m_tags) {
            if (t.key == key)
                return &t.endpoint;
        }
        return nullptr;
    };
    auto span = [](const Annotation* begin, const Annotation* end) -> std::optional<qint64> {
        if (begin && end)
            return end->timeNs - begin->timeNs;
        return std::nullopt;
    };
    const int halves = (cs || cr ? 1 : 0) + (sr || ss ? 1 : 0) + (ms ? 1 : 0) + (mr ? 1 : 0);
    const bool only = halves <= 1;
    if (cs || cr) {
        const qint64 start = cs ? cs->timeNs : m_timestamp.value_or(cr->timeNs);
        const auto duration = cs && cr ? span(cs, cr) : (only ? m_duration : std::nullopt);
        emitHalf(batch, SpanKind::Client, endpointOf(cs ? cs : cr), address("sa"), start, duration, only);
    }
    if (sr || ss) {
        const qint64 start = sr ? sr->timeNs : (only && m_timestamp ? *m_timestamp : ss->timeNs);
        const auto duration = sr && ss ? span(sr, ss) : (only ? m_duration : std::nullopt);
        emitHalf(batch, SpanKind::Server, endpointOf(sr ? sr : ss), address("ca"), start, duration, only);
    }
    // A producer ends at its "ws" (wire send) and a consumer starts at its "wr" (wire receive), its "mr" coming
    // after it, as zipkin-js and Brave write them. Without those, a messaging span alone in its record is the
    // record's timestamp and duration, as Zipkin's v1 converter reads it.
    const auto messagingStart = [&](const Annotation* a) { return only && m_timestamp ? *m_timestamp : a->timeNs; };
    if (ms)
        emitHalf(batch, SpanKind::Producer, endpointOf(ms), address("ma"), messagingStart(ms),
            ws ? span(ms, ws) : (only ? m_duration : std::nullopt), only);
    if (mr)
        emitHalf(batch, SpanKind::Consumer, endpointOf(mr), address("ma"), wr ? wr->timeNs : messagingStart(mr),
            wr ? span(wr, mr) : (only ? m_duration : std::nullopt), only);
    if (halves == 0) {
        // A local span: its endpoint is the "lc" binary annotation's, or any annotation's.
        Endpoint local = m_local;
        for (const auto& t : m_tags) {
            if (local.isEmpty() && !t.endpoint.isEmpty() && !isAddressKey(t.key))
                local = t.endpoint;
        }
        for (const auto& a : m_annotations) {
            if (local.isEmpty() && !a.endpoint.isEmpty())
                local = a.endpoint;
        }
        std::optional<qint64> start = m_timestamp;
        std::optional<qint64> duration = m_duration;
        if (!m_annotations.empty()) {
            const auto [lo, hi] = std::minmax_element(m_annotations.begin(), m_annotations.end(),
                [](const Annotation& a, const Annotation& b) { return a.timeNs < b.timeNs; });
            if (!start)
                start = lo->timeNs;
            if (!duration && hi->timeNs > lo->timeNs)
                duration = hi->timeNs - *start;
        }
        emitHalf(batch, SpanKind::Unspecified, local, nullptr, start, duration, true);
    }
}

void ZipkinJsonParser::emitHalf(SpanBatch& batch, SpanKind kind, const Endpoint& local, const Endpoint* remote,
    std::optional<qint64> startNs, std::optional<qint64> durationNs, bool onlyHalf)
{
    SpanDraft& d = m_draft;
    d.clear();
    d.traceId = m_traceId;
    d.spanId = m_id;
    d.parentId = m_parentId; // a self-parent is kept: the assembler flags it (SelfParent) and makes it a root
    d.operation = m_name;
    d.kind = kind;
    d.service = local.service;
    d.startNs = startNs.value_or(0);
    if (!startNs)
        d.problems |= MissingStart;
    if (durationNs && *durationNs < 0) {
        d.addWarning("annotation timestamps are out of order (the span would end " + std::to_string(-*durationNs / 1000)
            + " µs before it starts); duration set to 0");
        durationNs = 0;
    }
    if (durationNs) {
        d.durationNs = *durationNs;
    } else {
        d.problems |= MissingDuration;
    }
    if (remote && !remote->isEmpty()) {
        if (!remote->service.empty())
            d.attributes.addString("peer.service", remote->service);
        if (!remote->ip.empty())
            d.attributes.addString("net.peer.ip", remote->ip);
        if (remote->port)
            d.attributes.addInt("net.peer.port", remote->port);
    }
    if (m_debug)
        d.attributes.addBool("zipkin.debug", true);
    auto belongsHere = [&](const Endpoint& e) { return onlyHalf || e.isEmpty() || e.service == local.service; };
    for (const auto& t : m_tags) {
        if (isAddressKey(t.key) || !belongsHere(t.endpoint))
            continue;
        d.attributes.addString(t.key, t.value);
        if (t.key == "error") {
            d.status = StatusCode::Error;
            if (!t.value.empty() && t.value != "true")
                d.statusMessage = t.value;
        } else if (t.key == "otel.status_code") {
            // OpenTelemetry's Zipkin exporters (and our writer) carry the status here; only this tag says OK.
            if (t.value == "ERROR")
                d.status = StatusCode::Error;
            else if (t.value == "OK" && d.status == StatusCode::Unset)
                d.status = StatusCode::Ok;
        } else if (t.key == "otel.status_description" && d.statusMessage.empty()) {
            d.statusMessage = t.value;
        }
    }
    static const char* const core[] = { "cs", "cr", "sr", "ss", "ms", "mr" };
    for (const auto& a : m_annotations) {
        // A v2 span keeps "ws"/"wr" as events (Brave records them so); in v1 they time the messaging span.
        const bool isCore = std::any_of(std::begin(core), std::end(core), [&](const char* c) { return a.value == c; })
            || (m_v1Style && (a.value == "ws" || a.value == "wr"));
        if ((isCore && kind != SpanKind::Unspecified) || !belongsHere(a.endpoint))
            continue;
        EventDraft& e = d.addEvent();
        e.timeNs = a.timeNs;
        e.name = a.value;
    }
    batch.add(d, &resourceFor(local));
}

} // namespace tracemap
