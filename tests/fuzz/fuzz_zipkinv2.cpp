// Zipkin v2 JSON (lists of spans, lists of traces) through the importer: ZipkinJsonParser and ZipkinSpanMapper.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return fuzzsupport::fuzzJsonFormat(data, size, tracemap::TraceFormat::ZipkinV2Json);
}
