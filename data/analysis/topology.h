#pragma once

#include <QtGlobal>

#include <optional>
#include <string>
#include <vector>

namespace tracemap {

/// A service dependency graph with per-node and per-edge figures, computed from spans (TopologyBuilder) or read
/// from a dependency-link file (DependencyLinksReader). Plain data: the layout and the views read it.
struct Topology {
    enum class NodeKind : quint8 { Service, Database, Queue, External };

    struct Node {
        std::string name;
        NodeKind kind = NodeKind::Service;
        bool inferred = false; // seen only as the peer of a client/producer span, never reporting spans itself
        qint64 spans = 0; // spans the service reported (0 for inferred nodes)
        qint64 errors = 0;
        double errorPercent = 0;
        double ratePerSecond = 0; // spans per second over the loaded time range
        qint64 p95Ns = 0; // of the node's server/consumer (entry) spans, else of all its spans (with a duration)
        quint32 groupSize = 0; // > 0: a collapsed group of this many services (TopologyLens), figures summed
        /// How much larger than its label the box is drawn, from 1 to kMaxNodeScale: sizing by a metric
        /// (TopologyLens::Options::sizeBy) sets it, the layout and the painter follow.
        double scale = 1;
        /// String attributes of the resources the service's spans came from (service.namespace,
        /// k8s.namespace.name, …): the first value of each key, at most kMaxNodeAttributes keys. Groups use them.
        std::vector<std::pair<std::string, std::string>> attributes {};

        std::string_view attribute(std::string_view key) const;
    };
    static constexpr size_t kMaxNodeAttributes = 32;
    static constexpr double kMaxNodeScale = 2.0; // the largest box is twice as wide and high as its label

    /// A figure of a service that the map can show as a node's colour or size.
    enum class Metric { Errors, P95, Rate };
    /// Its value: error %, p95 in nanoseconds, spans per second.
    static double metric(const Node& node, Metric metric);
    /// "errors", "p95", "rate": the words of --color-by and --size-by.
    static const char* metricName(Metric metric);
    static std::optional<Metric> metricFromName(std::string_view name);

    struct Edge {
        quint32 from = 0; // index into nodes
        quint32 to = 0;
        qint64 calls = 0;
        qint64 errors = 0;
        double errorPercent = 0;
        qint64 p50Ns = 0; // latency as the caller saw it (client/producer span) where there is one
        qint64 p95Ns = 0;
        qint64 p99Ns = 0;
    };

    std::vector<Node> nodes; // sorted by name
    std::vector<Edge> edges; // sorted by (from, to)
    qint64 startNs = 0; // the time range the figures cover
    qint64 endNs = 0;
    bool fromDependencyLinks = false; // read from a dependency-link file: call counts only, no spans behind it

    /// Index of the node with this name, or -1.
    int nodeIndex(std::string_view name) const;
    /// Per node: its spans plus the calls it makes and receives. How busy it is: the busiest member names a
    /// detected group, and the busiest services are labelled first.
    std::vector<qint64> traffic() const;
    enum class Direction { Downstream, Upstream }; // following calls from caller to callee, or back

    /// Per node: whether it is within `hops` calls of `from` in that direction (`from` included); hops < 0: any
    /// number of calls. Downstream of a service is everything its requests reach; upstream, all that calls it.
    std::vector<bool> reachable(quint32 from, Direction direction, int hops = -1) const;
    /// The nodes within `hops` calls up or down from `center` (both directions), center included; the graph
    /// restricted to them.
    Topology neighbourhood(quint32 center, int hops) const;
    /// Every node and call on a path of calls from `from` to `to` (the nodes reachable from `from` that reach
    /// `to`); empty when there is none.
    Topology paths(quint32 from, quint32 to) const;
    /// The nodes with keep[i] (in their order) and the edges between them; the time range is kept.
    Topology subgraph(const std::vector<bool>& keep) const;
};

const char* nodeKindName(Topology::NodeKind kind);

} // namespace tracemap
