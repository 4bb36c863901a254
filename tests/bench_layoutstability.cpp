// Layout stability benchmark (not a test: it prints figures, it asserts nothing). Issue 12 wants a live map whose
// services stay where they were when one service is added. For each graph (the dependency-link fixtures, the
// service graph of each trace fixture with at least three services, and seeded generated graphs of 10–200
// services) and each way of adding a service (a new leaf, a new service in the middle of a call, a new root; see
// topologyedit.h), it lays out G, then G plus the service three ways, and measures how far the services of G moved,
// as a fraction of G's layout diagonal:
//   fresh    today's relayout: a new Graphviz layout of the grown graph (the baseline);
//   aligned  option (a): the fresh layout translated, and mirrored top to bottom when that is closer, to minimise
//            the shared services' displacement;
//   stable   GraphvizLayout::layoutStable: the services kept, the new one placed beside its neighbours, edges routed;
//   stable+  the same when every service's figures changed too (rates and error % drawn at random, as live data
//            changes them), so boxes change width and kept services may have to move apart.
// It prints the mean and the worst over the cases, overlapping boxes in the stable layouts, and the layout time
// of stable ÷ fresh. `--images DIR` writes before/after PNGs of a few cases to look at.
#include "importsupport.h"
#include "topologyedit.h"

#include "analysis/topologybuilder.h"
#include "formats/dependencylinksreader.h"
#include "graphvizlayout.h"
#include "layoutdisplacement.h"
#include "topologyexporter.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QGuiApplication>

#include <cmath>
#include <cstdio>

using namespace tracemap;
using testsupport::Growth;

namespace {

struct Family {
    const char* name;
    std::vector<std::pair<QString, Topology>> graphs;
};

struct Tally {
    size_t cases = 0;
    double sum[4] = {};
    double worstMean[4] = {};
    double worstNode[4] = {};
    size_t fallbacks = 0;
    size_t overlapping = 0;
    double freshSeconds = 0;
    double stableSeconds = 0; // stable+ is not timed: its edges are rerouted more often than live updates need

    void add(const Tally& other)
    {
        cases += other.cases;
        fallbacks += other.fallbacks;
        overlapping += other.overlapping;
        freshSeconds += other.freshSeconds;
        stableSeconds += other.stableSeconds;
        for (int k = 0; k < 4; ++k) {
            sum[k] += other.sum[k];
            worstMean[k] = std::max(worstMean[k], other.worstMean[k]);
            worstNode[k] = std::max(worstNode[k], other.worstNode[k]);
        }
    }

    void print(const char* what) const
    {
        static const char* const columns[4] = { "fresh (baseline)", "aligned (a)", "stable", "stable+ (figures)" };
        std::printf("%s: %zu cases\n", what, cases);
        for (int k = 0; k < 4; ++k)
            std::printf("  %-18s mean %5.2f %%   worst case mean %5.2f %%   worst single service %5.2f %%\n",
                columns[k], cases ? 100 * sum[k] / static_cast<double>(cases) : 0.0, 100 * worstMean[k],
                100 * worstNode[k]);
        std::printf("  stable, stable+: %zu fell back to a fresh layout, %zu overlapping boxes; layout time stable ÷ "
                    "fresh %.2f (%.3f s ÷ %.3f s)\n\n",
            fallbacks, overlapping, stableSeconds / freshSeconds, stableSeconds, freshSeconds);
    }
};

// The live case: every service's figures changed since the last layout, so its label, and box, may be wider.
Topology withNewFigures(Topology topology, std::mt19937& random)
{
    std::uniform_real_distribution<double> exponent(-2, 3);
    std::uniform_real_distribution<double> percent(0, 100);
    for (Topology::Node& node : topology.nodes) {
        if (node.spans == 0)
            continue;
        node.ratePerSecond = std::pow(10.0, exponent(random));
        node.errorPercent = percent(random) < 70 ? 0 : percent(random) / 3;
    }
    return topology;
}

// Displacement after the best translation (the mean offset), mirrored top to bottom if that is closer.
LayoutDisplacement aligned(const Topology& before, const TopologyGeometry& beforeGeometry, const Topology& after,
    const TopologyGeometry& afterGeometry)
{
    LayoutDisplacement best;
    for (bool mirror : { false, true }) {
        TopologyGeometry moved = afterGeometry;
        if (mirror) {
            for (auto& node : moved.nodes)
                node.box.moveCenter(QPointF(node.box.center().x(), -node.box.center().y()));
        }
        QPointF offset;
        size_t shared = 0;
        for (const auto& node : moved.nodes) {
            const int old = before.nodeIndex(after.nodes[node.node].name);
            if (old >= 0) {
                offset += beforeGeometry.nodes[static_cast<size_t>(old)].box.center() - node.box.center();
                ++shared;
            }
        }
        if (shared > 0)
            offset /= static_cast<double>(shared);
        for (auto& node : moved.nodes)
            node.box.translate(offset);
        const LayoutDisplacement d = LayoutDisplacement::measure(before, beforeGeometry, after, moved);
        if (!mirror || d.mean < best.mean)
            best = d;
    }
    return best;
}

size_t overlaps(const TopologyGeometry& geometry)
{
    size_t count = 0;
    for (size_t i = 0; i < geometry.nodes.size(); ++i) {
        const QRectF inner = geometry.nodes[i].box.adjusted(0.5, 0.5, -0.5, -0.5);
        for (size_t j = i + 1; j < geometry.nodes.size(); ++j)
            count += inner.intersects(geometry.nodes[j].box.adjusted(0.5, 0.5, -0.5, -0.5)) ? 1 : 0;
    }
    return count;
}

std::expected<TopologyGeometry, QString> timed(double& seconds, auto&& layout)
{
    QElapsedTimer timer;
    timer.start();
    auto result = layout();
    seconds += timer.nsecsElapsed() / 1e9;
    return result;
}

Topology traceGraph(const QString& path)
{
    auto traces = testsupport::importAll(path);
    if (!traces)
        return {};
    TopologyBuilder builder;
    for (const Trace& trace : *traces)
        builder.add(trace);
    return builder.build();
}

void exportPair(const QString& dir, const QString& stem, const Topology& before, const TopologyGeometry& g0,
    const Topology& after, const TopologyGeometry& fresh, const TopologyGeometry& stable)
{
    const TopologyExporter::Options options { 1.5, false };
    (void)TopologyExporter::write(dir + QLatin1Char('/') + stem + QStringLiteral("-0-before.png"), before, g0, options);
    (void)TopologyExporter::write(
        dir + QLatin1Char('/') + stem + QStringLiteral("-1-fresh.png"), after, fresh, options);
    (void)TopologyExporter::write(
        dir + QLatin1Char('/') + stem + QStringLiteral("-2-stable.png"), after, stable, options);
}

} // namespace

int main(int argc, char** argv)
{
    QGuiApplication app(argc, argv); // the PNG export draws text
    QString imagesDir;
    const QStringList args = app.arguments();
    if (const qsizetype at = args.indexOf(QStringLiteral("--images")); at >= 0 && at + 1 < args.size())
        imagesDir = args[at + 1];

    if (!QFileInfo(testsupport::fixturesDir()).isDir())
        std::fprintf(stderr, "trace fixtures not found at %s (set TRACEMAP_FIXTURES): generated graphs only\n",
            qPrintable(testsupport::fixturesDir()));
    std::vector<Family> families(3);
    families[0].name = "dependency-link fixtures";
    for (const char* file : { "jaeger-ui-small-dag.json", "jaeger-ui-large-dag.json" }) {
        auto read = DependencyLinksReader::readFile(
            testsupport::fixture(QStringLiteral("dependencies/") + QString::fromLatin1(file)));
        if (read)
            families[0].graphs.emplace_back(QString::fromLatin1(file), std::move(*read));
    }
    families[1].name = "trace fixtures (>= 3 services)";
    QDirIterator it(testsupport::fixturesDir(), QDir::Files, QDirIterator::Subdirectories);
    std::vector<QString> files;
    while (it.hasNext()) {
        const QString path = it.next();
        if (!path.contains(QStringLiteral("/dependencies/")) && !path.endsWith(QStringLiteral(".md")))
            files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    for (const QString& path : files) {
        Topology graph = traceGraph(path);
        if (graph.nodes.size() >= 3)
            families[1].graphs.emplace_back(QFileInfo(path).fileName(), std::move(graph));
    }
    families[2].name = "generated, 10-200 services";
    for (size_t services : { 10, 25, 50, 100, 150, 200 }) {
        for (unsigned seed : { 1u, 2u })
            families[2].graphs.emplace_back(QStringLiteral("generated-%1-seed%2").arg(services).arg(seed),
                testsupport::generatedGraph(services, seed));
    }

    std::printf("Layout stability: mean displacement of the services already drawn when one is added, %% of the "
                "first layout's diagonal (Graphviz %s)\n\n",
        qPrintable(GraphvizLayout::graphvizVersion()));
    Tally total;
    for (const Family& family : families) {
        Tally tally;
        for (const auto& [name, graph] : family.graphs) {
            std::mt19937 random(12);
            const LayoutOptions options;
            const auto before = GraphvizLayout::layout(graph, options);
            if (!before) {
                std::printf("  %s: %s\n", qPrintable(name), qPrintable(before.error()));
                continue;
            }
            for (Growth growth : { Growth::Leaf, Growth::Middle, Growth::Root }) {
                const Topology after = testsupport::grown(graph, growth, random);
                const auto fresh = timed(tally.freshSeconds, [&] { return GraphvizLayout::layout(after, options); });
                const auto stable = timed(
                    tally.stableSeconds, [&] { return GraphvizLayout::layoutStable(after, options, graph, *before); });
                if (!fresh || !stable) {
                    std::printf("  %s: %s\n", qPrintable(name), qPrintable(!fresh ? fresh.error() : stable.error()));
                    continue;
                }
                const Topology changed = withNewFigures(after, random);
                const auto stablePlus = GraphvizLayout::layoutStable(changed, options, graph, *before);
                if (!stablePlus) {
                    std::printf("  %s: %s\n", qPrintable(name), qPrintable(stablePlus.error()));
                    continue;
                }
                const LayoutDisplacement d[4] = { LayoutDisplacement::measure(graph, *before, after, *fresh),
                    aligned(graph, *before, after, *fresh), LayoutDisplacement::measure(graph, *before, after, *stable),
                    LayoutDisplacement::measure(graph, *before, changed, *stablePlus) };
                for (int k = 0; k < 4; ++k) {
                    tally.sum[k] += d[k].mean;
                    tally.worstMean[k] = std::max(tally.worstMean[k], d[k].mean);
                    tally.worstNode[k] = std::max(tally.worstNode[k], d[k].worst);
                }
                ++tally.cases;
                tally.fallbacks += (stable->incremental ? 0 : 1) + (stablePlus->incremental ? 0 : 1);
                tally.overlapping += overlaps(*stable) + overlaps(*stablePlus);
                std::printf("  %-44s %-6s %4zu nodes  fresh %5.1f %%  aligned %5.1f %%  stable %5.1f %%  stable+ %5.1f "
                            "%%%s\n",
                    qPrintable(name), testsupport::growthName(growth), after.nodes.size(), 100 * d[0].mean,
                    100 * d[1].mean, 100 * d[2].mean, 100 * d[3].mean,
                    stable->incremental && stablePlus->incremental ? "" : "  (fresh: fallback)");
                if (!imagesDir.isEmpty() && graph.nodes.size() <= 60)
                    exportPair(imagesDir, QStringLiteral("%1-%2").arg(name, QLatin1String(growthName(growth))), graph,
                        *before, after, *fresh, *stable);
            }
        }
        tally.print(family.name);
        total.add(tally);
    }
    total.print("All cases");
    return 0;
}
