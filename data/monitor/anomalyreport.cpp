#include "monitor/anomalyreport.h"

#include "model/tracequery.h"
#include "monitor/rollupqueries.h"
#include "monitor/spancomparison.h"

#include <QDateTime>

namespace tracemap {

namespace {

QString clock(qint64 ns, bool withDate)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, Qt::UTC);
    return t.toString(withDate ? QStringLiteral("yyyy-MM-dd HH:mm") : QStringLiteral("HH:mm"));
}

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(share * 100, 0, 'f', share < 0.1 ? 1 : 0);
}

} // namespace

std::optional<std::pair<const AttributeDifference*, const ValueShare*>> topFinding(const ComparisonResult& result)
{
    for (const AttributeDifference& a : result.attributes) {
        if (a.demoted || a.score <= 0 || a.topValue < 0 || a.numeric)
            continue;
        const ValueShare& top = a.values[static_cast<size_t>(a.topValue)];
        if (top.selectionShare <= top.baselineShare || top.value == "(other)")
            continue; // "fewer have X" explains less than "more have Y", and "(other)" names nothing; look further
        return std::pair { &a, &top };
    }
    return std::nullopt;
}

QString describeEpisode(const ExplainedEpisode& e)
{
    const AnomalyEpisode& a = e.episode;
    const QString name
        = QString::fromStdString(e.series.service) + QLatin1Char(' ') + QString::fromStdString(e.series.operation);
    const bool sameDay = a.startNs / 86'400'000'000'000 == (a.endNs - 1) / 86'400'000'000'000;
    const QString when = QStringLiteral("from %1 to %2 UTC").arg(clock(a.startNs, true), clock(a.endNs, !sameDay));
    QString text;
    switch (a.kind) {
    case AnomalyEpisode::Kind::Latency:
        text = QStringLiteral("p95 of %1 rose %2× (%3 → %4) %5 in %6%7 traces")
                   .arg(name)
                   .arg(a.baseline > 0 ? a.observed / a.baseline : 0, 0, 'f', 1)
                   .arg(formatDuration(static_cast<qint64>(a.baseline)),
                       formatDuration(static_cast<qint64>(a.observed)), when)
                   .arg(e.tracesEstimated ? QStringLiteral("about ") : QString())
                   .arg(e.traces);
        break;
    case AnomalyEpisode::Kind::Errors:
        text = QStringLiteral("error rate of %1 rose from %2 to %3 %4, %5%6 failed traces")
                   .arg(name, percent(a.baseline), percent(a.observed), when)
                   .arg(e.tracesEstimated ? QStringLiteral("about ") : QString())
                   .arg(e.traces);
        break;
    case AnomalyEpisode::Kind::RateSpike:
    case AnomalyEpisode::Kind::RateDrop:
        text = QStringLiteral("rate of %1 %2 to %3× (%4 → %5 spans per %6 min) %7")
                   .arg(name,
                       a.kind == AnomalyEpisode::Kind::RateSpike ? QStringLiteral("rose") : QStringLiteral("fell"))
                   .arg(a.baseline > 0 ? a.observed / a.baseline : 0, 0, 'f', 1)
                   .arg(a.baseline, 0, 'f', 0)
                   .arg(a.observed, 0, 'f', 0)
                   .arg((a.endNs - a.startNs) / (a.lastBucket - a.firstBucket + 1) / SpanRollups::kMinuteNs)
                   .arg(when);
        break;
    }
    if (e.topKey && e.topValue) {
        const QString attribute = *e.topValue == "(missing)"
            ? QStringLiteral("no %1").arg(QString::fromStdString(*e.topKey))
            : QStringLiteral("%1=%2").arg(QString::fromStdString(*e.topKey), QString::fromStdString(*e.topValue));
        text += QStringLiteral("; %1 of them have %2 (%3 before)")
                    .arg(percent(e.selectionShare), attribute, percent(e.baselineShare));
    }
    return text;
}

std::expected<std::vector<ExplainedEpisode>, QString> findAnomalies(
    const TraceCache& cache, const MonitorScope& scope, qint64 stepNs, const AnomalyDetector::Options& options)
{
    const auto series
        = rollupqueries::loadSeries(cache, scope, stepNs > 0 ? stepNs : rollupqueries::stepFor(cache, scope));
    if (!series)
        return std::unexpected(series.error());
    return findAnomalies(cache, scope, *series, options);
}

std::expected<std::vector<ExplainedEpisode>, QString> findAnomalies(const TraceCache& cache, const MonitorScope& scope,
    const std::vector<BucketSeries>& series, const AnomalyDetector::Options& options)
{
    std::vector<ExplainedEpisode> out;
    if (series.empty())
        return out;
    const qint64 stepNs = series.front().stepNs;
    const std::vector<AnomalyEpisode> episodes = AnomalyDetector(options).detect(series);
    for (const AnomalyEpisode& episode : episodes) {
        ExplainedEpisode e;
        e.episode = episode;
        e.series = series[episode.series].key;
        // The series' spans in the episode (its failed ones for errors) against the same series just before it.
        MonitorScope around = scope;
        around.service = QString::fromStdString(e.series.service);
        around.operation = QString::fromStdString(e.series.operation);
        around.sinceNs = episode.startNs - options.baselineBuckets * stepNs;
        around.untilNs = episode.endNs - 1;
        SpanSelection selection;
        selection.sinceNs = episode.startNs;
        selection.untilNs = episode.endNs;
        selection.errorsOnly = episode.kind == AnomalyEpisode::Kind::Errors;
        const auto compared = compareSelection(cache, around, selection);
        if (!compared)
            return std::unexpected(compared.error());
        e.traces = compared->selectedTraces;
        e.tracesEstimated = compared->isSampled();
        if (const auto finding = topFinding(compared->result)) {
            e.topKey = finding->first->key;
            e.topValue = finding->second->value;
            e.selectionShare = finding->second->selectionShare;
            e.baselineShare = finding->second->baselineShare;
        }
        e.sentence = describeEpisode(e);
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace tracemap
