#pragma once

#include "model/attributevalue.h"
#include "model/trace.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

/// Attributes collected while an importer reads one span, event, link, resource or scope, before it knows which
/// trace they belong to (JSON keys come in any order). commitTo() copies them into a trace's contiguous arrays.
/// Reused between spans: clear() keeps the allocations.
class AttributeBuffer {
public:
    void clear();
    bool isEmpty() const { return m_items.empty(); }
    size_t size() const { return m_items.size(); }

    void addString(std::string_view key, std::string_view value);
    void addBytes(std::string_view key, std::string_view value);
    void addBool(std::string_view key, bool value);
    void addInt(std::string_view key, qint64 value);
    void addDouble(std::string_view key, double value);
    void addEmpty(std::string_view key);
    void addValue(std::string_view key, const AttributeValue& value);

    /// The string value of the last attribute named key, if it is a string.
    std::optional<std::string_view> findString(std::string_view key) const;
    bool contains(std::string_view key) const;

    /// Appends the attributes to trace.attributes (keys interned, payload copied) and returns where they went.
    Range commitTo(Trace& trace) const;

    /// Keys and values are cut to limits::kMaxTextBytes, and attributes past limits::kMaxAttributes dropped; these
    /// say what was (SpanBatch turns them into warnings on the span).
    struct Truncation {
        std::string key; // its first 80 bytes
        size_t originalBytes = 0;
    };
    const std::vector<Truncation>& truncations() const { return m_truncations; }
    size_t droppedAttributes() const { return m_dropped; }

    bool operator==(const AttributeBuffer& other) const;

private:
    struct Item {
        StrRef key;
        Attribute attribute; // key unused; ref points into m_payload
    };
    StrRef store(std::string_view text);
    std::string_view view(StrRef ref) const { return std::string_view(m_payload).substr(ref.offset, ref.size); }
    /// The new item, or nullptr when the buffer is full (the attribute is counted as dropped).
    Item* append(std::string_view key, ValueType type);
    StrRef storeValue(std::string_view key, std::string_view value, bool utf8);

    std::vector<Item> m_items;
    std::string m_payload;
    std::vector<Truncation> m_truncations;
    size_t m_dropped = 0;
};

} // namespace tracemap
