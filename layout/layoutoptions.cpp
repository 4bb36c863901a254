#include "layoutoptions.h"

#include <QString>

#include <algorithm>

namespace tracemap {

LayoutOptions::Engine LayoutOptions::resolvedEngine(const Topology& topology) const
{
    if (engine != Engine::Automatic)
        return engine;
    // Groups call each other in every direction: dot's ranks turn that into long detours round the whole map,
    // where neato's straight lines between a few dozen boxes read at a glance.
    const bool groups = std::ranges::any_of(topology.nodes, [](const Topology::Node& n) { return n.groupSize > 0; });
    if (groups && topology.nodes.size() <= kNeatoMaxGroupNodes && topology.edges.size() > 2 * topology.nodes.size())
        return Engine::Neato;
    if (topology.nodes.size() <= kDotMaxNodes && topology.edges.size() <= kDotMaxEdges)
        return Engine::Dot;
    return Engine::Sfdp;
}

const char* LayoutOptions::engineName(Engine engine)
{
    switch (engine) {
    case Engine::Automatic:
        return "auto";
    case Engine::Dot:
        return "dot";
    case Engine::Sfdp:
        return "sfdp";
    case Engine::Neato:
        return "neato";
    }
    return "auto";
}

std::optional<LayoutOptions::Engine> LayoutOptions::engineFromName(QStringView name)
{
    for (Engine engine : { Engine::Automatic, Engine::Dot, Engine::Sfdp, Engine::Neato }) {
        if (name == QLatin1String(engineName(engine)))
            return engine;
    }
    return std::nullopt;
}

} // namespace tracemap
