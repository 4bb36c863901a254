#include "servicecolors.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace tracemap {

namespace {

constexpr QRgb kPalette[] = { 0xe69f00, 0x56b4e9, 0x009e73, 0xf0e442, 0x0072b2, 0xd55e00, 0xcc79a7, 0x999999, 0x88ccee,
    0x44aa99, 0x117733, 0x999933, 0xddcc77, 0xcc6677, 0x882255, 0xaa4499, 0x332288 };
constexpr size_t kSlots = std::size(kPalette);

size_t preferredSlot(std::string_view service)
{
    return size_t(ServiceColors::nameHash(service) % kSlots);
}

} // namespace

quint64 ServiceColors::nameHash(std::string_view service)
{
    quint64 hash = 0xcbf29ce484222325ULL; // 64-bit FNV-1a
    for (const char c : service) {
        hash ^= quint8(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

ServiceColors::ServiceColors(std::vector<std::string_view> services)
{
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    std::array<bool, kSlots> taken {};
    size_t free = kSlots;
    for (const std::string_view service : services) {
        size_t slot = preferredSlot(service);
        if (free > 0) {
            while (taken[slot])
                slot = (slot + 1) % kSlots;
            taken[slot] = true;
            --free;
        }
        m_slots.emplace(std::string(service), slot);
    }
}

QColor ServiceColors::color(std::string_view service) const
{
    const auto it = m_slots.find(service);
    return QColor::fromRgb(kPalette[it != m_slots.end() ? it->second : preferredSlot(service)]);
}

QColor ServiceColors::of(std::string_view service)
{
    return QColor::fromRgb(kPalette[preferredSlot(service)]);
}

QColor ServiceColors::lighter(const QColor& base)
{
    const auto mix = [](int channel) { return channel + (255 - channel) * 45 / 100; };
    return QColor(mix(base.red()), mix(base.green()), mix(base.blue()));
}

} // namespace tracemap
