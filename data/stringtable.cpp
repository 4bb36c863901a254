#include "stringtable.h"

namespace tracemap {

StringTable::StringTable()
{
    m_strings.emplace_back();
    m_index.emplace(std::string(), 0);
}

StringTable::StringTable(const StringTable& other)
    : m_strings(other.m_strings)
    , m_index(other.m_index)
{
}

StringTable& StringTable::operator=(const StringTable& other)
{
    m_strings = other.m_strings;
    m_index = other.m_index;
    return *this;
}

StringId StringTable::intern(std::string_view text)
{
    const auto it = m_index.find(text);
    if (it != m_index.end())
        return it->second;
    const auto id = static_cast<StringId>(m_strings.size());
    m_strings.emplace_back(text);
    m_index.emplace(std::string(text), id);
    return id;
}

size_t StringTable::memoryUsage() const
{
    size_t bytes = m_strings.capacity() * sizeof(std::string) + m_index.size() * (sizeof(std::string) + 16);
    for (const auto& s : m_strings)
        bytes += s.capacity() > 15 ? s.capacity() * 2 : 0;
    return bytes;
}

} // namespace tracemap
