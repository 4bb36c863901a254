#pragma once

#include <QColor>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

/// Colours of services, derived from their names so a service has the same colour in every run, view, export and
/// screenshot. The palette is Okabe-Ito (without black), then Paul Tol's muted scheme: 17 colours that stay
/// distinguishable with colour-vision deficiency.
///
/// A name prefers the palette slot of its FNV-1a hash (UTF-8 bytes; not qHash, which is seeded per process). The
/// services shown together (one object) take their preferred slots in name order, a collision moving on to the next
/// free slot, so up to 17 services are all distinct and the result depends only on the set of names. Beyond 17,
/// names keep their preferred slots and colours repeat.
class ServiceColors {
public:
    ServiceColors() = default;
    explicit ServiceColors(std::vector<std::string_view> services);

    /// The colour of a service of the set; a name outside it gets its preferred colour.
    QColor color(std::string_view service) const;
    /// The same hue mixed with white, for frames that carry dark text.
    QColor lightColor(std::string_view service) const { return lighter(color(service)); }

    /// A service's preferred colour, whatever else is shown.
    static QColor of(std::string_view service);
    static QColor lightOf(std::string_view service) { return lighter(of(service)); }
    static quint64 nameHash(std::string_view service);

private:
    static QColor lighter(const QColor& base);

    std::map<std::string, size_t, std::less<>> m_slots;
};

} // namespace tracemap
