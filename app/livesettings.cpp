#include "livesettings.h"

#include <QCoreApplication>
#include <QSettings>

namespace tracemap {

namespace {

QString key(const char* name)
{
    return QStringLiteral("live/") + QLatin1String(name);
}

} // namespace

LiveSettings LiveSettings::load()
{
    const LiveSettings defaults;
    const QSettings settings;
    LiveSettings s;
    s.address = settings.value(key("address"), defaults.address).toString();
    s.otlpHttpPort = settings.value(key("otlpHttpPort"), defaults.otlpHttpPort).toInt();
    s.otlpGrpcPort = settings.value(key("otlpGrpcPort"), defaults.otlpGrpcPort).toInt();
    s.zipkinPort = settings.value(key("zipkinPort"), defaults.zipkinPort).toInt();
    s.maxBodyBytes = settings.value(key("maxBodyBytes"), defaults.maxBodyBytes).toLongLong();
    s.token = settings.value(key("token"), defaults.token).toString();
    s.maxAgeMinutes = settings.value(key("maxAgeMinutes"), defaults.maxAgeMinutes).toInt();
    s.maxCacheMegabytes = settings.value(key("maxCacheMegabytes"), defaults.maxCacheMegabytes).toLongLong();
    return s;
}

void LiveSettings::save() const
{
    QSettings settings;
    settings.setValue(key("address"), address);
    settings.setValue(key("otlpHttpPort"), otlpHttpPort);
    settings.setValue(key("otlpGrpcPort"), otlpGrpcPort);
    settings.setValue(key("zipkinPort"), zipkinPort);
    settings.setValue(key("maxBodyBytes"), maxBodyBytes);
    settings.setValue(key("token"), token);
    settings.setValue(key("maxAgeMinutes"), maxAgeMinutes);
    settings.setValue(key("maxCacheMegabytes"), maxCacheMegabytes);
}

QString LiveSettings::problem() const
{
    const QHostAddress host(address.trimmed());
    if (host.isNull())
        return QCoreApplication::translate("LiveSettings", "'%1' is not an IP address.").arg(address);
    if (!host.isLoopback() && token.isEmpty())
        return QCoreApplication::translate("LiveSettings",
            "Listening on %1, which other machines can reach, needs an access token: senders then have to send "
            "'Authorization: Bearer <token>'. Set a token or listen on 127.0.0.1.")
            .arg(host.toString());
    for (const int port : { otlpHttpPort, otlpGrpcPort, zipkinPort }) {
        if (port < 0 || port > 65535)
            return QCoreApplication::translate("LiveSettings", "%1 is not a port number.").arg(port);
    }
    if (maxBodyBytes <= 0)
        return QCoreApplication::translate("LiveSettings", "The largest request body must be more than 0 bytes.");
    return QString();
}

std::expected<LiveService::Options, QString> LiveSettings::toOptions(const QString& cachePath) const
{
    if (const QString why = problem(); !why.isEmpty())
        return std::unexpected(why);
    const QHostAddress host(address.trimmed());
    LiveService::Options options;
    options.cachePath = cachePath;
    options.otlpHttp = LiveService::Endpoint { host, static_cast<quint16>(otlpHttpPort) };
    options.zipkin = LiveService::Endpoint { host, static_cast<quint16>(zipkinPort) };
    options.otlpGrpc = LiveService::Endpoint { host, static_cast<quint16>(otlpGrpcPort) };
    options.maxBodyBytes = static_cast<size_t>(maxBodyBytes);
    options.token = token.toUtf8();
    if (maxAgeMinutes > 0)
        options.writer.retention.maxAgeNs = qint64(maxAgeMinutes) * 60 * 1000000000;
    if (maxCacheMegabytes > 0)
        options.writer.retention.maxBytes = maxCacheMegabytes * 1000000;
    return options;
}

} // namespace tracemap
