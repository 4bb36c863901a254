#include "writers/tracewriter.h"

#include "writers/jaegerjsonwriter.h"
#include "writers/otlpjsonwriter.h"
#include "writers/otlpprotowriter.h"
#include "writers/zipkinjsonwriter.h"

namespace tracemap {

TraceWriter::~TraceWriter() = default;

bool isTraceWriterFormat(std::string_view format)
{
    return format == "jaeger" || format == "zipkin" || format == "otlp-json" || format == "otlp-proto";
}

std::unique_ptr<TraceWriter> makeTraceWriter(std::string_view format, std::FILE* file)
{
    if (format == "jaeger")
        return std::make_unique<JaegerJsonWriter>(file);
    if (format == "zipkin")
        return std::make_unique<ZipkinJsonWriter>(file);
    if (format == "otlp-json")
        return std::make_unique<OtlpJsonWriter>(file);
    if (format == "otlp-proto")
        return std::make_unique<OtlpProtoWriter>(file);
    return nullptr;
}

} // namespace tracemap
