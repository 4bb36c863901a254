#pragma once

#include "live/liveservice.h"

#include <QString>

#include <expected>

namespace tracemap {

/// What the window's Live control listens on and keeps, as the user set it in Live Settings. Stored in QSettings
/// under "live/"; a change applies on the next start. Ports of 0 take any free port (tests, screenshots).
struct LiveSettings {
    QString address = QStringLiteral("127.0.0.1");
    int otlpHttpPort = 4318;
    // The OTLP/gRPC receiver is not in LiveService::Options yet: the port is kept so that the setting is ready for
    // it. When `otlpGrpc` is added, toOptions() fills it (see there).
    int otlpGrpcPort = 4317;
    int zipkinPort = 9411;
    qint64 maxBodyBytes = qint64(64) << 20;
    QString token;
    int maxAgeMinutes = 0; // 0: no age limit
    qint64 maxCacheMegabytes = 0; // 0: no size limit

    bool operator==(const LiveSettings&) const = default;

    /// The settings saved last, or the defaults.
    static LiveSettings load();
    void save() const;

    /// Why these settings cannot be used (an address that is not one, another than loopback without a token), or
    /// an empty string.
    QString problem() const;
    /// The service options for a start on `cachePath`, or problem().
    std::expected<LiveService::Options, QString> toOptions(const QString& cachePath) const;
};

} // namespace tracemap
