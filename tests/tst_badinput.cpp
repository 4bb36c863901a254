// Bad input: every case must fail with a precise ImportError and leave a cache untouched. Hostile but valid input
// (deep chains, duplicate ids, cycles, re-imports, split files) must import.

#include "gzipsupport.h"
#include "importsupport.h"

#include "cache/tracecache.h"
#include "cache/tracecodec.h"
#include "generator/generatedfile.h"
#include "generator/tracegenerator.h"
#include "model/tracequery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <limits>
#include <map>

using namespace tracemap;

namespace {

const char* const kHotrod = "otlp-json/jaeger-apiv3-hotrod-gettrace.json";

QByteArray fixtureBytes(const char* relative)
{
    return testsupport::readAll(testsupport::fixture(QString::fromUtf8(relative)));
}

using gzipsupport::gzip;

// Drops trailing whitespace, then cuts at `fraction` of the rest (or removes its last byte when fraction is 1).
QByteArray truncated(QByteArray bytes, double fraction)
{
    while (!bytes.isEmpty() && QByteArrayView(" \r\n\t").contains(bytes.back()))
        bytes.chop(1);
    if (fraction >= 1.0)
        bytes.chop(1);
    else
        bytes.truncate(qsizetype(double(bytes.size()) * fraction));
    return bytes;
}

QByteArray zipkinSpan(const QByteArray& fields)
{
    return "[{\"traceId\":\"463ac35c9f6413ad48485a3953bb6124\",\"id\":\"a2fb4a1d1a96d312\",\"name\":\"get\","
           "\"localEndpoint\":{\"serviceName\":\"svc\"},"
        + fields + "}]";
}

QByteArray jaegerSpan(const QByteArray& fields)
{
    return "{\"data\":[{\"traceID\":\"0000000000000001\",\"spans\":[{\"traceID\":\"0000000000000001\","
           "\"spanID\":\"0000000000000002\",\"operationName\":\"op\",\"references\":[],\"processID\":\"p1\","
        + fields + "}],\"processes\":{\"p1\":{\"serviceName\":\"svc\",\"tags\":[]}}}]}";
}

QByteArray otlpSpan(const QByteArray& traceId, const QByteArray& spanId, const QByteArray& extra = {})
{
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
           "\"svc\"}}]},\"scopeSpans\":[{\"scope\":{},\"spans\":[{\"traceId\":"
        + traceId + ",\"spanId\":" + spanId
        + ",\"name\":\"op\",\"kind\":1,\"startTimeUnixNano\":\"1000\",\"endTimeUnixNano\":\"2000\"" + extra + "}]}]}]}";
}

// 1-based line and column of a byte offset.
std::pair<qint64, qint64> lineColumn(const QByteArray& bytes, qint64 offset)
{
    qint64 line = 1, column = 1;
    for (qint64 i = 0; i < offset && i < bytes.size(); ++i) {
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return { line, column };
}

struct Canonical {
    std::vector<std::string> spans;
    std::vector<SpanId> roots;
    bool operator==(const Canonical&) const = default;
};

// A layout-independent view of a trace: what each span says, in order, with its attributes as text.
Canonical canonical(const Trace& t)
{
    Canonical c;
    for (const Span& s : t.spans) {
        std::string line = std::to_string(s.id) + " " + std::to_string(s.parentId) + " " + std::to_string(s.startNs)
            + " " + std::to_string(s.durationNs) + " " + std::string(t.serviceName(s)) + " "
            + std::string(t.operationName(s)) + " k" + std::to_string(int(s.kind)) + " s"
            + std::to_string(int(s.status)) + " p" + std::to_string(s.problems) + " d" + std::to_string(s.depth)
            + " parent=" + (s.parent == kNoIndex ? std::string("-") : std::to_string(t.spans[s.parent].id))
            + " children=" + std::to_string(s.children.count) + " events=" + std::to_string(s.events.count);
        for (quint32 i = s.attributes.begin; i < s.attributes.end(); ++i) {
            const Attribute& a = t.attributes[i];
            line += " " + std::string(t.string(a.key)) + "=";
            if (a.type == ValueType::String || a.type == ValueType::Bytes)
                line += std::string(t.text(a.ref));
            else
                line += std::to_string(a.intValue);
        }
        c.spans.push_back(std::move(line));
    }
    for (quint32 r : t.roots)
        c.roots.push_back(t.spans[r].id);
    return c;
}

struct CacheState {
    qint64 traces = 0;
    qint64 spans = 0;
    std::vector<TraceId> searchFrontend;
    std::vector<TraceId> searchTag;
    QStringList services;
    bool operator==(const CacheState&) const = default;
};

CacheState stateOf(const TraceCache& cache)
{
    CacheState s;
    s.traces = cache.traceCount();
    s.spans = cache.spanCount();
    TraceQuery q;
    q.service = QStringLiteral("frontend");
    q.limit = 1000;
    if (auto r = cache.search(q)) {
        for (const auto& t : *r)
            s.searchFrontend.push_back(t.traceId);
    }
    TraceQuery tag;
    tag.tags.emplace_back(QStringLiteral("http.request.method"), QStringLiteral("GET"));
    tag.limit = 1000;
    if (auto r = cache.search(tag)) {
        for (const auto& t : *r)
            s.searchTag.push_back(t.traceId);
    }
    s.services = cache.services();
    return s;
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& bytes)
    {
        const QString path = m_dir.filePath(name);
        if (!testsupport::writeFile(path, bytes))
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void fails_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("name"); // file name to write
        QTest::addColumn<QString>("phrase"); // must appear in the message (case-insensitive)
        // Where the error must point: exact offset (>= 0), -1 for "no position", -2 for "anywhere in the file",
        // -3 for "at the first byte of `marker`", -4 for "at the end of the file".
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<QByteArray>("marker");

        const bool haveFixtures = QFileInfo(fixturesDir()).isDir();
        QByteArray binary(4096, '\0');
        QRandomGenerator rng(1234);
        for (auto& c : binary)
            c = char(rng.bounded(256));
        binary[0] = char(0xff); // not '{', '[' or a plausible protobuf tag

        QTest::newRow("empty") << QByteArray() << "empty.json"
                               << "empty" << qint64(-1) << QByteArray();
        QTest::newRow("whitespace only") << QByteArray(" \n\t\r\n   \n") << "ws.json"
                                         << "empty" << qint64(-1) << QByteArray();
        QTest::newRow("random binary") << binary << "random.bin"
                                       << "unknown format" << qint64(0) << QByteArray();
        QTest::newRow("plain text") << QByteArray("hello, this is not a trace\nat all\n") << "text.txt"
                                    << "unknown format" << qint64(0) << QByteArray();
        QTest::newRow("JSON that is no trace") << QByteArray("{\"foo\": [1, 2, 3]}") << "foo.json"
                                               << "unknown format" << qint64(0) << QByteArray();
        QTest::newRow("dependency-link file")
            << QByteArray("[{\"parent\":\"a\",\"child\":\"b\",\"callCount\":3}]") << "deps.json"
            << "tracemap topology" << qint64(1) << QByteArray();

        if (haveFixtures) {
            struct Source {
                const char* tag;
                const char* file;
            };
            for (const Source& src : { Source { "jaeger", "jaeger/genai-agent-57-spans-10-services.json" },
                     Source { "zipkin-v2", "zipkin-v2/yelp.json" }, Source { "otlp-json", kHotrod },
                     Source { "otlp-proto", "otlp-proto/otlp2parquet-traces.pb" } }) {
                const QByteArray whole = fixtureBytes(src.file);
                const bool proto = QByteArray(src.file).endsWith(".pb");
                for (const double fraction : { 0.1, 0.5, 0.9, 1.0 }) {
                    const QString row = QStringLiteral("%1 truncated %2")
                                            .arg(QString::fromUtf8(src.tag),
                                                fraction >= 1.0 ? QStringLiteral("last byte missing")
                                                                : QStringLiteral("at %1%").arg(fraction * 100));
                    QTest::newRow(qPrintable(row)) << truncated(whole, fraction)
                                                   << QString::fromUtf8(src.tag)
                            + (proto ? QStringLiteral("-cut.pb") : QStringLiteral("-cut.json"))
                                                   << (proto ? "truncated" : "unexpected end of file")
                                                   << (proto ? qint64(-2) : qint64(-4)) << QByteArray();
                }
                if (proto) // cut inside the first ResourceSpans, whose length then runs past the end
                    QTest::newRow("otlp-proto truncated inside its first message")
                        << whole.left(500) << QStringLiteral("first-cut.pb") << "truncated" << qint64(-2)
                        << QByteArray();
            }
        }

        // Wrong JSON types.
        QTest::newRow("jaeger duration \"abc\"") << jaegerSpan("\"startTime\":1,\"duration\":\"abc\"") << "t1.json"
                                                 << "duration" << qint64(-3) << QByteArray("\"abc\"");
        QTest::newRow("zipkin duration \"abc\"") << zipkinSpan("\"timestamp\":1,\"duration\":\"abc\"") << "t2.json"
                                                 << "duration" << qint64(-3) << QByteArray("\"abc\"");
        QTest::newRow("jaeger spans an object")
            << QByteArray("{\"data\":[{\"traceID\":\"1\",\"spans\":{\"a\":1},\"processes\":{}}]}") << "t3.json"
            << "spans" << qint64(-3) << QByteArray("{\"a\"");
        QTest::newRow("jaeger tags not an array")
            << jaegerSpan("\"startTime\":1,\"duration\":2,\"tags\":{\"k\":\"v\"}") << "t4.json"
            << "tags" << qint64(-3) << QByteArray("{\"k\"");
        QTest::newRow("zipkin traceId a number") << QByteArray(
            "[{\"traceId\":12345,\"id\":\"a2fb4a1d1a96d312\",\"name\":\"x\",\"timestamp\":1,\"duration\":1}]")
                                                 << "t5.json"
                                                 << "traceId" << qint64(-3) << QByteArray("12345");
        QTest::newRow("otlp traceId a number") << otlpSpan("12345", "\"a2fb4a1d1a96d312\"") << "t6.json"
                                               << "traceId" << qint64(-3) << QByteArray("12345");

        // Encoding.
        QTest::newRow("non-UTF-8 in a string")
            << zipkinSpan("\"timestamp\":1,\"duration\":1,\"tags\":{\"k\":\"ab\xff\xfe\"}") << "utf8.json"
            << "UTF-8" << qint64(-3) << QByteArray("\xff\xfe");
        // Sequences a lead-byte check lets through: a surrogate, an overlong form, past U+10FFFF. In a service
        // name they were reported as "expected a Zipkin span object" at the start of the span.
        for (const auto& [name, bad] : { std::pair { "surrogate", QByteArray("\xed\xa0\x80") },
                 std::pair { "overlong", QByteArray("\xe0\x80\x80") },
                 std::pair { "past U+10FFFF", QByteArray("\xf5\x80\x80\x80") } }) {
            QTest::newRow(qPrintable(QStringLiteral("UTF-8 %1 in a service name").arg(QLatin1String(name))))
                << zipkinSpan("\"timestamp\":1,\"duration\":1,\"localEndpoint\":{\"serviceName\":\"sv" + bad + "c\"}")
                << "utf8.json"
                << "UTF-8" << qint64(-3) << bad;
        }

        // Ids.
        const QByteArray hex33 = "\"463ac35c9f6413ad48485a3953bb61241\"";
        QTest::newRow("otlp traceId 33 hex") << otlpSpan(hex33, "\"a2fb4a1d1a96d312\"") << "id1.json"
                                             << "traceId" << qint64(-3) << hex33;
        QTest::newRow("otlp spanId 17 hex")
            << otlpSpan("\"463ac35c9f6413ad48485a3953bb6124\"", "\"a2fb4a1d1a96d3121\"") << "id2.json"
            << "spanId" << qint64(-3) << QByteArray("\"a2fb4a1d1a96d3121\"");
        QTest::newRow("otlp traceId zzzz") << otlpSpan("\"zzzz\"", "\"a2fb4a1d1a96d312\"") << "id3.json"
                                           << "traceId" << qint64(-3) << QByteArray("\"zzzz\"");
        QTest::newRow("otlp spanId zzzz") << otlpSpan("\"463ac35c9f6413ad48485a3953bb6124\"", "\"zzzz\"") << "id4.json"
                                          << "spanId" << qint64(-3) << QByteArray("\"zzzz\"");
        QTest::newRow("zipkin traceId 33 hex") << QByteArray(
            "[{\"traceId\":" + hex33 + ",\"id\":\"a2fb4a1d1a96d312\",\"name\":\"x\",\"timestamp\":1,\"duration\":1}]")
                                               << "id5.json"
                                               << "traceId" << qint64(-3) << hex33;
        QTest::newRow("zipkin traceId zzzz") << QByteArray(
            "[{\"traceId\":\"zzzz\",\"id\":\"a2fb4a1d1a96d312\",\"name\":\"x\",\"timestamp\":1,\"duration\":1}]")
                                             << "id6.json"
                                             << "traceId" << qint64(-3) << QByteArray("\"zzzz\"");
        QTest::newRow("zipkin id zzzz") << QByteArray(
            "[{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"zzzz\",\"name\":\"x\",\"timestamp\":1,\"duration\":1}]")
                                        << "id7.json"
                                        << "id" << qint64(-3) << QByteArray("\"zzzz\"");
        QTest::newRow("zipkin id 17 hex")
            << QByteArray("[{\"traceId\":\"463ac35c9f6413ad\",\"id\":\"a2fb4a1d1a96d3121\",\"name\":\"x\","
                          "\"timestamp\":1,\"duration\":1}]")
            << "id8.json"
            << "id" << qint64(-3) << QByteArray("\"a2fb4a1d1a96d3121\"");

        // Durations and timestamps.
        QTest::newRow("zipkin negative duration") << zipkinSpan("\"timestamp\":1,\"duration\":-5") << "d1.json"
                                                  << "duration" << qint64(-3) << QByteArray("-5");
        QTest::newRow("jaeger negative duration") << jaegerSpan("\"startTime\":1,\"duration\":-5") << "d2.json"
                                                  << "duration" << qint64(-3) << QByteArray("-5");
        QTest::newRow("zipkin duration 1e30") << zipkinSpan("\"timestamp\":1,\"duration\":1e30") << "d3.json"
                                              << "duration" << qint64(-3) << QByteArray("1e30");
        QTest::newRow("zipkin timestamp 1e30") << zipkinSpan("\"timestamp\":1e30,\"duration\":1") << "d4.json"
                                               << "timestamp" << qint64(-3) << QByteArray("1e30");
        QTest::newRow("zipkin duration int64 max us")
            << zipkinSpan("\"timestamp\":1,\"duration\":9223372036854775807") << "d5.json"
            << "duration" << qint64(-3) << QByteArray("9223372036854775807");
        QTest::newRow("zipkin timestamp int64 max us")
            << zipkinSpan("\"timestamp\":9223372036854775807,\"duration\":1") << "d6.json"
            << "timestamp" << qint64(-3) << QByteArray("9223372036854775807");
        QTest::newRow("jaeger startTime int64 max us")
            << jaegerSpan("\"startTime\":9223372036854775807,\"duration\":1") << "d7.json"
            << "startTime" << qint64(-3) << QByteArray("9223372036854775807");
        QTest::newRow("jaeger duration int64 max us")
            << jaegerSpan("\"startTime\":1,\"duration\":9223372036854775807") << "d8.json"
            << "duration" << qint64(-3) << QByteArray("9223372036854775807");

        // Nesting.
        QTest::newRow("100000-deep arrays") << (QByteArray(100000, '[') + QByteArray(100000, ']')) << "deep1.json"
                                            << "nested deeper than" << qint64(64) << QByteArray();
        QByteArray objects;
        for (int i = 0; i < 100000; ++i)
            objects += "{\"a\":";
        objects += "1" + QByteArray(100000, '}');
        QTest::newRow("100000-deep objects") << objects << "deep2.json"
                                             << "unknown format" << qint64(0) << QByteArray();

        // gzip.
        if (haveFixtures) {
            const QByteArray gz = gzip(fixtureBytes(kHotrod));
            QByteArray corrupt = gz;
            for (qsizetype i = 20; i < corrupt.size() - 20; i += 7)
                corrupt[i] = char(corrupt[i] ^ 0x5a);
            QTest::newRow("corrupt gzip") << corrupt << "corrupt.json.gz"
                                          << "gzip" << qint64(-2) << QByteArray();
            QTest::newRow("truncated gzip") << gz.left(gz.size() / 2) << "cut.json.gz"
                                            << "gzip" << qint64(-2) << QByteArray();
            QTest::newRow("gzip of nothing") << gzip(QByteArray()) << "nothing.gz"
                                             << "empty" << qint64(-1) << QByteArray();
        }
        // Inputs that once crashed the importer, each cut down to a few bytes (tests/crashes/). The first: "spans"
        // followed by members of a later object made simdjson abandon its iterator, which the Jaeger reader used
        // again (SIGSEGV): any malformed-JSON error now stops the record.
        // The others were found by the fuzz targets (tests/fuzz; README, Development); each file's error must say:
        const std::map<QString, const char*> crashPhrases {
            { QStringLiteral("jaeger-spans-then-malformed-members.json"), "invalid JSON" },
            { QStringLiteral("jaeger-int64-tag-out-of-range.json"), "int64 value of tag \"k\" is out of range" },
        };
        const QDir crashes(QStringLiteral(TRACEMAP_TESTS_DIR "/crashes"));
        QVERIFY(crashes.exists());
        const QFileInfoList files = crashes.entryInfoList(QDir::Files, QDir::Name);
        QVERIFY(!files.isEmpty());
        for (const QFileInfo& file : files) {
            const auto phrase = crashPhrases.find(file.fileName());
            QVERIFY2(phrase != crashPhrases.end(),
                qPrintable(QStringLiteral("tests/crashes/%1: add what its error must say").arg(file.fileName())));
            QTest::newRow(qPrintable(QStringLiteral("crash: ") + file.fileName()))
                << testsupport::readAll(file.absoluteFilePath()) << file.fileName() << phrase->second << qint64(-2)
                << QByteArray();
        }
    }

    void fails()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, name);
        QFETCH(QString, phrase);
        QFETCH(qint64, offset);
        QFETCH(QByteArray, marker);
        const QString path = write(name, bytes);
        QVERIFY(!path.isEmpty());

        size_t sinkCalls = 0;
        auto result = TraceImporter::importFile(path, [&](std::vector<Trace>&) { ++sinkCalls; });
        QVERIFY2(!result.has_value(), "the import should have failed");
        const ImportError& e = result.error();
        qInfo().noquote() << e.toString().left(300);
        QCOMPARE(e.file, path);
        QVERIFY(!e.cancelled);
        QVERIFY(!e.message.isEmpty());
        QVERIFY2(e.message.contains(phrase, Qt::CaseInsensitive),
            qPrintable(QStringLiteral("expected \"%1\" in: %2").arg(phrase, e.message)));
        QVERIFY(e.toString().contains(path));

        qint64 expectedOffset = offset;
        if (offset == -3) {
            expectedOffset = bytes.indexOf(marker);
            QVERIFY(expectedOffset >= 0);
        } else if (offset == -4) {
            expectedOffset = bytes.size();
        }
        if (expectedOffset == -1) {
            QCOMPARE(e.offset, qint64(-1));
        } else if (expectedOffset == -2) {
            QVERIFY2(e.offset >= -1 && e.offset <= bytes.size(), qPrintable(QString::number(e.offset)));
        } else {
            QCOMPARE(e.offset, expectedOffset);
        }
        // For JSON (text) input a position comes with its line and column.
        const bool text = !bytes.isEmpty() && (bytes.trimmed().startsWith('{') || bytes.trimmed().startsWith('['));
        if (text && e.offset >= 0) {
            const auto [line, column] = lineColumn(bytes, e.offset);
            QCOMPARE(e.line, line);
            QCOMPARE(e.column, column);
        }

        // The same file through the cache: an error, and the cache exactly as before.
        if (!QFileInfo(fixturesDir()).isDir())
            return;
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(testsupport::fixture(QString::fromUtf8(kHotrod))).has_value());
        const CacheState before = stateOf(**cache);
        QCOMPARE(before.traces, qint64(1));
        QCOMPARE(before.searchFrontend.size(), size_t(1));
        auto bad = (*cache)->importFile(path);
        QVERIFY(!bad.has_value());
        QCOMPARE(bad.error().message, e.message);
        QCOMPARE(bad.error().offset, e.offset);
        QVERIFY(stateOf(**cache) == before);
    }

    void longParentChain()
    {
        const int n = 100000;
        QByteArray json;
        json.reserve(n * 150);
        json += "[";
        for (int i = 1; i <= n; ++i) {
            if (i > 1)
                json += ",\n";
            json += "{\"traceId\":\"00000000000000000000000000000abc\",\"id\":\""
                + QByteArray::number(i, 16).rightJustified(16, '0') + "\"";
            if (i > 1)
                json += ",\"parentId\":\"" + QByteArray::number(i - 1, 16).rightJustified(16, '0') + "\"";
            json += ",\"name\":\"step\",\"timestamp\":" + QByteArray::number(1000000 + i)
                + ",\"duration\":" + QByteArray::number(2 * n - i) + ",\"localEndpoint\":{\"serviceName\":\"chain\"}}";
        }
        json += "]";
        const QString path = write(QStringLiteral("chain.json"), json);
        ImportSummary summary;
        auto traces = testsupport::importAll(path, &summary);
        QVERIFY2(traces.has_value(), qPrintable(traces ? QString() : traces.error().toString()));
        QCOMPARE(traces->size(), size_t(1));
        const Trace& t = traces->front();
        QCOMPARE(t.spans.size(), size_t(n));
        QCOMPARE(t.roots.size(), size_t(1));
        QCOMPARE(t.spans.back().id, SpanId(n));
        QCOMPARE(t.spans.back().depth, quint32(n - 1));
        QCOMPARE(t.maxDepth(), quint32(n - 1));
        QCOMPARE(t.spans.back().parent, quint32(n - 2));
        for (const Span& s : t.spans)
            QCOMPARE(s.problems, quint16(NoProblem));
    }

    void duplicateIdsAndCycles()
    {
        // Span 2 twice with different content; 3 -> 4 -> 3 (cycle); 5 its own parent.
        const QByteArray json = "["
                                "{\"traceId\":\"0abc\",\"id\":\"1\",\"name\":\"root\",\"timestamp\":10,\"duration\":"
                                "100,\"localEndpoint\":{\"serviceName\":\"s\"}},"
                                "{\"traceId\":\"0abc\",\"id\":\"2\",\"parentId\":\"1\",\"name\":\"first\","
                                "\"timestamp\":20,\"duration\":5,\"localEndpoint\":{\"serviceName\":\"s\"}},"
                                "{\"traceId\":\"0abc\",\"id\":\"2\",\"parentId\":\"1\",\"name\":\"second\","
                                "\"timestamp\":30,\"duration\":6,\"localEndpoint\":{\"serviceName\":\"s\"}},"
                                "{\"traceId\":\"0abc\",\"id\":\"3\",\"parentId\":\"4\",\"name\":\"a\",\"timestamp\":40,"
                                "\"duration\":1,\"localEndpoint\":{\"serviceName\":\"s\"}},"
                                "{\"traceId\":\"0abc\",\"id\":\"4\",\"parentId\":\"3\",\"name\":\"b\",\"timestamp\":50,"
                                "\"duration\":1,\"localEndpoint\":{\"serviceName\":\"s\"}},"
                                "{\"traceId\":\"0abc\",\"id\":\"5\",\"parentId\":\"5\",\"name\":\"self\",\"timestamp\":"
                                "60,\"duration\":1,\"localEndpoint\":{\"serviceName\":\"s\"}}"
                                "]";
        const QString path = write(QStringLiteral("dups.json"), json);
        auto traces = testsupport::importAll(path);
        QVERIFY2(traces.has_value(), qPrintable(traces ? QString() : traces.error().toString()));
        QCOMPARE(traces->size(), size_t(1));
        const Trace& t = traces->front();
        QCOMPARE(t.spans.size(), size_t(6));
        auto byName = [&](const char* name) -> const Span& {
            return *std::find_if(
                t.spans.begin(), t.spans.end(), [&](const Span& s) { return t.operationName(s) == name; });
        };
        QCOMPARE(byName("first").id, SpanId(2));
        QCOMPARE(byName("second").id, SpanId(2));
        QVERIFY((byName("first").problems | byName("second").problems) & DuplicateSpanId);
        QVERIFY((byName("a").problems | byName("b").problems) & CycleBroken);
        QVERIFY(byName("self").problems & SelfParent);
        // A forest: every span reached exactly once from the roots.
        std::vector<int> reached(t.spans.size(), 0);
        std::vector<quint32> stack(t.roots.begin(), t.roots.end());
        while (!stack.empty()) {
            const quint32 i = stack.back();
            stack.pop_back();
            ++reached[i];
            for (quint32 c = t.spans[i].children.begin; c < t.spans[i].children.end(); ++c)
                stack.push_back(t.childIndex[c]);
        }
        QVERIFY(std::all_of(reached.begin(), reached.end(), [](int r) { return r == 1; }));
        // Roots: the true root, the broken cycle's earliest span, the self-parent.
        QCOMPARE(t.roots.size(), size_t(3));
    }

    // Inputs the fuzz targets (tests/fuzz) found crashing the importer, or making it compute with undefined
    // behaviour, although they are valid: they must import, with the longest span's duration as given (-1: any).
    void oddButValid_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("spans");
        QTest::addColumn<qint64>("longestNs");
        const qint64 max = std::numeric_limits<qint64>::max();
        QTest::newRow("jaeger float64 tag 1e300") << jaegerSpan(
            "\"startTime\":1,\"duration\":1,\"tags\":[{\"key\":\"k\",\"type\":\"float64\",\"value\":1e300}]")
                                                  << 1 << qint64(1000);
        // Annotations at both ends of what microseconds in nanoseconds allow: end - start is past qint64.
        const QByteArray zipkinV1 = "[{\"traceId\":\"0000000000000001\",\"id\":\"0000000000000002\",\"name\":\"x\",";
        const QByteArray early = "{\"timestamp\":-9223372036854775,\"value\":";
        const QByteArray late = "{\"timestamp\":9223372036854775,\"value\":";
        const QByteArray endpoint = ",\"endpoint\":{\"serviceName\":\"a\"}}";
        QTest::newRow("zipkin v1 cs and cr 2^64 ns apart")
            << zipkinV1 + "\"annotations\":[" + early + "\"cs\"" + endpoint + "," + late + "\"cr\"" + endpoint + "]}]"
            << 1 << max;
        QTest::newRow("zipkin v1 local span 2^64 ns long") << zipkinV1
                + "\"timestamp\":-9223372036854775,\"annotations\":[" + early + "\"begun\"" + endpoint + "," + late
                + "\"done\"" + endpoint + "]}]" << 1 << max;
    }

    void oddButValid()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, spans);
        QFETCH(qint64, longestNs);
        const QString path = write(QStringLiteral("odd.json"), bytes);
        QVERIFY(!path.isEmpty());
        ImportSummary summary;
        auto traces = testsupport::importAll(path, &summary);
        QVERIFY2(traces.has_value(), qPrintable(traces ? QString() : traces.error().toString()));
        QCOMPARE(summary.spans, qint64(spans));
        qint64 longest = 0;
        for (const Trace& trace : *traces) {
            for (const Span& span : trace.spans)
                longest = std::max(longest, span.durationNs);
        }
        if (longestNs >= 0)
            QCOMPARE(longest, longestNs);
    }

    // Valid gzip input: a compressed file imports to the same traces as the plain one, whatever its name, and
    // concatenated gzip members (cat a.gz b.gz) are one stream.
    void validGzip_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("members");
        QTest::newRow("otlp json .gz") << QString::fromUtf8(kHotrod) << QStringLiteral("hotrod.json.gz") << 1;
        QTest::newRow("jaeger, no .gz in the name")
            << QStringLiteral("jaeger/genai-agent-57-spans-10-services.json") << QStringLiteral("genai.json") << 1;
        QTest::newRow("otlp proto .gz") << QStringLiteral("otlp-proto/otlp2parquet-traces.pb")
                                        << QStringLiteral("traces.pb.gz") << 1;
        QTest::newRow("jsonl in two members")
            << QStringLiteral("otlp-json/otlp2parquet-traces.jsonl") << QStringLiteral("two.jsonl.gz") << 2;
        QTest::newRow("jsonl in three members")
            << QStringLiteral("otlp-json/otlp2parquet-traces.jsonl") << QStringLiteral("three.jsonl.gz") << 3;
    }

    void validGzip()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, file);
        QFETCH(QString, name);
        QFETCH(int, members);
        const QByteArray plain = testsupport::readAll(testsupport::fixture(file));
        QByteArray compressed;
        qint64 inflated = plain.size();
        if (members == 1) {
            compressed = gzip(plain);
        } else {
            // Cut at line ends, so that each member holds whole records.
            QList<QByteArray> lines = plain.split('\n');
            inflated = 0;
            const qsizetype per = (lines.size() + members - 1) / members;
            for (int m = 0; m < members; ++m) {
                QByteArray part;
                for (qsizetype i = m * per; i < std::min(lines.size(), (m + 1) * per); ++i)
                    part += lines[i] + '\n';
                compressed += gzip(part);
                inflated += part.size();
            }
        }
        QVERIFY(compressed.size() < plain.size());
        const QString path = write(name, compressed);
        ImportSummary summary;
        auto fromGzip = testsupport::importAll(path, &summary);
        QVERIFY2(fromGzip.has_value(), qPrintable(fromGzip ? QString() : fromGzip.error().toString()));
        auto direct = testsupport::importAll(testsupport::fixture(file));
        QVERIFY(direct.has_value());
        QVERIFY(!direct->empty());
        QCOMPARE(fromGzip->size(), direct->size());
        for (size_t i = 0; i < direct->size(); ++i)
            QVERIFY(canonical((*fromGzip)[i]) == canonical((*direct)[i]));
        QCOMPARE(summary.bytes, inflated); // every member was read
    }

    // Every writer the generator can use: its output, imported again, holds the generated traces (ids, parents,
    // times at the format's precision, services, operations, kinds, errors, string tags).
    void writerRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::addColumn<int>("expectedFormat");
        QTest::addColumn<qint64>("precisionNs"); // Zipkin and Jaeger JSON write microseconds
        QTest::newRow("jaeger") << QByteArray("jaeger") << int(TraceFormat::JaegerJson) << qint64(1000);
        QTest::newRow("zipkin") << QByteArray("zipkin") << int(TraceFormat::ZipkinV2Json) << qint64(1000);
        QTest::newRow("otlp-json") << QByteArray("otlp-json") << int(TraceFormat::OtlpJson) << qint64(1);
        QTest::newRow("otlp-proto") << QByteArray("otlp-proto") << int(TraceFormat::OtlpProto) << qint64(1);
    }

    void writerRoundTrip()
    {
        QFETCH(QByteArray, format);
        QFETCH(int, expectedFormat);
        QFETCH(qint64, precisionNs);
        GeneratorOptions options;
        options.traces = 40;
        options.spansPerTrace = 30;
        options.seed = 99;
        std::map<TraceId, Trace> generated;
        {
            TraceGenerator generator(generatorOptionsForFormat(options, format.toStdString()));
            Trace t;
            while (generator.next(t))
                generated[t.id] = t;
        }
        const QString path = m_dir.filePath(QStringLiteral("round-trip.") + QString::fromLatin1(format));
        const auto written = writeGeneratedFile(options, format.toStdString(), path);
        QVERIFY2(written.has_value(), qPrintable(written ? QString() : written.error()));
        QCOMPARE(written->traces, options.traces);
        ImportSummary summary;
        auto imported = testsupport::importAll(path, &summary);
        QVERIFY2(imported.has_value(), qPrintable(imported ? QString() : imported.error().toString()));
        QCOMPARE(int(summary.format), expectedFormat);
        QCOMPARE(imported->size(), generated.size());
        QCOMPARE(summary.spans, written->spans);
        size_t tags = 0;
        for (const Trace& back : *imported) {
            QVERIFY(generated.count(back.id));
            const Trace& original = generated[back.id];
            QCOMPARE(back.spans.size(), original.spans.size());
            std::map<SpanId, const Span*> byId;
            for (const Span& s : back.spans)
                byId[s.id] = &s;
            for (const Span& want : original.spans) {
                QVERIFY(byId.count(want.id));
                const Span& got = *byId[want.id];
                QCOMPARE(got.parentId, want.parentId);
                QCOMPARE(got.startNs / precisionNs, want.startNs / precisionNs);
                QCOMPARE(got.durationNs / precisionNs, want.durationNs / precisionNs);
                QCOMPARE(back.serviceName(got), original.serviceName(want));
                QCOMPARE(back.operationName(got), original.operationName(want));
                if (want.kind != SpanKind::Internal && want.kind != SpanKind::Unspecified)
                    QCOMPARE(got.kind, want.kind);
                QCOMPARE(got.isError(), want.isError());
                for (quint32 i = want.attributes.begin; i < want.attributes.end(); ++i) {
                    const Attribute& a = original.attributes[i];
                    if (a.type != ValueType::String)
                        continue;
                    const std::string_view key = original.string(a.key);
                    bool found = false;
                    for (quint32 j = got.attributes.begin; j < got.attributes.end() && !found; ++j) {
                        const Attribute& b = back.attributes[j];
                        found = back.string(b.key) == key && b.type == ValueType::String
                            && back.text(b.ref) == original.text(a.ref);
                    }
                    QVERIFY2(found, std::string(key).c_str());
                    ++tags;
                }
            }
        }
        QVERIFY(tags > 100);
    }

    void sameFileTwice_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("otlp hotrod") << QString::fromUtf8(kHotrod);
        QTest::newRow("zipkin smartthings") << QStringLiteral("zipkin-v2/smartthings-mobile-web-install.json");
        QTest::newRow("zipkin v1 kafka") << QStringLiteral("zipkin-v1/messaging-kafka-v1.json");
        QTest::newRow("jaeger ui-model") << QStringLiteral("jaeger/ui-model-logs-warnings-multiref.json");
        QTest::newRow("otlp proto") << QStringLiteral("otlp-proto/otlp2parquet-traces.pb");
    }

    void sameFileTwice()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, file);
        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(testsupport::fixture(file)).has_value());
        const CacheState first = stateOf(**cache);
        auto direct = testsupport::importAll(testsupport::fixture(file));
        QVERIFY(direct.has_value());
        std::vector<std::shared_ptr<const Trace>> loaded;
        for (const Trace& t : *direct) {
            auto l = (*cache)->loadTrace(t.id);
            QVERIFY(l.has_value());
            loaded.push_back(*l);
        }
        QVERIFY((*cache)->importFile(testsupport::fixture(file)).has_value());
        QVERIFY(stateOf(**cache) == first);
        for (size_t i = 0; i < direct->size(); ++i) {
            auto again = (*cache)->loadTrace((*direct)[i].id);
            QVERIFY(again.has_value());
            QVERIFY2(canonical(**again) == canonical(*loaded[i]), "the trace changed on re-import");
            // Re-importing finds nothing new, so the stored trace is not even rewritten.
            QVERIFY2(**again == *loaded[i], "the stored trace is no longer byte-identical after re-import");
            QCOMPARE(TraceCodec::encode(**again).size(), TraceCodec::encode(*loaded[i]).size());
        }
    }

    void splitFileGivesSameTrace_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("smartthings") << QStringLiteral("zipkin-v2/smartthings-mobile-web-install.json");
        QTest::newRow("yelp") << QStringLiteral("zipkin-v2/yelp.json");
        QTest::newRow("netflix") << QStringLiteral("zipkin-v2/netflix-128bit-shared-root.json");
        QTest::newRow("kafka") << QStringLiteral("zipkin-v2/messaging-kafka.json");
    }

    void splitFileGivesSameTrace()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, file);
        // A Zipkin v2 file is one JSON array of spans: cut it between two spans near the middle.
        const QByteArray whole = testsupport::readAll(testsupport::fixture(file));
        const QJsonDocument doc = QJsonDocument::fromJson(whole);
        QVERIFY(doc.isArray());
        const QJsonArray spans = doc.array();
        QJsonArray a, b;
        for (qsizetype i = 0; i < spans.size(); ++i)
            (i < spans.size() / 2 ? a : b).append(spans[i]);
        const QString first = write(QStringLiteral("half1.json"), QJsonDocument(a).toJson());
        const QString second = write(QStringLiteral("half2.json"), QJsonDocument(b).toJson());

        auto direct = testsupport::importAll(testsupport::fixture(file));
        QVERIFY(direct.has_value());
        QCOMPARE(direct->size(), size_t(1));

        QTemporaryDir dir;
        auto cache = TraceCache::open(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY(cache.has_value());
        QVERIFY((*cache)->importFile(first).has_value());
        QVERIFY((*cache)->importFile(second).has_value());
        QCOMPARE((*cache)->traceCount(), qint64(1));
        QCOMPARE((*cache)->spanCount(), qint64(direct->front().spans.size()));
        auto merged = (*cache)->loadTrace(direct->front().id);
        QVERIFY(merged.has_value());
        const Canonical want = canonical(direct->front());
        const Canonical got = canonical(**merged);
        QCOMPARE(got.spans.size(), want.spans.size());
        for (size_t i = 0; i < want.spans.size(); ++i)
            QCOMPARE(QString::fromStdString(got.spans[i]), QString::fromStdString(want.spans[i]));
        QVERIFY(got.roots == want.roots);

        // And in memory: the two halves appended and assembled.
        auto h1 = testsupport::importAll(first);
        auto h2 = testsupport::importAll(second);
        QVERIFY(h1 && h2 && h1->size() == 1 && h2->size() == 1);
        Trace t = std::move(h1->front());
        TraceAssembler::append(t, h2->front());
        TraceAssembler::assemble(t);
        QVERIFY(canonical(t) == want);
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
