#include "remote/endpoint.h"

namespace tracemap::remote {

QString backendKindName(BackendKind kind)
{
    switch (kind) {
    case BackendKind::Jaeger:
        return QStringLiteral("jaeger");
    case BackendKind::Tempo:
        return QStringLiteral("tempo");
    case BackendKind::Zipkin:
        return QStringLiteral("zipkin");
    }
    return {};
}

QString backendDisplayName(BackendKind kind)
{
    switch (kind) {
    case BackendKind::Jaeger:
        return QStringLiteral("Jaeger");
    case BackendKind::Tempo:
        return QStringLiteral("Grafana Tempo");
    case BackendKind::Zipkin:
        return QStringLiteral("Zipkin");
    }
    return {};
}

std::optional<BackendKind> backendKindFromName(const QString& name)
{
    for (BackendKind kind : { BackendKind::Jaeger, BackendKind::Tempo, BackendKind::Zipkin })
        if (name.compare(backendKindName(kind), Qt::CaseInsensitive) == 0)
            return kind;
    return std::nullopt;
}

std::optional<BackendKind> guessBackendKind(const QUrl& url)
{
    // The name in the host or path first ("tempo.example", "https://proxy/jaeger"): a proxy hides the port.
    const QString where = (url.host() + url.path()).toLower();
    for (BackendKind kind : { BackendKind::Jaeger, BackendKind::Tempo, BackendKind::Zipkin })
        if (where.contains(backendKindName(kind)))
            return kind;
    switch (url.port()) {
    case 16686:
        return BackendKind::Jaeger;
    case 3200:
        return BackendKind::Tempo;
    case 9411:
        return BackendKind::Zipkin;
    default:
        return std::nullopt;
    }
}

std::optional<std::pair<QByteArray, QByteArray>> parseHeader(const QString& text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    const QByteArray name = text.left(colon).trimmed().toUtf8();
    if (name.isEmpty() || name.contains(' '))
        return std::nullopt;
    return std::pair { name, text.mid(colon + 1).trimmed().toUtf8() };
}

} // namespace tracemap::remote
