#include "formats/zipkinspanmapper.h"

#include <algorithm>
#include <limits>

namespace tracemap {

namespace {

bool isAddressKey(std::string_view key)
{
    return key == "sa" || key == "ca" || key == "ma";
}

// end - start of two times from the file, which may lie anywhere in qint64: saturated rather than overflowing, as in
// SpanDraft::setUnixNanoTimes (an overflow here was undefined behaviour, seen writing fuzz_zipkinv1).
qint64 timeBetween(qint64 start, qint64 end)
{
    qint64 difference = 0;
    if (__builtin_sub_overflow(end, start, &difference))
        return end > start ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
    return difference;
}

} // namespace

SpanKind ZipkinSpanMapper::kindFromName(std::string_view name)
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

void ZipkinSpanMapper::clear()
{
    // Field by field rather than a fresh Span, so the vectors keep their allocations between spans.
    m_span.traceId = {};
    m_span.id = m_span.parentId = 0;
    m_span.name.clear();
    m_span.kind = SpanKind::Unspecified;
    m_span.timestampNs.reset();
    m_span.durationNs.reset();
    m_span.local = m_span.remote = {};
    m_span.debug = m_span.shared = false;
    m_span.annotations.clear();
    m_span.tags.clear();
}

ResourceDraft& ZipkinSpanMapper::resourceFor(const Endpoint& endpoint)
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

void ZipkinSpanMapper::emit(SpanBatch& batch)
{
    auto find = [this](std::string_view value) -> const Annotation* {
        for (const auto& a : m_span.annotations) {
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
    m_v1Style = m_v1 || (m_span.kind == SpanKind::Unspecified && (cs || cr || sr || ss));

    if (!m_v1Style) {
        const Endpoint* remote = m_span.remote.isEmpty() ? nullptr : &m_span.remote;
        // Without a timestamp (late or lost data) the earliest annotation is the best start there is.
        std::optional<qint64> start = m_span.timestampNs;
        for (const auto& a : m_span.annotations)
            start = std::min(start.value_or(a.timeNs), a.timeNs);
        emitHalf(batch, m_span.shared && m_span.kind == SpanKind::Unspecified ? SpanKind::Server : m_span.kind,
            m_span.local, remote, start, m_span.durationNs, true);
        return;
    }

    auto endpointOf = [this](const Annotation* a) -> const Endpoint& {
        return a && !a->endpoint.isEmpty() ? a->endpoint : m_span.local;
    };
    auto address = [this](std::string_view key) -> const Endpoint* {
        for (const auto& t : m_span.tags) {
            if (t.key == key)
                return &t.endpoint;
        }
        return nullptr;
    };
    auto span = [](const Annotation* begin, const Annotation* end) -> std::optional<qint64> {
        if (begin && end)
            return timeBetween(begin->timeNs, end->timeNs);
        return std::nullopt;
    };
    const int halves = (cs || cr ? 1 : 0) + (sr || ss ? 1 : 0) + (ms ? 1 : 0) + (mr ? 1 : 0);
    const bool only = halves <= 1;
    if (cs || cr) {
        const qint64 start = cs ? cs->timeNs : m_span.timestampNs.value_or(cr->timeNs);
        const auto duration = cs && cr ? span(cs, cr) : (only ? m_span.durationNs : std::nullopt);
        emitHalf(batch, SpanKind::Client, endpointOf(cs ? cs : cr), address("sa"), start, duration, only);
    }
    if (sr || ss) {
        const qint64 start = sr ? sr->timeNs : (only && m_span.timestampNs ? *m_span.timestampNs : ss->timeNs);
        const auto duration = sr && ss ? span(sr, ss) : (only ? m_span.durationNs : std::nullopt);
        emitHalf(batch, SpanKind::Server, endpointOf(sr ? sr : ss), address("ca"), start, duration, only);
    }
    // A producer ends at its "ws" (wire send) and a consumer starts at its "wr" (wire receive), its "mr" coming
    // after it, as zipkin-js and Brave write them. Without those, a messaging span alone in its record is the
    // record's timestamp and duration, as Zipkin's v1 converter reads it.
    const auto messagingStart
        = [&](const Annotation* a) { return only && m_span.timestampNs ? *m_span.timestampNs : a->timeNs; };
    if (ms)
        emitHalf(batch, SpanKind::Producer, endpointOf(ms), address("ma"), messagingStart(ms),
            ws ? span(ms, ws) : (only ? m_span.durationNs : std::nullopt), only);
    if (mr)
        emitHalf(batch, SpanKind::Consumer, endpointOf(mr), address("ma"), wr ? wr->timeNs : messagingStart(mr),
            wr ? span(wr, mr) : (only ? m_span.durationNs : std::nullopt), only);
    if (halves == 0) {
        // A local span: its endpoint is the "lc" binary annotation's, or any annotation's.
        Endpoint local = m_span.local;
        for (const auto& t : m_span.tags) {
            if (local.isEmpty() && !t.endpoint.isEmpty() && !isAddressKey(t.key))
                local = t.endpoint;
        }
        for (const auto& a : m_span.annotations) {
            if (local.isEmpty() && !a.endpoint.isEmpty())
                local = a.endpoint;
        }
        std::optional<qint64> start = m_span.timestampNs;
        std::optional<qint64> duration = m_span.durationNs;
        if (!m_span.annotations.empty()) {
            const auto [lo, hi] = std::minmax_element(m_span.annotations.begin(), m_span.annotations.end(),
                [](const Annotation& a, const Annotation& b) { return a.timeNs < b.timeNs; });
            if (!start)
                start = lo->timeNs;
            if (!duration && hi->timeNs > lo->timeNs)
                duration = timeBetween(*start, hi->timeNs);
        }
        emitHalf(batch, SpanKind::Unspecified, local, nullptr, start, duration, true);
    }
}

void ZipkinSpanMapper::emitHalf(SpanBatch& batch, SpanKind kind, const Endpoint& local, const Endpoint* remote,
    std::optional<qint64> startNs, std::optional<qint64> durationNs, bool onlyHalf)
{
    SpanDraft& d = m_draft;
    d.clear();
    d.traceId = m_span.traceId;
    d.spanId = m_span.id;
    d.parentId = m_span.parentId; // a self-parent is kept: the assembler flags it (SelfParent) and makes it a root
    d.operation = m_span.name;
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
    if (m_span.debug)
        d.attributes.addBool("zipkin.debug", true);
    auto belongsHere = [&](const Endpoint& e) { return onlyHalf || e.isEmpty() || e.service == local.service; };
    for (const auto& t : m_span.tags) {
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
    for (const auto& a : m_span.annotations) {
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
