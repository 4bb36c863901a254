// SpanStatistics (percentiles, rows, spans without a duration) and the import warnings tallied by kind.

#include "importsupport.h"

#include "analysis/spanstatistics.h"
#include "formats/importwarnings.h"
#include "formats/traceimporter.h"
#include "generator/generatedfile.h"
#include "model/traceassembler.h"

#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace tracemap;

class TestStatistics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void statisticsWithoutDuration()
    {
        // Two timed spans (10 and 30 ms) and two without a duration (Zipkin's missing duration): the percentiles
        // are those of the timed spans alone, and the others are counted apart.
        Trace t;
        t.id = TraceId { 0, 7 };
        const StringId svc = t.strings.intern("svc");
        const StringId op = t.strings.intern("op");
        const qint64 durations[] = { 10000000, 0, 30000000, 0 };
        for (int i = 0; i < 4; ++i) {
            Span s;
            s.id = SpanId(i + 1);
            s.startNs = i;
            s.durationNs = durations[i];
            s.service = svc;
            s.operation = op;
            if (durations[i] == 0)
                s.problems = MissingDuration;
            t.spans.push_back(s);
        }
        TraceAssembler::assemble(t);
        SpanStatistics stats;
        stats.add(t);
        const auto rows = stats.rows();
        QCOMPARE(rows.size(), size_t(2));
        for (const auto& r : rows) {
            QCOMPARE(r.spans, qint64(4));
            QCOMPARE(r.noDuration, qint64(2));
            QCOMPARE(r.p50, qint64(10000000));
            QCOMPARE(r.p95, qint64(30000000));
            QCOMPARE(r.max, qint64(30000000));
        }
    }

    void importWarningsByKind()
    {
        if (!requireFixtures())
            return;
        // One orphan (its parent is in no file) and one non-hex id mapped to a hash on every span of the file.
        ImportSummary summary;
        QVERIFY(testsupport::importAll(
            testsupport::fixture(QStringLiteral("jaeger/anonymized-spans-array-inline-process.json")), &summary)
                    .has_value());
        QCOMPARE(summary.warnings, qint64(1));
        QCOMPARE(summary.warningKinds.size(), size_t(1));
        QCOMPARE(summary.warningKinds[0].kind, QStringLiteral("orphan span"));
        QCOMPARE(summary.warningKinds[0].count, qint64(1));
        QVERIFY2(summary.warningKinds[0].example.contains(
                     QLatin1String("span 7606ddfe69932d34 (16af988c443cff37: a071653098f9250d): parent "
                                   "492770a15935810f is not in the trace")),
            qPrintable(summary.warningKinds[0].example));

        QVERIFY(testsupport::importAll(
            testsupport::fixture(QStringLiteral("jaeger/producer-consumer-follows-from-error.json")), &summary)
                    .has_value());
        QCOMPARE(summary.warnings, qint64(11));
        std::map<QString, ImportWarningKind> kinds;
        for (const ImportWarningKind& k : summary.warningKinds)
            kinds[k.kind] = k;
        const QString spanIds = QStringLiteral("spanID \"…\" is not hex; mapped to a hashed id");
        QVERIFY(kinds.contains(spanIds));
        QCOMPARE(kinds[spanIds].count, qint64(11));
        QVERIFY2(kinds[spanIds].example.contains(QLatin1String("spanID \"span-1\" is not hex")),
            qPrintable(kinds[spanIds].example));
        // The consumer ends after its producer: async messaging, not clock skew (TraceAssembler::looksSkewed).
        QVERIFY(!kinds.contains(QStringLiteral("clock skew")));
        // Most frequent first.
        for (size_t i = 1; i < summary.warningKinds.size(); ++i)
            QVERIFY(summary.warningKinds[i - 1].count >= summary.warningKinds[i].count);
    }

    // A file gives a trace's spans in several parts when an import flushes between them (OTLP groups spans by
    // resource, so a trace's services come far apart): each part is assembled alone, but a span whose parent is in
    // another part, before or after it, is no orphan once the cache merges them, and the summary must say so.
    void importWarningsCountWholeTraces()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("generated.pb"));
        GeneratorOptions generated;
        generated.traces = 300;
        generated.spansPerTrace = 20;
        generated.services = 8;
        QVERIFY(writeGeneratedFile(generated, "otlp-proto", file).has_value());
        qint64 cutTraces = 0;
        ImportSummary summaries[2];
        for (int i = 0; i < 2; ++i) {
            ImportOptions options;
            options.threads = ImportThreads::One;
            options.flushSpans = i == 0 ? 1000000 : 50; // one batch; many, with traces cut between them
            std::map<TraceId, int> parts;
            auto summary = TraceImporter::importFile(
                file,
                [&](std::vector<Trace>& traces) {
                    for (const Trace& t : traces)
                        ++parts[t.id];
                },
                options);
            QVERIFY2(summary.has_value(), summary ? "" : qPrintable(summary.error().toString()));
            summaries[i] = *summary;
            if (i == 1)
                cutTraces = std::ranges::count_if(parts, [](const auto& p) { return p.second > 1; });
        }
        QVERIFY2(cutTraces > 100, qPrintable(QString::number(cutTraces))); // the case is really there
        QCOMPARE(summaries[0].warnings, qint64(0));
        QCOMPARE(summaries[1].warnings, qint64(0));
        QCOMPARE(summaries[1].traces, summaries[0].traces);
        QVERIFY(summaries[1].warningKinds.empty());
    }

    // The same by hand, in both orders, with a real orphan among them and a span that has another warning too.
    void importWarningsResolveOrphansAcrossParts()
    {
        const auto part = [](std::vector<std::pair<SpanId, SpanId>> spans, bool textWarning = false) {
            Trace t;
            t.id = TraceId { 0, 42 };
            const StringId svc = t.strings.intern("svc");
            for (auto [id, parent] : spans) {
                Span s;
                s.id = id;
                s.parentId = parent;
                s.startNs = qint64(id);
                s.durationNs = 1;
                s.service = s.operation = svc;
                if (textWarning) {
                    s.warnings = { quint32(t.warnings.size()), 1 };
                    t.warnings.push_back(t.addText("tag dropped"));
                }
                t.spans.push_back(s);
            }
            TraceAssembler::assemble(t);
            return t;
        };
        ImportWarnings warnings;
        warnings.add(part({ { 3, 1 }, { 4, 99 } })); // 3's parent comes later; 4's never
        QCOMPARE(warnings.spans(), qint64(2)); // as it stands: both orphans
        warnings.add(part({ { 1, 0 } })); // the root
        warnings.add(part({ { 5, 3 } }, true)); // its parent came before; a warning of its own
        QCOMPARE(warnings.traces(), size_t(1));
        QCOMPARE(warnings.spans(), qint64(2)); // 4 (orphan) and 5 (text warning)
        const auto kinds = warnings.kinds();
        QCOMPARE(kinds.size(), size_t(2));
        std::map<QString, ImportWarningKind> byKind;
        for (const ImportWarningKind& k : kinds)
            byKind[k.kind] = k;
        QCOMPARE(byKind[QStringLiteral("orphan span")].count, qint64(1));
        QVERIFY2(byKind[QStringLiteral("orphan span")].example.contains(
                     QLatin1String("span 0000000000000004 (svc: svc): parent 0000000000000063 is not in the trace")),
            qPrintable(byKind[QStringLiteral("orphan span")].example));
        QCOMPARE(byKind[QStringLiteral("tag dropped")].count, qint64(1));
    }

    void importWarningsKeepFewTextKinds()
    {
        // A source that writes a different warning text on every span must not grow the summary without bound.
        Trace t;
        t.id = TraceId { 0, 9 };
        const StringId svc = t.strings.intern("svc");
        for (int i = 0; i < 100; ++i) {
            Span s;
            s.id = SpanId(i + 1);
            s.service = s.operation = svc;
            s.warnings = { quint32(t.warnings.size()), 1 };
            t.warnings.push_back(t.addText("warning kind " + std::string(1, char('a' + i % 26)) + char('a' + i / 26)));
            t.spans.push_back(s);
        }
        ImportWarnings warnings;
        warnings.add(t);
        QCOMPARE(warnings.spans(), qint64(100));
        const auto kinds = warnings.kinds();
        QCOMPARE(kinds.size(), ImportWarnings::kMaxTextKinds + 1);
        QCOMPARE(kinds.front().kind, QStringLiteral("other source warning"));
        QCOMPARE(kinds.front().count, qint64(100 - ImportWarnings::kMaxTextKinds));
    }

    void percentiles_data()
    {
        QTest::addColumn<QList<qint64>>("values");
        QTest::addColumn<double>("p");
        QTest::addColumn<qint64>("expected");
        QList<qint64> hundred;
        for (int i = 1; i <= 100; ++i)
            hundred << i * 10;
        QList<qint64> twenty;
        for (int i = 1; i <= 20; ++i)
            twenty << i;
        QTest::newRow("empty") << QList<qint64>() << 50.0 << qint64(0);
        QTest::newRow("one value p50") << QList<qint64> { 7 } << 50.0 << qint64(7);
        QTest::newRow("one value p0") << QList<qint64> { 7 } << 0.0 << qint64(7);
        QTest::newRow("1..20 p50") << twenty << 50.0 << qint64(10);
        QTest::newRow("1..20 p95") << twenty << 95.0 << qint64(19);
        QTest::newRow("1..20 p99") << twenty << 99.0 << qint64(20);
        QTest::newRow("1..20 p100") << twenty << 100.0 << qint64(20);
        QTest::newRow("1..20 p5") << twenty << 5.0 << qint64(1);
        QTest::newRow("1..20 p6") << twenty << 6.0 << qint64(2);
        QTest::newRow("100 values p50") << hundred << 50.0 << qint64(500);
        QTest::newRow("100 values p95") << hundred << 95.0 << qint64(950);
        QTest::newRow("100 values p99") << hundred << 99.0 << qint64(990);
        QTest::newRow("100 values p7") << hundred << 7.0 << qint64(70); // 0.07 * 100 is 7.000000000000001
        QTest::newRow("100 values p99.5") << hundred << 99.5 << qint64(1000);
        QTest::newRow("5 values p40") << QList<qint64> { 15, 20, 35, 40, 50 } << 40.0 << qint64(20);
        QTest::newRow("5 values p30") << QList<qint64> { 15, 20, 35, 40, 50 } << 30.0 << qint64(20);
    }

    void percentiles()
    {
        QFETCH(QList<qint64>, values);
        QFETCH(double, p);
        QFETCH(qint64, expected);
        const std::vector<qint64> sorted(values.begin(), values.end());
        QCOMPARE(SpanStatistics::percentile(sorted, p), expected);
    }

    void statisticsRows()
    {
        // One service, two operations; durations 1..10 ms on "a" (one error), 100 ms on "b".
        Trace t;
        t.id = TraceId { 0, 1 };
        const StringId svc = t.strings.intern("svc");
        const StringId a = t.strings.intern("a");
        const StringId b = t.strings.intern("b");
        for (int i = 1; i <= 10; ++i) {
            Span s;
            s.id = SpanId(i);
            s.startNs = i;
            s.durationNs = i * 1000000;
            s.service = svc;
            s.operation = a;
            s.status = i == 3 ? StatusCode::Error : StatusCode::Unset;
            t.spans.push_back(s);
        }
        Span s;
        s.id = 11;
        s.durationNs = 100000000;
        s.service = svc;
        s.operation = b;
        t.spans.push_back(s);
        TraceAssembler::assemble(t);
        SpanStatistics stats;
        stats.add(t);
        const auto rows = stats.rows();
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[0].service, std::string("svc"));
        QCOMPARE(rows[0].operation, std::string());
        QCOMPARE(rows[0].spans, qint64(11));
        QCOMPARE(rows[0].errors, qint64(1));
        QCOMPARE(rows[0].p50, qint64(6000000));
        QCOMPARE(rows[0].max, qint64(100000000));
        QCOMPARE(rows[1].operation, std::string("a"));
        QCOMPARE(rows[1].spans, qint64(10));
        QCOMPARE(rows[1].p50, qint64(5000000));
        QCOMPARE(rows[1].p95, qint64(10000000));
        QVERIFY(qAbs(rows[1].errorPercent - 10.0) < 1e-9);
        QCOMPARE(rows[2].operation, std::string("b"));
        QCOMPARE(rows[2].p99, qint64(100000000));
        QCOMPARE(rows[2].errors, qint64(0));
        QVERIFY(rows[0].isService && !rows[1].isService && !rows[2].isService);

        // A span without an operation name is an operation row of its own, not a second service row.
        Span unnamed;
        unnamed.id = 12;
        unnamed.durationNs = 7;
        unnamed.service = svc;
        unnamed.operation = t.strings.intern("");
        t.spans.push_back(unnamed);
        TraceAssembler::assemble(t);
        SpanStatistics withUnnamed;
        withUnnamed.add(t);
        const auto rows2 = withUnnamed.rows();
        QCOMPARE(rows2.size(), size_t(4));
        QVERIFY(rows2[0].isService);
        QCOMPARE(rows2[0].spans, qint64(12));
        QVERIFY(!rows2[1].isService);
        QCOMPARE(rows2[1].operation, std::string());
        QCOMPARE(rows2[1].spans, qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "tst_statistics.moc"
