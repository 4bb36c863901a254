#include "commandline.h"

#include "anomaliescommand.h"
#include "explaincommand.h"
#include "generatecommand.h"
#include "importcommand.h"
#include "pullcommand.h"
#include "searchcommand.h"
#include "servecommand.h"
#include "statscommand.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>

namespace tracemap {

namespace commandline {

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

const QCommandLineOption cacheOption(QStringList { QStringLiteral("cache") },
    QStringLiteral("The cache file (default: %1).").arg(TraceCache::defaultPath()), QStringLiteral("path"));
const QCommandLineOption jsonOption(QStringList { QStringLiteral("json") }, QStringLiteral("Print JSON."));

QString cachePath(const QCommandLineParser& parser)
{
    return parser.isSet(cacheOption) ? parser.value(cacheOption) : TraceCache::defaultPath();
}

QString damagedCacheHint(const QString& path)
{
    // Quoted for a POSIX shell, so that the line can be copied as it is.
    QString quoted = path;
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./+:@%=,-]+$"));
    if (!plain.match(path).hasMatch())
        quoted
            = QLatin1Char('\'') + QString(path).replace(QLatin1Char('\''), QStringLiteral("'\\''")) + QLatin1Char('\'');
    return QStringLiteral("To keep it as %1.damaged-DATE-TIME and start a new, empty cache, run:\n"
                          "  tracemap import --move-damaged-cache --cache %2")
        .arg(path, quoted);
}

std::unique_ptr<TraceCache> openCache(const QCommandLineParser& parser, TraceCache::OpenMode mode)
{
    const QString path = cachePath(parser);
    auto cache = TraceCache::openChecked(path, mode);
    if (!cache) {
        err() << "tracemap: " << cache.error().message << "\n";
        if (cache.error().damaged)
            err() << damagedCacheHint(path) << "\n";
        err().flush();
        return nullptr;
    }
    return std::move(*cache);
}

QString printable(const std::string& name)
{
    QString out;
    for (const QChar c : QString::fromStdString(name)) {
        if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else if (c == QLatin1Char('\t'))
            out += QStringLiteral("\\t");
        else if (c.category() == QChar::Other_Control)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString isoTime(qint64 ns)
{
    return QDateTime::fromMSecsSinceEpoch(ns / 1000000, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace commandline

using namespace commandline;

namespace {

// The headless subcommands by name: a new one adds its file and a line here.
struct Subcommand {
    QLatin1String name;
    int (*run)(const QStringList& args);
};
const Subcommand subcommands[] = {
    { QLatin1String("import"), &ImportCommand::run },
    { QLatin1String("search"), &SearchCommand::run },
    { QLatin1String("stats"), &StatsCommand::run },
    { QLatin1String("generate"), &GenerateCommand::run },
    { QLatin1String("serve"), &ServeCommand::run },
    { QLatin1String("anomalies"), &AnomaliesCommand::run },
    { QLatin1String("explain"), &ExplainCommand::run },
    { QLatin1String("pull"), &PullCommand::run },
};

} // namespace

QString CommandLine::helpText(const QCommandLineParser& parser, const QString& command)
{
    // Qt names the program by its path; the usage line should read as the user types it.
    QString text = parser.helpText();
    const QString usage = QStringLiteral("Usage: ");
    if (text.startsWith(usage)) {
        const qsizetype end = text.indexOf(QLatin1Char(' '), usage.size());
        text.replace(usage.size(), (end < 0 ? text.size() : end) - usage.size(),
            command.isEmpty() ? QStringLiteral("tracemap") : QStringLiteral("tracemap ") + command);
    }
    return text;
}

bool CommandLine::parseOptions(
    QCommandLineParser& parser, const QStringList& args, const QString& description, int& exitCode)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        QStringList { QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList rest = args;
    rest.removeAt(1); // the subcommand
    if (!parser.parse(rest)) {
        err() << parser.errorText() << "\n"
              << "Try 'tracemap " << args.value(1) << " --help'.\n";
        err().flush();
        exitCode = 2;
        return false;
    }
    if (parser.isSet(help)) {
        out() << helpText(parser, args.value(1));
        out().flush();
        exitCode = 0;
        return false;
    }
    return true;
}

bool CommandLine::isSubcommand(const QString& word)
{
    return std::any_of(
        std::begin(subcommands), std::end(subcommands), [&](const Subcommand& s) { return s.name == word; });
}

int CommandLine::run(const QStringList& args)
{
    const QString command = args.value(1);
    for (const Subcommand& s : subcommands) {
        if (s.name == command)
            return s.run(args);
    }
    err() << "tracemap: unknown command '" << command << "'\n";
    return 2;
}

} // namespace tracemap
