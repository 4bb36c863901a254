#include "model/attributevalue.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace tracemap {

namespace {

template <typename T> void put(std::string& out, T value)
{
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}

template <typename T> bool take(std::string_view& in, T& value)
{
    if (in.size() < sizeof(T))
        return false;
    std::memcpy(&value, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return true;
}

bool takeText(std::string_view& in, std::string& text)
{
    quint32 size = 0;
    if (!take(in, size) || in.size() < size)
        return false;
    text.assign(in.data(), size);
    in.remove_prefix(size);
    return true;
}

void appendDouble(std::string& out, double d)
{
    if (!std::isfinite(d)) {
        out += std::isnan(d) ? "\"NaN\"" : (d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
    out.append(buffer, result.ptr);
}

} // namespace

void appendJsonString(std::string& out, std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out.push_back(hex[(c >> 4) & 0xf]);
                out.push_back(hex[c & 0xf]);
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
}

AttributeValue AttributeValue::fromString(std::string_view s)
{
    AttributeValue v;
    v.m_type = ValueType::String;
    v.m_text = s;
    return v;
}

AttributeValue AttributeValue::fromBytes(std::string_view s)
{
    AttributeValue v;
    v.m_type = ValueType::Bytes;
    v.m_text = s;
    return v;
}

AttributeValue AttributeValue::fromBool(bool b)
{
    AttributeValue v;
    v.m_type = ValueType::Bool;
    v.m_int = b ? 1 : 0;
    return v;
}

AttributeValue AttributeValue::fromInt(qint64 i)
{
    AttributeValue v;
    v.m_type = ValueType::Int;
    v.m_int = i;
    return v;
}

AttributeValue AttributeValue::fromDouble(double d)
{
    AttributeValue v;
    v.m_type = ValueType::Double;
    v.m_double = d;
    return v;
}

AttributeValue AttributeValue::array(std::vector<AttributeValue> items)
{
    AttributeValue v;
    v.m_type = ValueType::Array;
    v.m_items = std::move(items);
    return v;
}

AttributeValue AttributeValue::keyValueList(std::vector<std::pair<std::string, AttributeValue>> items)
{
    AttributeValue v;
    v.m_type = ValueType::KeyValueList;
    v.m_entries = std::move(items);
    return v;
}

std::string AttributeValue::toDisplayString() const
{
    switch (m_type) {
    case ValueType::String:
        return m_text;
    case ValueType::Bytes:
        return encodeBase64(m_text);
    case ValueType::Bool:
        return m_int ? "true" : "false";
    case ValueType::Int:
        return std::to_string(m_int);
    case ValueType::Empty:
        return std::string();
    default: {
        std::string out;
        appendJson(out);
        return out;
    }
    }
}

void AttributeValue::appendJson(std::string& out) const
{
    switch (m_type) {
    case ValueType::Empty:
        out += "null";
        break;
    case ValueType::String:
        appendJsonString(out, m_text);
        break;
    case ValueType::Bytes:
        appendJsonString(out, encodeBase64(m_text));
        break;
    case ValueType::Bool:
        out += m_int ? "true" : "false";
        break;
    case ValueType::Int:
        out += std::to_string(m_int);
        break;
    case ValueType::Double:
        appendDouble(out, m_double);
        break;
    case ValueType::Array:
        out.push_back('[');
        for (size_t i = 0; i < m_items.size(); ++i) {
            if (i)
                out.push_back(',');
            m_items[i].appendJson(out);
        }
        out.push_back(']');
        break;
    case ValueType::KeyValueList:
        out.push_back('{');
        for (size_t i = 0; i < m_entries.size(); ++i) {
            if (i)
                out.push_back(',');
            appendJsonString(out, m_entries[i].first);
            out.push_back(':');
            m_entries[i].second.appendJson(out);
        }
        out.push_back('}');
        break;
    }
}

std::string AttributeValue::encode() const
{
    std::string out;
    encodeInto(out);
    return out;
}

void AttributeValue::encodeInto(std::string& out) const
{
    auto putText = [&out](std::string_view text) {
        put(out, static_cast<quint32>(text.size()));
        out.append(text);
    };
    switch (m_type) {
    case ValueType::Empty:
        break;
    case ValueType::String:
    case ValueType::Bytes:
        putText(m_text);
        break;
    case ValueType::Bool:
        put(out, static_cast<quint8>(m_int != 0));
        break;
    case ValueType::Int:
        put(out, m_int);
        break;
    case ValueType::Double:
        put(out, m_double);
        break;
    case ValueType::Array:
        put(out, static_cast<quint32>(m_items.size()));
        for (const auto& item : m_items) {
            put(out, static_cast<quint8>(item.m_type));
            item.encodeInto(out);
        }
        break;
    case ValueType::KeyValueList:
        put(out, static_cast<quint32>(m_entries.size()));
        for (const auto& [key, value] : m_entries) {
            putText(key);
            put(out, static_cast<quint8>(value.m_type));
            value.encodeInto(out);
        }
        break;
    }
}

AttributeValue AttributeValue::decode(ValueType type, std::string_view bytes)
{
    return decodeFrom(type, bytes, 0);
}

AttributeValue AttributeValue::decodeFrom(ValueType type, std::string_view& in, int depth)
{
    AttributeValue v;
    if (depth > kMaxDepth)
        return v;
    v.m_type = type;
    bool ok = true;
    switch (type) {
    case ValueType::Empty:
        break;
    case ValueType::String:
    case ValueType::Bytes:
        ok = takeText(in, v.m_text);
        break;
    case ValueType::Bool: {
        quint8 b = 0;
        ok = take(in, b);
        v.m_int = b;
        break;
    }
    case ValueType::Int:
        ok = take(in, v.m_int);
        break;
    case ValueType::Double:
        ok = take(in, v.m_double);
        break;
    case ValueType::Array:
    case ValueType::KeyValueList: {
        quint32 count = 0;
        ok = take(in, count);
        for (quint32 i = 0; ok && i < count; ++i) {
            std::string key;
            if (type == ValueType::KeyValueList && !takeText(in, key)) {
                ok = false;
                break;
            }
            quint8 itemType = 0;
            if (!take(in, itemType) || itemType > quint8(ValueType::KeyValueList)) {
                ok = false;
                break;
            }
            auto item = decodeFrom(static_cast<ValueType>(itemType), in, depth + 1);
            if (type == ValueType::Array)
                v.m_items.push_back(std::move(item));
            else
                v.m_entries.emplace_back(std::move(key), std::move(item));
        }
        break;
    }
    }
    if (!ok)
        return AttributeValue();
    return v;
}

AttributeValue AttributeValue::valueOf(const Trace& trace, const Attribute& a)
{
    switch (a.type) {
    case ValueType::Empty:
        return AttributeValue();
    case ValueType::String:
        return fromString(trace.text(a.ref));
    case ValueType::Bytes:
        return fromBytes(trace.text(a.ref));
    case ValueType::Bool:
        return fromBool(a.boolValue);
    case ValueType::Int:
        return fromInt(a.intValue);
    case ValueType::Double:
        return fromDouble(a.doubleValue);
    case ValueType::Array:
    case ValueType::KeyValueList:
        return decode(a.type, trace.text(a.ref));
    }
    return AttributeValue();
}

} // namespace tracemap
