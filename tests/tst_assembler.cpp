// TraceAssembler on hand-built traces (SpanBatch + SpanDraft), and the TraceCodec round trip.

#include "importsupport.h"

#include "cache/tracecodec.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"

#include <QObject>
#include <QTest>

#include <algorithm>
#include <numeric>
#include <optional>
#include <random>

using namespace tracemap;

namespace {

const TraceId kTrace { 0, 0xabc };

struct S {
    SpanId id = 0;
    SpanId parent = 0;
    qint64 start = 0;
    qint64 duration = 10;
    const char* service = "svc";
    const char* operation = "op";
    SpanKind kind = SpanKind::Unspecified;
    const char* tag = nullptr; // attribute "k" = tag
    StatusCode status = StatusCode::Unset;
};

Trace build(const std::vector<S>& spans, bool assemble = true)
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
        d.operation = s.operation;
        d.kind = s.kind;
        d.status = s.status;
        if (s.tag)
            d.attributes.addString("k", s.tag);
        batch.add(d);
    }
    auto traces = batch.takeTraces();
    Q_ASSERT(traces.size() == 1);
    Trace t = std::move(traces.front());
    if (assemble)
        TraceAssembler::assemble(t);
    return t;
}

// Index of the span with this id, or kNoIndex.
quint32 indexOf(const Trace& t, SpanId id)
{
    for (quint32 i = 0; i < t.spans.size(); ++i) {
        if (t.spans[i].id == id)
            return i;
    }
    return kNoIndex;
}

std::vector<SpanId> childIds(const Trace& t, quint32 parent)
{
    std::vector<SpanId> out;
    const Span& p = t.spans[parent];
    for (quint32 c = p.children.begin; c < p.children.end(); ++c)
        out.push_back(t.spans[t.childIndex[c]].id);
    return out;
}

std::vector<SpanId> spanIds(const Trace& t)
{
    std::vector<SpanId> out;
    for (const Span& s : t.spans)
        out.push_back(s.id);
    return out;
}

std::vector<SpanId> rootIds(const Trace& t)
{
    std::vector<SpanId> out;
    for (quint32 r : t.roots)
        out.push_back(t.spans[r].id);
    return out;
}

// A trace with a bit of everything: shared Zipkin ids, an orphan, a duplicate, a cycle, attributes.
Trace richTrace()
{
    return build({
        { .id = 1, .start = 100, .duration = 1000, .service = "front", .kind = SpanKind::Server, .tag = "a" },
        { .id = 2, .parent = 1, .start = 200, .duration = 500, .service = "front", .kind = SpanKind::Client },
        { .id = 2, .parent = 1, .start = 210, .duration = 480, .service = "back", .kind = SpanKind::Server },
        { .id = 3, .parent = 2, .start = 250, .duration = 50, .service = "back", .tag = "b" },
        { .id = 4, .parent = 99, .start = 150, .service = "front" },
        { .id = 5, .parent = 6, .start = 300, .service = "x" },
        { .id = 6, .parent = 5, .start = 310, .service = "x" },
        { .id = 7, .parent = 1, .start = 400, .service = "front", .tag = "one" },
        { .id = 7, .parent = 1, .start = 400, .service = "front", .tag = "one" },
        { .id = 8, .parent = 1, .start = 420, .service = "front", .operation = "first" },
        { .id = 8, .parent = 1, .start = 430, .service = "front", .operation = "second" },
    });
}

} // namespace

class TestAssembler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sortsByStartAndOrdersChildren()
    {
        const Trace t = build({
            { .id = 4, .parent = 1, .start = 400 },
            { .id = 2, .parent = 1, .start = 200 },
            { .id = 1, .start = 100, .duration = 1000 },
            { .id = 3, .parent = 1, .start = 300 },
            { .id = 5, .parent = 3, .start = 350 },
        });
        QCOMPARE(t.spans.size(), size_t(5));
        for (size_t i = 1; i < t.spans.size(); ++i)
            QVERIFY(t.spans[i - 1].startNs <= t.spans[i].startNs);
        QCOMPARE(t.spans.front().id, SpanId(1));
        QCOMPARE(rootIds(t), (std::vector<SpanId> { 1 }));
        QCOMPARE(childIds(t, indexOf(t, 1)), (std::vector<SpanId> { 2, 3, 4 }));
        QCOMPARE(childIds(t, indexOf(t, 3)), (std::vector<SpanId> { 5 }));
        QCOMPARE(t.spans[indexOf(t, 5)].depth, 2u);
        QCOMPARE(t.spans[indexOf(t, 5)].parent, indexOf(t, 3));
        QCOMPARE(t.maxDepth(), 2u);
        for (const Span& s : t.spans)
            QCOMPARE(s.problems, quint16(NoProblem));
    }

    void rootsAndOrphans_data()
    {
        QTest::addColumn<int>("orphans");
        QTest::newRow("no orphan") << 0;
        QTest::newRow("one orphan") << 1;
        QTest::newRow("two orphans") << 2;
    }

    void rootsAndOrphans()
    {
        QFETCH(int, orphans);
        SpanBatch batch;
        SpanDraft d;
        auto add = [&](SpanId id, SpanId parent, qint64 start) {
            d.clear();
            d.traceId = kTrace;
            d.spanId = id;
            d.parentId = parent;
            d.startNs = start;
            d.durationNs = 5;
            d.service = "s";
            d.operation = "o";
            batch.add(d);
        };
        add(1, 0, 10); // true root
        add(2, 1, 20);
        add(3, 0, 5); // a second true root, earlier
        for (int i = 0; i < orphans; ++i)
            add(100 + i, 500 + i, 30 + i); // parent 500.. is not in the trace
        Trace t = std::move(batch.takeTraces().front());
        TraceAssembler::assemble(t);
        std::vector<SpanId> expectedRoots { 3, 1 };
        for (int i = 0; i < orphans; ++i)
            expectedRoots.push_back(100 + i);
        QCOMPARE(rootIds(t), expectedRoots); // in start order
        for (int i = 0; i < orphans; ++i) {
            const Span& o = t.spans[indexOf(t, 100 + i)];
            QVERIFY(o.problems & OrphanSpan);
            QCOMPARE(o.parent, kNoIndex);
            QCOMPARE(o.depth, 0u);
        }
        QVERIFY(!(t.spans[indexOf(t, 1)].problems & OrphanSpan));
        QVERIFY(!(t.spans[indexOf(t, 2)].problems & OrphanSpan));
    }

    void zipkinSharedClientServer()
    {
        const Trace t = build({
            { .id = 1,
                .start = 0,
                .duration = 1000,
                .service = "front",
                .operation = "GET /",
                .kind = SpanKind::Server },
            { .id = 2,
                .parent = 1,
                .start = 100,
                .duration = 500,
                .service = "front",
                .operation = "call",
                .kind = SpanKind::Client },
            { .id = 2,
                .parent = 1,
                .start = 120,
                .duration = 450,
                .service = "back",
                .operation = "call",
                .kind = SpanKind::Server },
            { .id = 3, .parent = 2, .start = 200, .duration = 100, .service = "back", .operation = "db" },
        });
        QCOMPARE(t.spans.size(), size_t(4));
        const SpanId serverId = TraceAssembler::serverHalfId(2, "back");
        QVERIFY(serverId != 2);
        QCOMPARE(TraceAssembler::serverHalfId(2, "back"), serverId); // stable
        QVERIFY(TraceAssembler::serverHalfId(2, "other") != serverId);
        const quint32 client = indexOf(t, 2);
        const quint32 server = indexOf(t, serverId);
        const quint32 child = indexOf(t, 3);
        QVERIFY(client != kNoIndex && server != kNoIndex && child != kNoIndex);
        QCOMPARE(t.spans[client].kind, SpanKind::Client);
        QCOMPARE(t.spans[server].kind, SpanKind::Server);
        QCOMPARE(t.string(t.spans[server].service), std::string_view("back"));
        QVERIFY(t.spans[server].problems & SharedServerHalf);
        QVERIFY(!(t.spans[server].problems & DuplicateSpanId));
        QVERIFY(!(t.spans[client].problems & DuplicateSpanId));
        QCOMPARE(t.spans[server].parentId, SpanId(2));
        QCOMPARE(t.spans[server].parent, client);
        QCOMPARE(t.spans[child].parentId, serverId);
        QCOMPARE(t.spans[child].parent, server);
        QCOMPARE(t.spans[child].depth, 3u);
        QCOMPARE(rootIds(t), (std::vector<SpanId> { 1 }));
    }

    void identicalDuplicateDropped_data()
    {
        QTest::addColumn<int>("copies");
        QTest::newRow("twice") << 2;
        QTest::newRow("five times") << 5;
    }

    void identicalDuplicateDropped()
    {
        QFETCH(int, copies);
        SpanBatch batch;
        SpanDraft d;
        for (int i = 0; i < copies; ++i) {
            d.clear();
            d.traceId = kTrace;
            d.spanId = 7;
            d.startNs = 70;
            d.durationNs = 3;
            d.service = "s";
            d.operation = "o";
            d.attributes.addString("http.method", "GET");
            d.attributes.addInt("http.status_code", 200);
            batch.add(d);
        }
        Trace t = std::move(batch.takeTraces().front());
        QCOMPARE(t.spans.size(), size_t(copies));
        TraceAssembler::assemble(t);
        QCOMPARE(t.spans.size(), size_t(1));
        QCOMPARE(t.spans[0].problems, quint16(NoProblem));
        QCOMPARE(t.spans[0].attributes.count, 2u);
    }

    void differentSpansWithSameIdAreKept()
    {
        const Trace t = build({
            { .id = 1, .start = 0, .duration = 100 },
            { .id = 5, .parent = 1, .start = 10, .operation = "a", .tag = "x" },
            { .id = 5, .parent = 1, .start = 20, .operation = "b", .tag = "y" },
        });
        QCOMPARE(t.spans.size(), size_t(3));
        int flagged = 0;
        for (const Span& s : t.spans)
            flagged += (s.problems & DuplicateSpanId) ? 1 : 0;
        QCOMPARE(flagged, 1);
    }

    void cyclesAreBroken()
    {
        const Trace t = build({
            { .id = 1, .parent = 2, .start = 10 },
            { .id = 2, .parent = 1, .start = 20 },
            { .id = 3, .parent = 3, .start = 30 },
        });
        QCOMPARE(t.spans.size(), size_t(3));
        QVERIFY(t.spans[indexOf(t, 1)].problems & CycleBroken); // the earliest span of the cycle
        QCOMPARE(t.spans[indexOf(t, 2)].parent, indexOf(t, 1));
        QVERIFY(t.spans[indexOf(t, 3)].problems & SelfParent);
        QCOMPARE(rootIds(t), (std::vector<SpanId> { 1, 3 }));
    }

    void reassembleIsNoOp_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("rich hand-built trace") << 0;
        QTest::newRow("hotrod fixture") << 1;
        QTest::newRow("smartthings fixture") << 2;
    }

    void reassembleIsNoOp()
    {
        QFETCH(int, which);
        Trace t;
        if (which == 0) {
            t = richTrace();
        } else {
            if (!requireFixtures())
                return;
            auto traces = testsupport::importAll(
                testsupport::fixture(which == 1 ? QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json")
                                                : QStringLiteral("zipkin-v2/smartthings-mobile-web-install.json")));
            QVERIFY(traces && traces->size() == 1);
            t = std::move(traces->front());
        }
        const Trace once = t;
        TraceAssembler::assemble(t);
        QVERIFY(t == once);
        TraceAssembler::assemble(t);
        QVERIFY(t == once);
    }

    // Spans without a start time sit at their parent's start (a timeless root at the trace's earliest start), keep
    // the MissingStart flag, and leave the trace's extent alone; assembling again changes nothing.
    void timelessSpansArePlaced()
    {
        SpanBatch batch;
        SpanDraft d;
        const auto add = [&](SpanId id, SpanId parent, qint64 start, qint64 end) {
            d.clear();
            d.traceId = kTrace;
            d.spanId = id;
            d.parentId = parent;
            d.service = "svc";
            d.operation = "op";
            d.setUnixNanoTimes(start, end);
            batch.add(d);
        };
        add(1, 0, 1'000'000'000, 1'000'500'000);
        add(2, 1, 0, 0); // no times at all
        add(3, 2, 0, 0); // below another timeless span
        add(4, 1, 1'000'100'000, 0); // a start but no end
        add(5, 99, 0, 0); // an orphan without times: a root of its own
        add(6, 4, 0, 0); // below a span that starts later than the trace: at its parent's start
        auto traces = batch.takeTraces();
        Trace t = std::move(traces.front());
        TraceAssembler::assemble(t);
        const Span& two = t.spans[indexOf(t, 2)];
        const Span& three = t.spans[indexOf(t, 3)];
        QCOMPARE(two.startNs, qint64(1'000'000'000));
        QCOMPARE(three.startNs, qint64(1'000'000'000));
        QVERIFY(two.problems & MissingStart && two.problems & MissingDuration);
        QCOMPARE(t.spans[indexOf(t, 4)].durationNs, qint64(0));
        QVERIFY(t.spans[indexOf(t, 4)].problems & MissingDuration);
        QVERIFY(!(t.spans[indexOf(t, 4)].problems & MissingStart));
        QCOMPARE(t.spans[indexOf(t, 5)].startNs, qint64(1'000'000'000));
        QCOMPARE(t.spans[indexOf(t, 6)].startNs, qint64(1'000'100'000));
        QCOMPARE(t.startNs(), qint64(1'000'000'000));
        QCOMPARE(t.endNs(), qint64(1'000'500'000));
        // Parents before their timeless children at the same start.
        QVERIFY(indexOf(t, 1) < indexOf(t, 2) && indexOf(t, 2) < indexOf(t, 3));
        Trace again = t;
        TraceAssembler::assemble(again);
        QVERIFY(TraceAssembler::sameContent(again, t));
        for (size_t i = 0; i < t.spans.size(); ++i)
            QCOMPARE(again.spans[i].startNs, t.spans[i].startNs);
    }

    // A shared Zipkin id with one server half: every child of the id runs under the server half, whatever its
    // service (as Jaeger's DeduplicateClientServerSpanIDs moves them); with two server halves of different
    // services, each child follows the half of its own service.
    void childrenOfASharedIdFollowTheServerHalf()
    {
        const Trace one = build({
            { .id = 1, .start = 100, .duration = 1000, .service = "front", .kind = SpanKind::Server },
            { .id = 2, .parent = 1, .start = 200, .duration = 500, .service = "front", .kind = SpanKind::Client },
            { .id = 2, .parent = 1, .start = 210, .duration = 480, .service = "back", .kind = SpanKind::Server },
            { .id = 3, .parent = 2, .start = 250, .duration = 50, .service = "db" },
        });
        const SpanId half = TraceAssembler::serverHalfId(2, "back");
        QCOMPARE(one.spans[indexOf(one, 3)].parentId, half);
        QCOMPARE(one.spans[indexOf(one, 3)].depth, 3u);

        const Trace two = build({
            { .id = 1, .start = 100, .duration = 1000, .service = "front", .kind = SpanKind::Server },
            { .id = 2, .parent = 1, .start = 200, .duration = 500, .service = "front", .kind = SpanKind::Client },
            { .id = 2, .parent = 1, .start = 210, .duration = 480, .service = "back", .kind = SpanKind::Server },
            { .id = 2, .parent = 1, .start = 220, .duration = 400, .service = "mirror", .kind = SpanKind::Server },
            { .id = 3, .parent = 2, .start = 250, .duration = 50, .service = "back" },
            { .id = 4, .parent = 2, .start = 260, .duration = 50, .service = "mirror" },
        });
        QCOMPARE(two.spans[indexOf(two, 3)].parentId, TraceAssembler::serverHalfId(2, "back"));
        QCOMPARE(two.spans[indexOf(two, 4)].parentId, TraceAssembler::serverHalfId(2, "mirror"));
    }

    void appendThenAssembleEqualsWhole()
    {
        // Half of the spans, then the other half appended: the same spans and tree as all at once.
        const Trace whole = richTrace();
        Trace first = build({
            { .id = 1, .start = 100, .duration = 1000, .service = "front", .kind = SpanKind::Server, .tag = "a" },
            { .id = 2, .parent = 1, .start = 200, .duration = 500, .service = "front", .kind = SpanKind::Client },
            { .id = 3, .parent = 2, .start = 250, .duration = 50, .service = "back", .tag = "b" },
        });
        const Trace second = build({
            { .id = 2, .parent = 1, .start = 210, .duration = 480, .service = "back", .kind = SpanKind::Server },
            { .id = 4, .parent = 99, .start = 150, .service = "front" },
            { .id = 5, .parent = 6, .start = 300, .service = "x" },
            { .id = 6, .parent = 5, .start = 310, .service = "x" },
            { .id = 7, .parent = 1, .start = 400, .service = "front", .tag = "one" },
            { .id = 7, .parent = 1, .start = 400, .service = "front", .tag = "one" },
            { .id = 8, .parent = 1, .start = 420, .service = "front", .operation = "first" },
            { .id = 8, .parent = 1, .start = 430, .service = "front", .operation = "second" },
        });
        TraceAssembler::append(first, second);
        TraceAssembler::assemble(first);
        QCOMPARE(first.spans.size(), whole.spans.size());
        for (size_t i = 0; i < whole.spans.size(); ++i) {
            QCOMPARE(first.spans[i].id, whole.spans[i].id);
            QCOMPARE(first.spans[i].parentId, whole.spans[i].parentId);
            QCOMPARE(first.spans[i].depth, whole.spans[i].depth);
            QCOMPARE(first.spans[i].problems, whole.spans[i].problems);
        }
        QCOMPARE(rootIds(first), rootIds(whole));
    }

    // ARCHITECTURE.md: assembly is deterministic whatever the order the pieces arrive in. Spans that start at the
    // same instant (siblings, a Zipkin client and server half sharing an id, a duplicate) end up in one order,
    // whether they come in one batch in any order or in two batches appended either way round.
    void assemblyIndependentOfArrivalOrder()
    {
        const std::vector<S> spans = {
            { .id = 1, .start = 100, .duration = 1000, .service = "front", .kind = SpanKind::Server },
            { .id = 5, .parent = 1, .start = 200, .duration = 50, .service = "front" },
            { .id = 3, .parent = 1, .start = 200, .duration = 80, .service = "front" },
            { .id = 4, .parent = 1, .start = 200, .duration = 20, .service = "back" },
            { .id = 2, .parent = 1, .start = 300, .duration = 500, .service = "front", .kind = SpanKind::Client },
            { .id = 2, .parent = 1, .start = 300, .duration = 500, .service = "back", .kind = SpanKind::Server },
            { .id = 6, .parent = 2, .start = 300, .duration = 10, .service = "back" },
            { .id = 7, .parent = 2, .start = 300, .duration = 10, .service = "front" },
        };
        const Trace reference = build(spans);
        QCOMPARE(reference.spans.size(), spans.size());
        std::vector<size_t> order(spans.size());
        std::iota(order.begin(), order.end(), 0);
        std::mt19937 rng(42);
        for (int round = 0; round < 40; ++round) {
            std::shuffle(order.begin(), order.end(), rng);
            std::vector<S> shuffled;
            for (size_t i : order)
                shuffled.push_back(spans[i]);
            const Trace t = build(shuffled);
            QCOMPARE(spanIds(t), spanIds(reference));
            for (size_t i = 0; i < t.spans.size(); ++i) {
                QCOMPARE(t.spans[i].kind, reference.spans[i].kind);
                QCOMPARE(t.spans[i].parentId, reference.spans[i].parentId);
                QCOMPARE(t.string(t.spans[i].service), reference.string(reference.spans[i].service));
            }
            QVERIFY(TraceAssembler::sameContent(t, reference));

            // The same spans in two batches, the second appended to the first.
            const size_t cut = 1 + size_t(round) % (spans.size() - 1);
            Trace first = build(std::vector<S>(shuffled.begin(), shuffled.begin() + qsizetype(cut)));
            const Trace second = build(std::vector<S>(shuffled.begin() + qsizetype(cut), shuffled.end()));
            TraceAssembler::append(first, second);
            TraceAssembler::assemble(first);
            QCOMPARE(spanIds(first), spanIds(reference));
            QVERIFY(TraceAssembler::sameContent(first, reference));
        }
    }

    // A child of another service that starts or ends outside its parent is flagged as clock skew; one that
    // starts or ends exactly with it is not. Within one service, outlasting the parent is async work.
    void clockSkewBoundaries_data()
    {
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<QString>("service");
        QTest::addColumn<bool>("skew");
        // The parent runs from 100 to 200 in service "a".
        QTest::newRow("inside") << qint64(120) << qint64(180) << QStringLiteral("b") << false;
        QTest::newRow("ends with the parent") << qint64(150) << qint64(200) << QStringLiteral("b") << false;
        QTest::newRow("starts with the parent") << qint64(100) << qint64(150) << QStringLiteral("b") << false;
        QTest::newRow("exactly the parent") << qint64(100) << qint64(200) << QStringLiteral("b") << false;
        QTest::newRow("ends 1 ns after") << qint64(150) << qint64(201) << QStringLiteral("b") << true;
        QTest::newRow("starts 1 ns before") << qint64(99) << qint64(150) << QStringLiteral("b") << true;
        QTest::newRow("same service, ends after") << qint64(150) << qint64(300) << QStringLiteral("a") << false;
    }

    void clockSkewBoundaries()
    {
        QFETCH(qint64, start);
        QFETCH(qint64, end);
        QFETCH(QString, service);
        QFETCH(bool, skew);
        const QByteArray serviceName = service.toUtf8();
        const Trace t = build({
            { .id = 1, .start = 100, .duration = 100, .service = "a" },
            { .id = 2, .parent = 1, .start = start, .duration = end - start, .service = serviceName.constData() },
        });
        const Span& child = t.spans[indexOf(t, 2)];
        QCOMPARE(bool(child.problems & ClockSkew), skew);
        QCOMPARE(child.parent, indexOf(t, 1));
        QCOMPARE(t.spans[indexOf(t, 1)].problems, quint16(NoProblem));
    }

    // Pieces of one span (same id, one without a kind) merge into one span with the kind, whichever comes first;
    // an error reported by any piece stays.
    void piecesOfOneSpanMerge_data()
    {
        QTest::addColumn<bool>("kindFirst");
        QTest::newRow("kind first") << true;
        QTest::newRow("kind last") << false;
    }

    void piecesOfOneSpanMerge()
    {
        QFETCH(bool, kindFirst);
        const S withKind {
            .id = 9, .parent = 1, .start = 200, .duration = 50, .service = "q", .kind = SpanKind::Producer
        };
        const S withoutKind { .id = 9, .parent = 1, .start = 200, .duration = 50, .service = "q" };
        const S ok { .id = 10, .parent = 1, .start = 300, .duration = 50, .service = "q", .status = StatusCode::Ok };
        const S failed {
            .id = 10, .parent = 1, .start = 300, .duration = 50, .service = "q", .tag = "y", .status = StatusCode::Error
        };
        std::vector<S> spans { { .id = 1, .start = 100, .duration = 1000, .service = "q" } };
        spans.push_back(kindFirst ? withKind : withoutKind);
        spans.push_back(kindFirst ? withoutKind : withKind);
        spans.push_back(ok);
        spans.push_back(failed);
        const Trace t = build(spans);
        QCOMPARE(spanIds(t), (std::vector<SpanId> { 1, 9, 10 }));
        const Span& merged = t.spans[indexOf(t, 9)];
        QCOMPARE(merged.kind, SpanKind::Producer);
        QCOMPARE(merged.attributes.count, 0u);
        QCOMPARE(merged.problems, quint16(NoProblem));
        const Span& error = t.spans[indexOf(t, 10)];
        QVERIFY(error.isError());
        QCOMPARE(error.problems, quint16(NoProblem));
    }

    void codecRoundTrip_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("empty trace") << 0;
        QTest::newRow("rich hand-built trace") << 1;
        QTest::newRow("hotrod fixture") << 2;
    }

    void codecRoundTrip()
    {
        QFETCH(int, which);
        Trace t;
        if (which == 0) {
            t.id = kTrace;
        } else if (which == 1) {
            t = richTrace();
        } else {
            if (!requireFixtures())
                return;
            auto traces = testsupport::importAll(
                testsupport::fixture(QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json")));
            QVERIFY(traces && traces->size() == 1);
            t = std::move(traces->front());
        }
        QVERIFY(TraceCodec::isConsistent(t));
        const std::string bytes = TraceCodec::encode(t);
        QVERIFY(!bytes.empty());
        const std::optional<Trace> back = TraceCodec::decode(bytes);
        QVERIFY(back.has_value());
        QVERIFY(*back == t);
        QCOMPARE(TraceCodec::encode(*back), bytes);
    }

    void codecRejectsDamage_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<double>("where");
        QTest::newRow("empty") << QStringLiteral("truncate") << 0.0;
        QTest::newRow("truncated 1%") << QStringLiteral("truncate") << 0.01;
        QTest::newRow("truncated 10%") << QStringLiteral("truncate") << 0.1;
        QTest::newRow("truncated 50%") << QStringLiteral("truncate") << 0.5;
        QTest::newRow("truncated 90%") << QStringLiteral("truncate") << 0.9;
        QTest::newRow("last byte missing") << QStringLiteral("last") << 0.0;
        QTest::newRow("garbage") << QStringLiteral("garbage") << 0.0;
        QTest::newRow("bad magic") << QStringLiteral("magic") << 0.0;
        QTest::newRow("trailing bytes") << QStringLiteral("trailing") << 0.0;
    }

    void codecRejectsDamage()
    {
        QFETCH(QString, damage);
        QFETCH(double, where);
        const Trace t = richTrace();
        std::string bytes = TraceCodec::encode(t);
        if (damage == QLatin1String("truncate"))
            bytes.resize(static_cast<size_t>(bytes.size() * where));
        else if (damage == QLatin1String("last"))
            bytes.pop_back();
        else if (damage == QLatin1String("garbage"))
            bytes = std::string(bytes.size(), '\xA5');
        else if (damage == QLatin1String("magic"))
            bytes[0] = 'X';
        else if (damage == QLatin1String("trailing"))
            bytes += "junk";
        QVERIFY(!TraceCodec::decode(bytes).has_value());
    }

    // Blobs that fuzz_tracecodec (tests/fuzz) found decoding into traces that crash their readers, one file each in
    // tests/crashes/tracecodec/: the decoder must refuse them.
    void codecRejectsFuzzedBlobs_data()
    {
        QTest::addColumn<QString>("path");
        const QDir blobs(QStringLiteral(TRACEMAP_TESTS_DIR "/crashes/tracecodec"));
        const QFileInfoList files = blobs.entryInfoList(QDir::Files, QDir::Name);
        QVERIFY(!files.isEmpty());
        for (const QFileInfo& file : files)
            QTest::newRow(qPrintable(file.fileName())) << file.absoluteFilePath();
    }

    void codecRejectsFuzzedBlobs()
    {
        QFETCH(QString, path);
        const QByteArray bytes = testsupport::readAll(path);
        QVERIFY(!bytes.isEmpty());
        QVERIFY(!TraceCodec::decode(std::string_view(bytes.constData(), size_t(bytes.size()))).has_value());
    }

    void codecRejectsOutOfRangeIndexes()
    {
        // Every byte flipped, one at a time, in the span array area: decode must either fail or give a consistent
        // trace (never crash, never an out-of-range index).
        const Trace t = richTrace();
        const std::string good = TraceCodec::encode(t);
        for (size_t i = 0; i < good.size(); i += 3) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ 0x7f);
            const auto decoded = TraceCodec::decode(bad);
            if (decoded)
                QVERIFY2(TraceCodec::isConsistent(*decoded), qPrintable(QStringLiteral("byte %1").arg(i)));
        }
    }

    // A consumer ending after its producer is async messaging; the same span ending after an ordinary caller, or
    // starting before its producer, is clock skew.
    void consumerEndingAfterItsProducerIsNotSkew()
    {
        const Trace t = build({ { 1, 0, 1000, 100, "shop", "send", SpanKind::Producer },
            { 2, 1, 1050, 500, "worker", "process", SpanKind::Consumer },
            { 3, 0, 1000, 100, "shop", "call", SpanKind::Client },
            { 4, 3, 1050, 500, "api", "serve", SpanKind::Server },
            { 5, 1, 990, 20, "worker", "early", SpanKind::Consumer } });
        auto skewed = [&t](SpanId id) { return (t.spans[indexOf(t, id)].problems & ClockSkew) != 0; };
        QVERIFY(!skewed(2));
        QVERIFY(skewed(4));
        QVERIFY(skewed(5));
    }
};

QTEST_GUILESS_MAIN(TestAssembler)
#include "tst_assembler.moc"
