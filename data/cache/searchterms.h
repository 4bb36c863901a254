#pragma once

#include "model/trace.h"

#include <string_view>
#include <vector>

namespace tracemap {

/// The 64-bit hashes a trace is indexed under in the cache, and the same hashes built from a query, so both
/// sides agree by construction. Kinds: a service; a service and operation; an attribute key=value (span and
/// resource attributes, values up to kMaxValueLength, plus span.kind and error=true as Jaeger offers them); a call
/// between two services (for the topology map's "traces crossing this edge").
class SearchTerms {
public:
    static constexpr size_t kMaxValueLength = 256;

    static std::vector<qint64> ofTrace(const Trace& trace);
    static qint64 service(std::string_view service);
    static qint64 operation(std::string_view service, std::string_view operation);
    static qint64 anyServiceOperation(std::string_view operation);
    static qint64 tag(std::string_view key, std::string_view value);
    /// A call from one service to another (a span whose parent ran in another service).
    static qint64 edge(std::string_view fromService, std::string_view toService);
    /// Every trace an import wrote or found unchanged in the cache: "the traces of the file just opened".
    static qint64 importedBy(qint64 importId);
};

} // namespace tracemap
