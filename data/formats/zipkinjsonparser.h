#pragma once

#include "formats/jsonformatparser.h"
#include "formats/zipkinspanmapper.h"

#include <simdjson.h>

namespace tracemap {

/// Zipkin JSON, v2 (`localEndpoint`, `kind`, `tags`) and v1 (`annotations` with endpoints, `binaryAnnotations`).
/// It reads the members of each span; ZipkinSpanMapper (shared with the proto3 reader) turns them into spans.
class ZipkinJsonParser final : public JsonFormatParser {
public:
    enum class Version { V1, V2 };
    explicit ZipkinJsonParser(Version version);
    void parseRecord(std::string_view record, SpanBatch& batch) override;

private:
    void readSpan(simdjson::ondemand::object span, SpanBatch& batch);
    void readEndpoint(simdjson::ondemand::value v, ZipkinSpanMapper::Endpoint& out);

    Version m_version;
    simdjson::ondemand::parser m_parser;
    ZipkinSpanMapper m_mapper;
};

} // namespace tracemap
