#pragma once

// The whole-file import shared by the tests that read fixtures: it merges the parts of a trace the importer may
// hand over separately. Needs tracemap_formats.

#include "testsupport.h"

#include "formats/traceimporter.h"
#include "model/traceassembler.h"

#include <expected>
#include <map>
#include <vector>

namespace testsupport {

/// Imports a whole file; parts of one trace id are merged (TraceAssembler::append + assemble). Traces are returned
/// in trace-id order.
inline std::expected<std::vector<tracemap::Trace>, tracemap::ImportError> importAll(
    const QString& path, tracemap::ImportSummary* summary = nullptr, size_t flushSpans = 100000)
{
    using namespace tracemap;
    std::map<TraceId, Trace> byId;
    std::map<TraceId, int> parts;
    ImportOptions options;
    options.flushSpans = flushSpans;
    auto result = TraceImporter::importFile(
        path,
        [&](std::vector<Trace>& traces) {
            for (Trace& t : traces) {
                const TraceId id = t.id;
                ++parts[id];
                auto [it, inserted] = byId.try_emplace(id);
                if (inserted) {
                    it->second = std::move(t);
                } else {
                    TraceAssembler::append(it->second, t);
                }
            }
        },
        options);
    if (!result)
        return std::unexpected(result.error());
    if (summary)
        *summary = *result;
    std::vector<Trace> out;
    out.reserve(byId.size());
    for (auto& [id, trace] : byId) {
        if (parts[id] > 1)
            TraceAssembler::assemble(trace);
        out.push_back(std::move(trace));
    }
    return out;
}

} // namespace testsupport
