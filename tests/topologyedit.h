#pragma once

// Topologies grown and shrunk by one service, as live spans grow a map, and seeded synthetic service graphs: shared
// by tst_layoutstability and bench_layoutstability. Needs tracemap_analysis (header-only use of Topology).

#include "analysis/topology.h"

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace testsupport {

/// A service with figures, so its box has the two lines of a real one.
inline tracemap::Topology::Node figuredService(std::string name)
{
    tracemap::Topology::Node node;
    node.name = std::move(name);
    node.spans = 120;
    node.ratePerSecond = 2.5;
    return node;
}

/// `topology` with `node` added (kept in name order, edge indices remapped) and a call from each of `callers` and
/// to each of `callees` (names of existing services). Edges stay sorted by (from, to).
inline tracemap::Topology withService(const tracemap::Topology& topology, tracemap::Topology::Node node,
    const std::vector<std::string>& callers, const std::vector<std::string>& callees)
{
    using tracemap::Topology;
    Topology out = topology;
    const auto at = std::lower_bound(out.nodes.begin(), out.nodes.end(), node.name,
        [](const Topology::Node& n, const std::string& name) { return n.name < name; });
    const auto index = static_cast<quint32>(at - out.nodes.begin());
    out.nodes.insert(at, std::move(node));
    for (Topology::Edge& edge : out.edges) {
        edge.from += edge.from >= index ? 1 : 0;
        edge.to += edge.to >= index ? 1 : 0;
    }
    const auto call = [](int from, int to) {
        Topology::Edge edge;
        edge.from = static_cast<quint32>(from);
        edge.to = static_cast<quint32>(to);
        edge.calls = 10;
        edge.p95Ns = 2'000'000;
        return edge;
    };
    for (const std::string& name : callers) {
        if (const int from = out.nodeIndex(name); from >= 0)
            out.edges.push_back(call(from, static_cast<int>(index)));
    }
    for (const std::string& name : callees) {
        if (const int to = out.nodeIndex(name); to >= 0)
            out.edges.push_back(call(static_cast<int>(index), to));
    }
    std::sort(out.edges.begin(), out.edges.end(), [](const Topology::Edge& a, const Topology::Edge& b) {
        return std::tie(a.from, a.to) < std::tie(b.from, b.to);
    });
    return out;
}

/// `topology` without the service `name` and its calls.
inline tracemap::Topology withoutService(const tracemap::Topology& topology, const std::string& name)
{
    using tracemap::Topology;
    const int removed = topology.nodeIndex(name);
    if (removed < 0)
        return topology;
    const auto index = static_cast<quint32>(removed);
    Topology out = topology;
    out.nodes.erase(out.nodes.begin() + removed);
    out.edges.clear();
    for (Topology::Edge edge : topology.edges) {
        if (edge.from == index || edge.to == index)
            continue;
        edge.from -= edge.from > index ? 1 : 0;
        edge.to -= edge.to > index ? 1 : 0;
        out.edges.push_back(edge);
    }
    return out;
}

/// The three ways issue 12 grows a map by one service, each picked with `random`: a new leaf called by a random
/// service, a new service in the middle of a random call (caller → new → callee; the call itself stays), and a
/// new root calling a random service nobody calls (any service when every one is called).
enum class Growth { Leaf, Middle, Root };

inline const char* growthName(Growth growth)
{
    return growth == Growth::Leaf ? "leaf" : growth == Growth::Middle ? "middle" : "root";
}

inline tracemap::Topology grown(
    const tracemap::Topology& topology, Growth growth, std::mt19937& random, const std::string& name = "new-service")
{
    using tracemap::Topology;
    const auto pick = [&random](size_t count) { return std::uniform_int_distribution<size_t>(0, count - 1)(random); };
    const auto nameOf = [&topology](quint32 i) { return topology.nodes[i].name; };
    if (growth == Growth::Middle && !topology.edges.empty()) {
        const Topology::Edge& e = topology.edges[pick(topology.edges.size())];
        return withService(topology, figuredService(name), { nameOf(e.from) }, { nameOf(e.to) });
    }
    if (growth == Growth::Root) {
        std::vector<bool> called(topology.nodes.size(), false);
        for (const Topology::Edge& e : topology.edges)
            called[e.to] = e.from != e.to;
        std::vector<quint32> roots;
        for (quint32 i = 0; i < topology.nodes.size(); ++i) {
            if (!called[i])
                roots.push_back(i);
        }
        const quint32 root
            = roots.empty() ? static_cast<quint32>(pick(topology.nodes.size())) : roots[pick(roots.size())];
        return withService(topology, figuredService(name), {}, { nameOf(root) });
    }
    return withService(
        topology, figuredService(name), { nameOf(static_cast<quint32>(pick(topology.nodes.size()))) }, {});
}

/// A seeded service graph of `services` services in call-depth layers (a few front doors, then layers of
/// services each called by one to three services of earlier layers, a database or cache under some), the shape
/// of a microservice system.
inline tracemap::Topology generatedGraph(size_t services, unsigned seed)
{
    using tracemap::Topology;
    std::mt19937 random(seed);
    const auto uniform
        = [&random](size_t low, size_t high) { return std::uniform_int_distribution<size_t>(low, high)(random); };
    const size_t layers = std::clamp<size_t>(services / 8, 3, 7);
    std::vector<size_t> layer(services);
    std::vector<std::string> names(services);
    for (size_t i = 0; i < services; ++i) {
        layer[i] = i < std::max<size_t>(1, services / 20) ? 0 : uniform(1, layers - 1);
        const bool store = layer[i] + 1 == layers && uniform(0, 2) == 0;
        names[i] = (store ? "db-" : "svc-") + std::to_string(1000 + i).substr(1);
    }
    Topology t;
    std::vector<std::pair<size_t, size_t>> calls;
    for (size_t i = 0; i < services; ++i) {
        if (layer[i] == 0)
            continue;
        std::vector<size_t> earlier;
        for (size_t j = 0; j < services; ++j) {
            if (layer[j] < layer[i])
                earlier.push_back(j);
        }
        const size_t count = std::min<size_t>(earlier.size(), uniform(1, 3));
        std::shuffle(earlier.begin(), earlier.end(), random);
        for (size_t c = 0; c < count; ++c)
            calls.emplace_back(earlier[c], i);
    }
    std::vector<size_t> order(services);
    for (size_t i = 0; i < services; ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&names](size_t a, size_t b) { return names[a] < names[b]; });
    std::vector<quint32> indexOf(services);
    for (size_t k = 0; k < services; ++k) {
        indexOf[order[k]] = static_cast<quint32>(k);
        Topology::Node node = figuredService(names[order[k]]);
        if (names[order[k]].starts_with("db-"))
            node.kind = Topology::NodeKind::Database;
        t.nodes.push_back(std::move(node));
    }
    for (const auto& [from, to] : calls) {
        Topology::Edge edge;
        edge.from = indexOf[from];
        edge.to = indexOf[to];
        edge.calls = static_cast<qint64>(uniform(1, 500));
        t.edges.push_back(edge);
    }
    std::sort(t.edges.begin(), t.edges.end(), [](const Topology::Edge& a, const Topology::Edge& b) {
        return std::tie(a.from, a.to) < std::tie(b.from, b.to);
    });
    return t;
}

} // namespace testsupport
