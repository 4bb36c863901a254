#include "analysis/topologygroups.h"

#include <igraph.h>

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <set>

namespace tracemap {

namespace {

bool isSeparator(char c)
{
    return c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
}

// igraph keeps its random number generator, error and warning handlers in globals (Debian builds it without
// thread-local storage), so detection runs one at a time.
std::mutex& igraphMutex()
{
    static std::mutex mutex;
    return mutex;
}

// The igraph objects of one detection, freed whatever happens.
struct IgraphCommunities {
    igraph_t graph {};
    igraph_vector_t weights {};
    igraph_vector_t strengths {};
    igraph_vector_int_t membership {};
    bool graphMade = false;

    IgraphCommunities()
    {
        igraph_vector_init(&weights, 0);
        igraph_vector_init(&strengths, 0);
        igraph_vector_int_init(&membership, 0);
    }
    ~IgraphCommunities()
    {
        if (graphMade)
            igraph_destroy(&graph);
        igraph_vector_destroy(&weights);
        igraph_vector_destroy(&strengths);
        igraph_vector_int_destroy(&membership);
    }
    IgraphCommunities(const IgraphCommunities&) = delete;
    IgraphCommunities& operator=(const IgraphCommunities&) = delete;
};

// Restores igraph's handlers on the way out: ours must not stay when the lock is released.
struct QuietIgraph {
    igraph_error_handler_t* error = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t* warning = igraph_set_warning_handler(igraph_warning_handler_ignore);
    ~QuietIgraph()
    {
        igraph_set_error_handler(error);
        igraph_set_warning_handler(warning);
    }
};

// Per node: its connected component (calls in either direction), numbered from 0.
std::vector<int> components(const Topology& topology)
{
    std::vector<int> parent(topology.nodes.size());
    std::iota(parent.begin(), parent.end(), 0);
    const auto root = [&](int node) {
        while (parent[size_t(node)] != node)
            node = parent[size_t(node)] = parent[size_t(parent[size_t(node)])];
        return node;
    };
    for (const Topology::Edge& e : topology.edges)
        parent[size_t(root(int(e.from)))] = root(int(e.to));
    std::map<int, int> number;
    std::vector<int> out(parent.size());
    for (size_t node = 0; node < parent.size(); ++node)
        out[node] = number.try_emplace(root(int(node)), int(number.size())).first->second;
    return out;
}

// Leiden's membership, or empty when igraph failed (out of memory): the caller then groups nothing. Only clusters
// of `counted` nodes count towards maxGroups.
std::vector<int> leidenMembership(
    const Topology& topology, const std::vector<bool>& counted, quint64 seed, size_t maxGroups)
{
    const auto n = static_cast<igraph_integer_t>(topology.nodes.size());
    // Both directions of a pair of services are one undirected edge; a busy call binds harder, but by the
    // logarithm of its count, so that one hot path does not swallow everything around it.
    std::map<std::pair<quint32, quint32>, double> weightOf;
    for (const Topology::Edge& e : topology.edges) {
        if (e.from == e.to)
            continue;
        weightOf[std::minmax(e.from, e.to)]
            += 1.0 + std::log10(1.0 + static_cast<double>(std::max<qint64>(e.calls, 0)));
    }
    if (weightOf.empty())
        return {};

    std::lock_guard lock(igraphMutex());
    QuietIgraph quiet;
    IgraphCommunities c;
    igraph_vector_int_t edgeList;
    if (igraph_vector_int_init(&edgeList, static_cast<igraph_integer_t>(2 * weightOf.size())) != IGRAPH_SUCCESS)
        return {};
    if (igraph_vector_resize(&c.weights, static_cast<igraph_integer_t>(weightOf.size())) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&edgeList);
        return {};
    }
    double total = 0;
    igraph_integer_t i = 0;
    for (const auto& [pair, weight] : weightOf) {
        VECTOR(edgeList)[2 * i] = pair.first;
        VECTOR(edgeList)[2 * i + 1] = pair.second;
        VECTOR(c.weights)[i] = weight;
        total += weight;
        ++i;
    }
    const igraph_error_t made = igraph_create(&c.graph, &edgeList, n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&edgeList);
    if (made != IGRAPH_SUCCESS)
        return {};
    c.graphMade = true;
    if (igraph_strength(&c.graph, &c.strengths, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS, &c.weights)
        != IGRAPH_SUCCESS)
        return {};

    // Modularity (node weights = strengths, resolution 1/2m) finds the natural communities; when there are more
    // than a first view can show, a lower resolution merges them into fewer, larger ones.
    double resolution = 1.0 / (2.0 * total);
    for (int attempt = 0; attempt < 16; ++attempt, resolution *= 0.6) {
        igraph_rng_seed(igraph_rng_default(), seed);
        igraph_integer_t clusters = 0;
        igraph_real_t quality = 0;
        if (igraph_community_leiden(
                &c.graph, &c.weights, &c.strengths, resolution, 0.01, false, -1, &c.membership, &clusters, &quality)
            != IGRAPH_SUCCESS)
            return {};
        std::set<igraph_integer_t> countedClusters;
        for (size_t node = 0; node < counted.size(); ++node) {
            if (counted[node])
                countedClusters.insert(VECTOR(c.membership)[static_cast<igraph_integer_t>(node)]);
        }
        if (countedClusters.size() <= maxGroups)
            break;
    }
    std::vector<int> membership(topology.nodes.size());
    for (size_t node = 0; node < membership.size(); ++node)
        membership[node] = static_cast<int>(VECTOR(c.membership)[static_cast<igraph_integer_t>(node)]);
    return membership;
}

} // namespace

std::vector<std::vector<quint32>> TopologyGroups::members() const
{
    std::vector<std::vector<quint32>> out(names.size());
    for (quint32 node = 0; node < groupOf.size(); ++node) {
        if (groupOf[node] >= 0)
            out[static_cast<size_t>(groupOf[node])].push_back(node);
    }
    return out;
}

TopologyGroups TopologyGrouper::fromKeys(
    const Topology& topology, const std::vector<std::string>& keyOfNode, QString basis)
{
    TopologyGroups groups;
    groups.basis = std::move(basis);
    groups.groupOf.assign(topology.nodes.size(), -1);
    std::map<std::string, size_t> size;
    for (const std::string& key : keyOfNode) {
        if (!key.empty())
            ++size[key];
    }
    std::map<std::string, int> index;
    for (size_t node = 0; node < keyOfNode.size(); ++node) {
        const std::string& key = keyOfNode[node];
        if (key.empty() || size[key] < 2) // a group of one is just the service
            continue;
        auto [it, inserted] = index.try_emplace(key, static_cast<int>(groups.names.size()));
        if (inserted)
            groups.names.push_back(key);
        groups.groupOf[node] = it->second;
    }
    return groups;
}

TopologyGroups TopologyGrouper::byAttribute(const Topology& topology, std::string_view key)
{
    std::vector<std::string> keys;
    keys.reserve(topology.nodes.size());
    for (const Topology::Node& node : topology.nodes)
        keys.emplace_back(node.attribute(key));
    return fromKeys(topology, keys, QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size())));
}

TopologyGroups TopologyGrouper::byNamePrefix(const Topology& topology)
{
    std::vector<std::string> keys;
    keys.reserve(topology.nodes.size());
    for (const Topology::Node& node : topology.nodes) {
        const auto end = std::ranges::find_if(node.name, isSeparator);
        // A name without a separator, or one that starts with it, has no prefix to share.
        keys.push_back(end == node.name.end() ? std::string() : std::string(node.name.begin(), end));
    }
    return fromKeys(topology, keys, QStringLiteral("name prefix"));
}

std::expected<TopologyGroups, QString> TopologyGrouper::byPattern(const Topology& topology, const QString& pattern)
{
    const QRegularExpression re(pattern);
    if (!re.isValid())
        return std::unexpected(QStringLiteral("the regular expression /%1/ is not valid: %2 (at character %3)")
                                   .arg(pattern, re.errorString())
                                   .arg(re.patternErrorOffset()));
    std::vector<std::string> keys;
    keys.reserve(topology.nodes.size());
    for (const Topology::Node& node : topology.nodes) {
        const QRegularExpressionMatch m = re.match(QString::fromStdString(node.name));
        keys.push_back(!m.hasMatch() ? std::string() : m.captured(re.captureCount() >= 1 ? 1 : 0).toStdString());
    }
    return fromKeys(topology, keys, QStringLiteral("/%1/").arg(pattern));
}

TopologyGroups TopologyGrouper::detected(const Topology& topology, quint64 seed, size_t maxGroups)
{
    // Small graphs apart from the rest (a pair of services that only call each other) are each a community of
    // their own, and there may be dozens: they share one group, so that the main graph gets the groups.
    const std::vector<int> component = components(topology);
    std::vector<size_t> componentSize(topology.nodes.size(), 0);
    for (int c : component)
        ++componentSize[size_t(c)];
    const size_t smallBelow = std::max<size_t>(kSmallComponent, topology.nodes.size() / 100);
    std::vector<bool> inLargeComponent(topology.nodes.size());
    size_t smallComponents = 0;
    for (size_t c = 0; c < componentSize.size(); ++c)
        smallComponents += componentSize[c] > 0 && componentSize[c] < smallBelow;
    for (size_t node = 0; node < topology.nodes.size(); ++node)
        inLargeComponent[node] = smallComponents < 2 || componentSize[size_t(component[node])] >= smallBelow;
    const bool smallGroup = smallComponents >= 2;

    const std::vector<int> membership
        = leidenMembership(topology, inLargeComponent, seed, std::max<size_t>(1, maxGroups - (smallGroup ? 1 : 0)));
    std::vector<std::string> keys(topology.nodes.size());
    if (!membership.empty()) {
        // Named after the member with the most traffic (its spans, or the calls it takes part in), ties by name.
        const std::vector<qint64> traffic = topology.traffic();
        std::map<int, size_t> busiest;
        for (size_t node = 0; node < membership.size(); ++node) {
            auto [it, inserted] = busiest.try_emplace(membership[node], node);
            if (!inserted && traffic[node] > traffic[it->second])
                it->second = node;
        }
        for (size_t node = 0; node < membership.size(); ++node) {
            keys[node] = inLargeComponent[node] ? "around " + topology.nodes[busiest[membership[node]]].name
                                                : std::string(kSmallGraphsGroup);
        }
    }
    return fromKeys(topology, keys, QStringLiteral("community detection (Leiden, seed %1)").arg(seed));
}

TopologyGroups TopologyGrouper::automatic(const Topology& topology, quint64 seed)
{
    for (const char* key : kGroupAttributes) {
        // An attribute every service shares says nothing: it must tell some services apart.
        TopologyGroups groups = byAttribute(topology, key);
        if (groups.names.size() >= 2 || (groups.names.size() == 1 && std::ranges::count(groups.groupOf, -1) > 0))
            return groups;
    }
    return detected(topology, seed);
}

std::expected<TopologyGroups, QString> TopologyGrouper::fromRule(
    const Topology& topology, QStringView rule, quint64 seed)
{
    if (rule == u"auto")
        return automatic(topology, seed);
    if (rule == u"detect")
        return detected(topology, seed);
    if (rule == u"prefix")
        return byNamePrefix(topology);
    if (rule.size() >= 2 && rule.startsWith(u'/') && rule.endsWith(u'/'))
        return byPattern(topology, rule.mid(1, rule.size() - 2).toString());
    if (rule.isEmpty() || rule.contains(u' '))
        return std::unexpected(QStringLiteral("'%1' is no grouping rule; %2").arg(rule, ruleHelp()));
    return byAttribute(topology, rule.toString().toStdString());
}

QString TopologyGrouper::ruleHelp()
{
    return QStringLiteral("group by auto (service.namespace or k8s.namespace.name if the services have it, else "
                          "detected communities), detect, prefix (the name up to its first - _ . : /), /REGEX/ (its "
                          "first capture group) or a resource attribute key");
}

} // namespace tracemap
