// The synthetic trace generator's planted causes (latency, errors, rate drops), judged from the generated spans
// against the same options without causes; determinism and control output against hashes of the generator before
// causes existed; the --plant specs and the checks against the service graph.

#include "testsupport.h"

#include "generator/generatedfile.h"
#include "generator/plantedcause.h"
#include "generator/tracegenerator.h"

#include <QCryptographicHash>
#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

using namespace tracemap;

namespace {

constexpr qint64 kMinuteNs = 60000000000;

// Ninety minutes, a trace a second, small traces: about 110,000 spans, a cause from minute 30 to 45.
GeneratorOptions ninetyMinutes()
{
    GeneratorOptions o;
    o.seed = 1;
    o.services = 12;
    o.spansPerTrace = 20;
    o.traceIntervalNs = 1000000000;
    o.traces = 90 * 60;
    return o;
}

PlantedCause cause(PlantedCause::Kind kind, std::string service, std::string attribute, double factor)
{
    PlantedCause c;
    c.kind = kind;
    c.service = std::move(service);
    c.attribute = std::move(attribute);
    c.fromMinute = 30;
    c.toMinute = 45;
    c.factor = factor;
    c.share = 0.5;
    return c;
}

void forEachTrace(const GeneratorOptions& options, const std::function<void(const Trace&)>& f)
{
    TraceGenerator generator(options);
    Trace t;
    while (generator.next(t))
        f(t);
}

std::optional<std::string_view> attribute(const Trace& t, Range range, std::string_view key)
{
    for (quint32 i = range.begin; i < range.end(); ++i) {
        const Attribute& a = t.attributes[i];
        if (t.string(a.key) == key && a.type == ValueType::String)
            return t.text(a.ref);
    }
    return std::nullopt;
}

std::optional<std::string_view> resourceAttribute(const Trace& t, const Span& s, std::string_view key)
{
    return attribute(t, t.resources[s.resource].attributes, key);
}

bool isEntry(const Span& s)
{
    return s.kind == SpanKind::Server || s.kind == SpanKind::Consumer;
}

bool hasException(const Trace& t, const Span& s)
{
    for (quint32 e = s.events.begin; e < s.events.end(); ++e) {
        if (t.string(t.events[e].name) == "exception")
            return true;
    }
    return false;
}

qint64 minuteOf(const GeneratorOptions& o, const Trace& t)
{
    return (t.startNs() - o.startNs) / kMinuteNs;
}

bool inWindow(const PlantedCause& c, qint64 minute)
{
    return minute >= c.fromMinute && minute < c.toMinute;
}

struct Recorded {
    qint64 startNs = 0;
    qint64 durationNs = 0;
    StatusCode status = StatusCode::Unset;
};

/// Every span of the traces by span id (generated span ids are unique and do not depend on causes).
std::unordered_map<SpanId, Recorded> record(const GeneratorOptions& options)
{
    std::unordered_map<SpanId, Recorded> spans;
    forEachTrace(options, [&](const Trace& t) {
        for (const Span& s : t.spans)
            spans[s.id] = { s.startNs, s.durationNs, s.status };
    });
    return spans;
}

template <typename T> T quantile(std::vector<T> values, double q)
{
    if (values.empty())
        return T();
    std::sort(values.begin(), values.end());
    const auto rank = size_t(std::ceil(q * double(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

/// The service, other than the gateway, with the most entry spans: the one a cause shows best on.
std::string busiestService(const GeneratorOptions& options)
{
    std::map<std::string, qint64, std::less<>> counts;
    forEachTrace(options, [&](const Trace& t) {
        for (const Span& s : t.spans) {
            if (isEntry(s) && s.parent != kNoIndex)
                ++counts[std::string(t.serviceName(s))];
        }
    });
    return std::ranges::max_element(counts, {}, [](const auto& e) { return e.second; })->first;
}

void addNumber(QCryptographicHash& h, qint64 v)
{
    h.addData(QByteArrayView(reinterpret_cast<const char*>(&v), sizeof v));
}

void addText(QCryptographicHash& h, std::string_view text)
{
    addNumber(h, qint64(text.size()));
    h.addData(QByteArrayView(text.data(), qsizetype(text.size())));
}

void addAttributes(QCryptographicHash& h, const Trace& t, Range range)
{
    addNumber(h, range.count);
    for (quint32 i = range.begin; i < range.end(); ++i) {
        const Attribute& a = t.attributes[i];
        addText(h, t.string(a.key));
        addNumber(h, qint64(a.type));
        switch (a.type) {
        case ValueType::Int:
            addNumber(h, a.intValue);
            break;
        case ValueType::Bool:
            addNumber(h, a.boolValue);
            break;
        case ValueType::Double:
            addNumber(h, qint64(std::bit_cast<quint64>(a.doubleValue)));
            break;
        case ValueType::Empty:
            break;
        default:
            addText(h, t.text(a.ref));
        }
    }
}

/// SHA-256 over everything the generated traces hold, independent of any writer.
QByteArray contentHash(const GeneratorOptions& options)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    forEachTrace(options, [&](const Trace& t) {
        addNumber(h, qint64(t.id.high));
        addNumber(h, qint64(t.id.low));
        for (const Span& s : t.spans) {
            addNumber(h, qint64(s.id));
            addNumber(h, qint64(s.parentId));
            addNumber(h, s.startNs);
            addNumber(h, s.durationNs);
            addText(h, t.string(s.service));
            addText(h, t.string(s.operation));
            addNumber(h, qint64(s.kind) << 8 | qint64(s.status));
            addText(h, t.text(s.statusMessage));
            addAttributes(h, t, s.attributes);
            addAttributes(h, t, t.resources[s.resource].attributes);
            for (quint32 e = s.events.begin; e < s.events.end(); ++e) {
                addNumber(h, t.events[e].timeNs);
                addText(h, t.string(t.events[e].name));
                addAttributes(h, t, t.events[e].attributes);
            }
        }
    });
    return h.result().toHex();
}

QString ratio(double value)
{
    return QString::number(value, 'f', 3);
}

} // namespace

class TestGenerator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void latencyCause()
    {
        const GeneratorOptions control = ninetyMinutes();
        const std::string service = busiestService(control);
        GeneratorOptions options = control;
        const PlantedCause c = cause(PlantedCause::Kind::Latency, service, "service.version=2.1.0", 4);
        options.causes = { c };
        const auto before = record(control);

        std::string ownVersion;
        qint64 insideCarried = 0, insideTotal = 0, outsideCarried = 0, outsideTotal = 0;
        std::vector<double> affectedRatios, unaffectedRatios;
        std::vector<qint64> insideWith, insideWithout;
        std::map<qint64, std::vector<qint64>> byMinute; // the service's entry span durations per minute
        qint64 skewed = 0, notContained = 0, parentsNotGrown = 0, versionsNotInherited = 0, changedUntouched = 0;
        qint64 untouchedTraces = 0;
        forEachTrace(options, [&](const Trace& t) {
            const qint64 minute = minuteOf(options, t);
            const bool inside = inWindow(c, minute);
            bool touched = false;
            for (const Span& s : t.spans) {
                const Recorded& was = before.at(s.id);
                if (s.problems & ClockSkew)
                    ++skewed;
                if (s.parent != kNoIndex && s.kind != SpanKind::Consumer) {
                    const Span& p = t.spans[s.parent];
                    if (s.startNs < p.startNs || s.endNs() > p.endNs())
                        ++notContained;
                }
                if (t.serviceName(s) != service)
                    continue;
                const std::optional<std::string_view> version = resourceAttribute(t, s, "service.version");
                QVERIFY(version);
                if (!isEntry(s)) {
                    // Spans the service emits for the request come from the same process as its entry span.
                    if (version != resourceAttribute(t, t.spans[s.parent], "service.version"))
                        ++versionsNotInherited;
                    continue;
                }
                const bool carried = version == "2.1.0";
                if (!carried)
                    ownVersion = std::string(*version);
                (inside ? insideTotal : outsideTotal) += 1;
                (inside ? insideCarried : outsideCarried) += carried ? 1 : 0;
                const double r = double(s.durationNs) / double(was.durationNs);
                byMinute[minute].push_back(s.durationNs);
                if (carried && inside) {
                    touched = true;
                    affectedRatios.push_back(r);
                    insideWith.push_back(s.durationNs);
                    // The caller's CLIENT span grows by as much as its server did (a consumer's producer does not).
                    const Span& client = t.spans[s.parent];
                    if (s.kind == SpanKind::Server
                        && client.durationNs - before.at(client.id).durationNs < s.durationNs - was.durationNs)
                        ++parentsNotGrown;
                } else {
                    unaffectedRatios.push_back(r);
                    if (inside)
                        insideWithout.push_back(s.durationNs);
                }
            }
            if (!touched) {
                ++untouchedTraces;
                for (const Span& s : t.spans) {
                    const Recorded& was = before.at(s.id);
                    if (s.startNs != was.startNs || s.durationNs != was.durationNs || s.status != was.status)
                        ++changedUntouched;
                }
            }
        });

        const double insideShare = double(insideCarried) / double(insideTotal);
        const double outsideShare = double(outsideCarried) / double(outsideTotal);
        const double sameSpanRatio = quantile(affectedRatios, 0.5);
        const double medianRatio = double(quantile(insideWith, 0.5)) / double(quantile(insideWithout, 0.5));
        std::vector<qint64> p95Inside, p95Outside;
        for (const auto& [minute, durations] : byMinute)
            (inWindow(c, minute) ? p95Inside : p95Outside).push_back(quantile(durations, 0.95));
        const double p95Rise = double(quantile(p95Inside, 0.5)) / double(quantile(p95Outside, 0.5));
        qInfo().noquote() << QStringLiteral(
            "latency on %1 (own service.version=%2): carried inside %3 of %4 (%5), outside %6 of %7 (%8); same span "
            "×%9 (min %10, max %11); median with/without inside ×%12; median per-minute p95 inside/outside ×%13; "
            "%14 of %15 traces untouched")
                                 .arg(QString::fromStdString(service), QString::fromStdString(ownVersion))
                                 .arg(insideCarried)
                                 .arg(insideTotal)
                                 .arg(ratio(insideShare))
                                 .arg(outsideCarried)
                                 .arg(outsideTotal)
                                 .arg(ratio(outsideShare))
                                 .arg(ratio(sameSpanRatio))
                                 .arg(ratio(quantile(affectedRatios, 0.0)))
                                 .arg(ratio(quantile(affectedRatios, 1.0)))
                                 .arg(ratio(medianRatio))
                                 .arg(ratio(p95Rise))
                                 .arg(untouchedTraces)
                                 .arg(options.traces);

        QVERIFY(insideTotal > 500);
        QVERIFY2(std::abs(insideShare - c.share) < 0.06, qPrintable(ratio(insideShare)));
        QVERIFY2(std::abs(outsideShare - c.background) < 0.015, qPrintable(ratio(outsideShare)));
        QVERIFY(!ownVersion.empty() && ownVersion != "2.1.0");
        // Each affected span is the same span made `factor` times longer; no other span of the service changed.
        QVERIFY2(quantile(affectedRatios, 0.0) > 3.99 && quantile(affectedRatios, 1.0) < 4.01,
            qPrintable(ratio(quantile(affectedRatios, 0.0))));
        QCOMPARE(quantile(unaffectedRatios, 0.0), 1.0);
        QCOMPARE(quantile(unaffectedRatios, 1.0), 1.0);
        // As an analysis sees it: with the attribute ~4× slower than without, in the same minutes; p95 rises.
        QVERIFY2(std::abs(medianRatio / c.factor - 1) < 0.2, qPrintable(ratio(medianRatio)));
        QVERIFY2(p95Rise > 2.5, qPrintable(ratio(p95Rise)));
        // Still well-formed: children inside their parents, callers grown with them, no clock skew flagged.
        QCOMPARE(notContained, qint64(0));
        QCOMPARE(skewed, qint64(0));
        QCOMPARE(parentsNotGrown, qint64(0));
        QCOMPARE(versionsNotInherited, qint64(0));
        QVERIFY(untouchedTraces > options.traces / 2);
        QCOMPARE(changedUntouched, qint64(0));
    }

    void errorsCause()
    {
        const GeneratorOptions control = ninetyMinutes();
        const std::string service = busiestService(control);
        GeneratorOptions options = control;
        const PlantedCause c = cause(PlantedCause::Kind::Errors, service, "app.feature=new-cart", 0.6);
        options.causes = { c };
        const auto before = record(control);

        qint64 baseErrors = 0, baseTotal = 0;
        forEachTrace(control, [&](const Trace& t) {
            for (const Span& s : t.spans) {
                if (isEntry(s) && t.serviceName(s) == service) {
                    ++baseTotal;
                    baseErrors += s.isError() ? 1 : 0;
                }
            }
        });
        const double baseRate = double(baseErrors) / double(baseTotal);

        qint64 carriedInside = 0, failedInside = 0, carriedOutside = 0, failedOutside = 0, otherInside = 0,
               otherFailedInside = 0;
        qint64 withoutException = 0, statusChanged = 0, callersNotFailed = 0, keyMissing = 0, keyOnOtherSpans = 0;
        forEachTrace(options, [&](const Trace& t) {
            const bool inside = inWindow(c, minuteOf(options, t));
            for (const Span& s : t.spans) {
                if (t.serviceName(s) != service)
                    continue;
                const std::optional<std::string_view> feature = attribute(t, s.attributes, "app.feature");
                if (!isEntry(s)) {
                    keyOnOtherSpans += feature ? 1 : 0;
                    continue;
                }
                if (!feature || (feature != "new-cart" && feature != "default")) {
                    ++keyMissing;
                    continue;
                }
                const bool carried = feature == "new-cart";
                const bool failed = s.isError();
                if (carried && inside) {
                    ++carriedInside;
                    failedInside += failed ? 1 : 0;
                    if (failed && !hasException(t, s))
                        ++withoutException;
                    if (failed && s.kind == SpanKind::Server && !t.spans[s.parent].isError())
                        ++callersNotFailed;
                    continue;
                }
                // Anywhere else the span failed as it does without the cause.
                statusChanged += s.status != before.at(s.id).status ? 1 : 0;
                if (carried) {
                    ++carriedOutside;
                    failedOutside += failed ? 1 : 0;
                } else if (inside) {
                    ++otherInside;
                    otherFailedInside += failed ? 1 : 0;
                }
            }
        });
        const double insideRate = double(failedInside) / double(carriedInside);
        const double expected = c.factor + (1 - c.factor) * baseRate;
        qInfo().noquote() << QStringLiteral(
            "errors on %1: baseline %2; with app.feature=new-cart inside %3 of %4 failed (%5, "
            "expected %6); without it inside %7 of %8; with it outside %9 of %10")
                                 .arg(QString::fromStdString(service), ratio(baseRate))
                                 .arg(failedInside)
                                 .arg(carriedInside)
                                 .arg(ratio(insideRate), ratio(expected))
                                 .arg(otherFailedInside)
                                 .arg(otherInside)
                                 .arg(failedOutside)
                                 .arg(carriedOutside);

        QCOMPARE(keyMissing, qint64(0));
        QCOMPARE(keyOnOtherSpans, qint64(0));
        QVERIFY(carriedInside > 300);
        QVERIFY2(std::abs(insideRate - expected) < 0.06, qPrintable(ratio(insideRate)));
        QCOMPARE(statusChanged, qint64(0));
        QVERIFY(double(otherFailedInside) / double(otherInside) < baseRate + 0.03);
        QVERIFY(carriedOutside > 50);
        QVERIFY(double(failedOutside) / double(carriedOutside) < baseRate + 0.05);
        // The error shows on the entry span as the generator's errors do, and on the caller's CLIENT span.
        QCOMPARE(withoutException, qint64(0));
        QCOMPARE(callersNotFailed, qint64(0));
    }

    void rateDropCause()
    {
        const GeneratorOptions control = ninetyMinutes();
        // The gateway endpoint with the most traces.
        std::map<std::string, std::map<qint64, qint64>, std::less<>> before; // root operation → minute → traces
        forEachTrace(control, [&](const Trace& t) {
            const Span& root = t.spans[t.roots.front()];
            ++before[std::string(t.operationName(root))][minuteOf(control, t)];
        });
        const std::string operation = std::ranges::max_element(before, {}, [](const auto& e) {
            qint64 n = 0;
            for (const auto& [minute, count] : e.second)
                n += count;
            return n;
        })->first;
        const auto spans = record(control);

        GeneratorOptions options = control;
        PlantedCause c = cause(PlantedCause::Kind::RateDrop, "frontend", {}, 0.2);
        c.operation = operation;
        options.causes = { c };
        std::map<std::string, std::map<qint64, qint64>, std::less<>> after;
        qint64 changedSpans = 0;
        TraceGenerator generator(options);
        Trace t;
        while (generator.next(t)) {
            const Span& root = t.spans[t.roots.front()];
            ++after[std::string(t.operationName(root))][minuteOf(options, t)];
            for (const Span& s : t.spans) {
                const Recorded& was = spans.at(s.id);
                changedSpans += s.startNs != was.startNs || s.durationNs != was.durationNs ? 1 : 0;
            }
        }
        QCOMPARE(generator.generatedTraces() + generator.droppedTraces(), options.traces);

        qint64 beforeInside = 0, afterInside = 0, beforeEarlier = 0, otherMinutesChanged = 0;
        for (const auto& [op, minutes] : before) {
            for (const auto& [minute, count] : minutes) {
                const qint64 now = after[op][minute];
                if (op == operation && inWindow(c, minute)) {
                    beforeInside += count;
                    afterInside += now;
                } else {
                    otherMinutesChanged += now != count ? 1 : 0;
                }
                if (op == operation && minute < c.fromMinute)
                    beforeEarlier += count;
            }
        }
        const double kept = double(afterInside) / double(beforeInside);
        const double perMinuteRatio = (double(afterInside) / double(c.toMinute - c.fromMinute))
            / (double(beforeEarlier) / double(c.fromMinute));
        qInfo().noquote() << QStringLiteral("rate drop of frontend %1: %2 of %3 traces kept in the window (%4); per "
                                            "minute ×%5 of the 30 minutes before; %6 dropped in all")
                                 .arg(QString::fromStdString(operation))
                                 .arg(afterInside)
                                 .arg(beforeInside)
                                 .arg(ratio(kept), ratio(perMinuteRatio))
                                 .arg(generator.droppedTraces());
        QVERIFY(beforeInside > 200);
        QCOMPARE(generator.droppedTraces(), beforeInside - afterInside);
        QVERIFY2(std::abs(kept - c.factor) < 0.06, qPrintable(ratio(kept)));
        QVERIFY2(std::abs(perMinuteRatio - c.factor) < 0.08, qPrintable(ratio(perMinuteRatio)));
        // Other endpoints and other minutes have the traces they have without the cause, and the same spans.
        QCOMPARE(otherMinutesChanged, qint64(0));
        QCOMPARE(changedSpans, qint64(0));
    }

    void sameOptionsSameTraces()
    {
        GeneratorOptions options = ninetyMinutes();
        options.traces = 3000;
        options.traceIntervalNs = 2000000000;
        const std::string service = busiestService(options);
        options.causes = { cause(PlantedCause::Kind::Latency, service, "service.version=2.1.0", 3),
            cause(PlantedCause::Kind::Errors, service, "cloud.region=eu-west-3", 0.5),
            cause(PlantedCause::Kind::RateDrop, "frontend", {}, 0.5) };
        const QByteArray first = contentHash(options);
        QCOMPARE(contentHash(options), first);

        // Every figure of a cause is in the trace ids, so files with and without causes can share a cache.
        GeneratorOptions changed = options;
        changed.causes[1].factor = 0.51;
        std::set<TraceId> ids;
        forEachTrace(options, [&](const Trace& t) { ids.insert(t.id); });
        qint64 shared = 0;
        for (const GeneratorOptions& other : { changed, ninetyMinutes() })
            forEachTrace(other, [&](const Trace& t) { shared += ids.contains(t.id) ? 1 : 0; });
        QCOMPARE(shared, qint64(0));

        // cloud.region is a resource attribute the service did not have: its other spans get the normal value.
        std::set<std::string, std::less<>> regions;
        forEachTrace(options, [&](const Trace& t) {
            for (const Span& s : t.spans) {
                if (t.serviceName(s) == service)
                    regions.insert(std::string(resourceAttribute(t, s, "cloud.region").value_or("(none)")));
            }
        });
        QCOMPARE(regions, (std::set<std::string, std::less<>> { "default", "eu-west-3" }));
    }

    void withoutCausesAsBefore_data()
    {
        // Hashes of the generator before planted causes existed (recorded from the unmodified code).
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("services");
        QTest::addColumn<qint64>("traces");
        QTest::addColumn<int>("spans");
        QTest::addColumn<qint64>("interval");
        QTest::addColumn<QByteArray>("hash");
        QTest::newRow("default") << quint64(1) << 12 << qint64(1000) << 50 << qint64(20000000)
                                 << QByteArray("da76bd0c5e0a7280c420071bc4c10c21404709b6f246850ac11059bca04e1e34");
        QTest::newRow("seed 7, 40 services")
            << quint64(7) << 40 << qint64(500) << 50 << qint64(20000000)
            << QByteArray("e3cc24715b6c395e626feee392db1167ccc0cbd9f118f8befa8a1ceac38676ba");
        QTest::newRow("2 s apart") << quint64(1) << 12 << qint64(2000) << 20 << qint64(2000000000)
                                   << QByteArray("9504df3ba1c1074baebdb730b6d18d63ee429b672d8fb0945d210f145de40a72");
    }

    void withoutCausesAsBefore()
    {
        QFETCH(quint64, seed);
        QFETCH(int, services);
        QFETCH(qint64, traces);
        QFETCH(int, spans);
        QFETCH(qint64, interval);
        QFETCH(QByteArray, hash);
        GeneratorOptions options;
        options.seed = seed;
        options.services = services;
        options.traces = traces;
        options.spansPerTrace = spans;
        options.traceIntervalNs = interval;
        QCOMPARE(contentHash(options), hash);
    }

    void generatedFileAsBefore()
    {
        // `tracemap generate --traces 1000 -o FILE` before causes existed; a change to the Jaeger writer changes it
        // too (then withoutCausesAsBefore still tells whether the traces are the same).
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("default.json"));
        const auto written = writeGeneratedFile(GeneratorOptions(), "jaeger", file);
        QVERIFY(written.has_value());
        QCOMPARE(written->dropped, qint64(0));
        QCOMPARE(QCryptographicHash::hash(testsupport::readAll(file), QCryptographicHash::Sha256).toHex(),
            QByteArray("64f98a15d13b4bc9e59b93658ca29af19b92360de9fe1c96ab26894f15809ef5"));

        GeneratorOptions bad;
        bad.causes = { cause(PlantedCause::Kind::Latency, "no-such-service", "service.version=2", 2) };
        const auto refused = writeGeneratedFile(bad, "jaeger", dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(!refused);
        QVERIFY2(
            refused.error().contains(QLatin1String("unknown service 'no-such-service'")), qPrintable(refused.error()));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("bad.json"))));
    }

    void servicesOfTheGraph()
    {
        for (const quint64 seed : { 1ull, 2ull, 99ull }) {
            for (const int count : { 1, 12, 40 }) {
                GeneratorOptions options;
                options.seed = seed;
                options.services = count;
                options.traces = 200;
                options.spansPerTrace = 30;
                const std::vector<GeneratedService> services = TraceGenerator::services(options);
                QCOMPARE(int(services.size()), count);
                QCOMPARE(services.front().name, std::string("frontend"));
                // Every entry operation the spans show is listed under its service.
                std::set<std::pair<std::string, std::string>> listed, seen;
                for (const GeneratedService& s : services) {
                    QVERIFY(!s.operations.empty());
                    for (const std::string& op : s.operations)
                        listed.insert({ s.name, op });
                }
                forEachTrace(options, [&](const Trace& t) {
                    for (const Span& s : t.spans) {
                        if (isEntry(s))
                            seen.insert({ std::string(t.serviceName(s)), std::string(t.operationName(s)) });
                    }
                });
                QVERIFY(std::ranges::includes(listed, seen));
            }
        }
        // Seed 1 with the default 12 services, as --list-services prints them.
        std::vector<std::string> names;
        for (const GeneratedService& s : TraceGenerator::services(GeneratorOptions()))
            names.push_back(s.name);
        QCOMPARE(names,
            (std::vector<std::string> { "frontend", "catalog", "recommendation", "shipping", "fraud-detection",
                "search", "geo", "review", "analytics", "loyalty", "payment", "auth" }));
    }

    void parseSpec_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("service");
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QString>("attribute");
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::addColumn<double>("factor");
        QTest::addColumn<double>("share");
        const int latency = int(PlantedCause::Kind::Latency);
        const int errors = int(PlantedCause::Kind::Errors);
        const int rate = int(PlantedCause::Kind::RateDrop);
        QTest::newRow("latency") << QStringLiteral("latency:catalog:service.version=2.1.0:30-45:4") << latency
                                 << QStringLiteral("catalog") << QString() << QStringLiteral("service.version=2.1.0")
                                 << qint64(30) << qint64(45) << 4.0 << 0.5;
        QTest::newRow("http operation, share")
            << QStringLiteral("latency:search/GET /api/search/{id}/items:db.system=redis:0-15:2.5:0.8") << latency
            << QStringLiteral("search") << QStringLiteral("GET /api/search/{id}/items")
            << QStringLiteral("db.system=redis") << qint64(0) << qint64(15) << 2.5 << 0.8;
        QTest::newRow("errors, grpc operation")
            << QStringLiteral("errors:catalog/shop.CatalogService/ListCatalog:cloud.region=eu-west-3:5-20:0.6")
            << errors << QStringLiteral("catalog") << QStringLiteral("shop.CatalogService/ListCatalog")
            << QStringLiteral("cloud.region=eu-west-3") << qint64(5) << qint64(20) << 0.6 << 0.5;
        QTest::newRow("value with =") << QStringLiteral("errors:geo:app.query=a=b:1-2:1:1") << errors
                                      << QStringLiteral("geo") << QString() << QStringLiteral("app.query=a=b")
                                      << qint64(1) << qint64(2) << 1.0 << 1.0;
        QTest::newRow("rate") << QStringLiteral("rate:frontend:60-75:0.2") << rate << QStringLiteral("frontend")
                              << QString() << QString() << qint64(60) << qint64(75) << 0.2 << 0.5;
        QTest::newRow("rate of an endpoint")
            << QStringLiteral("rate:frontend/GET /api/catalog:10-11:0") << rate << QStringLiteral("frontend")
            << QStringLiteral("GET /api/catalog") << QString() << qint64(10) << qint64(11) << 0.0 << 0.5;
    }

    void parseSpec()
    {
        QFETCH(QString, spec);
        const auto parsed = parsePlantedCause(spec);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
        QTEST(int(parsed->kind), "kind");
        QTEST(QString::fromStdString(parsed->service), "service");
        QTEST(QString::fromStdString(parsed->operation), "operation");
        QTEST(QString::fromStdString(parsed->attribute), "attribute");
        QTEST(parsed->fromMinute, "from");
        QTEST(parsed->toMinute, "to");
        QTEST(parsed->factor, "factor");
        QTEST(parsed->share, "share");
    }

    void badSpec_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QString() << QStringLiteral("unknown kind '' (expected latency, errors or rate)");
        QTest::newRow("kind") << QStringLiteral("slow:catalog:a=b:1-2:3")
                              << QStringLiteral("unknown kind 'slow' (expected latency, errors or rate)");
        QTest::newRow("too few") << QStringLiteral("latency:catalog:1-2:3")
                                 << QStringLiteral("4 parts separated by ':' where "
                                                   "latency:SERVICE[/OPERATION]:KEY=VALUE:FROM-TO:FACTOR[:SHARE] "
                                                   "expects 5 or 6 (values cannot contain ':')");
        QTest::newRow("rate with attribute")
            << QStringLiteral("rate:frontend:a=b:1-2:0.5")
            << QStringLiteral("5 parts separated by ':' where rate:SERVICE[/OPERATION]:FROM-TO:FACTOR expects 4 "
                              "(values cannot contain ':')");
        QTest::newRow("no service") << QStringLiteral("latency:/GET /x:a=b:1-2:3")
                                    << QStringLiteral("the service is missing in '/GET /x'");
        QTest::newRow("empty operation")
            << QStringLiteral("errors:catalog/:a=b:1-2:0.5")
            << QStringLiteral("the operation after '/' is empty in 'catalog/' (leave out the '/' for all operations)");
        QTest::newRow("attribute") << QStringLiteral("latency:catalog:version:1-2:3")
                                   << QStringLiteral("attribute 'version' is not KEY=VALUE");
        QTest::newRow("no value") << QStringLiteral("latency:catalog:version=:1-2:3")
                                  << QStringLiteral("attribute 'version=' is not KEY=VALUE");
        QTest::newRow("window order")
            << QStringLiteral("latency:catalog:a=b:45-30:3")
            << QStringLiteral("window '45-30' is not FROM-TO in whole minutes after the start, with FROM < TO (e.g. "
                              "30-45)");
        QTest::newRow("empty window") << QStringLiteral("errors:catalog:a=b:30-30:0.5")
                                      << QStringLiteral("window '30-30' is not FROM-TO in whole minutes after the "
                                                        "start, with FROM < TO (e.g. 30-45)");
        QTest::newRow("window units") << QStringLiteral("rate:frontend:30m-45m:0.2")
                                      << QStringLiteral("window '30m-45m' is not FROM-TO in whole minutes after the "
                                                        "start, with FROM < TO (e.g. 30-45)");
        QTest::newRow("negative window") << QStringLiteral("rate:frontend:-5-10:0.2")
                                         << QStringLiteral("window '-5-10' is not FROM-TO in whole minutes after the "
                                                           "start, with FROM < TO (e.g. 30-45)");
        QTest::newRow("speedup") << QStringLiteral("latency:catalog:a=b:1-2:0.5")
                                 << QStringLiteral("factor '0.5' is not a slowdown between 1 and 1000 (e.g. 4)");
        QTest::newRow("latency factor text") << QStringLiteral("latency:catalog:a=b:1-2:x4")
                                             << QStringLiteral("factor 'x4' is not a slowdown between 1 and 1000 (e.g. "
                                                               "4)");
        QTest::newRow("probability") << QStringLiteral("errors:catalog:a=b:1-2:60")
                                     << QStringLiteral("factor '60' is not an error probability between 0 and 1 (e.g. "
                                                       "0.6)");
        QTest::newRow("kept") << QStringLiteral("rate:frontend:1-2:1.5")
                              << QStringLiteral("factor '1.5' is not the share of traces kept, between 0 and 1 (e.g. "
                                                "0.2)");
        QTest::newRow("nan") << QStringLiteral("rate:frontend:1-2:nan")
                             << QStringLiteral("factor 'nan' is not the share of traces kept, between 0 and 1 (e.g. "
                                               "0.2)");
        QTest::newRow("share") << QStringLiteral("latency:catalog:a=b:1-2:4:0")
                               << QStringLiteral("share '0' is not between 0 (exclusive) and 1");
        QTest::newRow("share above 1") << QStringLiteral("errors:catalog:a=b:1-2:0.5:50%")
                                       << QStringLiteral("share '50%' is not between 0 (exclusive) and 1");
    }

    void badSpec()
    {
        QFETCH(QString, spec);
        QFETCH(QString, message);
        const auto parsed = parsePlantedCause(spec);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error(), message);
    }

    void checkAgainstTheGraph_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("message"); // empty: accepted
        QTest::newRow("fine") << QStringLiteral("latency:catalog:service.version=2.1.0:30-45:4") << QString();
        QTest::newRow("fine, operation") << QStringLiteral(
            "errors:search/GET /api/search/{id}/items:db.system=redis:0-15:0.6")
                                         << QString();
        QTest::newRow("fine, rate") << QStringLiteral("rate:frontend/GET /api/catalog:30-45:0.2") << QString();
        QTest::newRow("service")
            << QStringLiteral("latency:checkout:service.version=2.1.0:30-45:4")
            << QStringLiteral("unknown service 'checkout'; the 12 services of seed 1 are: frontend, catalog, "
                              "recommendation, shipping, fraud-detection, search, geo, review, analytics, loyalty, "
                              "payment, auth");
        QTest::newRow("operation") << QStringLiteral("latency:shipping/GET /cart:service.version=2.1.0:30-45:4")
                                   << QStringLiteral("service 'shipping' has no operation 'GET /cart'; its operations "
                                                     "are: GET /api/shipping, POST /api/shipping");
        QTest::newRow("rate not gateway")
            << QStringLiteral("rate:catalog:30-45:0.2")
            << QStringLiteral("rate drops thin out the traces rooted at the gateway 'frontend', and 'catalog' roots "
                              "none");
        QTest::newRow("generator key") << QStringLiteral("errors:catalog:http.route=/x:30-45:0.5")
                                       << QStringLiteral("attribute 'http.route' is set by the generator itself; plant "
                                                         "another key");
        QTest::newRow("service name") << QStringLiteral("errors:catalog:service.name=x:30-45:0.5")
                                      << QStringLiteral("attribute 'service.name' is set by the generator itself; "
                                                        "plant another key");
        QTest::newRow("own version") << QStringLiteral("latency:frontend:service.version=1.21.2:30-45:4")
                                     << QStringLiteral("'service.version=1.21.2' is the value the other spans of "
                                                       "'frontend' carry (service.version=1.21.2); plant another");
        QTest::newRow("normal value") << QStringLiteral("latency:catalog:region=default:30-45:4")
                                      << QStringLiteral("'region=default' is the value the other spans of 'catalog' "
                                                        "carry (region=default); plant another");
    }

    void checkAgainstTheGraph()
    {
        QFETCH(QString, spec);
        QFETCH(QString, message);
        const auto parsed = parsePlantedCause(spec);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
        const auto checked = TraceGenerator::checkCause(GeneratorOptions(), *parsed);
        QCOMPARE(checked ? QString() : checked.error(), message);
        GeneratorOptions options;
        options.causes = { *parsed };
        const auto all = TraceGenerator::checkCauses(options);
        QCOMPARE(all ? QString() : all.error(),
            message.isEmpty()
                ? message
                : QStringLiteral("cause 1 (on '%1'): %2").arg(QString::fromStdString(parsed->service), message));
    }

    void checkCauseFigures()
    {
        // Causes built in code skip the parser: their figures are checked against the graph too.
        PlantedCause c = cause(PlantedCause::Kind::Latency, "catalog", "service.version=2.1.0", 0.5);
        auto checked = TraceGenerator::checkCause(GeneratorOptions(), c);
        QCOMPARE(
            checked ? QString() : checked.error(), QStringLiteral("factor 0.5 is not a slowdown between 1 and 1000"));
        c.factor = 2;
        c.toMinute = c.fromMinute;
        checked = TraceGenerator::checkCause(GeneratorOptions(), c);
        QVERIFY(!checked && checked.error().startsWith(QLatin1String("window 30-30 is not FROM-TO minutes")));
        c.toMinute = 45;
        c.share = 0;
        checked = TraceGenerator::checkCause(GeneratorOptions(), c);
        QVERIFY(!checked && checked.error().startsWith(QLatin1String("share 0 and background 0.04")));
        c.share = 0.5;
        QVERIFY(TraceGenerator::checkCause(GeneratorOptions(), c));

        GeneratorOptions many;
        many.causes.assign(TraceGenerator::kMaxCauses + 1, c);
        const auto tooMany = TraceGenerator::checkCauses(many);
        QCOMPARE(tooMany ? QString() : tooMany.error(), QStringLiteral("17 causes planted; at most 16 are"));
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "tst_generator.moc"
