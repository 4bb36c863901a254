#include "analysis/flamegraph.h"
#include "flamechartlayout.h"
#include "flamechartview.h"
#include "flamegraphview.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"
#include "model/traceassembler.h"
#include "servicecolors.h"
#include "traceselection.h"

#include "importsupport.h"

#include <QFutureWatcher>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QtTest/QtTest>

#include <memory>
#include <random>
#include <set>

using namespace tracemap;

Q_DECLARE_METATYPE(tracemap::FlameChartLayout::Packing)

namespace {

constexpr qint64 kBase = 1767225600000000000;

/// A random tree: children start inside their parent, some outlast it, siblings overlap (async), 10 % errors.
std::shared_ptr<const Trace> randomTrace(int count, quint64 seed)
{
    std::mt19937_64 rng(seed);
    std::vector<qint64> starts(static_cast<size_t>(count)), durations(static_cast<size_t>(count));
    SpanBatch batch;
    SpanDraft draft;
    for (int i = 0; i < count; ++i) {
        draft.clear();
        draft.traceId = TraceId { 0, 0x1234 };
        draft.spanId = SpanId(i + 1);
        if (i == 0) {
            starts[0] = kBase;
            durations[0] = 1000000000;
        } else {
            const int parent = int(rng() % quint64(i));
            draft.parentId = SpanId(parent + 1);
            const qint64 offset = qint64(rng() % quint64(std::max<qint64>(1, durations[size_t(parent)])));
            starts[size_t(i)] = starts[size_t(parent)] + offset;
            const qint64 room = std::max<qint64>(1, durations[size_t(parent)] - offset);
            durations[size_t(i)] = rng() % 8 == 0 ? room + qint64(rng() % 1000) : qint64(rng() % quint64(room));
        }
        draft.startNs = starts[size_t(i)];
        draft.durationNs = durations[size_t(i)];
        draft.service = "svc-" + std::to_string(rng() % 5);
        draft.operation = "op-" + std::to_string(i);
        draft.status = rng() % 10 == 0 ? StatusCode::Error : StatusCode::Unset;
        batch.add(draft);
    }
    std::vector<Trace> traces = batch.takeTraces();
    TraceAssembler::assemble(traces.front());
    return std::make_shared<const Trace>(std::move(traces.front()));
}

qint64 relStart(const Trace& trace, quint32 i)
{
    return trace.spans[i].startNs - trace.startNs();
}

qint64 relEnd(const Trace& trace, quint32 i)
{
    return relStart(trace, i) + trace.spans[i].durationNs;
}

struct HandSpan {
    int id;
    int parent; // 0 for the root
    const char* service;
    const char* operation;
    qint64 startMs;
    qint64 endMs;
};

std::shared_ptr<const Trace> handTrace(const std::vector<HandSpan>& spans)
{
    SpanBatch batch;
    SpanDraft draft;
    for (const HandSpan& h : spans) {
        draft.clear();
        draft.traceId = TraceId { 0, 0x77 };
        draft.spanId = SpanId(h.id);
        draft.parentId = SpanId(h.parent);
        draft.startNs = kBase + h.startMs * 1000000;
        draft.durationNs = (h.endMs - h.startMs) * 1000000;
        draft.service = h.service;
        draft.operation = h.operation;
        batch.add(draft);
    }
    std::vector<Trace> traces = batch.takeTraces();
    TraceAssembler::assemble(traces.front());
    return std::make_shared<const Trace>(std::move(traces.front()));
}

// Every span is in exactly one row; a row's spans never overlap and its start and end arrays are both sorted
// (what the binary searches rely on).
void checkRows(const FlameChartLayout& layout, const Trace& trace)
{
    size_t total = 0;
    for (int row = 0; row < layout.rowCount(); ++row) {
        QVERIFY(layout.spanCount(row) > 0);
        total += layout.spanCount(row);
        for (size_t p = 0; p < layout.spanCount(row); ++p) {
            QCOMPARE(layout.rowOf(layout.spanAt(row, p)), row);
            if (p == 0)
                continue;
            QVERIFY(layout.relativeStart(row, p) >= layout.relativeEnd(row, p - 1));
            QVERIFY(layout.relativeStart(row, p) >= layout.relativeStart(row, p - 1));
            QVERIFY(layout.relativeEnd(row, p) >= layout.relativeEnd(row, p - 1));
        }
    }
    QCOMPARE(total, trace.spans.size());
}

} // namespace

class TestFlameChart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rowsDoNotOverlap_data()
    {
        QTest::addColumn<FlameChartLayout::Packing>("packing");
        QTest::newRow("tree") << FlameChartLayout::Packing::Tree;
        QTest::newRow("compact") << FlameChartLayout::Packing::Compact;
    }

    void rowsDoNotOverlap()
    {
        QFETCH(FlameChartLayout::Packing, packing);
        const auto trace = randomTrace(3000, 1);
        const FlameChartLayout layout(trace, {}, packing);
        checkRows(layout, *trace);
        QVERIFY(layout.rowCount() > int(trace->maxDepth()) + 1); // random siblings overlap: sub-rows were needed
    }

    // Each span sits in the first row below its parent that is free over its interval: every row between the
    // parent and the span is taken there by something else. HotROD's customer call used to land several rows
    // below its parent, behind the sub-rows of unrelated overlapping spans of its depth.
    void childrenStayUnderParents_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("random") << QString();
        QTest::newRow("hotrod") << QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json");
    }

    void childrenStayUnderParents()
    {
        QFETCH(QString, file);
        std::shared_ptr<const Trace> trace;
        if (file.isEmpty()) {
            trace = randomTrace(3000, 5);
        } else {
            if (!testsupport::requireFixtures())
                return;
            auto traces = testsupport::importAll(testsupport::fixture(file));
            QVERIFY(traces.has_value());
            QCOMPARE(traces->size(), size_t(1));
            trace = std::make_shared<const Trace>(std::move(traces->front()));
        }
        const FlameChartLayout layout(trace);
        checkRows(layout, *trace);
        for (quint32 i = 0; i < trace->spans.size(); ++i) {
            const Span& span = trace->spans[i];
            const int floor = span.parent == kNoIndex ? -1 : layout.rowOf(span.parent);
            const qint64 start = relStart(*trace, i);
            const qint64 end = relEnd(*trace, i);
            for (int row = floor + 1; row < layout.rowOf(i); ++row) {
                bool taken = false;
                for (size_t p = 0; p < layout.spanCount(row) && !taken; ++p)
                    taken = layout.relativeStart(row, p) < end && start < layout.relativeEnd(row, p);
                QVERIFY2(taken,
                    qPrintable(
                        QStringLiteral("span %1 could sit in row %2, not %3").arg(i).arg(row).arg(layout.rowOf(i))));
            }
        }
        if (!file.isEmpty()) {
            // The customer service's span is right under the frontend's call to it.
            int customers = 0;
            for (quint32 i = 0; i < trace->spans.size(); ++i) {
                const Span& span = trace->spans[i];
                if (trace->serviceName(span) != "customer" || span.parent == kNoIndex)
                    continue;
                QCOMPARE(layout.rowOf(i), layout.rowOf(span.parent) + 1);
                ++customers;
            }
            QVERIFY(customers > 0);
        }
    }

    // Hand-made: root R; A and B overlap at depth 1, so B takes a second row; A's child C fits under A (row 2)
    // once B is past. Compact packing fills rows by depth and start.
    void childUnderParentPastOverlappingSibling()
    {
        const auto trace = handTrace({ { 1, 0, "svc", "R", 0, 100 }, { 2, 1, "svc", "A", 0, 100 },
            { 3, 1, "svc", "B", 10, 20 }, { 4, 2, "svc", "C", 50, 60 } });
        const auto indexOf = [&](const char* operation) {
            for (quint32 i = 0; i < trace->spans.size(); ++i) {
                if (trace->operationName(trace->spans[i]) == operation)
                    return i;
            }
            return kNoIndex;
        };
        const FlameChartLayout tree(trace);
        QCOMPARE(tree.rowOf(indexOf("R")), 0);
        QCOMPARE(tree.rowOf(indexOf("A")), 1);
        QCOMPARE(tree.rowOf(indexOf("B")), 2);
        QCOMPARE(tree.rowOf(indexOf("C")), 2);
        QCOMPARE(tree.rowCount(), 3);
        const FlameChartLayout compact(trace, {}, FlameChartLayout::Packing::Compact);
        checkRows(compact, *trace);
        QCOMPARE(compact.rowCount(), 3);
    }

    // The search tells how many spans match and which one n/N stepped to, like Jaeger's and Perfetto's.
    void searchShowsMatchCount()
    {
        const auto trace = handTrace({ { 1, 0, "api", "root", 0, 100 }, { 2, 1, "db", "query", 10, 20 },
            { 3, 1, "db", "query", 30, 40 }, { 4, 1, "cache", "get", 50, 60 }, { 5, 1, "db", "query", 70, 80 } });
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 400);
        selection.setTrace(trace);
        QCOMPARE(view.matchText(), QString());
        auto* search = view.findChild<QLineEdit*>();
        QVERIFY(search);
        search->setText(QStringLiteral("query"));
        QCOMPARE(view.matchCount(), 3);
        QCOMPARE(view.matchText(), QStringLiteral("0 / 3"));
        view.nextMatch(1);
        view.nextMatch(1);
        QCOMPARE(view.matchText(), QStringLiteral("2 / 3"));
        view.nextMatch(-1);
        view.nextMatch(-1);
        QCOMPARE(view.matchText(), QStringLiteral("3 / 3"));
        const auto* label = view.findChild<QLabel*>();
        QVERIFY(label);
        QCOMPARE(label->text(), QStringLiteral("3 / 3"));
        search->setText(QStringLiteral("nothing"));
        QCOMPARE(label->text(), QStringLiteral("No matches"));
        search->clear();
        QCOMPARE(label->text(), QString());
    }

    // The view keeps subtrees under their parents by default; compact rows is a switch that packs densely.
    void compactRowsToggle()
    {
        const auto trace = randomTrace(3000, 6);
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 600);
        selection.setTrace(trace);
        QCOMPARE(view.layout().packing(), FlameChartLayout::Packing::Tree);
        const int treeRows = view.layout().rowCount();
        QSignalSpy ready(&view, &FlameChartView::layoutReady);
        view.setCompactRows(true);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(view.layout().packing(), FlameChartLayout::Packing::Compact);
        checkRows(view.layout(), *trace);
        QVERIFY(view.layout().rowCount() < treeRows);
        view.setCompactRows(false);
        QCOMPARE(view.layout().rowCount(), treeRows);
    }

    void childBelowAndInsideParent()
    {
        const auto trace = randomTrace(2000, 2);
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1200, 800);
        selection.setTrace(trace);
        view.setVisibleRange(1e8, 3e8);
        const FlameChartLayout& layout = view.layout();
        int checked = 0;
        for (quint32 i = 0; i < trace->spans.size(); ++i) {
            const Span& span = trace->spans[i];
            if (span.parent == kNoIndex)
                continue;
            QVERIFY(layout.rowOf(i) > layout.rowOf(span.parent));
            QVERIFY(view.xForTime(double(relStart(*trace, i))) >= view.xForTime(double(relStart(*trace, span.parent))));
            if (span.endNs() <= trace->spans[span.parent].endNs()) {
                QVERIFY(view.xForTime(double(relEnd(*trace, i))) <= view.xForTime(double(relEnd(*trace, span.parent))));
                ++checked;
            }
        }
        QVERIFY(checked > 1000);
    }

    void hitTesting()
    {
        const auto trace = randomTrace(300, 3);
        TraceSelection selection;
        FlameChartView view(&selection);
        selection.setTrace(trace);
        view.resize(1000, view.rowTop(view.layout().rowCount()) + 100);
        std::mt19937_64 rng(7);
        for (int k = 0; k < 100; ++k) {
            const quint32 i = quint32(rng() % trace->spans.size());
            if (trace->spans[i].durationNs < 100)
                continue;
            view.setVisibleRange(double(relStart(*trace, i)), double(relEnd(*trace, i)));
            const QPoint point(int(view.xForTime((relStart(*trace, i) + relEnd(*trace, i)) / 2.0)),
                view.rowTop(view.layout().rowOf(i)) + FlameChartView::kRowHeight / 2);
            QCOMPARE(view.spanAt(point), i);
        }
        // The layout alone: a time inside a bar of a row finds that bar; a gap finds nothing without tolerance.
        const FlameChartLayout& layout = view.layout();
        for (int row = 0; row < layout.rowCount(); ++row) {
            for (size_t p = 0; p < layout.spanCount(row); ++p) {
                if (layout.relativeEnd(row, p) == layout.relativeStart(row, p))
                    continue; // a zero-length span shares its instant with the next bar
                const double mid = (layout.relativeStart(row, p) + layout.relativeEnd(row, p)) / 2.0;
                QCOMPARE(layout.hitTest(row, mid), layout.spanAt(row, p));
                if (p > 0 && layout.relativeStart(row, p) - layout.relativeEnd(row, p - 1) > 2) {
                    const double gap = (layout.relativeEnd(row, p - 1) + layout.relativeStart(row, p)) / 2.0;
                    QCOMPARE(layout.hitTest(row, gap), kNoIndex);
                }
            }
        }
    }

    void zoomKeepsCursorFixed_data()
    {
        QTest::addColumn<double>("factor");
        QTest::addColumn<double>("x");
        QTest::newRow("in at left third") << 1.5 << 300.0;
        QTest::newRow("out at centre") << 1 / 1.5 << 500.0;
        QTest::newRow("deep in near the right") << 1000.0 << 950.0;
        QTest::newRow("in at 0") << 4.0 << 0.0;
    }

    void zoomKeepsCursorFixed()
    {
        QFETCH(double, factor);
        QFETCH(double, x);
        const auto trace = randomTrace(500, 4);
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 600);
        selection.setTrace(trace);
        view.setVisibleRange(4e8, 4.4e8); // out of reach of the trace's edges, where the range is clamped
        for (int step = 0; step < 5; ++step) {
            const double before = view.timeForX(x);
            const double nsPerPixel = view.timeForX(1) - view.timeForX(0);
            view.zoomAt(factor, x);
            QVERIFY(std::abs(view.timeForX(x) - before) <= std::max(1e-3, nsPerPixel * 1e-6));
            QVERIFY(view.visibleEndNs() > view.visibleStartNs());
        }
        view.resetZoom();
        QCOMPARE(view.visibleStartNs(), 0.0);
        QCOMPARE(view.visibleEndNs(), double(view.layout().durationNs()));
    }

    void visibleRangeMatchesBruteForce()
    {
        const auto trace = randomTrace(5000, 5);
        const FlameChartLayout layout(trace);
        std::mt19937_64 rng(11);
        for (int k = 0; k < 200; ++k) {
            qint64 t0 = qint64(rng() % quint64(layout.durationNs()));
            qint64 t1 = t0 + qint64(rng() % quint64(k % 2 ? 1000000 : layout.durationNs()));
            std::set<quint32> fromLayout;
            for (int row = 0; row < layout.rowCount(); ++row) {
                const auto [first, last] = layout.visibleRange(row, t0, t1);
                for (size_t p = first; p < last; ++p)
                    fromLayout.insert(layout.spanAt(row, p));
            }
            std::set<quint32> expected;
            for (quint32 i = 0; i < trace->spans.size(); ++i) {
                if (relStart(*trace, i) <= t1 && relEnd(*trace, i) >= t0)
                    expected.insert(i);
            }
            QCOMPARE(fromLayout, expected);
        }
    }

    void blocksNeverExceedPixels()
    {
        const auto trace = randomTrace(20000, 6);
        FlameChartLayout layout(trace);
        std::vector<FlameChartPrimitive> primitives;
        for (const double nsPerPixel : { 1e3, 1e4, 1e5, 5e5, 1e6 }) {
            const qint64 width = 1920;
            const qint64 begin = qint64(1e8 / nsPerPixel);
            for (int row = 0; row < layout.rowCount(); ++row) {
                layout.computePrimitives(row, nsPerPixel, begin, begin + width, primitives);
                QVERIFY(qint64(primitives.size()) <= width);
                qint64 cursor = begin;
                const auto [first, last] = layout.visibleRange(
                    row, qint64(double(begin) * nsPerPixel), qint64(double(begin + width) * nsPerPixel));
                size_t position = first;
                for (const FlameChartPrimitive& p : primitives) {
                    QVERIFY(p.pixelBegin >= cursor);
                    QVERIFY(p.pixelEnd > p.pixelBegin);
                    QVERIFY(p.pixelEnd <= begin + width);
                    cursor = p.pixelEnd;
                    // Primitives cover consecutive positions of the row; the error flag is exact.
                    while (position < last && layout.spanAt(row, position) != p.span)
                        ++position;
                    QVERIFY(position < last);
                    bool anyError = false;
                    for (size_t q = position; q < position + p.count; ++q)
                        anyError = anyError || trace->spans[layout.spanAt(row, q)].isError();
                    QCOMPARE(p.anyError, anyError);
                    position += p.count;
                }
            }
        }
    }

    // The cached query (computed once per zoom level with a margin, reused while panning) returns exactly what
    // the direct computation returns for the same pixels, on every row, at every step of a pan both ways.
    void cachedPrimitivesEqualDirectWhilePanning()
    {
        const auto trace = randomTrace(5000, 12);
        FlameChartLayout layout(trace);
        std::vector<FlameChartPrimitive> direct;
        size_t compared = 0;
        for (const double nsPerPixel : { 2e3, 5e4, 1e6 }) {
            const qint64 width = 800;
            const qint64 total = qint64(double(layout.durationNs()) / nsPerPixel);
            for (const qint64 step : { qint64(97), qint64(-61) }) {
                qint64 begin = step > 0 ? -width / 2 : total - width / 2;
                for (int k = 0; k < 40; ++k, begin += step) {
                    for (int row = 0; row < layout.rowCount(); ++row) {
                        const auto cached = layout.primitives(row, nsPerPixel, begin, begin + width);
                        layout.computePrimitives(row, nsPerPixel, begin, begin + width, direct);
                        QCOMPARE(cached.size(), direct.size());
                        for (size_t i = 0; i < direct.size(); ++i) {
                            const FlameChartPrimitive& a = cached[i];
                            const FlameChartPrimitive& b = direct[i];
                            // Computed for a wider range, a bar may reach past the pixels asked for; what is in
                            // them is the same.
                            QCOMPARE(std::max(a.pixelBegin, begin), std::max(b.pixelBegin, begin));
                            QCOMPARE(std::min(a.pixelEnd, begin + width), std::min(b.pixelEnd, begin + width));
                            QCOMPARE(a.span, b.span);
                            QCOMPARE(a.count, b.count);
                            QCOMPARE(a.isBlock, b.isBlock);
                            QCOMPARE(a.anyError, b.anyError);
                            QCOMPARE(a.anyMarked, b.anyMarked);
                        }
                        compared += direct.size();
                    }
                }
            }
        }
        QVERIFY(compared > 10000);
    }

    // A span is visible at its very first and last instant: the query interval is closed at both ends.
    void visibleRangeIncludesTouchingSpans()
    {
        const auto trace = randomTrace(2000, 13);
        const FlameChartLayout layout(trace);
        for (int row = 0; row < layout.rowCount(); ++row) {
            for (size_t p = 0; p < layout.spanCount(row); ++p) {
                for (const qint64 t : { layout.relativeStart(row, p), layout.relativeEnd(row, p) }) {
                    const auto [first, last] = layout.visibleRange(row, t, t);
                    QVERIFY2(first <= p && p < last, qPrintable(QStringLiteral("row %1 position %2").arg(row).arg(p)));
                }
            }
        }
        // Pixels: a span ending exactly at a pixel's left edge covers the pixel before it, not that one, whether
        // the row is computed from there or from further left (the cache).
        FlameChartLayout chart(handTrace(
            { { 1, 0, "a", "root", 0, 100 }, { 2, 1, "b", "left", 0, 40 }, { 3, 1, "c", "right", 60, 100 } }));
        const double nsPerPixel = 1e5; // 10 pixels per ms: "left" (span 1) ends at pixel 400's left edge
        const int row = chart.rowOf(1);
        std::vector<FlameChartPrimitive> direct;
        chart.computePrimitives(row, nsPerPixel, 399, 450, direct);
        QCOMPARE(direct.size(), size_t(1));
        QCOMPARE(direct.front().span, 1u);
        QCOMPARE(direct.front().pixelBegin, 399);
        QCOMPARE(direct.front().pixelEnd, 400);
        const auto cached = chart.primitives(row, nsPerPixel, 399, 450);
        QCOMPARE(cached.size(), size_t(1));
        QCOMPARE(cached.front().span, 1u);
        QCOMPARE(cached.front().pixelEnd, 400);
        chart.computePrimitives(row, nsPerPixel, 400, 450, direct);
        QVERIFY(direct.empty());
        QVERIFY(chart.primitives(row, nsPerPixel, 400, 450).empty());
        // "right" (span 2) starts at pixel 600's left edge: not in [500, 600), in [500, 601).
        chart.computePrimitives(row, nsPerPixel, 500, 600, direct);
        QVERIFY(direct.empty());
        chart.computePrimitives(row, nsPerPixel, 500, 601, direct);
        QCOMPARE(direct.size(), size_t(1));
        QCOMPARE(direct.front().span, 2u);
        QCOMPARE(direct.front().pixelBegin, 600);
        QCOMPARE(direct.front().pixelEnd, 601);
    }

    // Rows are a packing, not a list per span: siblings one after another share a row, however they touch.
    void sequentialSiblingsShareARow()
    {
        const auto trace = handTrace({ { 1, 0, "a", "root", 0, 100 }, { 2, 1, "b", "one", 10, 20 },
            { 3, 1, "b", "two", 20, 30 }, { 4, 1, "b", "three", 30, 45 }, { 5, 1, "b", "four", 45, 45 } });
        const FlameChartLayout layout(trace);
        QCOMPARE(layout.rowCount(), 2);
        QCOMPARE(layout.spanCount(1), size_t(4));
        for (size_t p = 1; p < layout.spanCount(1); ++p) {
            QVERIFY(layout.relativeStart(1, p) >= layout.relativeEnd(1, p - 1));
            QVERIFY(layout.relativeEnd(1, p) >= layout.relativeEnd(1, p - 1));
        }
    }

    // Spans narrower than a pixel are painted as blocks of their service's colour where they are, and nothing
    // where there is no span (the blocks are drawn as one line of pixels per row).
    void paintedBlocksHaveTheirServiceColour()
    {
        std::vector<HandSpan> spans { { 1, 0, "gateway", "root", 0, 100000 } };
        for (int i = 0; i < 250; ++i)
            spans.push_back({ 2 + i, 1, "db", "get", 400 * i, 400 * i + 1 }); // 1 ms each, 400 ms apart
        const auto trace = handTrace(spans);
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 300);
        selection.setTrace(trace);
        QTRY_VERIFY(!view.isLayoutPending());
        const QImage image = view.grab().toImage();
        const ServiceColors colors({ "db", "gateway" });
        const QColor db = colors.color("db");
        const int y = view.rowTop(1) + FlameChartView::kRowHeight / 2;
        int coloured = 0;
        int blank = 0;
        for (int i = 0; i < 250; ++i) {
            const double x = view.xForTime(400e6 * i + 0.5e6);
            if (x < 1 || x >= view.width() - 30)
                continue;
            coloured += image.pixelColor(int(x), y).rgb() == db.rgb();
            const double gap = view.xForTime(400e6 * i + 200e6); // half-way to the next span: nothing
            blank += image.pixelColor(int(gap), y).rgb() != db.rgb();
        }
        QVERIFY2(coloured > 200, qPrintable(QString::number(coloured)));
        QVERIFY2(blank > 200, qPrintable(QString::number(blank)));
    }

    // What is painted: each visible bar wide enough to see has its service's colour at its place, in every row,
    // zoomed into the middle of the trace (the view does not start at the trace's start).
    void paintedBarsHaveTheirServiceColour()
    {
        const auto trace = handTrace({ { 1, 0, "gateway", "root", 0, 100 }, { 2, 1, "orders", "list", 5, 60 },
            { 3, 1, "users", "get", 62, 98 }, { 4, 2, "db", "select", 10, 30 }, { 5, 2, "cache", "hit", 32, 58 },
            { 6, 4, "disk", "read", 12, 20 }, { 7, 3, "db", "update", 70, 90 } });
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 400);
        selection.setTrace(trace);
        view.setVisibleRange(4e6, 96e6);
        const QImage image = view.grab().toImage();
        // The colours of the services on screen: preferred slots by name, collisions moved (ServiceColors).
        std::vector<std::string_view> names;
        for (const Span& span : trace->spans)
            names.push_back(trace->serviceName(span));
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        const ServiceColors colors(names);
        int checked = 0;
        std::set<int> rows;
        for (quint32 i = 0; i < trace->spans.size(); ++i) {
            const double x0 = std::max(0.0, view.xForTime(double(relStart(*trace, i))));
            const double x1 = std::min(double(view.width() - 30), view.xForTime(double(relEnd(*trace, i))));
            if (x1 - x0 < 8)
                continue;
            const int row = view.layout().rowOf(i);
            const QPoint at(int(std::ceil(x0)) + 2, view.rowTop(row) + 1);
            const QColor expected = colors.color(trace->serviceName(trace->spans[i]));
            QVERIFY2(image.pixelColor(at).rgb() == expected.rgb(),
                qPrintable(QStringLiteral("span %1 at (%2, %3): %4, expected %5")
                               .arg(trace->spans[i].id)
                               .arg(at.x())
                               .arg(at.y())
                               .arg(image.pixelColor(at).name(), expected.name())));
            rows.insert(row);
            ++checked;
        }
        QCOMPARE(checked, int(trace->spans.size()));
        QCOMPARE(int(rows.size()), view.layout().rowCount());
        // Between two bars of a row there is the background, not a bar.
        const int gapX = int(view.xForTime(61e6));
        QVERIFY(image.pixelColor(gapX, view.rowTop(view.layout().rowOf(1)) + 1) != ServiceColors::of("orders"));
        QVERIFY(image.pixelColor(gapX, view.rowTop(view.layout().rowOf(1)) + 1) != ServiceColors::of("users"));
    }

    void selectionSync()
    {
        const auto trace = randomTrace(1000, 8);
        TraceSelection selection;
        FlameChartView view(&selection);
        selection.setTrace(trace);
        view.resize(1000, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setVisibleRange(0, 1e6);
        // Selected elsewhere: the view scrolls to it.
        quint32 target = kNoIndex;
        for (quint32 i = quint32(trace->spans.size()) - 1; i > 0; --i) {
            if (relStart(*trace, i) > 5e8 && trace->spans[i].durationNs > 1000) {
                target = i;
                break;
            }
        }
        QVERIFY(target != kNoIndex);
        selection.setSpanIndex(target);
        QVERIFY(view.visibleStartNs() <= double(relStart(*trace, target)));
        QVERIFY(view.visibleEndNs() >= double(relEnd(*trace, target)));
        const int y = view.rowTop(view.layout().rowOf(target)) + FlameChartView::kRowHeight / 2;
        QVERIFY(y > 0 && y < view.height() - FlameChartView::kLegendHeight);
        // Clicked here: the shared selection follows.
        selection.setSpanIndex(kNoIndex);
        const QPoint point(int(view.xForTime((relStart(*trace, target) + relEnd(*trace, target)) / 2.0)), y);
        QCOMPARE(view.spanAt(point), target);
        QTest::mouseClick(&view, Qt::LeftButton, {}, point);
        QCOMPARE(selection.spanIndex(), target);
        // Search: n cycles through matches and selects them.
        view.setSearchText(QStringLiteral("op-42"));
        QTest::keyClick(&view, Qt::Key_N);
        QVERIFY(QByteArray(trace->operationName(*selection.span()).data()).startsWith("op-42"));
        // Collapsing the root hides everything below it.
        view.setCollapsed(0, true);
        QCOMPARE(view.layout().rowCount(), 1);
        view.setCollapsed(0, false);
        QVERIFY(view.layout().rowCount() > 1);
        QImage image(800, 600, QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&image);
        view.renderTo(painter, image.size());
    }

    // A large trace is laid out on a worker: the view paints a placeholder meanwhile, a span selected before the
    // layout arrives is scrolled into view when it does, and a layout of a trace that was replaced is dropped.
    void largeTraceLaidOutOnWorker()
    {
        const auto large = randomTrace(int(FlameChartView::kSynchronousLayoutSpans) + 5000, 9);
        const auto small = randomTrace(300, 10);
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 400);
        QSignalSpy ready(&view, &FlameChartView::layoutReady);
        QImage image(800, 600, QImage::Format_ARGB32_Premultiplied);

        selection.setTrace(large);
        QVERIFY(view.isLayoutPending());
        QCOMPARE(view.layout().rowCount(), 0);
        {
            QPainter painter(&image);
            view.renderTo(painter, image.size()); // the placeholder, never the old rows
        }
        selection.setTrace(small); // supersedes the large layout still on the worker
        QVERIFY(!view.isLayoutPending());
        QCOMPARE(view.layout().trace(), small.get());
        // The large layout comes back from the worker (its watcher is a child of the view) and is dropped.
        QTRY_VERIFY_WITH_TIMEOUT(view.findChildren<QFutureWatcherBase*>().isEmpty(), 20000);
        QCOMPARE(view.layout().trace(), small.get());

        ready.clear();
        selection.setTrace(large);
        const quint32 target = quint32(large->spans.size() - 1);
        selection.setSpanIndex(target);
        QVERIFY(ready.wait(10000));
        QVERIFY(!view.isLayoutPending());
        QCOMPARE(view.layout().trace(), large.get());
        QVERIFY(view.layout().rowOf(target) >= 0);
        QVERIFY(view.visibleStartNs() <= double(relStart(*large, target)));
        QVERIFY(view.visibleEndNs() >= double(relEnd(*large, target)));

        // A filter on a large trace keeps the current layout on screen until the new one arrives.
        ready.clear();
        view.setServiceFilter(large->spans[0].service);
        QCOMPARE(view.layout().trace(), large.get());
        QVERIFY(ready.wait(10000));
        for (int row = 0; row < view.layout().rowCount(); ++row) {
            for (size_t i = 0; i < view.layout().spanCount(row); ++i)
                QCOMPARE(large->spans[view.layout().spanAt(row, i)].service, large->spans[0].service);
        }
        QPainter painter(&image);
        view.renderTo(painter, image.size());
    }

    // A service's colour follows from its name alone (FNV-1a, not the seeded qHash): the same in every run and
    // whatever order services are seen in. 17 services shown together are all distinct; the light variant keeps
    // its hue.
    void serviceColors()
    {
        QCOMPARE(ServiceColors::nameHash(""), quint64(0xcbf29ce484222325ULL));
        QCOMPARE(ServiceColors::nameHash("a"), quint64(0xaf63dc4c8601ec8cULL));
        // Golden values: the colour of a name must not change between runs or releases.
        QCOMPARE(ServiceColors::of("frontend"), QColor::fromRgb(0x88ccee));
        QCOMPARE(ServiceColors::of("driver"), QColor::fromRgb(0x0072b2));
        // HotROD: mysql prefers frontend's slot and, after it in name order, moves on to the next one.
        const ServiceColors hotrod({ "route", "mysql", "frontend", "driver", "customer", "redis-manual" });
        QCOMPARE(hotrod.color("frontend"), QColor::fromRgb(0x88ccee));
        QCOMPARE(hotrod.color("mysql"), QColor::fromRgb(0x44aa99));
        std::vector<std::string> names;
        for (int i = 0; i < 17; ++i)
            names.push_back("colour-test-" + std::to_string(i));
        std::vector<std::string_view> forward(names.begin(), names.end());
        std::vector<std::string_view> backward(names.rbegin(), names.rend());
        const ServiceColors a(forward);
        const ServiceColors b(backward);
        std::set<QRgb> seen;
        for (const std::string& name : names) {
            seen.insert(a.color(name).rgb());
            QCOMPARE(a.color(name), b.color(name));
        }
        QCOMPARE(seen.size(), size_t(17));
        // Another set: a name without a collision keeps its preferred colour.
        QCOMPARE(ServiceColors({ "frontend" }).color("frontend"), ServiceColors::of("frontend"));
        QCOMPARE(ServiceColors::of("colour-test-3"), ServiceColors::of("colour-test-3"));
        const QColor base = a.color("colour-test-5");
        const QColor light = a.lightColor("colour-test-5");
        QVERIFY(light.lightness() > base.lightness());
        QVERIFY(qAbs(light.hue() - base.hue()) <= 2);
    }

    // A new version of the shown trace (same id: clock skew adjusted, or later spans arrived) keeps the view: the
    // window in absolute time, the service filter and the search. Another trace resets them.
    void newVersionKeepsView()
    {
        const auto trace = randomTrace(3000, 11);
        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1000, 400);
        selection.setTrace(trace);
        view.setVisibleRange(2e8, 2e8 + 1e5);
        const StringId service = trace->spans[0].service;
        view.setServiceFilter(service);
        auto* search = view.findChild<QLineEdit*>();
        QVERIFY(search);
        search->setText(QStringLiteral("op-1"));

        Trace shifted = *trace; // spans 1 ms later, as an adjustment may move them
        for (Span& span : shifted.spans)
            span.startNs += 1000000;
        selection.setTrace(std::make_shared<const Trace>(std::move(shifted)));
        QCOMPARE(view.layout().trace(), selection.trace().get());
        QVERIFY(qAbs(view.visibleStartNs() - (2e8 - 1e6)) < 1);
        QVERIFY(qAbs(view.visibleEndNs() - view.visibleStartNs() - 1e5) < 1);
        QCOMPARE(search->text(), QStringLiteral("op-1"));
        QVERIFY(view.layout().rowCount() > 0);
        for (int row = 0; row < view.layout().rowCount(); ++row) {
            for (size_t i = 0; i < view.layout().spanCount(row); ++i)
                QCOMPARE(selection.trace()->spans[view.layout().spanAt(row, i)].service, service);
        }

        const auto other = handTrace({ { 1, 0, "a", "root", 0, 100 }, { 2, 1, "b", "work", 10, 50 } });
        selection.setTrace(other);
        QCOMPARE(view.visibleStartNs(), 0.0);
        QCOMPARE(view.visibleEndNs(), double(other->spans[0].durationNs));
        QVERIFY(search->text().isEmpty());
        QCOMPARE(view.layout().rowCount(), 2);
    }

    // The aggregated flame graph's widths in each mode, on a trace whose b:work runs two children in parallel:
    // root 0-100 ms (self 30), b:work 10-50 (self 0) with d1 and d2 both 10-50 (self 40 each), c:db 60-90 (self 30).
    void flameGraphWidths()
    {
        const auto trace = handTrace({ { 1, 0, "a", "root", 0, 100 }, { 2, 1, "b", "work", 10, 50 },
            { 3, 2, "d", "one", 10, 50 }, { 4, 2, "d", "two", 10, 50 }, { 5, 1, "c", "db", 60, 90 } });
        auto graph = std::make_shared<FlameGraph>();
        graph->add(*trace);
        graph->build();
        FlameGraphView view;
        view.resize(1400, 300);
        view.setFlameGraph(graph);
        const quint32 root = graph->child(0, "a:root");
        const quint32 work = graph->child(root, "b:work");
        const quint32 one = graph->child(work, "d:one");
        const quint32 two = graph->child(work, "d:two");
        const quint32 db = graph->child(root, "c:db");
        QVERIFY(root != kNoIndex && work != kNoIndex && one != kNoIndex && two != kNoIndex && db != kNoIndex);
        const auto width = [&](quint32 node) { return view.frameRect(node).width(); };
        const double full = width(root);
        QVERIFY(full > 1000);

        // Total time: b:work is 40 % of the root; its parallel children (80 ms together) share its width, and its
        // tooltip says why.
        QVERIFY(qAbs(width(work) - full * 0.4) < 1);
        QVERIFY(qAbs(width(db) - full * 0.3) < 1);
        QVERIFY(qAbs(width(one) - width(work) / 2) < 1);
        QVERIFY(view.toolTipText(work).contains(QStringLiteral("overlap")));
        QVERIFY(!view.toolTipText(root).contains(QStringLiteral("overlap")));

        // Self time: widths are self time in and below a frame, never more than its total: the root is 100 ms (30
        // of its own, 40 in b:work, 30 in c:db), not 140 (the parallel d:one and d:two counted twice). The parallel
        // leaves share b:work's width, and its tooltip says they overlap.
        view.setWidthMode(FlameGraphView::Width::SelfTime);
        QCOMPARE(graph->nodes()[0].subtreeSelfNs, graph->nodes()[0].totalNs);
        QCOMPARE(graph->nodes()[root].subtreeSelfNs, 100 * 1000000);
        QCOMPARE(graph->nodes()[work].subtreeSelfNs, 40 * 1000000);
        QVERIFY(qAbs(width(work) - full * 40 / 100) < 1);
        QVERIFY(qAbs(width(db) - full * 30 / 100) < 1);
        QVERIFY(qAbs(width(one) + width(two) - width(work)) < 1);
        QVERIFY(view.toolTipText(work).contains(QStringLiteral("overlap")));
        QVERIFY(!view.toolTipText(db).contains(QStringLiteral("overlap")));
        for (const quint32 child : { one, two }) {
            QVERIFY(view.frameRect(child).left() >= view.frameRect(work).left() - 0.5);
            QVERIFY(view.frameRect(child).right() <= view.frameRect(work).right() + 0.5);
            QCOMPARE(view.frameRect(child).top(), view.frameRect(work).bottom());
        }

        // Span count: children share their parent's width by count.
        view.setWidthMode(FlameGraphView::Width::Count);
        QVERIFY(qAbs(width(work) - full / 2) < 1);

        // A click zooms into a frame; Esc goes back.
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.frameRect(work).center().toPoint());
        QCOMPARE(view.flameGraph()->nodes().size(), size_t(3)); // b:work as the root, d:one, d:two
        QCOMPARE(view.flameGraph()->name(0), std::string_view("b:work"));
        QTest::keyClick(&view, Qt::Key_Escape);
        QCOMPARE(view.flameGraph(), graph.get());
    }

    // Zoomed in, the top row is a breadcrumb of the frames above the zoomed one (all ▸ a:root ▸ b:work), the zoomed
    // frame is drawn with its own name, and a crumb zooms back out to its frame.
    void flameGraphBreadcrumb()
    {
        const auto trace = handTrace({ { 1, 0, "a", "root", 0, 100 }, { 2, 1, "b", "work", 10, 50 },
            { 3, 2, "d", "one", 10, 30 }, { 4, 3, "e", "leaf", 12, 20 }, { 5, 1, "c", "db", 60, 90 } });
        auto graph = std::make_shared<FlameGraph>();
        graph->add(*trace);
        graph->build();
        FlameGraphView view;
        view.resize(1400, 300);
        view.setFlameGraph(graph);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const quint32 root = graph->child(0, "a:root");
        const quint32 work = graph->child(root, "b:work");
        const quint32 one = graph->child(work, "d:one");
        QVERIFY(view.breadcrumb().empty());
        QCOMPARE(view.frameRect(0).top(), 0.0);

        QTest::mouseClick(&view, Qt::LeftButton, {}, view.frameRect(work).center().toPoint());
        QCOMPARE(view.zoomRoot(), work);
        QCOMPARE(view.breadcrumb(), (std::vector<quint32> { 0, root }));
        QVERIFY(!view.breadcrumbRect(1).isEmpty());
        QCOMPARE(view.frameRect(0).top(), view.breadcrumbRect(0).bottom());
        // The shown graph's node i is node zoomRoot + i of the whole graph.
        for (quint32 i = 0; i < view.flameGraph()->nodes().size(); ++i)
            QCOMPARE(view.flameGraph()->name(i), graph->name(work + i));
        QVERIFY(view.toolTipText(0).contains(QStringLiteral("b:work")));

        // Deeper: d:one under b:work; its crumbs are all, a:root, b:work.
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.frameRect(1).center().toPoint());
        QCOMPARE(view.zoomRoot(), one);
        QCOMPARE(view.breadcrumb(), (std::vector<quint32> { 0, root, work }));
        // A crumb zooms out to its frame; "all" zooms out all the way.
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.breadcrumbRect(1).center().toPoint());
        QCOMPARE(view.zoomRoot(), root);
        QCOMPARE(view.breadcrumb(), (std::vector<quint32> { 0 }));
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.breadcrumbRect(0).center().toPoint());
        QCOMPARE(view.zoomRoot(), quint32(0));
        QCOMPARE(view.flameGraph(), graph.get());
        QVERIFY(view.breadcrumb().empty());

        // The breadcrumb is painted: its row differs from the same row unzoomed.
        const QImage before = view.grab().toImage();
        view.zoomTo(one);
        const QImage after = view.grab().toImage();
        QVERIFY(before.copy(0, 0, 300, 20) != after.copy(0, 0, 300, 20));
    }
};

QTEST_MAIN(TestFlameChart)
#include "tst_flamechart.moc"
