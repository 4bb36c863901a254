#include "topologycommand.h"

#include "commandline.h"

#include "analysis/topologybuilder.h"
#include "cache/tracecache.h"
#include "formats/dependencylinksreader.h"
#include "formats/traceimporter.h"
#include "graphvizlayout.h"
#include "topologyexporter.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace tracemap {

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
                       "graphs, sfdp for large ones."),
        QStringLiteral("name"));
    const QCommandLineOption scale(QStringLiteral("scale"), QStringLiteral("PNG pixels per point (default 2)."),
        QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption noLabels(QStringLiteral("no-edge-labels"), QStringLiteral("Leave out calls and p95."));
    const QCommandLineOption output(QStringList { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The file to write (required)."), QStringLiteral("OUT"));
    parser.addOptions({ cacheOption, service, hops, engine, scale, noLabels, output });
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Trace or dependency-link files."), QStringLiteral("[FILE...]"));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
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
    if (parser.isSet(service)) {
        const int center = topology.nodeIndex(parser.value(service).toStdString());
        if (center < 0) {
            err << "tracemap topology: no service named '" << parser.value(service) << "'\n";
            return 1;
        }
        topology = topology.neighbourhood(static_cast<quint32>(center), hopCount);
    }

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
    const auto written = TopologyExporter::write(parser.value(output), topology, *geometry, exportOptions);
    if (!written) {
        err << "tracemap topology: " << written.error() << "\n";
        return 1;
    }
    out << parser.value(output) << ": " << topology.nodes.size() << " services, " << topology.edges.size()
        << " dependencies (layout: " << geometry->engine << ")\n";
    return 0;
}

} // namespace tracemap
