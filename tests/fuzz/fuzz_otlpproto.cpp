// Binary OTLP (TracesData, ExportTraceServiceRequest) through the importer with the format forced, as the OTLP
// receivers do: OtlpProtoParser.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzzsupport::importAndCheck(fuzzsupport::bytesOf(data, size), tracemap::TraceFormat::OtlpProto);
    return 0;
}
