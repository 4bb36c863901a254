#include "pullcommand.h"

#include "commandline.h"
#include "remote/remotepull.h"
#include "searchoptions.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>

namespace tracemap {

using namespace commandline;
using namespace tracemap::remote;

namespace {

constexpr qint64 kDefaultWindowNs = 3600LL * 1'000'000'000; // the last hour, as Jaeger UI and Grafana search

} // namespace

int PullCommand::run(const QStringList& args)
{
    QCommandLineParser parser;
    const SearchOptions search;
    const QCommandLineOption query(QStringLiteral("query"),
        QStringLiteral("Tempo: a TraceQL query, e.g. '{ status = error }' (instead of --service, --operation, --tag)."),
        QStringLiteral("TRACEQL"));
    const QCommandLineOption trace(QStringLiteral("trace"),
        QStringLiteral("Fetch this trace by id instead of searching; repeat for several."), QStringLiteral("ID"));
    const QCommandLineOption header(QStringLiteral("header"),
        QStringLiteral("An HTTP header every request carries, e.g. \"Authorization: Bearer …\" or "
                       "\"X-Scope-OrgID: team-a\"; repeat for several."),
        QStringLiteral("K: V"));
    const QCommandLineOption caFile(QStringLiteral("ca-file"),
        QStringLiteral("Trust the certificate authority in this PEM file (besides the system's)."),
        QStringLiteral("F"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
        QStringLiteral("Give up on a server silent for this long (default 30s)."), QStringLiteral("D"),
        QStringLiteral("30s"));
    search.addTo(parser);
    parser.addOptions({ query, trace, header, caFile, timeout, cacheOption });
    parser.addPositionalArgument(QStringLiteral("KIND"),
        QStringLiteral("jaeger, tempo or zipkin (auto: find out by probing the URL)."), QStringLiteral("KIND"));
    parser.addPositionalArgument(QStringLiteral("URL"),
        QStringLiteral("The back end's query address, with any path prefix: http://localhost:16686, "
                       "https://tempo.example/tempo."),
        QStringLiteral("URL"));
    int exitCode = 0;
    if (!CommandLine::parseOptions(parser, args,
            QStringLiteral("Fetch traces from Jaeger, Grafana Tempo or Zipkin into the cache (created if missing): the "
                           "traces a search finds in the last hour unless --since says otherwise, or those named by "
                           "--trace. All or nothing: on any failure the cache is left as it was."),
            exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2) {
        err() << "tracemap pull: expected KIND and URL, e.g. tracemap pull jaeger http://localhost:16686\n";
        return 2;
    }
    const QString kindName = positional.at(0);
    const auto kind = backendKindFromName(kindName);
    if (!kind && kindName != QLatin1String("auto")) {
        err() << "tracemap pull: unknown back end '" << kindName << "' (jaeger, tempo, zipkin or auto)\n";
        return 2;
    }
    Endpoint endpoint;
    endpoint.baseUrl = QUrl(positional.at(1), QUrl::StrictMode);
    if (!endpoint.baseUrl.isValid() || endpoint.baseUrl.host().isEmpty()
        || (endpoint.baseUrl.scheme() != QLatin1String("http")
            && endpoint.baseUrl.scheme() != QLatin1String("https"))) {
        err() << "tracemap pull: '" << positional.at(1) << "' is not an http or https URL\n";
        return 2;
    }
    for (const QString& text : parser.values(header)) {
        const auto pair = parseHeader(text);
        if (!pair) {
            err() << "tracemap pull: --header expects \"Name: value\", got '" << text << "'\n";
            return 2;
        }
        endpoint.headers.push_back(*pair);
    }
    if (parser.isSet(caFile)) {
        endpoint.caFile = parser.value(caFile);
        if (!QFileInfo(endpoint.caFile).isReadable()) {
            err() << "tracemap pull: --ca-file: cannot read " << endpoint.caFile << "\n";
            return 2;
        }
    }
    const auto silence = parseDuration(parser.value(timeout));
    if (!silence || *silence <= 0) {
        err() << "tracemap pull: --timeout expects a duration such as 30s, got '" << parser.value(timeout) << "'\n";
        return 2;
    }
    endpoint.timeoutMs = int(std::clamp<qint64>(*silence / 1'000'000, 1, 24 * 3600 * 1000));

    // One now for --since and the end of the window: "--since 2h" asks for exactly two hours.
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    TraceQuery form;
    if (!search.read(parser, QStringLiteral("pull"), form, nowNs))
        return 2;
    if (form.limit == 0) {
        err() << "tracemap pull: --limit must be 1 or more (a back end always returns a bounded list)\n";
        return 2;
    }
    PullRequest request;
    request.search = remoteSearchOf(form, parser.value(query), nowNs, kDefaultWindowNs);
    const RemoteSearch& s = request.search;
    if (!s.traceQl.isEmpty() && kind && *kind != BackendKind::Tempo) {
        err() << "tracemap pull: --query (TraceQL) is for Tempo; " << kindName << " takes --service, --operation and "
              << "--tag\n";
        return 2;
    }
    for (const QString& text : parser.values(trace)) {
        const auto ids = parseTraceIdList(text);
        if (!ids || ids->empty()) {
            err() << "tracemap pull: --trace: " << (ids ? QStringLiteral("no id given") : ids.error()) << "\n";
            return 2;
        }
        for (const TraceId& id : *ids)
            request.traceIds << QString::fromStdString(id.toHex());
    }

    BackendKind chosen = kind.value_or(BackendKind::Jaeger);
    if (!kind) {
        auto detected = RemoteClient::detect(endpoint, nullptr);
        if (!detected) {
            err() << "tracemap pull: " << detected.error().message << "\n";
            return 1;
        }
        chosen = *detected;
    }
    // A pull that fails leaves no new, empty cache behind: a cache it had to create goes again.
    const QString cachePath = parser.isSet(cacheOption) ? parser.value(cacheOption) : TraceCache::defaultPath();
    const bool existed = QFileInfo::exists(cachePath);
    auto cache = openCache(parser, TraceCache::OpenMode::CreateIfMissing);
    if (!cache)
        return 1;
    auto client = RemoteClient::create(chosen, endpoint);
    const auto pulled = RemotePull::pull(*client, *cache, request);
    if (!pulled) {
        err() << "tracemap pull: " << pulled.error() << "\n";
        if (!existed) {
            cache.reset();
            for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
                QFile::remove(cachePath + suffix);
        }
        return 1;
    }
    const QString from = pulled->traces
        ? pulled->file
        : backendKindName(chosen) + QLatin1Char(' ') + HttpFetcher::shown(endpoint.baseUrl);
    out() << "pulled " << pulled->traces << (pulled->traces == 1 ? " trace, " : " traces, ") << pulled->spans
          << (pulled->spans == 1 ? " span" : " spans") << " from " << from;
    if (pulled->warnings)
        out() << " (" << pulled->warnings << (pulled->warnings == 1 ? " span" : " spans") << " with warnings)";
    out() << "\n";
    for (const QString& note : pulled->notes)
        err() << "tracemap pull: " << note << "\n";
    return 0;
}

} // namespace tracemap
