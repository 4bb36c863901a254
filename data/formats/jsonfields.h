#pragma once

#include "formats/parseerror.h"
#include "model/attributebuffer.h"
#include "model/ids.h"

#include <simdjson.h>

#include <string>
#include <string_view>

namespace tracemap::json {

// Small helpers over simdjson's On-Demand API shared by the JSON format parsers. Each throws ParseError that
// points at the value being read and names what was expected, so a wrong type says where and what.

using simdjson::ondemand::array;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

/// The record being parsed on this thread, so rawJson() can return a nested value's text (simdjson 3.0's
/// On-Demand value has no raw_json()). Parsers hold one for the duration of parseRecord().
class RecordScope {
public:
    explicit RecordScope(std::string_view record);
    ~RecordScope();

private:
    std::string_view m_previous;
};

/// The JSON text of a value (object, array or scalar) inside the current record.
std::string_view rawJson(value& v);

/// Where a value starts in the input, for error messages.
const char* positionOf(value& v);

[[noreturn]] void fail(const char* position, std::string message);
[[noreturn]] void failAt(value& v, std::string message);

/// True on success; false for the errors after which the document can still be read (a wrong type, a number that
/// does not fit, a missing field); any other error (malformed JSON) fails at once, as simdjson's On-Demand iterator
/// cannot be used after it.
bool succeeded(simdjson::error_code e, const char* position);
/// An object's member, looked up in any order; false when it has none. Malformed JSON fails.
bool findField(object& o, std::string_view key, value& out);

object asObject(value v, std::string_view what);
array asArray(value v, std::string_view what);
std::string_view asString(value v, std::string_view what);
bool asBool(value v, std::string_view what);
double asDouble(value v, std::string_view what);
/// A 64-bit integer given as a JSON number or as a decimal string (OTLP writes int64 as strings).
qint64 asInt64(value v, std::string_view what);
quint64 asUInt64(value v, std::string_view what);
bool isNull(value& v);
bool isString(value& v);

/// Ids in hex (Jaeger, Zipkin, OTLP/JSON) or, for 24/44-character and 12-character inputs that are not hex,
/// base64 (Tempo, protobuf JSON mapping). An empty string gives 0 / an invalid id.
TraceId asTraceId(value v, std::string_view what);
SpanId asSpanId(value v, std::string_view what);
TraceId traceIdFromText(std::string_view text, const char* position, std::string_view what);
SpanId spanIdFromText(std::string_view text, const char* position, std::string_view what);

/// Microseconds since the epoch to nanoseconds, refusing values whose nanoseconds overflow 64 bits.
qint64 microsToNanos(qint64 micros, const char* position, std::string_view what);

/// Reads any JSON value as an attribute value (objects become key-value lists), for loosely typed sources.
void addJsonValue(AttributeBuffer& out, std::string_view key, value v, int depth = 0);

} // namespace tracemap::json
