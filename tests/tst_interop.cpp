// Interoperability: real senders (the OpenTelemetry JavaScript SDK with its OTLP and Zipkin exporters, and
// zipkin-js with its HTTP transport) send one fixed trace to the real `tracemap serve`; the test then reads the
// cache and compares every span, field by field, with what Tracemap's model should hold for that protocol.
//
// tests/interop/send.mjs builds the trace; kSpans below lists the same spans. The per-protocol rules (what Zipkin
// cannot carry) are in expectedTrace(). Needs node and `npm ci` in tests/interop (packaging/dev.sh test does it).

#include "cache/tracecache.h"
#include "model/attributevalue.h"
#include "model/trace.h"
#include "model/traceassembler.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <charconv>
#include <csignal>
#include <map>

using namespace tracemap;

namespace {

constexpr qint64 kT0Ns = 1767225600LL * 1000000000LL; // send.mjs's T0_SECONDS
constexpr qint64 kMs = 1000000;
const char* const kTraceA = "0af7651916cd43dd8448eb211c80319c";
const char* const kTraceB = "4bf92f3577b34da6a3ce929d0e0e4736";

using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

AttributeValue str(const char* s)
{
    return AttributeValue::fromString(s);
}
AttributeValue num(qint64 i)
{
    return AttributeValue::fromInt(i);
}
AttributeValue dbl(double d)
{
    return AttributeValue::fromDouble(d);
}
AttributeValue boolean(bool b)
{
    return AttributeValue::fromBool(b);
}
AttributeValue list(std::vector<AttributeValue> items)
{
    return AttributeValue::array(std::move(items));
}

struct ExpectedEvent {
    const char* name;
    qint64 offsetNs;
    Attributes attributes;
};

struct ExpectedLink {
    const char* traceId;
    const char* spanId;
    const char* traceState;
    Attributes attributes;
};

struct ExpectedSpan {
    const char* traceId;
    const char* id;
    const char* parent; // "" for a root
    const char* service;
    SpanKind kind;
    const char* name;
    qint64 startNs; // offsets from kT0Ns
    qint64 endNs;
    StatusCode status;
    const char* message;
    Attributes attributes;
    std::vector<ExpectedEvent> events;
    std::vector<ExpectedLink> links;
    const char* zipkinJoins = ""; // zipkin-js sends this server span with its client's id (B3 join), see send.mjs
};

// The resource attributes of each service, as send.mjs sets them.
const std::map<std::string, Attributes>& serviceResources()
{
    static const std::map<std::string, Attributes> resources {
        { "frontend",
            { { "service.name", str("frontend") }, { "service.namespace", str("shop") },
                { "service.version", str("1.4.2") }, { "deployment.environment.name", str("staging") },
                { "host.name", str("web-1") }, { "process.pid", num(4242) }, { "host.load_average", dbl(0.75) },
                { "container.privileged", boolean(false) },
                { "process.command_args", list({ str("node"), str("server.js"), str("--port=8080") }) } } },
        { "checkout",
            { { "service.name", str("checkout") }, { "service.namespace", str("shop") },
                { "service.version", str("2.0.0") }, { "host.name", str("app-1") }, { "process.pid", num(77) } } },
        { "payments",
            { { "service.name", str("payments") }, { "service.version", str("0.9.1") }, { "host.name", str("pay-1") },
                { "cloud.region", str("eu-west-1") } } },
    };
    return resources;
}

const std::vector<ExpectedSpan>& spans()
{
    static const std::vector<ExpectedSpan> all {
        { kTraceA, "b7ad6b7169203331", "", "frontend", SpanKind::Server, "GET /checkout", 0, 250 * kMs, StatusCode::Ok,
            "",
            { { "http.request.method", str("GET") }, { "url.path", str("/checkout") },
                { "http.response.status_code", num(200) } },
            {}, {} },
        { kTraceA, "00f067aa0ba902b7", "b7ad6b7169203331", "frontend", SpanKind::Client, "POST /api/checkout",
            10 * kMs + 123, 240 * kMs + 456, StatusCode::Unset, "",
            { { "http.request.method", str("POST") }, { "server.address", str("checkout") },
                { "server.port", num(8081) } },
            {}, {} },
        { kTraceA, "5fb397be34d26b51", "00f067aa0ba902b7", "checkout", SpanKind::Server, "POST /api/checkout", 12 * kMs,
            238 * kMs, StatusCode::Unset, "",
            { { "http.request.method", str("POST") }, { "http.response.status_code", num(201) },
                { "order.total", dbl(99.95) }, { "order.express", boolean(true) },
                { "order.items", list({ str("sku-1"), str("sku-2") }) },
                { "order.quantities", list({ num(1), num(2) }) }, { "order.prices", list({ dbl(19.99), dbl(79.96) }) },
                { "order.gift_flags", list({ boolean(true), boolean(false) }) }, { "user.name", str("Zoë ✓") },
                { "order.id", num(9007199254740991LL) }, { "retry.delta", num(-3) } },
            { { "cart.loaded", 13 * kMs + 5, { { "cart.items", num(2) }, { "cache.hit", boolean(true) } } },
                { "payment.requested", 49 * kMs, { { "payment.method", str("card") }, { "amount", dbl(99.95) } } } },
            {} },
        { kTraceA, "8a3c60f7d188f8fa", "5fb397be34d26b51", "checkout", SpanKind::Internal, "compute-total", 15 * kMs,
            40 * kMs, StatusCode::Unset, "", { { "order.lines", num(2) } }, {}, {} },
        { kTraceA, "1d3a3bc2f3b1c9e4", "5fb397be34d26b51", "checkout", SpanKind::Client, "charge", 50 * kMs, 230 * kMs,
            StatusCode::Unset, "", { { "rpc.system", str("grpc") }, { "rpc.service", str("Payments") } }, {}, {} },
        { kTraceA, "7e2b8f1a4c6d9e05", "1d3a3bc2f3b1c9e4", "payments", SpanKind::Server, "charge", 55 * kMs, 225 * kMs,
            StatusCode::Error, "card declined", { { "rpc.system", str("grpc") }, { "payment.attempt", num(1) } },
            { { "exception", 220 * kMs + 789,
                { { "exception.type", str("CardDeclined") }, { "exception.message", str("card declined") },
                    { "exception.escaped", boolean(false) } } } },
            {}, "1d3a3bc2f3b1c9e4" },
        { kTraceA, "3c9d2e1f0a8b7c6d", "5fb397be34d26b51", "checkout", SpanKind::Producer, "publish order.created",
            231 * kMs, 236 * kMs, StatusCode::Unset, "",
            { { "messaging.system", str("kafka") }, { "messaging.destination.name", str("orders") } }, {}, {} },
        { kTraceB, "53995c3f42cd8ad8", "", "payments", SpanKind::Consumer, "process order.created", 300 * kMs,
            320 * kMs, StatusCode::Unset, "",
            { { "messaging.system", str("kafka") }, { "messaging.destination.name", str("orders") } }, {},
            { { kTraceA, "3c9d2e1f0a8b7c6d", "congo=t61rcWkgMzE",
                { { "messaging.operation", str("publish") }, { "link.weight", dbl(0.5) } } } } },
    };
    return all;
}

enum class Sender { OtelOtlp, OtelZipkin, ZipkinJs };

// A number as JavaScript's String() writes it: the shortest text that reads back as the same double.
std::string jsNumber(double d)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
    return std::string(buffer, result.ptr);
}

// String(value) in JavaScript, which both Zipkin senders apply to every tag (arrays join with commas).
std::string jsString(const AttributeValue& v)
{
    switch (v.type()) {
    case ValueType::String:
        return v.stringValue();
    case ValueType::Bool:
        return v.boolValue() ? "true" : "false";
    case ValueType::Int:
        return std::to_string(v.intValue());
    case ValueType::Double:
        return jsNumber(v.doubleValue());
    case ValueType::Array: {
        std::string out;
        for (const auto& item : v.items())
            out += (out.empty() ? "" : ",") + jsString(item);
        return out;
    }
    default:
        return {};
    }
}

QString describe(const AttributeValue& v)
{
    switch (v.type()) {
    case ValueType::String:
        return QStringLiteral("string '%1'").arg(QString::fromStdString(v.stringValue()));
    case ValueType::Bool:
        return QStringLiteral("bool %1").arg(v.boolValue() ? QLatin1String("true") : QLatin1String("false"));
    case ValueType::Int:
        return QStringLiteral("int %1").arg(v.intValue());
    case ValueType::Double:
        return QStringLiteral("double %1").arg(QString::fromStdString(jsNumber(v.doubleValue())));
    case ValueType::Bytes:
        return QStringLiteral("bytes %1").arg(QString::fromStdString(encodeBase64(v.stringValue())));
    case ValueType::Array:
    case ValueType::KeyValueList: {
        QStringList items;
        for (const auto& item : v.items())
            items << describe(item);
        for (const auto& [key, value] : v.entries())
            items << QString::fromStdString(key) + QLatin1String(": ") + describe(value);
        return (v.type() == ValueType::Array ? QLatin1String("array[") : QLatin1String("kvlist["))
            + items.join(QLatin1String(", ")) + QLatin1Char(']');
    }
    case ValueType::Empty:
        break;
    }
    return QStringLiteral("empty");
}

void describeAttributes(QStringList& out, const QString& indent, const Attributes& attributes)
{
    for (const auto& [key, value] : attributes)
        out << indent + QString::fromStdString(key) + QLatin1String(" = ") + describe(value);
}

QString spanLine(const char* id, const char* parent, std::string_view service, SpanKind kind, std::string_view name,
    qint64 startNs, qint64 durationNs, StatusCode status, std::string_view message, quint32 flags)
{
    return QStringLiteral(
        "span %1 parent %2 service %3 kind %4 name '%5' start %6 duration %7 status %8 '%9' flags %10")
        .arg(QLatin1String(id), QLatin1String(*parent ? parent : "-"), QString::fromUtf8(service),
            QLatin1String(spanKindName(kind)), QString::fromUtf8(name))
        .arg(startNs)
        .arg(durationNs)
        .arg(QLatin1String(statusCodeName(status)), QString::fromUtf8(message))
        .arg(flags);
}

// Zipkin times are microseconds; both Zipkin senders round to the nearest one.
qint64 toMicros(qint64 offsetNs)
{
    return (offsetNs + 500) / 1000 * 1000;
}

// What Tracemap should hold for one trace sent by `sender`, one line per span, attribute, event and link.
QStringList expectedTrace(const char* traceId, Sender sender)
{
    const bool otlp = sender == Sender::OtelOtlp;
    QStringList out;
    for (const ExpectedSpan& s : spans()) {
        if (qstrcmp(s.traceId, traceId) != 0)
            continue;
        // Zipkin has no INTERNAL kind (a local span has none), no OK status (OpenTelemetry's exporter carries it
        // in the otel.status_code tag; zipkin-js has nothing), times in microseconds, and no W3C flags.
        const SpanKind kind = !otlp && s.kind == SpanKind::Internal ? SpanKind::Unspecified : s.kind;
        const StatusCode status
            = sender == Sender::ZipkinJs && s.status == StatusCode::Ok ? StatusCode::Unset : s.status;
        const qint64 start = otlp ? s.startNs : toMicros(s.startNs);
        const qint64 duration = otlp ? s.endNs - s.startNs : toMicros(s.endNs - s.startNs);
        // zipkin-js lowercases names ("In zipkin, names are lowercase").
        const QByteArray name = sender == Sender::ZipkinJs ? QByteArray(s.name).toLower() : QByteArray(s.name);
        // A joined server half keeps its client's id on the wire; Tracemap gives it its own under the client.
        const bool joined = sender == Sender::ZipkinJs && *s.zipkinJoins;
        const std::string id = joined
            ? spanIdToHex(TraceAssembler::serverHalfId(*spanIdFromHex(s.zipkinJoins), s.service))
            : std::string(s.id);
        out << spanLine(id.c_str(), s.parent, s.service, kind, name.toStdString(), start, duration, status, s.message,
            otlp ? 0x101 : 0);
        if (joined)
            out << QStringLiteral("  problems %1").arg(int(SharedServerHalf));
        const Attributes& resource = serviceResources().at(s.service);
        if (otlp) {
            describeAttributes(out, QStringLiteral("  attr "), s.attributes);
            const auto version = std::find_if(
                resource.begin(), resource.end(), [](const auto& a) { return a.first == "service.version"; });
            out << QStringLiteral("  scope shop.%1 %2")
                       .arg(QLatin1String(s.service), QString::fromStdString(version->second.stringValue()));
            describeAttributes(out, QStringLiteral("  resource "), resource);
        } else {
            // Tags are strings. OpenTelemetry's exporter adds the status and every resource attribute as tags.
            Attributes tags;
            for (const auto& [key, value] : s.attributes)
                tags.emplace_back(key, str(jsString(value).c_str()));
            if (sender == Sender::ZipkinJs && s.status == StatusCode::Error)
                tags.emplace_back("error", str(s.message));
            if (sender == Sender::OtelZipkin) {
                if (s.status != StatusCode::Unset)
                    tags.emplace_back("otel.status_code", str(s.status == StatusCode::Ok ? "OK" : "ERROR"));
                if (s.status == StatusCode::Error)
                    tags.emplace_back("error", str(s.message));
                for (const auto& [key, value] : resource)
                    tags.emplace_back(key, str(jsString(value).c_str()));
            }
            std::sort(tags.begin(), tags.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            describeAttributes(out, QStringLiteral("  attr "), tags);
            describeAttributes(out, QStringLiteral("  resource "), { { "service.name", str(s.service) } });
        }
        for (const ExpectedEvent& e : s.events) {
            out << QStringLiteral("  event %1 %2")
                       .arg(otlp ? e.offsetNs : toMicros(e.offsetNs))
                       .arg(QLatin1String(e.name));
            if (otlp) // Zipkin annotations are a time and a text
                describeAttributes(out, QStringLiteral("    attr "), e.attributes);
        }
        for (const ExpectedLink& l : s.links) {
            if (!otlp) // Zipkin has no links
                continue;
            out << QStringLiteral("  link %1 %2 state '%3' flags %4")
                       .arg(QLatin1String(l.traceId), QLatin1String(l.spanId), QLatin1String(l.traceState))
                       .arg(0x101);
            describeAttributes(out, QStringLiteral("    attr "), l.attributes);
        }
    }
    return out;
}

Attributes attributesOf(const Trace& trace, Range range)
{
    Attributes out;
    for (quint32 i = range.begin; i < range.end(); ++i)
        out.emplace_back(
            std::string(trace.string(trace.attributes[i].key)), AttributeValue::valueOf(trace, trace.attributes[i]));
    return out;
}

// The same lines as expectedTrace(), read from a cached trace. Zipkin tags come in no set order, so they are
// sorted; OTLP attributes keep the order the sender gave them.
QStringList actualTrace(const Trace& trace, Sender sender)
{
    QStringList out;
    for (const Span& s : trace.spans) {
        const std::string id = spanIdToHex(s.id);
        const std::string parent = s.parentId ? spanIdToHex(s.parentId) : std::string();
        out << spanLine(id.c_str(), parent.c_str(), trace.serviceName(s), s.kind, trace.operationName(s),
            s.startNs - kT0Ns, s.durationNs, s.status, trace.text(s.statusMessage), s.w3cFlags);
        if (s.problems != NoProblem)
            out << QStringLiteral("  problems %1").arg(s.problems);
        for (quint32 w = s.warnings.begin; w < s.warnings.end(); ++w)
            out << QStringLiteral("  warning ") + QString::fromUtf8(trace.text(trace.warnings[w]));
        if (!trace.text(s.traceState).empty())
            out << QStringLiteral("  tracestate ") + QString::fromUtf8(trace.text(s.traceState));
        Attributes attributes = attributesOf(trace, s.attributes);
        if (sender != Sender::OtelOtlp)
            std::sort(
                attributes.begin(), attributes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        describeAttributes(out, QStringLiteral("  attr "), attributes);
        if (s.scope != kNoIndex) {
            const Scope& scope = trace.scopes[s.scope];
            out << QStringLiteral("  scope %1 %2")
                       .arg(QString::fromUtf8(trace.string(scope.name)), QString::fromUtf8(trace.text(scope.version)));
            describeAttributes(out, QStringLiteral("    attr "), attributesOf(trace, scope.attributes));
        }
        if (s.resource != kNoIndex)
            describeAttributes(
                out, QStringLiteral("  resource "), attributesOf(trace, trace.resources[s.resource].attributes));
        for (quint32 e = s.events.begin; e < s.events.end(); ++e) {
            const Event& event = trace.events[e];
            out << QStringLiteral("  event %1 %2")
                       .arg(event.timeNs - kT0Ns)
                       .arg(QString::fromUtf8(trace.string(event.name)));
            describeAttributes(out, QStringLiteral("    attr "), attributesOf(trace, event.attributes));
        }
        for (quint32 l = s.links.begin; l < s.links.end(); ++l) {
            const Link& link = trace.links[l];
            out << QStringLiteral("  link %1 %2 state '%3' flags %4")
                       .arg(QString::fromStdString(link.traceId.toFullHex()),
                           QString::fromStdString(spanIdToHex(link.spanId)),
                           QString::fromUtf8(trace.text(link.traceState)))
                       .arg(link.flags);
            describeAttributes(out, QStringLiteral("    attr "), attributesOf(trace, link.attributes));
        }
    }
    return out;
}

// Compares line lists so that a failure names the first line that differs, not just "lists differ".
void compareLines(const QStringList& actual, const QStringList& expected)
{
    const QString none = QStringLiteral("(no more lines)");
    for (qsizetype i = 0; i < std::max(actual.size(), expected.size()); ++i)
        QCOMPARE(actual.value(i, none), expected.value(i, none));
}

} // namespace

class TestInterop : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        m_interopDir = QStringLiteral(TRACEMAP_INTEROP_DIR);
        QProcess help;
        help.start(QStringLiteral(TRACEMAP_BINARY), { QStringLiteral("serve"), QStringLiteral("--help") });
        QVERIFY(help.waitForFinished(20000));
        m_hasGrpc = help.readAllStandardOutput().contains("--otlp-grpc");
    }

    void realSender_data()
    {
        QTest::addColumn<QString>("exporter");
        QTest::addColumn<int>("sender");
        QTest::newRow("otlp-http-json") << QStringLiteral("otlp-http-json") << int(Sender::OtelOtlp);
        QTest::newRow("otlp-proto") << QStringLiteral("otlp-proto") << int(Sender::OtelOtlp);
        QTest::newRow("otlp-proto-gzip") << QStringLiteral("otlp-proto-gzip") << int(Sender::OtelOtlp);
        QTest::newRow("otlp-grpc") << QStringLiteral("otlp-grpc") << int(Sender::OtelOtlp);
        QTest::newRow("zipkin-otel") << QStringLiteral("zipkin-otel") << int(Sender::OtelZipkin);
        QTest::newRow("zipkin-js-v1") << QStringLiteral("zipkin-js-v1") << int(Sender::ZipkinJs);
        QTest::newRow("zipkin-js-v2") << QStringLiteral("zipkin-js-v2") << int(Sender::ZipkinJs);
    }

    void realSender()
    {
        QFETCH(QString, exporter);
        QFETCH(int, sender);
        if (const QByteArray missing = missingSenders(); !missing.isEmpty()) {
            // packaging/dev.sh test installs them and sets this, so that CI cannot pass by skipping.
            if (qEnvironmentVariableIsSet("TRACEMAP_REQUIRE_INTEROP"))
                QFAIL(missing.constData());
            QSKIP(missing.constData());
        }
        const bool grpc = exporter == QLatin1String("otlp-grpc");
        if (grpc && !m_hasGrpc)
            QSKIP("`tracemap serve --help` lists no --otlp-grpc: this build has no OTLP/gRPC receiver yet");

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cachePath = dir.filePath(QStringLiteral("interop.db"));
        QStringList args { QStringLiteral("serve"), QStringLiteral("--cache"), cachePath, QStringLiteral("--otlp-http"),
            QStringLiteral("127.0.0.1:0"), QStringLiteral("--zipkin"), QStringLiteral("127.0.0.1:0") };
        if (m_hasGrpc)
            args << QStringLiteral("--otlp-grpc") << (grpc ? QStringLiteral("127.0.0.1:0") : QStringLiteral("none"));
        QProcess serve;
        serve.start(QStringLiteral(TRACEMAP_BINARY), args);
        QVERIFY(serve.waitForStarted());
        // One ready line per endpoint: "tracemap serve: PROTOCOL ready on URL".
        const int endpoints = grpc ? 3 : 2;
        QByteArray ready;
        QTRY_VERIFY_WITH_TIMEOUT(
            (ready += serve.readAllStandardOutput()).count('\n') >= endpoints || serve.state() == QProcess::NotRunning,
            20000);
        QVERIFY2(ready.count('\n') >= endpoints, serve.readAllStandardError().constData());
        const QString url = endpointUrl(QString::fromUtf8(ready), exporter);
        QVERIFY2(!url.isEmpty(), ready.constData());

        QProcess node;
        node.setWorkingDirectory(m_interopDir);
        node.setProcessEnvironment(senderEnvironment());
        node.start(m_node, { QStringLiteral("send.mjs"), exporter, url });
        QVERIFY(node.waitForFinished(30000));
        const QByteArray nodeErrors = node.readAllStandardError();
        QVERIFY2(node.exitStatus() == QProcess::NormalExit && node.exitCode() == 0, nodeErrors.constData());

        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(20000));
        QCOMPARE(serve.exitCode(), 0);

        auto cache = TraceCache::open(cachePath, TraceCache::OpenMode::MustExist);
        QVERIFY2(cache, qPrintable(cache.error()));
        QCOMPARE((*cache)->traceCount(), 2);
        for (const char* traceId : { kTraceA, kTraceB }) {
            const auto id = traceIdFromHex(traceId);
            QVERIFY(id);
            auto trace = (*cache)->loadTrace(*id);
            QVERIFY2(trace, qPrintable(trace.error()));
            compareLines(actualTrace(**trace, Sender(sender)), expectedTrace(traceId, Sender(sender)));
            if (QTest::currentTestFailed())
                return;
        }
    }

private:
    // Why the senders cannot run here, or nothing.
    QByteArray missingSenders() const
    {
        if (m_node.isEmpty())
            return "node is not on PATH (sudo apt-get install nodejs npm), then: npm ci --prefix tests/interop";
        if (!QFileInfo::exists(m_interopDir + QLatin1String("/node_modules/zipkin-transport-http")))
            return "the senders are not installed: npm ci --prefix tests/interop (packaging/dev.sh test does it)";
        return {};
    }

    // The sender's URL for this exporter, from serve's ready lines.
    static QString endpointUrl(const QString& ready, const QString& exporter)
    {
        const QString protocol = exporter.startsWith(QLatin1String("otlp-grpc")) ? QStringLiteral("OTLP/gRPC")
            : exporter.startsWith(QLatin1String("otlp"))                         ? QStringLiteral("OTLP/HTTP")
                                                                                 : QStringLiteral("Zipkin");
        const auto match = QRegularExpression(
            QRegularExpression::escape(protocol) + QStringLiteral(R"( ready on (?:\w+://)?([^/\s]+)(\S*))"))
                               .match(ready);
        if (!match.hasMatch())
            return {};
        const QString hostPort = match.captured(1);
        if (protocol == QLatin1String("OTLP/gRPC"))
            return QStringLiteral("http://") + hostPort;
        if (exporter == QLatin1String("zipkin-js-v1"))
            return QStringLiteral("http://%1/api/v1/spans").arg(hostPort);
        return QStringLiteral("http://") + hostPort + match.captured(2);
    }

    // The SDK reads OTEL_* variables (endpoints, headers, limits); the ones of whoever runs the test must not count.
    static QProcessEnvironment senderEnvironment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString& key : env.keys()) {
            if (key.startsWith(QLatin1String("OTEL_")))
                env.remove(key);
        }
        return env;
    }

    QString m_node;
    QString m_interopDir;
    bool m_hasGrpc = false;
};

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
