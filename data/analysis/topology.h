#pragma once

#include <QtGlobal>

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
        qint64 p95Ns = 0; // of the node's server/consumer (entry) spans, else of all its spans
    };

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
    /// The nodes within `hops` calls up or down from `center` (both directions), center included; the graph
    /// restricted to them.
    Topology neighbourhood(quint32 center, int hops) const;
};

const char* nodeKindName(Topology::NodeKind kind);

} // namespace tracemap
