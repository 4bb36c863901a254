#include "importcommand.h"

#include "cache/tracecache.h"
#include "commandline.h"

#include <QCommandLineParser>

namespace tracemap {

using namespace commandline;

namespace {

// --move-damaged-cache: the cache at `path`, moved aside first if (and only if) it is damaged.
std::unique_ptr<TraceCache> openMovingDamaged(const QString& path)
{
    auto cache = TraceCache::openChecked(path, TraceCache::OpenMode::CreateIfMissing);
    if (!cache && cache.error().damaged) {
        err() << "tracemap: " << cache.error().message << "\n";
        err().flush();
        const auto moved = TraceCache::moveAside(path);
        if (!moved) {
            err() << "tracemap: " << moved.error() << "\n";
            err().flush();
            return nullptr;
        }
        out() << "moved the damaged cache to " << *moved << "; a new cache starts at " << path << "\n";
        out().flush();
        cache = TraceCache::openChecked(path, TraceCache::OpenMode::CreateIfMissing);
    }
    if (!cache) {
        err() << "tracemap: " << cache.error().message << "\n";
        err().flush();
        return nullptr;
    }
    return std::move(*cache);
}

} // namespace

int ImportCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption(cacheOption);
    const QCommandLineOption moveDamagedOption(QStringLiteral("move-damaged-cache"),
        QStringLiteral("If the cache file is damaged, move it aside (to PATH.damaged-DATE-TIME, with its -wal and "
                       "-shm files) and start a new cache; FILE may then be left out. A sound cache is not moved."));
    parser.addOption(moveDamagedOption);
    parser.addPositionalArgument(QStringLiteral("FILE"),
        QStringLiteral("Trace files: Jaeger JSON, Zipkin v1/v2 JSON, OTLP JSON or protobuf, plain or gzipped."),
        QStringLiteral("FILE..."));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("Import trace files into the cache (created if missing), one transaction per file. Prints "
                           "each file's warnings by kind, with a count and an example."),
            exitCode))
        return exitCode;
    const bool moveDamaged = parser.isSet(moveDamagedOption);
    if (parser.positionalArguments().isEmpty() && !moveDamaged) {
        err() << "tracemap import: no files given\n";
        return 2;
    }
    auto cache
        = moveDamaged ? openMovingDamaged(cachePath(parser)) : openCache(parser, TraceCache::OpenMode::CreateIfMissing);
    if (!cache)
        return 1;
    for (const QString& file : parser.positionalArguments()) {
        const auto summary = cache->importFile(file);
        if (!summary) {
            err() << "tracemap: " << summary.error().toString() << "\n";
            err().flush();
            exitCode = 1;
            continue;
        }
        out() << file << ": " << traceFormatName(summary->format) << ", " << summary->traces << " traces, "
              << summary->spans << " spans, " << summary->services << " services, " << summary->warnings
              << (summary->warnings == 1 ? " span" : " spans") << " with warnings\n";
        for (const ImportWarningKind& k : summary->warningKinds)
            out() << "  " << k.describe() << "\n";
        out().flush();
    }
    return exitCode;
}

} // namespace tracemap
