#include "analysis/topologyaccumulator.h"

#include "analysis/spanstatistics.h"
#include "analysis/topologybuilder.h"

#include <algorithm>

namespace tracemap {

namespace {

double percentOf(qint64 part, qint64 whole)
{
    return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// Ready for percentile(): sorted, for exact latencies.
template <class Latencies> Latencies prepared(Latencies latencies)
{
    if constexpr (requires { latencies.prepare(); })
        latencies.prepare();
    return latencies;
}

} // namespace

void ExactLatencies::prepare()
{
    std::sort(m_values.begin(), m_values.end());
}

qint64 ExactLatencies::percentile(double p) const
{
    return SpanStatistics::percentile(m_values, p);
}

template <class Latencies> quint32 TopologyAccumulator<Latencies>::nodeIndex(std::string_view name)
{
    const auto [it, inserted] = m_nodeByName.try_emplace(std::string(name), static_cast<quint32>(m_nodes.size()));
    if (inserted) {
        m_nodes.emplace_back();
        m_nodes.back().name = name;
    }
    return it->second;
}

template <class Latencies> void TopologyAccumulator<Latencies>::markPeer(quint32 from, quint32 to, quint8 peerHints)
{
    m_nodes[(peerHints & PeerIsCaller) ? from : to].hints |= static_cast<quint8>(peerHints & ~PeerIsCaller);
}

template <class Latencies>
void TopologyAccumulator<Latencies>::addCall(std::string_view caller, std::string_view callee, qint64 calls,
    qint64 errors, const Latencies& latencies, quint8 peerHints)
{
    const quint32 from = nodeIndex(caller);
    const quint32 to = nodeIndex(callee);
    markPeer(from, to, peerHints);
    Edge& edge = m_edges[(static_cast<quint64>(from) << 32) | to];
    edge.calls += calls;
    edge.errors += errors;
    edge.latencies.merge(latencies);
}

template <class Latencies> void TopologyAccumulator<Latencies>::addCall(const ServiceCall& call)
{
    const quint32 from = nodeIndex(call.caller);
    const quint32 to = nodeIndex(call.callee);
    markPeer(from, to, call.peerHints);
    Edge& edge = m_edges[(static_cast<quint64>(from) << 32) | to];
    ++edge.calls;
    edge.errors += call.error ? 1 : 0;
    edge.latencies.add(call.latencyNs);
}

template <class Latencies>
void TopologyAccumulator<Latencies>::addAttribute(
    std::string_view service, std::string_view key, std::string_view value)
{
    Node& n = node(service);
    if (n.attributes.size() >= Topology::kMaxNodeAttributes)
        return;
    if (std::ranges::find(n.attributes, key, [](const auto& kv) { return std::string_view(kv.first); })
        == n.attributes.end())
        n.attributes.emplace_back(key, value);
}

template <class Latencies> void TopologyAccumulator<Latencies>::setTimeRange(qint64 startNs, qint64 endNs)
{
    m_startNs = startNs;
    m_endNs = endNs;
    m_haveRange = true;
}

template <class Latencies> void TopologyAccumulator<Latencies>::extendTimeRange(qint64 startNs, qint64 endNs)
{
    if (!m_haveRange)
        return setTimeRange(startNs, endNs);
    m_startNs = std::min(m_startNs, startNs);
    m_endNs = std::max(m_endNs, endNs);
}

template <class Latencies> Topology TopologyAccumulator<Latencies>::build() const
{
    Topology topology;
    topology.startNs = m_startNs;
    topology.endNs = m_endNs;
    const double seconds = std::max(1.0, static_cast<double>(m_endNs - m_startNs) / 1e9);

    std::vector<quint32> order(m_nodes.size());
    for (quint32 i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [this](quint32 a, quint32 b) { return m_nodes[a].name < m_nodes[b].name; });
    std::vector<quint32> newIndex(m_nodes.size());
    for (quint32 i = 0; i < order.size(); ++i)
        newIndex[order[i]] = i;

    // Inferred nodes report nothing themselves; they are described by the calls they received.
    std::vector<qint64> receivedCalls(m_nodes.size(), 0);
    std::vector<qint64> receivedErrors(m_nodes.size(), 0);
    std::vector<Latencies> receivedLatencies(m_nodes.size());

    topology.edges.reserve(m_edges.size());
    for (const auto& [key, acc] : m_edges) {
        const auto from = static_cast<quint32>(key >> 32);
        const auto to = static_cast<quint32>(key & 0xffffffffu);
        const Latencies latencies = prepared(acc.latencies);
        Topology::Edge edge;
        edge.from = newIndex[from];
        edge.to = newIndex[to];
        edge.calls = acc.calls;
        edge.errors = acc.errors;
        edge.errorPercent = percentOf(edge.errors, edge.calls);
        edge.p50Ns = latencies.percentile(50);
        edge.p95Ns = latencies.percentile(95);
        edge.p99Ns = latencies.percentile(99);
        topology.edges.push_back(edge);
        if (m_nodes[to].spans == 0) {
            receivedCalls[to] += edge.calls;
            receivedErrors[to] += edge.errors;
            receivedLatencies[to].merge(acc.latencies);
        }
    }
    std::sort(topology.edges.begin(), topology.edges.end(), [](const Topology::Edge& a, const Topology::Edge& b) {
        return std::pair(a.from, a.to) < std::pair(b.from, b.to);
    });

    topology.nodes.reserve(m_nodes.size());
    for (quint32 i : order) {
        const Node& acc = m_nodes[i];
        Topology::Node node;
        node.name = acc.name;
        node.inferred = acc.spans == 0;
        const Topology::NodeKind byName = TopologyBuilder::kindFromName(acc.name);
        Latencies durations;
        qint64 count = 0;
        if (node.inferred) {
            if (acc.hints & DatabaseHint)
                node.kind = Topology::NodeKind::Database;
            else if (acc.hints & QueueHint)
                node.kind = Topology::NodeKind::Queue;
            else if (byName != Topology::NodeKind::Service)
                node.kind = byName;
            else if (acc.hints & ExternalHint)
                node.kind = Topology::NodeKind::External;
            durations = prepared(std::move(receivedLatencies[i]));
            count = receivedCalls[i];
            node.errors = receivedErrors[i];
        } else {
            // A service that answers requests is a service whatever its name; one that only makes calls and is
            // named like a database ("mysql", "redis-manual") stands for that database.
            node.kind = acc.entrySpans > 0 ? Topology::NodeKind::Service : byName;
            durations = prepared(acc.entrySpans > 0 ? acc.entryDurations : acc.otherDurations);
            count = acc.spans;
            node.spans = acc.spans;
            node.errors = acc.errors;
        }
        node.errorPercent = percentOf(node.errors, count);
        node.ratePerSecond = static_cast<double>(count) / seconds;
        node.p95Ns = durations.percentile(95);
        node.attributes = acc.attributes;
        std::ranges::sort(node.attributes);
        topology.nodes.push_back(std::move(node));
    }
    return topology;
}

template class TopologyAccumulator<ExactLatencies>;
template class TopologyAccumulator<LatencyHistogram>;

} // namespace tracemap
