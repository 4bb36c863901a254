#pragma once

#include "formats/jsonformatparser.h"
#include "model/spandraft.h"

#include <simdjson.h>

#include <string>
#include <string_view>

namespace tracemap {

/// Reads OTLP JSON: a record is one ResourceSpans object (what JsonRecordSplitter yields for the resourceSpans or
/// batches arrays) or a whole request ({"resourceSpans":[…]}, Tempo's {"batches":[…]}, Jaeger api_v3's
/// {"result":{…}}, Tempo v2's {"trace":{…}}). Besides the OTLP/JSON rules it takes what Tempo and the protobuf
/// JSON mapping write: base64 ids, enum names, 64-bit numbers as numbers, and the pre-0.15 instrumentationLibrary
/// names. Keys may come in any order; unknown keys are ignored.
class OtlpJsonParser final : public JsonFormatParser {
public:
    void parseRecord(std::string_view record, SpanBatch& batch) override;

private:
    using Object = simdjson::ondemand::object;
    using Value = simdjson::ondemand::value;

    void parseContainer(Object object, int depth);
    void parseResource(Value value);
    void parseScopeSpansList(Value value);
    void parseScopeSpans(Object object);
    void parseScope(Value value);
    void parseSpan(Value value);
    void parseEvent(Value value);
    void parseLink(Value value);
    void parseStatus(Value value);

    void parseAttributes(AttributeBuffer& out, Value value, std::string_view what);
    void addAnyValue(AttributeBuffer& out, std::string_view key, Value value);
    AttributeValue anyValue(Value value, int depth);
    AttributeValue arrayValue(Value value, int depth);
    AttributeValue keyValueListValue(Value value, int depth);

    simdjson::ondemand::field fieldOf(simdjson::simdjson_result<simdjson::ondemand::field> result);
    Value elementOf(simdjson::simdjson_result<Value> result);
    /// Where the parser is now, for errors that simdjson reports without a position.
    const char* location();

    simdjson::ondemand::parser m_parser;
    simdjson::ondemand::document m_document;
    std::string_view m_record;
    SpanBatch* m_batch = nullptr;
    SpanDraft m_span;
    ResourceDraft m_resource;
    ScopeDraft m_scope;
    std::string m_service;
};

} // namespace tracemap
