#include "formats/otlpjsonparser.h"

#include "formats/jsonfields.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace tracemap {

namespace {

// resourceSpans inside result inside …: real inputs nest two levels; the bound keeps hostile input from recursing.
constexpr int kMaxContainerDepth = 8;

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

std::string_view withoutPrefix(std::string_view name, std::string_view prefix)
{
    if (name.size() > prefix.size() && equalsIgnoreCase(name.substr(0, prefix.size()), prefix))
        return name.substr(prefix.size());
    return name;
}

// An enum given as an integer, a decimal string or a name (Tempo and the protobuf JSON mapping write names).
// Returns -1 for a name it does not know.
int enumValue(
    json::value v, std::string_view prefix, std::initializer_list<std::string_view> names, std::string_view what)
{
    simdjson::ondemand::json_type type;
    if (v.type().get(type) == simdjson::SUCCESS && type == simdjson::ondemand::json_type::string) {
        const std::string_view text = json::asString(v, what);
        int number = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), number);
        if (r.ec == std::errc() && r.ptr == text.data() + text.size() && !text.empty())
            return number;
        const std::string_view name = withoutPrefix(text, prefix);
        int index = 0;
        for (std::string_view candidate : names) {
            if (equalsIgnoreCase(name, candidate))
                return index;
            ++index;
        }
        return -1;
    }
    const qint64 number = json::asInt64(v, what);
    return (number >= 0 && number <= std::numeric_limits<int>::max()) ? static_cast<int>(number) : -1;
}

} // namespace

void OtlpJsonParser::parseRecord(std::string_view record, SpanBatch& batch)
{
    m_record = record;
    m_batch = &batch;
    const auto error = m_parser
                           .iterate(simdjson::padded_string_view(
                               record.data(), record.size(), record.size() + simdjson::SIMDJSON_PADDING))
                           .get(m_document);
    if (error)
        json::fail(record.data(), std::string("invalid JSON: ") + simdjson::error_message(error));

    simdjson::ondemand::json_type type;
    if (m_document.type().get(type) != simdjson::SUCCESS)
        json::fail(location(), "invalid JSON");
    if (type == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array array;
        if (m_document.get_array().get(array) != simdjson::SUCCESS)
            json::fail(location(), "invalid JSON array");
        for (auto element : array)
            parseContainer(json::asObject(elementOf(std::move(element)), "ResourceSpans"), 1);
        return;
    }
    Object object;
    if (type != simdjson::ondemand::json_type::object || m_document.get_object().get(object) != simdjson::SUCCESS)
        json::fail(record.data(), "expected an OTLP JSON object (ResourceSpans or {\"resourceSpans\":[…]})");
    parseContainer(object, 0);
}

// An object that is a ResourceSpans, a request holding them, or a wrapper around a request. The spans of a
// ResourceSpans need its resource, which may come after them: then they are skipped and read in a second pass.
void OtlpJsonParser::parseContainer(Object object, int depth)
{
    if (depth > kMaxContainerDepth)
        json::fail(location(), "OTLP JSON nested too deeply");
    m_resource.clear();
    m_service.clear();
    bool haveResource = false;
    bool deferred = false;
    for (auto result : object) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "resourceSpans" || key == "batches") {
            for (auto element : json::asArray(v, "resourceSpans"))
                parseContainer(json::asObject(elementOf(std::move(element)), "ResourceSpans"), depth + 1);
        } else if (key == "result" || key == "trace") {
            parseContainer(json::asObject(v, "the trace data"), depth + 1);
        } else if (key == "resource") {
            parseResource(v);
            haveResource = true;
        } else if (key == "scopeSpans" || key == "instrumentationLibrarySpans") {
            if (haveResource && !deferred)
                parseScopeSpansList(v);
            else
                deferred = true;
        }
    }
    if (!deferred)
        return;
    if (object.reset().error() != simdjson::SUCCESS)
        json::fail(location(), "invalid JSON in ResourceSpans");
    // Keys are compared raw (not unescaped) so that this second pass adds nothing to simdjson's string buffer.
    for (auto result : object) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        if (key == "scopeSpans" || key == "instrumentationLibrarySpans") {
            Value v = field.value();
            if (!json::isNull(v))
                parseScopeSpansList(v);
        }
    }
}

void OtlpJsonParser::parseResource(Value value)
{
    for (auto result : json::asObject(value, "resource")) {
        auto field = fieldOf(std::move(result));
        if (field.key() == "attributes")
            parseAttributes(m_resource.attributes, field.value(), "resource attributes");
    }
    m_service = m_resource.attributes.findString("service.name").value_or(std::string_view());
}

void OtlpJsonParser::parseScopeSpansList(Value value)
{
    for (auto element : json::asArray(value, "scopeSpans"))
        parseScopeSpans(json::asObject(elementOf(std::move(element)), "ScopeSpans"));
}

void OtlpJsonParser::parseScopeSpans(Object object)
{
    m_scope.clear();
    bool haveScope = false;
    bool deferred = false;
    for (auto result : object) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "scope" || key == "instrumentationLibrary") {
            parseScope(v);
            haveScope = true;
        } else if (key == "spans") {
            if (haveScope && !deferred) {
                for (auto element : json::asArray(v, "spans"))
                    parseSpan(elementOf(std::move(element)));
            } else {
                deferred = true;
            }
        }
    }
    if (!deferred)
        return;
    if (object.reset().error() != simdjson::SUCCESS)
        json::fail(location(), "invalid JSON in ScopeSpans");
    for (auto result : object) {
        auto field = fieldOf(std::move(result));
        if (field.key() == "spans") {
            Value v = field.value();
            if (json::isNull(v))
                continue;
            for (auto element : json::asArray(v, "spans"))
                parseSpan(elementOf(std::move(element)));
        }
    }
}

void OtlpJsonParser::parseScope(Value value)
{
    for (auto result : json::asObject(value, "scope")) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "name")
            m_scope.name = json::asString(v, "scope name");
        else if (key == "version")
            m_scope.version = json::asString(v, "scope version");
        else if (key == "attributes")
            parseAttributes(m_scope.attributes, v, "scope attributes");
    }
}

void OtlpJsonParser::parseSpan(Value value)
{
    m_span.clear();
    qint64 start = 0;
    qint64 end = 0;
    for (auto result : json::asObject(value, "span")) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "traceId") {
            m_span.traceId = json::asTraceId(v, "traceId");
        } else if (key == "spanId") {
            m_span.spanId = json::asSpanId(v, "spanId");
        } else if (key == "parentSpanId") {
            m_span.parentId = json::asSpanId(v, "parentSpanId");
        } else if (key == "name") {
            m_span.operation = json::asString(v, "span name");
        } else if (key == "kind") {
            const int kind = enumValue(
                v, "SPAN_KIND_", { "UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER" }, "kind");
            if (kind >= 0 && kind <= static_cast<int>(SpanKind::Consumer))
                m_span.kind = static_cast<SpanKind>(kind);
            else
                m_span.addWarning("unknown span kind");
        } else if (key == "startTimeUnixNano") {
            start = json::asInt64(v, "startTimeUnixNano");
        } else if (key == "endTimeUnixNano") {
            end = json::asInt64(v, "endTimeUnixNano");
        } else if (key == "traceState") {
            m_span.traceState = json::asString(v, "traceState");
        } else if (key == "flags") {
            m_span.w3cFlags = static_cast<quint32>(json::asUInt64(v, "flags"));
        } else if (key == "attributes") {
            parseAttributes(m_span.attributes, v, "span attributes");
        } else if (key == "events") {
            for (auto element : json::asArray(v, "events"))
                parseEvent(elementOf(std::move(element)));
        } else if (key == "links") {
            for (auto element : json::asArray(v, "links"))
                parseLink(elementOf(std::move(element)));
        } else if (key == "status") {
            parseStatus(v);
        }
    }
    m_span.setUnixNanoTimes(start, end);
    if (!m_span.traceId.isValid())
        m_span.addWarning("missing or all-zero trace id");
    if (m_span.spanId == 0)
        m_span.addWarning("missing or all-zero span id");
    m_span.service = m_service;
    m_batch->add(m_span, &m_resource, &m_scope);
    spanParsed([this] { return location(); });
}

void OtlpJsonParser::parseEvent(Value value)
{
    EventDraft& event = m_span.addEvent();
    for (auto result : json::asObject(value, "event")) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "timeUnixNano")
            event.timeNs = json::asInt64(v, "event timeUnixNano");
        else if (key == "name")
            event.name = json::asString(v, "event name");
        else if (key == "attributes")
            parseAttributes(event.attributes, v, "event attributes");
    }
}

void OtlpJsonParser::parseLink(Value value)
{
    LinkDraft& link = m_span.addLink();
    link.type = LinkType::Link;
    for (auto result : json::asObject(value, "link")) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "traceId")
            link.traceId = json::asTraceId(v, "link traceId");
        else if (key == "spanId")
            link.spanId = json::asSpanId(v, "link spanId");
        else if (key == "traceState")
            link.traceState = json::asString(v, "link traceState");
        else if (key == "flags")
            link.flags = static_cast<quint32>(json::asUInt64(v, "link flags"));
        else if (key == "attributes")
            parseAttributes(link.attributes, v, "link attributes");
    }
}

void OtlpJsonParser::parseStatus(Value value)
{
    for (auto result : json::asObject(value, "status")) {
        auto field = fieldOf(std::move(result));
        const auto key = field.key();
        Value v = field.value();
        if (json::isNull(v))
            continue;
        if (key == "code") {
            const int code = enumValue(v, "STATUS_CODE_", { "UNSET", "OK", "ERROR" }, "status code");
            if (code >= 0 && code <= static_cast<int>(StatusCode::Error))
                m_span.status = static_cast<StatusCode>(code);
            else
                m_span.addWarning("unknown status code");
        } else if (key == "message") {
            m_span.statusMessage = json::asString(v, "status message");
        }
    }
}

// KeyValue objects: "value" may come before "key", so both are looked up rather than read in order.
void OtlpJsonParser::parseAttributes(AttributeBuffer& out, Value value, std::string_view what)
{
    for (auto element : json::asArray(value, what)) {
        Object keyValue = json::asObject(elementOf(std::move(element)), "attribute");
        std::string_view key;
        Value v;
        auto found = keyValue.find_field_unordered("key");
        if (found.get(v) == simdjson::SUCCESS) {
            if (!json::isNull(v))
                key = json::asString(v, "attribute key");
        } else if (found.error() != simdjson::NO_SUCH_FIELD) {
            json::fail(location(), "invalid JSON in attribute");
        }
        auto foundValue = keyValue.find_field_unordered("value");
        if (foundValue.get(v) == simdjson::SUCCESS)
            addAnyValue(out, key, v);
        else if (foundValue.error() == simdjson::NO_SUCH_FIELD)
            out.addEmpty(key);
        else
            json::fail(location(), "invalid JSON in attribute");
    }
}

void OtlpJsonParser::addAnyValue(AttributeBuffer& out, std::string_view key, Value value)
{
    if (json::isNull(value)) {
        out.addEmpty(key);
        return;
    }
    bool set = false;
    for (auto result : json::asObject(value, "attribute value")) {
        auto field = fieldOf(std::move(result));
        if (set)
            continue;
        const auto type = field.key();
        Value v = field.value();
        set = true;
        if (type == "stringValue") {
            out.addString(key, json::asString(v, "stringValue"));
        } else if (type == "boolValue") {
            out.addBool(key, json::asBool(v, "boolValue"));
        } else if (type == "intValue") {
            out.addInt(key, json::asInt64(v, "intValue"));
        } else if (type == "doubleValue") {
            out.addDouble(key, json::asDouble(v, "doubleValue"));
        } else if (type == "bytesValue") {
            const char* position = json::positionOf(v);
            const auto bytes = decodeBase64(json::asString(v, "bytesValue"));
            if (!bytes)
                json::fail(position, "expected base64 for bytesValue");
            out.addBytes(key, *bytes);
        } else if (type == "arrayValue") {
            out.addValue(key, arrayValue(v, 0));
        } else if (type == "kvlistValue") {
            out.addValue(key, keyValueListValue(v, 0));
        } else {
            set = false; // unknown, e.g. stringValueStrindex, which belongs to profiles
        }
    }
    if (!set)
        out.addEmpty(key);
}

AttributeValue OtlpJsonParser::anyValue(Value value, int depth)
{
    if (depth > AttributeValue::kMaxDepth)
        json::failAt(value, "attribute value nested too deeply");
    if (json::isNull(value))
        return {};
    AttributeValue result;
    bool set = false;
    for (auto item : json::asObject(value, "attribute value")) {
        auto field = fieldOf(std::move(item));
        if (set)
            continue;
        const auto type = field.key();
        Value v = field.value();
        set = true;
        if (type == "stringValue") {
            result = AttributeValue::fromString(json::asString(v, "stringValue"));
        } else if (type == "boolValue") {
            result = AttributeValue::fromBool(json::asBool(v, "boolValue"));
        } else if (type == "intValue") {
            result = AttributeValue::fromInt(json::asInt64(v, "intValue"));
        } else if (type == "doubleValue") {
            result = AttributeValue::fromDouble(json::asDouble(v, "doubleValue"));
        } else if (type == "bytesValue") {
            const char* position = json::positionOf(v);
            const auto bytes = decodeBase64(json::asString(v, "bytesValue"));
            if (!bytes)
                json::fail(position, "expected base64 for bytesValue");
            result = AttributeValue::fromBytes(*bytes);
        } else if (type == "arrayValue") {
            result = arrayValue(v, depth);
        } else if (type == "kvlistValue") {
            result = keyValueListValue(v, depth);
        } else {
            set = false;
        }
    }
    return result;
}

AttributeValue OtlpJsonParser::arrayValue(Value value, int depth)
{
    if (depth > AttributeValue::kMaxDepth)
        json::failAt(value, "attribute value nested too deeply");
    std::vector<AttributeValue> items;
    for (auto result : json::asObject(value, "arrayValue")) {
        auto field = fieldOf(std::move(result));
        if (field.key() != "values")
            continue;
        Value v = field.value();
        if (json::isNull(v))
            continue;
        for (auto element : json::asArray(v, "arrayValue values"))
            items.push_back(anyValue(elementOf(std::move(element)), depth + 1));
    }
    return AttributeValue::array(std::move(items));
}

AttributeValue OtlpJsonParser::keyValueListValue(Value value, int depth)
{
    if (depth > AttributeValue::kMaxDepth)
        json::failAt(value, "attribute value nested too deeply");
    std::vector<std::pair<std::string, AttributeValue>> entries;
    for (auto result : json::asObject(value, "kvlistValue")) {
        auto field = fieldOf(std::move(result));
        if (field.key() != "values")
            continue;
        Value v = field.value();
        if (json::isNull(v))
            continue;
        for (auto element : json::asArray(v, "kvlistValue values")) {
            Object keyValue = json::asObject(elementOf(std::move(element)), "kvlistValue entry");
            std::string key;
            Value entry;
            auto found = keyValue.find_field_unordered("key");
            if (found.get(entry) == simdjson::SUCCESS) {
                if (!json::isNull(entry))
                    key = json::asString(entry, "kvlistValue key");
            } else if (found.error() != simdjson::NO_SUCH_FIELD) {
                json::fail(location(), "invalid JSON in kvlistValue");
            }
            AttributeValue item;
            auto foundValue = keyValue.find_field_unordered("value");
            if (foundValue.get(entry) == simdjson::SUCCESS)
                item = anyValue(entry, depth + 1);
            else if (foundValue.error() != simdjson::NO_SUCH_FIELD)
                json::fail(location(), "invalid JSON in kvlistValue");
            entries.emplace_back(std::move(key), std::move(item));
        }
    }
    return AttributeValue::keyValueList(std::move(entries));
}

simdjson::ondemand::field OtlpJsonParser::fieldOf(simdjson::simdjson_result<simdjson::ondemand::field> result)
{
    simdjson::ondemand::field field;
    if (const auto error = std::move(result).get(field))
        json::fail(location(), std::string("invalid JSON: ") + simdjson::error_message(error));
    return field;
}

OtlpJsonParser::Value OtlpJsonParser::elementOf(simdjson::simdjson_result<Value> result)
{
    Value value;
    if (const auto error = std::move(result).get(value))
        json::fail(location(), std::string("invalid JSON: ") + simdjson::error_message(error));
    return value;
}

const char* OtlpJsonParser::location()
{
    const char* position = nullptr;
    if (m_document.current_location().get(position) == simdjson::SUCCESS)
        return position;
    return m_record.data();
}

} // namespace tracemap
