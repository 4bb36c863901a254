// TraceStore: spans arriving later for a trace already loaded are merged into a new version of it.
#include "model/spanbatch.h"
#include "model/tracestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace tracemap;

namespace {

SpanDraft span(SpanId id, SpanId parent, qint64 start)
{
    SpanDraft d;
    d.traceId = { 0, 0xabc };
    d.spanId = id;
    d.parentId = parent;
    d.startNs = start;
    d.durationNs = 100;
    d.service = "svc";
    d.operation = "op" + std::to_string(id);
    return d;
}

std::vector<Trace> batchOf(std::initializer_list<SpanDraft> drafts)
{
    SpanBatch batch;
    for (const auto& d : drafts)
        batch.add(d);
    return batch.takeTraces();
}

} // namespace

class TestTraceStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lateSpansJoinTheirTrace()
    {
        TraceStore store;
        QSignalSpy changed(&store, &TraceStore::tracesChanged);
        store.addTraces(batchOf({ span(1, 0, 0), span(3, 2, 30) }));
        const auto first = store.trace({ 0, 0xabc });
        QVERIFY(first);
        QCOMPARE(first->spans.size(), size_t(2));
        QVERIFY(first->spans[1].problems & OrphanSpan); // span 3's parent has not arrived yet
        QCOMPARE(changed.count(), 1);

        store.addTraces(batchOf({ span(2, 1, 10) }));
        const auto second = store.trace({ 0, 0xabc });
        QCOMPARE(second->spans.size(), size_t(3));
        QCOMPARE(second->maxDepth(), 2u);
        QVERIFY(!(second->spans[2].problems & OrphanSpan)); // no longer an orphan
        QCOMPARE(store.spanCount(), size_t(3));
        QCOMPARE(changed.count(), 2);
        // The view holding the first version still sees it unchanged.
        QCOMPARE(first->spans.size(), size_t(2));

        const quint64 generation = store.generation();
        store.addTraces(batchOf({ span(2, 1, 10) })); // the same span again: nothing changes
        QCOMPARE(store.generation(), generation);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(store.spanCount(), size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestTraceStore)
#include "tst_tracestore.moc"
