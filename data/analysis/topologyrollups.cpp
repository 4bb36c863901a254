#include "analysis/topologyrollups.h"

#include "analysis/servicecalls.h"
#include "analysis/topologybuilder.h"

#include <algorithm>

namespace tracemap {

void TopologyRollups::add(const Trace& trace, qint64 sign)
{
    forEachServiceCall(trace, [&](const ServiceCall& call) {
        RollupFigures figures;
        figures.spans = 1;
        figures.errors = call.error ? 1 : 0;
        figures.durations.add(call.latencyNs);
        add(Cell { CallKey { std::string(call.caller), std::string(call.callee), call.peerHints },
                minuteOf(call.startNs) },
            figures, sign);
    });
}

void TopologyRollups::addAttributes(const Trace& trace)
{
    TopologyBuilder::forEachServiceAttribute(
        trace, [this](std::string_view service, std::string_view key, std::string_view value) {
            addAttribute(service, key, value);
        });
}

void TopologyRollups::addAttribute(std::string_view service, std::string_view key, std::string_view value)
{
    auto at = m_attributes.find(service);
    if (at == m_attributes.end())
        at = m_attributes.emplace(std::string(service), std::vector<std::pair<std::string, std::string>>()).first;
    auto& pairs = at->second;
    if (pairs.size() >= Topology::kMaxNodeAttributes
        || std::ranges::find(pairs, key, [](const auto& kv) { return std::string_view(kv.first); }) != pairs.end())
        return;
    pairs.emplace_back(key, value);
}

void TopologyRollups::merge(const TopologyRollups& other, qint64 sign)
{
    RollupCells::merge(other, sign);
    if (sign > 0) {
        for (const auto& [service, pairs] : other.m_attributes) {
            for (const auto& [key, value] : pairs)
                addAttribute(service, key, value);
        }
    }
}

void TopologyRollups::clear()
{
    RollupCells::clear();
    m_attributes.clear();
}

} // namespace tracemap
