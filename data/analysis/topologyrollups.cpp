#include "analysis/topologyrollups.h"

#include "analysis/servicecalls.h"
#include "analysis/topologybuilder.h"

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
    if (sign <= 0)
        return;
    TopologyBuilder::forEachServiceAttribute(
        trace, [this](std::string_view service, std::string_view key, std::string_view value) {
            m_attributes.try_emplace({ std::string(service), std::string(key) }, value);
        });
}

void TopologyRollups::merge(const TopologyRollups& other, qint64 sign)
{
    RollupCells::merge(other, sign);
    if (sign > 0) {
        for (const auto& [serviceKey, value] : other.m_attributes)
            m_attributes.try_emplace(serviceKey, value);
    }
}

void TopologyRollups::clear()
{
    RollupCells::clear();
    m_attributes.clear();
}

} // namespace tracemap
