#include "analysis/servicecalls.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

namespace tracemap {

namespace {

bool isCaller(SpanKind kind)
{
    return kind == SpanKind::Client || kind == SpanKind::Producer;
}

struct Peer {
    std::string name;
    quint8 hints = 0;
};

// The peer a client, producer or consumer span names in its attributes; an empty name when it names none.
Peer peerOf(const Trace& trace, const Span& span)
{
    // In order of preference within each group; OpenTracing's names (db.type, db.instance, peer.hostname) back up
    // the OpenTelemetry ones.
    enum Key {
        PeerService,
        ServicePeerName,
        DbSystem,
        DbSystemName,
        DbType,
        DbName,
        DbNamespace,
        DbInstance,
        MessagingSystem,
        DestinationName,
        Destination,
        ServerAddress,
        NetPeerName,
        PeerHostname,
        HttpHost,
        NetPeerIp,
        KeyCount
    };
    static constexpr std::array<std::string_view, KeyCount> kKeys { "peer.service", "service.peer.name", "db.system",
        "db.system.name", "db.type", "db.name", "db.namespace", "db.instance", "messaging.system",
        "messaging.destination.name", "messaging.destination", "server.address", "net.peer.name", "peer.hostname",
        "http.host", "net.peer.ip" };
    std::array<std::string_view, KeyCount> values;
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        if (a.type != ValueType::String)
            continue;
        const auto it = std::find(kKeys.begin(), kKeys.end(), trace.string(a.key));
        if (it != kKeys.end() && values[static_cast<size_t>(it - kKeys.begin())].empty())
            values[static_cast<size_t>(it - kKeys.begin())] = trace.text(a.ref);
    }
    auto first = [&](std::initializer_list<Key> keys) -> std::string_view {
        for (Key k : keys) {
            if (!values[k].empty())
                return values[k];
        }
        return {};
    };

    Peer peer;
    const std::string_view service = first({ PeerService, ServicePeerName });
    const std::string_view dbSystem = first({ DbSystem, DbSystemName, DbType });
    const std::string_view destination = first({ DestinationName, Destination });
    const std::string_view address = first({ ServerAddress, NetPeerName, PeerHostname, HttpHost, NetPeerIp });
    if (!dbSystem.empty())
        peer.hints |= DatabaseHint;
    if (!values[MessagingSystem].empty() || span.kind == SpanKind::Producer || span.kind == SpanKind::Consumer)
        peer.hints |= QueueHint;
    if (!service.empty()) {
        peer.name = service;
    } else if (!dbSystem.empty()) {
        peer.name = dbSystem;
        if (const std::string_view database = first({ DbName, DbNamespace, DbInstance }); !database.empty()) {
            peer.name += '/';
            peer.name += database;
        }
    } else if (!destination.empty()) {
        peer.name = destination;
        peer.hints |= QueueHint;
    } else if (!address.empty()) {
        peer.name = address;
        peer.hints |= ExternalHint;
    }
    return peer;
}

} // namespace

void forEachServiceCall(const Trace& trace, const std::function<void(const ServiceCall&)>& visit)
{
    const size_t n = trace.spans.size();
    // Two spans are in the same service when their names are equal (two string ids may name one service).
    auto sameService = [&](const Span& a, const Span& b) {
        return a.service == b.service || trace.string(a.service) == trace.string(b.service);
    };

    // Calls between instrumented services: parent/child pairs across a service boundary.
    std::vector<bool> callsOut(n, false); // a child or linked consumer in another service
    std::vector<bool> calledIn(n, false); // a parent or linked producer in another service
    for (size_t i = 0; i < n; ++i) {
        const Span& child = trace.spans[i];
        if (child.parent == kNoIndex || child.service == 0)
            continue;
        const Span& parent = trace.spans[child.parent];
        if (parent.service == 0 || sameService(parent, child))
            continue;
        const bool clientSide = isCaller(parent.kind);
        visit(ServiceCall { trace.string(parent.service), trace.string(child.service), parent.startNs,
            clientSide ? parent.durationNs : child.durationNs, child.isError() || (clientSide && parent.isError()) });
        callsOut[child.parent] = true;
        calledIn[i] = true;
    }

    // Messaging through span links: a consumer linked to the producer of its message.
    std::unordered_map<SpanId, quint32> indexOfId;
    for (size_t i = 0; i < n; ++i) {
        const Span& consumer = trace.spans[i];
        if (consumer.kind != SpanKind::Consumer || consumer.links.count == 0 || consumer.service == 0)
            continue;
        if (indexOfId.empty()) {
            for (size_t j = 0; j < n; ++j)
                indexOfId.try_emplace(trace.spans[j].id, static_cast<quint32>(j));
        }
        for (quint32 l = consumer.links.begin; l < consumer.links.end(); ++l) {
            const Link& link = trace.links[l];
            if (link.traceId != trace.id)
                continue;
            const auto it = indexOfId.find(link.spanId);
            if (it == indexOfId.end() || it->second == consumer.parent)
                continue;
            const Span& producer = trace.spans[it->second];
            if (producer.kind != SpanKind::Producer || producer.service == 0 || sameService(producer, consumer))
                continue;
            visit(ServiceCall { trace.string(producer.service), trace.string(consumer.service), producer.startNs,
                producer.durationNs, producer.isError() || consumer.isError() });
            callsOut[it->second] = true;
            calledIn[i] = true;
        }
    }

    // Calls leaving the instrumented world: the peer is known only by the caller's attributes.
    for (size_t i = 0; i < n; ++i) {
        const Span& span = trace.spans[i];
        if (span.service == 0)
            continue;
        const bool outgoing = isCaller(span.kind) && !callsOut[i];
        // A consumer under another consumer of the same service (receive → process) was counted at the first one.
        const bool incoming = span.kind == SpanKind::Consumer && !calledIn[i]
            && (span.parent == kNoIndex || trace.spans[span.parent].kind != SpanKind::Consumer);
        if (!outgoing && !incoming)
            continue;
        const Peer peer = peerOf(trace, span);
        const std::string_view self = trace.string(span.service);
        if (peer.name.empty() || peer.name == self)
            continue;
        ServiceCall call { self, peer.name, span.startNs, span.durationNs, span.isError(), peer.hints };
        if (!outgoing) {
            std::swap(call.caller, call.callee);
            call.peerHints |= PeerIsCaller;
        }
        visit(call);
    }
}

} // namespace tracemap
