#pragma once

#include "model/trace.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracemap {

/// A self-contained attribute value of any type, nested arrays and key-value lists included. Importers build one
/// only for the rare nested values; flat values go straight into an AttributeBuffer. Views use it to read any
/// attribute back with valueOf().
class AttributeValue {
public:
    static constexpr int kMaxDepth = 32;

    AttributeValue() = default;
    static AttributeValue fromString(std::string_view s);
    static AttributeValue fromBytes(std::string_view s);
    static AttributeValue fromBool(bool b);
    static AttributeValue fromInt(qint64 i);
    static AttributeValue fromDouble(double d);
    static AttributeValue array(std::vector<AttributeValue> items);
    static AttributeValue keyValueList(std::vector<std::pair<std::string, AttributeValue>> items);

    ValueType type() const { return m_type; }
    const std::string& stringValue() const { return m_text; } // String and Bytes
    bool boolValue() const { return m_int != 0; }
    qint64 intValue() const { return m_int; }
    double doubleValue() const { return m_double; }
    const std::vector<AttributeValue>& items() const { return m_items; }
    const std::vector<std::pair<std::string, AttributeValue>>& entries() const { return m_entries; }

    /// The value as a user reads it: strings as they are, bytes as base64, arrays and lists as JSON.
    std::string toDisplayString() const;

    /// Binary form stored in a trace's payload for Array and KeyValueList attributes.
    std::string encode() const;
    static AttributeValue decode(ValueType type, std::string_view bytes);

    /// Reads any stored attribute of a trace back as a value.
    static AttributeValue valueOf(const Trace& trace, const Attribute& attribute);

    bool operator==(const AttributeValue&) const = default;

private:
    void appendJson(std::string& out) const;
    void encodeInto(std::string& out) const;
    static AttributeValue decodeFrom(ValueType type, std::string_view& bytes, int depth);

    ValueType m_type = ValueType::Empty;
    qint64 m_int = 0;
    double m_double = 0;
    std::string m_text;
    std::vector<AttributeValue> m_items;
    std::vector<std::pair<std::string, AttributeValue>> m_entries;
};

void appendJsonString(std::string& out, std::string_view text);

} // namespace tracemap
