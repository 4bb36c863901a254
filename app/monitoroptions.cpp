#include "monitoroptions.h"

#include "commandline.h"
#include "monitor/rollupqueries.h"

#include <QCommandLineParser>
#include <QDateTime>

namespace tracemap {

using namespace commandline;

MonitorOptions::MonitorOptions(QString command)
    : m_command(std::move(command))
    , m_service(QStringLiteral("service"), QStringLiteral("Only this service."), QStringLiteral("S"))
    , m_operation(QStringLiteral("operation"), QStringLiteral("Only this operation (of --service when given)."),
          QStringLiteral("O"))
    , m_allKinds(QStringLiteral("all-kinds"),
          QStringLiteral("Every span, not only entry spans (SERVER, CONSUMER and roots, as Jaeger's Monitor tab)."))
    , m_tag(QStringLiteral("tag"),
          QStringLiteral("Only spans with this attribute key=value (theirs or their resource's); repeat for several. "
                         "Read from the spans, not the rollups: at most 20,000 traces."),
          QStringLiteral("k=v"))
    , m_since(QStringLiteral("since"),
          QStringLiteral("Spans starting at or after T: ISO 8601 time or an age such as 1h, 2d or 1w."),
          QStringLiteral("T"))
    , m_until(QStringLiteral("until"), QStringLiteral("Spans starting before T."), QStringLiteral("T"))
{
}

void MonitorOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({ m_service, m_operation, m_allKinds, m_tag, m_since, m_until, cacheOption, jsonOption });
    parser.addPositionalArgument(QStringLiteral("FILE"),
        QStringLiteral("Trace files to look at (without them: the cache)."), QStringLiteral("[FILE...]"));
}

std::optional<MonitorScope> MonitorOptions::scope(const QCommandLineParser& parser) const
{
    MonitorScope scope;
    scope.service = parser.value(m_service);
    scope.operation = parser.value(m_operation);
    scope.allKinds = parser.isSet(m_allKinds);
    for (const QString& tag : parser.values(m_tag)) {
        const qsizetype eq = tag.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            err() << "tracemap " << m_command << ": --tag expects key=value, got '" << tag << "'\n";
            return std::nullopt;
        }
        scope.tags.emplace_back(tag.left(eq), tag.mid(eq + 1));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch() * 1000000;
    for (const auto& [option, target] :
        { std::pair { &m_since, &scope.sinceNs }, std::pair { &m_until, &scope.untilNs } }) {
        if (!parser.isSet(*option))
            continue;
        const auto ns = parseTimePoint(parser.value(*option), now);
        if (!ns) {
            err() << "tracemap " << m_command << ": --" << option->names().first()
                  << " expects an ISO 8601 time or an age such as 15m, 2d or 1w, got '" << parser.value(*option)
                  << "'\n";
            return std::nullopt;
        }
        *target = *ns;
    }
    if (parser.isSet(m_until))
        scope.untilNs -= 1; // --until is exclusive; the scope's end is the last nanosecond in it
    if (scope.sinceNs > scope.untilNs) {
        err() << "tracemap " << m_command << ": --since is not before --until\n";
        return std::nullopt;
    }
    return scope;
}

bool MonitorOptions::hasScope(const QCommandLineParser& parser) const
{
    return parser.isSet(m_service) || parser.isSet(m_operation) || parser.isSet(m_allKinds) || parser.isSet(m_tag)
        || parser.isSet(m_since) || parser.isSet(m_until);
}

std::optional<qint64> MonitorOptions::step(const QCommandLineParser& parser, const QCommandLineOption& option) const
{
    const auto ns = parseDuration(parser.value(option));
    if (!ns || *ns < SpanRollups::kMinuteNs || *ns % SpanRollups::kMinuteNs != 0 || *ns > rollupqueries::kMaxStepNs) {
        err() << "tracemap " << m_command << ": --" << option.names().first()
              << " expects whole minutes such as 1m, 5m or 1h, up to a year, got '" << parser.value(option) << "'\n";
        return std::nullopt;
    }
    return *ns;
}

std::unique_ptr<TraceCache> MonitorOptions::openCache(const QCommandLineParser& parser)
{
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        return commandline::openCache(parser, TraceCache::OpenMode::MustExist);
    m_temporary = std::make_unique<QTemporaryDir>();
    auto cache = TraceCache::open(m_temporary->filePath(QStringLiteral("cache.sqlite")));
    if (!cache) {
        err() << "tracemap " << m_command << ": " << cache.error() << "\n";
        return nullptr;
    }
    for (const QString& file : files) {
        const auto imported = (*cache)->importFile(file);
        if (!imported) {
            err() << "tracemap " << m_command << ": " << imported.error().toString() << "\n";
            return nullptr;
        }
    }
    return std::move(*cache);
}

} // namespace tracemap
