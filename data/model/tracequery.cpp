#include "model/tracequery.h"

#include <QDateTime>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace tracemap {

std::optional<qint64> parseDuration(const QString& text)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]*)?)\\s*(ns|us|µs|ms|s|m|h|d|w)?\\s*$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const double number = match.captured(1).toDouble();
    const QString unit = match.captured(2);
    double scale = 1e6; // a bare number is milliseconds, as in Jaeger's form
    if (unit == QLatin1String("ns"))
        scale = 1;
    else if (unit == QLatin1String("us") || unit == QStringLiteral("µs"))
        scale = 1e3;
    else if (unit == QLatin1String("s"))
        scale = 1e9;
    else if (unit == QLatin1String("m"))
        scale = 60e9;
    else if (unit == QLatin1String("h"))
        scale = 3600e9;
    else if (unit == QLatin1String("d"))
        scale = 86400e9; // a lookback's day, as Jaeger's and Zipkin's: 24 hours, whatever the calendar says
    else if (unit == QLatin1String("w"))
        scale = 7 * 86400e9;
    const double ns = number * scale;
    if (!std::isfinite(ns) || ns > 9.2e18)
        return std::nullopt;
    return static_cast<qint64>(std::llround(ns));
}

QString formatDuration(qint64 ns)
{
    const double v = static_cast<double>(ns);
    if (ns < 1000)
        return QStringLiteral("%1 ns").arg(ns);
    if (ns < 1000000)
        return QStringLiteral("%1 µs").arg(v / 1e3, 0, 'f', v < 1e4 ? 2 : v < 1e5 ? 1 : 0);
    if (ns < 1000000000)
        return QStringLiteral("%1 ms").arg(v / 1e6, 0, 'f', v < 1e7 ? 2 : v < 1e8 ? 1 : 0);
    return QStringLiteral("%1 s").arg(v / 1e9, 0, 'f', v < 1e10 ? 2 : v < 1e11 ? 1 : 0);
}

std::optional<qint64> parseTimePoint(const QString& text, qint64 nowNs)
{
    QString t = text.trimmed();
    if (t.startsWith(QLatin1Char('-')))
        t.remove(0, 1);
    if (const auto ago = parseDuration(t); ago && !t.isEmpty() && !t.at(t.size() - 1).isDigit())
        return nowNs - *ago;
    QDateTime when = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!when.isValid())
        when = QDateTime::fromString(text.trimmed(), Qt::ISODate);
    if (!when.isValid())
        return std::nullopt;
    return when.toMSecsSinceEpoch() * 1000000;
}

QString logfmtValue(const QString& value)
{
    const bool bare = !value.isEmpty() && std::none_of(value.begin(), value.end(), [](QChar c) {
        return c.isSpace() || c == QLatin1Char('"') || c == QLatin1Char('=') || c == QLatin1Char('\\');
    });
    if (bare)
        return value;
    QString out = QStringLiteral("\"");
    for (const QChar c : value) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out + QLatin1Char('"');
}

} // namespace tracemap
