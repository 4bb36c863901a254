// IngestWriter: what it moved off the writer thread (traces prepared on the submitting thread) still stores merged
// traces whole, the WAL is checkpointed while the writer runs although not after every batch, and staged posting
// lists are folded into the index while the writer waits for requests.

#include "cache/tracecache.h"
#include "live/ingestwriter.h"
#include "model/traceassembler.h"

#include <QFileInfo>
#include <QObject>
#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

using namespace tracemap;

namespace {

// A trace part: `spans` spans of `service` with ids from `firstSpan`, each with a key=value unique to it.
Trace part(quint64 traceId, const char* service, quint64 firstSpan, int spans)
{
    Trace trace;
    trace.id = { 0x1234, traceId };
    for (int i = 0; i < spans; ++i) {
        Span span;
        span.id = firstSpan + static_cast<quint64>(i);
        span.startNs = 1000000 + static_cast<qint64>(span.id) * 1000;
        span.durationNs = 500;
        span.service = trace.strings.intern(service);
        span.operation = trace.strings.intern("op");
        const std::string value = "v" + std::to_string(traceId) + "-" + std::to_string(span.id);
        Attribute attribute;
        attribute.key = trace.strings.intern("unique.key");
        attribute.type = ValueType::String;
        attribute.ref = trace.addText(value);
        trace.attributes.push_back(attribute);
        span.attributes = { static_cast<quint32>(trace.attributes.size() - 1), 1 };
        trace.spans.push_back(span);
    }
    TraceAssembler::assemble(trace);
    return trace;
}

std::vector<Trace> one(Trace trace)
{
    std::vector<Trace> traces;
    traces.push_back(std::move(trace));
    return traces;
}

// Submits `requests` requests of 20 traces of 10 spans (trace ids request * 100 + 1..20), each after the previous
// one committed, so that the writer waits between them; false if one was refused or failed.
bool submitInTurn(IngestWriter& writer, quint64 requests)
{
    for (quint64 request = 0; request < requests; ++request) {
        std::vector<Trace> traces;
        for (quint64 t = 0; t < 20; ++t)
            traces.push_back(part(request * 100 + t + 1, "api", 1, 10));
        auto committed = writer.submit(std::move(traces), 200);
        if (!committed || !committed->get().has_value())
            return false;
    }
    return true;
}

} // namespace

class TestIngestWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Parts of a trace in one batch, and one more part in a later batch (merged with the cached trace): each part
    // was prepared alone on its submitting thread, so what is stored must be prepared again from the whole.
    void partsOfATraceAreStoredWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache);
        IngestWriter::Options options;
        options.batchLinger = std::chrono::milliseconds(500); // the two first parts share a batch
        options.batchInterval = std::chrono::milliseconds(500);
        {
            IngestWriter writer(std::move(*cache), options);
            auto first = writer.submit(one(part(7, "api", 1, 3)), 3);
            auto second = writer.submit(one(part(7, "db", 100, 2)), 2);
            QVERIFY(first && second);
            QVERIFY(first->get().has_value());
            QVERIFY(second->get().has_value());
            auto third = writer.submit(one(part(7, "queue", 200, 4)), 4);
            QVERIFY(third);
            QVERIFY(third->get().has_value());
            QCOMPARE(writer.counters().committed, 9);
        }
        auto reader = TraceCache::open(path, TraceCache::OpenMode::MustExist);
        QVERIFY(reader);
        const auto trace = (*reader)->loadTrace({ 0x1234, 7 });
        QVERIFY(trace);
        QCOMPARE((*trace)->spans.size(), size_t(9));
        // The search terms of every part name the trace: those of the whole were indexed.
        for (const auto& [service, value] :
            { std::pair { "api", "v7-1" }, { "db", "v7-101" }, { "queue", "v7-203" } }) {
            TraceQuery query;
            query.service = QString::fromLatin1(service);
            query.tags = { { QStringLiteral("unique.key"), QString::fromLatin1(value) } };
            const auto found = (*reader)->search(query);
            QVERIFY(found);
            QCOMPARE(found->size(), size_t(1));
            QCOMPARE(found->front().spanCount, 9);
        }
        QCOMPARE((*reader)->operations(QStringLiteral("queue")), QStringList { QStringLiteral("op") });
    }

    // The checkpointer is woken once per checkpointPages pages of WAL: pages reach the database file while the
    // writer runs (not only when the last connection closes).
    void walIsCheckpointedWhileRunning()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache);
        const qint64 emptySize = QFileInfo(path).size();
        IngestWriter::Options options;
        options.checkpointPages = 20;
        IngestWriter writer(std::move(*cache), options);
        QVERIFY(submitInTurn(writer, 40));
        QTRY_VERIFY(QFileInfo(path).size() > emptySize + 20 * 4096);
    }

    // Batches stage their posting lists; once the staging is over its limit the writer folds slices of it into the
    // index whenever no request waits, until it is under the limit again (batches themselves fold only past twice
    // the limit). Every list stays searchable on the way.
    void foldsStagedPostingsWhileIdle()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache);
        constexpr qint64 kLimit = 30000;
        (*cache)->setStagingLimit(kLimit);
        IngestWriter writer(std::move(*cache), IngestWriter::Options());
        QVERIFY(submitInTurn(writer, 30));
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        auto number = [db](const char* sql) {
            sqlite3_stmt* s = nullptr;
            qint64 out = -1;
            if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
                out = sqlite3_column_int64(s, 0);
            sqlite3_finalize(s);
            return out;
        };
        // 30 requests of 200 unique values stage well over twice the limit: folding is what brings it back.
        QTRY_VERIFY_WITH_TIMEOUT(
            number("SELECT coalesce(sum(length(entries)), 0) FROM staged_postings") <= kLimit, 10000);
        QVERIFY(number("SELECT count(*) FROM staged_postings") > 0);
        QVERIFY(number("SELECT count(*) FROM postings") > 1000);
        sqlite3_close(db);
        auto reader = TraceCache::open(path, TraceCache::OpenMode::MustExist);
        QVERIFY(reader);
        for (quint64 traceId : { 1, 517, 2920 }) {
            for (quint64 span : { 1, 10 }) {
                TraceQuery query;
                query.tags = { { QStringLiteral("unique.key"), QStringLiteral("v%1-%2").arg(traceId).arg(span) } };
                const auto found = (*reader)->search(query);
                QVERIFY(found);
                QCOMPARE(found->size(), size_t(1));
                QCOMPARE(found->front().traceId, (TraceId { 0x1234, traceId }));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestIngestWriter)
#include "tst_ingestwriter.moc"
