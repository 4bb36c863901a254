// The requests of the Jaeger, Tempo and Zipkin query APIs, exactly as PROTOCOLS.md §3-5 says each server takes
// them: paths under a proxy's prefix, times in the unit each API wants (RFC 3339 ns, µs, ms, seconds), Go durations,
// tags as JSON, logfmt or an annotation query, and Tempo's trace ids padded back to 16 or 32 digits.

#include "remote/apirequests.h"

#include <QUrlQuery>
#include <QtTest/QtTest>

using namespace tracemap::remote;

namespace {

constexpr qint64 kSecond = 1'000'000'000;
// 2026-01-01T00:00:00Z, plus 1.5 µs and a nanosecond so that every rounding shows.
constexpr qint64 kSince = 1767225600LL * kSecond + 1501;
constexpr qint64 kUntil = kSince + 3600 * kSecond;

RemoteSearch search()
{
    RemoteSearch s;
    s.service = QStringLiteral("checkout");
    s.operation = QStringLiteral("GET /cart");
    s.tags = { { QStringLiteral("http.status_code"), QStringLiteral("500") },
        { QStringLiteral("note"), QStringLiteral("a+b & c") } };
    s.minDurationNs = 1'500'000'000;
    s.maxDurationNs = 250'000'000'000;
    s.sinceNs = kSince;
    s.untilNs = kUntil;
    s.limit = 50;
    return s;
}

QString value(const QUrl& url, const char* key)
{
    return QUrlQuery(url).queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
}

const QUrl kBase(QStringLiteral("https://traces.example/jaeger/"));

} // namespace

class TestRemoteRequests : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The form's "no bound" (TraceQuery's 0 and max) is no parameter at all, and "all time" a finite window.
    void searchFromTheForm()
    {
        const qint64 now = kUntil;
        const RemoteSearch open = remoteSearchOf(tracemap::TraceQuery(), QString(), now, 3600 * kSecond);
        QCOMPARE(open.maxDurationNs, 0);
        QCOMPARE(open.minDurationNs, 0);
        QCOMPARE(open.untilNs, now);
        QCOMPARE(open.sinceNs, now - 3600 * kSecond);
        QCOMPARE(open.limit, 20);
        const QUrl url = zipkin::traces(kBase, open);
        QVERIFY2(!QUrlQuery(url).hasQueryItem(QStringLiteral("maxDuration")), qPrintable(url.toString()));
        QCOMPARE(value(url, "lookback"), QStringLiteral("3600000"));

        tracemap::TraceQuery form;
        form.service = QStringLiteral("cart");
        form.maxDurationNs = 2 * kSecond;
        form.sinceNs = kSince;
        form.untilNs = kUntil;
        form.limit = 7;
        const RemoteSearch bounded
            = remoteSearchOf(form, QStringLiteral(" { status = error } "), now + kSecond, kSecond);
        QCOMPARE(bounded.service, QStringLiteral("cart"));
        QCOMPARE(bounded.maxDurationNs, 2 * kSecond);
        QCOMPARE(bounded.sinceNs, kSince);
        QCOMPARE(bounded.untilNs, kUntil);
        QCOMPARE(bounded.limit, 7);
        QCOMPARE(bounded.traceQl, QStringLiteral("{ status = error }"));
    }

    void formats()
    {
        QCOMPARE(goDuration(1'500'000'000), QStringLiteral("1500ms"));
        QCOMPARE(goDuration(2 * kSecond), QStringLiteral("2s"));
        QCOMPARE(goDuration(90 * kSecond), QStringLiteral("90s"));
        QCOMPARE(goDuration(3600 * kSecond), QStringLiteral("1h"));
        QCOMPARE(goDuration(42'000), QStringLiteral("42us"));
        QCOMPARE(goDuration(7), QStringLiteral("7ns"));
        QCOMPARE(rfc3339(kSince), QStringLiteral("2026-01-01T00:00:00.000001501Z"));
        QCOMPARE(rfc3339(-1), QStringLiteral("1969-12-31T23:59:59.999999999Z"));
    }

    void jaegerV3()
    {
        QCOMPARE(jaeger::servicesV3(kBase).toString(), QStringLiteral("https://traces.example/jaeger/api/v3/services"));
        QCOMPARE(jaeger::operationsV3(kBase, QStringLiteral("a b")).toString(QUrl::FullyEncoded),
            QStringLiteral("https://traces.example/jaeger/api/v3/operations?service=a%20b"));
        const QUrl url = jaeger::searchV3(kBase, search());
        QCOMPARE(url.path(), QStringLiteral("/jaeger/api/v3/traces"));
        QCOMPARE(value(url, "query.service_name"), QStringLiteral("checkout"));
        QCOMPARE(value(url, "query.operation_name"), QStringLiteral("GET /cart"));
        QCOMPARE(value(url, "query.attributes"), QStringLiteral(R"({"http.status_code":"500","note":"a+b & c"})"));
        QCOMPARE(value(url, "query.start_time_min"), QStringLiteral("2026-01-01T00:00:00.000001501Z"));
        QCOMPARE(value(url, "query.start_time_max"), QStringLiteral("2026-01-01T01:00:00.000001501Z"));
        QCOMPARE(value(url, "query.duration_min"), QStringLiteral("1500ms"));
        QCOMPARE(value(url, "query.duration_max"), QStringLiteral("250s"));
        QCOMPARE(value(url, "query.num_traces"), QStringLiteral("50"));
        // '+' and '&' travel percent-encoded: a server would read a bare '+' as a space.
        QVERIFY(url.toString(QUrl::FullyEncoded).contains(QLatin1String("a%2Bb%20%26%20c")));
        QCOMPARE(jaeger::traceSummariesV3(kBase, search()).path(), QStringLiteral("/jaeger/api/v3/trace-summaries"));
        QCOMPARE(jaeger::traceV3(kBase, QStringLiteral("00ab")).path(), QStringLiteral("/jaeger/api/v3/traces/00ab"));
    }

    void jaegerLegacy()
    {
        QCOMPARE(jaeger::operationsLegacy(kBase, QStringLiteral("a/b")).toString(QUrl::FullyEncoded),
            QStringLiteral("https://traces.example/jaeger/api/services/a%2Fb/operations"));
        const QUrl url = jaeger::searchLegacy(kBase, search());
        QCOMPARE(url.path(), QStringLiteral("/jaeger/api/traces"));
        QCOMPARE(value(url, "service"), QStringLiteral("checkout"));
        QCOMPARE(value(url, "tags"), QStringLiteral(R"({"http.status_code":"500","note":"a+b & c"})"));
        QCOMPARE(value(url, "start"), QString::number(kSince / 1000)); // µs, the window widened outward
        QCOMPARE(value(url, "end"), QString::number(kUntil / 1000 + 1));
        QCOMPARE(value(url, "minDuration"), QStringLiteral("1500ms"));
        QCOMPARE(value(url, "limit"), QStringLiteral("50"));
        const QUrl links = jaeger::dependencies(kBase, kUntil, 86400 * kSecond);
        QCOMPARE(links.path(), QStringLiteral("/jaeger/api/dependencies"));
        QCOMPARE(value(links, "endTs"), QString::number(kUntil / 1'000'000 + 1)); // ms
        QCOMPARE(value(links, "lookback"), QStringLiteral("86400000"));
    }

    void tempo()
    {
        const QUrl base(QStringLiteral("http://localhost:3200"));
        const QUrl url = tempo::search(base, search());
        QCOMPARE(url.path(), QStringLiteral("/api/search"));
        QCOMPARE(value(url, "tags"),
            QStringLiteral(R"(service.name=checkout name="GET /cart" http.status_code=500 note="a+b & c")"));
        QCOMPARE(value(url, "minDuration"), QStringLiteral("1500ms"));
        QCOMPARE(value(url, "start"), QStringLiteral("1767225600")); // seconds, floored
        QCOMPARE(value(url, "end"), QStringLiteral("1767229201")); // ceiled
        QCOMPARE(value(url, "limit"), QStringLiteral("50"));
        QVERIFY(!QUrlQuery(url).hasQueryItem(QStringLiteral("q")));
        RemoteSearch traceQl = search();
        traceQl.traceQl = QStringLiteral(R"({ resource.service.name = "api" && span.http.status_code >= 500 })");
        const QUrl ql = tempo::search(base, traceQl);
        QCOMPARE(value(ql, "q"), traceQl.traceQl);
        QVERIFY(!QUrlQuery(ql).hasQueryItem(QStringLiteral("tags")));
        QVERIFY(!QUrlQuery(ql).hasQueryItem(QStringLiteral("minDuration"))); // TraceQL says it itself
        QCOMPARE(tempo::tagValues(base, QStringLiteral("resource.service.name")).path(),
            QStringLiteral("/api/v2/search/tag/resource.service.name/values"));
        QCOMPARE(value(tempo::tagNames(base, QStringLiteral("span")), "scope"), QStringLiteral("span"));
        QCOMPARE(tempo::traceV2(base, QStringLiteral("ab")).path(), QStringLiteral("/api/v2/traces/ab"));
        QCOMPARE(tempo::padTraceId(QStringLiteral("2f3e0cee77ae5dc9c17ade3689eb2e54")),
            std::optional<QString>(QStringLiteral("2f3e0cee77ae5dc9c17ade3689eb2e54")));
        QCOMPARE(tempo::padTraceId(QStringLiteral("F3E0CEE77AE5DC9C17ADE3689EB2E54")),
            std::optional<QString>(QStringLiteral("0f3e0cee77ae5dc9c17ade3689eb2e54")));
        QCOMPARE(tempo::padTraceId(QStringLiteral("1a")), std::optional<QString>(QStringLiteral("000000000000001a")));
        QCOMPARE(tempo::padTraceId(QStringLiteral("xyz")), std::nullopt);
        QCOMPARE(tempo::padTraceId(QString(33, QLatin1Char('1'))), std::nullopt);
    }

    void zipkin()
    {
        const QUrl base(QStringLiteral("http://localhost:9411/zipkin"));
        const QUrl url = zipkin::traces(base, search());
        QCOMPARE(url.path(), QStringLiteral("/zipkin/api/v2/traces"));
        QCOMPARE(value(url, "serviceName"), QStringLiteral("checkout"));
        QCOMPARE(value(url, "spanName"), QStringLiteral("get /cart")); // Zipkin's names are lowercase
        QCOMPARE(value(url, "annotationQuery"), QStringLiteral("http.status_code=500 and note=a+b & c"));
        RemoteSearch words = search();
        words.tags.emplace_back(QString(), QStringLiteral("retried")); // a bare word of the annotation query
        QCOMPARE(value(zipkin::traces(base, words), "annotationQuery"),
            QStringLiteral("http.status_code=500 and note=a+b & c and retried"));
        QCOMPARE(value(url, "minDuration"), QStringLiteral("1500000")); // µs
        QCOMPARE(value(url, "maxDuration"), QStringLiteral("250000000"));
        QCOMPARE(value(url, "endTs"), QString::number(kUntil / 1'000'000 + 1)); // ms
        QCOMPARE(value(url, "lookback"), QStringLiteral("3600000"));
        QCOMPARE(value(url, "limit"), QStringLiteral("50"));
        QCOMPARE(zipkin::traceMany(base, { QStringLiteral("a") }), std::nullopt); // the server wants two or more
        QCOMPARE(value(*zipkin::traceMany(base, { QStringLiteral("a"), QStringLiteral("b") }), "traceIds"),
            QStringLiteral("a,b"));
        QCOMPARE(zipkin::trace(base, QStringLiteral("ab")).path(), QStringLiteral("/zipkin/api/v2/trace/ab"));
        QCOMPARE(value(zipkin::spanNames(base, QStringLiteral("x")), "serviceName"), QStringLiteral("x"));
        QCOMPARE(value(zipkin::autocompleteValues(base, QStringLiteral("k")), "key"), QStringLiteral("k"));
    }
};

QTEST_GUILESS_MAIN(TestRemoteRequests)
#include "tst_remoterequests.moc"
