#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap stats [FILE...]`: Spans, errors and duration percentiles per service and operation, of files or the whole
/// cache.
class StatsCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
