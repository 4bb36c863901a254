#pragma once

#include "cache/tracecache.h"

#include <QCommandLineOption>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <string>

class QCommandLineParser;

namespace tracemap {

/// What the subcommands share: the output streams, the common options, the cache and the way names and times print.
namespace commandline {

QTextStream& out();
QTextStream& err();
/// --cache and --json, described once for the subcommands that take them.
extern const QCommandLineOption cacheOption;
extern const QCommandLineOption jsonOption;
/// The --cache path, or the default one.
QString cachePath(const QCommandLineParser& parser);
/// The --cache (or default) cache; commands that only read pass MustExist. Prints the error and returns null; for a
/// damaged cache, also the command that moves it aside (`tracemap import --move-damaged-cache`).
std::unique_ptr<TraceCache> openCache(const QCommandLineParser& parser, TraceCache::OpenMode mode);
/// What to tell the user about a damaged cache at `path`: how to move it aside and start a new one.
QString damagedCacheHint(const QString& path);
/// A name as one line of a table: control characters (a hostile "\n" operation) shown escaped.
QString printable(const std::string& name);
/// Nanoseconds since the epoch as ISO 8601 UTC with milliseconds.
QString isoTime(qint64 ns);

} // namespace commandline

/// The headless subcommands (import, search, stats, generate), one class and file each (importcommand.cpp, …),
/// and the option parsing every subcommand, topology and screenshot included, goes through. Each subcommand parses
/// its own options, prints to stdout, reports failures on stderr, and returns the process exit code. Runs without a
/// display.
class CommandLine {
public:
    static bool isSubcommand(const QString& word);
    /// args as QCoreApplication::arguments(): program name, subcommand, options.
    static int run(const QStringList& args);
    /// The parser's help with the usage line as typed: "tracemap COMMAND [options] …".
    static QString helpText(const QCommandLineParser& parser, const QString& command = QString());
    /// Parses a subcommand's options (adding -h/--help). False when the caller should return `exitCode` at once:
    /// help was printed (0) or the options were wrong (2, with a message).
    static bool parseOptions(
        QCommandLineParser& parser, const QStringList& args, const QString& description, int& exitCode);
};

} // namespace tracemap
