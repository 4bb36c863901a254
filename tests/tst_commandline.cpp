// The command line as a user runs it: the built tracemap program in a child process, its exit codes, stdout and
// stderr. Covers trace-id lookup, read commands on a missing cache, stats without durations, the generator's
// service count and trace ids, import warnings by kind, ages in days and weeks, and a quiet stderr.

#include "testsupport.h"

#include "formats/traceimporter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace tracemap;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run runTracemap(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(TRACEMAP_BINARY), args);
    Run run;
    if (!process.waitForFinished(300000) || process.exitStatus() != QProcess::NormalExit) {
        run.err = QStringLiteral("did not finish: ") + process.errorString();
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString describe(const Run& r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(r.out, r.err);
}

std::set<TraceId> traceIdsOf(const QString& file)
{
    std::set<TraceId> ids;
    (void)TraceImporter::importFile(file, [&](std::vector<Trace>& traces) {
        for (const Trace& t : traces)
            ids.insert(t.id);
    });
    return ids;
}

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void generateHonoursServiceCount_data()
    {
        QTest::addColumn<int>("services");
        QTest::addColumn<QString>("format");
        QTest::newRow("1") << 1 << QStringLiteral("jaeger");
        QTest::newRow("12") << 12 << QStringLiteral("zipkin");
        QTest::newRow("40") << 40 << QStringLiteral("jaeger");
        QTest::newRow("100") << 100 << QStringLiteral("otlp-json");
    }

    void generateHonoursServiceCount()
    {
        QFETCH(int, services);
        QFETCH(QString, format);
        const QString file = path(QStringLiteral("services-%1.json").arg(services));
        const Run generated = runTracemap({ QStringLiteral("generate"), QStringLiteral("--services"),
            QString::number(services), QStringLiteral("--format"), format, QStringLiteral("-o"), file });
        QVERIFY2(generated.exitCode == 0, qPrintable(describe(generated)));
        const Run stats = runTracemap({ QStringLiteral("stats"), file, QStringLiteral("--json") });
        QVERIFY2(stats.exitCode == 0, qPrintable(describe(stats)));
        const QJsonArray found = QJsonDocument::fromJson(stats.out.toUtf8())[QLatin1String("services")].toArray();
        QCOMPARE(found.size(), services);
    }

    // stats of a cache past 200,000 spans comes from the rollups, and says so; --exact reads every span. The counts
    // agree, the durations within the grid's 4.5 %.
    void statsOfALargeCacheComeFromTheRollups()
    {
        const QString file = path(QStringLiteral("large.pb"));
        const QString cache = path(QStringLiteral("large.sqlite"));
        const Run generated = runTracemap({ QStringLiteral("generate"), QStringLiteral("--traces"),
            QStringLiteral("21000"), QStringLiteral("--spans-per-trace"), QStringLiteral("10"),
            QStringLiteral("--format"), QStringLiteral("otlp-proto"), QStringLiteral("-o"), file });
        QVERIFY2(generated.exitCode == 0, qPrintable(describe(generated)));
        QCOMPARE(runTracemap({ QStringLiteral("import"), QStringLiteral("--cache"), cache, file }).exitCode, 0);
        const Run text = runTracemap({ QStringLiteral("stats"), QStringLiteral("--cache"), cache });
        QVERIFY2(text.exitCode == 0 && text.out.trimmed().endsWith(QStringLiteral("(--exact reads every span))")),
            qPrintable(describe(text)));
        const auto services = [&](const QStringList& extra, QString* figures) {
            const Run run = runTracemap(
                QStringList { QStringLiteral("stats"), QStringLiteral("--cache"), cache, QStringLiteral("--json") }
                + extra);
            const QJsonObject root = QJsonDocument::fromJson(run.out.toUtf8()).object();
            *figures = root.value(QLatin1String("figures")).toString();
            return root.value(QLatin1String("services")).toArray();
        };
        QString rollupsFigures, exactFigures;
        const QJsonArray summed = services({}, &rollupsFigures);
        const QJsonArray exact = services({ QStringLiteral("--exact") }, &exactFigures);
        QCOMPARE(rollupsFigures, QStringLiteral("rollups"));
        QCOMPARE(exactFigures, QStringLiteral("exact"));
        QCOMPARE(summed.size(), exact.size());
        qint64 spans = 0;
        for (qsizetype i = 0; i < exact.size(); ++i) {
            const QJsonObject a = summed[i].toObject(), b = exact[i].toObject();
            QCOMPARE(a.value(QLatin1String("service")), b.value(QLatin1String("service")));
            QCOMPARE(a.value(QLatin1String("spans")).toInteger(), b.value(QLatin1String("spans")).toInteger());
            QCOMPARE(a.value(QLatin1String("errors")).toInteger(), b.value(QLatin1String("errors")).toInteger());
            const double p95 = b.value(QLatin1String("p95Ns")).toDouble();
            QVERIFY(std::abs(a.value(QLatin1String("p95Ns")).toDouble() / p95 - 1) <= 0.045);
            spans += b.value(QLatin1String("spans")).toInteger();
        }
        QVERIFY2(spans > 200'000, qPrintable(QString::number(spans)));
    }

    void generatedTraceIdsDependOnEveryOption()
    {
        const QStringList base { QStringLiteral("generate"), QStringLiteral("--traces"), QStringLiteral("20") };
        struct Variant {
            const char* name;
            QStringList extra;
        };
        const Variant variants[]
            = { { "default", {} }, { "more traces", { QStringLiteral("--traces"), QStringLiteral("40") } },
                  { "more spans", { QStringLiteral("--spans-per-trace"), QStringLiteral("60") } },
                  { "more services", { QStringLiteral("--services"), QStringLiteral("13") } },
                  { "another seed", { QStringLiteral("--seed"), QStringLiteral("2") } },
                  { "another format", { QStringLiteral("--format"), QStringLiteral("zipkin") } } };
        std::vector<std::set<TraceId>> ids;
        for (const Variant& v : variants) {
            const QString file = path(QStringLiteral("ids-%1.json").arg(QString::fromLatin1(v.name)));
            const Run r = runTracemap(base + v.extra + QStringList { QStringLiteral("-o"), file });
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
            ids.push_back(traceIdsOf(file));
            QVERIFY(ids.back().size() >= 20);
        }
        for (size_t a = 0; a < ids.size(); ++a) {
            for (size_t b = a + 1; b < ids.size(); ++b) {
                std::vector<TraceId> shared;
                std::set_intersection(
                    ids[a].begin(), ids[a].end(), ids[b].begin(), ids[b].end(), std::back_inserter(shared));
                QVERIFY2(shared.empty(),
                    qPrintable(QStringLiteral("%1 and %2 share %3 trace ids")
                                   .arg(QString::fromLatin1(variants[a].name), QString::fromLatin1(variants[b].name))
                                   .arg(shared.size())));
            }
        }
        // The same options still give the same ids.
        const QString again = path(QStringLiteral("ids-again.json"));
        QCOMPARE(runTracemap(base + QStringList { QStringLiteral("-o"), again }).exitCode, 0);
        QVERIFY(traceIdsOf(again) == ids.front());
    }

    void readCommandsOnAMissingCache_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("search") << QStringList { QStringLiteral("search") };
        QTest::newRow("search --trace-id")
            << QStringList { QStringLiteral("search"), QStringLiteral("--trace-id"), QStringLiteral("ff") };
        QTest::newRow("stats") << QStringList { QStringLiteral("stats") };
        QTest::newRow("stats --by-time") << QStringList { QStringLiteral("stats"), QStringLiteral("--by-time"),
            QStringLiteral("5m") };
        QTest::newRow("anomalies") << QStringList { QStringLiteral("anomalies") };
        QTest::newRow("explain") << QStringList { QStringLiteral("explain"), QStringLiteral("--errors") };
        QTest::newRow("topology") << QStringList { QStringLiteral("topology"), QStringLiteral("-o"),
            path(QStringLiteral("missing.svg")) };
    }

    void readCommandsOnAMissingCache()
    {
        QFETCH(QStringList, args);
        const QString cache = path(QStringLiteral("no/such/dir/x.sqlite"));
        const Run r = runTracemap(args + QStringList { QStringLiteral("--cache"), cache });
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QVERIFY2(r.err.contains(cache), qPrintable(describe(r)));
        QVERIFY2(!r.out.contains(QLatin1String("0 traces")), qPrintable(describe(r)));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("no"))));
    }

    void searchByTraceId()
    {
        if (!requireFixtures())
            return;
        const QString cache = path(QStringLiteral("ids.sqlite"));
        // One trace with a 128-bit id: found by the full id, in capitals, by its low 64 bits, in a list.
        const QString file = testsupport::fixture(QStringLiteral("otlp-json/jaeger-apiv3-hotrod-gettrace.json"));
        QCOMPARE(runTracemap({ QStringLiteral("import"), QStringLiteral("--cache"), cache, file }).exitCode, 0);
        const QString full = QStringLiteral("2ea75461946a7dd10f2c15ab36a076cb");
        auto search = [&](const QStringList& ids) {
            QStringList args { QStringLiteral("search"), QStringLiteral("--cache"), cache };
            for (const QString& id : ids)
                args << QStringLiteral("--trace-id") << id;
            return runTracemap(args);
        };
        for (const QString& id :
            QStringList { full, full.toUpper(), full.right(16), QStringLiteral("1234,") + full.right(16) }) {
            const Run r = search({ id });
            QVERIFY2(r.exitCode == 0 && r.out.startsWith(full) && r.out.contains(QLatin1String("\n1 trace\n")),
                qPrintable(id + QLatin1Char('\n') + describe(r)));
        }
        const Run none = search({ QStringLiteral("1234"), QStringLiteral("ff") });
        QVERIFY2(none.exitCode == 0 && none.out == QLatin1String("0 traces\n"), qPrintable(describe(none)));
        const Run bad = search({ full, QStringLiteral("not-an-id") });
        QVERIFY2(bad.exitCode == 2, qPrintable(describe(bad)));
        QVERIFY2(bad.err.contains(QLatin1String("'not-an-id' is not a trace id")), qPrintable(describe(bad)));
        QVERIFY(bad.out.isEmpty());
        const Run tooLong = search({ full + QStringLiteral("0") });
        QVERIFY2(tooLong.exitCode == 2 && tooLong.err.contains(QLatin1String("at most 32 hex digits")),
            qPrintable(describe(tooLong)));

        // Ages in days and weeks.
        for (const QString& age : { QStringLiteral("30d"), QStringLiteral("2w"), QStringLiteral("100000d") }) {
            const Run r = runTracemap(
                { QStringLiteral("search"), QStringLiteral("--cache"), cache, QStringLiteral("--since"), age });
            QVERIFY2(r.exitCode == 0, qPrintable(age + QLatin1Char('\n') + describe(r)));
        }
        const Run days = runTracemap({ QStringLiteral("search"), QStringLiteral("--cache"), cache,
            QStringLiteral("--since"), QStringLiteral("100000d") });
        QVERIFY2(days.out.startsWith(full), qPrintable(describe(days))); // 2026: well within 100,000 days
        const Run years = runTracemap({ QStringLiteral("search"), QStringLiteral("--cache"), cache,
            QStringLiteral("--since"), QStringLiteral("3y") });
        QVERIFY2(years.exitCode == 2 && years.err.contains(QLatin1String("2d or 1w")), qPrintable(describe(years)));
    }

    void importPrintsWarningsByKind()
    {
        if (!requireFixtures())
            return;
        const QString file = testsupport::fixture(QStringLiteral("jaeger/anonymized-spans-array-inline-process.json"));
        const Run r = runTracemap(
            { QStringLiteral("import"), QStringLiteral("--cache"), path(QStringLiteral("warnings.sqlite")), file });
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(
            r.out.contains(QLatin1String("1 span with warnings\n  orphan span: 1 (e.g. trace 2be38093ead7a083 span "
                                         "7606ddfe69932d34 (16af988c443cff37: a071653098f9250d): parent "
                                         "492770a15935810f is not in the trace)\n")),
            qPrintable(describe(r)));
    }

    void statsLeavesSpansWithoutDurationOutOfPercentiles()
    {
        if (!requireFixtures())
            return;
        // Four of kong's six spans have no duration; the two others took 16 and 35 ms.
        const QString file = testsupport::fixture(QStringLiteral("zipkin-v2/kong-malformed-missing-duration.json"));
        const Run text = runTracemap({ QStringLiteral("stats"), file });
        QVERIFY2(text.exitCode == 0, qPrintable(describe(text)));
        QVERIFY2(text.out.section(QLatin1Char('\n'), 0, 0).contains(QLatin1String("no dur.")), qPrintable(text.out));
        const Run json = runTracemap({ QStringLiteral("stats"), file, QStringLiteral("--json") });
        QVERIFY2(json.exitCode == 0, qPrintable(describe(json)));
        const QJsonObject kong = QJsonDocument::fromJson(json.out.toUtf8())[QLatin1String("services")][0].toObject();
        QCOMPARE(kong[QLatin1String("spans")].toInteger(), 6);
        QCOMPARE(kong[QLatin1String("noDuration")].toInteger(), 4);
        QCOMPARE(kong[QLatin1String("p50Ns")].toInteger(), 16000000);
        QCOMPARE(kong[QLatin1String("maxNs")].toInteger(), 35000000);
        const QJsonArray operations = kong[QLatin1String("operations")].toArray();
        const auto balancer = std::find_if(operations.begin(), operations.end(),
            [](const QJsonValue& o) { return o[QLatin1String("operation")] == QLatin1String("kong.balancer"); });
        QVERIFY(balancer != operations.end());
        QCOMPARE((*balancer)[QLatin1String("noDuration")].toInteger(), 1);
        QVERIFY((*balancer)[QLatin1String("p50Ns")].isNull());
    }

    // generate --plant, then anomalies, explain and stats --by-time on the file as a user would chain them.
    void monitoringCommandsFindThePlantedCause()
    {
        const QString file = path(QStringLiteral("planted.pb"));
        const Run generated = runTracemap({ QStringLiteral("generate"), QStringLiteral("--traces"),
            QStringLiteral("16000"), QStringLiteral("--spans-per-trace"), QStringLiteral("8"),
            QStringLiteral("--interval"), QStringLiteral("150ms"), QStringLiteral("--format"),
            QStringLiteral("otlp-proto"), QStringLiteral("--plant"),
            QStringLiteral("errors:shipping:cloud.region=eu-west-3:20-30:0.6"), QStringLiteral("-o"), file });
        QVERIFY2(generated.exitCode == 0, qPrintable(describe(generated)));

        const Run anomalies = runTracemap({ QStringLiteral("anomalies"), file, QStringLiteral("--json") });
        QVERIFY2(anomalies.exitCode == 0, qPrintable(describe(anomalies)));
        const QJsonArray episodes = QJsonDocument::fromJson(anomalies.out.toUtf8()).array();
        const auto shipping = std::find_if(episodes.begin(), episodes.end(), [](const QJsonValue& e) {
            return e[QLatin1String("service")] == QLatin1String("shipping")
                && e[QLatin1String("kind")] == QLatin1String("errors");
        });
        QVERIFY2(shipping != episodes.end(), qPrintable(anomalies.out.left(2000)));
        const QJsonObject episode = shipping->toObject();
        QCOMPARE(episode[QLatin1String("start")].toString().left(16), QStringLiteral("2026-01-01T00:20"));
        QCOMPARE(episode[QLatin1String("attribute")][QLatin1String("key")].toString(), QStringLiteral("cloud.region"));
        QCOMPARE(episode[QLatin1String("attribute")][QLatin1String("value")].toString(), QStringLiteral("eu-west-3"));
        QVERIFY(episode[QLatin1String("attribute")][QLatin1String("episodeShare")].toDouble() > 0.8);
        QVERIFY(
            episode[QLatin1String("explanation")].toString().contains(QLatin1String("have cloud.region=eu-west-3")));
        const Run text = runTracemap(
            { QStringLiteral("anomalies"), file, QStringLiteral("--service"), QStringLiteral("shipping") });
        QVERIFY2(text.exitCode == 0 && text.out.startsWith(QLatin1String("errors: error rate of shipping ")),
            qPrintable(describe(text)));

        const Run explained
            = runTracemap({ QStringLiteral("explain"), file, QStringLiteral("--service"), QStringLiteral("shipping"),
                QStringLiteral("--errors"), QStringLiteral("--since"), QStringLiteral("2026-01-01T00:20:00Z"),
                QStringLiteral("--until"), QStringLiteral("2026-01-01T00:30:00Z"), QStringLiteral("--json") });
        QVERIFY2(explained.exitCode == 0, qPrintable(describe(explained)));
        const QJsonObject comparison = QJsonDocument::fromJson(explained.out.toUtf8()).object();
        QVERIFY(comparison[QLatin1String("selectionSpans")].toInteger() > 50);
        const QJsonObject top = comparison[QLatin1String("attributes")][0].toObject();
        QCOMPARE(top[QLatin1String("key")].toString(), QStringLiteral("cloud.region"));
        for (const QJsonValue& a : comparison[QLatin1String("attributes")].toArray())
            QVERIFY(a[QLatin1String("key")] != QLatin1String("error")); // it defines the selection
        // Two failed spans in a fixture: too few to set anything apart, and the command says so.
        if (requireFixtures()) {
            const Run few = runTracemap({ QStringLiteral("explain"),
                testsupport::fixture(QStringLiteral("zipkin-v2/smartthings-mobile-web-install.json")),
                QStringLiteral("--errors"), QStringLiteral("--all-kinds") });
            QVERIFY2(few.exitCode == 0 && few.out.contains(QLatin1String("no attribute sets the selection apart")),
                qPrintable(describe(few)));
            const Run found = runTracemap({ QStringLiteral("explain"), file, QStringLiteral("--service"),
                QStringLiteral("shipping"), QStringLiteral("--errors") });
            QVERIFY2(found.exitCode == 0 && !found.out.contains(QLatin1String("no attribute sets"))
                    && found.out.contains(QLatin1String("cloud.region  differs by")),
                qPrintable(describe(found)));
        }
        const Run neither = runTracemap({ QStringLiteral("explain"), file });
        QVERIFY2(
            neither.exitCode == 2 && neither.err.contains(QLatin1String("--errors")), qPrintable(describe(neither)));

        const Run byTime = runTracemap({ QStringLiteral("stats"), file, QStringLiteral("--by-time"),
            QStringLiteral("10m"), QStringLiteral("--service"), QStringLiteral("shipping"), QStringLiteral("--json") });
        QVERIFY2(byTime.exitCode == 0, qPrintable(describe(byTime)));
        const QJsonArray buckets = QJsonDocument::fromJson(byTime.out.toUtf8())[QLatin1String("buckets")].toArray();
        QVERIFY(buckets.size() >= 8);
        double during = 0, before = 0;
        for (const QJsonValue& b : buckets) {
            QCOMPARE(b[QLatin1String("service")].toString(), QStringLiteral("shipping"));
            const QString start = b[QLatin1String("start")].toString();
            if (start.startsWith(QLatin1String("2026-01-01T00:20")))
                during = std::max(during, b[QLatin1String("errorPercent")].toDouble());
            if (start.startsWith(QLatin1String("2026-01-01T00:00")))
                before = std::max(before, b[QLatin1String("errorPercent")].toDouble());
        }
        QVERIFY2(during > 20 && before < 5, qPrintable(QStringLiteral("%1 %2").arg(during).arg(before)));
        const Run badStep
            = runTracemap({ QStringLiteral("stats"), file, QStringLiteral("--by-time"), QStringLiteral("90s") });
        QVERIFY2(badStep.exitCode == 2 && badStep.err.contains(QLatin1String("whole minutes")),
            qPrintable(describe(badStep)));
    }

    // tracemap topology on the 1,238-service graph: groups, filters with their hidden counts, paths, trees.
    void topologyGroupsFiltersAndPaths()
    {
        if (!requireFixtures())
            return;
        const QString dag = testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json"));
        const auto json = [&](const QString& file) {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
        };
        const QString grouped = path(QStringLiteral("grouped.json"));
        const Run groups = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--group-by"),
            QStringLiteral("auto"), QStringLiteral("-o"), grouped });
        QVERIFY2(groups.exitCode == 0, qPrintable(describe(groups)));
        QVERIFY2(groups.out.contains(QLatin1String("of 1238 services; community detection")), qPrintable(groups.out));
        const QJsonArray groupNodes = json(grouped).value(QLatin1String("nodes")).toArray();
        QVERIFY(groupNodes.size() >= 5 && groupNodes.size() <= 41);
        qint64 members = 0;
        for (const auto& node : groupNodes) {
            const QString name = node.toObject().value(QLatin1String("name")).toString();
            members += QStringView(name).sliced(name.lastIndexOf(u'(') + 1).chopped(1).toLongLong();
        }
        QCOMPARE(members, qint64(1238)); // every service in a group, each once

        // Expanding one group shows its services in its place.
        const QString firstGroup
            = groupNodes[0].toObject().value(QLatin1String("name")).toString().section(u' ', 0, -2);
        const Run expanded = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--group-by"),
            QStringLiteral("auto"), QStringLiteral("--expand"), firstGroup, QStringLiteral("-o"), grouped });
        QVERIFY2(expanded.exitCode == 0, qPrintable(describe(expanded)));
        QVERIFY(json(grouped).value(QLatin1String("nodes")).toArray().size() > groupNodes.size());

        const QString filtered = path(QStringLiteral("filtered.json"));
        const Run top = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--top"), QStringLiteral("20"),
            QStringLiteral("-o"), filtered });
        QVERIFY2(top.exitCode == 0, qPrintable(describe(top)));
        QCOMPARE(json(filtered).value(QLatin1String("edges")).toArray().size(), qsizetype(20));
        QVERIFY2(top.out.contains(QLatin1String("4251 calls and ")), qPrintable(top.out)); // of 4,271

        const Run minCalls = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--min-calls"),
            QStringLiteral("1000"), QStringLiteral("-o"), filtered });
        QVERIFY2(
            minCalls.exitCode == 0 && minCalls.out.contains(QLatin1String("hidden")), qPrintable(describe(minCalls)));
        for (const auto& edge : json(filtered).value(QLatin1String("edges")).toArray())
            QVERIFY(edge.toObject().value(QLatin1String("calls")).toInteger() >= 1000);

        // The callers of a service, and the paths from one of them to it.
        const QString paths = path(QStringLiteral("paths.json"));
        const Run upstream = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--upstream"),
            QStringLiteral("Service1"), QStringLiteral("-o"), paths });
        QVERIFY2(upstream.exitCode == 0, qPrintable(describe(upstream)));
        const QJsonArray callers = json(paths).value(QLatin1String("nodes")).toArray();
        QVERIFY(callers.size() >= 2);
        const QString caller
            = callers[0].toObject().value(QLatin1String("name")).toString() == QLatin1String("Service1")
            ? callers[1].toObject().value(QLatin1String("name")).toString()
            : callers[0].toObject().value(QLatin1String("name")).toString();
        const Run fromCaller = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--paths"), caller,
            QStringLiteral("Service1"), QStringLiteral("-o"), paths });
        QVERIFY2(fromCaller.exitCode == 0, qPrintable(describe(fromCaller)));
        const QJsonObject found = json(paths);
        QVERIFY(found.value(QLatin1String("nodes")).toArray().size() >= 2);
        const QJsonArray pathEdges = found.value(QLatin1String("edges")).toArray();
        QVERIFY(std::ranges::any_of(pathEdges,
            [&](const QJsonValue& edge) { return edge.toObject().value(QLatin1String("from")).toString() == caller; }));
        QVERIFY(std::ranges::any_of(pathEdges, [](const QJsonValue& edge) {
            return edge.toObject().value(QLatin1String("to")).toString() == QLatin1String("Service1");
        }));

        const Run unknown = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--paths"),
            QStringLiteral("Service1"), QStringLiteral("nobody"), QStringLiteral("-o"), paths });
        QVERIFY2(unknown.exitCode == 1 && unknown.err.contains(QLatin1String("no service named 'nobody'")),
            qPrintable(describe(unknown)));
        const Run badRule = runTracemap({ QStringLiteral("topology"), dag, QStringLiteral("--group-by"),
            QStringLiteral("/(/"), QStringLiteral("-o"), paths });
        QVERIFY2(
            badRule.exitCode == 2 && badRule.err.contains(QLatin1String("not valid")), qPrintable(describe(badRule)));

        // Sized by rate: the boxes grow (the busiest service's to twice its label's), and the legend says so.
        const QString traces = testsupport::fixture(QStringLiteral("jaeger/genai-agent-57-spans-10-services.json"));
        const QString sizedSvg = path(QStringLiteral("sized.svg"));
        const Run sized = runTracemap({ QStringLiteral("topology"), traces, QStringLiteral("--size-by"),
            QStringLiteral("rate"), QStringLiteral("-o"), sizedSvg });
        QVERIFY2(sized.exitCode == 0, qPrintable(describe(sized)));
        QVERIFY(testsupport::readAll(sizedSvg).contains("size: rate, largest"));
        const auto totalWidth = [&](const QStringList& extra) {
            const QString dot = path(QStringLiteral("sized.dot"));
            const Run run
                = runTracemap(QStringList { QStringLiteral("topology"), traces, QStringLiteral("-o"), dot } + extra);
            double total = 0; // the sum of the boxes' widths, in inches
            static const QRegularExpression width(QStringLiteral("width=([0-9.]+)"));
            for (auto it = width.globalMatch(QString::fromUtf8(testsupport::readAll(dot)));
                 run.exitCode == 0 && it.hasNext();)
                total += it.next().captured(1).toDouble();
            return total;
        };
        const double plainWidth = totalWidth({});
        QVERIFY(plainWidth > 0);
        QVERIFY2(totalWidth({ QStringLiteral("--size-by"), QStringLiteral("rate") }) > 1.2 * plainWidth,
            qPrintable(QString::number(plainWidth)));
        const Run badSize = runTracemap({ QStringLiteral("topology"), traces, QStringLiteral("--size-by"),
            QStringLiteral("weight"), QStringLiteral("-o"), sizedSvg });
        QVERIFY2(badSize.exitCode == 2 && badSize.err.contains(QLatin1String("--size-by must be")),
            qPrintable(describe(badSize)));
    }

    // --version --verbose: the version, the licence and a version for each library, as Help ▸ About lists them.
    void versionVerboseNamesTheLibraries()
    {
        const Run plain = runTracemap({ QStringLiteral("--version") });
        QCOMPARE(plain.out, QStringLiteral("tracemap %1\n").arg(QStringLiteral(TRACEMAP_VERSION)));
        const Run verbose = runTracemap({ QStringLiteral("--version"), QStringLiteral("--verbose") });
        QVERIFY2(verbose.exitCode == 0, qPrintable(describe(verbose)));
        QVERIFY(verbose.out.startsWith(plain.out + QStringLiteral("Licence: GPL-3.0-or-later\n")));
        const Run alone = runTracemap({ QStringLiteral("--verbose") }); // not the window, silently
        QVERIFY2(alone.exitCode == 2 && alone.err.contains(QLatin1String("--verbose goes with --version")),
            qPrintable(describe(alone)));
        for (const char* library : { "Qt", "Graphviz", "SQLite", "QCustomPlot", "simdjson", "protobuf", "gRPC" }) {
            const QRegularExpression line(
                QStringLiteral("^%1 [0-9]+\\.[0-9]+").arg(QLatin1String(library)), QRegularExpression::MultilineOption);
            QVERIFY2(line.match(verbose.out).hasMatch(), library);
        }
    }

    void noQtNoiseOnStderr()
    {
        // Without a session: no XDG_RUNTIME_DIR, no platform chosen. Only the program's own output may appear.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        const QString file = path(QStringLiteral("noise.json"));
        const Run generated = runTracemap(
            { QStringLiteral("generate"), QStringLiteral("--traces"), QStringLiteral("3"), QStringLiteral("-o"), file },
            env);
        QVERIFY2(generated.exitCode == 0 && generated.err.isEmpty(), qPrintable(describe(generated)));
        const Run topology = runTracemap(
            { QStringLiteral("topology"), file, QStringLiteral("-o"), path(QStringLiteral("noise.svg")) }, env);
        QVERIFY2(topology.exitCode == 0 && topology.err.isEmpty(), qPrintable(describe(topology)));
        const Run screenshot
            = runTracemap({ QStringLiteral("screenshot"), file, QStringLiteral("--view"), QStringLiteral("trace"),
                              QStringLiteral("-o"), path(QStringLiteral("noise.png")) },
                env);
        QVERIFY2(screenshot.exitCode == 0 && screenshot.err.isEmpty(), qPrintable(describe(screenshot)));
        // Real errors still reach stderr.
        const Run broken = runTracemap({ QStringLiteral("topology"), path(QStringLiteral("absent.json")),
                                           QStringLiteral("-o"), path(QStringLiteral("x.svg")) },
            env);
        QVERIFY2(
            broken.exitCode != 0 && broken.err.contains(QLatin1String("absent.json")), qPrintable(describe(broken)));
    }

    // Issue 9, blocker 1: a search saved by the window (a service of another cache) neither narrows a screenshot
    // nor does the screenshot write the settings (no recent files, no saved form).
    void screenshotIgnoresAndKeepsTheWindowSettings()
    {
        if (!requireFixtures())
            return;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString config = path(QStringLiteral("config"));
        QVERIFY(QDir().mkpath(config + QStringLiteral("/tracemap")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
        const QString settingsFile = config + QStringLiteral("/tracemap/tracemap.conf");
        {
            // A saved form whose tag matches nothing: read, it would leave no trace to show.
            QSettings settings(settingsFile, QSettings::IniFormat);
            settings.setValue(QStringLiteral("search/form"),
                QVariantMap { { QStringLiteral("tags"), QStringLiteral("nothing=here") } });
        }
        const QByteArray saved = testsupport::readAll(settingsFile);
        QVERIFY(!saved.isEmpty());
        for (const QString& view : { QStringLiteral("trace"), QStringLiteral("search") }) {
            const QString png = path(QStringLiteral("settings-") + view + QStringLiteral(".png"));
            const Run run = runTracemap(
                { QStringLiteral("screenshot"), testsupport::fixture(QStringLiteral("zipkin-v2/yelp.json")),
                    QStringLiteral("--view"), view, QStringLiteral("-o"), png },
                env);
            QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
            QVERIFY(QFileInfo(png).size() > 0);
        }
        QCOMPARE(testsupport::readAll(settingsFile), saved); // untouched: no recent files, no form written
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
