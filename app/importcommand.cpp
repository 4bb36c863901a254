#include "importcommand.h"

#include "cache/tracecache.h"
#include "commandline.h"

#include <QCommandLineParser>

namespace tracemap {

using namespace commandline;

int ImportCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption(cacheOption);
    parser.addPositionalArgument(QStringLiteral("FILE"),
        QStringLiteral("Trace files: Jaeger JSON, Zipkin v1/v2 JSON, OTLP JSON or protobuf, plain or gzipped."),
        QStringLiteral("FILE..."));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("Import trace files into the cache (created if missing), one transaction per file. Prints "
                           "each file's warnings by kind, with a count and an example."),
            exitCode))
        return exitCode;
    if (parser.positionalArguments().isEmpty()) {
        err() << "tracemap import: no files given\n";
        return 2;
    }
    auto cache = openCache(parser, TraceCache::OpenMode::CreateIfMissing);
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
