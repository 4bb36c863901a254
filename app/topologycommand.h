#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap topology [FILE...] [--cache PATH] [--service S --hops N] [--engine dot|sfdp|neato] [--scale N]
/// [--no-edge-labels] -o OUT`: the service map of the files (trace files or dependency-link files) or of the
/// whole cache, laid out by Graphviz in-process and written as SVG, PNG, PDF, DOT or JSON by OUT's suffix.
class TopologyCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
