#pragma once

#include "cache/tracecache.h"
#include "remote/remoteclient.h"

#include <expected>

namespace tracemap::remote {

/// What to fetch: the traces a search finds, or the traces named by id (then the search is ignored).
struct PullRequest {
    RemoteSearch search;
    QStringList traceIds;
};

/// Fetches traces from a back end into the cache, all or nothing: the responses are saved to disk first, then
/// imported in one transaction, so a failure anywhere (the network, a body that is not what the API promises, a
/// full disk) leaves the cache as it was. Errors name the URL a bad body came from, with the importer's byte offset.
class RemotePull {
public:
    static std::expected<ImportSummary, QString> pull(
        RemoteClient& client, TraceCache& cache, const PullRequest& request, const ImportProgress& progress = {});
    /// The responses pull() saved are deleted once imported (or refused); a search's body the window keeps for
    /// "Fetch all" is deleted when the next search replaces it.
    /// Imports saved responses (a search's body, fetched traces) the same way; the import is named after the URL (or
    /// the client's base URL and a count). The progress may cancel, as the importer's does; the client's cancel flag
    /// cancels too.
    static std::expected<ImportSummary, QString> importDownloads(TraceCache& cache,
        const std::vector<Download>& downloads, const RemoteClient& client, const ImportProgress& progress = {});
};

} // namespace tracemap::remote
