#pragma once

#include <QtGlobal>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tracemap {

using StringId = quint32;

/// Interns the short, repetitive strings of a trace: service and operation names, attribute keys, event names.
/// Id 0 is always the empty string, so a zero-initialised span has no service rather than a dangling one.
class StringTable {
public:
    StringTable();
    StringTable(const StringTable& other);
    StringTable& operator=(const StringTable& other);
    StringTable(StringTable&&) noexcept = default;
    StringTable& operator=(StringTable&&) noexcept = default;

    StringId intern(std::string_view text);
    std::string_view at(StringId id) const { return m_strings[id]; }
    size_t size() const { return m_strings.size(); }
    const std::vector<std::string>& strings() const { return m_strings; }
    size_t memoryUsage() const;

private:
    // Transparent hashing lets intern() look up a string_view without building a std::string first.
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
    };
    std::vector<std::string> m_strings;
    std::unordered_map<std::string, StringId, Hash, std::equal_to<>> m_index;
};

} // namespace tracemap
