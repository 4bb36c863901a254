#include "searchoptions.h"

#include "commandline.h"

#include <QCommandLineParser>
#include <QDateTime>

namespace tracemap {

using namespace commandline;

SearchOptions::SearchOptions(const QString& limitHelp)
    : service(QStringLiteral("service"), QStringLiteral("Traces with spans of this service."), QStringLiteral("S"))
    , operation(QStringLiteral("operation"), QStringLiteral("Traces with this operation (of --service when given)."),
          QStringLiteral("O"))
    , tag(QStringLiteral("tag"),
          QStringLiteral("A span or resource attribute key=value; repeat for several (all must match)."),
          QStringLiteral("k=v"))
    , minDuration(QStringLiteral("min-duration"),
          QStringLiteral("Shortest trace duration, e.g. 150ms, 2s (a bare number is milliseconds)."),
          QStringLiteral("D"))
    , maxDuration(QStringLiteral("max-duration"), QStringLiteral("Longest trace duration."), QStringLiteral("D"))
    , since(QStringLiteral("since"),
          QStringLiteral("Traces starting at or after T: ISO 8601 time or an age such as 1h, 2d or 1w."),
          QStringLiteral("T"))
    , until(QStringLiteral("until"), QStringLiteral("Traces starting at or before T."), QStringLiteral("T"))
    , limit(QStringLiteral("limit"), limitHelp, QStringLiteral("N"), QStringLiteral("20"))
{
}

void SearchOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({ service, operation, tag, minDuration, maxDuration, since, until, limit });
}

bool SearchOptions::read(
    const QCommandLineParser& parser, const QString& command, TraceQuery& query, qint64 nowNs) const
{
    query.service = parser.value(service);
    query.operation = parser.value(operation);
    for (const QString& t : parser.values(tag)) {
        const qsizetype eq = t.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            err() << "tracemap " << command << ": --tag expects key=value, got '" << t << "'\n";
            return false;
        }
        query.tags.emplace_back(t.left(eq), t.mid(eq + 1));
    }
    auto durationOption = [&](const QCommandLineOption& option, qint64& target) {
        if (!parser.isSet(option))
            return true;
        const auto ns = parseDuration(parser.value(option));
        if (!ns) {
            err() << "tracemap " << command << ": --" << option.names().first()
                  << " expects a duration such as 150ms or 2s, got '" << parser.value(option) << "'\n";
            return false;
        }
        target = *ns;
        return true;
    };
    if (!durationOption(minDuration, query.minDurationNs) || !durationOption(maxDuration, query.maxDurationNs))
        return false;
    const qint64 now = nowNs != 0 ? nowNs : QDateTime::currentMSecsSinceEpoch() * 1000000;
    auto timeOption = [&](const QCommandLineOption& option, qint64& target) {
        if (!parser.isSet(option))
            return true;
        const auto ns = parseTimePoint(parser.value(option), now);
        if (!ns) {
            err() << "tracemap " << command << ": --" << option.names().first()
                  << " expects an ISO 8601 time or an age such as 15m, 2d or 1w, got '" << parser.value(option)
                  << "'\n";
            return false;
        }
        target = *ns;
        return true;
    };
    if (!timeOption(since, query.sinceNs) || !timeOption(until, query.untilNs))
        return false;
    bool ok = false;
    query.limit = parser.value(limit).toInt(&ok);
    if (!ok || query.limit < 0) {
        err() << "tracemap " << command << ": --limit expects a whole number, got '" << parser.value(limit) << "'\n";
        return false;
    }
    return true;
}

} // namespace tracemap
