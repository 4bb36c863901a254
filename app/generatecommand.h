#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap generate`: Writes synthetic microservice traces in one of the writers' formats.
class GenerateCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
