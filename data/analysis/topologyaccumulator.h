#pragma once

#include "analysis/servicecalls.h"
#include "analysis/topology.h"
#include "metrics/latencyhistogram.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tracemap {

/// Every duration kept, for exact nearest-rank percentiles: what TopologyBuilder counts a selection of traces with.
class ExactLatencies {
public:
    void add(qint64 durationNs) { m_values.push_back(durationNs); }
    void merge(const ExactLatencies& other)
    {
        m_values.insert(m_values.end(), other.m_values.begin(), other.m_values.end());
    }
    qint64 total() const { return static_cast<qint64>(m_values.size()); }
    /// Sorts them; percentile() needs it.
    void prepare();
    qint64 percentile(double p) const;

private:
    std::vector<qint64> m_values;
};

/// The figures a Topology is made of, gathered node by node and call by call, with the durations kept as
/// `Latencies`: ExactLatencies for the traces of a search, LatencyHistogram (the rollup grid, within 4.4 %) for the
/// cache's rollups. build() makes the Topology the same way for both, so the map reads the same whatever its source.
template <class Latencies> class TopologyAccumulator {
public:
    struct Node {
        std::string name;
        qint64 spans = 0; // reported by the service itself; 0 for a peer known only from its callers
        qint64 errors = 0;
        qint64 entrySpans = 0; // SERVER and CONSUMER
        Latencies entryDurations;
        Latencies otherDurations;
        quint8 hints = 0; // PeerHint bits from the client spans that named this node as their peer
        std::vector<std::pair<std::string, std::string>> attributes; // see Topology::Node::attributes
    };

    /// The node of that name, added on first use.
    Node& node(std::string_view name) { return m_nodes[nodeIndex(name)]; }
    /// Its index, for node(index): stable while nodes are added.
    quint32 nodeIndex(std::string_view name);
    Node& node(quint32 index) { return m_nodes[index]; }
    bool contains(std::string_view name) const { return m_nodeByName.contains(std::string(name)); }
    /// Counts a call (its latency added as `latency`, or merged when that is a whole distribution of calls).
    void addCall(std::string_view caller, std::string_view callee, qint64 calls, qint64 errors,
        const Latencies& latencies, quint8 peerHints = 0);
    void addCall(const ServiceCall& call);
    /// Adds a resource attribute of a service's spans unless the key is known or the node has kMaxNodeAttributes.
    void addAttribute(std::string_view service, std::string_view key, std::string_view value);
    /// The time range the figures cover (rates are per second of it).
    void setTimeRange(qint64 startNs, qint64 endNs);
    void extendTimeRange(qint64 startNs, qint64 endNs);

    Topology build() const;

private:
    struct Edge {
        qint64 calls = 0;
        qint64 errors = 0;
        Latencies latencies;
    };
    void markPeer(quint32 from, quint32 to, quint8 peerHints);

    std::vector<Node> m_nodes;
    std::unordered_map<std::string, quint32> m_nodeByName;
    std::unordered_map<quint64, Edge> m_edges; // key: from << 32 | to
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
    bool m_haveRange = false;
};

extern template class TopologyAccumulator<ExactLatencies>;
extern template class TopologyAccumulator<LatencyHistogram>;

} // namespace tracemap
