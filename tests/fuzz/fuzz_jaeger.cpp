// Jaeger JSON (api/traces answers, span arrays, UI exports) through the importer: JaegerJsonParser.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return fuzzsupport::fuzzJsonFormat(data, size, tracemap::TraceFormat::JaegerJson);
}
