#pragma once

#include "writers/tracewriter.h"
#include "writers/writeroutput.h"

#include <string>
#include <vector>

namespace tracemap {

/// Jaeger UI JSON, the shape of the query API's GET /api/traces answer: {"data":[trace, ...], "total":0, ...}.
/// OTel fields become the tags the collector's Jaeger translator writes (span.kind, otel.status_code, error,
/// otel.status_description, otel.scope.name/version, w3c.tracestate); links become FOLLOWS_FROM references.
class JaegerJsonWriter : public TraceWriter {
public:
    explicit JaegerJsonWriter(std::FILE* file);

    void begin() override;
    void write(const Trace& trace) override;
    void end() override;
    bool ok() const override { return m_out.ok(); }

private:
    quint32 processOf(const Span& span);
    void writeProcesses(const Trace& trace);
    void writeSpan(const Trace& trace, const Span& span);
    void appendTag(std::string& out, const Trace& trace, const Attribute& attribute);
    void appendStringTag(std::string& out, std::string_view key, std::string_view value);

    WriterOutput m_out;
    bool m_first = true;
    std::string m_traceId;
    std::string m_text;
    std::vector<quint64> m_processKeys; // resource index, or service id with the top bit set
    std::vector<quint32> m_processSpan; // a span of each process, for its service name
};

} // namespace tracemap
