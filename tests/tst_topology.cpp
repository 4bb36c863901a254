// Service dependencies from spans (TopologyBuilder), dependency-link files (DependencyLinksReader) and the
// Topology helpers (nodeIndex, neighbourhood).

#include "importsupport.h"

#include "analysis/topologybuilder.h"
#include "formats/dependencylinksreader.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"
#include "model/traceassembler.h"

#include <QObject>
#include <QTest>

#include <map>
#include <optional>

using namespace tracemap;

namespace {

const TraceId kTrace { 0, 0x5eed };

// "from -> to calls/errors", in the topology's edge order.
QStringList edgeList(const Topology& t)
{
    QStringList out;
    for (const Topology::Edge& e : t.edges) {
        out << QStringLiteral("%1 -> %2 %3/%4")
                   .arg(QString::fromStdString(t.nodes[e.from].name), QString::fromStdString(t.nodes[e.to].name))
                   .arg(e.calls)
                   .arg(e.errors);
    }
    return out;
}

// "name kind[ inferred]", in name order.
QStringList nodeList(const Topology& t)
{
    QStringList out;
    for (const Topology::Node& n : t.nodes) {
        out << QStringLiteral("%1 %2%3").arg(QString::fromStdString(n.name), QString::fromLatin1(nodeKindName(n.kind)),
            n.inferred ? QStringLiteral(" inferred") : QString());
    }
    return out;
}

std::optional<Topology> fromFixture(const QString& relative)
{
    auto traces = testsupport::importAll(testsupport::fixture(relative));
    if (!traces) {
        qWarning() << traces.error().toString();
        return std::nullopt;
    }
    TopologyBuilder builder;
    for (const Trace& t : *traces)
        builder.add(t);
    return builder.build();
}

const Topology::Edge* findEdge(const Topology& t, std::string_view from, std::string_view to)
{
    const int f = t.nodeIndex(from);
    const int g = t.nodeIndex(to);
    for (const Topology::Edge& e : t.edges) {
        if (static_cast<int>(e.from) == f && static_cast<int>(e.to) == g)
            return &e;
    }
    return nullptr;
}

struct S {
    SpanId id = 0;
    SpanId parent = 0;
    const char* service = "svc";
    SpanKind kind = SpanKind::Unspecified;
    qint64 start = 0;
    qint64 duration = 10;
    bool error = false;
    std::initializer_list<std::pair<const char*, const char*>> attributes = {};
    SpanId link = 0; // a span link to this span of the same trace
};

Trace build(std::initializer_list<S> spans)
{
    SpanBatch batch;
    SpanDraft d;
    for (const S& s : spans) {
        d.clear();
        d.traceId = kTrace;
        d.spanId = s.id;
        d.parentId = s.parent;
        d.startNs = s.start;
        d.durationNs = s.duration;
        d.service = s.service;
        d.operation = "op";
        d.kind = s.kind;
        d.status = s.error ? StatusCode::Error : StatusCode::Unset;
        for (const auto& [key, value] : s.attributes)
            d.attributes.addString(key, value);
        if (s.link) {
            LinkDraft& link = d.addLink();
            link.traceId = kTrace;
            link.spanId = s.link;
        }
        batch.add(d);
    }
    auto traces = batch.takeTraces();
    Q_ASSERT(traces.size() == 1);
    Trace t = std::move(traces.front());
    TraceAssembler::assemble(t);
    return t;
}

Topology topologyOf(const Trace& trace)
{
    TopologyBuilder builder;
    builder.add(trace);
    return builder.build();
}

} // namespace

class TestTopology : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hotrod()
    {
        if (!requireFixtures())
            return;
        const auto t = fromFixture(QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json"));
        QVERIFY(t);
        // frontend's CLIENT spans have SERVER children in customer, driver and route (10 route calls); customer and
        // driver (SERVER) have CLIENT children in the mysql and redis-manual services: cross-service pairs too.
        // Three of redis-manual's 14 GetDriver spans failed. mysql's and redis-manual's own CLIENT spans name no
        // other peer (mysql's service.peer.name is itself), so there is nothing inferred.
        QCOMPARE(edgeList(*t),
            QStringList({ QStringLiteral("customer -> mysql 1/0"), QStringLiteral("driver -> redis-manual 14/3"),
                QStringLiteral("frontend -> customer 1/0"), QStringLiteral("frontend -> driver 1/0"),
                QStringLiteral("frontend -> route 10/0") }));
        // mysql and redis-manual report spans but never answer requests, and are named like databases.
        QCOMPARE(nodeList(*t),
            QStringList({ QStringLiteral("customer service"), QStringLiteral("driver service"),
                QStringLiteral("frontend service"), QStringLiteral("mysql database"),
                QStringLiteral("redis-manual database"), QStringLiteral("route service") }));

        const Topology::Node& redis = t->nodes[static_cast<size_t>(t->nodeIndex("redis-manual"))];
        QCOMPARE(redis.spans, 14);
        QCOMPARE(redis.errors, 3);
        QCOMPARE(redis.errorPercent, 300.0 / 14);
        const Topology::Node& frontend = t->nodes[static_cast<size_t>(t->nodeIndex("frontend"))];
        QCOMPARE(frontend.spans, 13);
        // The whole trace lasts under a second, so rates are per the 1 s minimum.
        QCOMPARE(frontend.ratePerSecond, 13.0);
        QCOMPARE(frontend.p95Ns, 702608277); // its one SERVER span, not its 12 CLIENT spans

        const Topology::Edge* route = findEdge(*t, "frontend", "route");
        QVERIFY(route);
        // Client-side latency: frontend's CLIENT spans.
        QCOMPARE(route->p50Ns, 49535248);
        QCOMPARE(route->p95Ns, 68216497);
        QCOMPARE(route->p99Ns, 68216497);
        const Topology::Edge* redisEdge = findEdge(*t, "driver", "redis-manual");
        QVERIFY(redisEdge);
        QCOMPARE(redisEdge->errorPercent, 300.0 / 14);
        // driver's parent span is a SERVER span, so the latency is the callee's (the redis-manual CLIENT span).
        QCOMPARE(redisEdge->p95Ns, 38661346);
    }

    void fixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("nodes");
        QTest::addColumn<QStringList>("edges");
        auto list = [](std::initializer_list<const char*> items) {
            QStringList out;
            for (const char* i : items)
                out << QString::fromUtf8(i);
            return out;
        };
        // Six producers have no consumer in another service: they send to the broker their remoteEndpoint names.
        // Three have a consumer in serviceb (the direct edge). Four consumers in servicea have no producer in
        // another service (the root poll, and three whose producer is in servicea): they receive from kafka.
        QTest::newRow("kafka") << QStringLiteral("zipkin-v2/messaging-kafka.json")
                               << list({ "kafka queue inferred", "servicea service", "serviceb service" })
                               << list(
                                      { "kafka -> servicea 4/0", "servicea -> kafka 6/0", "servicea -> serviceb 3/0" });
        // The producer's consumer is its child in backend: one direct edge, so the broker is not on the map.
        QTest::newRow("rabbitmq") << QStringLiteral("zipkin-v2/messaging-rabbitmq.json")
                                  << list({ "backend service", "frontend service" })
                                  << list({ "frontend -> backend 1/0" });
        // Producer and consumer are orphan siblings (their parent is missing), so both go through rabbitmq.
        // mobile-gateway's SERVER span is the parent of auth-service's (shared) SERVER span. The CLIENT spans
        // without a remoteEndpoint name no peer and add nothing.
        QTest::newRow("messaging2") << QStringLiteral("zipkin-v2/messaging2.json")
                                    << list({ "auth-service service", "mobile-gateway service",
                                           "notification-service service", "rabbitmq queue inferred",
                                           "transfer-service service" })
                                    << list({ "mobile-gateway -> auth-service 1/0",
                                           "rabbitmq -> notification-service 1/0",
                                           "transfer-service -> rabbitmq 1/0" });
        // app_db is only a remoteEndpoint (peer.service) of CLIENT spans carrying sql.query. The rules make a node
        // a database from db.system or a known database name; Zipkin (Brave p6spy) sets neither and "app_db" is not
        // a product name, so it is an inferred Service.
        QTest::newRow("simple-db") << QStringLiteral("zipkin-v2/simple-db-p6.json")
                                   << list({ "app_db service inferred", "bootifulmeters service" })
                                   << list({ "bootifulmeters -> app_db 4/0" });
        // Nine copies of one CLIENT span (the importer keeps one); backend never reports a span.
        QTest::newRow("orphans") << QStringLiteral("zipkin-v2/frontend-backend-128bit-orphans.json")
                                 << list({ "backend service inferred", "frontend service" })
                                 << list({ "frontend -> backend 1/0" });
        // Jaeger UI's test trace: a CLIENT→SERVER pair and a PRODUCER with a FOLLOWS_FROM CONSUMER (the importer
        // makes that reference the parent). service1's failed CLIENT span names no peer, so it is no call.
        QTest::newRow("jaeger follows-from")
            << QStringLiteral("jaeger/producer-consumer-follows-from-error.json")
            << list({ "service1 service", "service2 service" }) << list({ "service1 -> service2 2/0" });
    }

    void fixtures()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, nodes);
        QFETCH(QStringList, edges);
        if (!requireFixtures())
            return;
        const auto t = fromFixture(file);
        QVERIFY(t);
        QCOMPARE(nodeList(*t), nodes);
        QCOMPARE(edgeList(*t), edges);
    }

    void inferredFigures()
    {
        if (!requireFixtures())
            return;
        const auto t = fromFixture(QStringLiteral("zipkin-v2/simple-db-p6.json"));
        QVERIFY(t);
        const Topology::Node& db = t->nodes[static_cast<size_t>(t->nodeIndex("app_db"))];
        QCOMPARE(db.spans, 0);
        QCOMPARE(db.ratePerSecond, 4.0); // the calls it received, over the 1 s minimum
        QCOMPARE(db.p95Ns, 6051000);
        const Topology::Edge* e = findEdge(*t, "bootifulmeters", "app_db");
        QVERIFY(e);
        // Client durations 1118, 2033, 2414 and 6051 µs: nearest rank.
        QCOMPARE(e->p50Ns, 2033000);
        QCOMPARE(e->p95Ns, 6051000);
        QCOMPARE(e->p99Ns, 6051000);
    }

    void deterministic()
    {
        if (!requireFixtures())
            return;
        std::vector<Trace> all;
        for (const char* f : { "otlp-json/jaeger-apiv3-hotrod-gettrace.json", "zipkin-v2/messaging-kafka.json",
                 "zipkin-v2/messaging2.json", "zipkin-v2/simple-db-p6.json" }) {
            auto traces = testsupport::importAll(testsupport::fixture(QString::fromLatin1(f)));
            QVERIFY(traces);
            for (Trace& t : *traces)
                all.push_back(std::move(t));
        }
        TopologyBuilder forward, backward;
        for (const Trace& t : all)
            forward.add(t);
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            backward.add(*it);
        const Topology a = forward.build();
        const Topology b = backward.build();
        QCOMPARE(nodeList(a), nodeList(b));
        QCOMPARE(edgeList(a), edgeList(b));
        QCOMPARE(a.nodes.size(), size_t(16));
        QCOMPARE(a.edges.size(), size_t(12));
        QCOMPARE(a.startNs, b.startNs);
        QCOMPARE(a.endNs, b.endNs);
        // Two independent captures years apart: the rate is over the whole range.
        QVERIFY(a.endNs - a.startNs > qint64(1e9) * 3600 * 24 * 365);
        for (size_t i = 0; i < a.edges.size(); ++i)
            QCOMPARE(a.edges[i].p95Ns, b.edges[i].p95Ns);
    }

    void rules_data()
    {
        QTest::addColumn<int>("rule");
        QTest::addColumn<QStringList>("nodes");
        QTest::addColumn<QStringList>("edges");
        auto list = [](std::initializer_list<const char*> items) {
            QStringList out;
            for (const char* i : items)
                out << QString::fromUtf8(i);
            return out;
        };
        QTest::newRow("db.system + db.name") << 0 << list({ "api service", "postgresql/orders database inferred" })
                                             << list({ "api -> postgresql/orders 2/1" });
        QTest::newRow("db.namespace, no name")
            << 1 << list({ "api service", "redis/3 database inferred" }) << list({ "api -> redis/3 1/0" });
        QTest::newRow("peer.service first")
            << 2 << list({ "api service", "billing service inferred" }) << list({ "api -> billing 1/0" });
        QTest::newRow("messaging destination")
            << 3 << list({ "api service", "orders-topic queue inferred" }) << list({ "api -> orders-topic 1/0" });
        QTest::newRow("server.address") << 4 << list({ "api service", "api.stripe.com external inferred" })
                                        << list({ "api -> api.stripe.com 1/0" });
        QTest::newRow("net.peer.ip") << 5 << list({ "10.0.0.7 external inferred", "api service" })
                                     << list({ "api -> 10.0.0.7 1/0" });
        QTest::newRow("known name") << 6 << list({ "api service", "memcached database inferred" })
                                    << list({ "api -> memcached 1/0" });
        // The peer reports spans elsewhere in the trace: it is that service, not an inferred node.
        QTest::newRow("instrumented peer")
            << 7 << list({ "api service", "billing service" }) << list({ "api -> billing 1/0" });
        // A peer named like the caller itself is no edge.
        QTest::newRow("self") << 8 << list({ "api service" }) << list({});
        // One call per span link to a producer in another service; the producer has a consumer, so no broker.
        QTest::newRow("span link") << 9 << list({ "api service", "worker service" }) << list({ "api -> worker 2/1" });
        QTest::newRow("no peer") << 10 << list({ "api service" }) << list({});
    }

    void rules()
    {
        QFETCH(int, rule);
        QFETCH(QStringList, nodes);
        QFETCH(QStringList, edges);
        const SpanKind server = SpanKind::Server, client = SpanKind::Client, producer = SpanKind::Producer,
                       consumer = SpanKind::Consumer;
        Trace trace;
        switch (rule) {
        case 0:
            trace = build({ { .id = 1, .service = "api", .kind = server },
                { .id = 2,
                    .parent = 1,
                    .service = "api",
                    .kind = client,
                    .error = true,
                    .attributes = { { "db.system", "postgresql" }, { "db.name", "orders" } } },
                { .id = 3,
                    .parent = 1,
                    .service = "api",
                    .kind = client,
                    .attributes
                    = { { "db.name", "orders" }, { "db.system", "postgresql" }, { "server.address", "db1" } } } });
            break;
        case 1:
            trace = build({ { .id = 1,
                .service = "api",
                .kind = client,
                .attributes = { { "db.namespace", "3" }, { "db.system", "redis" } } } });
            break;
        case 2:
            trace = build({ { .id = 1,
                .service = "api",
                .kind = client,
                .attributes
                = { { "server.address", "10.1.1.1" }, { "db.system", "" }, { "peer.service", "billing" } } } });
            break;
        case 3:
            trace = build({ { .id = 1,
                .service = "api",
                .kind = producer,
                .attributes
                = { { "messaging.destination.name", "orders-topic" }, { "server.address", "broker1" } } } });
            break;
        case 4:
            trace = build({ { .id = 1,
                .service = "api",
                .kind = client,
                .attributes = { { "net.peer.ip", "1.2.3.4" }, { "server.address", "api.stripe.com" } } } });
            break;
        case 5:
            trace = build(
                { { .id = 1, .service = "api", .kind = client, .attributes = { { "net.peer.ip", "10.0.0.7" } } } });
            break;
        case 6:
            trace = build(
                { { .id = 1, .service = "api", .kind = client, .attributes = { { "peer.service", "memcached" } } } });
            break;
        case 7:
            trace = build(
                { { .id = 1, .service = "api", .kind = client, .attributes = { { "peer.service", "billing" } } },
                    { .id = 2, .service = "billing", .kind = server } });
            break;
        case 8:
            trace
                = build({ { .id = 1, .service = "api", .kind = client, .attributes = { { "peer.service", "api" } } } });
            break;
        case 9:
            trace = build({ { .id = 1,
                                .service = "api",
                                .kind = producer,
                                .duration = 7,
                                .attributes = { { "peer.service", "kafka" } } },
                { .id = 2, .service = "worker", .kind = consumer, .start = 20, .error = true, .link = 1 },
                { .id = 3, .service = "worker", .kind = consumer, .start = 30, .link = 1 } });
            break;
        case 10:
            trace = build({ { .id = 1, .service = "api", .kind = client } });
            break;
        }
        const Topology t = topologyOf(trace);
        QCOMPARE(nodeList(t), nodes);
        QCOMPARE(edgeList(t), edges);
        if (rule == 9) {
            QCOMPARE(t.edges[0].p50Ns, 7); // the producer's duration
            QCOMPARE(t.nodes[1].p95Ns, 10); // worker's CONSUMER spans
        }
    }

    void latencyAndErrors()
    {
        // CLIENT parent → SERVER child: the client's duration; an error on either side fails the call. A SERVER
        // parent with a child in another service (no client span): the child's duration and error.
        const Trace trace = build({
            { .id = 1, .service = "web", .kind = SpanKind::Server, .duration = 2'000'000'000, .error = true },
            { .id = 2, .parent = 1, .service = "web", .kind = SpanKind::Client, .start = 1, .duration = 100 },
            { .id = 3,
                .parent = 2,
                .service = "api",
                .kind = SpanKind::Server,
                .start = 2,
                .duration = 80,
                .error = true },
            { .id = 4,
                .parent = 1,
                .service = "web",
                .kind = SpanKind::Client,
                .start = 3,
                .duration = 300,
                .error = true },
            { .id = 5, .parent = 4, .service = "api", .kind = SpanKind::Server, .start = 4, .duration = 250 },
            { .id = 6, .parent = 1, .service = "web", .kind = SpanKind::Client, .start = 5, .duration = 200 },
            { .id = 7, .parent = 6, .service = "api", .kind = SpanKind::Server, .start = 6, .duration = 150 },
            { .id = 8, .parent = 1, .service = "cron", .kind = SpanKind::Internal, .start = 7, .duration = 40 },
        });
        const Topology t = topologyOf(trace);
        QCOMPARE(edgeList(t), QStringList({ QStringLiteral("web -> api 3/2"), QStringLiteral("web -> cron 1/0") }));
        const Topology::Edge& api = t.edges[0];
        QCOMPARE(api.errorPercent, 200.0 / 3);
        QCOMPARE(api.p50Ns, 200);
        QCOMPARE(api.p95Ns, 300);
        QCOMPARE(api.p99Ns, 300);
        QCOMPARE(t.edges[1].p50Ns, 40);

        QCOMPARE(t.startNs, 0);
        QCOMPARE(t.endNs, 2'000'000'000);
        const Topology::Node& web = t.nodes[static_cast<size_t>(t.nodeIndex("web"))];
        QCOMPARE(web.spans, 4);
        QCOMPARE(web.errors, 2);
        QCOMPARE(web.errorPercent, 50.0);
        QCOMPARE(web.ratePerSecond, 2.0); // 4 spans over 2 s
        QCOMPARE(web.p95Ns, 2'000'000'000); // its one SERVER span
        const Topology::Node& cron = t.nodes[static_cast<size_t>(t.nodeIndex("cron"))];
        QCOMPARE(cron.p95Ns, 40); // no entry spans: all its spans
        QCOMPARE(cron.kind, Topology::NodeKind::Service);
    }

    void empty()
    {
        const Topology t = TopologyBuilder().build();
        QVERIFY(t.nodes.empty());
        QVERIFY(t.edges.empty());
        QCOMPARE(t.nodeIndex("x"), -1);
        QVERIFY(t.neighbourhood(0, 3).nodes.empty());
    }

    // A span without a duration counts as a span, but its zero is not a measurement: it stays out of the p95, as it
    // does in the cache's rollups (the whole-cache map).
    void spansWithoutDurationStayOutOfP95()
    {
        SpanBatch batch;
        SpanDraft d;
        for (int i = 0; i < 20; ++i) {
            d.clear();
            d.traceId = kTrace;
            d.spanId = static_cast<SpanId>(i + 1);
            d.service = "api";
            d.operation = "op";
            d.kind = SpanKind::Server;
            d.setUnixNanoTimes(1'000'000'000 + i, i == 0 ? 1'010'000'000 : 0); // only the first has an end
            batch.add(d);
        }
        Trace t = std::move(batch.takeTraces().front());
        TraceAssembler::assemble(t);
        TopologyBuilder builder;
        builder.add(t);
        const Topology topology = builder.build();
        QCOMPARE(topology.nodes.size(), size_t(1));
        QCOMPARE(topology.nodes[0].spans, 20);
        QCOMPARE(topology.nodes[0].p95Ns, 10'000'000);
    }

    void kindFromName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("kind");
        const int service = int(Topology::NodeKind::Service), database = int(Topology::NodeKind::Database),
                  queue = int(Topology::NodeKind::Queue);
        QTest::newRow("mysql") << QStringLiteral("mysql") << database;
        QTest::newRow("Redis-Manual") << QStringLiteral("Redis-Manual") << database;
        QTest::newRow("postgresql/orders") << QStringLiteral("postgresql/orders") << database;
        QTest::newRow("kafka") << QStringLiteral("kafka") << queue;
        QTest::newRow("rabbitmq:5672") << QStringLiteral("rabbitmq:5672") << queue;
        QTest::newRow("app_db") << QStringLiteral("app_db") << service;
        QTest::newRow("myredis") << QStringLiteral("myredis") << service;
        QTest::newRow("empty") << QString() << service;
    }

    void kindFromName()
    {
        QFETCH(QString, name);
        QFETCH(int, kind);
        QCOMPARE(int(TopologyBuilder::kindFromName(name.toStdString())), kind);
    }

    void nodeIndex()
    {
        Topology t;
        for (const char* n : { "b", "d", "f" })
            t.nodes.push_back({ .name = n });
        QCOMPARE(t.nodeIndex("b"), 0);
        QCOMPARE(t.nodeIndex("d"), 1);
        QCOMPARE(t.nodeIndex("f"), 2);
        QCOMPARE(t.nodeIndex("a"), -1);
        QCOMPARE(t.nodeIndex("c"), -1);
        QCOMPARE(t.nodeIndex("g"), -1);
        QCOMPARE(t.nodeIndex(""), -1);
    }

    void neighbourhood_data()
    {
        QTest::addColumn<QString>("center");
        QTest::addColumn<int>("hops");
        QTest::addColumn<QStringList>("edges");
        auto list = [](std::initializer_list<const char*> items) {
            QStringList out;
            for (const char* i : items)
                out << QString::fromUtf8(i);
            return out;
        };
        // g → e → b → c → d, a → b → f, d → c (a cycle), h alone.
        QTest::newRow("b, 0 hops") << QStringLiteral("b") << 0 << list({});
        QTest::newRow("b, 1 hop") << QStringLiteral("b") << 1
                                  << list({ "a -> b 1/0", "b -> c 2/0", "b -> f 3/0", "e -> b 4/0" });
        QTest::newRow("b, 2 hops") << QStringLiteral("b") << 2
                                   << list({ "a -> b 1/0", "b -> c 2/0", "b -> f 3/0", "c -> d 5/1", "d -> c 6/0",
                                          "e -> b 4/0", "g -> e 7/0" });
        // f's caller b, then b's callers a and e; b's other callee c is a sibling, not up or down.
        QTest::newRow("f, 2 hops") << QStringLiteral("f") << 2 << list({ "a -> b 1/0", "b -> f 3/0", "e -> b 4/0" });
        // Through the cycle both ways: d is c's callee and its caller.
        QTest::newRow("d, 1 hop") << QStringLiteral("d") << 1 << list({ "c -> d 5/1", "d -> c 6/0" });
        QTest::newRow("h") << QStringLiteral("h") << 5 << list({});
        QTest::newRow("g, 9 hops") << QStringLiteral(
            "g") << 9 << list({ "b -> c 2/0", "b -> f 3/0", "c -> d 5/1", "d -> c 6/0", "e -> b 4/0", "g -> e 7/0" });
    }

    void neighbourhood()
    {
        QFETCH(QString, center);
        QFETCH(int, hops);
        QFETCH(QStringList, edges);
        Topology t;
        t.startNs = 10;
        t.endNs = 20;
        for (const char* n : { "a", "b", "c", "d", "e", "f", "g", "h" })
            t.nodes.push_back({ .name = n });
        auto edge = [&](const char* from, const char* to, qint64 calls, qint64 errors = 0) {
            t.edges.push_back({ .from = quint32(t.nodeIndex(from)),
                .to = quint32(t.nodeIndex(to)),
                .calls = calls,
                .errors = errors });
        };
        edge("a", "b", 1);
        edge("b", "c", 2);
        edge("b", "f", 3);
        edge("c", "d", 5, 1);
        edge("d", "c", 6);
        edge("e", "b", 4);
        edge("g", "e", 7);

        const Topology n = t.neighbourhood(quint32(t.nodeIndex(center.toStdString())), hops);
        QCOMPARE(edgeList(n), edges);
        QVERIFY(n.nodeIndex(center.toStdString()) >= 0);
        QCOMPARE(n.startNs, 10);
        QCOMPARE(n.endNs, 20);
        for (size_t i = 1; i < n.nodes.size(); ++i)
            QVERIFY(n.nodes[i - 1].name < n.nodes[i].name);
        for (size_t i = 1; i < n.edges.size(); ++i)
            QVERIFY(std::pair(n.edges[i - 1].from, n.edges[i - 1].to) < std::pair(n.edges[i].from, n.edges[i].to));
        if (hops == 0)
            QCOMPARE(n.nodes.size(), size_t(1));
        QVERIFY(t.neighbourhood(quint32(t.nodes.size()), 1).nodes.empty());
    }

    void smallDependencyFile()
    {
        if (!requireFixtures())
            return;
        const QString path = testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-small-dag.json"));
        QVERIFY(DependencyLinksReader::isDependencyLinksFile(path));
        const auto t = DependencyLinksReader::readFile(path);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(edgeList(*t),
            QStringList({ QStringLiteral("Service1 -> Service2 30489/0"),
                QStringLiteral("Service1 -> Service3 30491/0"), QStringLiteral("Service1 -> Service5 8560/0"),
                QStringLiteral("Service2 -> Service4 129216/0"), QStringLiteral("Service3 -> Service7 30491/0"),
                QStringLiteral("Service6 -> Service1 30489/0"), QStringLiteral("Service8 -> Service6 30489/0") }));
        QCOMPARE(t->nodes.size(), size_t(8));
        for (const Topology::Node& n : t->nodes) {
            QCOMPARE(n.kind, Topology::NodeKind::Service);
            QVERIFY(!n.inferred);
            QCOMPARE(n.spans, 0);
        }
        for (const Topology::Edge& e : t->edges)
            QCOMPARE(e.p95Ns, 0);
    }

    void largeDependencyFile()
    {
        if (!requireFixtures())
            return;
        const QString path = testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json"));
        QVERIFY(DependencyLinksReader::isDependencyLinksFile(path));
        const auto t = DependencyLinksReader::readFile(path);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(t->nodes.size(), size_t(1238));
        QCOMPARE(t->edges.size(), size_t(4271));
        for (size_t i = 1; i < t->nodes.size(); ++i)
            QVERIFY(t->nodes[i - 1].name < t->nodes[i].name);
        for (size_t i = 1; i < t->edges.size(); ++i)
            QVERIFY(std::pair(t->edges[i - 1].from, t->edges[i - 1].to) < std::pair(t->edges[i].from, t->edges[i].to));
        // The first link of the file.
        const Topology::Edge* first = findEdge(*t, "Service574", "Service1529");
        QVERIFY(first);
        QCOMPARE(first->calls, 54);
    }

    void dependencyEnvelope()
    {
        const std::string_view text = R"({"data": [
  {"parent": "web", "child": "api", "callCount": 10, "errorCount": 3, "source": "jaeger"},
  {"parent": "api", "child": "mysql", "callCount": "4"},
  {"parent": "web", "child": "api", "callCount": 5, "errorCount": 0}
], "total": 3, "limit": 0, "offset": 0, "errors": null})";
        QVERIFY(DependencyLinksReader::looksLikeDependencyLinks(text));
        const auto t = DependencyLinksReader::read(text, QStringLiteral("deps.json"));
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(nodeList(*t),
            QStringList(
                { QStringLiteral("api service"), QStringLiteral("mysql database"), QStringLiteral("web service") }));
        QCOMPARE(edgeList(*t), QStringList({ QStringLiteral("api -> mysql 4/0"), QStringLiteral("web -> api 15/3") }));
        QCOMPARE(t->edges[1].errorPercent, 20.0);

        const auto empty = DependencyLinksReader::read("[]");
        QVERIFY(empty);
        QVERIFY(empty->nodes.empty());
    }

    void routing_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("links");
        QTest::newRow("small dag") << QStringLiteral("dependencies/jaeger-ui-small-dag.json") << true;
        QTest::newRow("hotrod") << QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json") << false;
        QTest::newRow("zipkin") << QStringLiteral("zipkin-v2/messaging-kafka.json") << false;
        QTest::newRow("zipkin v1") << QStringLiteral("zipkin-v1/messaging-kafka-v1.json") << false;
        QTest::newRow("jaeger") << QStringLiteral("jaeger/producer-consumer-follows-from-error.json") << false;
        QTest::newRow("missing") << QStringLiteral("no/such/file.json") << false;
    }

    void routing()
    {
        QFETCH(QString, file);
        QFETCH(bool, links);
        if (!requireFixtures())
            return;
        QCOMPARE(DependencyLinksReader::isDependencyLinksFile(testsupport::fixture(file)), links);
    }

    void badDependencyInput_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<qint64>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated") << QByteArray(
            "[\n  {\"parent\": \"a\", \"child\": \"b\", \"callCount\": 1},\n  {\"parent\": \"a\"")
                                   << qint64(67) << qint64(3) << qint64(17) << QStringLiteral("unexpected end of file");
        QTest::newRow("callCount string")
            << QByteArray("[\n  {\"parent\": \"a\", \"child\": \"b\", \"callCount\": \"many\"}\n]") << qint64(47)
            << qint64(2) << qint64(46) << QStringLiteral("expected a 64-bit integer for callCount, got \"many\"");
        QTest::newRow("parent number") << QByteArray("[{\"parent\": 3, \"child\": \"b\", \"callCount\": 1}]")
                                       << qint64(12) << qint64(1) << qint64(13)
                                       << QStringLiteral("expected a string for parent");
        QTest::newRow("no child") << QByteArray("[{\"parent\": \"a\", \"callCount\": 1}]") << qint64(1) << qint64(1)
                                  << qint64(2) << QStringLiteral("this one has no \"child\"");
        QTest::newRow("not an object") << QByteArray("[1, 2]") << qint64(1) << qint64(1) << qint64(2)
                                       << QStringLiteral("expected a dependency link object");
        QTest::newRow("negative") << QByteArray("[{\"parent\": \"a\", \"child\": \"b\", \"callCount\": -1}]")
                                  << qint64(44) << qint64(1) << qint64(45)
                                  << QStringLiteral("callCount is negative (-1)");
        QTest::newRow("errors > calls") << QByteArray(
            "[{\"parent\": \"a\", \"child\": \"b\", \"callCount\": 1, \"errorCount\": 2}]")
                                        << qint64(61) << qint64(1) << qint64(62)
                                        << QStringLiteral("errorCount (2) is larger than callCount (1)");
        QTest::newRow("csv") << QByteArray("parent,child\na,b\n") << qint64(0) << qint64(1) << qint64(1)
                             << QStringLiteral("expected a JSON array of dependency links");
        QTest::newRow("empty") << QByteArray("  \n") << qint64(0) << qint64(1) << qint64(1)
                               << QStringLiteral("the file is empty");
        QTest::newRow("bad json") << QByteArray("[{\"parent\": \"a\" \"child\": \"b\"}]") << qint64(1) << qint64(1)
                                  << qint64(2) << QStringLiteral("missing or superfluous commas");
        // Inputs of tests/crashes/dependencylinks/ (found with fuzz_dependencylinks, tests/fuzz), each with where and
        // what its error must say.
        struct Crash {
            qint64 offset, line, column;
            const char* message;
        };
        const std::map<QString, Crash> crashes {
            { QStringLiteral("call-counts-add-up-past-int64.json"),
                { 62, 2, 2, "\"a\" -> \"b\" add up to more than 9223372036854775807" } },
        };
        const QDir crashDir(QStringLiteral(TRACEMAP_TESTS_DIR "/crashes/dependencylinks"));
        for (const QFileInfo& file : crashDir.entryInfoList(QDir::Files, QDir::Name)) {
            const auto crash = crashes.find(file.fileName());
            QVERIFY2(crash != crashes.end(), qPrintable(file.fileName() + QStringLiteral(": add its error here")));
            QTest::newRow(qPrintable(QStringLiteral("crash: ") + file.fileName()))
                << testsupport::readAll(file.absoluteFilePath()) << crash->second.offset << crash->second.line
                << crash->second.column << QString::fromUtf8(crash->second.message);
        }
    }

    void badDependencyInput()
    {
        QFETCH(QByteArray, input);
        QFETCH(qint64, offset);
        QFETCH(qint64, line);
        QFETCH(qint64, column);
        QFETCH(QString, message);
        const auto t = DependencyLinksReader::read(
            std::string_view(input.constData(), size_t(input.size())), QStringLiteral("links.json"));
        QVERIFY(!t);
        QCOMPARE(t.error().file, QStringLiteral("links.json"));
        QCOMPARE(t.error().offset, offset);
        QCOMPARE(t.error().line, line);
        QCOMPARE(t.error().column, column);
        QVERIFY2(t.error().message.contains(message), qPrintable(t.error().message));
    }
};

QTEST_GUILESS_MAIN(TestTopology)
#include "tst_topology.moc"
