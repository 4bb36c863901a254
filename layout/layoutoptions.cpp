#include "layoutoptions.h"

#include <QString>

namespace tracemap {

LayoutOptions::Engine LayoutOptions::resolvedEngine(const Topology& topology) const
{
    if (engine != Engine::Automatic)
        return engine;
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
