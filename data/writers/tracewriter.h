#pragma once

#include "model/trace.h"

#include <cstdio>
#include <memory>
#include <string_view>

namespace tracemap {

/// Writes traces to a file in one wire format, one trace at a time: begin(), write() for each trace, end().
/// The writer does not own or close the file. Write errors are sticky: ok() turns false and stays false.
class TraceWriter {
public:
    virtual ~TraceWriter();
    virtual void begin() = 0;
    virtual void write(const Trace& trace) = 0;
    /// Closes the document and flushes everything to the file (fflush included).
    virtual void end() = 0;
    virtual bool ok() const = 0;
};

/// True for the formats makeTraceWriter() knows: "jaeger", "zipkin", "otlp-json", "otlp-proto".
bool isTraceWriterFormat(std::string_view format);

/// A writer for one of those formats; nullptr for anything else.
std::unique_ptr<TraceWriter> makeTraceWriter(std::string_view format, std::FILE* file);

} // namespace tracemap
