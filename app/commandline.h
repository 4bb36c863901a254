#pragma once

#include <QStringList>

class QCommandLineParser;

namespace tracemap {

/// The headless subcommands (import, search, stats, generate). Each parses its own options, prints to stdout,
/// reports failures on stderr, and returns the process exit code. Runs without a display.
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

private:
    static int runImport(const QStringList& args);
    static int runSearch(const QStringList& args);
    static int runStats(const QStringList& args);
    static int runGenerate(const QStringList& args);
};

} // namespace tracemap
