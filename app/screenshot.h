#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap screenshot [FILE...] --view start|search|trace -o out.png [--size 1600x1000] [--cache PATH]`:
/// renders the window offscreen after loading the files and saves a PNG. Without --cache a fresh temporary
/// cache is used, so the picture shows exactly the given files.
class Screenshot {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
