// Dependency-link files ([{"parent", "child", "callCount", "errorCount"}], bare or in {"data": [...]}):
// DependencyLinksReader, and the sniffing that routes a file to it.

#include "fuzzsupport.h"

#include "formats/dependencylinksreader.h"

#include <string>

using namespace tracemap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view bytes = fuzzsupport::bytesOf(data, size);
    // The sniffer reads a file's start without padding: it gets the exact bytes, so any read past them shows.
    (void)DependencyLinksReader::looksLikeDependencyLinks(bytes);

    const auto topology = DependencyLinksReader::read(bytes, QStringLiteral("fuzz-links.json"));
    if (!topology) {
        FUZZ_CHECK(!topology.error().message.isEmpty());
        FUZZ_CHECK(topology.error().offset >= -1 && topology.error().offset <= qint64(size));
        return 0;
    }
    for (size_t i = 1; i < topology->nodes.size(); ++i)
        FUZZ_CHECK(topology->nodes[i - 1].name < topology->nodes[i].name);
    for (const Topology::Edge& edge : topology->edges) {
        FUZZ_CHECK(edge.from < topology->nodes.size() && edge.to < topology->nodes.size());
        FUZZ_CHECK(edge.calls >= 0 && edge.errors >= 0 && edge.errors <= edge.calls);
    }
    return 0;
}
