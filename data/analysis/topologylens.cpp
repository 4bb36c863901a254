#include "analysis/topologylens.h"

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace tracemap {

namespace {

double seconds(const Topology& topology)
{
    // As TopologyBuilder divides counts into rates.
    return std::max(1.0, static_cast<double>(topology.endNs - topology.startNs) / 1e9);
}

double percentOf(qint64 part, double whole)
{
    return whole > 0 ? 100.0 * static_cast<double>(part) / whole : 0.0;
}

// The services the focus keeps.
std::vector<bool> focusedNodes(const Topology& full, const TopologyFocus& focus)
{
    using Direction = Topology::Direction;
    switch (focus.kind) {
    case TopologyFocus::Kind::Everything:
        break;
    case TopologyFocus::Kind::Upstream:
        return full.reachable(focus.from, Direction::Upstream);
    case TopologyFocus::Kind::Downstream:
        return full.reachable(focus.from, Direction::Downstream);
    case TopologyFocus::Kind::Neighbourhood: {
        std::vector<bool> keep = full.reachable(focus.from, Direction::Downstream, focus.hops);
        const std::vector<bool> up = full.reachable(focus.from, Direction::Upstream, focus.hops);
        for (size_t i = 0; i < keep.size(); ++i)
            keep[i] = keep[i] || up[i];
        return keep;
    }
    case TopologyFocus::Kind::Paths: {
        std::vector<bool> keep = full.reachable(focus.from, Direction::Downstream);
        const std::vector<bool> reachesTo = full.reachable(focus.to, Direction::Upstream);
        for (size_t i = 0; i < keep.size(); ++i)
            keep[i] = keep[i] && reachesTo[i];
        return keep;
    }
    }
    return std::vector<bool>(full.nodes.size(), true);
}

struct ShownEdge {
    Topology::Edge edge;
    std::vector<size_t> fullEdges;
};

// Keeps the edges the filters let through; the share is of all calls shown before filtering.
std::vector<ShownEdge> filterEdges(std::vector<ShownEdge> edges, const TopologyFilters& filters)
{
    const qint64 totalCalls = std::accumulate(
        edges.begin(), edges.end(), qint64(0), [](qint64 sum, const ShownEdge& e) { return sum + e.edge.calls; });
    std::erase_if(edges, [&](const ShownEdge& e) {
        return (filters.errorsOnly && e.edge.errors == 0) || e.edge.calls < filters.minCalls
            || percentOf(e.edge.calls, static_cast<double>(totalCalls)) < filters.minSharePercent;
    });
    if (filters.topK > 0 && edges.size() > filters.topK) {
        const auto value = [&](const ShownEdge& e) {
            switch (filters.rankBy) {
            case TopologyFilters::Rank::Errors:
                return e.edge.errors;
            case TopologyFilters::Rank::P95:
                return e.edge.p95Ns;
            case TopologyFilters::Rank::Calls:
                break;
            }
            return e.edge.calls;
        };
        // Ties by position, so the same graph always keeps the same K.
        std::vector<size_t> order(edges.size());
        std::iota(order.begin(), order.end(), 0);
        std::ranges::stable_sort(order, [&](size_t a, size_t b) { return value(edges[a]) > value(edges[b]); });
        std::vector<bool> top(edges.size(), false);
        for (size_t i = 0; i < filters.topK; ++i)
            top[order[i]] = true;
        std::vector<ShownEdge> kept;
        for (size_t i = 0; i < edges.size(); ++i) {
            if (top[i])
                kept.push_back(std::move(edges[i]));
        }
        edges = std::move(kept);
    }
    return edges;
}

} // namespace

bool TopologyFilters::active() const
{
    return minCalls > 0 || minSharePercent > 0 || errorsOnly || topK > 0 || !search.isEmpty();
}

const char* TopologyFilters::rankName(Rank rank)
{
    switch (rank) {
    case Rank::Calls:
        return "calls";
    case Rank::Errors:
        return "errors";
    case Rank::P95:
        return "p95";
    }
    return "calls";
}

QString ShownTopology::describeHidden() const
{
    QStringList parts;
    if (hidden.calls > 0)
        parts << (hidden.calls == 1 ? QStringLiteral("1 call") : QStringLiteral("%1 calls").arg(hidden.calls));
    if (hidden.services > 0)
        parts << (hidden.services == 1 ? QStringLiteral("1 service")
                                       : QStringLiteral("%1 services").arg(hidden.services));
    return parts.isEmpty() ? QString() : parts.join(QStringLiteral(" and ")) + QStringLiteral(" hidden");
}

int ShownTopology::shownNodeOf(quint32 fullNode) const
{
    for (size_t i = 0; i < members.size(); ++i) {
        if (std::ranges::binary_search(members[i], fullNode))
            return static_cast<int>(i);
    }
    return -1;
}

std::string TopologyLens::groupLabel(const std::string& name, size_t members)
{
    return name + " (" + std::to_string(members) + ")";
}

ShownTopology TopologyLens::apply(const Topology& full, const Options& options)
{
    const size_t n = full.nodes.size();
    const TopologyFilters& filters = options.filters;
    std::vector<bool> keep = focusedNodes(full, options.focus);
    if (!filters.search.isEmpty()) {
        for (size_t i = 0; i < n; ++i) {
            keep[i]
                = keep[i] && QString::fromStdString(full.nodes[i].name).contains(filters.search, Qt::CaseInsensitive);
        }
    }

    // Shown nodes: each kept service stands for itself, or for its collapsed group.
    const TopologyGroups* groups = options.groups;
    const auto collapsedGroupOf = [&](size_t node) -> int {
        if (!groups || node >= groups->groupOf.size())
            return -1;
        const int g = groups->groupOf[node];
        const bool expanded = g >= 0 && static_cast<size_t>(g) < options.expanded.size() && options.expanded[size_t(g)];
        return expanded ? -1 : g;
    };
    struct Draft {
        std::string name;
        int group = -1;
        std::vector<quint32> members;
    };
    std::vector<Draft> drafts;
    std::map<int, size_t> draftOfGroup;
    for (quint32 i = 0; i < n; ++i) {
        if (!keep[i])
            continue;
        const int g = collapsedGroupOf(i);
        if (g < 0) {
            drafts.push_back({ full.nodes[i].name, -1, { i } });
            continue;
        }
        auto [it, inserted] = draftOfGroup.try_emplace(g, drafts.size());
        if (inserted)
            drafts.push_back({ groups->names[size_t(g)], g, {} });
        drafts[it->second].members.push_back(i);
    }
    for (Draft& d : drafts) {
        if (d.group >= 0)
            d.name = groupLabel(d.name, d.members.size());
    }
    std::ranges::sort(drafts, {}, &Draft::name); // Topology's nodes are sorted by name

    std::vector<int> shownOf(n, -1);
    for (size_t s = 0; s < drafts.size(); ++s) {
        for (quint32 member : drafts[s].members)
            shownOf[member] = static_cast<int>(s);
    }

    // Calls between shown nodes, summed; those inside a collapsed group are part of it.
    std::map<std::pair<int, int>, ShownEdge> byPair;
    std::vector<bool> insideGroup(full.edges.size(), false);
    for (size_t e = 0; e < full.edges.size(); ++e) {
        const Topology::Edge& edge = full.edges[e];
        const int from = shownOf[edge.from];
        const int to = shownOf[edge.to];
        if (from < 0 || to < 0)
            continue;
        if (from == to && drafts[size_t(from)].group >= 0) {
            insideGroup[e] = true;
            continue;
        }
        ShownEdge& shown = byPair[{ from, to }];
        Topology::Edge& sum = shown.edge;
        sum.from = static_cast<quint32>(from);
        sum.to = static_cast<quint32>(to);
        sum.calls += edge.calls;
        sum.errors += edge.errors;
        sum.p50Ns = std::max(sum.p50Ns, edge.p50Ns);
        sum.p95Ns = std::max(sum.p95Ns, edge.p95Ns);
        sum.p99Ns = std::max(sum.p99Ns, edge.p99Ns);
        shown.fullEdges.push_back(e);
    }
    std::vector<ShownEdge> edges;
    edges.reserve(byPair.size());
    for (auto& [pair, shown] : byPair) {
        shown.edge.errorPercent = percentOf(shown.edge.errors, static_cast<double>(shown.edge.calls));
        edges.push_back(std::move(shown));
    }
    std::vector<bool> hadEdges(drafts.size(), false);
    for (const ShownEdge& e : edges)
        hadEdges[e.edge.from] = hadEdges[e.edge.to] = true;
    edges = filterEdges(std::move(edges), filters);

    // A node whose every call was filtered away goes with them: alone on the map it says nothing about the
    // filtered graph. One that had no calls to begin with stays.
    std::vector<bool> hasEdges(drafts.size(), false);
    for (const ShownEdge& e : edges)
        hasEdges[e.edge.from] = hasEdges[e.edge.to] = true;
    std::vector<int> finalIndex(drafts.size(), -1);
    ShownTopology out;
    out.topology.startNs = full.startNs;
    out.topology.endNs = full.endNs;
    out.topology.fromDependencyLinks = full.fromDependencyLinks;
    const double span = seconds(full);
    size_t shownServices = 0;
    for (size_t s = 0; s < drafts.size(); ++s) {
        if (hadEdges[s] && !hasEdges[s])
            continue;
        Draft& d = drafts[s];
        finalIndex[s] = static_cast<int>(out.topology.nodes.size());
        shownServices += d.members.size();
        if (d.group < 0) {
            out.topology.nodes.push_back(full.nodes[d.members.front()]);
        } else {
            Topology::Node node;
            node.name = d.name;
            node.groupSize = static_cast<quint32>(d.members.size());
            node.kind = full.nodes[d.members.front()].kind;
            node.inferred = true;
            double rate = 0;
            for (quint32 m : d.members) {
                const Topology::Node& member = full.nodes[m];
                node.spans += member.spans;
                node.errors += member.errors;
                rate += member.ratePerSecond;
                node.p95Ns = std::max(node.p95Ns, member.p95Ns);
                node.inferred = node.inferred && member.inferred;
                if (member.kind != node.kind)
                    node.kind = Topology::NodeKind::Service;
            }
            node.ratePerSecond = rate;
            node.errorPercent = percentOf(node.errors, rate * span);
            out.topology.nodes.push_back(std::move(node));
        }
        out.members.push_back(std::move(d.members));
        out.group.push_back(d.group);
    }

    std::vector<bool> drawn(full.edges.size(), false);
    for (ShownEdge& e : edges) {
        e.edge.from = static_cast<quint32>(finalIndex[e.edge.from]);
        e.edge.to = static_cast<quint32>(finalIndex[e.edge.to]);
        out.topology.edges.push_back(e.edge);
        for (size_t f : e.fullEdges)
            drawn[f] = true;
    }
    std::ranges::sort(out.topology.edges, {}, [](const Topology::Edge& e) { return std::pair(e.from, e.to); });

    out.hidden.services = n - shownServices;
    for (size_t e = 0; e < full.edges.size(); ++e) {
        if (drawn[e] || (insideGroup[e] && finalIndex[size_t(shownOf[full.edges[e].from])] >= 0))
            continue;
        ++out.hidden.calls;
        out.hidden.callCount += full.edges[e].calls;
    }
    if (options.sizeBy)
        sizeByMetric(out.topology, *options.sizeBy);
    return out;
}

void TopologyLens::sizeByMetric(Topology& topology, Topology::Metric metric)
{
    double highest = 0;
    for (const Topology::Node& node : topology.nodes)
        highest = std::max(highest, Topology::metric(node, metric));
    for (Topology::Node& node : topology.nodes) {
        const double value = Topology::metric(node, metric);
        // Area in proportion to the value: the eye compares areas, so twice the rate looks twice as big.
        node.scale = highest > 0 && value > 0 ? 1 + (Topology::kMaxNodeScale - 1) * std::sqrt(value / highest) : 1;
    }
}

} // namespace tracemap
