// Issue 12: a live map stays calm. When services are added, GraphvizLayout::layoutStable keeps the services already
// drawn where they were (under 5 % of the diagonal on average, the aim; in fact they do not move), adds the
// new one without overlapping boxes and with edges from box to box, and removing and adding a service again gives
// the same map. The map widget lays new data out that way and afresh on Re-layout (F5).
#include "importsupport.h"
#include "topologyedit.h"

#include "analysis/topologybuilder.h"
#include "analysis/topologylens.h"
#include "dotwriter.h"
#include "formats/dependencylinksreader.h"
#include "graphvizlayout.h"
#include "incrementalplacement.h"
#include "layoutdisplacement.h"
#include "topologyexporter.h"
#include "topologyview.h"

#include <QComboBox>
#include <QSignalSpy>

#include <cmath>

using namespace tracemap;
using testsupport::Growth;

Q_DECLARE_METATYPE(tracemap::Topology)
Q_DECLARE_METATYPE(testsupport::Growth)

namespace {

constexpr double kAim = 0.05; // issue 12: mean displacement under 5 % of the map's diagonal

Topology traceGraph(const char* relative)
{
    auto traces = testsupport::importAll(testsupport::fixture(QString::fromLatin1(relative)));
    if (!traces)
        qFatal("cannot import %s", relative);
    TopologyBuilder builder;
    for (const Trace& trace : *traces)
        builder.add(trace);
    return builder.build();
}

Topology linksGraph(const char* relative)
{
    auto read = DependencyLinksReader::readFile(testsupport::fixture(QString::fromLatin1(relative)));
    if (!read)
        qFatal("cannot read %s", relative);
    return std::move(*read);
}

double distanceToBox(const QRectF& box, QPointF p)
{
    const double dx = std::max({ box.left() - p.x(), 0.0, p.x() - box.right() });
    const double dy = std::max({ box.top() - p.y(), 0.0, p.y() - box.bottom() });
    return std::hypot(dx, dy);
}

// Overlapping boxes, or an edge that does not run from its source's box to its target's box; empty if none.
QString readabilityProblem(const Topology& topology, const TopologyGeometry& geometry)
{
    if (geometry.nodes.size() != topology.nodes.size() || geometry.edges.size() != topology.edges.size())
        return QStringLiteral("counts differ");
    for (size_t i = 0; i < geometry.nodes.size(); ++i) {
        const QRectF inner = geometry.nodes[i].box.adjusted(0.5, 0.5, -0.5, -0.5);
        if (!geometry.bounds.adjusted(-0.01, -0.01, 0.01, 0.01).contains(geometry.nodes[i].box))
            return QStringLiteral("%1 is outside the bounds").arg(QString::fromStdString(topology.nodes[i].name));
        for (size_t j = i + 1; j < geometry.nodes.size(); ++j) {
            if (inner.intersects(geometry.nodes[j].box.adjusted(0.5, 0.5, -0.5, -0.5)))
                return QStringLiteral("%1 and %2 overlap")
                    .arg(
                        QString::fromStdString(topology.nodes[i].name), QString::fromStdString(topology.nodes[j].name));
        }
    }
    for (size_t k = 0; k < geometry.edges.size(); ++k) {
        const auto& edge = geometry.edges[k];
        const auto& e = topology.edges[k];
        if (edge.edge != k || edge.path.size() < 4 || (edge.path.size() - 1) % 3 != 0)
            return QStringLiteral("edge %1 has %2 path points").arg(k).arg(edge.path.size());
        if (distanceToBox(geometry.nodes[e.from].box, edge.path.front()) > 3
            || distanceToBox(geometry.nodes[e.to].box, edge.hasArrow ? edge.arrowTip : edge.path.back()) > 3)
            return QStringLiteral("edge %1 → %2 does not join its boxes")
                .arg(QString::fromStdString(topology.nodes[e.from].name),
                    QString::fromStdString(topology.nodes[e.to].name));
    }
    return {};
}

// QVERIFY2 evaluates its message even when the check holds.
QString errorOf(const std::expected<TopologyGeometry, QString>& result)
{
    return result ? QString() : result.error();
}

// The largest distance between a node's centres in two layouts of the same topology.
double largestMove(const TopologyGeometry& a, const TopologyGeometry& b)
{
    double largest = 0;
    for (size_t i = 0; i < a.nodes.size() && i < b.nodes.size(); ++i) {
        const QPointF d = a.nodes[i].box.center() - b.nodes[i].box.center();
        largest = std::max(largest, std::hypot(d.x(), d.y()));
    }
    return largest;
}

} // namespace

class TestLayoutStability : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { requireFixtures(); }

    void addingOneServiceKeepsTheMap_data()
    {
        QTest::addColumn<Topology>("graph");
        QTest::addColumn<Growth>("growth");
        if (!QFileInfo(fixturesDir()).isDir())
            return;
        const std::pair<const char*, Topology> graphs[] = {
            { "small-dag", linksGraph("dependencies/jaeger-ui-small-dag.json") },
            { "hotrod", traceGraph("otlp-json/jaeger-apiv3-hotrod-gettrace.json") },
            { "front-proxy", traceGraph("zipkin-v1/opencensus-front-proxy-single-batch.json") },
            { "generated-50", testsupport::generatedGraph(50, 2) },
        };
        for (const auto& [name, graph] : graphs) {
            for (Growth growth : { Growth::Leaf, Growth::Middle, Growth::Root })
                QTest::addRow("%s %s", name, testsupport::growthName(growth)) << graph << growth;
        }
    }

    void addingOneServiceKeepsTheMap()
    {
        QFETCH(Topology, graph);
        QFETCH(Growth, growth);
        std::mt19937 random(12);
        const Topology grown = testsupport::grown(graph, growth, random);
        QCOMPARE(grown.nodes.size(), graph.nodes.size() + 1);
        const LayoutOptions options;
        const auto before = GraphvizLayout::layout(graph, options);
        QVERIFY2(before, qPrintable(errorOf(before)));
        const auto after = GraphvizLayout::layoutStable(grown, options, graph, *before);
        QVERIFY2(after, qPrintable(errorOf(after)));

        const LayoutDisplacement moved = LayoutDisplacement::measure(graph, *before, grown, *after);
        QCOMPARE(moved.shared, graph.nodes.size());
        QVERIFY2(moved.mean < kAim,
            qPrintable(QStringLiteral("the services drawn moved %1 % of the diagonal on average (worst %2 %)")
                           .arg(100 * moved.mean, 0, 'f', 1)
                           .arg(100 * moved.worst, 0, 'f', 1)));
        const QString problem = readabilityProblem(grown, *after);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(after->engine, before->engine);

        // Taking the service away again leaves the others where they are; adding it again gives the same map.
        const Topology shrunk = testsupport::withoutService(grown, "new-service");
        const auto removed = GraphvizLayout::layoutStable(shrunk, options, grown, *after);
        QVERIFY2(removed, qPrintable(errorOf(removed)));
        QVERIFY(LayoutDisplacement::measure(grown, *after, shrunk, *removed).mean < kAim);
        QVERIFY(readabilityProblem(shrunk, *removed).isEmpty());
        const auto again = GraphvizLayout::layoutStable(grown, options, shrunk, *removed);
        QVERIFY2(again, qPrintable(errorOf(again)));
        QVERIFY2(largestMove(*after, *again) < 1,
            qPrintable(QStringLiteral("a service is %1 pt from where it was").arg(largestMove(*after, *again))));
    }

    // A relayout with nothing in common, or another engine, is a fresh layout: there is nothing to keep.
    void unrelatedMapsAreLaidOutAfresh()
    {
        const Topology first = testsupport::generatedGraph(10, 1);
        Topology other;
        for (const char* name : { "alpha", "beta", "gamma" })
            other.nodes.push_back(testsupport::figuredService(name));
        other.edges = { { 0, 1, 5 }, { 1, 2, 5 } };
        const auto before = GraphvizLayout::layout(first, {});
        QVERIFY(before);
        const auto unrelated = GraphvizLayout::layoutStable(other, {}, first, *before);
        QVERIFY(unrelated && !unrelated->incremental);
        const auto sfdp = GraphvizLayout::layoutStable(first, { LayoutOptions::Engine::Sfdp, false }, first, *before);
        QVERIFY(sfdp && !sfdp->incremental);
        QCOMPARE(sfdp->engine, QStringLiteral("sfdp"));
        const auto same = GraphvizLayout::layoutStable(first, {}, first, *before);
        QVERIFY(same && same->incremental);
        QCOMPARE(largestMove(*before, *same), 0.0);
    }

    // A group opened in place: its services have an origin (the group's node), go round its place, and the rest
    // of the map stays, however many services that adds (GraphvizLayout::Origins).
    void openedGroupGoesWhereTheGroupWas()
    {
        Topology grouped;
        for (const char* name : { "a", "b", "group (5)", "z" })
            grouped.nodes.push_back(testsupport::figuredService(name));
        grouped.edges = { { 0, 1, 3 }, { 1, 2, 3 }, { 2, 3, 3 } };
        // neato, as the window lays out a map of groups; with dot a new service goes into the column after its
        // caller instead, so a chain of members reads left to right.
        const LayoutOptions neato { LayoutOptions::Engine::Neato, false };
        const auto before = GraphvizLayout::layout(grouped, neato);
        QVERIFY(before);
        Topology opened;
        for (const char* name : { "a", "b", "g1", "g2", "g3", "g4", "g5", "z" })
            opened.nodes.push_back(testsupport::figuredService(name));
        opened.edges = { { 0, 1, 3 }, { 1, 2, 3 }, { 2, 3, 1 }, { 3, 4, 1 }, { 4, 5, 1 }, { 5, 6, 1 }, { 6, 7, 3 } };
        GraphvizLayout::Origins origins;
        for (const char* member : { "g1", "g2", "g3", "g4", "g5" })
            origins[member] = { "group (5)" };
        // Without origins five new services against three kept is no small change: a fresh layout.
        const auto fresh = GraphvizLayout::layoutStable(opened, neato, grouped, *before);
        QVERIFY(fresh && !fresh->incremental);
        const auto inPlace = GraphvizLayout::layoutStable(opened, neato, grouped, *before, &origins);
        QVERIFY(inPlace && inPlace->incremental);
        const LayoutDisplacement moved = LayoutDisplacement::measure(grouped, *before, opened, *inPlace);
        QCOMPARE(moved.shared, size_t(3));
        QCOMPARE(moved.worst, 0.0);
        // Each member round the group's old place: within the first rings of free places around it.
        const QPointF group = before->nodes[2].box.center();
        for (size_t i = 2; i <= 6; ++i) {
            const QPointF at = inPlace->nodes[i].box.center();
            QVERIFY2(std::hypot(at.x() - group.x(), at.y() - group.y()) < 300,
                qPrintable(QStringLiteral("g%1 at %2,%3").arg(i - 1).arg(at.x()).arg(at.y())));
        }
    }

    // Kept boxes that grew into each other (new figures, a second label line) are moved apart, the lower one down;
    // a new service goes into the column after its caller.
    void placementSeparatesGrownBoxesAndFollowsTheCalls()
    {
        Topology t;
        for (const char* name : { "a", "b", "c", "d" })
            t.nodes.push_back(testsupport::figuredService(name));
        t.edges = { { 0, 1, 1 }, { 0, 2, 1 }, { 1, 3, 1 } };
        IncrementalPlacement::Input input;
        input.topology = &t;
        input.flow = true;
        input.previous = { QPointF(0, 0), QPointF(150, -20), QPointF(150, 20), std::nullopt };
        input.sizes.assign(4, QSizeF(100, 40));
        const auto centres = IncrementalPlacement::place(input);
        QVERIFY(centres);
        QCOMPARE((*centres)[0], QPointF(0, 0));
        QCOMPARE((*centres)[1], QPointF(150, -20)); // the upper one stays
        QCOMPARE((*centres)[2].x(), 150.0);
        QVERIFY((*centres)[2].y() >= -20 + 40 + 4); // the lower one moves down, clear of it
        QVERIFY((*centres)[3].x() > 150 + 100); // d, called by b, in a new column after b's
        QCOMPARE((*centres)[3].y(), -20.0); // level with its caller
    }

    // The map widget: new data keeps the services drawn and the user's zoom; Re-layout (F5) lays out afresh.
    void mapKeepsServicesUntilReLayout()
    {
        if (!QFileInfo(fixturesDir()).isDir())
            return;
        const Topology graph = traceGraph("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
        TopologyView map;
        map.resize(900, 600);
        map.show();
        map.setTopology(graph);
        QTRY_VERIFY(map.isLaidOut());
        const TopologyGeometry before = map.geometry();
        QVERIFY(!before.incremental);
        map.setFocus();
        QTest::keyClick(&map, Qt::Key_Plus); // the user zooms in
        QVERIFY(map.isUserPlaced());
        const double zoom = map.zoom();
        const QPointF place = map.toScene(QPointF(0, 0));

        std::mt19937 random(12);
        const Topology grown = testsupport::grown(graph, Growth::Middle, random);
        map.setTopology(grown);
        QTRY_VERIFY(map.isLaidOut());
        QVERIFY(map.geometry().incremental);
        QVERIFY(LayoutDisplacement::measure(graph, before, grown, map.geometry()).mean < kAim);
        QCOMPARE(map.zoom(), zoom);
        QCOMPARE(map.toScene(QPointF(0, 0)), place);

        QSignalSpy laidOut(&map, &TopologyView::laidOut);
        QTest::keyClick(&map, Qt::Key_F5);
        QTRY_COMPARE(laidOut.count(), 1);
        QVERIFY(!map.geometry().incremental);
        QVERIFY(!map.isUserPlaced()); // fitted again
    }

    // Size by a metric: each box's area grows with the figure, up to twice its label's width and height for the
    // highest. Every box changes at once, so the map is laid out afresh, but keeps its arrangement; the combo
    // undoes it.
    void sizeByMetricGrowsBoxesKeepingTheArrangement()
    {
        if (!QFileInfo(fixturesDir()).isDir())
            return;
        const Topology graph = traceGraph("jaeger/genai-agent-57-spans-10-services.json");
        TopologyLens::Options lens;
        lens.sizeBy = Topology::Metric::Rate;
        const Topology sized = TopologyLens::apply(graph, lens).topology;
        QCOMPARE(sized.nodes.size(), graph.nodes.size());
        double highest = 0;
        for (const auto& n : graph.nodes)
            highest = std::max(highest, n.ratePerSecond);
        QVERIFY(highest > 0);
        size_t grown = 0;
        for (size_t i = 0; i < sized.nodes.size(); ++i) {
            const double rate = graph.nodes[i].ratePerSecond;
            const double expected = rate > 0 ? 1 + std::sqrt(rate / highest) : 1;
            QVERIFY2(std::abs(sized.nodes[i].scale - expected) < 1e-9, sized.nodes[i].name.c_str());
            const QSizeF label = DotWriter::labelBoxSize(DotWriter::nodeLabel(sized.nodes[i]));
            if (sized.nodes[i].kind != Topology::NodeKind::Database)
                QCOMPARE(DotWriter::nodeSize(sized.nodes[i]), label * expected);
            grown += expected > 1.5 ? 1 : 0;
        }
        QVERIFY(grown >= 1);

        TopologyView map;
        map.resize(1000, 700);
        map.show();
        map.setTopology(graph);
        QTRY_VERIFY(map.isLaidOut());
        const Topology before = map.topology();
        const TopologyGeometry beforeGeometry = map.geometry();
        QSignalSpy laidOut(&map, &TopologyView::laidOut);
        auto* sizeBox = map.findChild<QComboBox*>(QStringLiteral("sizeBox"));
        QVERIFY(sizeBox);
        sizeBox->setCurrentIndex(sizeBox->findText(QStringLiteral("size: rate")));
        QCOMPARE(map.sizeBy(), std::optional(Topology::Metric::Rate));
        QTRY_COMPARE(laidOut.count(), 1);
        for (const auto& g : map.geometry().nodes) {
            const Topology::Node& node = map.topology().nodes[g.node];
            if (node.kind == Topology::NodeKind::Database)
                continue; // Graphviz draws a cylinder's outline a little narrower than its box
            QVERIFY2(std::abs(g.box.width() - DotWriter::nodeSize(node).width()) < 0.5, node.name.c_str());
        }
        // Laid out afresh (every box changed), but the arrangement is kept: a service left of another stays left
        // of it, and one above another in the same column stays above it.
        QCOMPARE(map.topology().nodes.size(), before.nodes.size());
        const auto boxes = [](const TopologyGeometry& g) {
            std::vector<QRectF> out(g.nodes.size());
            for (const auto& n : g.nodes)
                out[n.node] = n.box;
            return out;
        };
        const std::vector<QRectF> was = boxes(beforeGeometry), is = boxes(map.geometry());
        size_t pairs = 0;
        for (size_t a = 0; a < was.size(); ++a) {
            for (size_t b = 0; b < was.size(); ++b) {
                if (was[a].right() < was[b].left()) {
                    ++pairs;
                    QVERIFY2(is[a].center().x() < is[b].center().x(), before.nodes[a].name.c_str());
                } else if (was[a].left() <= was[b].right() && was[b].left() <= was[a].right()
                    && was[a].bottom() < was[b].top()) {
                    ++pairs;
                    QVERIFY2(is[a].center().y() < is[b].center().y(), before.nodes[a].name.c_str());
                }
            }
        }
        QVERIFY(pairs > was.size());
        // The legend says what the sizes mean.
        TopologyPainter::Options paint;
        const double plain = TopologyPainter::paintLegend(nullptr, QPointF(), map.topology(), paint).height();
        paint.sizeBy = Topology::Metric::Rate;
        QVERIFY(TopologyPainter::paintLegend(nullptr, QPointF(), map.topology(), paint).height() > plain);

        sizeBox->setCurrentIndex(0); // "size: label"
        QVERIFY(!map.sizeBy());
        QTRY_COMPARE(laidOut.count(), 2);
        for (const auto& node : map.topology().nodes)
            QCOMPARE(node.scale, 1.0);
    }
};

QTEST_MAIN(TestLayoutStability)
#include "tst_layoutstability.moc"
