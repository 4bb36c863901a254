#pragma once

#include "cache/tracecache.h"
#include "monitor/monitorscope.h"

#include <QCommandLineOption>
#include <QTemporaryDir>

#include <memory>
#include <optional>

class QCommandLineParser;

namespace tracemap {

/// The options of the monitoring subcommands (anomalies, explain, stats --by-time): the scope (--service,
/// --operation, --all-kinds, --since, --until, --tag), and where the spans come from: FILE arguments, imported into
/// a temporary cache, or the --cache.
class MonitorOptions {
public:
    explicit MonitorOptions(QString command);
    void addTo(QCommandLineParser& parser) const;

    /// The scope from the options; prints the error and returns nullopt for a bad time.
    std::optional<MonitorScope> scope(const QCommandLineParser& parser) const;
    /// True when any scope option was given (stats takes them only with --by-time).
    bool hasScope(const QCommandLineParser& parser) const;
    /// A bucket width option's value: whole minutes ("1m", "5m", "1h"); prints the error and returns nullopt.
    std::optional<qint64> step(const QCommandLineParser& parser, const QCommandLineOption& option) const;
    /// The files imported into a temporary cache, or the --cache (which must exist); prints errors, returns null.
    std::unique_ptr<TraceCache> openCache(const QCommandLineParser& parser);

private:
    QString m_command;
    QCommandLineOption m_service;
    QCommandLineOption m_operation;
    QCommandLineOption m_allKinds;
    QCommandLineOption m_tag;
    QCommandLineOption m_since;
    QCommandLineOption m_until;
    std::unique_ptr<QTemporaryDir> m_temporary; // the files' cache lives as long as this object
};

} // namespace tracemap
