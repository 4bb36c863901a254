// The selection-vs-baseline attribute comparison (ANALYTICS.md section 2) on hand-built traces with planted
// differences whose shares, KS distances and p-values are known.

#include "metrics/attributecomparison.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"
#include "model/traceassembler.h"

#include <QObject>
#include <QStringList>
#include <QTest>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <string_view>

using namespace tracemap;

namespace {

/// Fills span i (0-based) and says which resource it ran in.
using Fill = std::function<const ResourceDraft*(int i, SpanDraft& span)>;

/// One trace of n spans with ids 1..n, so that "selected" can be an id range.
Trace makeTrace(int n, const Fill& fill)
{
    SpanBatch batch;
    SpanDraft d;
    for (int i = 0; i < n; ++i) {
        d.clear();
        d.traceId = { 0, 0xc0ffee };
        d.spanId = static_cast<SpanId>(i + 1);
        d.startNs = i;
        d.durationNs = 10;
        d.service = "svc";
        d.operation = "op";
        const ResourceDraft* resource = fill(i, d);
        batch.add(d, resource);
    }
    Trace t = std::move(batch.takeTraces().front());
    TraceAssembler::assemble(t);
    return t;
}

/// Spans 1..selected are the selection, the rest the baseline.
ComparisonResult compare(const Trace& t, int selected, AttributeComparison::Options options = {})
{
    AttributeComparison comparison(std::move(options));
    comparison.addTrace(t, [selected](const Span& s) { return s.id <= static_cast<SpanId>(selected); });
    return comparison.result();
}

int rankOf(const ComparisonResult& r, std::string_view key)
{
    for (size_t i = 0; i < r.attributes.size(); ++i) {
        if (r.attributes[i].key == key)
            return static_cast<int>(i);
    }
    return -1;
}

const AttributeDifference& attribute(const ComparisonResult& r, std::string_view key)
{
    const int rank = rankOf(r, key);
    if (rank < 0)
        qFatal("no attribute %s", std::string(key).c_str());
    return r.attributes[static_cast<size_t>(rank)];
}

const ValueShare* findValue(const AttributeDifference& a, std::string_view value)
{
    for (const ValueShare& v : a.values) {
        if (v.value == value)
            return &v;
    }
    return nullptr;
}

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/// Every span is in exactly one shown value of every key, so counts add up to the side's span count.
void checkSums(const ComparisonResult& r)
{
    for (const AttributeDifference& a : r.attributes) {
        qint64 selection = 0;
        qint64 baseline = 0;
        double selectionShares = 0;
        double baselineShares = 0;
        for (const ValueShare& v : a.values) {
            selection += v.selection;
            baseline += v.baseline;
            selectionShares += v.selectionShare;
            baselineShares += v.baselineShare;
            QVERIFY2(v.selection >= 0 && v.baseline >= 0, qPrintable(text(a.key)));
        }
        QVERIFY2(selection == r.selectionSpans, qPrintable(text(a.key)));
        QVERIFY2(baseline == r.baselineSpans, qPrintable(text(a.key)));
        if (r.selectionSpans > 0)
            QVERIFY2(std::abs(selectionShares - 1) < 1e-9, qPrintable(text(a.key)));
        if (r.baselineSpans > 0)
            QVERIFY2(std::abs(baselineShares - 1) < 1e-9, qPrintable(text(a.key)));
        QVERIFY2(a.topValue >= -1 && a.topValue < static_cast<int>(a.values.size()), qPrintable(text(a.key)));
        QCOMPARE(a.topValue >= 0, a.score > 0);
    }
}

/// The whole result as text, for comparing two results in one QCOMPARE.
QStringList printed(const ComparisonResult& r)
{
    QStringList lines { QStringLiteral("%1 vs %2").arg(r.selectionSpans).arg(r.baselineSpans) };
    for (const AttributeDifference& a : r.attributes) {
        lines << QStringLiteral("%1 numeric=%2 demoted=%3 score=%4 p=%5 top=%6")
                     .arg(text(a.key))
                     .arg(a.numeric)
                     .arg(a.demoted)
                     .arg(a.score)
                     .arg(a.pValue)
                     .arg(a.topValue);
        for (const ValueShare& v : a.values) {
            lines << QStringLiteral("  %1 %2/%3 p=%4 %5")
                         .arg(text(v.value))
                         .arg(v.selection)
                         .arg(v.baseline)
                         .arg(v.pValue)
                         .arg(v.significant);
        }
    }
    return lines;
}

bool anySignificant(const AttributeDifference& a)
{
    return std::ranges::any_of(a.values, &ValueShare::significant);
}

/// Noise: the same shares on both sides, exactly (side-local index patterns; side sizes are multiples of 20).
void addNoise(int sideIndex, SpanDraft& d)
{
    static const char* const methods[] = { "GET", "GET", "GET", "POST", "PUT" };
    d.attributes.addString("http.request.method", methods[sideIndex % 5]);
    d.attributes.addString("region", sideIndex % 2 ? "eu-west-1" : "us-east-1");
    d.attributes.addBool("cache.hit", sideIndex % 4 == 0);
    d.attributes.addInt("http.response.status_code", sideIndex % 10 == 0 ? 201 : 200);
}

} // namespace

class TestComparison : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // 78 % of the selected spans run version 2.1.0 against 4 % of the baseline; a second, smaller planted
    // difference ranks second; noise with equal shares scores 0.
    void plantedResourceAttributeRanksFirst()
    {
        const int nS = 200;
        const int nB = 2000;
        ResourceDraft v210;
        v210.attributes.addString("service.name", "checkout");
        v210.attributes.addString("service.version", "2.1.0");
        ResourceDraft v200;
        v200.attributes.addString("service.name", "checkout");
        v200.attributes.addString("service.version", "2.0.0");
        const Trace t = makeTrace(nS + nB, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < nS;
            const int j = selected ? i : i - nS; // index within the side
            addNoise(j, d);
            d.attributes.addString("feature.flag", j % 10 < (selected ? 3 : 1) ? "on" : "off");
            const bool newVersion = selected ? j % 100 < 78 : j % 100 < 4;
            return newVersion ? &v210 : &v200;
        });
        const ComparisonResult r = compare(t, nS);
        checkSums(r);
        QCOMPARE(r.selectionSpans, nS);
        QCOMPARE(r.baselineSpans, nB);

        QCOMPARE(r.attributes.at(0).key, std::string("service.version"));
        const AttributeDifference& version = r.attributes.at(0);
        QVERIFY(!version.numeric);
        QVERIFY(!version.demoted);
        QVERIFY(version.topValue >= 0);
        const ValueShare& top = version.values.at(static_cast<size_t>(version.topValue));
        QCOMPARE(top.value, std::string("2.1.0"));
        QCOMPARE(top.selection, 156);
        QCOMPARE(top.baseline, 80);
        QCOMPARE(top.selectionShare, 0.78);
        QCOMPARE(top.baselineShare, 0.04);
        QVERIFY(top.significant);
        QVERIFY(std::abs(version.score - 0.74) < 1e-12);
        QCOMPARE(version.pValue, top.pValue);
        QVERIFY(top.pValue < 1e-30);
        // Sorted by selection share: 2.1.0 (78 %) before 2.0.0 (22 %).
        QCOMPARE(version.values.at(0).value, std::string("2.1.0"));
        QCOMPARE(version.values.at(1).value, std::string("2.0.0"));
        QCOMPARE(version.values.size(), size_t(2));

        QCOMPARE(r.attributes.at(1).key, std::string("feature.flag"));
        QVERIFY(std::abs(r.attributes.at(1).score - 0.2) < 1e-12);

        for (const char* noise :
            { "http.request.method", "region", "cache.hit", "http.response.status_code", "service.name", "name" }) {
            const AttributeDifference& a = attribute(r, noise);
            QVERIFY2(a.score == 0, noise);
            QVERIFY2(!anySignificant(a), noise);
            QVERIFY2(rankOf(r, noise) > 1, noise);
        }
        // service.name comes from the resource: counted once per span, not again from the span's service.
        const AttributeDifference& service = attribute(r, "service.name");
        QCOMPARE(service.values.size(), size_t(1));
        QCOMPARE(service.values.at(0).value, std::string("checkout"));
        QCOMPARE(service.values.at(0).selection, nS);
        QCOMPARE(findValue(attribute(r, "cache.hit"), "true")->selectionShare, 0.25);
        QCOMPARE(findValue(attribute(r, "http.response.status_code"), "201")->baseline, 200);
    }

    // A modest difference with big counts: 30 % against 25 % of 2,000 and 20,000 spans. Its p-value is the
    // two-proportion z-test's (z = 4.894, computed by hand).
    void modestDifferenceWithBigCounts()
    {
        const int nS = 2000;
        const int nB = 20000;
        const Trace t = makeTrace(nS + nB, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < nS;
            const int j = selected ? i : i - nS;
            d.attributes.addString("cloud.region", j % 100 < (selected ? 30 : 25) ? "eu" : "us");
            addNoise(j, d);
            return nullptr;
        });
        const ComparisonResult r = compare(t, nS);
        checkSums(r);
        const AttributeDifference& region = r.attributes.at(0);
        QCOMPARE(region.key, std::string("cloud.region"));
        QVERIFY(std::abs(region.score - 0.05) < 1e-12);
        const ValueShare* eu = findValue(region, "eu");
        QVERIFY(eu && eu->significant);
        QVERIFY2(std::abs(eu->pValue / 9.8629e-7 - 1) < 1e-3, qPrintable(QString::number(eu->pValue)));
        QCOMPARE(region.pValue, eu->pValue);
        QCOMPARE(r.attributes.at(1).score, 0.0);
    }

    // A selection of fewer spans than minCount, all with a value 2 % of the baseline has: raw shares say 100 %
    // against 2 % and the z-test alone says p < 1e-15, but no value can be a finding until minCount selected spans
    // carry it. The same holds for a tiny baseline.
    void tinySelection_data()
    {
        QTest::addColumn<int>("selected");
        QTest::addColumn<bool>("tinyBaseline");
        QTest::addColumn<bool>("significant");
        QTest::newRow("3 selected") << 3 << false << false;
        QTest::newRow("4 selected") << 4 << false << false;
        QTest::newRow("5 selected") << 5 << false << true;
        QTest::newRow("3 in the baseline") << 3 << true << false;
    }
    void tinySelection()
    {
        QFETCH(int, selected);
        QFETCH(bool, tinyBaseline);
        QFETCH(bool, significant);
        const int large = 5000;
        const int n = selected + large;
        const Trace t = makeTrace(n, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool tiny = tinyBaseline ? i >= large : i < selected;
            const int j = tiny || tinyBaseline ? i : i - selected;
            d.attributes.addString("rare.flag", tiny || j % 50 == 0 ? "x" : "y");
            addNoise(j, d);
            return nullptr;
        });
        const ComparisonResult r = compare(t, tinyBaseline ? large : selected);
        checkSums(r);
        const AttributeDifference& rare = attribute(r, "rare.flag");
        const ValueShare* x = findValue(rare, "x");
        QVERIFY(x);
        const qint64 nS = r.selectionSpans;
        const qint64 nB = r.baselineSpans;
        const double pS = double(x->selection) / nS;
        const double pB = double(x->baseline) / nB;
        QVERIFY(std::abs(pS - pB) > 0.97);
        const double pooled = double(x->selection + x->baseline) / (nS + nB);
        const double z = (pS - pB) / std::sqrt(pooled * (1 - pooled) * (1.0 / nS + 1.0 / nB));
        QVERIFY(std::erfc(std::abs(z) / std::sqrt(2.0)) < 1e-15);
        QCOMPARE(x->significant, significant);
        if (significant) {
            QCOMPARE(r.attributes.at(0).key, std::string("rare.flag"));
            QVERIFY(rare.score > 0.97);
        } else {
            QCOMPARE(x->pValue, 1.0); // not tested at all
            for (const AttributeDifference& a : r.attributes) {
                QVERIFY2(a.score == 0, a.key.c_str());
                QVERIFY2(!anySignificant(a), a.key.c_str());
            }
        }
    }

    // Both sides drawn from the same distributions (random, seeded): nothing survives Benjamini–Hochberg, over
    // about a hundred tests, categorical and numeric.
    void equalDistributionsFindNothing()
    {
        std::mt19937_64 rng(20260101);
        std::discrete_distribution<int> method({ 60, 25, 10, 5 });
        std::normal_distribution<double> latency(120, 30);
        std::uniform_int_distribution<int> host(0, 39);
        std::bernoulli_distribution hasDb(0.3);
        static const char* const methods[] = { "GET", "POST", "PUT", "DELETE" };
        const int nS = 1500;
        const int nB = 15000;
        const Trace t = makeTrace(nS + nB, [&](int, SpanDraft& d) -> const ResourceDraft* {
            d.attributes.addString("http.request.method", methods[method(rng)]);
            d.attributes.addDouble("queue.latency", std::round(latency(rng) * 100) / 100);
            d.attributes.addString("host.name", "host-" + std::to_string(host(rng)));
            if (hasDb(rng))
                d.attributes.addString("db.system", "postgresql");
            return nullptr;
        });
        AttributeComparison::Options options;
        options.valuesPerAttribute = 50;
        const ComparisonResult r = compare(t, nS, options);
        checkSums(r);
        QVERIFY(attribute(r, "queue.latency").numeric);
        QCOMPARE(attribute(r, "host.name").values.size(), size_t(7));
        for (const AttributeDifference& a : r.attributes) {
            QVERIFY2(a.score == 0, a.key.c_str());
            QVERIFY2(!anySignificant(a), a.key.c_str());
            QCOMPARE(a.topValue, -1);
        }
    }

    // Benjamini–Hochberg is step-up over the pool of all tests. Each key here has two tests with one p-value ("x"
    // and "(missing)"), so m = 4: p = 0.0316 twice and 0.0440 twice all pass (0.0440 <= 4/4 q), although the
    // smallest misses its own rank's threshold (0.0316 > q/4); 0.0316 twice next to p = 1 twice does not (an
    // unadjusted test at q would pass it).
    void benjaminiHochbergStepUp_data()
    {
        QTest::addColumn<int>("a");
        QTest::addColumn<int>("b");
        QTest::addColumn<bool>("aSignificant");
        QTest::addColumn<bool>("bSignificant");
        QTest::newRow("p 0.0316 and 0.0440: both") << 548 << 545 << true << true;
        QTest::newRow("p 0.0316 and 1: none") << 548 << 500 << false << false;
        QTest::newRow("p 0.0082 and 1: a") << 559 << 500 << true << false;
    }
    void benjaminiHochbergStepUp()
    {
        QFETCH(int, a);
        QFETCH(int, b);
        QFETCH(bool, aSignificant);
        QFETCH(bool, bSignificant);
        const int n = 1000; // per side; the baseline has each key on 500
        const Trace t = makeTrace(2 * n, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < n;
            const int j = selected ? i : i - n;
            if (j < (selected ? a : 500))
                d.attributes.addBool("a", true);
            if (j < (selected ? b : 500))
                d.attributes.addBool("b", true);
            return nullptr;
        });
        const ComparisonResult r = compare(t, n);
        checkSums(r);
        const AttributeDifference& keyA = attribute(r, "a");
        const AttributeDifference& keyB = attribute(r, "b");
        QCOMPARE(findValue(keyA, "true")->significant, aSignificant);
        QCOMPARE(findValue(keyA, "(missing)")->significant, aSignificant);
        QCOMPARE(findValue(keyB, "true")->significant, bSignificant);
        QCOMPARE(keyA.score > 0, aSignificant);
        QCOMPARE(keyB.score > 0, bSignificant);
        if (a == 548)
            QVERIFY(std::abs(findValue(keyA, "true")->pValue - 0.031626) < 1e-5);
    }

    // Exactly equal shares: every p-value is 1.
    void identicalSharesHavePValueOne()
    {
        const Trace t = makeTrace(2200, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            addNoise(i < 200 ? i : i - 200, d);
            return nullptr;
        });
        const ComparisonResult r = compare(t, 200);
        checkSums(r);
        for (const AttributeDifference& a : r.attributes) {
            QCOMPARE(a.score, 0.0);
            for (const ValueShare& v : a.values)
                QCOMPARE(v.pValue, 1.0);
        }
    }

    // Attributes that define the selection are not compared at all, pseudo attributes included.
    void excludedKeysAreAbsent()
    {
        const int nS = 200;
        const Trace t = makeTrace(2200, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < nS;
            d.attributes.addInt("http.response.status_code", selected ? 500 : 200);
            d.attributes.addString("region", i % 2 ? "eu" : "us");
            d.operation = selected ? "slow-op" : "op";
            return nullptr;
        });
        const ComparisonResult plain = compare(t, nS);
        QCOMPARE(plain.attributes.at(0).score, 1.0);
        QVERIFY(rankOf(plain, "http.response.status_code") < 2);
        QVERIFY(rankOf(plain, "name") < 2);

        AttributeComparison::Options options;
        options.excludedKeys = { "http.response.status_code", "name" };
        const ComparisonResult r = compare(t, nS, options);
        checkSums(r);
        QCOMPARE(rankOf(r, "http.response.status_code"), -1);
        QCOMPARE(rankOf(r, "name"), -1);
        QVERIFY(rankOf(r, "region") >= 0);
        QVERIFY(rankOf(r, "service.name") >= 0);
        for (const AttributeDifference& a : r.attributes)
            QCOMPARE(a.score, 0.0);
    }

    // Ids and high-cardinality keys keep their score but come after every other key, even one scoring less.
    void idsAndHighCardinalityAreDemoted()
    {
        const int nS = 300;
        const Trace t = makeTrace(3000, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < nS;
            // One customer behind most of the selection: a real difference, but an id.
            d.attributes.addString(
                "enduser.id", selected && i % 10 < 9 ? "customer-7" : "customer-" + std::to_string(i % 40));
            d.attributes.addString("url.full", "https://shop.example/item/" + std::to_string(i));
            d.attributes.addString("request_id", std::to_string(i % 7));
            d.attributes.addString("sessionId", std::to_string(i % 3));
            d.attributes.addInt("thread.id", 20 + i % 180);
            d.attributes.addBool("request.valid", i % 2 == 0);
            d.attributes.addString("tier", i % 10 < (selected ? 6 : 3) ? "premium" : "basic");
            return nullptr;
        });
        const ComparisonResult r = compare(t, nS);
        checkSums(r);
        for (const char* key : { "enduser.id", "url.full", "request_id", "sessionId", "thread.id" })
            QVERIFY2(attribute(r, key).demoted, key);
        for (const char* key : { "request.valid", "tier", "name", "service.name" })
            QVERIFY2(!attribute(r, key).demoted, key);
        const AttributeDifference& user = attribute(r, "enduser.id");
        const AttributeDifference& tier = attribute(r, "tier");
        QVERIFY(user.score > 0.85);
        QVERIFY(std::abs(tier.score - 0.3) < 1e-12);
        QCOMPARE(rankOf(r, "tier"), 0);
        // After all keys that are not demoted, zero scores included.
        for (const AttributeDifference& a : r.attributes) {
            if (!a.demoted)
                QVERIFY(rankOf(r, a.key) < rankOf(r, "enduser.id"));
        }
        QVERIFY(rankOf(r, "enduser.id") < rankOf(r, "url.full")); // demoted ones keep their order by score
        QCOMPARE(attribute(r, "url.full").distinctValues, 3000);
    }

    // Shown values: the first shownValues by selection share, the rest folded into "(other)" (a single rest
    // value is shown as itself), the value giving the score always shown; beyond valuesPerAttribute, values are
    // tested as one "(other)".
    void otherFolding()
    {
        const int nS = 400;
        const int nB = 4000;
        const Trace t = makeTrace(nS + nB, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < nS;
            const int j = selected ? i : i - nS;
            d.attributes.addString("ten", "v" + std::to_string(j % 10));
            d.attributes.addString("seven", "s" + std::to_string(j % 7));
            // "gone" is half of the baseline and none of the selection: sorted last by selection share.
            const int g = j % 20;
            d.attributes.addString(
                "eleven", selected ? "e" + std::to_string(g % 10) : (g < 10 ? "gone" : "e" + std::to_string(g % 10)));
            d.attributes.addString("thirty", "t" + std::to_string(j % 30));
            return nullptr;
        });
        const ComparisonResult r = compare(t, nS);
        checkSums(r);

        const AttributeDifference& ten = attribute(r, "ten");
        QCOMPARE(ten.values.size(), size_t(7));
        QCOMPARE(ten.values.back().value, std::string("(other)"));
        QCOMPARE(ten.values.back().selection, 4 * nS / 10);
        QCOMPARE(ten.values.back().baseline, 4 * nB / 10);
        QVERIFY(!ten.values.back().significant);
        QCOMPARE(ten.values.front().value, std::string("v0"));

        const AttributeDifference& seven = attribute(r, "seven");
        QCOMPARE(seven.values.size(), size_t(7));
        QVERIFY(!findValue(seven, "(other)"));

        const AttributeDifference& eleven = attribute(r, "eleven");
        QVERIFY(eleven.topValue >= 0);
        const ValueShare& gone = eleven.values.at(static_cast<size_t>(eleven.topValue));
        QCOMPARE(gone.value, std::string("gone"));
        QCOMPARE(gone.selectionShare, 0.0);
        QCOMPARE(gone.baselineShare, 0.5);
        QVERIFY(std::abs(eleven.score - 0.5) < 1e-12);
        QCOMPARE(eleven.values.size(), size_t(7));
        QCOMPARE(eleven.topValue, 5); // pulled up to the last shown place
        QCOMPARE(eleven.values.back().value, std::string("(other)"));
        for (size_t i = 1; i + 1 < eleven.values.size(); ++i)
            QVERIFY(eleven.values[i - 1].selectionShare >= eleven.values[i].selectionShare);

        const AttributeDifference& thirty = attribute(r, "thirty");
        QCOMPARE(thirty.values.size(), size_t(7));
        QCOMPARE(thirty.values.back().value, std::string("(other)"));
        QCOMPARE(thirty.distinctValues, 30);

        AttributeComparison::Options fewer;
        fewer.valuesPerAttribute = 5;
        fewer.shownValues = 10;
        const ComparisonResult fewerResult = compare(t, nS, fewer); // kept: `tested` points into it
        const AttributeDifference& tested = attribute(fewerResult, "ten");
        QCOMPARE(tested.values.size(), size_t(6)); // 5 tested values and the tested rest
        QCOMPARE(tested.values.back().value, std::string("(other)"));
        QCOMPARE(tested.values.back().selection, nS / 2);
        QCOMPARE(tested.values.back().pValue, 1.0); // tested: equal shares
    }

    // Spans without the key are a value: "78 % of the selection has no db.system" can be the finding.
    void missingIsAValue()
    {
        const int nS = 500;
        const int nB = 5000;
        const Trace t = makeTrace(nS + nB, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            const bool selected = i < nS;
            const int j = selected ? i : i - nS;
            if (j % 100 >= (selected ? 78 : 20))
                d.attributes.addString("db.system", j % 2 ? "postgresql" : "redis");
            addNoise(j, d);
            return nullptr;
        });
        const ComparisonResult r = compare(t, nS);
        checkSums(r);
        QCOMPARE(r.attributes.at(0).key, std::string("db.system"));
        const AttributeDifference& db = r.attributes.at(0);
        const ValueShare& top = db.values.at(static_cast<size_t>(db.topValue));
        QCOMPARE(top.value, std::string("(missing)"));
        QCOMPARE(top.selectionShare, 0.78);
        QCOMPARE(top.baselineShare, 0.2);
        QVERIFY(std::abs(db.score - 0.58) < 1e-12);
        QCOMPARE(db.values.at(0).value, std::string("(missing)")); // sorted by selection share like any value
    }

    // A numeric attribute with many values is compared as a distribution: KS D at its split point.
    void numericShiftScoresKolmogorovSmirnov()
    {
        const int nS = 1000;
        const int nB = 5000;
        const int missing = 100; // baseline spans without the key
        const Trace t = makeTrace(nS + nB + missing, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            // Baseline uniform on 0..99; selection uniform on 50..99: D = 0.5 at t = 49, nowhere else.
            if (i < nS)
                d.attributes.addInt("http.response.body.size", 50 + i % 50);
            else if (i < nS + nB)
                d.attributes.addInt("http.response.body.size", i % 100);
            addNoise(i < nS ? i : i - nS, d);
            return nullptr;
        });
        const ComparisonResult r = compare(t, nS);
        checkSums(r);
        QCOMPARE(r.attributes.at(0).key, std::string("http.response.body.size"));
        const AttributeDifference& size = r.attributes.at(0);
        QVERIFY(size.numeric);
        QVERIFY(!size.demoted);
        QCOMPARE(size.score, 0.5);
        QCOMPARE(size.splitAt, 49.0);
        QCOMPARE(size.selectionBelow, 0.0);
        QCOMPARE(size.baselineBelow, 0.5);
        QCOMPARE(size.values.size(), size_t(3));
        QCOMPARE(size.values.at(0).value, std::string("<= 49"));
        QCOMPARE(size.values.at(0).selection, 0);
        QCOMPARE(size.values.at(0).baseline, nB / 2);
        QCOMPARE(size.values.at(1).value, std::string("> 49"));
        QCOMPARE(size.values.at(1).selection, nS);
        QCOMPARE(size.values.at(2).value, std::string("(missing)"));
        QCOMPARE(size.values.at(2).baseline, missing);
        QCOMPARE(size.topValue, 0);
        QVERIFY(size.values.at(0).significant && size.values.at(1).significant);
        QVERIFY(size.pValue < 1e-100);
        // http.response.status_code has two values: still categorical.
        QVERIFY(!attribute(r, "http.response.status_code").numeric);
    }

    // The KS p-value is the asymptotic Kolmogorov tail with Stephens' correction, in both of its series: D = 0.2
    // and D = 0.1 for 100 against 100 spans give p = 0.03138 and 0.6766 (summed to 100 terms by hand).
    void kolmogorovSmirnovPValue_data()
    {
        QTest::addColumn<int>("shift");
        QTest::addColumn<double>("d");
        QTest::addColumn<double>("p");
        QTest::newRow("D 0.2") << 20 << 0.2 << 0.0313767;
        QTest::newRow("D 0.1") << 10 << 0.1 << 0.6766201;
        QTest::newRow("D 0") << 0 << 0.0 << 1.0;
    }
    void kolmogorovSmirnovPValue()
    {
        QFETCH(int, shift);
        QFETCH(double, d);
        QFETCH(double, p);
        const Trace t = makeTrace(200, [&](int i, SpanDraft& s) -> const ResourceDraft* {
            s.attributes.addInt("payload.bytes", i < 100 ? 1000 + i + shift : 1000 + i - 100);
            return nullptr;
        });
        const ComparisonResult r = compare(t, 100);
        checkSums(r);
        const AttributeDifference& a = attribute(r, "payload.bytes");
        QVERIFY(a.numeric);
        QVERIFY(std::abs(std::abs(a.selectionBelow - a.baselineBelow) - d) < 1e-9);
        QVERIFY2(std::abs(a.values.at(0).pValue - p) < 1e-6, qPrintable(QString::number(a.values.at(0).pValue)));
        QCOMPARE(a.values.at(0).significant, p < 0.05);
        QCOMPARE(a.score, p < 0.05 ? std::abs(a.selectionBelow - a.baselineBelow) : 0.0);
    }

    // The pseudo attributes, counting once per span, and values that are present but not countable.
    void pseudoAttributesAndDeduplication()
    {
        ResourceDraft named;
        named.attributes.addString("service.name", "from-resource");
        named.attributes.addString("host.name", "resource-host");
        ResourceDraft unnamed;
        unnamed.attributes.addString("host.name", "resource-host");
        const Trace t = makeTrace(400, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            d.service = "from-span";
            d.operation = i % 2 ? "GET /cart" : "GET /item";
            d.kind = i % 4 == 0 ? SpanKind::Unspecified : SpanKind::Server;
            d.attributes.addString("peer.service", "db");
            d.attributes.addString("peer.service", "duplicate"); // the first occurrence counts
            if (i % 5 == 0)
                d.attributes.addString("host.name", "span-host"); // the span's own attribute wins
            if (i % 8 == 0)
                d.attributes.addString("db.statement", std::string(300, 'x'));
            if (i % 8 == 1)
                d.attributes.addBytes("payload", "\x01\x02");
            return i % 2 ? &named : (i % 3 ? &unnamed : nullptr);
        });
        const ComparisonResult r = compare(t, 100);
        checkSums(r);
        const auto total = [](const ValueShare* v) { return v ? v->selection + v->baseline : 0; };
        const AttributeDifference& service = attribute(r, "service.name");
        QCOMPARE(total(findValue(service, "from-resource")), 200);
        QCOMPARE(total(findValue(service, "from-span")), 200);
        QVERIFY(!findValue(service, "(missing)"));
        QCOMPARE(total(findValue(attribute(r, "peer.service"), "db")), 400);
        QVERIFY(!findValue(attribute(r, "peer.service"), "duplicate"));
        const AttributeDifference& host = attribute(r, "host.name");
        QCOMPARE(total(findValue(host, "span-host")), 80);
        QCOMPARE(total(findValue(host, "(missing)")), 400 / 6 + 1 - 400 / 30 - 1); // no resource, no own host
        const AttributeDifference& kind = attribute(r, "span.kind");
        QCOMPARE(total(findValue(kind, "server")), 300);
        QCOMPARE(total(findValue(kind, "(missing)")), 100);
        QCOMPARE(total(findValue(attribute(r, "name"), "GET /cart")), 200);
        QCOMPARE(total(findValue(attribute(r, "db.statement"), "(other)")), 50);
        QCOMPARE(total(findValue(attribute(r, "db.statement"), "(missing)")), 350);
        QCOMPARE(total(findValue(attribute(r, "payload"), "(other)")), 50);
    }

    // add() one span at a time and addTrace() count the same, over several traces sharing no string ids.
    void addMatchesAddTrace()
    {
        ResourceDraft named;
        named.attributes.addString("service.name", "checkout");
        named.attributes.addString("k8s.pod.name", "pod-1");
        std::vector<Trace> traces;
        for (int n : { 30, 45, 60 }) {
            traces.push_back(makeTrace(n, [&](int i, SpanDraft& d) -> const ResourceDraft* {
                d.operation = "op" + std::to_string((i * n) % 4);
                d.kind = static_cast<SpanKind>(i % 6);
                d.attributes.addInt("retry", i % 3);
                if (i % 7 == 0)
                    d.attributes.addString("k8s.pod.name", "own-pod");
                d.attributes.addDouble("ratio", (i % 30) / 8.0);
                return i % 3 ? &named : nullptr;
            }));
        }
        const auto selected = [](const Span& s) { return s.id % 3 == 0; };
        const auto inScope = [](const Span& s) { return s.id % 5 != 0; };
        AttributeComparison perTrace;
        AttributeComparison perSpan;
        for (const Trace& t : traces) {
            perTrace.addTrace(t, selected, inScope);
            for (const Span& s : t.spans) {
                if (inScope(s))
                    perSpan.add(t, s, selected(s));
            }
        }
        QCOMPARE(perTrace.selectionSpans(), perSpan.selectionSpans());
        QCOMPARE(perTrace.selectionSpans() + perTrace.baselineSpans(), qint64(135 - 27));
        QCOMPARE(printed(perSpan.result()), printed(perTrace.result()));
        checkSums(perTrace.result());
    }

    // Nothing to compare against: counts, no scores, no crash.
    void emptySides()
    {
        const Trace t = makeTrace(50, [&](int i, SpanDraft& d) -> const ResourceDraft* {
            addNoise(i, d);
            return nullptr;
        });
        for (int selected : { 0, 50 }) {
            const ComparisonResult r = compare(t, selected);
            checkSums(r);
            for (const AttributeDifference& a : r.attributes)
                QCOMPARE(a.score, 0.0);
        }
        QVERIFY(AttributeComparison().result().attributes.empty()); // not even the pseudo keys
    }
};

QTEST_GUILESS_MAIN(TestComparison)
#include "tst_comparison.moc"
