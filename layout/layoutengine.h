#pragma once

#include <QString>

namespace tracemap {

/// The Graphviz layout of the topology map lands here (issue 4). For now it only reports the Graphviz version
/// linked in, so the dependency and the target exist from the start.
class LayoutEngine {
public:
    static QString graphvizVersion();
};

} // namespace tracemap
