#pragma once

#include "analysis/topology.h"
#include "model/trace.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tracemap {

/// Accumulates the service graph of any number of traces (the whole cache, search results, one trace), one trace
/// at a time; build() turns what was seen into a Topology. Memory grows with the distinct services and edges and
/// keeps one duration per span and per call (for exact percentiles), never whole traces.
///
/// Edges, one call each:
/// - a parent and child span in different services (CLIENT→SERVER, PRODUCER→CONSUMER or any other pair);
/// - a CONSUMER span linked to a PRODUCER span of another service in the same trace;
/// - a CLIENT or PRODUCER span without a child (or linked consumer) in another service: a call to the peer named
///   by peer.service, db.system[/db.name], the messaging destination, server.address/net.peer.name/http.host or
///   net.peer.ip; and, the other way round, a CONSUMER span without a producer in another service receives from
///   the peer (the broker) it names.
/// A peer that reports spans itself is that service; otherwise it becomes an inferred node whose figures are those
/// of the calls it received (spans stays 0). Latency is the client/producer span's where there is one.
class TopologyBuilder {
public:
    void add(const Trace& trace);
    Topology build() const;

    /// The kind a name alone suggests: known databases (mysql, postgres, redis, …) and brokers (kafka, rabbitmq,
    /// …), matched on the whole name or its first part ("redis-manual", "postgresql/orders"); else Service.
    static Topology::NodeKind kindFromName(std::string_view name);

private:
    enum Hint : quint8 { DatabaseHint = 1, QueueHint = 2, ExternalHint = 4 };

    struct Peer {
        std::string name;
        quint8 hints = 0;
    };

    struct NodeAccumulator {
        std::string name;
        qint64 spans = 0;
        qint64 errors = 0;
        qint64 entrySpans = 0; // SERVER and CONSUMER
        std::vector<qint64> entryDurations;
        std::vector<qint64> otherDurations;
        quint8 hints = 0; // from the client spans that named this node as their peer
        std::vector<std::pair<std::string, std::string>> attributes; // see Topology::Node::attributes
    };

    struct EdgeAccumulator {
        std::vector<qint64> latencies;
        qint64 errors = 0;
    };

    static Peer peerOf(const Trace& trace, const Span& span);
    static void addResourceAttributes(NodeAccumulator& node, const Trace& trace, const Resource& resource);
    quint32 nodeFor(std::string_view name);
    void addCall(quint32 from, quint32 to, qint64 latencyNs, bool error);

    std::vector<NodeAccumulator> m_nodes;
    std::unordered_map<std::string, quint32> m_nodeByName;
    std::unordered_map<quint64, EdgeAccumulator> m_edges; // key: from << 32 | to
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
    bool m_haveRange = false;
};

} // namespace tracemap
