#pragma once

#include "analysis/topology.h"
#include "analysis/topologygroups.h"

#include <QString>

#include <optional>
#include <vector>

namespace tracemap {

/// What the map leaves out: calls below a count or share, calls without errors, all but the top K, services
/// whose name does not match a search. Nothing is dropped silently: ShownTopology::hidden counts it.
struct TopologyFilters {
    enum class Rank { Calls, Errors, P95 };

    qint64 minCalls = 0; // hide calls (edges) with fewer calls
    double minSharePercent = 0; // hide calls carrying less than this share of all shown calls
    bool errorsOnly = false; // only calls with at least one error
    size_t topK = 0; // > 0: only the K calls ranking highest by `rankBy`
    Rank rankBy = Rank::Calls;
    QString search; // only services whose name contains it (case-insensitive); a group shows when a member does

    bool active() const;
    static const char* rankName(Rank rank);
};

/// The part of the full graph the map shows: the paths between two services, what is upstream or downstream of
/// one, the services within some calls of one, or everything.
struct TopologyFocus {
    enum class Kind { Everything, Paths, Upstream, Downstream, Neighbourhood };
    Kind kind = Kind::Everything;
    quint32 from = 0; // a node of the full topology (Paths: the first service; otherwise: the service)
    quint32 to = 0; // Paths only
    int hops = 1; // Neighbourhood only: calls up and down
};

/// The map as drawn: groups collapsed into one node each (unless expanded), filters and focus applied. Its
/// topology is an ordinary Topology, so layout, painting and export take it as they take the full one.
struct ShownTopology {
    Topology topology;
    /// Per shown node: the nodes of the full topology it stands for (one, or a group's members).
    std::vector<std::vector<quint32>> members;
    /// Per shown node: the group it is (index into TopologyGroups::names), or -1 for a service.
    std::vector<int> group;

    struct Hidden {
        size_t services = 0; // services of the full graph not on the map (filtered, outside the focus)
        size_t calls = 0; // edges of the full graph not drawn, neither themselves nor inside a drawn group edge
        qint64 callCount = 0; // the calls those edges carried
    } hidden;

    /// "312 calls and 40 services hidden", or empty.
    QString describeHidden() const;
    /// Index of the shown node that stands for a node of the full topology, or -1.
    int shownNodeOf(quint32 fullNode) const;
};

/// Computes ShownTopology from the full topology: focus first (on services), then the search, then groups, then
/// the call filters on what is left. A collapsed group's figures are its members' sums (spans, errors, rate);
/// its p95 is its slowest member's. A call between groups sums the calls between their members; its latencies
/// are the slowest member call's. Calls inside a collapsed group are not drawn and not counted as hidden.
class TopologyLens {
public:
    struct Options {
        const TopologyGroups* groups = nullptr; // none: every service stands for itself
        std::vector<bool> expanded; // per group: shown as its members
        TopologyFilters filters;
        TopologyFocus focus;
        /// Set: each shown node's box grows with this figure (Topology::Node::scale), the largest value's to
        /// Topology::kMaxNodeScale times its label, its area in proportion to the value.
        std::optional<Topology::Metric> sizeBy {};
    };

    static ShownTopology apply(const Topology& full, const Options& options);
    /// Sets every node's scale by `metric`, as apply() does with Options::sizeBy.
    static void sizeByMetric(Topology& topology, Topology::Metric metric);
    /// A group node's label: "name (N)".
    static std::string groupLabel(const std::string& name, size_t members);
};

} // namespace tracemap
