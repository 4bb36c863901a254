#pragma once

#include <QString>

namespace tracemap {

/// The keys and mouse gestures of every view, for Help ▸ Keyboard Shortcuts (F1). Kept beside the views whose
/// keyPressEvent and mouse handlers it describes: a key added there belongs here too.
class ShortcutsHelp {
public:
    static QString html();
};

} // namespace tracemap
