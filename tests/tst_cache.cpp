// TraceCache: fixture round trip, search (trace ids too), schema and damage handling, missing caches.

#include "importsupport.h"

#include "cache/searchterms.h"
#include "cache/tracecache.h"
#include "cache/tracecodec.h"
#include "generator/generatedfile.h"
#include "generator/tracegenerator.h"
#include "model/ids.h"
#include "model/traceassembler.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"
#include "writers/tracewriter.h"

#include <QDirIterator>
#include <QFile>
#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>
#include <thread>

using namespace tracemap;

namespace {

const char* const kHotrod = "otlp-json/jaeger-apiv3-hotrod-gettrace.json";
const TraceId kHotrodId { 0x2ea75461946a7dd1ull, 0x0f2c15ab36a076cbull };
// The files the search tests import into one cache: 1 + 19 + 1 + 1 + 2 traces.
const char* const kSearchFiles[]
    = { kHotrod, "otlp-proto/otlp2parquet-traces.pb", "zipkin-v2/smartthings-mobile-web-install.json",
          "zipkin-v2/yelp.json", "otlp-json/jaeger-storage-links-events-all-kinds.json" };

QStringList allFixtures()
{
    QStringList out;
    for (const char* folder : { "jaeger", "otlp-json", "otlp-proto", "zipkin-v1", "zipkin-v2" }) {
        QDirIterator it(
            QDir(fixturesDir()).filePath(QString::fromLatin1(folder)), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            out << QDir(fixturesDir()).relativeFilePath(it.filePath());
        }
    }
    out.sort();
    return out;
}

std::string valueText(const Trace& t, const Attribute& a)
{
    char buffer[64];
    switch (a.type) {
    case ValueType::String:
        return std::string(t.text(a.ref));
    case ValueType::Bool:
        return a.boolValue ? "true" : "false";
    case ValueType::Int:
        return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, a.intValue).ptr);
    case ValueType::Double:
        return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, a.doubleValue).ptr);
    default:
        return "\x01(not searchable)";
    }
}

// The reference answer: does the trace match the query? Written independently of the cache's inverted index.
bool matches(const Trace& t, const TraceQuery& q)
{
    const TraceSummary s = TraceSummary::of(t);
    if (s.durationNs < q.minDurationNs || s.durationNs > q.maxDurationNs || s.startNs < q.sinceNs
        || s.startNs > q.untilNs)
        return false;
    const std::string service = q.service.toStdString();
    const std::string operation = q.operation.toStdString();
    bool serviceFound = service.empty();
    bool operationFound = operation.empty();
    for (const Span& span : t.spans) {
        if (!service.empty() && t.serviceName(span) == service)
            serviceFound = true;
        if (!operation.empty() && t.operationName(span) == operation
            && (service.empty() || t.serviceName(span) == service))
            operationFound = true;
    }
    if (!serviceFound || !operationFound)
        return false;
    for (const auto& [key, value] : q.tags) {
        const std::string k = key.toStdString();
        const std::string v = value.toStdString();
        bool found = false;
        auto scan = [&](Range r) {
            for (quint32 i = r.begin; i < r.end() && !found; ++i)
                found = t.string(t.attributes[i].key) == k && valueText(t, t.attributes[i]) == v;
        };
        for (const Span& span : t.spans) {
            scan(span.attributes);
            if (k == "error" && v == "true" && span.isError())
                found = true;
            if (k == "span.kind" && span.kind != SpanKind::Unspecified && v == spanKindName(span.kind))
                found = true;
        }
        for (const Resource& r : t.resources)
            scan(r.attributes);
        if (!found)
            return false;
    }
    return true;
}

std::vector<TraceId> ids(const std::vector<TraceSummary>& summaries)
{
    std::vector<TraceId> out;
    for (const TraceSummary& s : summaries)
        out.push_back(s.traceId);
    return out;
}

QByteArray dbPath(const QTemporaryDir& dir)
{
    return dir.filePath(QStringLiteral("cache.sqlite")).toUtf8();
}

bool execSql(const QString& path, const char* sql, QString* error = nullptr)
{
    sqlite3* db = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    char* message = nullptr;
    const bool ok = sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK;
    if (error && message)
        *error = QString::fromUtf8(message);
    sqlite3_free(message);
    sqlite3_close(db);
    return ok;
}

// The first column of the first row of `sql`, read with SQLite directly.
qint64 sqlNumber(const QString& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    qint64 out = -1;
    if (sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
            out = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
}

QString pragma(const QString& path, const char* name)
{
    sqlite3* db = nullptr;
    QString out;
    if (sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, (std::string("PRAGMA ") + name).c_str(), -1, &s, nullptr) == SQLITE_OK
            && sqlite3_step(s) == SQLITE_ROW)
            out = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
}

// The brute-force reference of a search: every matching trace, newest first, cut at the limit. `cut` says whether
// the limit left matches out.
std::vector<TraceSummary> referenceSearch(const std::vector<Trace>& traces, const TraceQuery& q, int limit, bool& cut)
{
    std::vector<TraceSummary> expected;
    for (const Trace& t : traces) {
        if (matches(t, q))
            expected.push_back(TraceSummary::of(t));
    }
    std::stable_sort(expected.begin(), expected.end(),
        [](const TraceSummary& a, const TraceSummary& b) { return a.startNs > b.startNs; });
    cut = limit > 0 && expected.size() > size_t(limit);
    if (cut)
        expected.resize(size_t(limit));
    return expected;
}

// The search result against the reference (all matches, newest first, cut at the limit): the same traces, except
// that when the limit cut through traces that start at the same instant, any of them may be the last ones kept.
void compareNewestFirst(const std::vector<TraceSummary>& got, const std::vector<TraceSummary>& want, bool cut)
{
    QCOMPARE(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
        QCOMPARE(got[i].startNs, want[i].startNs);
    const qint64 cutoff = cut && !want.empty() ? want.back().startNs : std::numeric_limits<qint64>::min();
    auto strictlyNewer = [&](const std::vector<TraceSummary>& list) {
        std::vector<TraceId> out;
        for (const TraceSummary& s : list) {
            if (!cut || s.startNs > cutoff)
                out.push_back(s.traceId);
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    QVERIFY(strictlyNewer(got) == strictlyNewer(want));
}

} // namespace

Q_DECLARE_METATYPE(tracemap::ImportThreads)

class TestCache : public QObject {
    Q_OBJECT

    QTemporaryDir m_searchDir;
    std::unique_ptr<TraceCache> m_search;
    // The same files in one import whose posting lists were written in segments of 50 pairs (as a million small
    // traces' are in segments of four million): every search must find the same.
    std::unique_ptr<TraceCache> m_segmented;
    std::vector<Trace> m_searchTraces;

    // Row count and content checksum of every table, read with SQLite directly; `withImports` false leaves out the
    // imports table (its rows hold the time of the import).
    static QString tableDigest(const QString& path, bool withImports = true)
    {
        sqlite3* db = nullptr;
        QString digest;
        if (sqlite3_open(path.toUtf8().constData(), &db) != SQLITE_OK)
            return QStringLiteral("cannot open");
        for (const char* table : { "traces", "trace_blobs", "postings", "staged_postings", "operations", "imports" }) {
            if (!withImports && qstrcmp(table, "imports") == 0)
                continue;
            const QByteArray all = QByteArray("SELECT * FROM ") + table;
            sqlite3_stmt* count = nullptr;
            if (sqlite3_prepare_v2(db, all.constData(), -1, &count, nullptr) == SQLITE_OK) {
                qint64 rows = 0;
                quint64 sum = 0;
                while (sqlite3_step(count) == SQLITE_ROW) {
                    ++rows;
                    for (int c = 0; c < sqlite3_column_count(count); ++c) {
                        const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(count, c));
                        for (int i = 0; bytes && i < sqlite3_column_bytes(count, c); ++i)
                            sum = sum * 131 + bytes[i];
                        sum = sum * 131 + static_cast<quint64>(sqlite3_column_int64(count, c));
                    }
                }
                digest += QStringLiteral("%1:%2:%3 ").arg(QLatin1String(table)).arg(rows).arg(sum);
            }
            sqlite3_finalize(count);
        }
        sqlite3_close(db);
        return digest;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_searchDir.isValid()); }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("file");
        if (!QFileInfo(fixturesDir()).isDir()) {
            QTest::newRow("no fixtures") << QString();
            return;
        }
        for (const QString& file : allFixtures())
            QTest::newRow(qPrintable(file)) << file;
    }

    void roundTrip()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, file);
        auto direct = testsupport::importAll(testsupport::fixture(file));
        QVERIFY(direct.has_value());
        QTemporaryDir dir;
        auto cache = TraceCache::open(QString::fromUtf8(dbPath(dir)));
        QVERIFY2(cache.has_value(), qPrintable(cache ? QString() : cache.error()));
        auto summary = (*cache)->importFile(testsupport::fixture(file));
        QVERIFY2(summary.has_value(), qPrintable(summary ? QString() : summary.error().toString()));
        QCOMPARE((*cache)->traceCount(), qint64(direct->size()));
        qint64 spans = 0;
        for (const Trace& t : *direct) {
            spans += static_cast<qint64>(t.spans.size());
            auto loaded = (*cache)->loadTrace(t.id);
            QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error()));
            QVERIFY2(**loaded == t, qPrintable(QString::fromStdString(t.id.toHex())));
        }
        QCOMPARE((*cache)->spanCount(), spans);
        // forEachTrace visits the same traces.
        size_t visited = 0;
        auto r = (*cache)->forEachTrace([&](const Trace& t) {
            ++visited;
            return std::any_of(direct->begin(), direct->end(), [&](const Trace& d) { return d == t; });
        });
        QVERIFY(r.has_value());
        QCOMPARE(visited, direct->size());
    }

    void loadMissingTrace()
    {
        QTemporaryDir dir;
        auto cache = TraceCache::open(QString::fromUtf8(dbPath(dir)));
        QVERIFY(cache.has_value());
        auto loaded = (*cache)->loadTrace(TraceId { 0, 42 });
        QVERIFY(!loaded.has_value());
        QVERIFY(loaded.error().contains(QLatin1String("not in the cache")));
    }

    void prepareSearch()
    {
        if (!requireFixtures())
            return;
        auto cache = TraceCache::open(m_searchDir.filePath(QStringLiteral("search.sqlite")));
        QVERIFY(cache.has_value());
        m_search = std::move(*cache);
        for (const char* file : kSearchFiles) {
            auto r = m_search->importFile(testsupport::fixture(QString::fromUtf8(file)));
            QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
            auto traces = testsupport::importAll(testsupport::fixture(QString::fromUtf8(file)));
            QVERIFY(traces.has_value());
            for (Trace& t : *traces)
                m_searchTraces.push_back(std::move(t));
        }
        QCOMPARE(m_search->traceCount(), qint64(24));
        QCOMPARE(qint64(m_searchTraces.size()), qint64(24));

        auto segmented = TraceCache::open(m_searchDir.filePath(QStringLiteral("segmented.sqlite")));
        QVERIFY(segmented.has_value());
        m_segmented = std::move(*segmented);
        m_segmented->setPostingSegmentForTest(50);
        QStringList files;
        for (const char* file : kSearchFiles)
            files << testsupport::fixture(QString::fromUtf8(file));
        QVERIFY(m_segmented->importFiles(files, QStringLiteral("all at once")).has_value());
        QCOMPARE(m_segmented->traceCount(), qint64(24));
        const qint64 segments = sqlNumber(m_searchDir.filePath(QStringLiteral("segmented.sqlite")),
            "SELECT count(DISTINCT import_id) FROM postings WHERE import_id < 0");
        QVERIFY2(segments >= 3, qPrintable(QString::number(segments)));
    }

    void search_data()
    {
        QTest::addColumn<QString>("service");
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QStringList>("tags"); // "key=value"
        QTest::addColumn<qint64>("minDuration");
        QTest::addColumn<qint64>("maxDuration");
        QTest::addColumn<qint64>("since");
        QTest::addColumn<qint64>("until");
        QTest::addColumn<int>("limit");
        QTest::addColumn<int>("expectedCount"); // -1: only compare with the reference
        QTest::addColumn<int>("expectHotrod"); // 1 yes, 0 no, -1 either

        const qint64 maxI = std::numeric_limits<qint64>::max();
        const qint64 minI = std::numeric_limits<qint64>::min();
        const qint64 hotrodStart = 1782036644630407050;
        // clang-format off
        QTest::newRow("everything, limit 100") << QString() << QString() << QStringList() << qint64(0) << maxI << minI << maxI << 100 << 24 << 1;
        QTest::newRow("limit 5") << QString() << QString() << QStringList() << qint64(0) << maxI << minI << maxI << 5 << 5 << -1;
        QTest::newRow("service mysql") << QStringLiteral("mysql") << QString() << QStringList() << qint64(0) << maxI << minI << maxI << 20 << 1 << 1;
        QTest::newRow("service redis-manual") << QStringLiteral("redis-manual") << QString() << QStringList() << qint64(0) << maxI << minI << maxI << 20 << 1 << 1;
        QTest::newRow("unknown service") << QStringLiteral("no-such-service") << QString() << QStringList() << qint64(0) << maxI << minI << maxI << 20 << 0 << 0;
        QTest::newRow("service+operation") << QStringLiteral("frontend") << QStringLiteral("GET /dispatch") << QStringList() << qint64(0) << maxI << minI << maxI << 20 << 1 << 1;
        QTest::newRow("operation of another service") << QStringLiteral("mysql") << QStringLiteral("GET /dispatch") << QStringList() << qint64(0) << maxI << minI << maxI << 20 << 0 << 0;
        QTest::newRow("operation, any service") << QString() << QStringLiteral("SQL SELECT") << QStringList() << qint64(0) << maxI << minI << maxI << 20 << -1 << 1;
        QTest::newRow("tag string") << QString() << QString() << QStringList { QStringLiteral("param.driverID=T707578C") } << qint64(0) << maxI << minI << maxI << 20 << 1 << 1;
        QTest::newRow("tag int") << QString() << QString() << QStringList { QStringLiteral("http.response.status_code=200") } << qint64(0) << maxI << minI << maxI << 20 << -1 << 1;
        QTest::newRow("resource tag") << QString() << QString() << QStringList { QStringLiteral("telemetry.sdk.version=1.44.0") } << qint64(0) << maxI << minI << maxI << 20 << -1 << 1;
        QTest::newRow("error=true") << QString() << QString() << QStringList { QStringLiteral("error=true") } << qint64(0) << maxI << minI << maxI << 20 << -1 << 1;
        QTest::newRow("two tags") << QStringLiteral("route") << QString() << QStringList { QStringLiteral("http.route=/route"), QStringLiteral("server.port=8083") } << qint64(0) << maxI << minI << maxI << 20 << 1 << 1;
        QTest::newRow("two tags, one wrong") << QString() << QString() << QStringList { QStringLiteral("http.route=/route"), QStringLiteral("server.port=9999") } << qint64(0) << maxI << minI << maxI << 20 << 0 << 0;
        QTest::newRow("tag value mismatch") << QString() << QString() << QStringList { QStringLiteral("param.driverID=nope") } << qint64(0) << maxI << minI << maxI << 20 << 0 << 0;
        QTest::newRow("min duration above hotrod") << QStringLiteral("frontend") << QString() << QStringList() << qint64(800000000) << maxI << minI << maxI << 20 << -1 << 0;
        QTest::newRow("min duration below hotrod") << QStringLiteral("frontend") << QString() << QStringList() << qint64(700000000) << maxI << minI << maxI << 20 << -1 << 1;
        QTest::newRow("max duration below hotrod") << QStringLiteral("mysql") << QString() << QStringList() << qint64(0) << qint64(1000000) << minI << maxI << 20 << 0 << 0;
        QTest::newRow("max duration, no terms") << QString() << QString() << QStringList() << qint64(0) << qint64(1000000) << minI << maxI << 100 << -1 << 0;
        QTest::newRow("since after hotrod start") << QString() << QString() << QStringList() << qint64(0) << maxI << hotrodStart + 1 << maxI << 100 << -1 << 0;
        QTest::newRow("since at hotrod start") << QStringLiteral("mysql") << QString() << QStringList() << qint64(0) << maxI << hotrodStart << maxI << 100 << 1 << 1;
        QTest::newRow("until before hotrod") << QString() << QString() << QStringList() << qint64(0) << maxI << minI << hotrodStart - 1 << 100 << -1 << 0;
        QTest::newRow("until before, by service") << QStringLiteral("mysql") << QString() << QStringList() << qint64(0) << maxI << minI << hotrodStart - 1 << 100 << 0 << 0;
        QTest::newRow("service and a tag many traces have") << QStringLiteral("mysql") << QString() << QStringList { QStringLiteral("span.kind=client") } << qint64(0) << maxI << minI << maxI << 20 << 1 << 1;
        QTest::newRow("span.kind limit 3") << QString() << QString() << QStringList { QStringLiteral("span.kind=client") } << qint64(0) << maxI << minI << maxI << 3 << 3 << -1;
        // clang-format on
    }

    void search()
    {
        if (!requireFixtures())
            return;
        QVERIFY2(m_search, "prepareSearch failed");
        QFETCH(QString, service);
        QFETCH(QString, operation);
        QFETCH(QStringList, tags);
        QFETCH(qint64, minDuration);
        QFETCH(qint64, maxDuration);
        QFETCH(qint64, since);
        QFETCH(qint64, until);
        QFETCH(int, limit);
        QFETCH(int, expectedCount);
        QFETCH(int, expectHotrod);

        TraceQuery q;
        q.service = service;
        q.operation = operation;
        for (const QString& tag : tags) {
            const auto eq = tag.indexOf(QLatin1Char('='));
            q.tags.emplace_back(tag.left(eq), tag.mid(eq + 1));
        }
        q.minDurationNs = minDuration;
        q.maxDurationNs = maxDuration;
        q.sinceNs = since;
        q.untilNs = until;
        q.limit = limit;

        auto result = m_search->search(q);
        QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error()));
        const auto fromSegments = m_segmented->search(q);
        QVERIFY(fromSegments.has_value());
        const auto sortedIds = [](const std::vector<TraceSummary>& found) {
            auto out = ids(found);
            std::ranges::sort(out);
            return out;
        };
        if (limit >= 24)
            QCOMPARE(sortedIds(*fromSegments), sortedIds(*result));
        else
            QCOMPARE(fromSegments->size(), result->size());

        bool cut = false;
        const std::vector<TraceSummary> expected = referenceSearch(m_searchTraces, q, limit, cut);

        if (expectedCount >= 0)
            QCOMPARE(qint64(result->size()), qint64(expectedCount));
        QCOMPARE(result->size(), expected.size());
        // Same set (ties in start time may come in any order), and newest first.
        auto got = ids(*result);
        auto want = ids(expected);
        compareNewestFirst(*result, expected, cut);
        for (size_t i = 1; i < result->size(); ++i)
            QVERIFY((*result)[i - 1].startNs >= (*result)[i].startNs);
        for (const TraceSummary& s : *result) {
            QVERIFY(s.durationNs >= minDuration && s.durationNs <= maxDuration);
            QVERIFY(s.startNs >= since && s.startNs <= until);
        }
        const bool hasHotrod
            = std::any_of(result->begin(), result->end(), [](const TraceSummary& s) { return s.traceId == kHotrodId; });
        std::sort(want.begin(), want.end());
        QCOMPARE(hasHotrod, std::binary_search(want.begin(), want.end(), kHotrodId));
        Q_UNUSED(got);
        if (expectHotrod >= 0)
            QCOMPARE(hasHotrod, expectHotrod == 1);
        if (hasHotrod) {
            const auto& s = *std::find_if(
                result->begin(), result->end(), [](const TraceSummary& s) { return s.traceId == kHotrodId; });
            QCOMPARE(s.spanCount, qint64(40));
            QCOMPARE(s.serviceCount, qint64(6));
            QCOMPARE(s.errorCount, qint64(3));
            QCOMPARE(s.rootService, QStringLiteral("frontend"));
            QCOMPARE(s.rootOperation, QStringLiteral("GET /dispatch"));
            QCOMPARE(s.startNs, qint64(1782036644630407050));
        }
    }

    // More than TraceCache's direct-lookup limit (4,096) of candidates: the search walks the traces newest first.
    // 5,000 small generated traces, every query checked against a brute-force reference.
    void largeCandidateSetMatchesBruteForce()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("many.json"));
        GeneratorOptions options;
        options.traces = 5000;
        options.spansPerTrace = 3;
        options.services = 3;
        options.seed = 7;
        QVERIFY(writeGeneratedFile(options, "jaeger", file).has_value());
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("many.sqlite")));
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(file).has_value());
        auto traces = testsupport::importAll(file);
        QVERIFY(traces.has_value());
        QCOMPARE(qint64(traces->size()), options.traces);

        // Services by the number of traces they appear in: the queries need more than 4,096 candidates.
        std::map<std::string, int> tracesOf;
        for (const Trace& t : *traces) {
            std::set<std::string_view> services;
            for (const Span& span : t.spans)
                services.insert(t.serviceName(span));
            for (std::string_view service : services)
                ++tracesOf[std::string(service)];
        }
        std::vector<QString> frequent;
        for (const auto& [service, count] : tracesOf) {
            if (count > 4096)
                frequent.push_back(QString::fromStdString(service));
        }
        QVERIFY(!frequent.empty());
        std::vector<qint64> durations;
        for (const Trace& t : *traces)
            durations.push_back(TraceSummary::of(t).durationNs);
        std::sort(durations.begin(), durations.end());
        const qint64 medianDuration = durations[durations.size() / 2];
        const qint64 middle = (*traces)[traces->size() / 2].startNs();

        int checked = 0;
        for (const QString& service : frequent) {
            for (const int limit : { 0, 1, 20, 4500 }) {
                for (const int filter : { 0, 1, 2 }) {
                    TraceQuery q;
                    q.service = service;
                    q.limit = limit;
                    if (filter == 1)
                        q.minDurationNs = medianDuration;
                    if (filter == 2)
                        q.untilNs = middle;
                    auto result = (*cache)->search(q);
                    QVERIFY(result.has_value());
                    bool cut = false;
                    const std::vector<TraceSummary> expected = referenceSearch(*traces, q, limit, cut);
                    QVERIFY(!expected.empty());
                    compareNewestFirst(*result, expected, cut);
                    if (QTest::currentTestFailed())
                        return;
                    ++checked;
                }
            }
        }
        QVERIFY(checked >= 12);
    }

    // Live batches (storeTraces) stage their posting lists and fold them into the index a slice at a time. Every
    // search finds the same traces whether a term's lists are staged, folded, or some of each; a trace merged in a
    // later batch is listed under both batches; and a folded term keeps one index row for all its batches.
    void stagedPostingsSearchableWhileStagedAndFolded_data()
    {
        QTest::addColumn<qint64>("stagingLimit");
        QTest::newRow("all staged") << qint64(-1); // the default limit: these batches stay below it
        QTest::newRow("every batch folds a slice") << qint64(1);
    }
    void stagedPostingsSearchableWhileStagedAndFolded()
    {
        QFETCH(qint64, stagingLimit);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("live.sqlite"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache.has_value());
        if (stagingLimit > 0)
            (*cache)->setStagingLimit(stagingLimit);

        GeneratorOptions options;
        options.traces = 600;
        options.spansPerTrace = 4;
        options.services = 5;
        options.seed = 11;
        TraceGenerator generator(options);
        std::vector<Trace> reference; // every trace as the cache should hold it
        std::vector<std::set<TraceId>> stored(1); // per batch (import ids count from 1): the traces it wrote
        constexpr int kBatches = 30;
        for (int batch = 1; batch <= kBatches; ++batch) {
            std::vector<Trace> traces;
            std::set<TraceId> ids;
            for (int i = 0; i < 20; ++i) {
                Trace trace;
                QVERIFY(generator.next(trace));
                reference.push_back(trace);
                ids.insert(trace.id);
                traces.push_back(std::move(trace));
            }
            // More of a trace of the previous batch: merged with it, so listed under this batch too.
            if (batch > 1) {
                Trace& earlier = reference[reference.size() - 21];
                Trace late;
                late.id = earlier.id;
                Span span;
                span.id = 0x1a7e;
                span.startNs = earlier.startNs();
                span.durationNs = 1000;
                span.service = late.strings.intern("late-service");
                span.operation = late.strings.intern("late");
                late.spans.push_back(span);
                TraceAssembler::assemble(late);
                Trace part = late;
                TraceAssembler::append(earlier, late);
                TraceAssembler::assemble(earlier);
                ids.insert(part.id);
                traces.push_back(std::move(part));
            }
            QVERIFY((*cache)->storeTraces(traces, QStringLiteral("batch")).has_value());
            stored.push_back(std::move(ids));
        }
        const qint64 staged = sqlNumber(path, "SELECT count(*) FROM staged_postings");
        const qint64 indexed = sqlNumber(path, "SELECT count(*) FROM postings");
        if (stagingLimit > 0) {
            QVERIFY2(staged > 0 && indexed > 0, qPrintable(QStringLiteral("%1 %2").arg(staged).arg(indexed)));
        } else {
            QVERIFY(staged > 0);
            QCOMPARE(indexed, 0);
        }

        std::vector<TraceQuery> queries;
        for (const Trace& t : reference) {
            if (queries.size() >= 40)
                break;
            const Span& span = t.spans[t.spans.size() / 2];
            TraceQuery byOperation;
            byOperation.service = QString::fromUtf8(t.serviceName(span));
            byOperation.operation = QString::fromUtf8(t.operationName(span));
            queries.push_back(byOperation);
            TraceQuery byService;
            byService.service = byOperation.service;
            queries.push_back(byService);
            if (span.attributes.count > 0) {
                const Attribute& a = t.attributes[span.attributes.begin];
                TraceQuery byTag;
                byTag.tags.emplace_back(QString::fromUtf8(t.string(a.key)), QString::fromStdString(valueText(t, a)));
                queries.push_back(byTag);
            }
        }
        TraceQuery late;
        late.service = QStringLiteral("late-service");
        queries.push_back(late);

        auto check = [&](const char* when) {
            for (TraceQuery& q : queries) {
                q.limit = 0; // every match
                auto result = (*cache)->search(q);
                QVERIFY(result.has_value());
                bool cut = false;
                const auto expected = referenceSearch(reference, q, 0, cut);
                QVERIFY2(!expected.empty(), when);
                compareNewestFirst(*result, expected, cut);
                if (QTest::currentTestFailed())
                    qWarning("%s: %s %s", when, qPrintable(q.service), qPrintable(q.operation));
            }
            for (int batch : { 1, 2, 17, kBatches }) {
                TraceQuery q;
                q.limit = 0;
                q.imports = { batch };
                auto result = (*cache)->search(q);
                QVERIFY(result.has_value());
                std::set<TraceId> found;
                for (const TraceSummary& summary : *result)
                    found.insert(summary.traceId);
                QVERIFY2(found == stored[size_t(batch)], when);
            }
        };
        check("after the batches");
        if (QTest::currentTestFailed())
            return;

        // Fold everything: one slice per call.
        for (int i = 0; i < 128; ++i)
            QVERIFY((*cache)->foldStagedPostings().has_value());
        QCOMPARE(sqlNumber(path, "SELECT count(*) FROM staged_postings"), 0);
        check("all folded");
        const qint64 term = SearchTerms::service(reference.front().serviceName(reference.front().spans.front()));
        QCOMPARE(sqlNumber(path, "SELECT count(*) FROM postings WHERE term = " + std::to_string(term)), 1);
        QCOMPARE(pragma(path, "integrity_check"), QStringLiteral("ok"));
    }

    void servicesAndOperations()
    {
        if (!requireFixtures())
            return;
        QVERIFY2(m_search, "prepareSearch failed");
        const QStringList services = m_search->services();
        for (const char* s : { "frontend", "customer", "driver", "route", "mysql", "redis-manual" })
            QVERIFY2(services.contains(QString::fromUtf8(s)), s);
        QVERIFY(!services.contains(QStringLiteral("no-such-service")));
        QStringList sorted = services;
        sorted.sort();
        QCOMPARE(services, sorted);
        QCOMPARE(m_search->operations(QStringLiteral("frontend")),
            (QStringList { QStringLiteral("GET /dispatch"), QStringLiteral("HTTP GET"),
                QStringLiteral("driver.DriverService/FindNearest") }));
        QCOMPARE(m_search->operations(QStringLiteral("redis-manual")),
            (QStringList { QStringLiteral("FindDriverIDs"), QStringLiteral("GetDriver") }));
        QVERIFY(m_search->operations(QStringLiteral("no-such-service")).isEmpty());
    }

    void schemaVersionAndWal()
    {
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        {
            auto cache = TraceCache::open(path);
            QVERIFY(cache.has_value());
            QCOMPARE(pragma(path, "user_version"), QString::number(TraceCache::kSchemaVersion));
            QCOMPARE(pragma(path, "journal_mode").toLower(), QStringLiteral("wal"));
        }
        // Reopening an existing cache works and keeps the version.
        auto again = TraceCache::open(path);
        QVERIFY(again.has_value());
        QCOMPARE(pragma(path, "user_version"), QString::number(TraceCache::kSchemaVersion));
    }

    // A cache of schema 2 (before staged posting lists) is migrated when opened: what it held is still found, and
    // live batches stage into the new table.
    void schema2CacheIsMigrated()
    {
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        {
            auto cache = TraceCache::open(path);
            QVERIFY(cache.has_value());
            QVERIFY((*cache)->importFile(testsupport::fixture(QString::fromUtf8(kHotrod))).has_value());
        }
        QVERIFY(execSql(path,
            "DROP TABLE staged_postings; DROP TABLE rollups; DROP TABLE rollup_series; DROP TABLE call_rollups; "
            "DROP TABLE call_series; DROP TABLE service_attributes; PRAGMA user_version=2;"));
        auto cache = TraceCache::open(path);
        QVERIFY2(cache.has_value(), qPrintable(cache ? QString() : cache.error()));
        QCOMPARE(pragma(path, "user_version"), QString::number(TraceCache::kSchemaVersion));
        TraceQuery query;
        query.service = QStringLiteral("frontend");
        auto found = (*cache)->search(query);
        QVERIFY(found.has_value());
        QCOMPARE(ids(*found), std::vector<TraceId> { kHotrodId });

        Trace live;
        live.id = { 0, 42 };
        Span span;
        span.id = 1;
        span.startNs = 1000;
        span.durationNs = 10;
        span.service = live.strings.intern("after-migration");
        span.operation = live.strings.intern("op");
        live.spans.push_back(span);
        TraceAssembler::assemble(live);
        std::vector<Trace> batch { live };
        QVERIFY((*cache)->storeTraces(batch, QStringLiteral("live")).has_value());
        QCOMPARE(sqlNumber(path, "SELECT count(*) FROM staged_postings") > 0, true);
        query.service = QStringLiteral("after-migration");
        found = (*cache)->search(query);
        QVERIFY(found.has_value());
        QCOMPARE(ids(*found), std::vector<TraceId> { live.id });
    }

    void newerSchemaIsRefused()
    {
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        {
            auto cache = TraceCache::open(path);
            QVERIFY(cache.has_value());
        }
        const std::string sql = "PRAGMA user_version=" + std::to_string(TraceCache::kSchemaVersion + 1);
        QVERIFY(execSql(path, sql.c_str()));
        auto cache = TraceCache::open(path);
        QVERIFY(!cache.has_value());
        QVERIFY2(cache.error().contains(QLatin1String("newer")), qPrintable(cache.error()));
        QVERIFY2(cache.error().contains(path), qPrintable(cache.error()));
        QVERIFY(cache.error().contains(QString::number(TraceCache::kSchemaVersion + 1)));
    }

    void notADatabaseIsRefused()
    {
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        QVERIFY(testsupport::writeFile(path, QByteArray(8192, 'x')));
        auto cache = TraceCache::open(path);
        QVERIFY(!cache.has_value());
        QVERIFY(!cache.error().isEmpty());
    }

    void damagedBlob_data()
    {
        QTest::addColumn<QByteArray>("garbage");
        QTest::newRow("text") << QByteArray("this is not a trace");
        QTest::newRow("zeros") << QByteArray(4096, '\0');
        QTest::newRow("empty") << QByteArray();
        // A zstd frame header that claims 512 GiB of content (single segment, 8-byte content size), no blocks.
        QTest::newRow("zstd header claiming 512 GiB") << QByteArray::fromHex("28b52ffde00000000000800000");
        QTest::newRow("zstd header claiming 2^63") << QByteArray::fromHex("28b52ffde0ffffffffffffff7f");
        // A frame that declares 512 GiB (not single-segment, so the decoder's window stays 1 KiB) and holds one raw
        // block: a valid codec header, then a span count of 2^32 (515 GB of spans) and nothing more. Decoding must
        // fail as damaged without trying to allocate the spans up front.
        QByteArray raw("TMTR");
        const auto append
            = [&raw](const auto& value) { raw.append(reinterpret_cast<const char*>(&value), sizeof(value)); };
        append(TraceCodec::kVersion);
        append(TraceId { 1, 2 });
        append(quint64(1)); // one string, the empty one
        append(quint64(0));
        append(quint64(1) << 32); // spans
        QByteArray frame = QByteArray::fromHex("28b52ffdc000"); // magic, 8-byte content size, window 1 KiB
        const quint64 declared = quint64(1) << 39;
        frame.append(reinterpret_cast<const char*>(&declared), sizeof(declared));
        const quint32 blockHeader = quint32(raw.size()) << 3; // raw block, not the last
        frame.append(reinterpret_cast<const char*>(&blockHeader), 3);
        frame.append(raw);
        QTest::newRow("frame declaring 512 GiB with a count of 2^32 spans") << frame;
    }

    void damagedBlob()
    {
        if (!requireFixtures())
            return;
        QFETCH(QByteArray, garbage);
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        auto cache = TraceCache::open(path);
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(testsupport::fixture(QString::fromUtf8(kHotrod))).has_value());
        QVERIFY((*cache)->loadTrace(kHotrodId).has_value());

        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_stmt* s = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db, "UPDATE trace_blobs SET data = ?1", -1, &s, nullptr), SQLITE_OK);
        sqlite3_bind_blob(s, 1, garbage.constData(), int(garbage.size()), SQLITE_TRANSIENT);
        QCOMPARE(sqlite3_step(s), SQLITE_DONE);
        sqlite3_finalize(s);
        QVERIFY(sqlite3_changes(db) >= 1);
        sqlite3_close(db);

        auto loaded = (*cache)->loadTrace(kHotrodId);
        QVERIFY(!loaded.has_value());
        QVERIFY2(loaded.error().contains(QLatin1String("damaged")), qPrintable(loaded.error()));
        auto each = (*cache)->forEachTrace([](const Trace&) { return true; });
        QVERIFY(!each.has_value());
    }

    // A large trace's blob spans several rows; the decompressor reads across row boundaries wherever they fall.
    // Cut the stored frame into small uneven rows: the trace reads back the same; without its last row, or with a
    // row too many, it is damaged.
    void blobSplitAcrossRows()
    {
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        auto cache = TraceCache::open(path);
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(testsupport::fixture(QString::fromUtf8(kHotrod))).has_value());
        const auto original = (*cache)->loadTrace(kHotrodId);
        QVERIFY(original.has_value());

        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
        const auto exec = [db](const char* sql, qint64 row = -1, const QByteArray& data = {}, qint64 seq = 0) {
            sqlite3_stmt* s = nullptr;
            if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
                return QByteArray("prepare failed");
            if (row >= 0) {
                sqlite3_bind_int64(s, 1, row);
                sqlite3_bind_int64(s, 2, seq);
                sqlite3_bind_blob(s, 3, data.constData(), int(data.size()), SQLITE_TRANSIENT);
            }
            QByteArray out;
            if (sqlite3_step(s) == SQLITE_ROW)
                out = QByteArray(static_cast<const char*>(sqlite3_column_blob(s, 0)), sqlite3_column_bytes(s, 0));
            sqlite3_finalize(s);
            return out;
        };
        const QByteArray rowText = exec("SELECT CAST(trace_row AS BLOB) FROM trace_blobs WHERE seq = 0");
        const qint64 row = rowText.toLongLong();
        const QByteArray frame = exec("SELECT data FROM trace_blobs WHERE seq = 0");
        QVERIFY(frame.size() > 1000);
        exec("DELETE FROM trace_blobs");
        const char* insert = "INSERT INTO trace_blobs(trace_row, seq, data) VALUES (?1, ?2, ?3)";
        qint64 seq = 0;
        // The writer puts the frame header (at most 18 bytes) in the first row; the rest may be cut anywhere.
        for (qsizetype offset = 0, size = 18; offset < frame.size(); offset += size, size = size % 97 + 1, ++seq)
            exec(insert, row, frame.mid(offset, size), seq);
        QVERIFY(seq > 20);

        auto split = (*cache)->loadTrace(kHotrodId);
        QVERIFY2(split.has_value(), split ? "" : qPrintable(split.error()));
        QVERIFY(TraceAssembler::sameContent(**split, **original));

        exec("INSERT INTO trace_blobs(trace_row, seq, data) VALUES (?1, ?2, ?3)", row, QByteArray("extra"), seq);
        QVERIFY(!(*cache)->loadTrace(kHotrodId).has_value());
        exec("DELETE FROM trace_blobs WHERE seq >= (SELECT MAX(seq) - 1 FROM trace_blobs)");
        const auto truncated = (*cache)->loadTrace(kHotrodId);
        QVERIFY(!truncated.has_value());
        QVERIFY2(truncated.error().contains(QLatin1String("damaged")), qPrintable(truncated.error()));
        sqlite3_close(db);
    }

    // A failure or a cancel after the first batch was already written must still leave every table as it was.
    void failedOrCancelledImportAfterAFlushChangesNothing_data()
    {
        QTest::addColumn<bool>("cancel");
        QTest::addColumn<ImportThreads>("threads");
        QTest::newRow("cancelled") << true << ImportThreads::One;
        QTest::newRow("failed") << false << ImportThreads::One;
        QTest::newRow("cancelled, two threads") << true << ImportThreads::Two;
        QTest::newRow("failed, two threads") << false << ImportThreads::Two;
    }

    void failedOrCancelledImportAfterAFlushChangesNothing()
    {
        QFETCH(bool, cancel);
        QFETCH(ImportThreads, threads);
        if (!requireFixtures())
            return;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.sqlite"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(testsupport::fixture(QStringLiteral("zipkin-v2/yelp.json"))).has_value());
        const QString before = tableDigest(path);

        // A 2,000-trace file; the importer flushes every 50 spans, so many traces are written before the end.
        QString big = dir.filePath(QStringLiteral("big.json"));
        QByteArray json = "[";
        for (int t = 1; t <= 2000; ++t) {
            for (int k = 1; k <= 3; ++k) {
                if (json.size() > 1)
                    json += ',';
                json += "{\"traceId\":\"" + QByteArray::number(t, 16).rightJustified(32, '0') + "\",\"id\":\""
                    + QByteArray::number(k, 16).rightJustified(16, '0') + "\","
                    + (k > 1 ? "\"parentId\":\"0000000000000001\"," : "")
                    + "\"name\":\"op\",\"timestamp\":1000,\"duration\":5,"
                      "\"localEndpoint\":{\"serviceName\":\"svc\"},\"tags\":{\"k\":\"v\"}}";
            }
        }
        if (!cancel)
            json += ",{\"traceId\":\"zz\"}"; // bad at the very end
        json += "]";
        QVERIFY(testsupport::writeFile(big, json));

        ImportOptions options;
        options.flushSpans = 50;
        options.threads = threads;
        int calls = 0;
        options.progress = [&](qint64, qint64) { return !cancel || ++calls < 2; };
        auto result = (*cache)->importFile(big, options);
        QVERIFY(!result.has_value());
        QCOMPARE(result.error().cancelled, cancel);
        QCOMPARE(tableDigest(path), before);
        QCOMPARE((*cache)->traceCount(), 1);
    }

    // An import on two threads (parsing on one, assembling and writing on the other) writes exactly what one thread
    // writes, batch after batch in the file's order, whatever the format: every table the same, byte for byte.
    void twoThreadsWriteWhatOneWrites_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("generated"); // a generated file's format, else a fixture
        QTest::newRow("jaeger, generated") << QString() << QByteArray("jaeger");
        QTest::newRow("zipkin v2, generated") << QString() << QByteArray("zipkin");
        QTest::newRow("otlp json, generated") << QString() << QByteArray("otlp-json");
        QTest::newRow("otlp proto, generated") << QString() << QByteArray("otlp-proto");
        QTest::newRow("zipkin v1 fixture")
            << QStringLiteral("zipkin-v1/invalid-parent-id-custom-annotation.json") << QByteArray();
        QTest::newRow("otlp jsonl fixture")
            << QStringLiteral("otlp-json/nodejs-file-exporter-multi.jsonl") << QByteArray();
    }

    void twoThreadsWriteWhatOneWrites()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, generated);
        QTemporaryDir dir;
        if (generated.isEmpty()) {
            if (!requireFixtures())
                return;
            file = testsupport::fixture(file);
        } else {
            GeneratorOptions options;
            options.traces = 60;
            options.spansPerTrace = 30;
            options.seed = 7;
            file = dir.filePath(QStringLiteral("generated"));
            QVERIFY(writeGeneratedFile(options, generated.toStdString(), file).has_value());
        }
        QString digests[2];
        qint64 spans[2] = {};
        for (int i = 0; i < 2; ++i) {
            const QString path = dir.filePath(QStringLiteral("c%1.sqlite").arg(i));
            auto cache = TraceCache::open(path);
            QVERIFY(cache.has_value());
            ImportOptions options;
            options.flushSpans = 97; // many batches, and traces cut between them
            options.threads = i == 0 ? ImportThreads::One : ImportThreads::Two;
            auto imported = (*cache)->importFile(file, options);
            QVERIFY2(imported.has_value(), imported ? "" : qPrintable(imported.error().toString()));
            spans[i] = imported->spans;
            cache->reset();
            digests[i] = tableDigest(path, false);
        }
        QVERIFY(spans[0] > 0);
        QCOMPARE(spans[1], spans[0]);
        QCOMPARE(digests[1], digests[0]);
    }

    // With two threads the sink runs on the second one: what it throws ends the import with that error, on the
    // calling thread, and no batch reaches the sink after it.
    void sinkErrorOnTheSecondThreadEndsTheImport()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("many.json"));
        GeneratorOptions generated;
        generated.traces = 200;
        generated.spansPerTrace = 20;
        QVERIFY(writeGeneratedFile(generated, "zipkin", file).has_value());
        ImportOptions options;
        options.flushSpans = 100;
        options.threads = ImportThreads::Two;
        const std::thread::id caller = std::this_thread::get_id();
        int calls = 0;
        bool onAnotherThread = true;
        auto result = TraceImporter::importFile(
            file,
            [&](std::vector<Trace>&) {
                onAnotherThread = onAnotherThread && std::this_thread::get_id() != caller;
                if (++calls == 3) {
                    ImportError e;
                    e.file = file;
                    e.message = QStringLiteral("the disk is full");
                    throw e;
                }
            },
            options);
        QVERIFY(!result.has_value());
        QCOMPARE(result.error().message, QStringLiteral("the disk is full"));
        QCOMPARE(calls, 3);
        QVERIFY(onAnotherThread);
    }

    // A file holding one trace of 40,000 spans is one record: progress still moves while it is parsed, and a cancel
    // in the middle of it leaves the cache as it was.
    void progressInsideOneHugeRecord_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::newRow("jaeger") << QByteArray("jaeger");
        QTest::newRow("otlp-json") << QByteArray("otlp-json");
    }

    void progressInsideOneHugeRecord()
    {
        QFETCH(QByteArray, format);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("one-trace.json"));
        GeneratorOptions generated;
        generated.traces = 1;
        generated.spansPerTrace = 40000;
        QVERIFY(writeGeneratedFile(generated, format.toStdString(), file).has_value());
        const qint64 size = QFileInfo(file).size();
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY(cache.has_value());

        QList<qint64> reported;
        ImportOptions options;
        options.progress = [&](qint64 done, qint64 total) {
            reported << done;
            return total == size;
        };
        auto imported = (*cache)->importFile(file, options);
        QVERIFY2(imported.has_value(), imported ? "" : qPrintable(imported.error().toString()));
        QVERIFY(imported->spans > 28000);
        int inside = 0; // reports before the record (the whole file but its envelope) ended
        for (qsizetype i = 0; i < reported.size(); ++i) {
            if (i > 0)
                QVERIFY(reported[i] >= reported[i - 1]);
            if (reported[i] > 0 && reported[i] < size * 9 / 10)
                ++inside;
        }
        QVERIFY2(inside >= 2, qPrintable(QStringLiteral("%1 reports inside the record").arg(inside)));

        auto fresh = TraceCache::open(dir.filePath(QStringLiteral("d.sqlite")));
        QVERIFY(fresh.has_value());
        const QString before = tableDigest(dir.filePath(QStringLiteral("d.sqlite")));
        int calls = 0;
        options.progress = [&](qint64, qint64) { return ++calls < 2; };
        auto cancelled = (*fresh)->importFile(file, options);
        QVERIFY(!cancelled.has_value());
        QVERIFY(cancelled.error().cancelled);
        QCOMPARE(tableDigest(dir.filePath(QStringLiteral("d.sqlite"))), before);
    }

    // Traces of known start times: retention by age keeps the young ones, in batches, and no posting list of a
    // deleted trace (service, import) finds anything any more, not even once its row number would be free again.
    void retentionByAge()
    {
        QTemporaryDir dir;
        const QString path = QString::fromUtf8(dbPath(dir));
        auto cache = TraceCache::open(path);
        QVERIFY(cache.has_value());
        auto trace = [](quint64 id, const char* service, qint64 start) {
            Trace t;
            t.id = { 0, id };
            Span s;
            s.id = 1;
            s.startNs = start;
            s.durationNs = 1000;
            s.service = t.strings.intern(service);
            s.operation = t.strings.intern("op");
            t.spans.push_back(s);
            TraceAssembler::assemble(t);
            return t;
        };
        std::vector<Trace> old { trace(1, "api", 1000), trace(2, "db", 2000), trace(3, "api", 3000) };
        QVERIFY((*cache)->storeTraces(old, QStringLiteral("old")).has_value());
        std::vector<Trace> young { trace(4, "api", 6000), trace(5, "db", 7000) };
        QVERIFY((*cache)->storeTraces(young, QStringLiteral("young")).has_value());

        RetentionPolicy policy;
        policy.maxAgeNs = 5000;
        policy.nowNs = 10000;
        policy.batchTraces = 2;
        auto result = (*cache)->enforceRetention(policy);
        QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error()));
        QCOMPARE(result->traces, 3);
        QCOMPARE(result->transactions, 2);
        QVERIFY(result->done);
        QVERIFY(result->blobBytes > 0);
        QCOMPARE((*cache)->traceCount(), 2);

        auto idsOf = [&](const TraceQuery& q) {
            const auto found = (*cache)->search(q);
            QStringList out;
            for (const TraceSummary& s : found.value_or(std::vector<TraceSummary>()))
                out << QString::fromStdString(s.traceId.toHex());
            return out;
        };
        const QString id4 = QString::fromStdString(TraceId { 0, 4 }.toHex());
        const QString id5 = QString::fromStdString(TraceId { 0, 5 }.toHex());
        QCOMPARE(idsOf(TraceQuery()), (QStringList { id5, id4 }));
        TraceQuery byService;
        byService.service = QStringLiteral("api");
        QCOMPARE(idsOf(byService), QStringList { id4 });
        TraceQuery byImport;
        byImport.imports = { 1 }; // the "old" import's posting list still names its three rows
        QCOMPARE(idsOf(byImport), QStringList());
        TraceQuery byId;
        byId.traceIds = { TraceId { 0, 1 } };
        QCOMPARE(idsOf(byId), QStringList());

        // Everything goes; a new trace must not take row 1, which the "api" posting list still names.
        policy.nowNs = 1000000;
        result = (*cache)->enforceRetention(policy);
        QVERIFY(result.has_value());
        QCOMPARE(result->traces, 2);
        QCOMPARE((*cache)->traceCount(), 0);
        std::vector<Trace> later { trace(6, "db", 2000000) };
        QVERIFY((*cache)->storeTraces(later, QStringLiteral("later")).has_value());
        QCOMPARE(idsOf(byService), QStringList());
        QCOMPARE(idsOf(byImport), QStringList());

        cache->reset();
        QVERIFY(TraceCache::open(path, TraceCache::OpenMode::MustExist).has_value());
        QCOMPARE(pragma(path, "integrity_check"), QStringLiteral("ok"));
    }

    // A generated cache cut to half its size: the used pages end within the limit and the oldest traces went.
    void retentionBySize()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("many.json"));
        GeneratorOptions options;
        options.traces = 2000;
        options.spansPerTrace = 20;
        QVERIFY(writeGeneratedFile(options, "jaeger", file).has_value());
        const QString path = dir.filePath(QStringLiteral("many.sqlite"));
        auto cache = TraceCache::open(path);
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(file).has_value());
        const qint64 before = (*cache)->usedBytes();
        QVERIFY(before > 0);

        RetentionPolicy policy;
        policy.maxBytes = before / 2;
        policy.batchTraces = 100;
        const auto result = (*cache)->enforceRetention(policy);
        QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error()));
        QVERIFY((*cache)->usedBytes() <= *policy.maxBytes);
        QVERIFY(result->transactions > 1);
        const qint64 left = (*cache)->traceCount();
        QCOMPARE(left + result->traces, options.traces);
        QVERIFY(left > 0);

        // The traces left are the youngest: none of the deleted ones started later than the oldest kept.
        auto all = testsupport::importAll(file);
        QVERIFY(all.has_value());
        std::vector<qint64> starts;
        for (const Trace& t : *all)
            starts.push_back(TraceSummary::of(t).startNs);
        std::sort(starts.begin(), starts.end());
        TraceQuery everything;
        everything.limit = 0;
        const auto kept = (*cache)->search(everything);
        QVERIFY(kept.has_value());
        QCOMPARE(qint64(kept->size()), left);
        QCOMPARE(kept->back().startNs, starts[size_t(result->traces)]);
        cache->reset();
        QCOMPARE(pragma(path, "integrity_check"), QStringLiteral("ok"));
    }

    // Duration bounds on a cache with more traces than TraceCache::kRangeRowsLimit, and a service on more than the
    // direct lookup's 4,096: every way a search can go (a rare duration read from its index, alone or narrowed to
    // the candidates; a common one filtered on the walk newest first; a time range with it), each against the
    // reference computed from the traces themselves.
    void durationBoundsOnEveryPath()
    {
        QTemporaryDir dir;
        auto cache = TraceCache::open(QString::fromUtf8(dbPath(dir)));
        QVERIFY(cache.has_value());
        GeneratorOptions options;
        options.traces = 25'000;
        options.spansPerTrace = 4;
        options.services = 12;
        options.seed = 21;
        TraceGenerator generator(options);
        std::vector<Trace> traces;
        for (Trace trace; generator.next(trace); trace = Trace())
            traces.push_back(trace);
        QCOMPARE(traces.size(), size_t(25'000));
        std::vector<Trace> batch = traces;
        QVERIFY((*cache)->storeTraces(batch, QStringLiteral("generated")).has_value());

        std::vector<qint64> durations, starts;
        for (const Trace& t : traces) {
            durations.push_back(TraceSummary::of(t).durationNs);
            starts.push_back(t.startNs());
        }
        std::ranges::sort(durations);
        std::ranges::sort(starts);
        const auto quantile
            = [](const std::vector<qint64>& v, double q) { return v[size_t(q * double(v.size() - 1))]; };
        // A service in more than 4,096 traces (the direct lookup's limit) but far from all of them, so that its
        // candidates narrow what a duration range finds.
        std::map<std::string, size_t> tracesOf;
        for (const Trace& t : traces) {
            std::set<std::string> services;
            for (const Span& span : t.spans)
                services.insert(std::string(t.string(span.service)));
            for (const auto& name : services)
                ++tracesOf[name];
        }
        QString service;
        for (const auto& [name, count] : tracesOf) {
            if (count > 4096 && count < traces.size() / 2)
                service = QString::fromStdString(name);
        }
        QVERIFY2(!service.isEmpty(), "no service in between 4,096 and half the traces");

        const qint64 maxI = std::numeric_limits<qint64>::max();
        const qint64 minI = std::numeric_limits<qint64>::min();
        using Path = TraceCache::SearchPath;
        struct Case {
            const char* name;
            QString service;
            qint64 minDuration, maxDuration, since, until;
            int limit;
            Path path; // how the search must find its rows
        };
        const Case cases[] = {
            { "rare duration, no terms", {}, quantile(durations, 0.995), maxI, minI, maxI, 20, Path::DurationIndex },
            { "rare duration, no terms, no limit", {}, quantile(durations, 0.99), maxI, minI, maxI, 0,
                Path::DurationIndex },
            { "common duration, no terms", {}, 0, quantile(durations, 0.9), minI, maxI, 20, Path::TimeWalk },
            { "rare duration and a busy service", service, quantile(durations, 0.99), maxI, minI, maxI, 20,
                Path::DurationIndex },
            { "common duration and a busy service", service, 0, quantile(durations, 0.95), minI, maxI, 50,
                Path::TimeWalk },
            { "duration band, service and time range", service, quantile(durations, 0.4), quantile(durations, 0.6),
                quantile(starts, 0.2), quantile(starts, 0.7), 100, Path::DurationIndex },
            { "duration band and time range, no terms", {}, quantile(durations, 0.5), quantile(durations, 0.52),
                quantile(starts, 0.5), maxI, 0, Path::DurationIndex },
            // A heatmap cell: a short time window and a duration most traces have. The window, not the duration,
            // narrows it: through the time index (the duration index would be read far past the window).
            { "common duration in a short time window", {}, quantile(durations, 0.05), maxI, quantile(starts, 0.5),
                quantile(starts, 0.51), 0, Path::TimeWalk },
            { "a duration nothing has", service, durations.back() + 1, maxI, minI, maxI, 20, Path::DurationIndex },
            { "a service alone", service, 0, maxI, minI, maxI, 20, Path::TimeWalk },
        };
        for (const Case& c : cases) {
            TraceQuery q;
            q.service = c.service;
            q.minDurationNs = c.minDuration;
            q.maxDurationNs = c.maxDuration;
            q.sinceNs = c.since;
            q.untilNs = c.until;
            q.limit = c.limit;
            const auto result = (*cache)->search(q);
            QVERIFY2(result.has_value(), c.name);
            bool cut = false;
            const std::vector<TraceSummary> expected = referenceSearch(traces, q, c.limit, cut);
            if (result->size() != expected.size())
                qWarning("%s: %zu found, %zu expected", c.name, result->size(), expected.size());
            compareNewestFirst(*result, expected, cut);
            if (QTest::currentTestFailed())
                QFAIL(c.name);
            QVERIFY2((*cache)->lastSearchPath() == c.path, c.name);
        }
    }

    void searchByTraceId_data()
    {
        QTest::addColumn<QString>("ids");
        QTest::addColumn<QString>("service");
        QTest::addColumn<QStringList>("expected"); // toHex(), newest first
        const QString a = QStringLiteral("1111111111111111aaaaaaaaaaaaaaaa");
        const QString b = QStringLiteral("aaaaaaaaaaaaaaaa"); // a 64-bit trace with A's low half
        const QString c = QStringLiteral("0000000000000abc0123456789abcdef");
        const QString d = QStringLiteral("00000000000000ff");
        // clang-format off
        QTest::newRow("128-bit id: exact") << a << QString() << QStringList { a };
        QTest::newRow("64-bit id: low half of 128-bit ones too") << QStringLiteral("aaaaaaaaaaaaaaaa") << QString() << QStringList { b, a };
        QTest::newRow("trimmed 128-bit id") << QStringLiteral("abc0123456789abcdef") << QString() << QStringList { c };
        QTest::newRow("trimmed 64-bit id") << QStringLiteral("ff") << QString() << QStringList { d };
        QTest::newRow("several") << QStringLiteral("ff,abc0123456789abcdef") << QString() << QStringList { d, c };
        QTest::newRow("with a service filter") << QStringLiteral("aaaaaaaaaaaaaaaa") << QStringLiteral("db") << QStringList { b };
        QTest::newRow("not cached") << QStringLiteral("1234") << QString() << QStringList();
        QTest::newRow("128-bit id, other high half") << QStringLiteral("2222222222222222aaaaaaaaaaaaaaaa") << QString() << QStringList();
        // clang-format on
    }

    void searchByTraceId()
    {
        QFETCH(QString, ids);
        QFETCH(QString, service);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        auto cache = TraceCache::open(QString::fromUtf8(dbPath(dir)));
        QVERIFY(cache.has_value());
        std::vector<Trace> traces;
        auto add = [&](TraceId id, const char* service, qint64 start) {
            Trace t;
            t.id = id;
            Span s;
            s.id = 1;
            s.startNs = start;
            s.durationNs = 1000;
            s.service = t.strings.intern(service);
            s.operation = t.strings.intern("op");
            t.spans.push_back(s);
            TraceAssembler::assemble(t);
            traces.push_back(std::move(t));
        };
        add({ 0x1111111111111111ull, 0xaaaaaaaaaaaaaaaaull }, "api", 1000);
        add({ 0, 0xaaaaaaaaaaaaaaaaull }, "db", 2000);
        add({ 0xabc, 0x0123456789abcdefull }, "api", 3000);
        add({ 0, 0xff }, "api", 4000);
        QVERIFY((*cache)->storeTraces(traces, QStringLiteral("test")).has_value());

        TraceQuery q;
        const auto parsed = tracemap::parseTraceIdList(ids);
        QVERIFY(parsed.has_value());
        q.traceIds = *parsed;
        q.service = service;
        const auto results = (*cache)->search(q);
        QVERIFY2(results.has_value(), qPrintable(results ? QString() : results.error()));
        QStringList found;
        for (const TraceSummary& s : *results)
            found << QString::fromStdString(s.traceId.toHex());
        QCOMPARE(found, expected);
    }

    void readingAMissingCacheCreatesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("no/such/dir/x.sqlite"));
        auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
        QVERIFY(!cache.has_value());
        QVERIFY2(cache.error().contains(path), qPrintable(cache.error()));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("no"))));
        // In an existing folder too, and a second open still finds nothing.
        const QString beside = dir.filePath(QStringLiteral("x.sqlite"));
        QVERIFY(!TraceCache::open(beside, TraceCache::OpenMode::MustExist).has_value());
        QVERIFY(!QFileInfo::exists(beside));
        // An existing cache opens.
        QVERIFY(TraceCache::open(beside).has_value());
        QVERIFY(TraceCache::open(beside, TraceCache::OpenMode::MustExist).has_value());
    }

    // A connection that found an empty cache while another was creating it, and that other went straight on into a
    // long import holding the write lock, opens as soon as the schema is there, not after the busy timeout.
    void openWhileAnotherCreatesAndImports()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("racing.sqlite"));
        QVERIFY(TraceCache::open(path).has_value()); // a complete schema, then made to look unfinished
        sqlite3* writer = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &writer), SQLITE_OK);
        QCOMPARE(sqlite3_exec(writer, "PRAGMA user_version=0; BEGIN IMMEDIATE;", nullptr, nullptr, nullptr), SQLITE_OK);
        std::thread other([writer] {
            // The "creator" finishes its schema after a moment, then holds the write lock like a long import.
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            const std::string finish
                = "PRAGMA user_version=" + std::to_string(TraceCache::kSchemaVersion) + "; COMMIT; BEGIN IMMEDIATE;";
            sqlite3_exec(writer, finish.c_str(), nullptr, nullptr, nullptr);
            std::this_thread::sleep_for(std::chrono::milliseconds(6000));
            sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr);
        });
        auto reader = TraceCache::open(path);
        const bool opened = reader.has_value();
        const QString error = opened ? QString() : reader.error();
        reader = std::unexpected(QString());
        other.join();
        sqlite3_close(writer);
        QVERIFY2(opened, qPrintable(error));
    }

    // Several connections creating the same new cache at once (the window's workers, screenshot's fresh cache) all
    // open it: none is told "database is locked".
    void connectionsCreatingOneCacheAtOnce()
    {
        QTemporaryDir dir;
        for (int round = 0; round < 25; ++round) {
            const QString path = dir.filePath(QStringLiteral("new-%1.sqlite").arg(round));
            std::vector<QString> errors(4);
            std::vector<std::thread> openers;
            for (size_t k = 0; k < errors.size(); ++k) {
                openers.emplace_back([&errors, k, path] {
                    auto cache = TraceCache::open(path);
                    if (!cache)
                        errors[k] = cache.error();
                });
            }
            for (auto& t : openers)
                t.join();
            for (const QString& e : errors)
                QVERIFY2(e.isEmpty(), qPrintable(e));
        }
    }
};

QTEST_GUILESS_MAIN(TestCache)
#include "tst_cache.moc"
