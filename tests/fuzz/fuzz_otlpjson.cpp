// OTLP JSON and JSON Lines (resourceSpans, Tempo's batches, Jaeger api_v3's result) through the importer:
// OtlpJsonParser.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return fuzzsupport::fuzzJsonFormat(data, size, tracemap::TraceFormat::OtlpJson);
}
