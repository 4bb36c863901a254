#include "model/attributebuffer.h"

#include "model/inputlimits.h"

#include <cstring>

namespace tracemap {

void AttributeBuffer::clear()
{
    m_items.clear();
    m_payload.clear();
    m_truncations.clear();
    m_dropped = 0;
}

StrRef AttributeBuffer::store(std::string_view text)
{
    StrRef ref { static_cast<quint32>(m_payload.size()), static_cast<quint32>(text.size()) };
    m_payload.append(text);
    return ref;
}

AttributeBuffer::Item* AttributeBuffer::append(std::string_view key, ValueType type)
{
    if (m_items.size() >= limits::kMaxAttributes) {
        ++m_dropped;
        return nullptr;
    }
    Item& item = m_items.emplace_back();
    const std::string_view kept = limits::clipped(key);
    if (kept.size() < key.size())
        m_truncations.push_back({ std::string(limits::clipped(key, 80)), key.size() });
    item.key = store(kept);
    item.attribute.type = type;
    return &item;
}

StrRef AttributeBuffer::storeValue(std::string_view key, std::string_view value, bool utf8)
{
    const std::string_view kept = limits::clipped(value, limits::kMaxTextBytes, utf8);
    if (kept.size() < value.size())
        m_truncations.push_back({ std::string(limits::clipped(key, 80)), value.size() });
    return store(kept);
}

void AttributeBuffer::addString(std::string_view key, std::string_view value)
{
    if (auto* item = append(key, ValueType::String))
        item->attribute.ref = storeValue(key, value, true);
}

void AttributeBuffer::addBytes(std::string_view key, std::string_view value)
{
    if (auto* item = append(key, ValueType::Bytes))
        item->attribute.ref = storeValue(key, value, false);
}

void AttributeBuffer::addBool(std::string_view key, bool value)
{
    if (auto* item = append(key, ValueType::Bool))
        item->attribute.boolValue = value;
}

void AttributeBuffer::addInt(std::string_view key, qint64 value)
{
    if (auto* item = append(key, ValueType::Int))
        item->attribute.intValue = value;
}

void AttributeBuffer::addDouble(std::string_view key, double value)
{
    if (auto* item = append(key, ValueType::Double))
        item->attribute.doubleValue = value;
}

void AttributeBuffer::addEmpty(std::string_view key)
{
    append(key, ValueType::Empty);
}

void AttributeBuffer::addValue(std::string_view key, const AttributeValue& value)
{
    switch (value.type()) {
    case ValueType::Empty:
        return addEmpty(key);
    case ValueType::String:
        return addString(key, value.stringValue());
    case ValueType::Bytes:
        return addBytes(key, value.stringValue());
    case ValueType::Bool:
        return addBool(key, value.boolValue());
    case ValueType::Int:
        return addInt(key, value.intValue());
    case ValueType::Double:
        return addDouble(key, value.doubleValue());
    case ValueType::Array:
    case ValueType::KeyValueList: {
        // An encoding cannot be cut; a nested value over the limit is kept as its (cut) JSON text instead.
        const std::string encoded = value.encode();
        if (encoded.size() > limits::kMaxTextBytes)
            return addString(key, value.toDisplayString());
        if (auto* item = append(key, value.type()))
            item->attribute.ref = store(encoded);
        return;
    }
    }
}

std::optional<std::string_view> AttributeBuffer::findString(std::string_view key) const
{
    for (auto it = m_items.rbegin(); it != m_items.rend(); ++it) {
        if (view(it->key) == key)
            return it->attribute.type == ValueType::String ? std::optional(view(it->attribute.ref)) : std::nullopt;
    }
    return std::nullopt;
}

bool AttributeBuffer::contains(std::string_view key) const
{
    for (const auto& item : m_items) {
        if (view(item.key) == key)
            return true;
    }
    return false;
}

Range AttributeBuffer::commitTo(Trace& trace) const
{
    Range range { static_cast<quint32>(trace.attributes.size()), static_cast<quint32>(m_items.size()) };
    for (const auto& item : m_items) {
        Attribute a = item.attribute;
        a.key = trace.strings.intern(view(item.key));
        switch (a.type) {
        case ValueType::String:
        case ValueType::Bytes:
        case ValueType::Array:
        case ValueType::KeyValueList:
            a.ref = trace.addText(view(item.attribute.ref));
            break;
        default:
            break;
        }
        trace.attributes.push_back(a);
    }
    return range;
}

bool AttributeBuffer::operator==(const AttributeBuffer& other) const
{
    if (m_items.size() != other.m_items.size())
        return false;
    for (size_t i = 0; i < m_items.size(); ++i) {
        const auto& a = m_items[i];
        const auto& b = other.m_items[i];
        if (a.attribute.type != b.attribute.type || view(a.key) != other.view(b.key))
            return false;
        switch (a.attribute.type) {
        case ValueType::Empty:
            break;
        case ValueType::Bool:
            if (a.attribute.boolValue != b.attribute.boolValue)
                return false;
            break;
        case ValueType::Int:
        case ValueType::Double: // compare bits: NaN equals NaN here, as a stored value should
            if (std::memcmp(&a.attribute.intValue, &b.attribute.intValue, sizeof(qint64)) != 0)
                return false;
            break;
        default:
            if (view(a.attribute.ref) != other.view(b.attribute.ref))
                return false;
        }
    }
    return true;
}

} // namespace tracemap
