#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap pull jaeger|tempo|zipkin|auto URL`: fetches the traces a search finds (or the traces named by
/// --trace) from a back end's query API into the cache, in one transaction, and prints one line: traces and spans
/// fetched, from where. Exit 1 on any failure, with the cache as it was.
class PullCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
