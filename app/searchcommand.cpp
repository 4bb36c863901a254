#include "searchcommand.h"

#include "cache/tracecache.h"
#include "commandline.h"
#include "searchoptions.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

using namespace commandline;

int SearchCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    const SearchOptions search(QStringLiteral("At most N traces (default 20, 0: all)."));
    const QCommandLineOption traceId(QStringLiteral("trace-id"),
        QStringLiteral("Only this trace: 32 hex digits, 16 (matches the low 64 bits of a 128-bit id), or fewer with "
                       "leading zeros trimmed. Repeat or separate with commas for several."),
        QStringLiteral("ID"));
    search.addTo(parser);
    parser.addOptions({ traceId, jsonOption, cacheOption });
    int exitCode = 0;
    if (!CommandLine::parseOptions(
            parser, args, QStringLiteral("Search the cache (which must exist) for traces, newest first."), exitCode))
        return exitCode;

    TraceQuery query;
    if (!search.read(parser, QStringLiteral("search"), query))
        return 2;

    for (const QString& text : parser.values(traceId)) {
        const auto ids = parseTraceIdList(text);
        if (!ids) {
            err() << "tracemap search: --trace-id: " << ids.error() << "\n";
            return 2;
        }
        if (ids->empty()) {
            err() << "tracemap search: --trace-id: no id given\n";
            return 2;
        }
        query.traceIds.insert(query.traceIds.end(), ids->begin(), ids->end());
    }
    auto cache = openCache(parser, TraceCache::OpenMode::MustExist);
    if (!cache)
        return 1;
    const auto results = cache->search(query);
    if (!results) {
        err() << "tracemap search: " << results.error() << "\n";
        return 1;
    }
    if (parser.isSet(jsonOption)) {
        QJsonArray array;
        for (const TraceSummary& s : *results) {
            array.append(QJsonObject { { QStringLiteral("traceId"), QString::fromStdString(s.traceId.toHex()) },
                { QStringLiteral("start"), isoTime(s.startNs) },
                { QStringLiteral("startNs"), QString::number(s.startNs) },
                { QStringLiteral("durationNs"), s.durationNs }, { QStringLiteral("rootService"), s.rootService },
                { QStringLiteral("rootOperation"), s.rootOperation }, { QStringLiteral("spans"), s.spanCount },
                { QStringLiteral("services"), s.serviceCount }, { QStringLiteral("errors"), s.errorCount } });
        }
        out() << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return 0;
    }
    const auto counted = [](qint64 n, const char* one, const char* many) -> QString {
        return QString::number(n) + QLatin1Char(' ') + QLatin1String(n == 1 ? one : many);
    };
    for (const TraceSummary& s : *results) {
        out() << QString::fromStdString(s.traceId.toHex()).leftJustified(32) << "  " << isoTime(s.startNs) << "  "
              << formatDuration(s.durationNs).rightJustified(10) << "  " << s.rootService << ": " << s.rootOperation
              << "  (" << counted(s.spanCount, "span", "spans") << ", "
              << counted(s.serviceCount, "service", "services") << ", " << counted(s.errorCount, "error", "errors")
              << ")\n";
    }
    out() << counted(qint64(results->size()), "trace", "traces");
    if (query.limit > 0 && results->size() == size_t(query.limit))
        out() << " (the limit; --limit N shows more, 0 all)";
    out() << "\n";
    return 0;
}

} // namespace tracemap
