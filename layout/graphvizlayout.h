#pragma once

#include "analysis/topology.h"
#include "layoutoptions.h"
#include "topologygeometry.h"

#include <QString>

#include <expected>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tracemap {

/// Lays a topology out with Graphviz linked in-process (libgvc/libcgraph; the `dot` program is never run) and
/// returns plain geometry.
///
/// Thread safety: callable from any thread, but Graphviz 2.43 is not reentrant (the DOT parser, the error
/// reporting and the layout engines keep global state), so calls are serialised by a process-wide mutex; each call
/// has its own GVC context. Nothing else in the process may call Graphviz concurrently.
class GraphvizLayout {
public:
    /// DotWriter::write(topology, options) laid out by the chosen engine. Errors (Graphviz's messages, or an
    /// edge naming a node that does not exist) come back as text; Graphviz never writes to stderr meanwhile.
    [[nodiscard]] static std::expected<TopologyGeometry, QString> layout(
        const Topology& topology, const LayoutOptions& options);

    /// Lays out `dot` (which must be DotWriter's output for `topology`) with `engine` ("dot", "sfdp" or "neato"; a
    /// `layout` attribute in the graph takes precedence, as in the Graphviz programs).
    [[nodiscard]] static std::expected<TopologyGeometry, QString> layoutDot(
        std::string_view dot, const char* engine, const Topology& topology);

    /// `topology` laid out as a small change of `previous` (laid out as `previousGeometry`): the services in both
    /// keep their place in the same scene coordinates and the new ones go beside their neighbours
    /// (IncrementalPlacement); edges are routed around the boxes, and those whose ends did not move keep their
    /// route. layout() instead (a fresh layout; geometry.incremental says which) when that is no small change: no
    /// service in common, more new services than kMaxAddedShare of the kept ones (and over kMaxAddedAlways),
    /// another engine, or a previousGeometry that is not a layout of `previous`.
    /// Where new nodes come from: a node's name → the names of the previous nodes it came out of (a group
    /// opened: each member came out of the group; a group closed: the group out of its members).
    using Origins = std::unordered_map<std::string, std::vector<std::string>>;

    /// With `origins`, a new node that has one goes to the place its origins had (their centre), and the change
    /// counts as small however many nodes it adds, when every new node has an origin.
    [[nodiscard]] static std::expected<TopologyGeometry, QString> layoutStable(const Topology& topology,
        const LayoutOptions& options, const Topology& previous, const TopologyGeometry& previousGeometry,
        const Origins* origins = nullptr);
    static constexpr double kMaxAddedShare = 0.25;
    static constexpr size_t kMaxAddedAlways = 3;

    /// The Graphviz library's version ("2.43.0"). Known from the first layout on, so that asking for it then never
    /// waits for a layout in progress; before any, it makes a context of its own.
    static QString graphvizVersion();
};

} // namespace tracemap
