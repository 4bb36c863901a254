#include "searchcommand.h"

#include "cache/tracecache.h"
#include "commandline.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

using namespace commandline;

int SearchCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption service(
        QStringLiteral("service"), QStringLiteral("Traces with spans of this service."), QStringLiteral("S"));
    const QCommandLineOption operation(QStringLiteral("operation"),
        QStringLiteral("Traces with this operation (of --service when given)."), QStringLiteral("O"));
    const QCommandLineOption tag(QStringLiteral("tag"),
        QStringLiteral("A span or resource attribute key=value; repeat for several (all must match)."),
        QStringLiteral("k=v"));
    const QCommandLineOption minDuration(QStringLiteral("min-duration"),
        QStringLiteral("Shortest trace duration, e.g. 150ms, 2s (a bare number is milliseconds)."),
        QStringLiteral("D"));
    const QCommandLineOption maxDuration(
        QStringLiteral("max-duration"), QStringLiteral("Longest trace duration."), QStringLiteral("D"));
    const QCommandLineOption traceId(QStringLiteral("trace-id"),
        QStringLiteral("Only this trace: 32 hex digits, 16 (matches the low 64 bits of a 128-bit id), or fewer with "
                       "leading zeros trimmed. Repeat or separate with commas for several."),
        QStringLiteral("ID"));
    const QCommandLineOption since(QStringLiteral("since"),
        QStringLiteral("Traces starting at or after T: ISO 8601 time or an age such as 1h, 2d or 1w."),
        QStringLiteral("T"));
    const QCommandLineOption until(
        QStringLiteral("until"), QStringLiteral("Traces starting at or before T."), QStringLiteral("T"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most N traces (default 20, 0: all)."),
        QStringLiteral("N"), QStringLiteral("20"));
    parser.addOptions(
        { service, operation, tag, traceId, minDuration, maxDuration, since, until, limit, jsonOption, cacheOption });
    int exitCode = 0;
    if (!CommandLine::parseOptions(
            parser, args, QStringLiteral("Search the cache (which must exist) for traces, newest first."), exitCode))
        return exitCode;

    TraceQuery query;
    query.service = parser.value(service);
    query.operation = parser.value(operation);
    for (const QString& t : parser.values(tag)) {
        const qsizetype eq = t.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            err() << "tracemap search: --tag expects key=value, got '" << t << "'\n";
            return 2;
        }
        query.tags.emplace_back(t.left(eq), t.mid(eq + 1));
    }
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
    auto durationOption = [&](const QCommandLineOption& option, qint64& target) {
        if (!parser.isSet(option))
            return true;
        const auto ns = parseDuration(parser.value(option));
        if (!ns) {
            err() << "tracemap search: --" << option.names().first() << " expects a duration such as 150ms or 2s, got '"
                  << parser.value(option) << "'\n";
            return false;
        }
        target = *ns;
        return true;
    };
    if (!durationOption(minDuration, query.minDurationNs) || !durationOption(maxDuration, query.maxDurationNs))
        return 2;
    const qint64 now = QDateTime::currentMSecsSinceEpoch() * 1000000;
    auto timeOption = [&](const QCommandLineOption& option, qint64& target) {
        if (!parser.isSet(option))
            return true;
        const auto ns = parseTimePoint(parser.value(option), now);
        if (!ns) {
            err() << "tracemap search: --" << option.names().first()
                  << " expects an ISO 8601 time or an age such as 15m, 2d or 1w, got '" << parser.value(option)
                  << "'\n";
            return false;
        }
        target = *ns;
        return true;
    };
    if (!timeOption(since, query.sinceNs) || !timeOption(until, query.untilNs))
        return 2;
    bool ok = false;
    query.limit = parser.value(limit).toInt(&ok);
    if (!ok || query.limit < 0) {
        err() << "tracemap search: --limit expects a whole number, got '" << parser.value(limit) << "'\n";
        return 2;
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
