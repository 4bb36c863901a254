#pragma once

#include <QStringList>

namespace tracemap {

/// The headless subcommands (import, search, stats, generate). Each parses its own options, prints to stdout,
/// reports failures on stderr, and returns the process exit code. Runs without a display.
class CommandLine {
public:
    static bool isSubcommand(const QString& word);
    /// args as QCoreApplication::arguments(): program name, subcommand, options.
    static int run(const QStringList& args);

private:
    static int runImport(const QStringList& args);
    static int runSearch(const QStringList& args);
    static int runStats(const QStringList& args);
    static int runGenerate(const QStringList& args);
};

} // namespace tracemap
