#include "topologycommand.h"

#include "commandline.h"

#include "analysis/topologybuilder.h"
#include "analysis/topologylens.h"
#include "cache/tracecache.h"
#include "formats/dependencylinksreader.h"
#include "formats/traceimporter.h"
#include "graphvizlayout.h"
#include "monitor/rollupqueries.h"
#include "topologyexporter.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace tracemap {

namespace {

// `--paths A B` names two services, which QCommandLineParser cannot take as one option: it becomes
// `--paths A --paths B`.
QStringList withPathsSplit(const QStringList& args)
{
    QStringList out;
    for (qsizetype i = 0; i < args.size(); ++i) {
        out << args[i];
        if ((args[i] == QLatin1String("--paths") || args[i] == QLatin1String("-paths")) && i + 2 < args.size()
            && !args[i + 2].startsWith(u'-')) {
            out << args[i + 1] << args[i];
            ++i;
        }
    }
    return out;
}

std::expected<TopologyFilters, QString> filtersFrom(const QCommandLineParser& parser,
    const QCommandLineOption& minCalls, const QCommandLineOption& minShare, const QCommandLineOption& errorsOnly,
    const QCommandLineOption& top, const QCommandLineOption& rankBy, const QCommandLineOption& search)
{
    TopologyFilters filters;
    bool ok = true;
    if (parser.isSet(minCalls))
        filters.minCalls = parser.value(minCalls).toLongLong(&ok);
    if (!ok || filters.minCalls < 0)
        return std::unexpected(QStringLiteral("--min-calls expects a whole number"));
    if (parser.isSet(minShare))
        filters.minSharePercent = parser.value(minShare).toDouble(&ok);
    if (!ok || filters.minSharePercent < 0 || filters.minSharePercent > 100)
        return std::unexpected(QStringLiteral("--min-share expects a percentage from 0 to 100"));
    if (parser.isSet(top))
        filters.topK = parser.value(top).toULongLong(&ok);
    if (!ok || (parser.isSet(top) && filters.topK == 0))
        return std::unexpected(QStringLiteral("--top expects a whole number above 0"));
    const QString rank = parser.value(rankBy);
    if (rank == QLatin1String("errors"))
        filters.rankBy = TopologyFilters::Rank::Errors;
    else if (rank == QLatin1String("p95"))
        filters.rankBy = TopologyFilters::Rank::P95;
    else if (rank != QLatin1String("calls"))
        return std::unexpected(QStringLiteral("--rank-by must be calls, errors or p95"));
    filters.errorsOnly = parser.isSet(errorsOnly);
    filters.search = parser.value(search);
    return filters;
}

} // namespace

int TopologyCommand::run(const QStringList& args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QCommandLineOption cacheOption(QStringLiteral("cache"),
        QStringLiteral("Without FILE: the cache to read (default: %1).").arg(TraceCache::defaultPath()),
        QStringLiteral("path"));
    const QCommandLineOption service(
        QStringLiteral("service"), QStringLiteral("Centre the map on this service."), QStringLiteral("S"));
    const QCommandLineOption hops(QStringLiteral("hops"),
        QStringLiteral("With --service: keep services within N calls of it (default 1)."), QStringLiteral("N"),
        QStringLiteral("1"));
    const QCommandLineOption engine(QStringLiteral("engine"),
        QStringLiteral("Graphviz layout: dot (left to right by call depth), sfdp or neato; default: dot for small "
                       "graphs, sfdp for large ones, neato for a map of groups that call each other a lot."),
        QStringLiteral("name"));
    const QCommandLineOption scale(QStringLiteral("scale"), QStringLiteral("PNG pixels per point (default 2)."),
        QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption noLabels(QStringLiteral("no-edge-labels"), QStringLiteral("Leave out calls and p95."));
    const QCommandLineOption maxLabels(QStringLiteral("max-labels"),
        QStringLiteral("Label at most N services and calls, the busiest first, and never two on top of each other "
                       "(default %1; 0: all that fit).")
            .arg(TopologyExporter::kDefaultMaxLabels),
        QStringLiteral("N"), QString::number(TopologyExporter::kDefaultMaxLabels));
    const QCommandLineOption colorBy(QStringLiteral("color-by"),
        QStringLiteral("What the services' fills show: errors (default), p95 or rate; a legend says it."),
        QStringLiteral("what"), QStringLiteral("errors"));
    const QCommandLineOption sizeBy(QStringLiteral("size-by"),
        QStringLiteral("What the services' sizes show: errors, p95 or rate (the highest gets a box twice its label's "
                       "width and height, the others an area in proportion); default: each box fits its label."),
        QStringLiteral("what"));
    const QCommandLineOption noLegend(QStringLiteral("no-legend"), QStringLiteral("Leave out the legend."));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The file to write (required)."), QStringLiteral("OUT"));
    const QCommandLineOption groupBy(QStringLiteral("group-by"),
        QStringLiteral("Collapse services into groups: auto (service.namespace or k8s.namespace.name, else detected "
                       "communities), detect, prefix, /REGEX/ or a resource attribute key."),
        QStringLiteral("RULE"));
    const QCommandLineOption expand(QStringLiteral("expand"),
        QStringLiteral("With --group-by: show this group's services instead of the group (repeatable)."),
        QStringLiteral("GROUP"));
    const QCommandLineOption seed(QStringLiteral("seed"),
        QStringLiteral("Seed of the community detection (default 1): the same seed gives the same groups."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption minCalls(
        QStringLiteral("min-calls"), QStringLiteral("Hide calls made fewer than N times."), QStringLiteral("N"));
    const QCommandLineOption minShare(QStringLiteral("min-share"),
        QStringLiteral("Hide calls carrying less than PCT percent of all calls."), QStringLiteral("PCT"));
    const QCommandLineOption errorsOnly(QStringLiteral("errors-only"), QStringLiteral("Only calls with errors."));
    const QCommandLineOption exact(QStringLiteral("exact"),
        QStringLiteral("Without FILE: read every span of the cache for exact percentiles, however many there are. "
                       "Without it a cache of more than %1 spans is mapped from its per-minute rollups: counts "
                       "exact, percentiles within 4.5 %.")
            .arg(rollupqueries::kExactSpans));
    const QCommandLineOption top(QStringLiteral("top"),
        QStringLiteral("Only the K calls ranking highest (see --rank-by)."), QStringLiteral("K"));
    const QCommandLineOption rankBy(QStringLiteral("rank-by"),
        QStringLiteral("What --top ranks by: calls (default), errors or p95."), QStringLiteral("what"),
        QStringLiteral("calls"));
    const QCommandLineOption search(QStringLiteral("search"),
        QStringLiteral("Only services whose name contains TEXT (any case)."), QStringLiteral("TEXT"));
    const QCommandLineOption paths(QStringLiteral("paths"),
        QStringLiteral("--paths A B: every call path from service A to service B."), QStringLiteral("A B"));
    const QCommandLineOption upstream(QStringLiteral("upstream"),
        QStringLiteral("Everything that calls service S, directly or not."), QStringLiteral("S"));
    const QCommandLineOption downstream(QStringLiteral("downstream"),
        QStringLiteral("Everything service S calls, directly or not."), QStringLiteral("S"));
    parser.addOptions(
        { cacheOption, service, hops, groupBy, expand, seed, minCalls, minShare, errorsOnly, top, rankBy, search, exact,
            paths, upstream, downstream, engine, scale, noLabels, maxLabels, colorBy, sizeBy, noLegend, output });
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Trace or dependency-link files."), QStringLiteral("[FILE...]"));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, withPathsSplit(args),
            QStringLiteral("Write the service topology of trace files, dependency-link files or the whole cache. The "
                           "suffix of OUT "
                           "picks the format: .svg, .png, .pdf, .dot or .json."),
            exitCode))
        return exitCode;

    if (!parser.isSet(output)) {
        err << "tracemap topology: -o OUT is required\n";
        return 2;
    }
    if (!TopologyExporter::formatFor(parser.value(output))) {
        err << "tracemap topology: " << parser.value(output)
            << ": unknown format; the file name must end in .svg, .png, .pdf, .dot or .json\n";
        return 2;
    }
    const auto chosenEngine = parser.isSet(engine) ? LayoutOptions::engineFromName(parser.value(engine))
                                                   : std::optional(LayoutOptions::Engine::Automatic);
    if (!chosenEngine) {
        err << "tracemap topology: --engine must be dot, sfdp or neato\n";
        return 2;
    }
    bool ok = false;
    const double pixelsPerPoint = parser.value(scale).toDouble(&ok);
    const int hopCount = parser.value(hops).toInt(&ok);
    if (!ok || pixelsPerPoint <= 0 || pixelsPerPoint > 20 || hopCount < 0) {
        err << "tracemap topology: --scale expects a number from 0 to 20 and --hops a whole number\n";
        return 2;
    }
    auto filters = filtersFrom(parser, minCalls, minShare, errorsOnly, top, rankBy, search);
    if (!filters) {
        err << "tracemap topology: " << filters.error() << "\n";
        return 2;
    }
    const std::optional<Topology::Metric> fill = Topology::metricFromName(parser.value(colorBy).toStdString());
    if (!fill) {
        err << "tracemap topology: --color-by must be errors, p95 or rate\n";
        return 2;
    }
    std::optional<Topology::Metric> size;
    if (parser.isSet(sizeBy)) {
        size = Topology::metricFromName(parser.value(sizeBy).toStdString());
        if (!size) {
            err << "tracemap topology: --size-by must be errors, p95 or rate\n";
            return 2;
        }
    }
    const qint64 labelLimit = parser.value(maxLabels).toLongLong(&ok);
    if (!ok || labelLimit < 0) {
        err << "tracemap topology: --max-labels expects a whole number\n";
        return 2;
    }
    const quint64 groupSeed = parser.value(seed).toULongLong(&ok);
    const int focusOptions = int(parser.isSet(paths)) + int(parser.isSet(upstream)) + int(parser.isSet(downstream))
        + int(parser.isSet(service));
    if (!ok || focusOptions > 1 || (parser.isSet(paths) && parser.values(paths).size() != 2)
        || (parser.isSet(expand) && !parser.isSet(groupBy))) {
        err << "tracemap topology: --seed expects a whole number; --service, --paths A B, --upstream and "
               "--downstream exclude each other; --expand needs --group-by\n";
        return 2;
    }

    Topology topology;
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        TopologyBuilder builder;
        bool anyTraces = false;
        for (const QString& file : files) {
            if (DependencyLinksReader::isDependencyLinksFile(file)) {
                auto links = DependencyLinksReader::readFile(file);
                if (!links) {
                    err << "tracemap: " << links.error().toString() << "\n";
                    return 1;
                }
                if (files.size() > 1) {
                    err << "tracemap topology: a dependency-link file must be the only FILE\n";
                    return 2;
                }
                topology = std::move(*links);
                continue;
            }
            anyTraces = true;
            const auto summary = TraceImporter::importFile(file, [&](std::vector<Trace>& traces) {
                for (const Trace& t : traces)
                    builder.add(t);
            });
            if (!summary) {
                err << "tracemap: " << summary.error().toString() << "\n";
                return 1;
            }
        }
        if (anyTraces)
            topology = builder.build();
    } else {
        auto cache = TraceCache::open(parser.isSet(cacheOption) ? parser.value(cacheOption) : TraceCache::defaultPath(),
            TraceCache::OpenMode::MustExist);
        if (!cache) {
            err << "tracemap: " << cache.error() << "\n";
            return 1;
        }
        // The rollups first: they are cheap, and their counts say whether reading every span is.
        qint64 spans = 0;
        auto rolledUp = rollupqueries::topology(**cache, &spans);
        if (!rolledUp) {
            err << "tracemap topology: " << rolledUp.error() << "\n";
            return 1;
        }
        if (!parser.isSet(exact) && spans > rollupqueries::kExactSpans) {
            topology = std::move(*rolledUp);
            err << "tracemap topology: " << spans
                << " spans, mapped from the cache's rollups: counts exact, percentiles within 4.5 % (--exact reads "
                   "every span)\n";
        } else {
            TopologyBuilder builder;
            const auto done = (*cache)->forEachTrace([&](const Trace& t) {
                builder.add(t);
                return true;
            });
            if (!done) {
                err << "tracemap topology: " << done.error() << "\n";
                return 1;
            }
            topology = builder.build();
        }
    }
    const auto nodeNamed = [&](const QString& name) -> std::optional<quint32> {
        const int index = topology.nodeIndex(name.toStdString());
        if (index < 0) {
            err << "tracemap topology: no service named '" << name << "'\n";
            return std::nullopt;
        }
        return static_cast<quint32>(index);
    };
    if (parser.isSet(service)) {
        const auto center = nodeNamed(parser.value(service));
        if (!center)
            return 1;
        topology = topology.neighbourhood(*center, hopCount);
    }
    TopologyLens::Options lens;
    lens.filters = *filters;
    lens.sizeBy = size;
    if (parser.isSet(paths)) {
        const auto from = nodeNamed(parser.values(paths).at(0));
        const auto to = nodeNamed(parser.values(paths).at(1));
        if (!from || !to)
            return 1;
        lens.focus = { TopologyFocus::Kind::Paths, *from, *to };
    } else if (parser.isSet(upstream) || parser.isSet(downstream)) {
        const bool up = parser.isSet(upstream);
        const auto node = nodeNamed(parser.value(up ? upstream : downstream));
        if (!node)
            return 1;
        lens.focus = { up ? TopologyFocus::Kind::Upstream : TopologyFocus::Kind::Downstream, *node, 0 };
    }
    TopologyGroups groups;
    if (parser.isSet(groupBy)) {
        auto made = TopologyGrouper::fromRule(topology, parser.value(groupBy), groupSeed);
        if (!made) {
            err << "tracemap topology: --group-by: " << made.error() << "\n";
            return 2;
        }
        groups = std::move(*made);
        lens.groups = &groups;
        lens.expanded.assign(groups.names.size(), false);
        for (const QString& name : parser.values(expand)) {
            const auto it = std::ranges::find(groups.names, name.toStdString());
            if (it == groups.names.end()) {
                err << "tracemap topology: --expand: no group named '" << name << "' (" << groups.basis << ")\n";
                return 1;
            }
            lens.expanded[static_cast<size_t>(it - groups.names.begin())] = true;
        }
    }
    const size_t allServices = topology.nodes.size();
    ShownTopology shown = TopologyLens::apply(topology, lens);
    if (shown.topology.nodes.empty()) {
        err << "tracemap topology: nothing left to draw (" << shown.describeHidden() << ")\n";
        return 1;
    }
    topology = std::move(shown.topology);

    LayoutOptions layoutOptions;
    layoutOptions.engine = *chosenEngine;
    layoutOptions.edgeLabels = !parser.isSet(noLabels);
    const auto geometry = GraphvizLayout::layout(topology, layoutOptions);
    if (!geometry) {
        err << "tracemap topology: layout failed: " << geometry.error() << "\n";
        return 1;
    }
    TopologyExporter::Options exportOptions;
    exportOptions.scale = pixelsPerPoint;
    exportOptions.edgeLabels = layoutOptions.edgeLabels;
    exportOptions.maxLabels = static_cast<size_t>(labelLimit);
    exportOptions.colorBy = *fill;
    exportOptions.sizeBy = size;
    exportOptions.legend = !parser.isSet(noLegend);
    const auto written = TopologyExporter::write(parser.value(output), topology, *geometry, exportOptions);
    if (!written) {
        err << "tracemap topology: " << written.error() << "\n";
        return 1;
    }
    const size_t groupNodes = std::ranges::count_if(shown.group, [](int g) { return g >= 0; });
    out << parser.value(output) << ": " << topology.nodes.size() - groupNodes << " services";
    if (groupNodes > 0)
        out << " and " << groupNodes << " groups (of " << allServices - topology.nodes.size() + groupNodes
            << " services; " << groups.basis << ")";
    out << ", " << topology.edges.size() << " dependencies";
    if (!shown.describeHidden().isEmpty())
        out << "; " << shown.describeHidden();
    out << " (layout: " << geometry->engine << ")\n";
    return 0;
}

} // namespace tracemap
