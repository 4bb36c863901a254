#include "analysis/topologybuilder.h"
#include "analysis/spanstatistics.h"

#include <algorithm>
#include <array>
#include <limits>

namespace tracemap {

namespace {

constexpr std::array<std::string_view, 20> kDatabaseNames { "mysql", "mariadb", "postgres", "postgresql", "redis",
    "mongodb", "mongo", "cassandra", "elasticsearch", "opensearch", "memcached", "sqlite", "mssql", "sqlserver",
    "oracle", "dynamodb", "couchbase", "couchdb", "clickhouse", "cockroachdb" };
constexpr std::array<std::string_view, 10> kQueueNames { "kafka", "rabbitmq", "nats", "sqs", "sns", "activemq",
    "pulsar", "kinesis", "amqp", "pubsub" };

constexpr quint32 kNoNode = std::numeric_limits<quint32>::max();

bool isSeparator(char c)
{
    return c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == ' ';
}

// The name up to its first separator, lower-cased: "Redis-Manual" → "redis".
std::string firstPart(std::string_view name)
{
    std::string out;
    for (char c : name) {
        if (isSeparator(c))
            break;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return out;
}

bool isEntry(SpanKind kind)
{
    return kind == SpanKind::Server || kind == SpanKind::Consumer;
}

bool isCaller(SpanKind kind)
{
    return kind == SpanKind::Client || kind == SpanKind::Producer;
}

double percentOf(qint64 part, qint64 whole)
{
    return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

} // namespace

Topology::NodeKind TopologyBuilder::kindFromName(std::string_view name)
{
    const std::string head = firstPart(name);
    if (std::find(kDatabaseNames.begin(), kDatabaseNames.end(), head) != kDatabaseNames.end())
        return Topology::NodeKind::Database;
    if (std::find(kQueueNames.begin(), kQueueNames.end(), head) != kQueueNames.end())
        return Topology::NodeKind::Queue;
    return Topology::NodeKind::Service;
}

TopologyBuilder::Peer TopologyBuilder::peerOf(const Trace& trace, const Span& span)
{
    // In order of preference within each group; OpenTracing's names (db.type, db.instance, peer.hostname) back up
    // the OpenTelemetry ones.
    enum Key {
        PeerService,
        ServicePeerName,
        DbSystem,
        DbSystemName,
        DbType,
        DbName,
        DbNamespace,
        DbInstance,
        MessagingSystem,
        DestinationName,
        Destination,
        ServerAddress,
        NetPeerName,
        PeerHostname,
        HttpHost,
        NetPeerIp,
        KeyCount
    };
    static constexpr std::array<std::string_view, KeyCount> kKeys { "peer.service", "service.peer.name", "db.system",
        "db.system.name", "db.type", "db.name", "db.namespace", "db.instance", "messaging.system",
        "messaging.destination.name", "messaging.destination", "server.address", "net.peer.name", "peer.hostname",
        "http.host", "net.peer.ip" };
    std::array<std::string_view, KeyCount> values;
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        const Attribute& a = trace.attributes[i];
        if (a.type != ValueType::String)
            continue;
        const auto it = std::find(kKeys.begin(), kKeys.end(), trace.string(a.key));
        if (it != kKeys.end() && values[static_cast<size_t>(it - kKeys.begin())].empty())
            values[static_cast<size_t>(it - kKeys.begin())] = trace.text(a.ref);
    }
    auto first = [&](std::initializer_list<Key> keys) -> std::string_view {
        for (Key k : keys) {
            if (!values[k].empty())
                return values[k];
        }
        return {};
    };

    Peer peer;
    const std::string_view service = first({ PeerService, ServicePeerName });
    const std::string_view dbSystem = first({ DbSystem, DbSystemName, DbType });
    const std::string_view destination = first({ DestinationName, Destination });
    const std::string_view address = first({ ServerAddress, NetPeerName, PeerHostname, HttpHost, NetPeerIp });
    if (!dbSystem.empty())
        peer.hints |= DatabaseHint;
    if (!values[MessagingSystem].empty() || span.kind == SpanKind::Producer || span.kind == SpanKind::Consumer)
        peer.hints |= QueueHint;
    if (!service.empty()) {
        peer.name = service;
    } else if (!dbSystem.empty()) {
        peer.name = dbSystem;
        if (const std::string_view database = first({ DbName, DbNamespace, DbInstance }); !database.empty()) {
            peer.name += '/';
            peer.name += database;
        }
    } else if (!destination.empty()) {
        peer.name = destination;
        peer.hints |= QueueHint;
    } else if (!address.empty()) {
        peer.name = address;
        peer.hints |= ExternalHint;
    }
    return peer;
}

quint32 TopologyBuilder::nodeFor(std::string_view name)
{
    const auto [it, inserted] = m_nodeByName.try_emplace(std::string(name), static_cast<quint32>(m_nodes.size()));
    if (inserted) {
        m_nodes.emplace_back();
        m_nodes.back().name = name;
    }
    return it->second;
}

void TopologyBuilder::addCall(quint32 from, quint32 to, qint64 latencyNs, bool error)
{
    EdgeAccumulator& edge = m_edges[(static_cast<quint64>(from) << 32) | to];
    edge.latencies.push_back(latencyNs);
    if (error)
        ++edge.errors;
}

void TopologyBuilder::addResourceAttributes(NodeAccumulator& node, const Trace& trace, const Resource& resource)
{
    for (quint32 i = resource.attributes.begin; i < resource.attributes.end(); ++i) {
        if (node.attributes.size() >= Topology::kMaxNodeAttributes)
            return;
        const Attribute& a = trace.attributes[i];
        if (a.type != ValueType::String)
            continue;
        const std::string_view key = trace.string(a.key);
        if (std::ranges::find(node.attributes, key, [](const auto& kv) { return std::string_view(kv.first); })
            == node.attributes.end())
            node.attributes.emplace_back(key, trace.text(a.ref));
    }
}

void TopologyBuilder::add(const Trace& trace)
{
    const size_t n = trace.spans.size();
    std::vector<quint32> nodeOfService(trace.strings.size(), kNoNode);
    std::vector<quint32> nodeOfSpan(n, kNoNode);
    std::vector<bool> resourceSeen(trace.resources.size(), false);
    for (size_t i = 0; i < n; ++i) {
        const Span& span = trace.spans[i];
        // A span without a service cannot be placed on the map; its calls are left out too.
        if (span.service == 0)
            continue;
        quint32& node = nodeOfService[span.service];
        if (node == kNoNode)
            node = nodeFor(trace.string(span.service));
        nodeOfSpan[i] = node;

        NodeAccumulator& acc = m_nodes[node];
        if (span.resource < resourceSeen.size() && !resourceSeen[span.resource]) {
            resourceSeen[span.resource] = true;
            addResourceAttributes(acc, trace, trace.resources[span.resource]);
        }
        ++acc.spans;
        if (span.isError())
            ++acc.errors;
        if (isEntry(span.kind)) {
            ++acc.entrySpans;
            acc.entryDurations.push_back(span.durationNs);
        } else {
            acc.otherDurations.push_back(span.durationNs);
        }
        if (!(span.problems & MissingStart)) {
            m_startNs = m_haveRange ? std::min(m_startNs, span.startNs) : span.startNs;
            m_endNs = m_haveRange ? std::max(m_endNs, span.endNs()) : span.endNs();
            m_haveRange = true;
        }
    }

    // Calls between instrumented services: parent/child pairs across a service boundary.
    std::vector<bool> callsOut(n, false); // a child or linked consumer in another service
    std::vector<bool> calledIn(n, false); // a parent or linked producer in another service
    for (size_t i = 0; i < n; ++i) {
        const Span& child = trace.spans[i];
        if (child.parent == kNoIndex || nodeOfSpan[i] == kNoNode)
            continue;
        const Span& parent = trace.spans[child.parent];
        const quint32 from = nodeOfSpan[child.parent];
        if (from == kNoNode || from == nodeOfSpan[i])
            continue;
        const bool clientSide = isCaller(parent.kind);
        addCall(from, nodeOfSpan[i], clientSide ? parent.durationNs : child.durationNs,
            child.isError() || (clientSide && parent.isError()));
        callsOut[child.parent] = true;
        calledIn[i] = true;
    }

    // Messaging through span links: a consumer linked to the producer of its message.
    std::unordered_map<SpanId, quint32> indexOfId;
    for (size_t i = 0; i < n; ++i) {
        const Span& consumer = trace.spans[i];
        if (consumer.kind != SpanKind::Consumer || consumer.links.count == 0 || nodeOfSpan[i] == kNoNode)
            continue;
        if (indexOfId.empty()) {
            for (size_t j = 0; j < n; ++j)
                indexOfId.try_emplace(trace.spans[j].id, static_cast<quint32>(j));
        }
        for (quint32 l = consumer.links.begin; l < consumer.links.end(); ++l) {
            const Link& link = trace.links[l];
            if (link.traceId != trace.id)
                continue;
            const auto it = indexOfId.find(link.spanId);
            if (it == indexOfId.end() || it->second == consumer.parent)
                continue;
            const Span& producer = trace.spans[it->second];
            const quint32 from = nodeOfSpan[it->second];
            if (producer.kind != SpanKind::Producer || from == kNoNode || from == nodeOfSpan[i])
                continue;
            addCall(from, nodeOfSpan[i], producer.durationNs, producer.isError() || consumer.isError());
            callsOut[it->second] = true;
            calledIn[i] = true;
        }
    }

    // Calls leaving the instrumented world: the peer is known only by the caller's attributes.
    for (size_t i = 0; i < n; ++i) {
        const Span& span = trace.spans[i];
        const quint32 self = nodeOfSpan[i];
        if (self == kNoNode)
            continue;
        const bool outgoing = isCaller(span.kind) && !callsOut[i];
        // A consumer under another consumer of the same service (receive → process) was counted at the first one.
        const bool incoming = span.kind == SpanKind::Consumer && !calledIn[i]
            && (span.parent == kNoIndex || trace.spans[span.parent].kind != SpanKind::Consumer);
        if (!outgoing && !incoming)
            continue;
        const Peer peer = peerOf(trace, span);
        if (peer.name.empty() || peer.name == trace.string(span.service))
            continue;
        const quint32 other = nodeFor(peer.name);
        m_nodes[other].hints |= peer.hints;
        if (outgoing)
            addCall(self, other, span.durationNs, span.isError());
        else
            addCall(other, self, span.durationNs, span.isError());
    }
}

Topology TopologyBuilder::build() const
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
    std::vector<std::vector<qint64>> receivedLatencies(m_nodes.size());

    topology.edges.reserve(m_edges.size());
    for (const auto& [key, acc] : m_edges) {
        const auto from = static_cast<quint32>(key >> 32);
        const auto to = static_cast<quint32>(key & 0xffffffffu);
        std::vector<qint64> sorted = acc.latencies;
        std::sort(sorted.begin(), sorted.end());
        Topology::Edge edge;
        edge.from = newIndex[from];
        edge.to = newIndex[to];
        edge.calls = static_cast<qint64>(sorted.size());
        edge.errors = acc.errors;
        edge.errorPercent = percentOf(edge.errors, edge.calls);
        edge.p50Ns = SpanStatistics::percentile(sorted, 50);
        edge.p95Ns = SpanStatistics::percentile(sorted, 95);
        edge.p99Ns = SpanStatistics::percentile(sorted, 99);
        topology.edges.push_back(edge);
        if (m_nodes[to].spans == 0) {
            receivedCalls[to] += edge.calls;
            receivedErrors[to] += edge.errors;
            receivedLatencies[to].insert(receivedLatencies[to].end(), sorted.begin(), sorted.end());
        }
    }
    std::sort(topology.edges.begin(), topology.edges.end(), [](const Topology::Edge& a, const Topology::Edge& b) {
        return std::pair(a.from, a.to) < std::pair(b.from, b.to);
    });

    topology.nodes.reserve(m_nodes.size());
    for (quint32 i : order) {
        const NodeAccumulator& acc = m_nodes[i];
        Topology::Node node;
        node.name = acc.name;
        node.inferred = acc.spans == 0;
        const Topology::NodeKind byName = kindFromName(acc.name);
        std::vector<qint64> sorted;
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
            sorted = std::move(receivedLatencies[i]);
            count = receivedCalls[i];
            node.errors = receivedErrors[i];
        } else {
            // A service that answers requests is a service whatever its name; one that only makes calls and is
            // named like a database ("mysql", "redis-manual") stands for that database.
            node.kind = acc.entrySpans > 0 ? Topology::NodeKind::Service : byName;
            sorted = acc.entrySpans > 0 ? acc.entryDurations : acc.otherDurations;
            count = acc.spans;
            node.spans = acc.spans;
            node.errors = acc.errors;
        }
        std::sort(sorted.begin(), sorted.end());
        node.errorPercent = percentOf(node.errors, count);
        node.ratePerSecond = static_cast<double>(count) / seconds;
        node.p95Ns = SpanStatistics::percentile(sorted, 95);
        node.attributes = acc.attributes;
        std::ranges::sort(node.attributes);
        topology.nodes.push_back(std::move(node));
    }
    return topology;
}

} // namespace tracemap
