#include "analysis/topologybuilder.h"

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

void TopologyBuilder::forEachServiceAttribute(
    const Trace& trace, const std::function<void(std::string_view, std::string_view, std::string_view)>& visit)
{
    std::vector<std::pair<StringId, quint32>> seen; // (service, resource)
    for (const Span& span : trace.spans) {
        if (span.service == 0 || span.resource >= trace.resources.size())
            continue;
        const std::pair pair { span.service, span.resource };
        if (std::ranges::find(seen, pair) != seen.end())
            continue;
        seen.push_back(pair);
        const Resource& resource = trace.resources[span.resource];
        for (quint32 i = resource.attributes.begin; i < resource.attributes.end(); ++i) {
            const Attribute& a = trace.attributes[i];
            if (a.type == ValueType::String)
                visit(trace.string(span.service), trace.string(a.key), trace.text(a.ref));
        }
    }
}

void TopologyBuilder::add(const Trace& trace)
{
    constexpr quint32 kUnknown = std::numeric_limits<quint32>::max();
    std::vector<quint32> nodeOfService(trace.strings.size(), kUnknown); // each service looked up once per trace
    for (const Span& span : trace.spans) {
        // A span without a service cannot be placed on the map; its calls are left out too.
        if (span.service == 0)
            continue;
        quint32& index = nodeOfService[span.service];
        if (index == kUnknown)
            index = m_figures.nodeIndex(trace.string(span.service));
        auto& node = m_figures.node(index);
        ++node.spans;
        if (span.isError())
            ++node.errors;
        const bool entry = span.kind == SpanKind::Server || span.kind == SpanKind::Consumer;
        node.entrySpans += entry ? 1 : 0;
        // A span without a duration is counted, but its zero is not a measurement (as in the rollups).
        if (!(span.problems & MissingDuration))
            (entry ? node.entryDurations : node.otherDurations).add(span.durationNs);
        if (!(span.problems & MissingStart))
            m_figures.extendTimeRange(span.startNs, span.endNs());
    }
    forEachServiceAttribute(trace, [this](std::string_view service, std::string_view key, std::string_view value) {
        m_figures.addAttribute(service, key, value);
    });
    forEachServiceCall(trace, [this](const ServiceCall& call) { m_figures.addCall(call); });
}

} // namespace tracemap
