// What the search form and the command line accept as typed: trace ids (one or a list) and durations and ages
// (parseDuration, parseTimePoint). Model only.

#include "model/ids.h"
#include "model/tracequery.h"

#include <QObject>
#include <QTest>

using namespace tracemap;

class TestQueryParsing : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Base64 as ids and bytes come (Tempo, protobuf's JSON mapping): either alphabet, padding optional, and
    // nothing that is not base64.
    void base64()
    {
        const std::string id("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0a\xbc\x0e", 16);
        QCOMPARE(encodeBase64(id), std::string("AAAAAAAAAAAAAAAAAAq8Dg=="));
        QCOMPARE(decodeBase64("AAAAAAAAAAAAAAAAAAq8Dg=="), std::optional(id));
        QCOMPARE(decodeBase64("AAAAAAAAAAAAAAAAAAq8Dg"), std::optional(id));
        QCOMPARE(decodeBase64("-_8="), std::optional(std::string("\xfb\xff", 2))); // URL-safe
        QCOMPARE(decodeBase64("+/8="), std::optional(std::string("\xfb\xff", 2)));
        QCOMPARE(decodeBase64(""), std::optional(std::string()));
        QCOMPARE(decodeBase64("AAAA!AAA"), std::nullopt);
        QCOMPARE(decodeBase64("AAAAA"), std::nullopt); // a lone character encodes no byte
        QCOMPARE(decodeBase64("AA=A"), std::nullopt);
        QCOMPARE(encodeBase64(std::string("\xfb\xff", 2)), std::string("+/8="));
        QCOMPARE(encodeBase64("a"), std::string("YQ=="));
    }

    void logfmtValues()
    {
        QCOMPARE(logfmtValue(QStringLiteral("2.1.0")), QStringLiteral("2.1.0"));
        QCOMPARE(logfmtValue(QStringLiteral("GET /cart")), QStringLiteral("\"GET /cart\""));
        QCOMPARE(logfmtValue(QStringLiteral("a=b")), QStringLiteral("\"a=b\""));
        QCOMPARE(logfmtValue(QStringLiteral("say \"hi\" \\o/")), QStringLiteral("\"say \\\"hi\\\" \\\\o/\""));
        QCOMPARE(logfmtValue(QString()), QStringLiteral("\"\""));
    }

    void parseTraceIdText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<quint64>("high");
        QTest::addColumn<quint64>("low");
        QTest::addColumn<QString>("errorPart");
        // clang-format off
        QTest::newRow("32 digits") << QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736") << true << quint64(0x4bf92f3577b34da6ull) << quint64(0xa3ce929d0e0e4736ull) << QString();
        QTest::newRow("upper case, spaces") << QStringLiteral("  4BF92F3577B34DA6A3CE929D0E0E4736 ") << true << quint64(0x4bf92f3577b34da6ull) << quint64(0xa3ce929d0e0e4736ull) << QString();
        QTest::newRow("16 digits") << QStringLiteral("a3ce929d0e0e4736") << true << quint64(0) << quint64(0xa3ce929d0e0e4736ull) << QString();
        QTest::newRow("trimmed 128-bit (Tempo)") << QStringLiteral("abc0123456789abcdef") << true << quint64(0xabc) << quint64(0x0123456789abcdefull) << QString();
        QTest::newRow("trimmed 64-bit") << QStringLiteral("ff") << true << quint64(0) << quint64(0xff) << QString();
        QTest::newRow("padded") << QStringLiteral("000000000000000000000000000000ff") << true << quint64(0) << quint64(0xff) << QString();
        QTest::newRow("empty") << QStringLiteral("  ") << false << quint64(0) << quint64(0) << QStringLiteral("empty");
        QTest::newRow("not hex") << QStringLiteral("4bf9-2f35") << false << quint64(0) << quint64(0) << QStringLiteral("'-' is not a hex digit");
        QTest::newRow("non-ASCII") << QStringLiteral("4bfé") << false << quint64(0) << quint64(0) << QStringLiteral("not a hex digit");
        QTest::newRow("too long") << QStringLiteral("4bf92f3577b34da6a3ce929d0e0e47360") << false << quint64(0) << quint64(0) << QStringLiteral("33 characters");
        QTest::newRow("zeros") << QStringLiteral("0000") << false << quint64(0) << quint64(0) << QStringLiteral("all zeros");
        // clang-format on
    }

    void parseTraceIdText()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(quint64, high);
        QFETCH(quint64, low);
        QFETCH(QString, errorPart);
        const auto id = tracemap::parseTraceIdText(text);
        QCOMPARE(id.has_value(), valid);
        if (valid) {
            QCOMPARE(id->high, high);
            QCOMPARE(id->low, low);
        } else {
            QVERIFY2(id.error().contains(errorPart), qPrintable(id.error()));
        }
    }

    void parseTraceIdList()
    {
        const auto ids = tracemap::parseTraceIdList(u"ff, abc0123456789abcdef,,a3ce929d0e0e4736 1");
        QVERIFY(ids.has_value());
        QCOMPARE(ids->size(), size_t(4));
        QCOMPARE((*ids)[0], (TraceId { 0, 0xff }));
        QCOMPARE((*ids)[1], (TraceId { 0xabc, 0x0123456789abcdefull }));
        QCOMPARE((*ids)[3], (TraceId { 0, 1 }));
        const auto bad = tracemap::parseTraceIdList(u"ff,xyz");
        QVERIFY(!bad.has_value());
        QVERIFY2(bad.error().contains(QLatin1String("'xyz'")), qPrintable(bad.error()));
    }

    void parseDuration_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("ns");
        QTest::newRow("150ms") << QStringLiteral("150ms") << true << qint64(150000000);
        QTest::newRow("2s") << QStringLiteral("2s") << true << qint64(2000000000);
        QTest::newRow("1.5m") << QStringLiteral("1.5m") << true << qint64(90000000000);
        QTest::newRow("300us") << QStringLiteral("300us") << true << qint64(300000);
        QTest::newRow("300µs") << QStringLiteral("300µs") << true << qint64(300000);
        QTest::newRow("42ns") << QStringLiteral("42ns") << true << qint64(42);
        QTest::newRow("1h") << QStringLiteral("1h") << true << qint64(3600000000000);
        QTest::newRow("30d") << QStringLiteral("30d") << true << qint64(30) * 86400 * 1000000000;
        QTest::newRow("2w") << QStringLiteral("2w") << true << qint64(14) * 86400 * 1000000000;
        QTest::newRow("1.5d") << QStringLiteral("1.5d") << true << qint64(36) * 3600 * 1000000000;
        QTest::newRow("bare number is ms") << QStringLiteral("5") << true << qint64(5000000);
        QTest::newRow("spaces") << QStringLiteral(" 2 s ") << true << qint64(2000000000);
        QTest::newRow("empty") << QString() << false << qint64(0);
        QTest::newRow("unit only") << QStringLiteral("ms") << false << qint64(0);
        QTest::newRow("unknown unit") << QStringLiteral("5 parsecs") << false << qint64(0);
        QTest::newRow("negative") << QStringLiteral("-5ms") << false << qint64(0);
        QTest::newRow("two numbers") << QStringLiteral("1 2ms") << false << qint64(0);
        QTest::newRow("letters") << QStringLiteral("abc") << false << qint64(0);
        QTest::newRow("overflow") << QStringLiteral("999999999999h") << false << qint64(0);
    }

    void parseDuration()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(qint64, ns);
        const auto parsed = tracemap::parseDuration(text);
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(*parsed, ns);
    }

    void agesInDaysAndWeeks()
    {
        const qint64 now = qint64(1767225600) * 1000000000;
        QCOMPARE(parseTimePoint(QStringLiteral("30d"), now), std::optional<qint64>(now - qint64(30) * 86400000000000));
        QCOMPARE(parseTimePoint(QStringLiteral("-2w"), now), std::optional<qint64>(now - qint64(14) * 86400000000000));
        QCOMPARE(parseTimePoint(QStringLiteral("3y"), now), std::optional<qint64>());
    }
};

QTEST_GUILESS_MAIN(TestQueryParsing)
#include "tst_queryparsing.moc"
