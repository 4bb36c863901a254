// DOT generation and Graphviz layout of the topology map: DOT validity with hostile names, determinism, and the
// geometry contract (boxes do not overlap, edges run from their source's box to their target's box).
#include "testsupport.h"

#include "dotwriter.h"
#include "formats/dependencylinksreader.h"
#include "graphvizlayout.h"

#include <QTemporaryFile>

#include <graphviz/cgraph.h>

#include <cmath>
#include <thread>
#include <unistd.h>

using namespace tracemap;

namespace {

constexpr double kTolerance = 3; // points

Topology::Node service(const char* name, Topology::NodeKind kind = Topology::NodeKind::Service, bool inferred = false)
{
    Topology::Node node;
    node.name = name;
    node.kind = kind;
    node.inferred = inferred;
    node.spans = inferred ? 0 : 1; // a service that reported spans has a figures line under its name
    return node;
}

Topology::Edge call(quint32 from, quint32 to, qint64 calls)
{
    Topology::Edge edge;
    edge.from = from;
    edge.to = to;
    edge.calls = calls;
    edge.p95Ns = 1'500'000 * (to + 1);
    return edge;
}

// The services of Jaeger's HotROD demo, as TopologyBuilder would give them (nodes by name, edges by (from, to)).
Topology hotRod()
{
    Topology t;
    t.nodes = { service("customer"), service("driver"), service("frontend"),
        service("mysql", Topology::NodeKind::Database, true), service("redis", Topology::NodeKind::Database, true),
        service("route") };
    for (auto& node : t.nodes) {
        node.spans = 100;
        node.ratePerSecond = 1.5;
        node.errorPercent = node.name == "redis" ? 4.2 : 0;
    }
    t.edges = { call(0, 3, 10), call(1, 4, 140), call(2, 0, 10), call(2, 1, 10), call(2, 5, 100) };
    return t;
}

Topology fixtureTopology(const char* file)
{
    auto topology = DependencyLinksReader::readFile(
        testsupport::fixture(QStringLiteral("dependencies/") + QString::fromUtf8(file)));
    if (!topology)
        qFatal("cannot read %s: %s", file, qPrintable(topology.error().message));
    return std::move(*topology);
}

double distanceToBox(const QRectF& box, QPointF p)
{
    const double dx = std::max({ box.left() - p.x(), 0.0, p.x() - box.right() });
    const double dy = std::max({ box.top() - p.y(), 0.0, p.y() - box.bottom() });
    return std::hypot(dx, dy);
}

QString describe(QPointF p)
{
    return QStringLiteral("(%1, %2)").arg(p.x()).arg(p.y());
}

// Checks the geometry contract; returns the first violation, or an empty string.
QString geometryProblem(const Topology& topology, const TopologyGeometry& geometry)
{
    if (geometry.nodes.size() != topology.nodes.size() || geometry.edges.size() != topology.edges.size())
        return QStringLiteral("counts differ");
    for (size_t i = 0; i < geometry.nodes.size(); ++i) {
        const QRectF& box = geometry.nodes[i].box;
        if (geometry.nodes[i].node != i || box.isEmpty())
            return QStringLiteral("node %1: bad entry").arg(i);
        if (!geometry.bounds.adjusted(-0.01, -0.01, 0.01, 0.01).contains(box))
            return QStringLiteral("node %1 outside the bounds").arg(i);
        // Boxes may touch; shrinking them by half a point forgives rounding.
        const QRectF inner = box.adjusted(0.5, 0.5, -0.5, -0.5);
        for (size_t j = i + 1; j < geometry.nodes.size(); ++j) {
            if (inner.intersects(geometry.nodes[j].box.adjusted(0.5, 0.5, -0.5, -0.5)))
                return QStringLiteral("nodes %1 and %2 overlap").arg(i).arg(j);
        }
    }
    for (size_t k = 0; k < geometry.edges.size(); ++k) {
        const TopologyGeometry::Edge& edge = geometry.edges[k];
        if (edge.edge != k || edge.path.size() < 4 || (edge.path.size() - 1) % 3 != 0)
            return QStringLiteral("edge %1: %2 path points").arg(k).arg(edge.path.size());
        const QRectF& from = geometry.nodes[topology.edges[k].from].box;
        const QRectF& to = geometry.nodes[topology.edges[k].to].box;
        if (distanceToBox(from, edge.path.front()) > kTolerance)
            return QStringLiteral("edge %1 starts at %2, %3 pt from its source")
                .arg(k)
                .arg(describe(edge.path.front()))
                .arg(distanceToBox(from, edge.path.front()));
        const QPointF end = edge.hasArrow ? edge.arrowTip : edge.path.back();
        if (distanceToBox(to, end) > kTolerance)
            return QStringLiteral("edge %1 ends at %2, %3 pt from its target")
                .arg(k)
                .arg(describe(end))
                .arg(distanceToBox(to, end));
    }
    return {};
}

// Graphviz's reading of a label back to the text drawn: `\\` → `\`, `\n` → newline, `&amp;` → `&`.
std::string drawnText(std::string_view label)
{
    std::string out;
    for (size_t i = 0; i < label.size(); ++i) {
        if (label[i] == '\\' && i + 1 < label.size()) {
            ++i;
            out += label[i] == 'n' ? '\n' : label[i];
        } else if (label.substr(i, 5) == "&amp;") {
            out += '&';
            i += 4;
        } else {
            out += label[i];
        }
    }
    return out;
}

std::string nameFromLabel(const std::string& text)
{
    return text.substr(0, text.rfind('\n'));
}

} // namespace

class TestLayout : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hostileNamesParse_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addRow("quotes") << QByteArray(R"(say "hi" to "the" world)");
        QTest::addRow("backslashes") << QByteArray(R"(C:\Nodes\new\ and \N \G \E \L \\ end\)");
        QTest::addRow("quote after backslash") << QByteArray(R"(a\"b\)");
        QTest::addRow("markup") << QByteArray("<b>bold</b> <<html>> <TABLE>");
        QTest::addRow("ampersands") << QByteArray("R&D &amp; &lt;x&gt; &#38; &");
        QTest::addRow("newlines") << QByteArray("line one\nline two\n");
        QTest::addRow("tab") << QByteArray("tab\there");
        QTest::addRow("unicode") << QByteArray("ünïcødé 服务 🚀 \u00a0");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("dot syntax") << QByteArray("n1\" -> n2 [label=\"x\"]; } digraph { // /"
                                                  "* #");
    }

    void hostileNamesParse()
    {
        QFETCH(QByteArray, name);
        Topology t;
        t.nodes = { service(name.constData()), service("plain") };
        t.edges = { call(0, 1, 3), call(1, 0, 1) };
        for (auto engine : { LayoutOptions::Engine::Dot, LayoutOptions::Engine::Sfdp }) {
            const std::string dot = DotWriter::write(t, { engine, true });
            Agraph_t* graph = agmemread(dot.c_str());
            QVERIFY2(graph, dot.c_str());
            QCOMPARE(agnnodes(graph), 2);
            QCOMPARE(agnedges(graph), 2);
            Agnode_t* node = agnode(graph, const_cast<char*>("n0"), 0);
            QVERIFY(node);
            const std::string label = agget(node, const_cast<char*>("label"));
            agclose(graph);
            QCOMPARE(QByteArray::fromStdString(nameFromLabel(drawnText(label))), name);

            auto geometry = GraphvizLayout::layout(t, { engine, true });
            QVERIFY2(geometry, geometry ? "" : qPrintable(geometry.error()));
            const QString problem = geometryProblem(t, *geometry);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void invalidUtf8StaysValid()
    {
        Topology t;
        t.nodes = { service("bad \xff\xfe utf-8 \xc3"), service("nul\x01\x7f\rcontrol") };
        const std::string dot = DotWriter::write(t, {});
        QVERIFY(QString::fromUtf8(dot).toUtf8() == QByteArray::fromStdString(dot)); // valid UTF-8
        Agraph_t* graph = agmemread(dot.c_str());
        QVERIFY(graph);
        QCOMPARE(agnnodes(graph), 2);
        agclose(graph);
        QVERIFY(GraphvizLayout::layout(t, {}).has_value());
    }

    void deterministic()
    {
        if (!requireFixtures())
            return;
        const Topology large = fixtureTopology("jaeger-ui-large-dag.json");
        const Topology copy = large;
        const std::string first = DotWriter::write(large, { LayoutOptions::Engine::Automatic, true });
        QCOMPARE(DotWriter::write(copy, { LayoutOptions::Engine::Automatic, true }), first);
        QVERIFY(first.starts_with("digraph tracemap {\n    graph [layout=sfdp"));
        QCOMPARE(DotWriter::write(hotRod(), {}), DotWriter::write(hotRod(), {}));
        const std::string small = DotWriter::write(hotRod(), {});
        QVERIFY(small.find("layout=dot, rankdir=LR") != std::string::npos);
        QVERIFY(small.find("    n2 -> n0 [key=e2];\n") != std::string::npos);
    }

    void labelSize()
    {
        const QSizeF narrow = DotWriter::labelBoxSize("ab\ncd");
        QCOMPARE(narrow.width(), DotWriter::kMinWidth);
        QCOMPARE(narrow.height(), 2 * DotWriter::kLineHeight + 2 * DotWriter::kPaddingY);
        const QSizeF wide = DotWriter::labelBoxSize("a-rather-long-service-name\n1.00/s");
        QCOMPARE(wide.width(), 26 * DotWriter::kCharWidth + 2 * DotWriter::kPaddingX);
        QCOMPARE(
            DotWriter::labelBoxSize("服务服务服务服务").width(), DotWriter::labelBoxSize("abcdefghijklmnop").width());
        QCOMPARE(DotWriter::nodeLabel(hotRod().nodes[4]), std::string("redis\n1.50/s \u00b7 4.2% err"));
        Topology::Node sparse = hotRod().nodes[4];
        sparse.ratePerSecond = 1e-6; // 100 spans over three years
        QCOMPARE(DotWriter::nodeLabel(sparse), std::string("redis\n100 spans \u00b7 4.2% err"));
        Topology::Node bare = hotRod().nodes[4];
        bare.spans = 0; // only seen from its callers, or read from a dependency-link file
        QCOMPARE(DotWriter::nodeLabel(bare), std::string("redis"));
    }

    // Labels at their boundaries: one call or several, errors or none, a p95 under or at a second, a rate at one
    // span a minute.
    void labelBoundaries()
    {
        Topology::Edge edge;
        edge.calls = 1;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("1 call"));
        edge.calls = 2;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("2 calls"));
        edge.calls = 0;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("0 calls"));
        edge.calls = 3;
        edge.errors = 1;
        edge.errorPercent = 100.0 / 3;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("3 calls \u00b7 33.3% err"));
        edge.errors = 0;
        edge.errorPercent = 0;
        edge.p95Ns = 999'000'000;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("3 calls\np95 999 ms"));
        edge.p95Ns = 1'000'000'000;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("3 calls\np95 1.00 s"));
        edge.p95Ns = 12'340'000;
        QCOMPARE(DotWriter::edgeLabel(edge), std::string("3 calls\np95 12.3 ms"));

        Topology::Node node = hotRod().nodes[4];
        node.ratePerSecond = 1.0 / 60; // exactly one span a minute: still a rate
        QCOMPARE(DotWriter::nodeLabel(node), std::string("redis\n0.02/s \u00b7 4.2% err"));
    }

    void engineChoice()
    {
        LayoutOptions options;
        QCOMPARE(options.resolvedEngine(hotRod()), LayoutOptions::Engine::Dot);
        Topology big;
        big.nodes.resize(LayoutOptions::kDotMaxNodes + 1);
        QCOMPARE(options.resolvedEngine(big), LayoutOptions::Engine::Sfdp);
        options.engine = LayoutOptions::Engine::Neato;
        QCOMPARE(options.resolvedEngine(big), LayoutOptions::Engine::Neato);
        QCOMPARE(LayoutOptions::engineFromName(u"sfdp"), LayoutOptions::Engine::Sfdp);
        QCOMPARE(LayoutOptions::engineFromName(u"fdp"), std::nullopt);
    }

    void geometry_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<int>("engine");
        QTest::addColumn<bool>("edgeLabels");
        QTest::addColumn<QString>("expectedEngine");
        using E = LayoutOptions::Engine;
        QTest::addRow("hotrod auto") << QString() << int(E::Automatic) << false << QStringLiteral("dot");
        QTest::addRow("hotrod dot labels") << QString() << int(E::Dot) << true << QStringLiteral("dot");
        QTest::addRow("hotrod sfdp") << QString() << int(E::Sfdp) << false << QStringLiteral("sfdp");
        QTest::addRow("hotrod neato labels") << QString() << int(E::Neato) << true << QStringLiteral("neato");
        QTest::addRow("small dag auto") << QStringLiteral("jaeger-ui-small-dag.json") << int(E::Automatic) << true
                                        << QStringLiteral("dot");
        QTest::addRow("small dag sfdp") << QStringLiteral("jaeger-ui-small-dag.json") << int(E::Sfdp) << false
                                        << QStringLiteral("sfdp");
        QTest::addRow("large dag auto") << QStringLiteral("jaeger-ui-large-dag.json") << int(E::Automatic) << false
                                        << QStringLiteral("sfdp");
    }

    void geometry()
    {
        QFETCH(QString, fixture);
        QFETCH(int, engine);
        QFETCH(bool, edgeLabels);
        QFETCH(QString, expectedEngine);
        if (!fixture.isEmpty() && !requireFixtures())
            return;
        const Topology topology = fixture.isEmpty() ? hotRod() : fixtureTopology(qPrintable(fixture));
        auto geometry = GraphvizLayout::layout(topology, { LayoutOptions::Engine(engine), edgeLabels });
        QVERIFY2(geometry, geometry ? "" : qPrintable(geometry.error()));
        QCOMPARE(geometry->engine, expectedEngine);
        QCOMPARE(geometry->nodes.size(), topology.nodes.size());
        QCOMPARE(geometry->edges.size(), topology.edges.size());
        const QString problem = geometryProblem(topology, *geometry);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        if (fixture.endsWith(QStringLiteral("large-dag.json"))) {
            QCOMPARE(topology.nodes.size(), size_t(1238));
            QCOMPARE(topology.edges.size(), size_t(4271));
        }
        if (expectedEngine == QStringLiteral("dot")) {
            // Left to right: every caller sits left of its callees in the small DAGs (no cycles).
            for (const Topology::Edge& e : topology.edges)
                QVERIFY(geometry->nodes[e.from].box.center().x() < geometry->nodes[e.to].box.center().x());
        }
    }

    void parallelCalls()
    {
        const Topology t = hotRod();
        std::vector<std::expected<TopologyGeometry, QString>> results(4, std::unexpected(QString()));
        std::vector<std::thread> threads;
        for (size_t i = 0; i < results.size(); ++i)
            threads.emplace_back([&, i] { results[i] = GraphvizLayout::layout(t, {}); });
        for (auto& thread : threads)
            thread.join();
        for (const auto& result : results) {
            QVERIFY2(result, result ? "" : qPrintable(result.error()));
            QCOMPARE(result->nodes.size(), t.nodes.size());
            QCOMPARE(result->nodes[2].box, results[0]->nodes[2].box);
        }
    }

    void errorsAreReturnedNotPrinted()
    {
        QTemporaryFile capture;
        QVERIFY(capture.open());
        fflush(stderr);
        const int savedStderr = dup(STDERR_FILENO);
        dup2(capture.handle(), STDERR_FILENO);
        const Topology t = hotRod();
        const auto syntax = GraphvizLayout::layoutDot("digraph { n0 -> ; }", "dot", t);
        const auto engine = GraphvizLayout::layoutDot(DotWriter::write(t, {}), "no-such-engine", t);
        Topology broken = t;
        broken.edges.push_back(call(0, 99, 1));
        const auto badEdge = GraphvizLayout::layout(broken, {});
        fflush(stderr);
        dup2(savedStderr, STDERR_FILENO);
        close(savedStderr);

        QVERIFY(!syntax);
        QVERIFY2(syntax.error().contains(QStringLiteral("syntax error")), qPrintable(syntax.error()));
        QVERIFY(!badEdge);
        QVERIFY(!engine);
        QVERIFY2(engine.error().contains(QStringLiteral("no-such-engine")), qPrintable(engine.error()));
        QCOMPARE(capture.readAll(), QByteArray());

        auto empty = GraphvizLayout::layout(Topology {}, {});
        QVERIFY2(empty, empty ? "" : qPrintable(empty.error()));
        QVERIFY(empty->nodes.empty());
    }

    void version() { QVERIFY(GraphvizLayout::graphvizVersion().startsWith(QStringLiteral("2."))); }
};

QTEST_GUILESS_MAIN(TestLayout)
#include "tst_layout.moc"
