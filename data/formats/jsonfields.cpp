#include "formats/jsonfields.h"
#include "formats/jsonrecordsplitter.h"

#include <charconv>
#include <limits>

namespace tracemap::json {

namespace {
thread_local std::string_view t_record;
}

RecordScope::RecordScope(std::string_view record)
    : m_previous(t_record)
{
    t_record = record;
}

RecordScope::~RecordScope()
{
    t_record = m_previous;
}

std::string_view rawJson(value& v)
{
    const char* begin = positionOf(v);
    if (!begin || begin < t_record.data() || begin >= t_record.data() + t_record.size())
        fail(begin, "cannot locate a JSON value");
    const auto offset = static_cast<size_t>(begin - t_record.data());
    const size_t end = JsonRecordSplitter::skipValue(t_record, offset);
    return t_record.substr(offset, end - offset);
}

const char* positionOf(value& v)
{
    const std::string_view token = v.raw_json_token();
    return token.empty() ? nullptr : token.data();
}

void fail(const char* position, std::string message)
{
    throw ParseError { position, std::move(message) };
}

void failAt(value& v, std::string message)
{
    fail(positionOf(v), std::move(message));
}

bool succeeded(simdjson::error_code e, const char* position)
{
    switch (e) {
    case simdjson::SUCCESS:
        return true;
    // Asking a value for the wrong type, or a number that does not fit, leaves the document readable: the caller
    // may try another type.
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::NO_SUCH_FIELD:
        return false;
    default:
        // Anything else means malformed JSON, after which simdjson's On-Demand iterator is abandoned (its parser
        // pointer is null): one more call on it would crash. Stop here.
        fail(position, std::string("invalid JSON: ") + simdjson::error_message(e));
    }
}

bool findField(object& o, std::string_view key, value& out)
{
    return succeeded(o.find_field_unordered(key).get(out), nullptr);
}

namespace {

std::string expected(std::string_view what, std::string_view type)
{
    std::string m = "expected ";
    m += type;
    m += " for ";
    m += what;
    return m;
}

} // namespace

object asObject(value v, std::string_view what)
{
    object o;
    if (v.get_object().get(o) != simdjson::SUCCESS)
        failAt(v, expected(what, "an object"));
    return o;
}

array asArray(value v, std::string_view what)
{
    array a;
    if (v.get_array().get(a) != simdjson::SUCCESS)
        failAt(v, expected(what, "an array"));
    return a;
}

std::string_view asString(value v, std::string_view what)
{
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS)
        failAt(v, expected(what, "a string"));
    return s;
}

bool asBool(value v, std::string_view what)
{
    bool b = false;
    if (succeeded(v.get_bool().get(b), positionOf(v)))
        return b;
    std::string_view s;
    if (succeeded(v.get_string().get(s), positionOf(v)) && (s == "true" || s == "false"))
        return s == "true";
    failAt(v, expected(what, "true or false"));
}

double asDouble(value v, std::string_view what)
{
    double d = 0;
    if (succeeded(v.get_double().get(d), positionOf(v)))
        return d;
    std::string_view s;
    if (succeeded(v.get_string().get(s), positionOf(v))) {
        if (s == "NaN")
            return std::numeric_limits<double>::quiet_NaN();
        if (s == "Infinity")
            return std::numeric_limits<double>::infinity();
        if (s == "-Infinity")
            return -std::numeric_limits<double>::infinity();
        const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size())
            return d;
    }
    failAt(v, expected(what, "a number"));
}

qint64 asInt64(value v, std::string_view what)
{
    int64_t i = 0;
    if (succeeded(v.get_int64().get(i), positionOf(v)))
        return i;
    std::string_view s;
    if (succeeded(v.get_string().get(s), positionOf(v))) {
        const auto r = std::from_chars(s.data(), s.data() + s.size(), i);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty())
            return i;
        failAt(v, expected(what, "a 64-bit integer") + ", got \"" + std::string(s.substr(0, 40)) + '"');
    }
    double d = 0;
    if (succeeded(v.get_double().get(d), positionOf(v))) {
        if (d >= -9.2e18 && d <= 9.2e18)
            return static_cast<qint64>(d);
        failAt(v, expected(what, "a 64-bit integer") + " (the number is out of range)");
    }
    failAt(v, expected(what, "an integer"));
}

quint64 asUInt64(value v, std::string_view what)
{
    uint64_t u = 0;
    if (succeeded(v.get_uint64().get(u), positionOf(v)))
        return u;
    std::string_view s;
    if (succeeded(v.get_string().get(s), positionOf(v))) {
        const auto r = std::from_chars(s.data(), s.data() + s.size(), u);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty())
            return u;
    }
    failAt(v, expected(what, "an unsigned 64-bit integer"));
}

bool isNull(value& v)
{
    bool null = false;
    return succeeded(v.is_null().get(null), positionOf(v)) && null;
}

bool isString(value& v)
{
    simdjson::ondemand::json_type type {};
    return succeeded(v.type().get(type), positionOf(v)) && type == simdjson::ondemand::json_type::string;
}

TraceId traceIdFromText(std::string_view text, const char* position, std::string_view what)
{
    if (text.empty())
        return {};
    if (const auto id = traceIdFromHex(text))
        return *id;
    // Tempo and the protobuf JSON mapping write ids as base64 of the raw bytes: 24 characters for 16 bytes.
    if (const auto bytes = decodeBase64(text); bytes && (bytes->size() == 16 || bytes->size() == 8))
        return *traceIdFromBytes(*bytes);
    fail(position,
        "expected a trace id of 1 to 32 hex digits (or base64 of 16 bytes) for " + std::string(what) + ", got \""
            + std::string(text.substr(0, 64)) + '"');
}

SpanId spanIdFromText(std::string_view text, const char* position, std::string_view what)
{
    if (text.empty())
        return 0;
    if (const auto id = spanIdFromHex(text))
        return *id;
    if (const auto bytes = decodeBase64(text); bytes && bytes->size() == 8)
        return *spanIdFromBytes(*bytes);
    fail(position,
        "expected a span id of 1 to 16 hex digits (or base64 of 8 bytes) for " + std::string(what) + ", got \""
            + std::string(text.substr(0, 64)) + '"');
}

TraceId asTraceId(value v, std::string_view what)
{
    const char* position = positionOf(v);
    return traceIdFromText(asString(v, what), position, what);
}

SpanId asSpanId(value v, std::string_view what)
{
    const char* position = positionOf(v);
    return spanIdFromText(asString(v, what), position, what);
}

qint64 microsToNanos(qint64 micros, const char* position, std::string_view what)
{
    constexpr qint64 limit = std::numeric_limits<qint64>::max() / 1000;
    if (micros > limit || micros < -limit)
        fail(position, std::string(what) + " is out of range (" + std::to_string(micros) + " µs)");
    return micros * 1000;
}

void addJsonValue(AttributeBuffer& out, std::string_view key, value v, int depth)
{
    if (depth > AttributeValue::kMaxDepth)
        failAt(v, "attribute value nested too deeply");
    simdjson::ondemand::json_type type;
    if (v.type().get(type) != simdjson::SUCCESS)
        failAt(v, "invalid JSON value");
    switch (type) {
    case simdjson::ondemand::json_type::string:
        out.addString(key, asString(v, key));
        return;
    case simdjson::ondemand::json_type::boolean:
        out.addBool(key, asBool(v, key));
        return;
    case simdjson::ondemand::json_type::null:
        out.addEmpty(key);
        return;
    case simdjson::ondemand::json_type::number: {
        simdjson::ondemand::number_type nt;
        if (v.get_number_type().get(nt) == simdjson::SUCCESS && nt == simdjson::ondemand::number_type::signed_integer)
            out.addInt(key, asInt64(v, key));
        else
            out.addDouble(key, asDouble(v, key));
        return;
    }
    case simdjson::ondemand::json_type::array:
    case simdjson::ondemand::json_type::object: {
        // Nested JSON is rare in tags; keep it as its JSON text rather than inventing a structure.
        out.addString(key, rawJson(v));
        return;
    }
    }
}

} // namespace tracemap::json
