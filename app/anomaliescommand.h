#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap anomalies`: the anomaly episodes of the files or the cache, each explained in one sentence.
class AnomaliesCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
