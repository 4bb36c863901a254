#pragma once

#include "analysis/topology.h"

#include <QPointF>
#include <QSizeF>

#include <optional>
#include <vector>

namespace tracemap {

/// Where the services of a map go when the map changes a little (services appear as spans arrive): the services
/// drawn before keep their centres, moved only when their boxes, resized with new figures, would overlap; each new
/// service goes into the nearest free place beside the services it calls or is called by. Pure geometry, no
/// Graphviz: GraphvizLayout then routes the edges around the boxes.
class IncrementalPlacement {
public:
    /// Space kept between boxes, in points (dot's nodesep).
    static constexpr double kGap = 18;

    struct Input {
        const Topology* topology = nullptr;
        /// Per node: its centre before (scene points, y down), or nullopt for a new node.
        std::vector<std::optional<QPointF>> previous;
        /// Per node: its box now.
        std::vector<QSizeF> sizes;
        /// The map reads left to right by call depth (dot): a new service goes into the column after its callers
        /// (or before its callees), and only its height is searched. Otherwise it goes where its neighbours are.
        bool flow = false;
        /// Per node (or empty): for a new node, the place it comes out of, where it goes rather than beside its
        /// neighbours (a group opened: its services around the group's place).
        std::vector<std::optional<QPointF>> near;
    };

    /// The centre of every node; nullopt when the kept services could not be separated (the caller lays out
    /// afresh).
    [[nodiscard]] static std::optional<std::vector<QPointF>> place(const Input& input);
};

} // namespace tracemap
