#pragma once

#include "formats/jsonformatparser.h"

#include <simdjson.h>

#include <string>
#include <unordered_map>

namespace tracemap {

/// Jaeger UI / query JSON: a trace object {traceID, spans, processes} (as found in {"data":[…]} or alone), or a
/// span object with an inline "process" (bare span arrays, the anonymizer's output). Tags, logs, references,
/// span warnings; OTel fields that Jaeger carries as tags (span.kind, otel.status_code, error) become the model's
/// kind and status.
class JaegerJsonParser final : public JsonFormatParser {
public:
    void parseRecord(std::string_view record, SpanBatch& batch) override;

private:
    struct Process {
        std::string service;
        ResourceDraft resource;
    };
    void readProcesses(simdjson::ondemand::object processes);
    void readProcess(simdjson::ondemand::object object, Process& process);
    void readSpan(simdjson::ondemand::object span, SpanBatch& batch);
    void readTags(simdjson::ondemand::array tags, AttributeBuffer& out, SpanDraft* span);
    void readLogs(simdjson::ondemand::array logs);
    void readReferences(simdjson::ondemand::array references);
    void chooseParent();
    TraceId traceId(simdjson::ondemand::value v, std::string_view what);
    SpanId spanId(simdjson::ondemand::value v, std::string_view what);

    simdjson::ondemand::parser m_parser;
    std::unordered_map<std::string, Process> m_processes;
    Process m_inlineProcess;
    SpanDraft m_draft;
    ScopeDraft m_scope;
    std::string m_scratch;
};

} // namespace tracemap
