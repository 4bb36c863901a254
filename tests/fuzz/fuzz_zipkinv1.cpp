// Zipkin v1 JSON (annotations, binaryAnnotations) through the importer: ZipkinJsonParser and ZipkinSpanMapper.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return fuzzsupport::fuzzJsonFormat(data, size, tracemap::TraceFormat::ZipkinV1Json);
}
