// Imports every public trace fixture (jaeger, otlp-json, otlp-proto, zipkin-v1, zipkin-v2) and checks the figures
// per file: traces, spans, services, roots and error spans. The expected figures were obtained by running the
// importer and then checked one by one against /work/shared/fixtures/MANIFEST.md; every row that differs from the
// manifest says why.

#include "testsupport.h"

#include <QDirIterator>
#include <QObject>
#include <QSet>
#include <QTest>

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
    // MANIFEST: 8 spans. Two records of id 6c59056709a0b1e4 (no kind, no localEndpoint, no duration) are
    // identical, so one is dropped as an exact duplicate.
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
        QVERIFY(summary.format != TraceFormat::Unknown);

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
