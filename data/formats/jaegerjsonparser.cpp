#include "formats/jaegerjsonparser.h"
#include "formats/jsonfields.h"

#include <charconv>

namespace tracemap {

using namespace json;

namespace {

SpanKind kindFromTag(std::string_view value)
{
    if (value == "server")
        return SpanKind::Server;
    if (value == "client")
        return SpanKind::Client;
    if (value == "producer")
        return SpanKind::Producer;
    if (value == "consumer")
        return SpanKind::Consumer;
    if (value == "internal")
        return SpanKind::Internal;
    return SpanKind::Unspecified;
}

} // namespace

namespace {

quint64 fnv1a(std::string_view text, quint64 seed)
{
    quint64 h = seed;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

// Jaeger UI shows traces whose ids are not hex (hand-written test data uses "trace-123"), so they are accepted
// here: a short printable non-hex id maps to a stable 64/128-bit id and the span says so. Hex ids of a wrong
// length and anything else malformed are still errors.
bool isLenientId(std::string_view text)
{
    if (text.empty() || text.size() > 64)
        return false;
    bool nonHex = false;
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
            return false;
        nonHex |= hexDigitValue(c) < 0;
    }
    return nonHex;
}

} // namespace

TraceId JaegerJsonParser::traceId(value v, std::string_view what)
{
    const char* at = positionOf(v);
    const std::string_view text = asString(v, what);
    if (isLenientId(text)) {
        m_draft.addWarning(std::string(what) + " \"" + std::string(text) + "\" is not hex; mapped to a hashed id");
        return TraceId { fnv1a(text, 0x84222325cbf29ce4ull), fnv1a(text, 0xcbf29ce484222325ull) };
    }
    return traceIdFromText(text, at, what);
}

SpanId JaegerJsonParser::spanId(value v, std::string_view what)
{
    const char* at = positionOf(v);
    const std::string_view text = asString(v, what);
    if (isLenientId(text)) {
        m_draft.addWarning(std::string(what) + " \"" + std::string(text) + "\" is not hex; mapped to a hashed id");
        return fnv1a(text, 0xcbf29ce484222325ull);
    }
    return spanIdFromText(text, at, what);
}

void JaegerJsonParser::parseRecord(std::string_view record, SpanBatch& batch)
{
    RecordScope scope(record);
    auto doc = m_parser.iterate(simdjson::padded_string_view(record.data(), record.size(), record.size() + 64));
    object root;
    if (doc.get_object().get(root) != simdjson::SUCCESS)
        fail(record.data(), "expected a Jaeger trace or span object");

    // A span record carries "spanID"; a trace record carries "spans". Processes may follow the spans, so read
    // them first (On-Demand's unordered lookup wraps around the object).
    value spans;
    if (findField(root, "spans", spans)) {
        m_processes.clear();
        value processes;
        if (findField(root, "processes", processes) && !isNull(processes))
            readProcesses(asObject(processes, "processes"));
        if (!findField(root, "spans", spans))
            fail(record.data(), "cannot read \"spans\"");
        if (isNull(spans))
            return;
        for (auto element : asArray(spans, "spans")) {
            value v;
            if (element.get(v) != simdjson::SUCCESS)
                fail(nullptr, "malformed span in \"spans\"");
            readSpan(asObject(v, "a span"), batch);
            spanParsed([&doc] {
                const char* position = nullptr;
                return doc.current_location().get(position) == simdjson::SUCCESS ? position : nullptr;
            });
        }
        return;
    }
    if (root.reset().error() != simdjson::SUCCESS)
        fail(record.data(), "cannot re-read the record");
    readSpan(root, batch);
}

void JaegerJsonParser::readProcesses(object processes)
{
    for (auto field : processes) {
        std::string_view id;
        if (field.unescaped_key().get(id) != simdjson::SUCCESS)
            fail(nullptr, "malformed process id");
        std::string key(id);
        Process& process = m_processes[key];
        readProcess(asObject(field.value(), "a process"), process);
    }
}

void JaegerJsonParser::readProcess(object object, Process& process)
{
    process.service.clear();
    process.resource.clear();
    for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            fail(nullptr, "malformed process member");
        if (key == "serviceName") {
            process.service = asString(field.value(), "serviceName");
        } else if (key == "tags") {
            value tags = field.value();
            if (!isNull(tags))
                readTags(asArray(tags, "process tags"), process.resource.attributes, nullptr);
        }
    }
    if (!process.resource.attributes.contains("service.name"))
        process.resource.attributes.addString("service.name", process.service);
}

void JaegerJsonParser::readSpan(object span, SpanBatch& batch)
{
    m_draft.clear();
    m_scope.clear();
    std::string processId;
    bool inlineProcess = false;
    for (auto field : span) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            fail(nullptr, "malformed span member");
        value v = field.value();
        if (key == "traceID") {
            m_draft.traceId = traceId(v, "traceID");
        } else if (key == "spanID") {
            m_draft.spanId = spanId(v, "spanID");
        } else if (key == "parentSpanID") {
            if (!isNull(v) && m_draft.parentId == 0)
                m_draft.parentId = spanId(v, "parentSpanID");
        } else if (key == "operationName") {
            m_draft.operation = asString(v, "operationName");
        } else if (key == "startTime") {
            const char* at = positionOf(v);
            m_draft.startNs = microsToNanos(asInt64(v, "startTime"), at, "startTime");
        } else if (key == "duration") {
            const char* at = positionOf(v);
            const qint64 micros = asInt64(v, "duration");
            if (micros < 0)
                fail(at, "duration is negative (" + std::to_string(micros) + " µs)");
            m_draft.durationNs = microsToNanos(micros, at, "duration");
        } else if (key == "flags") {
            m_draft.w3cFlags = static_cast<quint32>(asInt64(v, "flags"));
        } else if (key == "references") {
            if (!isNull(v))
                readReferences(asArray(v, "references"));
        } else if (key == "tags") {
            if (!isNull(v))
                readTags(asArray(v, "tags"), m_draft.attributes, &m_draft);
        } else if (key == "logs") {
            if (!isNull(v))
                readLogs(asArray(v, "logs"));
        } else if (key == "processID") {
            processId = asString(v, "processID");
        } else if (key == "process") {
            readProcess(asObject(v, "process"), m_inlineProcess);
            inlineProcess = true;
        } else if (key == "warnings") {
            if (!isNull(v)) {
                for (auto w : asArray(v, "warnings")) {
                    value wv;
                    if (w.get(wv) != simdjson::SUCCESS)
                        fail(nullptr, "malformed warning");
                    m_draft.addWarning(asString(wv, "a warning"));
                }
            }
        }
    }
    if (!m_draft.traceId.isValid())
        fail(nullptr, "span " + spanIdToHex(m_draft.spanId) + " has no traceID");
    if (m_draft.startNs == 0)
        m_draft.problems |= MissingStart; // absent or 0: the assembler places it at its parent's start
    chooseParent();
    const Process* process = inlineProcess ? &m_inlineProcess : nullptr;
    if (!process && !processId.empty()) {
        const auto it = m_processes.find(processId);
        if (it == m_processes.end())
            m_draft.addWarning("unknown processID \"" + processId + "\"");
        else
            process = &it->second;
    }
    if (process)
        m_draft.service = process->service;
    batch.add(m_draft, process ? &process->resource : nullptr, m_scope.name.empty() ? nullptr : &m_scope);
}

void JaegerJsonParser::readReferences(array references)
{
    for (auto element : references) {
        value rv;
        if (element.get(rv) != simdjson::SUCCESS)
            fail(nullptr, "malformed reference");
        LinkDraft& link = m_draft.addLink();
        link.type = LinkType::ChildOf;
        for (auto field : asObject(rv, "a reference")) {
            std::string_view key;
            if (field.unescaped_key().get(key) != simdjson::SUCCESS)
                fail(nullptr, "malformed reference member");
            value v = field.value();
            if (key == "refType")
                link.type = asString(v, "refType") == "FOLLOWS_FROM" ? LinkType::FollowsFrom : LinkType::ChildOf;
            else if (key == "traceID")
                link.traceId = traceId(v, "reference traceID");
            else if (key == "spanID")
                link.spanId = spanId(v, "reference spanID");
        }
    }
}

void JaegerJsonParser::chooseParent()
{
    // The parent is the first CHILD_OF reference within the span's own trace (as Jaeger's backend takes it),
    // else the first CHILD_OF, else a FOLLOWS_FROM one (Jaeger UI draws that as a child too). A CHILD_OF parent
    // says nothing more, so it is not kept as a link; FOLLOWS_FROM and any further references are.
    const auto links = m_draft.links();
    if (links.empty())
        return;
    size_t parent = links.size();
    for (size_t i = 0; i < links.size() && parent == links.size(); ++i) {
        if (links[i].type == LinkType::ChildOf && links[i].traceId == m_draft.traceId)
            parent = i;
    }
    for (size_t i = 0; i < links.size() && parent == links.size(); ++i) {
        if (links[i].type == LinkType::ChildOf)
            parent = i;
    }
    if (parent == links.size())
        parent = 0;
    m_draft.parentId = links[parent].spanId;
    if (links[parent].type == LinkType::ChildOf)
        m_draft.removeLink(parent);
}

void JaegerJsonParser::readTags(array tags, AttributeBuffer& out, SpanDraft* span)
{
    for (auto element : tags) {
        value tv;
        if (element.get(tv) != simdjson::SUCCESS)
            fail(nullptr, "malformed tag");
        std::string_view key;
        std::string_view type;
        std::string_view text;
        bool isText = false;
        bool boolValue = false;
        qint64 intValue = 0;
        bool intFits = true; // false for a number with no int64 value (out of range, NaN)
        double doubleValue = 0;
        simdjson::ondemand::json_type jsonType = simdjson::ondemand::json_type::null;
        const char* at = positionOf(tv);
        for (auto field : asObject(tv, "a tag")) {
            std::string_view name;
            if (field.unescaped_key().get(name) != simdjson::SUCCESS)
                fail(nullptr, "malformed tag member");
            value v = field.value();
            if (name == "key") {
                key = asString(v, "tag key");
            } else if (name == "type") {
                type = asString(v, "tag type");
            } else if (name == "value") {
                at = positionOf(v);
                if (v.type().get(jsonType) != simdjson::SUCCESS)
                    failAt(v, "invalid tag value");
                switch (jsonType) {
                case simdjson::ondemand::json_type::string:
                    text = asString(v, "tag value");
                    isText = true;
                    break;
                case simdjson::ondemand::json_type::boolean:
                    boolValue = asBool(v, "tag value");
                    break;
                case simdjson::ondemand::json_type::number: {
                    simdjson::ondemand::number_type nt;
                    if (v.get_number_type().get(nt) == simdjson::SUCCESS
                        && nt == simdjson::ondemand::number_type::signed_integer) {
                        intValue = asInt64(v, "tag value");
                        doubleValue = static_cast<double>(intValue);
                    } else if (nt == simdjson::ondemand::number_type::unsigned_integer) {
                        const quint64 u = asUInt64(v, "tag value");
                        intValue = static_cast<qint64>(u);
                        doubleValue = static_cast<double>(u);
                    } else {
                        doubleValue = asDouble(v, "tag value");
                        // Converting a double outside int64's range is undefined (found by fuzz_jaeger); only an
                        // int64 tag needs the value, and there it is an error.
                        intFits = doubleValue >= -9.2e18 && doubleValue <= 9.2e18;
                        intValue = intFits ? static_cast<qint64>(doubleValue) : 0;
                    }
                    break;
                }
                case simdjson::ondemand::json_type::null:
                    break;
                default: {
                    text = rawJson(v);
                    isText = true;
                }
                }
            }
        }
        using JT = simdjson::ondemand::json_type;
        if (type.empty())
            type = jsonType == JT::boolean ? "bool" : jsonType == JT::number ? "float64" : "string";
        if (type == "string") {
            if (jsonType == JT::null)
                out.addEmpty(key);
            else if (isText)
                out.addString(key, text);
            else if (jsonType == JT::boolean)
                out.addString(key, boolValue ? "true" : "false");
            else
                out.addString(key, std::to_string(doubleValue));
        } else if (type == "bool") {
            const bool b = isText ? text == "true" : boolValue;
            out.addBool(key, b);
        } else if (type == "int64") {
            qint64 i = intValue;
            if (isText) {
                // Jaeger writes int64 beyond 2^53 as a string.
                const auto r = std::from_chars(text.data(), text.data() + text.size(), i);
                if (r.ec != std::errc())
                    fail(at, "expected an int64 value for tag \"" + std::string(key) + '"');
            } else if (!intFits) {
                fail(at, "the int64 value of tag \"" + std::string(key) + "\" is out of range");
            }
            out.addInt(key, i);
        } else if (type == "float64") {
            double d = doubleValue;
            if (isText && std::from_chars(text.data(), text.data() + text.size(), d).ec != std::errc())
                fail(at, "expected a float64 value for tag \"" + std::string(key) + '"');
            out.addDouble(key, d);
        } else if (type == "binary") {
            const auto bytes = decodeBase64(text);
            if (bytes)
                out.addBytes(key, *bytes);
            else
                out.addString(key, text);
        } else {
            fail(
                at, "unknown tag type \"" + std::string(type) + "\" (expected string, bool, int64, float64 or binary)");
        }

        if (!span)
            continue;
        if (key == "span.kind" && isText) {
            span->kind = kindFromTag(text);
        } else if (key == "error" && ((isText && text == "true") || (jsonType == JT::boolean && boolValue))) {
            span->status = StatusCode::Error;
        } else if (key == "otel.status_code" && isText) {
            span->status = text == "ERROR" ? StatusCode::Error : text == "OK" ? StatusCode::Ok : span->status;
        } else if (key == "otel.status_description" && isText) {
            span->statusMessage = text;
        } else if ((key == "otel.scope.name" || key == "otel.library.name") && isText) {
            m_scope.name = text;
        } else if ((key == "otel.scope.version" || key == "otel.library.version") && isText) {
            m_scope.version = text;
        } else if (key == "w3c.tracestate" && isText) {
            span->traceState = text;
        }
    }
}

void JaegerJsonParser::readLogs(array logs)
{
    for (auto element : logs) {
        value lv;
        if (element.get(lv) != simdjson::SUCCESS)
            fail(nullptr, "malformed log");
        EventDraft& event = m_draft.addEvent();
        for (auto field : asObject(lv, "a log")) {
            std::string_view key;
            if (field.unescaped_key().get(key) != simdjson::SUCCESS)
                fail(nullptr, "malformed log member");
            value v = field.value();
            if (key == "timestamp") {
                const char* at = positionOf(v);
                event.timeNs = microsToNanos(asInt64(v, "log timestamp"), at, "log timestamp");
            } else if (key == "fields") {
                if (!isNull(v))
                    readTags(asArray(v, "log fields"), event.attributes, nullptr);
            }
        }
        // Jaeger keeps the event name in the field "event" (OTel's convention when converting).
        if (const auto name = event.attributes.findString("event"))
            event.name = *name;
        else if (const auto message = event.attributes.findString("message"))
            event.name = *message;
    }
}

} // namespace tracemap
