#include "analysis/topology.h"

#include <algorithm>
#include <deque>

namespace tracemap {

namespace {
constexpr quint32 kDropped = 0xffffffffu;
}

int Topology::nodeIndex(std::string_view name) const
{
    const auto it = std::lower_bound(
        nodes.begin(), nodes.end(), name, [](const Node& node, std::string_view n) { return node.name < n; });
    if (it == nodes.end() || it->name != name)
        return -1;
    return static_cast<int>(it - nodes.begin());
}

Topology Topology::neighbourhood(quint32 center, int hops) const
{
    Topology out;
    out.startNs = startNs;
    out.fromDependencyLinks = fromDependencyLinks;
    out.endNs = endNs;
    if (center >= nodes.size())
        return out;

    std::vector<std::vector<quint32>> callees(nodes.size());
    std::vector<std::vector<quint32>> callers(nodes.size());
    for (const Edge& e : edges) {
        callees[e.from].push_back(e.to);
        callers[e.to].push_back(e.from);
    }

    // Upstream and downstream are walked separately: a caller's other callees are not "up or down" from the
    // center, so an undirected walk would pull in unrelated siblings.
    std::vector<bool> keep(nodes.size(), false);
    keep[center] = true;
    auto walk = [&](const std::vector<std::vector<quint32>>& adjacency) {
        std::vector<int> distance(nodes.size(), -1);
        std::deque<quint32> queue { center };
        distance[center] = 0;
        while (!queue.empty()) {
            const quint32 node = queue.front();
            queue.pop_front();
            if (distance[node] >= hops)
                continue;
            for (quint32 next : adjacency[node]) {
                if (distance[next] >= 0)
                    continue;
                distance[next] = distance[node] + 1;
                keep[next] = true;
                queue.push_back(next);
            }
        }
    };
    walk(callees);
    walk(callers);

    std::vector<quint32> newIndex(nodes.size(), kDropped);
    for (quint32 i = 0; i < nodes.size(); ++i) {
        if (!keep[i])
            continue;
        newIndex[i] = static_cast<quint32>(out.nodes.size());
        out.nodes.push_back(nodes[i]);
    }
    // The old order is (from, to) and the re-indexing keeps node order, so the edges stay sorted.
    for (const Edge& e : edges) {
        if (newIndex[e.from] == kDropped || newIndex[e.to] == kDropped)
            continue;
        Edge copy = e;
        copy.from = newIndex[e.from];
        copy.to = newIndex[e.to];
        out.edges.push_back(copy);
    }
    return out;
}

const char* nodeKindName(Topology::NodeKind kind)
{
    switch (kind) {
    case Topology::NodeKind::Service:
        return "service";
    case Topology::NodeKind::Database:
        return "database";
    case Topology::NodeKind::Queue:
        return "queue";
    case Topology::NodeKind::External:
        return "external";
    }
    return "service";
}

} // namespace tracemap
