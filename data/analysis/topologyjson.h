#pragma once

#include "analysis/topology.h"

#include <QByteArray>

namespace tracemap {

/// The topology as JSON, for `tracemap topology -o map.json` and File ▸ Export Topology: nodes and edges with all
/// their figures, edges naming their nodes.
QByteArray topologyToJson(const Topology& topology);

} // namespace tracemap
