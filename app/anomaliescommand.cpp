#include "anomaliescommand.h"

#include "commandline.h"
#include "monitor/anomalyreport.h"
#include "monitoroptions.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap {

using namespace commandline;

int AnomaliesCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    MonitorOptions monitor(QStringLiteral("anomalies"));
    monitor.addTo(parser);
    const QCommandLineOption step(QStringLiteral("step"),
        QStringLiteral("Bucket width, whole minutes (default: about 240 buckets over the data, at least 1m)."),
        QStringLiteral("D"));
    parser.addOption(step);
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("Episodes where the latency (p95), error rate or rate of an operation left its own "
                           "baseline (the 60 buckets before), largest impact first, each explained by the "
                           "attribute that sets its spans apart. Entry spans only unless --all-kinds."),
            exitCode))
        return exitCode;
    const auto scope = monitor.scope(parser);
    if (!scope)
        return 2;
    qint64 stepNs = 0;
    if (parser.isSet(step)) {
        const auto ns = monitor.step(parser, step);
        if (!ns)
            return 2;
        stepNs = *ns;
    }
    auto cache = monitor.openCache(parser);
    if (!cache)
        return 1;
    const auto episodes = findAnomalies(*cache, *scope, stepNs);
    if (!episodes) {
        err() << "tracemap anomalies: " << episodes.error() << "\n";
        return 1;
    }
    if (parser.isSet(jsonOption)) {
        QJsonArray array;
        for (const ExplainedEpisode& e : *episodes) {
            const AnomalyEpisode& a = e.episode;
            QJsonObject o { { QStringLiteral("kind"), QLatin1String(anomalyKindName(a.kind)) },
                { QStringLiteral("service"), QString::fromStdString(e.series.service) },
                { QStringLiteral("operation"), QString::fromStdString(e.series.operation) },
                { QStringLiteral("start"), isoTime(a.startNs) }, { QStringLiteral("end"), isoTime(a.endNs) },
                { QStringLiteral("startNs"), QString::number(a.startNs) },
                { QStringLiteral("endNs"), QString::number(a.endNs) }, { QStringLiteral("baseline"), a.baseline },
                { QStringLiteral("observed"), a.observed }, { QStringLiteral("spans"), a.spans },
                { QStringLiteral("errors"), a.errors }, { QStringLiteral("traces"), e.traces },
                { QStringLiteral("tracesEstimated"), e.tracesEstimated }, { QStringLiteral("impact"), a.impact },
                { QStringLiteral("pValue"), a.pValue }, { QStringLiteral("explanation"), e.sentence } };
            if (e.topKey && e.topValue) {
                o.insert(QStringLiteral("attribute"),
                    QJsonObject { { QStringLiteral("key"), QString::fromStdString(*e.topKey) },
                        { QStringLiteral("value"), QString::fromStdString(*e.topValue) },
                        { QStringLiteral("episodeShare"), e.selectionShare },
                        { QStringLiteral("baselineShare"), e.baselineShare } });
            }
            array.append(o);
        }
        out() << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return 0;
    }
    for (const ExplainedEpisode& e : *episodes)
        out() << anomalyKindName(e.episode.kind) << ": " << printable(e.sentence.toStdString()) << "\n";
    out() << episodes->size() << (episodes->size() == 1 ? " episode\n" : " episodes\n");
    return 0;
}

} // namespace tracemap
