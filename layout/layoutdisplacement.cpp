#include "layoutdisplacement.h"

#include <QLineF>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

namespace tracemap {

LayoutDisplacement LayoutDisplacement::measure(const Topology& before, const TopologyGeometry& beforeGeometry,
    const Topology& after, const TopologyGeometry& afterGeometry)
{
    std::unordered_map<std::string_view, QPointF> centres;
    for (const TopologyGeometry::Node& node : beforeGeometry.nodes) {
        if (node.node < before.nodes.size())
            centres.emplace(before.nodes[node.node].name, node.box.center());
    }
    const double diagonal = std::hypot(beforeGeometry.bounds.width(), beforeGeometry.bounds.height());
    LayoutDisplacement result;
    double sum = 0;
    for (const TopologyGeometry::Node& node : afterGeometry.nodes) {
        if (node.node >= after.nodes.size())
            continue;
        const auto found = centres.find(after.nodes[node.node].name);
        if (found == centres.end())
            continue;
        const double distance = diagonal > 0 ? QLineF(found->second, node.box.center()).length() / diagonal : 0;
        sum += distance;
        result.worst = std::max(result.worst, distance);
        ++result.shared;
    }
    result.mean = result.shared > 0 ? sum / static_cast<double>(result.shared) : 0;
    return result;
}

} // namespace tracemap
