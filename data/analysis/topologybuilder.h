#pragma once

#include "analysis/topology.h"
#include "analysis/topologyaccumulator.h"
#include "model/trace.h"

#include <functional>
#include <string_view>

namespace tracemap {

/// Accumulates the service graph of any number of traces (search results, one trace), one trace at a time;
/// build() turns what was seen into a Topology. Memory grows with the distinct services and edges and keeps one
/// duration per span and per call (for exact percentiles), never whole traces. The whole of a large cache comes
/// from its rollups instead (rollupqueries::topology), made the same way.
///
/// Edges are the calls forEachServiceCall finds. A peer that reports spans itself is that service; otherwise it
/// becomes an inferred node whose figures are those of the calls it received (spans stays 0). Latency is the
/// client/producer span's where there is one.
class TopologyBuilder {
public:
    void add(const Trace& trace);
    Topology build() const { return m_figures.build(); }

    /// The kind a name alone suggests: known databases (mysql, postgres, redis, …) and brokers (kafka, rabbitmq,
    /// …), matched on the whole name or its first part ("redis-manual", "postgresql/orders"); else Service.
    static Topology::NodeKind kindFromName(std::string_view name);
    /// Visits the string resource attributes of each service of the trace (once per service and resource).
    static void forEachServiceAttribute(const Trace& trace,
        const std::function<void(std::string_view service, std::string_view key, std::string_view value)>& visit);

private:
    TopologyAccumulator<ExactLatencies> m_figures;
};

} // namespace tracemap
