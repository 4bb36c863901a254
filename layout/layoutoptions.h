#pragma once

#include "analysis/topology.h"

#include <QStringView>

#include <optional>

namespace tracemap {

/// How the topology map is laid out. Automatic picks `neato` for a map of collapsed groups with more than two calls a
/// node (see resolvedEngine), otherwise `dot` (left to right, ranks by call depth) for graphs it
/// lays out in well under a second and `sfdp` above that: `dot`'s crossing minimisation grows steeply with the
/// edges (0.3 s at 250 nodes/560 edges, over a minute at 500/1,950), `sfdp` lays out 1,238/4,271 in under one.
struct LayoutOptions {
    enum class Engine { Automatic, Dot, Sfdp, Neato };

    static constexpr size_t kDotMaxNodes = 250;
    static constexpr size_t kDotMaxEdges = 600;
    /// A map of collapsed groups up to this many nodes, with more than two calls a node, goes to `neato`.
    static constexpr size_t kNeatoMaxGroupNodes = 100;
    /// Force-directed engines route curved splines around the nodes only up to this many edges; past it, edges are
    /// straight lines (spline routing costs seconds at 150 edges, minutes at 4,000).
    static constexpr size_t kCurvedEdgesMax = 60;

    Engine engine = Engine::Automatic;
    bool edgeLabels = false; // leave room for "calls / p95" labels on the edges

    /// The engine that will run: `engine` itself, or Automatic's choice for this graph (never Automatic).
    Engine resolvedEngine(const Topology& topology) const;

    /// "dot", "sfdp", "neato"; "auto" for Automatic.
    static const char* engineName(Engine engine);
    /// Parses engineName() values (as given to --engine); nullopt for anything else.
    static std::optional<Engine> engineFromName(QStringView name);
};

} // namespace tracemap
