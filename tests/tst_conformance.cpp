// Imports every public trace fixture (jaeger, otlp-json, otlp-proto, zipkin-v1, zipkin-v2) and checks the figures
// per file: traces, spans, services, roots and error spans. The expected figures were obtained by running the
// importer and then checked one by one against /work/shared/fixtures/MANIFEST.md; every row that differs from the
// manifest says why. Then span by span: each JSON span record's start, duration, kind, parent, name and string
// tags, read from the file by an independent reader (QJsonDocument), must be what the importer made of it; Zipkin
// v1 halves, the old OTLP key instrumentationLibrarySpans and hashed non-hex Jaeger ids on hand-written input.

#include "importsupport.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <map>

#include <set>
#include <string>

using namespace tracemap;

namespace {

const QStringList kFolders = { QStringLiteral("jaeger"), QStringLiteral("otlp-json"), QStringLiteral("otlp-proto"),
    QStringLiteral("zipkin-v1"), QStringLiteral("zipkin-v2") };

struct Figures {
    qint64 traces = 0;
    qint64 spans = 0;
    qint64 services = 0;
    qint64 roots = 0;
    qint64 errors = 0;
};

struct Row {
    const char* file;
    Figures expected;
};

// clang-format off
const Row kRows[] = {
    // file                                                   traces spans services roots errors
    { "jaeger/anonymized-spans-array-inline-process.json", { 1, 2, 2, 1, 1 } }, // error=true given as the string "true"
    // MANIFEST: 2 spans. The two span objects are byte-for-byte identical (same id, times, tags): one span sent
    // twice, and the assembler drops exact duplicates.
    { "jaeger/api-transform-otlp2jaeger-out.json", { 1, 1, 1, 1, 0 } },
    { "jaeger/child-longer-than-parent.json", { 1, 2, 2, 1, 0 } },
    { "jaeger/genai-agent-57-spans-10-services.json", { 1, 57, 10, 1, 1 } },
    { "jaeger/jaeger-ui-issue115-follows-from.json", { 1, 2, 1, 1, 0 } },
    { "jaeger/multiple-root-spans.json", { 1, 4, 1, 4, 0 } }, // all references empty: a forest of 4
    { "jaeger/producer-consumer-follows-from-error.json", { 1, 11, 2, 1, 1 } },
    // Two different spans share id 2 (both kept, DuplicateSpanId, both roots); span 4's first CHILD_OF names a
    // span of another trace (00ff/00ff), so its parent is the CHILD_OF within its own trace, as Jaeger's backend
    // picks it; the other reference stays a link.
    { "jaeger/ui-model-logs-warnings-multiref.json", { 1, 5, 2, 2, 1 } },
    { "otlp-json/genai-agent-otlp.json", { 1, 8, 1, 1, 0 } },
    { "otlp-json/jaeger-apiv3-gettrace-minimal.json", { 1, 1, 0, 1, 1 } }, // no service.name: 0 services
    { "otlp-json/jaeger-apiv3-hotrod-gettrace.json", { 1, 40, 6, 1, 3 } },
    { "otlp-json/jaeger-span-link-attributes.json", { 1, 1, 1, 1, 0 } },
    { "otlp-json/jaeger-storage-links-events-all-kinds.json", { 2, 4, 1, 4, 4 } }, // parents absent: 4 orphan roots
    { "otlp-json/no-service-name-orphan.json", { 1, 1, 0, 1, 0 } },
    { "otlp-json/nodejs-file-exporter-multi.jsonl", { 1, 4, 1, 1, 0 } },
    { "otlp-json/nodejs-multi-resourcespans-combined.json", { 1, 4, 1, 1, 0 } },
    { "otlp-json/otel-demo-timeout-masked-truncated.json", { 1, 26, 5, 1, 1 } },
    { "otlp-json/otel-proto-example-trace.json", { 1, 1, 1, 1, 0 } },
    { "otlp-json/otlp2parquet-otel-demo-trace.json", { 1, 2, 1, 1, 0 } },
    { "otlp-json/otlp2parquet-traces.jsonl", { 19, 19, 8, 19, 0 } },
    { "otlp-json/tempo-batches-uppercase-hex.json", { 1, 1, 1, 1, 0 } },
    { "otlp-proto/otlp2parquet-trace.pb", { 1, 2, 1, 1, 0 } },
    { "otlp-proto/otlp2parquet-traces.pb", { 19, 19, 8, 19, 0 } },
    // parentId "BADID" is not hex: read as no parent, so both spans are roots.
    { "zipkin-v1/invalid-parent-id-custom-annotation.json", { 1, 2, 1, 2, 0 } },
    { "zipkin-v1/local-component-no-endpoints.json", { 1, 2, 1, 2, 0 } },
    { "zipkin-v1/messaging-kafka-v1.json", { 1, 28, 2, 1, 3 } }, // same figures as its v2 twin
    { "zipkin-v1/no-timestamp-no-duration.json", { 1, 1, 1, 1, 0 } },
    // MANIFEST: "2 root spans". Those are the client (front-proxy) and server (service1) halves of one shared
    // span id; the server half gets its own id and is placed under its client, so the trace has 1 root.
    { "zipkin-v1/opencensus-front-proxy-single-batch.json", { 1, 5, 3, 1, 0 } },
    // Same spans as above, split over nested batches: same reason for 1 root.
    { "zipkin-v1/opencensus-nested-batches.json", { 1, 5, 3, 1, 0 } },
    { "zipkin-v1/sofa-long-service-name.json", { 1, 2, 1, 1, 0 } },
    { "zipkin-v2/ascend.json", { 1, 8, 3, 1, 0 } },
    { "zipkin-v2/envoy-single-shared-no-service.json", { 1, 1, 0, 1, 0 } },
    // MANIFEST: 9 spans. All nine span objects are byte-for-byte identical (one span reported nine times); exact
    // duplicates are dropped, leaving 1 span.
    { "zipkin-v2/frontend-backend-128bit-orphans.json", { 1, 1, 1, 1, 0 } },
    { "zipkin-v2/kong-malformed-missing-duration.json", { 1, 7, 1, 1, 0 } },
    { "zipkin-v2/messaging-kafka.json", { 1, 28, 2, 1, 3 } }, // remote-only "kafka" not counted
    { "zipkin-v2/messaging-rabbitmq.json", { 1, 4, 2, 1, 0 } },
    { "zipkin-v2/messaging2.json", { 1, 11, 4, 7, 0 } }, // 6 spans with missing parents + the root
    // MANIFEST: 8 spans. Two records of id 6c59056709a0b1e4 (no kind, no localEndpoint, no duration) differ only
    // in annotations and tags: pieces of one span, merged into one (see netflixKindlessPiecesMerge).
    { "zipkin-v2/netflix-128bit-shared-root.json", { 1, 7, 3, 1, 0 } },
    { "zipkin-v2/odd-length-parent-id-producer.json", { 1, 1, 1, 1, 0 } },
    { "zipkin-v2/short-ids-debug-shared.json", { 1, 1, 1, 1, 0 } },
    { "zipkin-v2/simple-db-p6.json", { 1, 5, 1, 1, 0 } },
    { "zipkin-v2/skew.json", { 1, 4, 2, 1, 0 } },
    { "zipkin-v2/smartthings-mobile-web-install.json", { 1, 1041, 16, 1, 2 } }, // error tag on both halves of one id
    { "zipkin-v2/unicode-chinese-service-names.json", { 1, 1, 1, 1, 1 } },
    // MANIFEST: 2 spans. The kind-less child carries all four v1 core annotations (cs, sr, cr, ss): it is a
    // client and a server span in one record, and the importer splits it into its client and server halves.
    { "zipkin-v2/v2-with-v1-core-annotations-bad-ts.json", { 1, 3, 1, 1, 0 } },
    { "zipkin-v2/yelp.json", { 1, 16, 6, 1, 0 } }, // remote-only services (mysql, memcache, ...) not counted
};
// clang-format on

QStringList filesOnDisk()
{
    QStringList out;
    for (const QString& folder : kFolders) {
        QDirIterator it(QDir(fixturesDir()).filePath(folder), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            out << QDir(fixturesDir()).relativeFilePath(it.filePath());
        }
    }
    out.sort();
    return out;
}

Figures measure(const std::vector<Trace>& traces)
{
    Figures f;
    std::set<std::string> services;
    f.traces = static_cast<qint64>(traces.size());
    for (const Trace& t : traces) {
        f.spans += static_cast<qint64>(t.spans.size());
        f.roots += static_cast<qint64>(t.roots.size());
        for (const Span& s : t.spans) {
            if (!t.serviceName(s).empty())
                services.insert(std::string(t.serviceName(s)));
            if (s.isError())
                ++f.errors;
        }
    }
    f.services = static_cast<qint64>(services.size());
    return f;
}

// What a fixture's folder says its format is.
TraceFormat formatOfFolder(const QString& file)
{
    const QString folder = file.section(QLatin1Char('/'), 0, 0);
    if (folder == QLatin1String("jaeger"))
        return TraceFormat::JaegerJson;
    if (folder == QLatin1String("otlp-json"))
        return TraceFormat::OtlpJson;
    if (folder == QLatin1String("otlp-proto"))
        return TraceFormat::OtlpProto;
    if (folder == QLatin1String("zipkin-v1"))
        return TraceFormat::ZipkinV1Json;
    return TraceFormat::ZipkinV2Json;
}

// One span record as the source file gives it, read without the importer's code.
struct SourceSpan {
    SpanId id = 0;
    std::optional<SpanId> parentId; // unset: not checked
    QString name;
    std::optional<qint64> startNs;
    std::optional<qint64> durationNs;
    std::optional<SpanKind> kind;
    std::map<QString, QString> tags; // string-valued tags only
};

std::optional<quint64> hex64(const QString& text)
{
    if (text.isEmpty() || text.size() > 16)
        return std::nullopt;
    bool ok = false;
    const quint64 v = text.toULongLong(&ok, 16);
    return ok ? std::optional<quint64>(v) : std::nullopt;
}

// A span id as files write it: hex (OTLP JSON, Jaeger, Zipkin) or base64 of 8 bytes (some OTLP JSON exporters).
std::optional<quint64> sourceId(const QString& text)
{
    if (const auto hex = hex64(text))
        return hex;
    const QByteArray bytes = QByteArray::fromBase64(text.toLatin1());
    if (bytes.size() != 8)
        return std::nullopt;
    quint64 v = 0;
    for (const char c : bytes)
        v = (v << 8) | quint8(c);
    return v;
}

qint64 number(const QJsonValue& v)
{
    return v.isString() ? v.toString().toLongLong() : qint64(v.toDouble());
}

// Calls visit for every JSON object under `value` (depth first).
void forEachObject(const QJsonValue& value, const std::function<void(const QJsonObject&)>& visit)
{
    if (value.isArray()) {
        for (const QJsonValue& v : value.toArray())
            forEachObject(v, visit);
    } else if (value.isObject()) {
        const QJsonObject o = value.toObject();
        visit(o);
        for (auto it = o.begin(); it != o.end(); ++it)
            forEachObject(it.value(), visit);
    }
}

std::optional<SpanKind> kindFromName(QString name)
{
    name = name.toUpper().remove(QStringLiteral("SPAN_KIND_"));
    const std::pair<const char*, SpanKind> names[] = { { "INTERNAL", SpanKind::Internal },
        { "SERVER", SpanKind::Server }, { "CLIENT", SpanKind::Client }, { "PRODUCER", SpanKind::Producer },
        { "CONSUMER", SpanKind::Consumer }, { "UNSPECIFIED", SpanKind::Unspecified } };
    for (const auto& [n, k] : names) {
        if (name == QLatin1String(n))
            return k;
    }
    return std::nullopt;
}

// The span records of a Jaeger, Zipkin v2 or OTLP JSON file whose id occurs once in it (shared ids, duplicates
// and pieces are the assembler's business and have their own tests); ids that are not hex are skipped.
std::vector<SourceSpan> sourceSpans(const QString& file, TraceFormat format)
{
    std::vector<QJsonValue> documents;
    const QByteArray bytes = testsupport::readAll(testsupport::fixture(file));
    if (file.endsWith(QLatin1String(".jsonl"))) {
        for (const QByteArray& line : bytes.split('\n')) {
            if (!line.trimmed().isEmpty())
                documents.push_back(QJsonDocument::fromJson(line).object());
        }
    } else {
        const QJsonDocument d = QJsonDocument::fromJson(bytes);
        documents.push_back(d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object()));
    }
    std::vector<SourceSpan> out;
    std::map<SpanId, int> seen;
    auto visit = [&](const QJsonObject& o) {
        SourceSpan s;
        if (format == TraceFormat::JaegerJson && o.contains(QLatin1String("spanID"))
            && o.contains(QLatin1String("operationName"))) {
            const auto id = sourceId(o.value(QLatin1String("spanID")).toString());
            if (!id)
                return;
            s.id = *id;
            s.name = o.value(QLatin1String("operationName")).toString();
            if (o.value(QLatin1String("startTime")).isDouble())
                s.startNs = number(o.value(QLatin1String("startTime"))) * 1000;
            if (o.value(QLatin1String("duration")).isDouble())
                s.durationNs = number(o.value(QLatin1String("duration"))) * 1000;
            const QJsonArray refs = o.value(QLatin1String("references")).toArray();
            if (refs.isEmpty() && !o.contains(QLatin1String("parentSpanID")))
                s.parentId = 0;
            else if (refs.size() == 1
                && refs[0].toObject().value(QLatin1String("traceID")) == o.value(QLatin1String("traceID")))
                s.parentId = sourceId(refs[0].toObject().value(QLatin1String("spanID")).toString());
            for (const QJsonValue& t : o.value(QLatin1String("tags")).toArray()) {
                const QJsonObject tag = t.toObject();
                if (tag.value(QLatin1String("value")).isString()
                    && tag.value(QLatin1String("key")) != QLatin1String("span.kind"))
                    s.tags[tag.value(QLatin1String("key")).toString()] = tag.value(QLatin1String("value")).toString();
                if (tag.value(QLatin1String("key")) == QLatin1String("span.kind"))
                    s.kind = kindFromName(tag.value(QLatin1String("value")).toString());
            }
        } else if (format == TraceFormat::ZipkinV2Json && o.contains(QLatin1String("traceId"))
            && o.contains(QLatin1String("id"))) {
            const auto id = sourceId(o.value(QLatin1String("id")).toString());
            if (!id)
                return;
            for (const QJsonValue& a : o.value(QLatin1String("annotations")).toArray()) {
                const QString value = a.toObject().value(QLatin1String("value")).toString();
                if (value == QLatin1String("cs") || value == QLatin1String("sr") || value == QLatin1String("cr")
                    || value == QLatin1String("ss"))
                    return; // a v1-style record: split into halves
            }
            s.id = *id;
            s.name = o.value(QLatin1String("name")).toString();
            if (o.contains(QLatin1String("timestamp")))
                s.startNs = number(o.value(QLatin1String("timestamp"))) * 1000;
            if (o.contains(QLatin1String("duration")))
                s.durationNs = number(o.value(QLatin1String("duration"))) * 1000;
            s.parentId = o.contains(QLatin1String("parentId")) ? sourceId(o.value(QLatin1String("parentId")).toString())
                                                               : std::optional<SpanId>(0);
            s.kind = o.contains(QLatin1String("kind")) ? kindFromName(o.value(QLatin1String("kind")).toString())
                                                       : std::optional<SpanKind>(SpanKind::Unspecified);
            const QJsonObject tags = o.value(QLatin1String("tags")).toObject();
            for (auto it = tags.begin(); it != tags.end(); ++it)
                s.tags[it.key()] = it.value().toString();
        } else if (format == TraceFormat::OtlpJson && o.contains(QLatin1String("spanId"))
            && o.contains(QLatin1String("name"))) {
            const auto id = sourceId(o.value(QLatin1String("spanId")).toString());
            if (!id)
                return;
            s.id = *id;
            s.name = o.value(QLatin1String("name")).toString();
            if (o.contains(QLatin1String("startTimeUnixNano")))
                s.startNs = number(o.value(QLatin1String("startTimeUnixNano")));
            if (s.startNs && o.contains(QLatin1String("endTimeUnixNano")))
                s.durationNs = number(o.value(QLatin1String("endTimeUnixNano"))) - *s.startNs;
            const QString parent = o.value(QLatin1String("parentSpanId")).toString();
            s.parentId = parent.isEmpty() ? std::optional<SpanId>(0) : sourceId(parent);
            const QJsonValue kind = o.value(QLatin1String("kind"));
            s.kind = kind.isString() ? kindFromName(kind.toString()) : std::optional<SpanKind>(SpanKind(kind.toInt()));
            for (const QJsonValue& a : o.value(QLatin1String("attributes")).toArray()) {
                const QJsonObject value = a.toObject().value(QLatin1String("value")).toObject();
                if (value.contains(QLatin1String("stringValue")))
                    s.tags[a.toObject().value(QLatin1String("key")).toString()]
                        = value.value(QLatin1String("stringValue")).toString();
            }
        } else {
            return;
        }
        ++seen[s.id];
        out.push_back(s);
    };
    for (const QJsonValue& d : documents)
        forEachObject(d, visit);
    std::erase_if(out, [&](const SourceSpan& s) { return seen[s.id] > 1; });
    return out;
}

std::optional<QString> attribute(const Trace& t, const Span& span, const QString& key)
{
    const std::string k = key.toStdString();
    for (quint32 i = span.attributes.begin; i < span.attributes.end(); ++i) {
        const Attribute& a = t.attributes[i];
        if (t.string(a.key) == k && a.type == ValueType::String) {
            const std::string_view v = t.text(a.ref);
            return QString::fromUtf8(v.data(), qsizetype(v.size()));
        }
    }
    return std::nullopt;
}

QStringList eventNames(const Trace& t, const Span& span)
{
    QStringList out;
    for (quint32 e = span.events.begin; e < span.events.end(); ++e)
        out << QString::fromUtf8(t.string(t.events[e].name).data(), qsizetype(t.string(t.events[e].name).size()));
    return out;
}

// The one span of `t` with this id and kind; nullptr when there is not exactly one.
const Span* findSpan(const Trace& t, SpanId id, std::optional<SpanKind> kind = std::nullopt)
{
    const Span* found = nullptr;
    for (const Span& s : t.spans) {
        if (s.id == id && (!kind || s.kind == *kind)) {
            if (found)
                return nullptr;
            found = &s;
        }
    }
    return found;
}

// A whole file written to a temporary folder and imported.
std::expected<std::vector<Trace>, ImportError> importText(
    const QTemporaryDir& dir, const QString& name, const QByteArray& bytes, ImportSummary* summary = nullptr)
{
    const QString path = dir.filePath(name);
    if (!testsupport::writeFile(path, bytes)) {
        ImportError error;
        error.file = path;
        error.message = QStringLiteral("cannot write");
        return std::unexpected(error);
    }
    return testsupport::importAll(path, summary);
}

// Spans of two imports of the same spans compared field by field (ids, parents, times, kinds, names, tags).
void compareSpans(const Trace& a, const Trace& b)
{
    QCOMPARE(a.spans.size(), b.spans.size());
    for (size_t i = 0; i < a.spans.size(); ++i) {
        const Span& x = a.spans[i];
        const Span& y = b.spans[i];
        QCOMPARE(x.id, y.id);
        QCOMPARE(x.parentId, y.parentId);
        QCOMPARE(x.startNs, y.startNs);
        QCOMPARE(x.durationNs, y.durationNs);
        QCOMPARE(x.kind, y.kind);
        QCOMPARE(x.status, y.status);
        // Zipkin v2 lower-cases service names (the kafka twins say serviceA and servicea).
        QCOMPARE(QString::fromUtf8(a.serviceName(x).data(), qsizetype(a.serviceName(x).size())).toLower(),
            QString::fromUtf8(b.serviceName(y).data(), qsizetype(b.serviceName(y).size())).toLower());
        QCOMPARE(a.operationName(x), b.operationName(y));
        // A v1 "lc" binary annotation (local component) stays a tag; Zipkin's v2 twin of the kafka file has none.
        const auto keys = [](const Trace& t, const Span& span) {
            QStringList out;
            for (quint32 k = span.attributes.begin; k < span.attributes.end(); ++k) {
                const std::string_view key = t.string(t.attributes[k].key);
                if (key != "lc")
                    out << QString::fromUtf8(key.data(), qsizetype(key.size()));
            }
            out.sort();
            return out;
        };
        QCOMPARE(keys(a, x), keys(b, y));
        for (const QString& key : keys(a, x)) {
            QCOMPARE(
                attribute(a, x, key).value_or(QString()).toLower(), attribute(b, y, key).value_or(QString()).toLower());
        }
    }
}

} // namespace

class TestConformance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void printFigures()
    {
        if (qgetenv("TRACEMAP_PRINT_FIGURES").isEmpty())
            QSKIP("set TRACEMAP_PRINT_FIGURES=1 to print the measured figures");
        if (!requireFixtures())
            return;
        for (const QString& file : filesOnDisk()) {
            auto traces = testsupport::importAll(testsupport::fixture(file));
            if (!traces) {
                qInfo().noquote() << file << "ERROR" << traces.error().toString();
                continue;
            }
            const Figures f = measure(*traces);
            qInfo().noquote() << QStringLiteral("{ \"%1\", { %2, %3, %4, %5, %6 } },")
                                     .arg(file)
                                     .arg(f.traces)
                                     .arg(f.spans)
                                     .arg(f.services)
                                     .arg(f.roots)
                                     .arg(f.errors);
        }
    }

    void importsFixture_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("traces");
        QTest::addColumn<qint64>("spans");
        QTest::addColumn<qint64>("services");
        QTest::addColumn<qint64>("roots");
        QTest::addColumn<qint64>("errors");
        for (const Row& row : kRows) {
            QTest::newRow(row.file) << QString::fromUtf8(row.file) << row.expected.traces << row.expected.spans
                                    << row.expected.services << row.expected.roots << row.expected.errors;
        }
    }

    void importsFixture()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, file);
        QFETCH(qint64, traces);
        QFETCH(qint64, spans);
        QFETCH(qint64, services);
        QFETCH(qint64, roots);
        QFETCH(qint64, errors);

        ImportSummary summary;
        auto imported = testsupport::importAll(testsupport::fixture(file), &summary);
        QVERIFY2(imported.has_value(), qPrintable(imported ? QString() : imported.error().toString()));
        const Figures f = measure(*imported);
        QCOMPARE(f.traces, traces);
        QCOMPARE(f.spans, spans);
        QCOMPARE(f.services, services);
        QCOMPARE(f.roots, roots);
        QCOMPARE(f.errors, errors);

        // The importer's own summary agrees with what reached the sink.
        QCOMPARE(summary.traces, traces);
        QCOMPARE(summary.spans, spans);
        QCOMPARE(summary.services, services);
        QCOMPARE(summary.format, formatOfFolder(file));

        // Every trace is a well-formed forest: roots have no parent, every span is reachable once.
        for (const Trace& t : *imported) {
            QVERIFY(t.id.isValid());
            size_t reached = 0;
            std::vector<quint32> stack(t.roots.begin(), t.roots.end());
            while (!stack.empty()) {
                const quint32 i = stack.back();
                stack.pop_back();
                ++reached;
                const Span& s = t.spans[i];
                for (quint32 c = s.children.begin; c < s.children.end(); ++c) {
                    QCOMPARE(t.spans[t.childIndex[c]].parent, i);
                    QCOMPARE(t.spans[t.childIndex[c]].depth, s.depth + 1);
                    stack.push_back(t.childIndex[c]);
                }
            }
            QCOMPARE(reached, t.spans.size());
            for (size_t i = 1; i < t.spans.size(); ++i)
                QVERIFY(t.spans[i - 1].startNs <= t.spans[i].startNs);
        }
    }

    // Span by span against the source file: every JSON span record (with an id of its own) is imported with its
    // name, start, duration, kind, parent and string tags.
    void spansMatchSource_data()
    {
        QTest::addColumn<QString>("file");
        for (const Row& row : kRows) {
            const QString file = QString::fromUtf8(row.file);
            const TraceFormat format = formatOfFolder(file);
            if (format == TraceFormat::JaegerJson || format == TraceFormat::ZipkinV2Json
                || format == TraceFormat::OtlpJson)
                QTest::newRow(row.file) << file;
        }
    }

    void spansMatchSource()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, file);
        auto imported = testsupport::importAll(testsupport::fixture(file));
        QVERIFY(imported.has_value());
        const std::vector<SourceSpan> source = sourceSpans(file, formatOfFolder(file));
        // Files whose every record shares its id with another (duplicates, v1-style halves) or has an id that is
        // not hex (hashed, see hashedJaegerIdsAreStable) have none to check.
        const QStringList onlyShared = { QStringLiteral("jaeger/api-transform-otlp2jaeger-out.json"),
            QStringLiteral("jaeger/producer-consumer-follows-from-error.json"),
            QStringLiteral("zipkin-v2/frontend-backend-128bit-orphans.json"),
            QStringLiteral("zipkin-v2/v2-with-v1-core-annotations-bad-ts.json") };
        QCOMPARE(source.empty(), onlyShared.contains(file));
        for (const SourceSpan& want : source) {
            const QByteArray where = QByteArray(file.toUtf8() + " span " + QByteArray::number(want.id, 16));
            const Trace* trace = nullptr;
            const Span* got = nullptr;
            for (const Trace& t : *imported) {
                if (const Span* s = findSpan(t, want.id)) {
                    QVERIFY2(!got, where.constData());
                    trace = &t;
                    got = s;
                }
            }
            QVERIFY2(got, where.constData());
            QCOMPARE(QString::fromUtf8(trace->operationName(*got).data(), qsizetype(trace->operationName(*got).size())),
                want.name);
            if (want.startNs)
                QCOMPARE(got->startNs, *want.startNs);
            if (want.durationNs)
                QCOMPARE(got->durationNs, *want.durationNs);
            if (want.parentId && got->parentId != *want.parentId) {
                // A child of a span id shared by a Zipkin client and server runs under the server half.
                const bool underHalf = std::any_of(trace->spans.begin(), trace->spans.end(), [&](const Span& half) {
                    return half.id == got->parentId && (half.problems & SharedServerHalf)
                        && half.parentId == *want.parentId;
                });
                QVERIFY2(underHalf, where.constData());
            }
            if (want.kind)
                QCOMPARE(got->kind, *want.kind);
            for (const auto& [key, value] : want.tags)
                QVERIFY2(attribute(*trace, *got, key) == value || (key == QLatin1String("error") && got->isError()),
                    QByteArray(where + " tag " + key.toUtf8()).constData());
        }
    }

    // Zipkin v1 reports one RPC as halves: cs/cr annotations of the client, sr/ss of the server, in one record
    // with one id. Each half gets its own times, kind, endpoint, tags and annotations; a record with one core
    // annotation is that half alone and takes the record's timestamp and duration, messaging (ms, mr) too: a
    // consumer's record starts at its wire receive, before the "mr" annotation.
    void zipkinV1Halves()
    {
        QTemporaryDir dir;
        const QByteArray front = R"({"serviceName":"front","ipv4":"10.0.0.1"})";
        const QByteArray back = R"({"serviceName":"back","ipv4":"10.0.0.2"})";
        const QByteArray json = R"([
 {"traceId":"00000000000000a1","id":"0000000000000001","name":"root","timestamp":900,"duration":1000,
  "annotations":[{"timestamp":900,"value":"sr","endpoint":FRONT},{"timestamp":1900,"value":"ss","endpoint":FRONT}]},
 {"traceId":"00000000000000a1","id":"0000000000000002","parentId":"0000000000000001","name":"get","timestamp":1000,"duration":500,
  "annotations":[{"timestamp":1000,"value":"cs","endpoint":FRONT},{"timestamp":1500,"value":"cr","endpoint":FRONT},
                 {"timestamp":1100,"value":"sr","endpoint":BACK},{"timestamp":1400,"value":"ss","endpoint":BACK},
                 {"timestamp":1200,"value":"cache miss","endpoint":BACK},{"timestamp":1050,"value":"retry","endpoint":FRONT}],
  "binaryAnnotations":[{"key":"http.path","value":"/a","endpoint":FRONT},{"key":"db.rows","value":"3","endpoint":BACK},
                       {"key":"sa","value":true,"endpoint":{"serviceName":"back"}},{"key":"ca","value":true,"endpoint":{"serviceName":"front"}}]},
 {"traceId":"00000000000000a1","id":"0000000000000003","parentId":"0000000000000001","name":"cs only","timestamp":1600,"duration":70,
  "annotations":[{"timestamp":1600,"value":"cs","endpoint":FRONT}]},
 {"traceId":"00000000000000a1","id":"0000000000000004","parentId":"0000000000000001","name":"sr only","timestamp":1610,"duration":80,
  "annotations":[{"timestamp":1610,"value":"sr","endpoint":BACK}]},
 {"traceId":"00000000000000a1","id":"0000000000000005","parentId":"0000000000000001","name":"send","timestamp":1620,"duration":50,
  "annotations":[{"timestamp":1625,"value":"ms","endpoint":FRONT}]},
 {"traceId":"00000000000000a1","id":"0000000000000006","parentId":"0000000000000001","name":"receive","timestamp":1690,"duration":60,
  "annotations":[{"timestamp":1700,"value":"mr","endpoint":BACK}]}
])";
        QByteArray text = json;
        text.replace("FRONT", front).replace("BACK", back);
        ImportSummary summary;
        auto traces = importText(dir, QStringLiteral("v1.json"), text, &summary);
        QVERIFY2(traces.has_value(), qPrintable(traces ? QString() : traces.error().toString()));
        QCOMPARE(summary.format, TraceFormat::ZipkinV1Json);
        QCOMPARE(traces->size(), size_t(1));
        const Trace& t = traces->front();
        QCOMPARE(t.spans.size(), size_t(7));

        const Span* root = findSpan(t, 1, SpanKind::Server);
        QVERIFY(root);
        QCOMPARE(root->startNs, qint64(900000));
        QCOMPARE(root->durationNs, qint64(1000000));

        const Span* client = findSpan(t, 2, SpanKind::Client);
        QVERIFY(client);
        QCOMPARE(t.serviceName(*client), std::string_view("front"));
        QCOMPARE(client->startNs, qint64(1000000));
        QCOMPARE(client->durationNs, qint64(500000)); // cr - cs
        QCOMPARE(client->parentId, SpanId(1));
        QCOMPARE(attribute(t, *client, QStringLiteral("http.path")), QStringLiteral("/a"));
        QCOMPARE(attribute(t, *client, QStringLiteral("db.rows")), std::nullopt);
        QCOMPARE(attribute(t, *client, QStringLiteral("peer.service")), QStringLiteral("back"));
        QCOMPARE(eventNames(t, *client), QStringList { QStringLiteral("retry") });

        const Span* server = nullptr;
        for (const Span& s : t.spans) {
            if (s.kind == SpanKind::Server && t.serviceName(s) == "back" && s.parentId == 2)
                server = &s;
        }
        QVERIFY(server);
        QCOMPARE(server->id, TraceAssembler::serverHalfId(2, "back"));
        QCOMPARE(server->startNs, qint64(1100000));
        QCOMPARE(server->durationNs, qint64(300000)); // ss - sr
        QCOMPARE(attribute(t, *server, QStringLiteral("db.rows")), QStringLiteral("3"));
        QCOMPARE(attribute(t, *server, QStringLiteral("http.path")), std::nullopt);
        QCOMPARE(attribute(t, *server, QStringLiteral("peer.service")), QStringLiteral("front"));
        QCOMPARE(eventNames(t, *server), QStringList { QStringLiteral("cache miss") });

        const struct {
            SpanId id;
            SpanKind kind;
            const char* service;
            qint64 startUs;
            qint64 durationUs;
        } singles[] = { { 3, SpanKind::Client, "front", 1600, 70 }, { 4, SpanKind::Server, "back", 1610, 80 },
            { 5, SpanKind::Producer, "front", 1620, 50 }, { 6, SpanKind::Consumer, "back", 1690, 60 } };
        for (const auto& single : singles) {
            const Span* s = findSpan(t, single.id);
            QVERIFY(s);
            QCOMPARE(s->kind, single.kind);
            QCOMPARE(t.serviceName(*s), std::string_view(single.service));
            QCOMPARE(s->startNs, single.startUs * 1000);
            QCOMPARE(s->durationNs, single.durationUs * 1000);
            QCOMPARE(s->problems & (MissingDuration | MissingStart), 0);
        }
        for (const Span& s : t.spans)
            QVERIFY2(!(s.problems & (ClockSkew | OrphanSpan | DuplicateSpanId)), qPrintable(QString::number(s.id)));
    }

    // The Netflix trace has two kind-less records of id 6c59056709a0b1e4 (no endpoint, no duration, same name and
    // timestamp) that differ in annotations and tags: two instrumentation layers reporting pieces of one local
    // span. Zipkin's UI merges same-id spans of compatible kind and endpoint the same way. They are merged into
    // one span with both annotations and the tags of both; the CLIENT and SERVER records of that id stay halves.
    // The merged span starts 2 ms after the CLIENT record of the same id, so it is not a piece of that one: two
    // different spans keep one id, and the later is flagged.
    void netflixKindlessPiecesMerge()
    {
        if (!requireFixtures())
            return;
        auto traces
            = testsupport::importAll(testsupport::fixture(QStringLiteral("zipkin-v2/netflix-128bit-shared-root.json")));
        QVERIFY(traces && traces->size() == 1);
        const Trace& t = traces->front();
        const SpanId id = 0x6c59056709a0b1e4ull;
        const Span* piece = findSpan(t, id, SpanKind::Unspecified);
        QVERIFY(piece);
        QStringList events = eventNames(t, *piece);
        events.sort();
        QCOMPARE(events, (QStringList { QStringLiteral("salp.hystrix"), QStringLiteral("salp.niws") }));
        QCOMPARE(attribute(t, *piece, QStringLiteral("salp.niws.data.rest_client_name")),
            QStringLiteral("session-logs-client"));
        QCOMPARE(attribute(t, *piece, QStringLiteral("salp.hystrix.data.hystrix.cmd_name")),
            QStringLiteral("PDS_REPORT_LOG"));
        QVERIFY(piece->problems & MissingDuration);
        QVERIFY(piece->problems & DuplicateSpanId);
        const Span* client = findSpan(t, id, SpanKind::Client);
        QVERIFY(client);
        QCOMPARE(client->durationNs, qint64(8000000));
        const Span* server = findSpan(t, TraceAssembler::serverHalfId(id, "session_logs"), SpanKind::Server);
        QVERIFY(server);
        QCOMPARE(server->parentId, id);
        QCOMPARE(server->durationNs, qint64(3000000));
    }

    // Fixtures that hold the same spans in two encodings import to the same spans.
    void twinsImportAlike_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::newRow("kafka v1 and v2") << QStringLiteral("zipkin-v1/messaging-kafka-v1.json")
                                         << QStringLiteral("zipkin-v2/messaging-kafka.json");
        QTest::newRow("opencensus single and nested batches")
            << QStringLiteral("zipkin-v1/opencensus-front-proxy-single-batch.json")
            << QStringLiteral("zipkin-v1/opencensus-nested-batches.json");
        QTest::newRow("otlp2parquet json and proto") << QStringLiteral("otlp-json/otlp2parquet-traces.jsonl")
                                                     << QStringLiteral("otlp-proto/otlp2parquet-traces.pb");
    }

    void twinsImportAlike()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, first);
        QFETCH(QString, second);
        auto a = testsupport::importAll(testsupport::fixture(first));
        auto b = testsupport::importAll(testsupport::fixture(second));
        QVERIFY(a && b);
        QCOMPARE(a->size(), b->size());
        for (size_t i = 0; i < a->size(); ++i) {
            QCOMPARE((*a)[i].id, (*b)[i].id);
            compareSpans((*a)[i], (*b)[i]);
            if (QTest::currentTestFailed())
                return;
        }
    }

    // OTLP JSON written before OTLP 0.15 names scopeSpans "instrumentationLibrarySpans" and the scope
    // "instrumentationLibrary": the same spans.
    void instrumentationLibrarySpans()
    {
        QTemporaryDir dir;
        const QByteArray current
            = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"old-sdk"}}]},
 "scopeSpans":[{"scope":{"name":"lib","version":"1.2"},"spans":[
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"a","kind":2,
   "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",
   "attributes":[{"key":"k","value":{"stringValue":"v"}}]},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174","name":"b","kind":3,
   "startTimeUnixNano":"1544712660100000000","endTimeUnixNano":"1544712660300000000"}]}]}]})";
        QByteArray old = current;
        old.replace("scopeSpans", "instrumentationLibrarySpans").replace("\"scope\"", "\"instrumentationLibrary\"");
        ImportSummary summary;
        auto a = importText(dir, QStringLiteral("current.json"), current);
        auto b = importText(dir, QStringLiteral("old.json"), old, &summary);
        QVERIFY2(b.has_value(), qPrintable(b ? QString() : b.error().toString()));
        QVERIFY(a.has_value());
        QCOMPARE(summary.format, TraceFormat::OtlpJson);
        QCOMPARE(b->size(), size_t(1));
        const Trace& t = b->front();
        QCOMPARE(t.spans.size(), size_t(2));
        QCOMPARE(t.serviceName(t.spans[0]), std::string_view("old-sdk"));
        QCOMPARE(t.spans[1].parentId, SpanId(0xeee19b7ec3c1b174ull));
        QCOMPARE(t.spans[1].durationNs, qint64(200000000));
        QCOMPARE(t.spans[1].kind, SpanKind::Client);
        QCOMPARE(attribute(t, t.spans[0], QStringLiteral("k")), QStringLiteral("v"));
        QVERIFY(t.spans[0].scope != kNoIndex);
        QCOMPARE(t.string(t.scopes[t.spans[0].scope].name), std::string_view("lib"));
        compareSpans(a->front(), t);

        // One ResourceSpans object per line without the resourceSpans envelope, as some exporters write: the old
        // key alone tells the format.
        const QByteArray bare
            = R"({"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"old-sdk"}}]},)"
              R"("instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"lib","version":"1.2"},"spans":[)"
              R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"a","kind":2,)"
              R"("startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",)"
              R"("attributes":[{"key":"k","value":{"stringValue":"v"}}]}]}]})";
        const QByteArray bareChild
            = R"({"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"old-sdk"}}]},)"
              R"("instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"lib","version":"1.2"},"spans":[)"
              R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174",)"
              R"("name":"b","kind":3,"startTimeUnixNano":"1544712660100000000","endTimeUnixNano":"1544712660300000000"}]}]})";
        ImportSummary bareSummary;
        auto c = importText(dir, QStringLiteral("bare.jsonl"), bare + '\n' + bareChild + '\n', &bareSummary);
        QVERIFY2(c.has_value(), qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(bareSummary.format, TraceFormat::OtlpJson);
        QCOMPARE(c->size(), size_t(1));
        compareSpans(a->front(), c->front());
    }

    // Jaeger ids that are not hex (hand-written or from other tools) map to hashed ids. The mapping is part of
    // the cache's contents, so it must never change between versions: the values below are fixed.
    void hashedJaegerIdsAreStable()
    {
        QTemporaryDir dir;
        const QByteArray json = R"({"data":[{"traceID":"my-trace","spans":[
 {"traceID":"my-trace","spanID":"root-span","operationName":"root","references":[],"startTime":1000,"duration":100,"processID":"p1"},
 {"traceID":"my-trace","spanID":"child-span","operationName":"child","references":[{"refType":"CHILD_OF","traceID":"my-trace","spanID":"root-span"}],
  "startTime":1010,"duration":50,"processID":"p1"}],
 "processes":{"p1":{"serviceName":"svc","tags":[]}}}]})";
        auto first = importText(dir, QStringLiteral("a.json"), json);
        auto second = importText(dir, QStringLiteral("b.json"), json);
        QVERIFY2(first.has_value(), qPrintable(first ? QString() : first.error().toString()));
        QVERIFY(second.has_value());
        QCOMPARE(first->size(), size_t(1));
        const Trace& t = first->front();
        QCOMPARE(t.id, second->front().id);
        QCOMPARE(QByteArray::fromStdString(t.id.toFullHex()), QByteArray("8f8b205609539e52657ee478d8b74567"));
        QCOMPARE(t.spans.size(), size_t(2));
        QCOMPARE(QByteArray::fromStdString(spanIdToHex(t.spans[0].id)), QByteArray("4e024510086921a8"));
        QCOMPARE(QByteArray::fromStdString(spanIdToHex(t.spans[1].id)), QByteArray("3680632b0e83e150"));
        QCOMPARE(t.spans[1].parentId, t.spans[0].id);
        QCOMPARE(t.roots.size(), size_t(1));
        QVERIFY(t.spans[0].warnings.count > 0); // the span says its id was mapped
    }

    // The format comes from the content, never from the file name.
    void formatDetectionIgnoresExtension_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("format");
        QTest::newRow("otlp json as .pb") << QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json")
                                          << QStringLiteral("trace.pb") << int(TraceFormat::OtlpJson);
        QTest::newRow("otlp proto as .json") << QStringLiteral("otlp-proto/otlp2parquet-trace.pb")
                                             << QStringLiteral("trace.json") << int(TraceFormat::OtlpProto);
        QTest::newRow("jaeger without extension") << QStringLiteral("jaeger/genai-agent-57-spans-10-services.json")
                                                  << QStringLiteral("trace") << int(TraceFormat::JaegerJson);
        QTest::newRow("zipkin v1 as .txt") << QStringLiteral("zipkin-v1/messaging-kafka-v1.json")
                                           << QStringLiteral("trace.txt") << int(TraceFormat::ZipkinV1Json);
        QTest::newRow("zipkin v2 as .jsonl")
            << QStringLiteral("zipkin-v2/yelp.json") << QStringLiteral("trace.jsonl") << int(TraceFormat::ZipkinV2Json);
    }

    void formatDetectionIgnoresExtension()
    {
        if (!requireFixtures())
            return;
        QFETCH(QString, fixture);
        QFETCH(QString, name);
        QFETCH(int, format);
        QTemporaryDir dir;
        ImportSummary renamedSummary;
        auto renamed = importText(dir, name, testsupport::readAll(testsupport::fixture(fixture)), &renamedSummary);
        QVERIFY2(renamed.has_value(), qPrintable(renamed ? QString() : renamed.error().toString()));
        QCOMPARE(int(renamedSummary.format), format);
        auto original = testsupport::importAll(testsupport::fixture(fixture));
        QVERIFY(original.has_value());
        QCOMPARE(renamed->size(), original->size());
        for (size_t i = 0; i < renamed->size(); ++i)
            QVERIFY(TraceAssembler::sameContent((*renamed)[i], (*original)[i]));
    }

    // A fixture added to one of the folders must get a row above, so it cannot be skipped silently.
    void everyFixtureIsCovered()
    {
        if (!requireFixtures())
            return;
        QStringList inTable;
        for (const Row& row : kRows)
            inTable << QString::fromUtf8(row.file);
        inTable.sort();
        const QStringList onDisk = filesOnDisk();
        QVERIFY(!onDisk.isEmpty());
        QStringList missing;
        for (const QString& file : onDisk) {
            if (!inTable.contains(file))
                missing << file;
        }
        QVERIFY2(missing.isEmpty(),
            qPrintable(QStringLiteral("fixtures without an expected row: %1").arg(missing.join(QStringLiteral(", ")))));
        QStringList gone;
        for (const QString& file : inTable) {
            if (!onDisk.contains(file))
                gone << file;
        }
        QVERIFY2(gone.isEmpty(),
            qPrintable(
                QStringLiteral("rows for fixtures that no longer exist: %1").arg(gone.join(QStringLiteral(", ")))));
        QCOMPARE(QSet<QString>(inTable.begin(), inTable.end()).size(), inTable.size());
    }
};

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
