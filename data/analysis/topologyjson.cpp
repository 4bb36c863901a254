#include "analysis/topologyjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

QByteArray topologyToJson(const Topology& topology)
{
    QJsonArray nodes;
    for (const auto& n : topology.nodes) {
        nodes.append(QJsonObject { { QStringLiteral("name"), QString::fromStdString(n.name) },
            { QStringLiteral("kind"), QString::fromLatin1(nodeKindName(n.kind)) },
            { QStringLiteral("inferred"), n.inferred }, { QStringLiteral("spans"), n.spans },
            { QStringLiteral("errors"), n.errors }, { QStringLiteral("errorPercent"), n.errorPercent },
            { QStringLiteral("ratePerSecond"), n.ratePerSecond }, { QStringLiteral("p95Ns"), n.p95Ns } });
    }
    QJsonArray edges;
    for (const auto& e : topology.edges) {
        edges.append(QJsonObject { { QStringLiteral("from"), QString::fromStdString(topology.nodes[e.from].name) },
            { QStringLiteral("to"), QString::fromStdString(topology.nodes[e.to].name) },
            { QStringLiteral("calls"), e.calls }, { QStringLiteral("errors"), e.errors },
            { QStringLiteral("errorPercent"), e.errorPercent }, { QStringLiteral("p50Ns"), e.p50Ns },
            { QStringLiteral("p95Ns"), e.p95Ns }, { QStringLiteral("p99Ns"), e.p99Ns } });
    }
    const QJsonObject root { { QStringLiteral("nodes"), nodes }, { QStringLiteral("edges"), edges },
        { QStringLiteral("startNs"), QString::number(topology.startNs) },
        { QStringLiteral("endNs"), QString::number(topology.endNs) } };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace tracemap
