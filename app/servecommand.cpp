#include "servecommand.h"

#include "commandline.h"
#include "live/liveservice.h"
#include "model/tracequery.h"

#include <QCommandLineParser>

#include <chrono>
#include <csignal>
#include <ctime>

namespace tracemap {

using namespace commandline;

namespace {

constexpr int kDefaultSummarySeconds = 5;

// An endpoint option: "ADDR:PORT" ("0.0.0.0:4318", "[::1]:4318"), a bare port ("4318" or ":4318", on the --listen
// address) or "none". An error message when it is none of these.
std::expected<std::optional<LiveService::Endpoint>, QString> parseEndpoint(
    const QString& option, const QString& text, const QHostAddress& listen)
{
    if (text == QLatin1String("none"))
        return std::nullopt;
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint port = text.mid(colon + 1).toUInt(&portOk);
    QString host = colon < 0 ? QString() : text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address = host.isEmpty() ? listen : QHostAddress(host);
    if (!portOk || port > 65535 || address.isNull())
        return std::unexpected(
            QStringLiteral("--%1 wants ADDRESS:PORT (e.g. 127.0.0.1:4318), a port, or none, not '%2'")
                .arg(option, text));
    return LiveService::Endpoint { address, static_cast<quint16>(port) };
}

// "500MB", "2GB", "1.5GiB", "1000000": bytes, with decimal (KB, MB, GB, TB) or binary (KiB, ...) units.
std::optional<qint64> parseByteSize(const QString& text)
{
    static const std::pair<QLatin1String, double> units[] = {
        { QLatin1String("KiB"), 1024.0 },
        { QLatin1String("MiB"), 1024.0 * 1024 },
        { QLatin1String("GiB"), 1024.0 * 1024 * 1024 },
        { QLatin1String("TiB"), 1024.0 * 1024 * 1024 * 1024 },
        { QLatin1String("KB"), 1e3 },
        { QLatin1String("MB"), 1e6 },
        { QLatin1String("GB"), 1e9 },
        { QLatin1String("TB"), 1e12 },
        { QLatin1String("B"), 1.0 },
    };
    const QString t = text.trimmed();
    double factor = 1.0;
    qsizetype digits = t.size();
    for (const auto& [unit, size] : units) {
        if (t.endsWith(unit, Qt::CaseInsensitive)) {
            factor = size;
            digits -= unit.size();
            break;
        }
    }
    bool ok = false;
    const double value = t.left(digits).trimmed().toDouble(&ok) * factor;
    if (!ok || value < 1 || value > 9e18)
        return std::nullopt;
    return static_cast<qint64>(value);
}

// One summary line; `rate` is the committed spans per second over the period it covers.
void printCounters(const char* when, const IngestCounters& c, double rate)
{
    err() << "tracemap serve: " << when << c.received << " spans received, " << c.committed << " committed in "
          << c.batches << " batches, " << c.refused << " refused (queue full), " << c.rejected
          << " rejected (invalid), " << c.deletedTraces << " old traces deleted (retention), " << qRound64(rate)
          << " spans/s\n";
    err().flush();
}

double perSecond(qint64 spans, std::chrono::steady_clock::duration elapsed)
{
    const double seconds = std::chrono::duration<double>(elapsed).count();
    return seconds > 0 ? static_cast<double>(spans) / seconds : 0.0;
}

} // namespace

int ServeCommand::run(const QStringList& args)
{
    const QCommandLineOption listen(QStringList { QStringLiteral("listen") },
        QStringLiteral("The address every endpoint binds to unless its own option names one (default: 127.0.0.1). "
                       "Any other than loopback (e.g. 0.0.0.0) needs --token."),
        QStringLiteral("addr"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption otlpHttp(QStringList { QStringLiteral("otlp-http") },
        QStringLiteral("Where to receive OTLP/HTTP (POST /v1/traces): ADDR:PORT, a port on the --listen address, or "
                       "none (default: port 4318)."),
        QStringLiteral("addr:port"), QStringLiteral("4318"));
    const QCommandLineOption otlpGrpc(QStringList { QStringLiteral("otlp-grpc") },
        QStringLiteral("Where to receive OTLP/gRPC (TraceService/Export): ADDR:PORT, a port on the --listen address, "
                       "or none (default: port 4317)."),
        QStringLiteral("addr:port"), QStringLiteral("4317"));
    const QCommandLineOption zipkin(QStringList { QStringLiteral("zipkin") },
        QStringLiteral("Where to receive Zipkin spans (POST /api/v2/spans as JSON or proto3, /api/v1/spans as JSON): "
                       "ADDR:PORT, a port on the --listen address, or none (default: port 9411)."),
        QStringLiteral("addr:port"), QStringLiteral("9411"));
    const QCommandLineOption maxBody(QStringList { QStringLiteral("max-body-bytes") },
        QStringLiteral("Largest request body or gRPC message, once inflated; larger ones get 413 or "
                       "RESOURCE_EXHAUSTED (default: 64 MiB)."),
        QStringLiteral("n"));
    const QCommandLineOption token(QStringList { QStringLiteral("token") },
        QStringLiteral("Require 'Authorization: Bearer T' on every request (401 or UNAUTHENTICATED without). "
                       "Needed to listen on an address other than loopback."),
        QStringLiteral("T"));
    const QCommandLineOption tlsCert(QStringList { QStringLiteral("tls-cert") },
        QStringLiteral("Serve TLS (HTTPS, and gRPC over TLS) with this PEM certificate (chain); needs --tls-key."),
        QStringLiteral("F"));
    const QCommandLineOption tlsKey(QStringList { QStringLiteral("tls-key") },
        QStringLiteral("The PEM private key of --tls-cert."), QStringLiteral("F"));
    const QCommandLineOption maxAge(QStringList { QStringLiteral("max-age") },
        QStringLiteral("Delete traces that started longer ago than D (e.g. 30m, 2h, 7d), checked every few seconds."),
        QStringLiteral("D"));
    const QCommandLineOption maxCacheSize(QStringList { QStringLiteral("max-cache-size") },
        QStringLiteral("Delete the oldest traces while the cache's used pages exceed N bytes (e.g. 500MB, 2GB, "
                       "1GiB). The file does not shrink: freed pages are reused, so it stops growing near N."),
        QStringLiteral("N"));
    const QCommandLineOption summaryInterval(QStringList { QStringLiteral("summary-interval") },
        QStringLiteral("Seconds between two summaries on stderr (default: %1).").arg(kDefaultSummarySeconds),
        QStringLiteral("s"), QString::number(kDefaultSummarySeconds));
    QCommandLineParser parser;
    parser.addOptions({ cacheOption, listen, otlpHttp, otlpGrpc, zipkin, maxBody, token, tlsCert, tlsKey, maxAge,
        maxCacheSize, summaryInterval });
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral(
                "Receives spans from OpenTelemetry SDKs and collectors (OTLP/HTTP, protobuf or JSON, and OTLP/gRPC) "
                "and from Zipkin senders, and stores them in the cache: a request is answered only once its "
                "spans are committed. When the queue is full, senders are told to retry (503, or UNAVAILABLE "
                "with RetryInfo). Prints a "
                "line per endpoint when ready, a summary every %1 s on stderr (spans received, committed, "
                "refused, rejected, and committed per second), and stops on SIGINT or SIGTERM after "
                "committing what it received, with a last summary (per second: over the whole run).\n\nLimits: a body "
                "over 64 MiB once inflated gets "
                "413 (RESOURCE_EXHAUSTED over gRPC); invalid UTF-8, too deep nesting or a malformed body gets 400 and "
                "stores nothing; "
                "attribute keys and values, names and status messages over 64 KiB are cut to 64 KiB and "
                "attributes past 10,000 per span are dropped, each with a warning on the span (OTLP "
                "reports them in partial_success).")
                .arg(kDefaultSummarySeconds),
            exitCode))
        return exitCode;

    LiveService::Options options;
    options.cachePath = parser.isSet(cacheOption) ? parser.value(cacheOption) : TraceCache::defaultPath();
    const QHostAddress listenAddress(parser.value(listen));
    if (listenAddress.isNull()) {
        err() << "tracemap serve: --listen wants an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::), not '"
              << parser.value(listen) << "'\n";
        return 2;
    }
    const auto otlpEndpoint = parseEndpoint(QStringLiteral("otlp-http"), parser.value(otlpHttp), listenAddress);
    const auto grpcEndpoint = parseEndpoint(QStringLiteral("otlp-grpc"), parser.value(otlpGrpc), listenAddress);
    const auto zipkinEndpoint = parseEndpoint(QStringLiteral("zipkin"), parser.value(zipkin), listenAddress);
    for (const auto& endpoint : { otlpEndpoint, grpcEndpoint, zipkinEndpoint }) {
        if (!endpoint) {
            err() << "tracemap serve: " << endpoint.error() << "\n";
            return 2;
        }
    }
    options.otlpHttp = *otlpEndpoint;
    options.otlpGrpc = *grpcEndpoint;
    options.zipkin = *zipkinEndpoint;
    if (!options.otlpHttp && !options.otlpGrpc && !options.zipkin) {
        err() << "tracemap serve: every endpoint is none: nothing to receive\n";
        return 2;
    }
    if (parser.isSet(maxBody)) {
        bool ok = false;
        options.maxBodyBytes = parser.value(maxBody).toULongLong(&ok);
        if (!ok || options.maxBodyBytes == 0) {
            err() << "tracemap serve: --max-body-bytes wants a positive number of bytes\n";
            return 2;
        }
    }
    options.token = parser.value(token).toUtf8();
    options.tlsCertPath = parser.value(tlsCert);
    options.tlsKeyPath = parser.value(tlsKey);
    if (options.tlsCertPath.isEmpty() != options.tlsKeyPath.isEmpty()) {
        err() << "tracemap serve: --tls-cert and --tls-key go together: give both or neither\n";
        return 2;
    }
    bool intervalOk = false;
    const int summarySeconds = parser.value(summaryInterval).toInt(&intervalOk);
    if (!intervalOk || summarySeconds < 1) {
        err() << "tracemap serve: --summary-interval wants a whole number of seconds, at least 1\n";
        return 2;
    }
    if (parser.isSet(maxAge)) {
        const auto ns = parseDuration(parser.value(maxAge));
        if (!ns || *ns <= 0) {
            err() << "tracemap serve: --max-age wants a duration like 30m, 2h or 7d, not '" << parser.value(maxAge)
                  << "'\n";
            return 2;
        }
        options.writer.retention.maxAgeNs = *ns;
    }
    if (parser.isSet(maxCacheSize)) {
        const auto bytes = parseByteSize(parser.value(maxCacheSize));
        if (!bytes) {
            err() << "tracemap serve: --max-cache-size wants a size like 500MB or 2GB, not '"
                  << parser.value(maxCacheSize) << "'\n";
            return 2;
        }
        options.writer.retention.maxBytes = *bytes;
    }

    // Signals are taken by sigtimedwait below, not by a handler: block them before any thread starts, so every
    // thread inherits the mask and only this one ever sees them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    LiveService service;
    if (auto started = service.start(options); !started) {
        err() << "tracemap serve: " << started.error() << "\n";
        return 1;
    }
    for (const auto& endpoint : service.listening())
        out() << "tracemap serve: " << endpoint.protocol << " ready on " << endpoint.url << "\n";
    out().flush();

    const auto started = std::chrono::steady_clock::now();
    auto last = started;
    qint64 lastCommitted = 0;
    const timespec interval { summarySeconds, 0 };
    for (;;) {
        const int signal = sigtimedwait(&stopSignals, nullptr, &interval);
        if (signal == SIGINT || signal == SIGTERM)
            break;
        const IngestCounters counters = service.counters();
        const auto now = std::chrono::steady_clock::now();
        printCounters("", counters, perSecond(counters.committed - lastCommitted, now - last));
        last = now;
        lastCommitted = counters.committed;
    }
    err() << "tracemap serve: stopping\n";
    service.stop();
    const IngestCounters counters = service.counters();
    printCounters("stopped: ", counters, perSecond(counters.committed, std::chrono::steady_clock::now() - started));
    return 0;
}

} // namespace tracemap
