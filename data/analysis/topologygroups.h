#pragma once

#include "analysis/topology.h"

#include <QString>
#include <QStringView>

#include <expected>
#include <string>
#include <vector>

namespace tracemap {

/// Which group each service of a topology belongs to, so that a map of a thousand services can first show a few
/// dozen groups. A service in no group (groupOf -1) stands for itself; a group always has two or more members.
struct TopologyGroups {
    std::vector<std::string> names; // one per group, in order of their first member
    std::vector<int> groupOf; // per node of the topology: index into names, or -1
    QString basis; // what the groups come from, for people: "service.namespace", "community detection (seed 1)", …

    bool empty() const { return names.empty(); }
    std::vector<std::vector<quint32>> members() const; // per group, its nodes in node order
};

/// Makes TopologyGroups from the data (a resource attribute, the services' names) or, where the data says
/// nothing, from the shape of the call graph.
class TopologyGrouper {
public:
    /// Attributes that name a service's group in OpenTelemetry's conventions, in order of preference.
    static constexpr const char* kGroupAttributes[] = { "service.namespace", "k8s.namespace.name" };
    /// Community detection aims at no more groups than this, so that the first view stays readable.
    static constexpr size_t kMaxDetectedGroups = 40;
    /// Detection puts the services of call graphs apart from the main one, smaller than this (or 1 % of the
    /// services), into one group of this name.
    static constexpr size_t kSmallComponent = 5;
    static constexpr const char* kSmallGraphsGroup = "small separate graphs";

    /// By the value of a resource attribute; services without it stay ungrouped.
    static TopologyGroups byAttribute(const Topology& topology, std::string_view key);
    /// By the name up to its first separator (-, _, ., :, /): "checkout-api" and "checkout-db" → "checkout".
    static TopologyGroups byNamePrefix(const Topology& topology);
    /// By a regular expression: the first capture group of its match (or the whole match) names the group;
    /// services it does not match stay ungrouped. The error describes an invalid pattern.
    static std::expected<TopologyGroups, QString> byPattern(const Topology& topology, const QString& pattern);
    /// Leiden community detection (igraph) on the call graph, calls weighting the edges: densely connected
    /// services form a group, named after its busiest member ("around checkout"); at most maxGroups, and the
    /// services of small separate graphs form one more. The same topology and seed give the same groups.
    static TopologyGroups detected(const Topology& topology, quint64 seed = 1, size_t maxGroups = kMaxDetectedGroups);
    /// The first of kGroupAttributes that tells services apart (two values, or services with and without it), else
    /// detected().
    static TopologyGroups automatic(const Topology& topology, quint64 seed = 1);

    /// The rule `tracemap topology --group-by` and the map take: "auto", "prefix", "detect", "/REGEX/" or an
    /// attribute key. The error names what is wrong with it.
    static std::expected<TopologyGroups, QString> fromRule(
        const Topology& topology, QStringView rule, quint64 seed = 1);
    static QString ruleHelp();

private:
    static TopologyGroups fromKeys(const Topology& topology, const std::vector<std::string>& keyOfNode, QString basis);
};

} // namespace tracemap
