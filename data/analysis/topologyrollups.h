#pragma once

#include "metrics/spanrollups.h"
#include "model/trace.h"

#include <compare>
#include <map>
#include <string>
#include <utility>

namespace tracemap {

/// What one call rollup series counts: the calls from one service to another (forEachServiceCall), with the hints
/// a span gave about a peer known only by its attributes.
struct CallKey {
    std::string caller;
    std::string callee;
    quint8 peerHints = 0; // PeerHint bits
    auto operator<=>(const CallKey&) const = default;
};

/// The service topology of traces in the form the cache keeps next to the span rollups, so that the map of a
/// whole cache is read from a few rows rather than from every trace: per (call series, minute of the caller's
/// span start) the calls, their errors and a latency histogram; and per service the first value of each string
/// resource attribute (groups use them). Span counts and durations per service come from the span rollups.
class TopologyRollups : public RollupCells<CallKey> {
public:
    using RollupCells::add;
    /// Adds the trace's calls (sign -1 takes them out again) and, with sign 1, its services' resource attributes
    /// not seen yet (attributes are never taken out: they describe a service, not a count).
    void add(const Trace& trace, qint64 sign = 1);
    void merge(const TopologyRollups& other, qint64 sign = 1);
    void clear();

    /// (service, key) → value, the first value seen.
    using Attributes = std::map<std::pair<std::string, std::string>, std::string>;
    const Attributes& attributes() const { return m_attributes; }

private:
    Attributes m_attributes;
};

} // namespace tracemap
