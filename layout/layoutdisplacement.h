#pragma once

#include "analysis/topology.h"
#include "topologygeometry.h"

#include <cstddef>

namespace tracemap {

/// How far the services drawn in one layout moved in the next: the distance between each shared node's centres
/// (nodes matched by name, as indices change when services are added), as a fraction of the diagonal of the first
/// layout's bounds. The measure of a calm live map (issue 12: under 5 % when one service is added).
struct LayoutDisplacement {
    double mean = 0;
    double worst = 0;
    size_t shared = 0; // nodes in both layouts

    [[nodiscard]] static LayoutDisplacement measure(const Topology& before, const TopologyGeometry& beforeGeometry,
        const Topology& after, const TopologyGeometry& afterGeometry);
};

} // namespace tracemap
