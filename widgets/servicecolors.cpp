#include "servicecolors.h"

#include <QString>

#include <iterator>
#include <string>
#include <unordered_map>

namespace tracemap {

namespace {

constexpr QRgb kPalette[] = { 0xe69f00, 0x56b4e9, 0x009e73, 0xf0e442, 0x0072b2, 0xd55e00, 0xcc79a7, 0x999999, 0x88ccee,
    0x44aa99, 0x117733, 0x999933, 0xddcc77, 0xcc6677, 0x882255, 0xaa4499, 0x332288 };

std::unordered_map<std::string, size_t>& assigned()
{
    static std::unordered_map<std::string, size_t> colours;
    return colours;
}

} // namespace

QColor ServiceColors::of(std::string_view service)
{
    auto& colours = assigned();
    auto it = colours.find(std::string(service));
    if (it == colours.end())
        it = colours.emplace(std::string(service), colours.size() % std::size(kPalette)).first;
    return QColor::fromRgb(kPalette[it->second]);
}

QColor ServiceColors::lightOf(std::string_view service)
{
    const QColor base = of(service);
    const auto mix = [](int channel) { return channel + (255 - channel) * 45 / 100; };
    return QColor(mix(base.red()), mix(base.green()), mix(base.blue()));
}

} // namespace tracemap
