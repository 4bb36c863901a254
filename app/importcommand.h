#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap import FILE...`: Imports trace files into the cache, one transaction per file, and prints each file's
/// counts and warnings.
class ImportCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
