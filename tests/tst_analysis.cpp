// Critical path, self time, clock skew and the aggregated flame graph on hand-built traces with known answers and
// on real fixtures.

#include "importsupport.h"

#include "analysis/clockskewadjuster.h"
#include "analysis/criticalpath.h"
#include "analysis/flamegraph.h"
#include "analysis/selftime.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"

#include <QObject>
#include <QTest>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

using namespace tracemap;

namespace {

struct S {
    SpanId id = 0;
    SpanId parent = 0;
    qint64 start = 0;
    qint64 duration = 10;
    const char* service = "svc";
    const char* operation = "op";
};

Trace build(std::initializer_list<S> spans, TraceId traceId = { 0, 0xabc })
{
    SpanBatch batch;
    SpanDraft d;
    for (const S& s : spans) {
        d.clear();
        d.traceId = traceId;
        d.spanId = s.id;
        d.parentId = s.parent;
        d.startNs = s.start;
        d.durationNs = s.duration;
        d.service = s.service;
        d.operation = s.operation;
        batch.add(d);
    }
    auto traces = batch.takeTraces();
    Q_ASSERT(traces.size() == 1);
    Trace t = std::move(traces.front());
    TraceAssembler::assemble(t);
    return t;
}

// Span i + 1 is the only child of span i; span i runs [i, 2n - i), so every span has 2 ns of self time.
Trace deepChain(quint32 n)
{
    SpanBatch batch;
    SpanDraft d;
    for (quint32 i = 0; i < n; ++i) {
        d.clear();
        d.traceId = { 0, 0xdee9 };
        d.spanId = i + 1;
        d.parentId = i;
        d.startNs = i;
        d.durationNs = 2 * qint64(n) - 2 * qint64(i);
        d.service = "svc";
        d.operation = "op";
        batch.add(d);
    }
    Trace t = std::move(batch.takeTraces().front());
    TraceAssembler::assemble(t);
    return t;
}

quint32 indexOf(const Trace& t, SpanId id)
{
    for (quint32 i = 0; i < t.spans.size(); ++i) {
        if (t.spans[i].id == id)
            return i;
    }
    return kNoIndex;
}

quint32 indexOf(const Trace& t, std::string_view service, std::string_view operation)
{
    for (quint32 i = 0; i < t.spans.size(); ++i) {
        if (t.serviceName(t.spans[i]) == service && t.operationName(t.spans[i]) == operation)
            return i;
    }
    return kNoIndex;
}

// Segments as "id:start-end", so one QCOMPARE checks a whole path.
QStringList describe(const Trace& t, const CriticalPath& path)
{
    QStringList out;
    for (const CriticalPath::Segment& s : path.segments)
        out << QStringLiteral("%1:%2-%3").arg(t.spans[s.span].id).arg(s.startNs).arg(s.endNs);
    return out;
}

std::vector<SpanId> ids(const Trace& t, const std::vector<quint32>& indices)
{
    std::vector<SpanId> out;
    for (quint32 i : indices)
        out.push_back(t.spans[i].id);
    return out;
}

void checkSegmentsCoverRoot(const Trace& t, const CriticalPath& path, quint32 root)
{
    QVERIFY(!path.segments.empty());
    QCOMPARE(path.segments.front().startNs, t.spans[root].startNs);
    QCOMPARE(path.segments.back().endNs, t.spans[root].endNs());
    for (size_t i = 1; i < path.segments.size(); ++i)
        QCOMPARE(path.segments[i].startNs, path.segments[i - 1].endNs);
    QCOMPARE(path.totalNs(), t.spans[root].durationNs);
}

// The tree of an adjusted trace matches what TraceAssembler makes of it (childIndex layout aside).
void checkSameTree(const Trace& adjusted)
{
    Trace again = adjusted;
    TraceAssembler::assemble(again);
    QCOMPARE(again.roots, adjusted.roots);
    QCOMPARE(again.spans.size(), adjusted.spans.size());
    for (size_t i = 0; i < again.spans.size(); ++i) {
        const Span& x = again.spans[i];
        const Span& y = adjusted.spans[i];
        QCOMPARE(x.id, y.id);
        QCOMPARE(x.startNs, y.startNs);
        QCOMPARE(x.parent, y.parent);
        QCOMPARE(x.depth, y.depth);
        QCOMPARE(x.problems, y.problems);
        QCOMPARE(x.children.count, y.children.count);
        QVERIFY(std::equal(again.childIndex.begin() + x.children.begin, again.childIndex.begin() + x.children.end(),
            adjusted.childIndex.begin() + y.children.begin));
    }
}

std::vector<Trace> importFixture(const char* relative)
{
    auto traces = testsupport::importAll(testsupport::fixture(QString::fromLatin1(relative)));
    if (!traces)
        return {};
    return std::move(*traces);
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void criticalPathSequentialChildren()
    {
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 10, 30 }, { 3, 1, 50, 40 } });
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(describe(t, path),
            (QStringList { QStringLiteral("1:0-10"), QStringLiteral("2:10-40"), QStringLiteral("1:40-50"),
                QStringLiteral("3:50-90"), QStringLiteral("1:90-100") }));
        QCOMPARE(ids(t, path.spans), (std::vector<SpanId> { 1, 2, 3 }));
        QCOMPARE(ids(t, CriticalPath::of(t)), (std::vector<SpanId> { 1, 2, 3 }));
        const auto critical = path.criticalTimeBySpan(t.spans.size());
        QCOMPARE(critical[indexOf(t, 1)], 30);
        QCOMPARE(critical[indexOf(t, 3)], 40);
        checkSegmentsCoverRoot(t, path, indexOf(t, 1));
    }

    void criticalPathOverlappingChildren()
    {
        // 2 and 3 run concurrently; 3 finishes last, so 2 is off the path.
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 10, 50 }, { 3, 1, 20, 60 } });
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(describe(t, path),
            (QStringList { QStringLiteral("1:0-20"), QStringLiteral("3:20-80"), QStringLiteral("1:80-100") }));
        QCOMPARE(ids(t, path.spans), (std::vector<SpanId> { 1, 3 }));
    }

    void criticalPathChildLongerThanParent()
    {
        // 3 outlives its parent 2: it is clipped to 2's end.
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 10, 40 }, { 3, 2, 20, 100 } });
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(describe(t, path),
            (QStringList { QStringLiteral("1:0-10"), QStringLiteral("2:10-20"), QStringLiteral("3:20-50"),
                QStringLiteral("1:50-100") }));
        checkSegmentsCoverRoot(t, path, indexOf(t, 1));
    }

    void criticalPathChildStartingBeforeParent()
    {
        // 3 starts before its parent 2 (clock skew): it is clipped to 2's start, so the path never leaves 2's
        // interval and the segments still tile the root exactly once.
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 30, 40 }, { 3, 2, 10, 50 } });
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(describe(t, path),
            (QStringList { QStringLiteral("1:0-30"), QStringLiteral("3:30-60"), QStringLiteral("2:60-70"),
                QStringLiteral("1:70-100") }));
        checkSegmentsCoverRoot(t, path, indexOf(t, 1));
        const auto critical = path.criticalTimeBySpan(t.spans.size());
        QCOMPARE(critical[indexOf(t, 3)], 30);
    }

    // Children that touch (one ends when the next starts) and a zero-length child: self time counts the covered
    // time once, and a child starting before its parent is clipped to the parent.
    void selfTimeBoundaries()
    {
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 10, 20 }, { 3, 1, 30, 20 }, { 4, 1, 60, 0 }, // 1: 100 - 40
            { 10, 0, 200, 100 }, { 11, 10, 150, 100 }, // 10: 100 - |[200,250)|
            { 20, 0, 400, 100 }, { 21, 20, 410, 50 }, { 22, 20, 420, 10 } }); // 20: 100 - |[410,460)|
        const std::vector<qint64> self = SelfTime::perSpan(t);
        QCOMPARE(self[indexOf(t, 1)], 60);
        QCOMPARE(self[indexOf(t, 4)], 0);
        QCOMPARE(self[indexOf(t, 10)], 50);
        QCOMPARE(self[indexOf(t, 20)], 50);
    }

    void criticalPathAsyncChildAfterParentEnd()
    {
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 20, 30 }, { 3, 1, 150, 50 } });
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(describe(t, path),
            (QStringList { QStringLiteral("1:0-20"), QStringLiteral("2:20-50"), QStringLiteral("1:50-100") }));
    }

    void criticalPathStartsAtTheRootEndingLast()
    {
        const Trace t = build({ { 1, 0, 0, 100 }, { 5, 0, 10, 200 }, { 6, 5, 20, 10 } });
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(ids(t, path.spans), (std::vector<SpanId> { 5, 6 }));
        checkSegmentsCoverRoot(t, path, indexOf(t, 5));
    }

    void criticalPathDeepChain()
    {
        constexpr quint32 n = 100000;
        const Trace t = deepChain(n);
        QCOMPARE(t.maxDepth(), n - 1);
        const CriticalPath path = CriticalPath::compute(t);
        QCOMPARE(path.spans.size(), size_t(n));
        QCOMPARE(path.segments.size(), size_t(2 * n - 1)); // the innermost span has one segment, the others two
        checkSegmentsCoverRoot(t, path, t.roots.front());
        for (quint32 i = 0; i < n; ++i)
            QCOMPARE(t.spans[path.spans[i]].id, SpanId(i + 1));
    }

    void selfTimeHandBuilt()
    {
        // Sequential, overlapping, outliving and after-the-end children.
        const Trace t = build({ { 1, 0, 0, 100 }, { 2, 1, 10, 30 }, { 3, 1, 50, 40 }, // 1: 100 - 70
            { 10, 0, 0, 100 }, { 11, 10, 10, 50 }, { 12, 10, 20, 60 }, // 10: 100 - |[10,80)|
            { 20, 0, 0, 40 }, { 21, 20, 20, 100 }, // 20: 40 - |[20,40)|
            { 30, 0, 0, 100 }, { 31, 30, 150, 50 } }); // 30: all of it
        const std::vector<qint64> self = SelfTime::perSpan(t);
        QCOMPARE(self[indexOf(t, 1)], 30);
        QCOMPARE(self[indexOf(t, 2)], 30);
        QCOMPARE(self[indexOf(t, 10)], 30);
        QCOMPARE(self[indexOf(t, 20)], 20);
        QCOMPARE(self[indexOf(t, 21)], 100);
        QCOMPARE(self[indexOf(t, 30)], 100);
    }

    void selfTimeDeepChain()
    {
        constexpr quint32 n = 100000;
        const Trace t = deepChain(n);
        const std::vector<qint64> self = SelfTime::perSpan(t);
        QVERIFY(std::all_of(self.begin(), self.end(), [](qint64 v) { return v == 2; }));
        QCOMPARE(std::accumulate(self.begin(), self.end(), qint64(0)), t.spans[t.roots.front()].durationNs);
    }

    void operationTable()
    {
        const Trace t
            = build({ { 1, 0, 0, 100, "a", "root" }, { 2, 1, 10, 30, "b", "work" }, { 3, 1, 50, 40, "b", "work" } });
        const auto rows = SelfTime::perOperation(t);
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows[0].service, std::string("b")); // the most self time first
        QCOMPARE(rows[0].operation, std::string("work"));
        QCOMPARE(rows[0].count, 2);
        QCOMPARE(rows[0].totalNs, 70);
        QCOMPARE(rows[0].selfNs, 70);
        QCOMPARE(rows[0].maxNs, 40);
        QCOMPARE(rows[1].service, std::string("a"));
        QCOMPARE(rows[1].count, 1);
        QCOMPARE(rows[1].selfNs, 30);
    }

    void operationTableSumsOnHotrod()
    {
        if (!requireFixtures())
            return;
        const auto traces = importFixture("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
        QVERIFY(!traces.empty());
        for (const Trace& t : traces) {
            const std::vector<qint64> self = SelfTime::perSpan(t);
            const auto rows = SelfTime::perOperation(t, self);
            qint64 count = 0, total = 0, selfSum = 0;
            for (const auto& row : rows) {
                count += row.count;
                total += row.totalNs;
                selfSum += row.selfNs;
                QVERIFY(row.selfNs <= row.totalNs);
                QVERIFY(row.maxNs <= row.totalNs);
                QVERIFY(row.maxNs * row.count >= row.totalNs);
            }
            QCOMPARE(count, qint64(t.spans.size()));
            qint64 durations = 0;
            for (const Span& s : t.spans)
                durations += s.durationNs;
            QCOMPARE(total, durations);
            QCOMPARE(selfSum, std::accumulate(self.begin(), self.end(), qint64(0)));
        }
    }

    void criticalPathHotrod()
    {
        if (!requireFixtures())
            return;
        const auto traces = importFixture("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
        QCOMPARE(traces.size(), size_t(1));
        const Trace& t = traces.front();
        const CriticalPath path = CriticalPath::compute(t);
        QVERIFY(path.spans.size() > 2);
        const quint32 root = path.spans.front();
        QCOMPARE(t.spans[root].parent, kNoIndex);
        QCOMPARE(t.serviceName(t.spans[root]), std::string_view("frontend"));
        checkSegmentsCoverRoot(t, path, root);
        // A chain: every span on the path below the root hangs under a span on the path.
        std::vector<bool> onPath(t.spans.size(), false);
        for (quint32 s : path.spans)
            onPath[s] = true;
        bool leavesFrontend = false;
        for (quint32 s : path.spans) {
            if (s != root)
                QVERIFY(t.spans[s].parent != kNoIndex && onPath[t.spans[s].parent]);
            leavesFrontend |= t.serviceName(t.spans[s]) != "frontend";
        }
        QVERIFY(leavesFrontend);
    }

    void clockSkewZipkin()
    {
        if (!requireFixtures())
            return;
        const auto traces = importFixture("zipkin-v2/skew.json");
        QCOMPARE(traces.size(), size_t(1));
        const Trace& t = traces.front();
        const Trace before = t;
        const quint32 server = indexOf(t, "serviceb", "post");
        const quint32 client = indexOf(t, "servicea", "post");
        QVERIFY(server != kNoIndex && client != kNoIndex);
        QCOMPARE(t.spans[server].parent, client);

        const auto findings = ClockSkewAdjuster::detect(t);
        QCOMPARE(findings.size(), size_t(1));
        QCOMPARE(findings[0].span, server);
        QCOMPARE(findings[0].parent, client);
        QCOMPARE(findings[0].earlyNs, (1470150004074202 - 1470150004008761) * 1000);
        QVERIFY(ClockSkewAdjuster::hostKey(t, t.spans[server]) != ClockSkewAdjuster::hostKey(t, t.spans[client]));

        const ClockSkewAdjuster::Adjustment adjusted = ClockSkewAdjuster::adjust(t);
        QVERIFY(t == before); // the input is not touched
        const Trace& a = adjusted.trace;
        QCOMPARE(a.spans.size(), t.spans.size());
        // latency = (94539 - 93577) / 2 µs; delta = clientStart + latency - serverStart
        const qint64 expected = (1470150004074202 + 481 - 1470150004008761) * 1000;
        const quint32 aServer = indexOf(a, "serviceb", "post");
        const quint32 aClient = indexOf(a, "servicea", "post");
        const quint32 aAsync = indexOf(a, "serviceb", "async");
        QCOMPARE(adjusted.deltaNs[aServer], expected);
        QCOMPARE(adjusted.deltaNs[aAsync], expected); // same host: inherits the delta
        QCOMPARE(adjusted.deltaNs[aClient], 0);
        QCOMPARE(adjusted.adjustedSpans, size_t(2));
        QCOMPARE(a.spans[aServer].parent, aClient);
        QVERIFY(a.spans[aServer].startNs >= a.spans[aClient].startNs);
        QVERIFY(a.spans[aServer].endNs() <= a.spans[aClient].endNs());
        QCOMPARE(a.spans[aServer].durationNs, t.spans[server].durationNs);
        QVERIFY(!(a.spans[aServer].problems & SpanProblem::ClockSkew));
        QVERIFY(t.spans[server].problems & SpanProblem::ClockSkew);
        QVERIFY(ClockSkewAdjuster::detect(a).empty());
        const Span& s = a.spans[aServer];
        QVERIFY(s.warnings.count >= 1);
        const std::string_view warning = a.text(a.warnings[s.warnings.end() - 1]);
        QVERIFY2(warning.starts_with("clock skew adjusted by +"), std::string(warning).c_str());
        QVERIFY(warning.find(std::to_string(expected)) != std::string_view::npos);

        // The result keeps the trace invariants: assembling it again changes nothing but the layout.
        QVERIFY(std::is_sorted(
            a.spans.begin(), a.spans.end(), [](const Span& x, const Span& y) { return x.startNs < y.startNs; }));
        checkSameTree(a);
    }

    void clockSkewChildLongerThanParent()
    {
        if (!requireFixtures())
            return;
        const auto traces = importFixture("jaeger/child-longer-than-parent.json");
        QCOMPARE(traces.size(), size_t(1));
        const Trace& t = traces.front();
        const quint32 child = indexOf(t, "service-two", "async task 1");
        const quint32 parent = indexOf(t, "service-one", "send");
        QVERIFY(child != kNoIndex && parent != kNoIndex);
        const auto findings = ClockSkewAdjuster::detect(t);
        QCOMPARE(findings.size(), size_t(1));
        QCOMPARE(findings[0].span, child);
        QCOMPARE(findings[0].earlyNs, 0);
        QCOMPARE(findings[0].lateNs, (500 - 140) * 1000);
        // Longer than its parent and not starting before it: Jaeger leaves it alone.
        const ClockSkewAdjuster::Adjustment adjusted = ClockSkewAdjuster::adjust(t);
        QCOMPARE(adjusted.adjustedSpans, size_t(0));
        QVERIFY(std::all_of(adjusted.deltaNs.begin(), adjusted.deltaNs.end(), [](qint64 d) { return d == 0; }));
        QVERIFY(adjusted.trace == t);
    }

    void clockSkewHandBuilt()
    {
        // Services stand for hosts here. b starts before a and is longer than it: only moved to a's start. c (a
        // child of b on another host) sits inside b after the shift; d (same host as b) inherits b's delta.
        const Trace t = build({ { 1, 0, 1000, 100, "a" }, { 2, 1, 900, 300, "b" }, { 3, 2, 1000, 10, "c" },
            { 4, 2, 950, 10, "b" }, { 5, 1, 1090, 20, "e" } });
        const ClockSkewAdjuster::Adjustment adjusted = ClockSkewAdjuster::adjust(t);
        const Trace& a = adjusted.trace;
        QCOMPARE(adjusted.deltaNs[indexOf(a, 2)], 100);
        QCOMPARE(adjusted.deltaNs[indexOf(a, 4)], 100);
        QCOMPARE(adjusted.deltaNs[indexOf(a, 3)], 0); // inside the adjusted b: [1000, 1300)
        // e: parent [1000, 1100), child 20 ns ending late: latency 40, delta 1000 + 40 - 1090.
        QCOMPARE(adjusted.deltaNs[indexOf(a, 5)], -50);
        QCOMPARE(a.spans[indexOf(a, 5)].startNs, 1040);
        QCOMPARE(a.spans[indexOf(a, 4)].startNs, 1050);
        QCOMPARE(a.spans[a.spans[indexOf(a, 4)].parent].id, SpanId(2));
        checkSameTree(a);
    }

    // A child on another host 2^64 ns before its parent (times at both ends of what Jaeger's microseconds allow):
    // the difference does not fit a qint64 (it overflowed, undefined behaviour found by the fuzz targets), and no
    // shift can move the child inside its parent, so none is made. Files of tests/crashes/clockskew/.
    void clockSkewAtTheEndsOfTime()
    {
        const QDir crashes(QStringLiteral(TRACEMAP_TESTS_DIR "/crashes/clockskew"));
        const QFileInfoList files = crashes.entryInfoList(QDir::Files, QDir::Name);
        QVERIFY(!files.isEmpty());
        for (const QFileInfo& file : files) {
            const auto traces = testsupport::importAll(file.absoluteFilePath());
            QVERIFY2(traces.has_value(), qPrintable(file.fileName()));
            QCOMPARE(traces->size(), size_t(1));
            const Trace& t = traces->front();
            const auto findings = ClockSkewAdjuster::detect(t);
            QCOMPARE(findings.size(), size_t(1));
            QCOMPARE(findings[0].earlyNs, std::numeric_limits<qint64>::max());
            const ClockSkewAdjuster::Adjustment adjusted = ClockSkewAdjuster::adjust(t);
            QCOMPARE(adjusted.adjustedSpans, size_t(0));
            QVERIFY(adjusted.trace == t);
        }
    }

    void flameGraphMergesEqualPaths()
    {
        const Trace t1 = build({ { 1, 0, 0, 100, "a", "root" }, { 2, 1, 10, 30, "b", "work" },
                                   { 3, 1, 50, 40, "b", "work" }, { 4, 3, 60, 10, "c", "db" } },
            { 0, 1 });
        const Trace t2 = build(
            { { 1, 0, 0, 200, "a", "root" }, { 2, 1, 0, 50, "b", "work" }, { 3, 1, 100, 20, "d", "cache" } }, { 0, 2 });
        FlameGraph graph;
        graph.add(t1);
        graph.add(t2);
        graph.build();
        QCOMPARE(graph.traceCount(), size_t(2));
        QCOMPARE(graph.nodes().size(), size_t(5)); // all, a:root, b:work, c:db under b:work, d:cache
        QCOMPARE(graph.name(0), std::string_view("all"));
        QCOMPARE(graph.nodes()[0].totalNs, 300);
        const quint32 root = graph.child(0, "a:root");
        QVERIFY(root != kNoIndex);
        QCOMPARE(graph.nodes()[root].count, 2);
        QCOMPARE(graph.nodes()[root].totalNs, 300);
        QCOMPARE(graph.nodes()[root].selfNs, 30 + 130);
        const quint32 work = graph.child(root, "b:work");
        QCOMPARE(graph.nodes()[work].count, 3);
        QCOMPARE(graph.nodes()[work].totalNs, 120);
        QCOMPARE(graph.nodes()[work].selfNs, 110);
        QCOMPARE(graph.nodes()[work].depth, quint32(2));
        const quint32 db = graph.child(work, "c:db");
        QCOMPARE(graph.nodes()[db].count, 1);
        QCOMPARE(graph.nodes()[db].parent, work);
        // Children by total, descending.
        const auto kids = graph.children(root);
        QCOMPARE(kids.size(), size_t(2));
        QCOMPARE(graph.name(kids[0]), std::string_view("b:work"));
        QCOMPARE(graph.name(kids[1]), std::string_view("d:cache"));
        // Totals are consistent: no overlapping children here, so a node covers its children.
        for (quint32 i = 0; i < graph.nodes().size(); ++i) {
            qint64 children = 0;
            for (quint32 c : graph.children(i))
                children += graph.nodes()[c].totalNs;
            QVERIFY(graph.nodes()[i].totalNs >= children);
            if (i > 0)
                QCOMPARE(graph.nodes()[i].selfNs, graph.nodes()[i].totalNs - children);
            const Range sub = graph.subtree(i);
            for (quint32 d = sub.begin + 1; d < sub.end(); ++d)
                QVERIFY(graph.nodes()[d].depth > graph.nodes()[i].depth);
        }

        graph.build(FlameGraph::Order::Name);
        const auto byName = graph.children(graph.child(0, "a:root"));
        QCOMPARE(graph.name(byName[0]), std::string_view("b:work"));
        QCOMPARE(graph.name(byName[1]), std::string_view("d:cache"));

        const FlameGraph zoomed = graph.zoomedTo(graph.child(graph.child(0, "a:root"), "b:work"));
        QCOMPARE(zoomed.nodes().size(), size_t(2));
        QCOMPARE(zoomed.name(0), std::string_view("b:work"));
        QCOMPARE(zoomed.nodes()[0].totalNs, 120);
        QCOMPARE(zoomed.nodes()[0].depth, quint32(0));
        QCOMPARE(zoomed.name(zoomed.children(0)[0]), std::string_view("c:db"));
        QCOMPARE(zoomed.subtree(0).count, quint32(2));
    }

    void flameGraphDeepChainAndRealTraces()
    {
        FlameGraph graph;
        graph.add(deepChain(100000));
        graph.build();
        QCOMPARE(graph.nodes().size(), size_t(100001));
        QCOMPARE(graph.maxDepth(), quint32(100000));
        QCOMPARE(graph.nodes().back().selfNs, 2);
        if (!requireFixtures())
            return;
        const auto traces = importFixture("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
        FlameGraph hotrod;
        for (const Trace& t : traces) {
            hotrod.add(t);
            hotrod.add(t);
        }
        hotrod.build();
        qint64 spans = 0;
        for (quint32 i = 1; i < hotrod.nodes().size(); ++i) {
            spans += hotrod.nodes()[i].count;
            QCOMPARE(hotrod.nodes()[i].count % 2, 0); // every path seen twice
        }
        QCOMPARE(spans, 2 * qint64(traces.front().spans.size()));
        QCOMPARE(hotrod.nodes()[0].subtreeEnd, quint32(hotrod.nodes().size()));
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"
