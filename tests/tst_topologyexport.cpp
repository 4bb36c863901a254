// Topology export: SVG, DOT and JSON stay valid and complete whatever the service names are, PNG and PDF are
// written, and the map widget's zoom keeps the point under the cursor.
#include "testsupport.h"

#include "analysis/topologygroups.h"
#include "analysis/topologylens.h"
#include "formats/dependencylinksreader.h"
#include "graphvizlayout.h"
#include "layoutdisplacement.h"
#include "topologydetails.h"
#include "topologyexporter.h"
#include "topologypainter.h"
#include "topologyview.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <graphviz/cgraph.h>

using namespace tracemap;

namespace {

const std::vector<std::string> kHostileNames { "plain", "quote\"d", "<script>&amp;", "new\nline", "back\\slash",
    "ünïcödé 服务", "" };

Topology hostileTopology()
{
    Topology t;
    for (const auto& name : kHostileNames) {
        Topology::Node n;
        n.name = name;
        n.spans = 10;
        t.nodes.push_back(n);
    }
    std::sort(t.nodes.begin(), t.nodes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (quint32 i = 0; i + 1 < t.nodes.size(); ++i) {
        Topology::Edge e;
        e.from = i;
        e.to = i + 1;
        e.calls = 3;
        t.edges.push_back(e);
    }
    return t;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestTopologyExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFormatIsWrittenAndValid()
    {
        const Topology topology = hostileTopology();
        LayoutOptions options;
        options.edgeLabels = true;
        const auto geometry = GraphvizLayout::layout(topology, options);
        QVERIFY2(geometry.has_value(), geometry ? "" : qPrintable(geometry.error()));
        QTemporaryDir dir;
        for (const char* suffix : { "svg", "png", "pdf", "dot", "json" }) {
            const QString path = dir.filePath(QStringLiteral("map.") + QLatin1String(suffix));
            const auto written = TopologyExporter::write(path, topology, *geometry, {});
            QVERIFY2(written.has_value(), written ? "" : qPrintable(written.error()));
            QVERIFY2(QFile(path).size() > 100, suffix);
        }

        // The SVG parses as XML and carries the names as text.
        QXmlStreamReader xml(readAll(dir.filePath(QStringLiteral("map.svg"))));
        QString text;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::Characters)
                text += xml.text();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(text.contains(QStringLiteral("<script>&amp;")));
        QVERIFY(text.contains(QStringLiteral("quote\"d")));
        // Text in another script may come in its own text run (font fallback), so look for each part.
        QVERIFY(text.contains(QStringLiteral("ünïcödé")));
        QVERIFY(text.contains(QStringLiteral("服务")));

        // The DOT parses with cgraph and has every node and edge.
        QByteArray dot = readAll(dir.filePath(QStringLiteral("map.dot")));
        Agraph_t* graph = agmemread(dot.constData());
        QVERIFY(graph);
        QCOMPARE(agnnodes(graph), static_cast<int>(topology.nodes.size()));
        QCOMPARE(agnedges(graph), static_cast<int>(topology.edges.size()));
        agclose(graph);

        // The JSON has every node with its figures and every edge by name, the hostile names intact.
        QJsonParseError error;
        const QJsonDocument json = QJsonDocument::fromJson(readAll(dir.filePath(QStringLiteral("map.json"))), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonArray nodes = json.object().value(QLatin1String("nodes")).toArray();
        QCOMPARE(nodes.size(), qsizetype(topology.nodes.size()));
        for (qsizetype i = 0; i < nodes.size(); ++i) {
            const QJsonObject node = nodes[i].toObject();
            QCOMPARE(
                node.value(QLatin1String("name")).toString(), QString::fromStdString(topology.nodes[size_t(i)].name));
            QCOMPARE(node.value(QLatin1String("spans")).toInteger(), topology.nodes[size_t(i)].spans);
        }
        const QJsonArray edges = json.object().value(QLatin1String("edges")).toArray();
        QCOMPARE(edges.size(), qsizetype(topology.edges.size()));
        for (qsizetype k = 0; k < edges.size(); ++k) {
            const QJsonObject edge = edges[k].toObject();
            const Topology::Edge& e = topology.edges[size_t(k)];
            QCOMPARE(edge.value(QLatin1String("from")).toString(), QString::fromStdString(topology.nodes[e.from].name));
            QCOMPARE(edge.value(QLatin1String("to")).toString(), QString::fromStdString(topology.nodes[e.to].name));
            QCOMPARE(edge.value(QLatin1String("calls")).toInteger(), e.calls);
        }

        QVERIFY(readAll(dir.filePath(QStringLiteral("map.png"))).startsWith("\x89PNG"));
        QVERIFY(readAll(dir.filePath(QStringLiteral("map.pdf"))).startsWith("%PDF"));
        QVERIFY(!TopologyExporter::formatFor(QStringLiteral("map.bmp")).has_value());
    }

    // The 1,238-service graph, first as its groups (what the map opens with) and then whole: the picture labels
    // about 60 elements at most, and no label overlaps another or a node's outline.
    void largeMapLabelsNeverOverlap_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::newRow("groups") << true;
        QTest::newRow("every service") << false;
    }
    void largeMapLabelsNeverOverlap()
    {
        QFETCH(bool, grouped);
        if (!testsupport::requireFixtures())
            return;
        const auto full = DependencyLinksReader::readFile(
            testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json")));
        QVERIFY(full.has_value());
        const TopologyGroups groups = TopologyGrouper::automatic(*full);
        TopologyLens::Options lens;
        if (grouped) {
            lens.groups = &groups;
            lens.expanded.assign(groups.names.size(), false);
        }
        const Topology shown = TopologyLens::apply(*full, lens).topology;
        QCOMPARE(shown.nodes.size(), grouped ? groups.names.size() : size_t(1238));
        LayoutOptions layout;
        layout.edgeLabels = true;
        const auto geometry = GraphvizLayout::layout(shown, layout);
        QVERIFY2(geometry.has_value(), geometry ? "" : qPrintable(geometry.error()));

        TopologyPainter::Options options; // as the PNG export paints: scale 2, at most 60 labels
        options.edgeLabels = true;
        options.scale = 2;
        options.maxLabels = TopologyExporter::Options().maxLabels;
        const TopologyPainter::LabelPlan plan = TopologyPainter::planLabels(shown, *geometry, options);
        const auto labelledNodes = std::ranges::count(plan.node, true);
        const auto labelledEdges = std::ranges::count(plan.edge, true);
        QCOMPARE(size_t(labelledNodes + labelledEdges), plan.rects.size());
        QVERIFY2(plan.rects.size() <= 60 && plan.rects.size() >= (grouped ? shown.nodes.size() : 30),
            qPrintable(QString::number(plan.rects.size())));
        if (grouped)
            QCOMPARE(size_t(labelledNodes), shown.nodes.size()); // every group is named
        for (size_t i = 0; i < plan.rects.size(); ++i) {
            for (size_t j = i + 1; j < plan.rects.size(); ++j)
                QVERIFY2(!plan.rects[i].intersects(plan.rects[j]),
                    qPrintable(QStringLiteral("labels %1 and %2").arg(i).arg(j)));
        }
        // Edge labels keep off every box, labelled or not (a group's box has its second card behind it).
        for (size_t e = 0; e < plan.edge.size(); ++e) {
            if (!plan.edge[e])
                continue;
            const auto& g = geometry->edges[e];
            const QRectF rect = TopologyPainter::edgeLabelRect(
                shown.edges[g.edge], g.labelPosition.isNull() ? (g.path.front() + g.path.back()) / 2 : g.labelPosition);
            for (const auto& node : geometry->nodes)
                QVERIFY(!rect.intersects(node.box.adjusted(0, 0, 3, 3)));
        }

        // The SVG carries the names of the labelled nodes and no other.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("large.svg"));
        QVERIFY(TopologyExporter::write(path, shown, *geometry, {}).has_value());
        QXmlStreamReader xml(readAll(path));
        QSet<QString> texts;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::Characters)
                texts.insert(xml.text().toString().trimmed());
        }
        qsizetype namesInSvg = 0;
        for (const auto& node : shown.nodes)
            namesInSvg += texts.contains(QString::fromStdString(node.name));
        QCOMPARE(namesInSvg, qsizetype(labelledNodes));
    }

    // Fills by error rate, p95 or rate, and a legend saying which: in the export above the map.
    void colourByMetricWithALegend()
    {
        Topology t = hostileTopology();
        const qint64 p95s[] = { 1'000'000, 3'000'000, 10'000'000, 30'000'000, 100'000'000, 0, 100'000'000 };
        for (size_t i = 0; i < t.nodes.size(); ++i) {
            t.nodes[i].p95Ns = p95s[i];
            t.nodes[i].ratePerSecond = double(i + 1);
            t.nodes[i].errorPercent = i == 0 ? 7.0 : 0.0;
        }
        const TopologyPainter::NodeColors byP95(t, TopologyPainter::ColorBy::P95, false);
        const auto legend = byP95.legend();
        QCOMPARE(legend.size(), size_t(5));
        QVERIFY2(legend.front().second.startsWith(QLatin1String("p95 1"))
                && legend.back().second.endsWith(QLatin1String("100 ms")),
            qPrintable(legend.front().second + QLatin1String(" … ") + legend.back().second));
        QCOMPARE(byP95.fill(t.nodes[0]), legend.front().first); // the fastest
        QCOMPARE(byP95.fill(t.nodes[4]), legend.back().first); // the slowest
        QCOMPARE(byP95.fill(t.nodes[5]), legend.front().first); // no p95: the lowest step
        QVERIFY(byP95.fill(t.nodes[2]) != byP95.fill(t.nodes[0]) && byP95.fill(t.nodes[2]) != byP95.fill(t.nodes[4]));
        const TopologyPainter::NodeColors byErrors(t, TopologyPainter::ColorBy::Errors, false);
        QCOMPARE(byErrors.legend().size(), size_t(3));
        QCOMPARE(byErrors.fill(t.nodes[0]), TopologyPainter::healthColor(7.0, false));
        const TopologyPainter::NodeColors byRate(t, TopologyPainter::ColorBy::Rate, false);
        QVERIFY(byRate.legend().back().second.startsWith(QLatin1String("rate ")));

        // The export grows by the legend's height, and its text is in the SVG.
        LayoutOptions layout;
        const auto geometry = GraphvizLayout::layout(t, layout);
        QVERIFY(geometry.has_value());
        QTemporaryDir dir;
        TopologyExporter::Options options;
        options.colorBy = TopologyPainter::ColorBy::P95;
        const QString with = dir.filePath(QStringLiteral("with.png"));
        QVERIFY(TopologyExporter::write(with, t, *geometry, options).has_value());
        options.legend = false;
        const QString without = dir.filePath(QStringLiteral("without.png"));
        QVERIFY(TopologyExporter::write(without, t, *geometry, options).has_value());
        QVERIFY(QImage(with).height() > QImage(without).height() + 60);
        options.legend = true;
        const QString svg = dir.filePath(QStringLiteral("legend.svg"));
        QVERIFY(TopologyExporter::write(svg, t, *geometry, options).has_value());
        QVERIFY(readAll(svg).contains("100 ms"));
    }

    // The panel beside the map: a group and a call between groups have summed figures and no traces to list (no
    // query names a group of services); a service inside an open group lists its own.
    void panelOfAGroupListsNoTraces()
    {
        Topology full;
        for (const char* name : { "a-1", "a-2", "b" }) {
            Topology::Node n;
            n.name = name;
            n.spans = 10;
            full.nodes.push_back(n);
        }
        full.edges = { { 0, 1, 4 }, { 1, 2, 6 } };
        const TopologyGroups groups = TopologyGrouper::byNamePrefix(full);
        TopologyLens::Options lens;
        lens.groups = &groups;
        lens.expanded = { false };
        const Topology shown = TopologyLens::apply(full, lens).topology;
        QCOMPARE(shown.nodes[0].name, std::string("a (2)"));
        TopologyDetails details;
        details.showSelection(shown, 0, -1);
        QVERIFY(!details.selectionQuery().has_value());
        QVERIFY(details.figuresLabel()->text().contains(QLatin1String("a group of 2 services")));
        details.showSelection(shown, -1, 0); // a (2) → b
        QVERIFY(!details.selectionQuery().has_value());
        details.showSelection(shown, 1, -1); // b, a service
        QVERIFY(details.selectionQuery().has_value());
        QCOMPARE(details.selectionQuery()->service, QStringLiteral("b"));
    }

    void zoomKeepsThePointUnderTheCursor()
    {
        TopologyView view;
        view.resize(800, 600);
        QSignalSpy laidOut(&view, &TopologyView::laidOut);
        view.setTopology(hostileTopology());
        QVERIFY(laidOut.wait(10000));
        const QPointF cursor(613, 211);
        const QPointF before = view.toScene(cursor);
        view.setZoomAt(view.zoom() * 2.5, cursor);
        const QPointF after = view.toScene(cursor);
        QVERIFY(std::abs(before.x() - after.x()) < 1e-6 && std::abs(before.y() - after.y()) < 1e-6);
        // Hit testing: the centre of each node's box finds that node.
        for (const auto& n : view.geometry().nodes)
            QCOMPARE(view.nodeAt(view.toWidget(n.box.center())), static_cast<int>(n.node));
    }

    // The map of the 1,238-service graph opens as its groups; a double-click opens one in place; finding a
    // service inside a collapsed group opens it; filters and paths say what they hide; Show All comes back.
    void largeMapOpensAsGroups()
    {
        if (!testsupport::requireFixtures())
            return;
        const auto full = DependencyLinksReader::readFile(
            testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json")));
        QVERIFY(full.has_value());
        TopologyView view;
        view.resize(1000, 700);
        view.show();
        QSignalSpy laidOut(&view, &TopologyView::laidOut);
        view.setTopology(*full);
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut() && view.groups(), 20000);
        const TopologyGroups groups = *view.groups();
        QCOMPARE(view.topology().nodes.size(), groups.names.size());
        QVERIFY(view.topology().nodes.size() <= 41);
        QVERIFY2(view.summary().contains(QStringLiteral("groups of 1238 services (community detection")),
            qPrintable(view.summary()));

        // Double-click the smallest group (not the small separate graphs): its services take its place.
        const auto members = groups.members();
        size_t smallest = 0;
        for (size_t g = 1; g < members.size(); ++g) {
            if (groups.names[g] != TopologyGrouper::kSmallGraphsGroup && members[g].size() < members[smallest].size())
                smallest = g;
        }
        const int groupNode
            = view.topology().nodeIndex(TopologyLens::groupLabel(groups.names[smallest], members[smallest].size()));
        QVERIFY(groupNode >= 0);
        QPointF at;
        for (const auto& n : view.geometry().nodes) {
            if (int(n.node) == groupNode)
                at = view.toWidget(n.box.center());
        }
        const Topology before = view.topology();
        const TopologyGeometry beforeGeometry = view.geometry();
        QTest::mouseDClick(&view, Qt::LeftButton, {}, at.toPoint());
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut(), 20000);
        QVERIFY(view.isGroupExpanded(groups.names[smallest]));
        // Opened in place: the other groups stay where they were, the services go round the group's place.
        QVERIFY(view.geometry().incremental);
        const LayoutDisplacement moved
            = LayoutDisplacement::measure(before, beforeGeometry, view.topology(), view.geometry());
        qInfo("opening a group of %zu: the %zu groups kept moved %.2f %% of the map's diagonal on average (worst %.2f "
              "%%)",
            members[smallest].size(), moved.shared, 100 * moved.mean, 100 * moved.worst);
        QCOMPARE(moved.shared, groups.names.size() - 1);
        QVERIFY(moved.mean < 0.05);
        QCOMPARE(view.topology().nodes.size(), groups.names.size() - 1 + members[smallest].size());
        for (quint32 m : members[smallest])
            QVERIFY(view.topology().nodeIndex(full->nodes[m].name) >= 0);

        // Finding a service of another collapsed group opens that group and selects the service.
        const size_t other = smallest == 0 ? 1 : 0;
        const std::string wanted = full->nodes[members[other].back()].name;
        QVERIFY(view.selectService(QString::fromStdString(wanted)));
        QVERIFY(view.isGroupExpanded(groups.names[other]));
        QCOMPARE(view.topology().nodes[size_t(view.selectedNode())].name, wanted);
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut(), 20000);

        // The busiest 10 calls only: the rest is counted.
        TopologyFilters filters;
        filters.topK = 10;
        const Topology unfiltered = view.topology();
        const TopologyGeometry unfilteredGeometry = view.geometry();
        view.setFilters(filters);
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut(), 20000);
        QCOMPARE(view.topology().edges.size(), size_t(10));
        // What the filter keeps stays where it was.
        const LayoutDisplacement filtered
            = LayoutDisplacement::measure(unfiltered, unfilteredGeometry, view.topology(), view.geometry());
        qInfo("the top 10 calls: the %zu services and groups kept moved %.2f %% of the map's diagonal on average "
              "(worst %.2f %%)",
            filtered.shared, 100 * filtered.mean, 100 * filtered.worst);
        QVERIFY(filtered.shared > 0);
        QVERIFY(filtered.mean < 0.05);
        QVERIFY2(
            view.summary().contains(QStringLiteral("calls and")) && view.summary().contains(QStringLiteral("hidden")),
            qPrintable(view.summary()));
        view.setFilters({});

        // Paths between two services, whatever groups they are in; Show All returns to the groups.
        view.setGroupRule(QStringLiteral("off"));
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut(), 20000);
        QCOMPARE(view.topology().nodes.size(), size_t(1238));
        const Topology::Edge& call = full->edges.front();
        view.showPaths(
            QString::fromStdString(full->nodes[call.from].name), QString::fromStdString(full->nodes[call.to].name));
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut(), 20000);
        QCOMPARE(view.topology().nodes.size(), full->paths(call.from, call.to).nodes.size());
        QVERIFY(view.summary().startsWith(QStringLiteral("paths from ")));
        view.showAll();
        QTRY_VERIFY_WITH_TIMEOUT(view.isLaidOut(), 20000);
        QCOMPARE(view.topology().nodes.size(), size_t(1238));
    }
};

QTEST_MAIN(TestTopologyExport)
#include "tst_topologyexport.moc"
