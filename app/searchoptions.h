#pragma once

#include "model/tracequery.h"

#include <QCommandLineOption>

class QCommandLineParser;

namespace tracemap {

/// The search options `tracemap search` and `tracemap pull` share (service, operation, tags, durations, times,
/// limit), described and read in one place.
class SearchOptions {
public:
    explicit SearchOptions(const QString& limitHelp = QStringLiteral("At most N traces (default 20)."));
    void addTo(QCommandLineParser& parser) const;
    /// Reads them into `query` (ages such as --since 2h against `nowNs`, by default the clock's now). On a bad
    /// value, prints why, naming `command`, and returns false: the caller exits with 2.
    bool read(const QCommandLineParser& parser, const QString& command, TraceQuery& query, qint64 nowNs = 0) const;

    const QCommandLineOption service;
    const QCommandLineOption operation;
    const QCommandLineOption tag;
    const QCommandLineOption minDuration;
    const QCommandLineOption maxDuration;
    const QCommandLineOption since;
    const QCommandLineOption until;
    const QCommandLineOption limit;
};

} // namespace tracemap
