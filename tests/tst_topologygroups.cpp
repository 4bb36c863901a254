// What the topology map shows of a large graph: groups (by attribute, name, pattern, community detection), the
// filters and what they hide, paths between services and the trees around one.

#include "importsupport.h"

#include "analysis/topologybuilder.h"
#include "analysis/topologygroups.h"
#include "analysis/topologylens.h"
#include "formats/dependencylinksreader.h"

#include <QObject>
#include <QTest>

#include <deque>
#include <numeric>
#include <set>

using namespace tracemap;

namespace {

// A small graph written out: services with spans and errors, calls with counts.
Topology makeTopology(std::vector<std::string> names, const std::vector<std::tuple<int, int, qint64, qint64>>& calls)
{
    Topology t;
    t.startNs = 0;
    t.endNs = 10'000'000'000; // ten seconds
    std::ranges::sort(names);
    for (const std::string& name : names) {
        Topology::Node node;
        node.name = name;
        node.spans = 100;
        node.errors = 1;
        node.errorPercent = 1;
        node.ratePerSecond = 10;
        node.p95Ns = 1000 * static_cast<qint64>(name.size());
        t.nodes.push_back(node);
    }
    for (auto [from, to, count, errors] : calls) {
        Topology::Edge e;
        e.from = quint32(from);
        e.to = quint32(to);
        e.calls = count;
        e.errors = errors;
        e.errorPercent = 100.0 * double(errors) / double(count);
        e.p95Ns = count * 10;
        t.edges.push_back(e);
    }
    std::ranges::sort(t.edges, {}, [](const Topology::Edge& e) { return std::pair(e.from, e.to); });
    return t;
}

std::vector<std::string> nodeNames(const Topology& t)
{
    std::vector<std::string> out;
    for (const auto& n : t.nodes)
        out.push_back(n.name);
    return out;
}

Topology largeDag()
{
    auto links = DependencyLinksReader::readFile(
        testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json")));
    return links ? *links : Topology();
}

// Breadth-first over the calls, written here apart from Topology::reachable so that one checks the other.
std::set<quint32> walk(const Topology& t, quint32 from, bool forwards)
{
    std::set<quint32> seen { from };
    std::deque<quint32> queue { from };
    while (!queue.empty()) {
        const quint32 n = queue.front();
        queue.pop_front();
        for (const auto& e : t.edges) {
            const quint32 a = forwards ? e.from : e.to;
            const quint32 b = forwards ? e.to : e.from;
            if (a == n && seen.insert(b).second)
                queue.push_back(b);
        }
    }
    return seen;
}

} // namespace

class TestTopologyGroups : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The OpenTelemetry demo's services carry service.namespace on their resources: the builder keeps it and the
    // grouping reads it; services seen only as a peer have no resource and stay apart.
    void groupsByAttributeFromResources()
    {
        if (!requireFixtures())
            return;
        auto traces = testsupport::importAll(
            testsupport::fixture(QStringLiteral("otlp-json/otel-demo-timeout-masked-truncated.json")));
        QVERIFY(traces.has_value());
        TopologyBuilder builder;
        for (const Trace& t : *traces)
            builder.add(t);
        const Topology topology = builder.build();
        const int frontend = topology.nodeIndex("frontend");
        QVERIFY(frontend >= 0);
        QCOMPARE(
            topology.nodes[size_t(frontend)].attribute("service.namespace"), std::string_view("opentelemetry-demo"));
        QVERIFY(!topology.nodes[size_t(frontend)].attribute("service.name").empty());

        const TopologyGroups groups = TopologyGrouper::byAttribute(topology, "service.namespace");
        QCOMPARE(groups.names, std::vector<std::string> { "opentelemetry-demo" });
        QCOMPARE(groups.basis, QStringLiteral("service.namespace"));
        for (size_t i = 0; i < topology.nodes.size(); ++i) {
            const bool hasIt = !topology.nodes[i].attribute("service.namespace").empty();
            QCOMPARE(groups.groupOf[i], hasIt ? 0 : -1);
        }
        QVERIFY(std::ranges::count(groups.groupOf, 0) >= 2);
        QVERIFY(std::ranges::count(groups.groupOf, -1) >= 1);
        // Automatic takes the attribute when it tells services apart...
        QCOMPARE(TopologyGrouper::automatic(topology).basis, QStringLiteral("service.namespace"));
        auto rule = TopologyGrouper::fromRule(topology, u"service.namespace");
        QVERIFY(rule.has_value());
        QCOMPARE(rule->groupOf, groups.groupOf);
    }

    void groupsByNameAndPattern()
    {
        const Topology t = makeTopology(
            { "cart", "cart-api", "checkout-api", "checkout-db", "payments", "payments_worker", "payments.v2" }, {});
        const TopologyGroups prefix = TopologyGrouper::byNamePrefix(t);
        // "cart" has no separator and "cart-api" would be a group of one: both stay services.
        QCOMPARE(prefix.names, (std::vector<std::string> { "checkout", "payments" }));
        const auto groupOf
            = [&](const TopologyGroups& g, const char* name) { return g.groupOf[size_t(t.nodeIndex(name))]; };
        QCOMPARE(groupOf(prefix, "cart"), -1);
        QCOMPARE(groupOf(prefix, "cart-api"), -1);
        QCOMPARE(groupOf(prefix, "checkout-api"), 0);
        QCOMPARE(groupOf(prefix, "checkout-db"), 0);
        QCOMPARE(groupOf(prefix, "payments"), -1);
        QCOMPARE(groupOf(prefix, "payments_worker"), 1);
        QCOMPARE(groupOf(prefix, "payments.v2"), 1);

        // The first capture group names the group; the whole match without one.
        auto pattern = TopologyGrouper::fromRule(t, u"/^(ca|pa)/");
        QVERIFY(pattern.has_value());
        QCOMPARE(pattern->names, (std::vector<std::string> { "ca", "pa" }));
        QCOMPARE(groupOf(*pattern, "checkout-api"), -1);
        QCOMPARE(groupOf(*pattern, "payments"), 1);
        auto whole = TopologyGrouper::fromRule(t, u"/api$/");
        QVERIFY(whole.has_value());
        QCOMPARE(whole->names, std::vector<std::string> { "api" });

        auto invalid = TopologyGrouper::fromRule(t, u"/(unclosed/");
        QVERIFY(!invalid.has_value());
        QVERIFY2(invalid.error().contains(QLatin1String("not valid")), qPrintable(invalid.error()));
        QVERIFY(!TopologyGrouper::fromRule(t, u"two words").has_value());
    }

    // Leiden on the 1,238-service graph: a first view's worth of groups, the same for the same seed, each group
    // connected (Leiden's guarantee over Louvain), the small separate graphs together.
    void detectedGroupsOnTheLargeGraph()
    {
        if (!requireFixtures())
            return;
        const Topology t = largeDag();
        QCOMPARE(t.nodes.size(), size_t(1238));
        const TopologyGroups a = TopologyGrouper::detected(t, 1);
        const TopologyGroups b = TopologyGrouper::detected(t, 1);
        QCOMPARE(a.groupOf, b.groupOf);
        QCOMPARE(a.names, b.names);
        QVERIFY2(a.names.size() >= 5 && a.names.size() <= TopologyGrouper::kMaxDetectedGroups,
            qPrintable(QString::number(a.names.size())));
        QVERIFY(std::ranges::find(a.names, std::string(TopologyGrouper::kSmallGraphsGroup)) != a.names.end());
        QCOMPARE(std::ranges::count(a.groupOf, -1), 0); // every service of this graph lands in a group

        const auto members = a.members();
        for (size_t g = 0; g < members.size(); ++g) {
            QVERIFY(members[g].size() >= 2);
            if (a.names[g] == TopologyGrouper::kSmallGraphsGroup)
                continue;
            // Connected: a walk inside the group, ignoring directions, reaches every member.
            std::vector<bool> inGroup(t.nodes.size(), false);
            for (quint32 m : members[g])
                inGroup[m] = true;
            Topology induced = t.subgraph(inGroup);
            Topology undirected = induced;
            for (auto e : induced.edges) {
                std::swap(e.from, e.to);
                undirected.edges.push_back(e);
            }
            QCOMPARE(walk(undirected, 0, true).size(), induced.nodes.size());
            // Named after a member.
            QVERIFY(a.names[g].starts_with("around "));
            QVERIFY(inGroup[size_t(t.nodeIndex(a.names[g].substr(7)))]);
        }
    }

    void lensCollapsesGroupsAndSumsTheirFigures()
    {
        // a-1, a-2 in group "a"; b-1, b-2 in "b"; c alone.
        const Topology t = makeTopology({ "a-1", "a-2", "b-1", "b-2", "c" },
            { { 0, 1, 50, 0 }, { 0, 2, 10, 1 }, { 1, 3, 20, 2 }, { 3, 2, 5, 0 }, { 2, 4, 7, 7 } });
        const TopologyGroups groups = TopologyGrouper::byNamePrefix(t);
        QCOMPARE(groups.names, (std::vector<std::string> { "a", "b" }));
        TopologyLens::Options options;
        options.groups = &groups;
        options.expanded = { false, false };
        const ShownTopology shown = TopologyLens::apply(t, options);
        QCOMPARE(nodeNames(shown.topology), (std::vector<std::string> { "a (2)", "b (2)", "c" }));
        QCOMPARE(shown.group, (std::vector<int> { 0, 1, -1 }));
        QCOMPARE(shown.members[0], (std::vector<quint32> { 0, 1 }));
        const Topology::Node& a = shown.topology.nodes[0];
        QCOMPARE(a.groupSize, quint32(2));
        QCOMPARE(a.spans, qint64(200));
        QCOMPARE(a.errors, qint64(2));
        QCOMPARE(a.ratePerSecond, 20.0);
        QCOMPARE(a.errorPercent, 1.0); // 2 errors in 200 spans
        QCOMPARE(a.p95Ns, qint64(3000));
        // a→b sums a-1→b-1 (10) and a-2→b-2 (20); b→c is b-1→c; a-1→a-2 and b-2→b-1 are inside their groups.
        QCOMPARE(shown.topology.edges.size(), size_t(2));
        const Topology::Edge& ab = shown.topology.edges[0];
        QCOMPARE(std::pair(ab.from, ab.to), std::pair(0u, 1u));
        QCOMPARE(ab.calls, qint64(30));
        QCOMPARE(ab.errors, qint64(3));
        QCOMPARE(ab.errorPercent, 10.0);
        QCOMPARE(ab.p95Ns, qint64(200)); // the slowest member call's
        QCOMPARE(shown.topology.edges[1].calls, qint64(7));
        QCOMPARE(shown.hidden.calls, size_t(0)); // calls inside a group are in it, not hidden
        QCOMPARE(shown.hidden.services, size_t(0));
        QVERIFY(shown.describeHidden().isEmpty());
        QCOMPARE(shown.shownNodeOf(1), 0);
        QCOMPARE(shown.shownNodeOf(4), 2);

        // Expanding "a" shows its members in its place, with their own calls.
        options.expanded = { true, false };
        const ShownTopology expanded = TopologyLens::apply(t, options);
        QCOMPARE(nodeNames(expanded.topology), (std::vector<std::string> { "a-1", "a-2", "b (2)", "c" }));
        QCOMPARE(expanded.topology.edges.size(), size_t(4)); // a-1→a-2, a-1→b, a-2→b, b→c
        QCOMPARE(expanded.topology.edges[0].calls, qint64(50));
    }

    void filtersHideAndCountWhatTheyHide()
    {
        const Topology t = makeTopology({ "a", "b", "c", "d", "e" },
            { { 0, 1, 100, 0 }, { 0, 2, 3, 1 }, { 1, 2, 40, 0 }, { 2, 3, 2, 0 }, { 3, 4, 1, 0 } });
        TopologyLens::Options options;
        options.filters.minCalls = 3;
        ShownTopology shown = TopologyLens::apply(t, options);
        // c→d (2) and d→e (1) hidden; d and e then have no call left and go with them.
        QCOMPARE(nodeNames(shown.topology), (std::vector<std::string> { "a", "b", "c" }));
        QCOMPARE(shown.topology.edges.size(), size_t(3));
        QCOMPARE(shown.hidden.calls, size_t(2));
        QCOMPARE(shown.hidden.callCount, qint64(3));
        QCOMPARE(shown.hidden.services, size_t(2));
        QCOMPARE(shown.describeHidden(), QStringLiteral("2 calls and 2 services hidden"));

        options.filters = {};
        options.filters.errorsOnly = true;
        shown = TopologyLens::apply(t, options);
        QCOMPARE(nodeNames(shown.topology), (std::vector<std::string> { "a", "c" }));
        QCOMPARE(shown.hidden.calls, size_t(4));

        options.filters = {};
        options.filters.topK = 2;
        shown = TopologyLens::apply(t, options);
        QCOMPARE(shown.topology.edges.size(), size_t(2));
        QCOMPARE(shown.topology.edges[0].calls + shown.topology.edges[1].calls, qint64(140));
        options.filters.rankBy = TopologyFilters::Rank::Errors;
        shown = TopologyLens::apply(t, options);
        QCOMPARE(shown.topology.edges.size(), size_t(2));
        QVERIFY(std::ranges::any_of(shown.topology.edges, [](const auto& e) { return e.errors == 1; }));

        options.filters = {};
        options.filters.minSharePercent = 10; // of 146 calls: keeps 100 and 40
        shown = TopologyLens::apply(t, options);
        QCOMPARE(shown.topology.edges.size(), size_t(2));

        options.filters = {};
        options.filters.search = QStringLiteral("B");
        shown = TopologyLens::apply(t, options);
        QCOMPARE(nodeNames(shown.topology), std::vector<std::string> { "b" });
        QCOMPARE(shown.hidden.services, size_t(4));
        QCOMPARE(shown.hidden.calls, size_t(5));
    }

    // Every call path between two services of the 1,238-service graph, and the trees up and down from one.
    void pathsAndTrees()
    {
        if (!requireFixtures())
            return;
        const Topology t = largeDag();
        // A pair with paths between them: the first service with a caller two calls up.
        quint32 to = 0, from = 0;
        bool found = false;
        for (const auto& e : t.edges) {
            for (const auto& up : t.edges) {
                if (up.to == e.from && up.from != e.to) {
                    from = up.from;
                    to = e.to;
                    found = true;
                    break;
                }
            }
            if (found)
                break;
        }
        QVERIFY(found);
        const std::set<quint32> down = walk(t, from, true);
        const std::set<quint32> up = walk(t, to, false);
        std::set<std::string> expected;
        for (quint32 n : down) {
            if (up.contains(n))
                expected.insert(t.nodes[n].name);
        }
        TopologyLens::Options options;
        options.focus = { TopologyFocus::Kind::Paths, from, to };
        const ShownTopology paths = TopologyLens::apply(t, options);
        const auto names = nodeNames(paths.topology);
        QCOMPARE(std::set<std::string>(names.begin(), names.end()), expected);
        QVERIFY(expected.size() >= 3);
        QCOMPARE(paths.hidden.services, t.nodes.size() - expected.size());
        // Every edge drawn lies on a path: its caller is reachable from `from`, its callee reaches `to`.
        for (const auto& e : paths.topology.edges) {
            QVERIFY(down.contains(quint32(t.nodeIndex(paths.topology.nodes[e.from].name))));
            QVERIFY(up.contains(quint32(t.nodeIndex(paths.topology.nodes[e.to].name))));
        }
        QCOMPARE(t.paths(from, to).nodes.size(), expected.size());
        // The other way round (the graph has a few cycles, so there may be some), and none from a sink.
        size_t back = 0;
        for (quint32 n : walk(t, to, true))
            back += walk(t, from, false).contains(n);
        QCOMPARE(t.paths(to, from).nodes.size(), back);
        const auto sink = std::ranges::find_if(t.nodes, [&](const auto& n) {
            const auto i = quint32(&n - t.nodes.data());
            return std::ranges::none_of(t.edges, [&](const auto& e) { return e.from == i; }) && i != from;
        });
        QVERIFY(sink != t.nodes.end());
        QVERIFY(t.paths(quint32(sink - t.nodes.begin()), from).nodes.empty());

        // Upstream of `to`: all its callers, direct or not.
        options.focus = { TopologyFocus::Kind::Upstream, to, 0 };
        const ShownTopology callers = TopologyLens::apply(t, options);
        QCOMPARE(callers.topology.nodes.size(), up.size());
        for (const auto& e : t.edges) {
            if (e.to == to)
                QVERIFY(callers.shownNodeOf(e.from) >= 0);
        }
        options.focus = { TopologyFocus::Kind::Downstream, from, 0 };
        QCOMPARE(TopologyLens::apply(t, options).topology.nodes.size(), down.size());
        // One call up and down: the same as Topology::neighbourhood.
        options.focus = { TopologyFocus::Kind::Neighbourhood, from, 0, 1 };
        QCOMPARE(nodeNames(TopologyLens::apply(t, options).topology), nodeNames(t.neighbourhood(from, 1)));
    }
};

QTEST_GUILESS_MAIN(TestTopologyGroups)
#include "tst_topologygroups.moc"
