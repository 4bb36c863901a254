#pragma once

#include <QColor>

#include <string_view>

namespace tracemap {

/// One colour per service name, the same in every view of the session (flame chart, its legend, flame graph).
/// Services get the palette's colours in the order they are first seen, so the first 17 services of a session are
/// all distinct; after that colours repeat. The palette is Okabe-Ito (without black), then Paul Tol's muted
/// scheme: both stay distinguishable with colour-vision deficiency. GUI thread only.
class ServiceColors {
public:
    static QColor of(std::string_view service);
    /// The same hue mixed with white, for frames that carry dark text.
    static QColor lightOf(std::string_view service);
};

} // namespace tracemap
