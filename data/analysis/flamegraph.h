#pragma once

#include "model/stringtable.h"
#include "model/trace.h"

#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tracemap {

/// An aggregated flame graph over many traces: every distinct call path of `service:operation` frames is one node,
/// holding the total time (sum of the durations of the spans on that path), the self time (SelfTime), the self time
/// in and below it, and the number of spans. Memory grows with the number of distinct paths, not with spans.
///
/// add() traces, then build(): nodes() are then in pre-order, node 0 being the root "all" (total = sum of the root
/// spans' durations, count = traces added), each node's subtree is the range [node, subtreeEnd), and children()
/// are ordered as asked. Building again after more add() calls is fine.
class FlameGraph {
public:
    enum class Order { TotalDescending, Name };

    struct Node {
        StringId name = 0; // "service:operation", in names()
        quint32 parent = kNoIndex;
        quint32 depth = 0;
        qint64 totalNs = 0;
        qint64 selfNs = 0;
        /// Per span, its self time plus its children's subtree self times, capped at its duration (children that
        /// overlap each other or outlast it would otherwise count wall time twice); summed over the node's spans.
        /// Never more than totalNs; the children's sum can be more, when they overlap.
        qint64 subtreeSelfNs = 0;
        qint64 count = 0;
        Range children; // into childIndex()
        quint32 subtreeEnd = 0;
    };

    FlameGraph();

    void add(const Trace& trace);
    void build(Order order = Order::TotalDescending);

    const std::vector<Node>& nodes() const { return m_nodes; }
    std::span<const quint32> children(quint32 node) const;
    std::string_view name(quint32 node) const { return m_names.at(m_nodes[node].name); }
    /// The child of `node` with this frame name, or kNoIndex.
    quint32 child(quint32 node, std::string_view name) const;
    Range subtree(quint32 node) const { return { node, m_nodes[node].subtreeEnd - node }; }
    quint32 maxDepth() const;
    size_t traceCount() const { return m_traceCount; }
    /// When the graph aggregates only the newest traces of more (a whole large cache): how many there were; else 0.
    size_t sampledFrom() const { return m_sampledFrom; }
    void setSampledFrom(size_t traces) { m_sampledFrom = traces; }
    Order order() const { return m_order; }

    /// The subtree under `node` as a graph of its own, `node` becoming its root (for click-to-zoom).
    FlameGraph zoomedTo(quint32 node) const;

private:
    struct RawNode {
        StringId name = 0;
        quint32 parent = kNoIndex;
        qint64 totalNs = 0;
        qint64 selfNs = 0;
        qint64 subtreeSelfNs = 0;
        qint64 count = 0;
    };
    quint32 rawChild(quint32 parent, StringId name);

    StringTable m_names;
    std::vector<RawNode> m_raw; // in creation order; m_raw[0] is the root
    std::unordered_map<quint64, quint32> m_rawIndex; // (parent << 32 | name) -> raw node
    std::vector<Node> m_nodes;
    std::vector<quint32> m_childIndex;
    size_t m_traceCount = 0;
    size_t m_sampledFrom = 0;
    Order m_order = Order::TotalDescending;
};

} // namespace tracemap
