#include "remote/remotepull.h"

namespace tracemap::remote {

std::expected<ImportSummary, QString> RemotePull::pull(
    RemoteClient& client, TraceCache& cache, const PullRequest& request, const ImportProgress& progress)
{
    std::vector<Download> downloads;
    if (!request.traceIds.isEmpty()) {
        auto fetched = client.downloadTraces(request.traceIds);
        if (!fetched)
            return std::unexpected(fetched.error().message);
        downloads = std::move(*fetched);
    } else {
        auto found = client.search(request.search, RemoteClient::Want::Traces);
        if (!found)
            return std::unexpected(found.error().message);
        if (found->traces.empty()) {
            ImportSummary nothing;
            nothing.file = HttpFetcher::shown(client.http().endpoint().baseUrl);
            return nothing;
        }
        if (found->body) {
            downloads.push_back(std::move(*found->body));
        } else {
            QStringList ids;
            for (const TraceSummary& s : found->traces)
                ids << QString::fromStdString(s.traceId.toHex());
            auto fetched = client.downloadTraces(ids);
            if (!fetched)
                return std::unexpected(fetched.error().message);
            downloads = std::move(*fetched);
        }
    }
    auto imported = importDownloads(cache, downloads, client, progress);
    for (const Download& d : downloads)
        d.remove();
    return imported;
}

std::expected<ImportSummary, QString> RemotePull::importDownloads(TraceCache& cache,
    const std::vector<Download>& downloads, const RemoteClient& client, const ImportProgress& progress)
{
    const BackendKind kind = client.kind();
    if (downloads.empty())
        return ImportSummary();
    QStringList files;
    bool oneFormat = true;
    for (const Download& d : downloads) {
        files << d.file;
        oneFormat = oneFormat && d.format == downloads.front().format;
    }
    ImportOptions options;
    options.format = oneFormat ? downloads.front().format : TraceFormat::Unknown;
    const HttpFetcher& http = client.http();
    options.progress = [&http, progress](qint64 done, qint64 total) {
        return !http.isCancelled() && (!progress || progress(done, total));
    };
    // One response is named by its URL; several (Tempo's traces, fetched one by one) by the base URL and a count.
    const QUrl first = downloads.front().url;
    const QString recordedAs = backendKindName(kind) + QLatin1Char(' ')
        + (downloads.size() == 1 ? HttpFetcher::shown(first)
                                 : QStringLiteral("%1 (%2 requests)")
                                       .arg(HttpFetcher::shown(client.http().endpoint().baseUrl))
                                       .arg(downloads.size()));
    auto imported = cache.importFiles(files, recordedAs, options);
    if (!imported) {
        // The error names a scratch file: name the URL its body came from instead.
        ImportError error = imported.error();
        for (const Download& d : downloads)
            if (d.file == error.file)
                error.file = HttpFetcher::shown(d.url);
        return std::unexpected(error.toString());
    }
    imported->file = recordedAs;
    for (const Download& d : downloads)
        if (!d.note.isEmpty())
            imported->notes << d.note;
    return std::move(*imported);
}

} // namespace tracemap::remote
