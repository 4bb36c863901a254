#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap serve`: receives OTLP/HTTP and Zipkin spans into the cache until SIGINT or SIGTERM.
class ServeCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
