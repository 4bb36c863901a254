#include "model/stringtable.h"

namespace tracemap {

StringTable::StringTable()
    : m_offsets { 0, 0 }
    , m_slots(16, 0)
{
    m_slots[hash({}) & (m_slots.size() - 1)] = 1;
}

size_t StringTable::hash(std::string_view text)
{
    quint64 h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return static_cast<size_t>(h ^ (h >> 29));
}

void StringTable::grow()
{
    std::vector<StringId> slots(m_slots.size() * 2, 0);
    const size_t mask = slots.size() - 1;
    for (StringId id = 0; id < size(); ++id) {
        size_t slot = hash(at(id)) & mask;
        while (slots[slot] != 0)
            slot = (slot + 1) & mask;
        slots[slot] = id + 1;
    }
    m_slots = std::move(slots);
}

StringId StringTable::intern(std::string_view text)
{
    const size_t mask = m_slots.size() - 1;
    size_t slot = hash(text) & mask;
    while (m_slots[slot] != 0) {
        const StringId id = m_slots[slot] - 1;
        if (at(id) == text)
            return id;
        slot = (slot + 1) & mask;
    }
    const auto id = static_cast<StringId>(size());
    m_chars.append(text);
    m_offsets.push_back(static_cast<quint32>(m_chars.size()));
    m_slots[slot] = id + 1;
    if (size() * 2 > m_slots.size())
        grow();
    return id;
}

size_t StringTable::memoryUsage() const
{
    return m_chars.capacity() + m_offsets.capacity() * sizeof(quint32) + m_slots.capacity() * sizeof(StringId);
}

} // namespace tracemap
