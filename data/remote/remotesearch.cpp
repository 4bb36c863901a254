#include "remote/remotesearch.h"

#include <QDateTime>

namespace tracemap::remote {

RemoteSearch remoteSearchOf(const TraceQuery& form, const QString& traceQl, qint64 nowNs, qint64 defaultWindowNs)
{
    constexpr qint64 kNone = std::numeric_limits<qint64>::max();
    RemoteSearch s;
    s.service = form.service;
    s.operation = form.operation;
    s.tags = form.tags;
    s.traceQl = traceQl.trimmed();
    s.minDurationNs = std::max<qint64>(form.minDurationNs, 0);
    s.maxDurationNs = form.maxDurationNs == kNone ? 0 : form.maxDurationNs;
    s.untilNs = form.untilNs > 0 && form.untilNs != kNone ? form.untilNs : nowNs;
    s.sinceNs = form.sinceNs > 0 ? form.sinceNs : s.untilNs - defaultWindowNs;
    s.limit = form.limit > 0 ? form.limit : 20;
    return s;
}

QString goDuration(qint64 ns)
{
    // The largest unit that divides the duration exactly, so that nothing is rounded away.
    static constexpr std::pair<qint64, const char*> kUnits[] = { { 3'600'000'000'000, "h" }, { 60'000'000'000, "m" },
        { 1'000'000'000, "s" }, { 1'000'000, "ms" }, { 1'000, "us" }, { 1, "ns" } };
    if (ns <= 0)
        return QStringLiteral("0s");
    for (const auto& [unit, name] : kUnits) {
        if (ns % unit == 0)
            return QString::number(ns / unit) + QLatin1String(name);
    }
    return QString::number(ns) + QLatin1String("ns");
}

QString rfc3339(qint64 ns)
{
    const qint64 seconds = ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
    const qint64 fraction = ns - seconds * 1'000'000'000;
    const QDateTime at = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
    return at.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"))
        + QStringLiteral(".%1Z").arg(fraction, 9, 10, QLatin1Char('0'));
}

} // namespace tracemap::remote
