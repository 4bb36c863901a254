#include "explaincommand.h"

#include "commandline.h"
#include "monitor/spancomparison.h"
#include "monitoroptions.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace tracemap {

using namespace commandline;

namespace {

QJsonObject toJson(const AttributeDifference& a)
{
    QJsonArray values;
    for (const ValueShare& v : a.values) {
        values.append(QJsonObject { { QStringLiteral("value"), QString::fromStdString(v.value) },
            { QStringLiteral("selection"), v.selection }, { QStringLiteral("baseline"), v.baseline },
            { QStringLiteral("selectionShare"), v.selectionShare },
            { QStringLiteral("baselineShare"), v.baselineShare }, { QStringLiteral("pValue"), v.pValue },
            { QStringLiteral("significant"), v.significant } });
    }
    return QJsonObject { { QStringLiteral("key"), QString::fromStdString(a.key) }, { QStringLiteral("score"), a.score },
        { QStringLiteral("pValue"), a.pValue }, { QStringLiteral("numeric"), a.numeric },
        { QStringLiteral("demoted"), a.demoted }, { QStringLiteral("topValue"), a.topValue },
        { QStringLiteral("values"), values } };
}

} // namespace

int ExplainCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    MonitorOptions monitor(QStringLiteral("explain"));
    monitor.addTo(parser);
    const QCommandLineOption minDuration(QStringLiteral("min-duration"),
        QStringLiteral("Select the spans at least this long, e.g. 500ms."), QStringLiteral("D"));
    const QCommandLineOption maxDuration(QStringLiteral("max-duration"),
        QStringLiteral("... and shorter than this (with --min-duration)."), QStringLiteral("D"));
    const QCommandLineOption errors(QStringLiteral("errors"), QStringLiteral("Select the error spans."));
    const QCommandLineOption limit(QStringLiteral("limit"),
        QStringLiteral("At most N attributes (default 10, 0: all)."), QStringLiteral("N"), QStringLiteral("10"));
    parser.addOptions({ minDuration, maxDuration, errors, limit });
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("What is different about a selection of spans (a duration band or the errors) compared "
                           "with the rest of the scope: attributes ranked by the largest significant difference in "
                           "share (percentage points), with their values' shares on both sides."),
            exitCode))
        return exitCode;
    const auto scope = monitor.scope(parser);
    if (!scope)
        return 2;
    if (parser.isSet(errors) == parser.isSet(minDuration)
        || (parser.isSet(maxDuration) && !parser.isSet(minDuration))) {
        err() << "tracemap explain: give either --min-duration D [--max-duration D] or --errors\n";
        return 2;
    }
    SpanSelection selection;
    selection.errorsOnly = parser.isSet(errors);
    for (const auto& [option, target] : { std::pair { &minDuration, &selection.minDurationNs },
             std::pair { &maxDuration, &selection.maxDurationNs } }) {
        if (!parser.isSet(*option))
            continue;
        const auto ns = parseDuration(parser.value(*option));
        if (!ns || *ns < 0) {
            err() << "tracemap explain: --" << option->names().first()
                  << " expects a duration such as 150ms or 2s, got '" << parser.value(*option) << "'\n";
            return 2;
        }
        *target = *ns;
    }
    bool ok = false;
    const int maxAttributes = parser.value(limit).toInt(&ok);
    if (!ok || maxAttributes < 0) {
        err() << "tracemap explain: --limit expects a whole number, got '" << parser.value(limit) << "'\n";
        return 2;
    }
    auto cache = monitor.openCache(parser);
    if (!cache)
        return 1;
    const auto compared = compareSelection(*cache, *scope, selection);
    if (!compared) {
        err() << "tracemap explain: " << compared.error() << "\n";
        return 1;
    }
    const ComparisonResult& r = compared->result;
    const size_t shown
        = maxAttributes == 0 ? r.attributes.size() : std::min(r.attributes.size(), static_cast<size_t>(maxAttributes));
    if (parser.isSet(jsonOption)) {
        QJsonArray attributes;
        for (size_t i = 0; i < shown; ++i)
            attributes.append(toJson(r.attributes[i]));
        out() << QJsonDocument(
            QJsonObject { { QStringLiteral("selectionSpans"), r.selectionSpans },
                { QStringLiteral("selectionTraces"), compared->selectedTraces },
                { QStringLiteral("baselineSpans"), r.baselineSpans }, { QStringLiteral("attributes"), attributes } })
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (compared->isSampled()) {
        out() << "selection: " << r.selectionSpans << " spans in the traces read (about " << compared->selectedTraces
              << " traces hold such spans in the whole scope); baseline: " << r.baselineSpans
              << " spans; a sample: " << compared->readTraces << " of the scope's " << compared->scopeTraces
              << " traces read\n";
    } else {
        out() << "selection: " << r.selectionSpans << " spans in " << compared->selectedTraces
              << " traces; baseline (the rest of the scope): " << r.baselineSpans << " spans\n";
    }
    if (r.selectionSpans == 0) {
        out() << "nothing selected: no span of the scope matches the selection\n";
        return 0;
    }
    if (std::none_of(
            r.attributes.begin(), r.attributes.end(), [](const AttributeDifference& a) { return a.score > 0; }))
        out() << "no attribute sets the selection apart: no value's share differs significantly (with at least 5 "
                 "spans on each side)\n";
    for (size_t i = 0; i < shown; ++i) {
        const AttributeDifference& a = r.attributes[i];
        out() << "\n"
              << printable(a.key) << "  "
              << (a.score > 0 ? QStringLiteral("differs by %1 points (p %2)")
                                    .arg(a.score * 100, 0, 'f', 1)
                                    .arg(a.pValue, 0, 'g', 2)
                              : QStringLiteral("no significant difference"))
              << (a.demoted ? "  [id or high cardinality]" : "") << "\n";
        for (const ValueShare& v : a.values) {
            out() << "    " << printable(v.value).left(40).leftJustified(40)
                  << QStringLiteral("%1 %").arg(v.selectionShare * 100, 6, 'f', 1) << " selected  "
                  << QStringLiteral("%1 %").arg(v.baselineShare * 100, 6, 'f', 1) << " baseline"
                  << (v.significant ? "  *" : "") << "\n";
        }
    }
    if (shown < r.attributes.size())
        out() << "\n" << r.attributes.size() - shown << " more attributes (--limit 0 shows all)\n";
    return 0;
}

} // namespace tracemap
