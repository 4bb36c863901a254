// Zipkin's proto3 ListOfSpans through the importer with the format forced, as the Zipkin receiver does:
// ZipkinProtoParser and ZipkinSpanMapper.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzzsupport::importAndCheck(fuzzsupport::bytesOf(data, size), tracemap::TraceFormat::ZipkinV2Proto);
    return 0;
}
