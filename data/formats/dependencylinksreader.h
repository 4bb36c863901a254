#pragma once

#include "analysis/topology.h"
#include "formats/importerror.h"

#include <QString>

#include <expected>
#include <string_view>

namespace tracemap {

/// Reads Jaeger/Zipkin dependency-link files: `[{"parent": "a", "child": "b", "callCount": 3, "errorCount": 1}]`,
/// bare or in Jaeger's `{"data": [...]}` envelope (gzip too). Each link becomes an edge with its calls and
/// errors (no latencies: the files have none); nodes are the names seen, with no span figures. Links that repeat a
/// parent/child pair add up. Unknown members are ignored; callCount and errorCount default to 0.
class DependencyLinksReader {
public:
    [[nodiscard]] static std::expected<Topology, ImportError> readFile(const QString& path);
    /// `name` is the file name errors carry.
    [[nodiscard]] static std::expected<Topology, ImportError> read(std::string_view bytes, const QString& name = {});

    /// Whether the file's first record is an object with "parent" and "child" members, so it can be routed here
    /// rather than to the trace importer. Reads only the start of the file.
    static bool isDependencyLinksFile(const QString& path);
    static bool looksLikeDependencyLinks(std::string_view bytes);
};

} // namespace tracemap
