#pragma once

#include <QtGlobal>

#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

using StringId = quint32;

/// Interns the short, repetitive strings of a trace: service and operation names, attribute keys, event names.
/// Id 0 is always the empty string, so a zero-initialised span has no service rather than a dangling one.
///
/// All characters live in one arena and the index is an open-addressing table of ids, so interning allocates
/// nothing per string. A view returned by at() is valid until the next intern().
class StringTable {
public:
    StringTable();

    StringId intern(std::string_view text);
    std::string_view at(StringId id) const
    {
        return std::string_view(m_chars).substr(m_offsets[id], m_offsets[id + 1] - m_offsets[id]);
    }
    size_t size() const { return m_offsets.size() - 1; }
    size_t memoryUsage() const;

    bool operator==(const StringTable& other) const { return m_chars == other.m_chars && m_offsets == other.m_offsets; }

private:
    static size_t hash(std::string_view text);
    void grow();

    std::string m_chars;
    std::vector<quint32> m_offsets; // string i is m_chars[m_offsets[i], m_offsets[i + 1])
    std::vector<StringId> m_slots; // id + 1, or 0 for an empty slot; size is a power of two
};

} // namespace tracemap
