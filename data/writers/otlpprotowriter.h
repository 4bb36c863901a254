#pragma once

#include "writers/resourcegroups.h"
#include "writers/tracewriter.h"
#include "writers/writeroutput.h"

#include <memory>
#include <string>

namespace opentelemetry::proto::trace::v1 {
class ResourceSpans;
}

namespace tracemap {

/// Binary OTLP TracesData, written as it goes: every ResourceSpans is one length-delimited field 1, and a
/// concatenation of those is a valid TracesData (and ExportTraceServiceRequest). Grouping as in OtlpJsonWriter.
class OtlpProtoWriter : public TraceWriter {
public:
    explicit OtlpProtoWriter(std::FILE* file);
    ~OtlpProtoWriter() override;

    void begin() override;
    void write(const Trace& trace) override;
    void end() override;
    bool ok() const override { return m_out.ok() && m_serialized; }

private:
    WriterOutput m_out;
    ResourceGroups m_groups;
    std::unique_ptr<opentelemetry::proto::trace::v1::ResourceSpans> m_message;
    std::string m_bytes;
    bool m_serialized = true;
};

} // namespace tracemap
