#pragma once

#include "writers/resourcegroups.h"
#include "writers/tracewriter.h"
#include "writers/writeroutput.h"

#include <string>

namespace tracemap {

class AttributeValue;

/// OTLP/JSON TracesData ({"resourceSpans":[...]}) as the spec writes it: hex ids, integer enums, 64-bit integers as
/// strings. Each trace adds one ResourceSpans per resource, with its spans grouped into ScopeSpans per scope.
class OtlpJsonWriter : public TraceWriter {
public:
    explicit OtlpJsonWriter(std::FILE* file);

    void begin() override;
    void write(const Trace& trace) override;
    void end() override;
    bool ok() const override { return m_out.ok(); }

private:
    void writeSpan(const Trace& trace, const Span& span);
    void appendAttributes(std::string& out, const Trace& trace, Range attributes);
    void appendValue(std::string& out, const Trace& trace, const Attribute& attribute);
    static void appendValue(std::string& out, const AttributeValue& value);
    static void appendNanos(std::string& out, qint64 ns);

    WriterOutput m_out;
    ResourceGroups m_groups;
    bool m_first = true;
    std::string m_traceId;
};

} // namespace tracemap
