#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap search`: Searches the cache for traces by service, operation, tags, ids, durations and times; a table or
/// JSON.
class SearchCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
