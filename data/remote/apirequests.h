#pragma once

#include "remote/remotesearch.h"

#include <QUrl>

#include <optional>

namespace tracemap::remote {

/// The requests of the three query APIs, built from a search as PROTOCOLS.md documents them (§3 Zipkin, §4 Jaeger,
/// §5 Tempo), each on a base URL that may carry a path prefix (a reverse proxy's "https://host/jaeger"). Pure
/// functions: the HTTP clients send them, and tests compare them with what each server expects.
namespace jaeger {
/// api_v3 (stable): JSON bodies, OTLP JSON traces in a {"result": …} envelope.
QUrl servicesV3(const QUrl& base);
QUrl operationsV3(const QUrl& base, const QString& service);
QUrl searchV3(const QUrl& base, const RemoteSearch& search);
QUrl traceSummariesV3(const QUrl& base, const RemoteSearch& search);
QUrl traceV3(const QUrl& base, const QString& traceId);
/// The internal /api endpoints (Jaeger UI JSON), which servers after v2.20 dropped for search: the fallback order
/// is api_v3 first, these on a 404.
QUrl servicesLegacy(const QUrl& base);
QUrl operationsLegacy(const QUrl& base, const QString& service);
QUrl searchLegacy(const QUrl& base, const RemoteSearch& search);
QUrl traceLegacy(const QUrl& base, const QString& traceId);
/// Dependency links over [untilNs - lookbackNs, untilNs] (the API takes milliseconds).
QUrl dependencies(const QUrl& base, qint64 untilNs, qint64 lookbackNs);
} // namespace jaeger

namespace tempo {
/// TraceQL (`q`) when the search has it, else logfmt `tags` from service, operation and tags; epoch seconds.
QUrl search(const QUrl& base, const RemoteSearch& search);
QUrl trace(const QUrl& base, const QString& traceId);
QUrl traceV2(const QUrl& base, const QString& traceId);
QUrl tagNames(const QUrl& base, const QString& scope);
/// The values of a scoped tag ("resource.service.name"), narrowed by a TraceQL query when one is given.
QUrl tagValues(const QUrl& base, const QString& scopedTag, const QString& traceQl = {});
QUrl echo(const QUrl& base);
/// Search results carry trace ids with their leading zeros removed: back to 16 or 32 hex digits; nullopt for
/// anything that is not hex or is longer than 32.
std::optional<QString> padTraceId(const QString& id);
} // namespace tempo

namespace zipkin {
QUrl services(const QUrl& base);
QUrl spanNames(const QUrl& base, const QString& service);
QUrl remoteServices(const QUrl& base, const QString& service);
/// Durations in microseconds, endTs and lookback in milliseconds; tags as an annotationQuery ("k=v and k2=v2").
QUrl traces(const QUrl& base, const RemoteSearch& search);
QUrl trace(const QUrl& base, const QString& traceId);
/// Needs two ids or more (the server answers 400 otherwise): nullopt for fewer.
std::optional<QUrl> traceMany(const QUrl& base, const QStringList& traceIds);
QUrl dependencies(const QUrl& base, qint64 untilNs, qint64 lookbackNs);
QUrl autocompleteKeys(const QUrl& base);
QUrl autocompleteValues(const QUrl& base, const QString& key);
} // namespace zipkin

} // namespace tracemap::remote
