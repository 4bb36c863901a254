#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>
#include <utility>
#include <vector>

namespace tracemap::remote {

/// The three query APIs Tracemap speaks.
enum class BackendKind { Jaeger, Tempo, Zipkin };

QString backendKindName(BackendKind kind); // "jaeger", "tempo", "zipkin"
QString backendDisplayName(BackendKind kind); // "Jaeger", "Grafana Tempo", "Zipkin"
std::optional<BackendKind> backendKindFromName(const QString& name);
/// A guess from the URL alone (the name in the host or path, or the default ports 16686, 3200 and 9411), which
/// "Test connection" then confirms by probing; nullopt when nothing hints.
std::optional<BackendKind> guessBackendKind(const QUrl& url);

/// Where a back end answers and how to reach it: its base URL (which may carry a reverse proxy's path prefix,
/// "https://host/tempo"), the headers every request carries (Authorization, X-Scope-OrgID for a multi-tenant
/// Tempo), a CA file to trust besides the system's, and how long a silent server is waited for.
struct Endpoint {
    QUrl baseUrl;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    QString caFile; // PEM; empty: the system CA store only
    int timeoutMs = 30000; // no byte received for this long: the request fails

    bool operator==(const Endpoint&) const = default;
};

/// "Name: value" into a header pair; nullopt without a colon or with an empty name.
std::optional<std::pair<QByteArray, QByteArray>> parseHeader(const QString& text);

} // namespace tracemap::remote
