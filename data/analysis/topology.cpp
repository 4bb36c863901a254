#include "analysis/topology.h"

#include <algorithm>
#include <deque>

namespace tracemap {

namespace {
constexpr quint32 kDropped = 0xffffffffu;
}

double Topology::metric(const Node& node, Metric metric)
{
    switch (metric) {
    case Metric::P95:
        return static_cast<double>(node.p95Ns);
    case Metric::Rate:
        return node.ratePerSecond;
    case Metric::Errors:
        break;
    }
    return node.errorPercent;
}

const char* Topology::metricName(Metric metric)
{
    switch (metric) {
    case Metric::P95:
        return "p95";
    case Metric::Rate:
        return "rate";
    case Metric::Errors:
        break;
    }
    return "errors";
}

std::optional<Topology::Metric> Topology::metricFromName(std::string_view name)
{
    for (Metric metric : { Metric::Errors, Metric::P95, Metric::Rate }) {
        if (name == metricName(metric))
            return metric;
    }
    return std::nullopt;
}

int Topology::nodeIndex(std::string_view name) const
{
    const auto it = std::lower_bound(
        nodes.begin(), nodes.end(), name, [](const Node& node, std::string_view n) { return node.name < n; });
    if (it == nodes.end() || it->name != name)
        return -1;
    return static_cast<int>(it - nodes.begin());
}

std::vector<qint64> Topology::traffic() const
{
    std::vector<qint64> out(nodes.size(), 0);
    for (size_t i = 0; i < nodes.size(); ++i)
        out[i] = nodes[i].spans;
    for (const Edge& e : edges) {
        out[e.from] += e.calls;
        out[e.to] += e.calls;
    }
    return out;
}

std::string_view Topology::Node::attribute(std::string_view key) const
{
    const auto it = std::ranges::find(attributes, key, [](const auto& kv) { return std::string_view(kv.first); });
    return it == attributes.end() ? std::string_view() : std::string_view(it->second);
}

std::vector<bool> Topology::reachable(quint32 from, Direction direction, int hops) const
{
    std::vector<bool> found(nodes.size(), false);
    if (from >= nodes.size())
        return found;
    std::vector<std::vector<quint32>> next(nodes.size());
    for (const Edge& e : edges) {
        if (direction == Direction::Downstream)
            next[e.from].push_back(e.to);
        else
            next[e.to].push_back(e.from);
    }
    std::vector<int> distance(nodes.size(), -1);
    std::deque<quint32> queue { from };
    distance[from] = 0;
    found[from] = true;
    while (!queue.empty()) {
        const quint32 node = queue.front();
        queue.pop_front();
        if (hops >= 0 && distance[node] >= hops)
            continue;
        for (quint32 n : next[node]) {
            if (distance[n] >= 0)
                continue;
            distance[n] = distance[node] + 1;
            found[n] = true;
            queue.push_back(n);
        }
    }
    return found;
}

Topology Topology::neighbourhood(quint32 center, int hops) const
{
    // Upstream and downstream are walked separately: a caller's other callees are not "up or down" from the
    // center, so an undirected walk would pull in unrelated siblings.
    std::vector<bool> keep = reachable(center, Direction::Downstream, hops);
    const std::vector<bool> up = reachable(center, Direction::Upstream, hops);
    for (size_t i = 0; i < keep.size(); ++i)
        keep[i] = keep[i] || up[i];
    return subgraph(keep);
}

Topology Topology::paths(quint32 from, quint32 to) const
{
    std::vector<bool> keep = reachable(from, Direction::Downstream);
    const std::vector<bool> reachesTo = reachable(to, Direction::Upstream);
    for (size_t i = 0; i < keep.size(); ++i)
        keep[i] = keep[i] && reachesTo[i];
    return subgraph(keep);
}

Topology Topology::subgraph(const std::vector<bool>& keep) const
{
    Topology out;
    out.startNs = startNs;
    out.endNs = endNs;
    out.fromDependencyLinks = fromDependencyLinks;
    std::vector<quint32> newIndex(nodes.size(), kDropped);
    for (quint32 i = 0; i < nodes.size() && i < keep.size(); ++i) {
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
