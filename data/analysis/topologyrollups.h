#pragma once

#include "metrics/spanrollups.h"
#include "model/trace.h"

#include <compare>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
    /// Adds the trace's calls (sign -1 takes them out again).
    void add(const Trace& trace, qint64 sign = 1);
    /// Adds its services' resource attributes not seen yet (never taken out: they describe a service, not a count).
    /// Apart from add(): the cache's writer adds them straight to what its transaction collects, where the services
    /// are known already, so that a small trace costs lookups rather than strings of its own.
    void addAttributes(const Trace& trace);
    void merge(const TopologyRollups& other, qint64 sign = 1);
    void clear();

    /// Per service, (key, value) with the first value seen of each key, at most Topology::kMaxNodeAttributes keys
    /// (what the map shows; with the cache's own cap, it keeps a flood of attributes out). Looked up by string_view: a
    /// trace adds a few dozen, and making strings for each would cost more than the calls.
    using Attributes = std::map<std::string, std::vector<std::pair<std::string, std::string>>, std::less<>>;
    const Attributes& attributes() const { return m_attributes; }
    void addAttribute(std::string_view service, std::string_view key, std::string_view value);

private:
    Attributes m_attributes;
};

} // namespace tracemap
