#include "formats/traceimporter.h"

#include "formats/batchconsumerthread.h"
#include "formats/jaegerjsonparser.h"
#include "formats/jsonrecordsplitter.h"
#include "formats/otlpjsonparser.h"
#include "formats/otlpprotoparser.h"
#include "formats/parseerror.h"
#include "formats/zipkinjsonparser.h"
#include "formats/zipkinprotoparser.h"
#include "model/spanbatch.h"
#include "model/traceassembler.h"
#include "model/utf8.h"

#include <QLoggingCategory>

#include <simdjson.h>

#include <memory>
#include <unordered_set>

namespace tracemap {

Q_LOGGING_CATEGORY(lcImport, "tracemap.import")

namespace {

struct Cancelled { };

constexpr size_t kProgressBytes = 4u << 20;

std::unique_ptr<JsonFormatParser> makeJsonParser(TraceFormat format)
{
    switch (format) {
    case TraceFormat::JaegerJson:
        return std::make_unique<JaegerJsonParser>();
    case TraceFormat::ZipkinV1Json:
        return std::make_unique<ZipkinJsonParser>(ZipkinJsonParser::Version::V1);
    case TraceFormat::ZipkinV2Json:
        return std::make_unique<ZipkinJsonParser>(ZipkinJsonParser::Version::V2);
    case TraceFormat::OtlpJson:
        return std::make_unique<OtlpJsonParser>();
    default:
        return nullptr;
    }
}

QString simdjsonMessage(simdjson::error_code code)
{
    switch (code) {
    case simdjson::DEPTH_ERROR:
        return QStringLiteral("JSON nested deeper than %1 levels").arg(simdjson::DEFAULT_MAX_DEPTH);
    case simdjson::UTF8_ERROR:
        return QStringLiteral("invalid UTF-8 in JSON text");
    case simdjson::STRING_ERROR:
    case simdjson::UNCLOSED_STRING:
        return QStringLiteral("invalid string (bad escape or control character)");
    case simdjson::NUMBER_ERROR:
        return QStringLiteral("invalid or out-of-range number");
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
        return QStringLiteral("invalid literal (expected true, false or null)");
    case simdjson::INCORRECT_TYPE:
        return QStringLiteral("a value has the wrong type");
    default:
        return QStringLiteral("malformed JSON (%1)").arg(QString::fromUtf8(simdjson::error_message(code)));
    }
}

class ImportRun {
public:
    ImportRun(InputBuffer& input, const TraceImporter::Sink& sink, const TraceImporter::Options& options)
        : m_input(input)
        , m_sink(sink)
        , m_options(options)
    {
        m_summary.file = input.name();
        m_summary.bytes = static_cast<qint64>(input.bytes().size());
    }

    std::expected<ImportSummary, ImportError> run()
    {
        const std::string_view bytes = m_input.bytes();
        // Protobuf first, on the raw first byte: its field-1 tag is 0x0a, a newline, which the JSON check below
        // would skip as whitespace.
        const TraceFormat binary = isProtobufFormat(m_options.format) ? m_options.format : detectProtobufFormat(bytes);
        const bool protobuf = binary != TraceFormat::Unknown;
        size_t start = 0;
        while (start < bytes.size()
            && (bytes[start] == ' ' || bytes[start] == '\n' || bytes[start] == '\r' || bytes[start] == '\t'))
            ++start;
        if (bytes.substr(start, 3) == "\xEF\xBB\xBF")
            start += 3;
        if (start >= bytes.size())
            return std::unexpected(error(-1,
                m_input.wasCompressed() ? QStringLiteral("the file is empty once inflated")
                                        : QStringLiteral("the file is empty")));
        try {
            if (usesTwoThreads())
                m_consumer
                    = std::make_unique<BatchConsumerThread>([this](std::vector<Trace>& traces) { m_sink(traces); });
            if (protobuf)
                runProtobuf(binary);
            else if (bytes[start] == '{' || bytes[start] == '[')
                runJson();
            else
                return std::unexpected(error(0,
                    QStringLiteral("unknown format: expected JSON (Jaeger, Zipkin, OTLP) or OTLP protobuf, but the "
                                   "file starts with %1")
                        .arg(describeStart(bytes))));
            flush();
            if (m_consumer)
                m_consumer->finish(); // the last batches delivered; rethrows what the sink threw
        } catch (const Cancelled&) {
            ImportError e = error(-1, QStringLiteral("import cancelled"));
            e.cancelled = true;
            return std::unexpected(e);
        } catch (const ImportError& e) {
            return std::unexpected(e);
        } catch (const std::bad_alloc&) {
            return std::unexpected(error(-1, QStringLiteral("out of memory")));
        } catch (const std::exception& e) {
            return std::unexpected(error(-1, QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what()))));
        } catch (...) {
            return std::unexpected(error(-1, QStringLiteral("internal error")));
        }
        m_summary.traces = static_cast<qint64>(m_warnings.traces());
        m_summary.services = static_cast<qint64>(m_services.size());
        m_summary.warnings = m_warnings.spans();
        m_summary.warningKinds = m_warnings.kinds();
        m_summary.truncations = static_cast<qint64>(m_batch.truncations());
        return m_summary;
    }

private:
    static QString describeStart(std::string_view bytes)
    {
        QString out;
        for (size_t i = 0; i < std::min<size_t>(bytes.size(), 8); ++i)
            out += QStringLiteral("%1 ").arg(static_cast<unsigned char>(bytes[i]), 2, 16, QLatin1Char('0'));
        return QStringLiteral("the bytes %1").arg(out.trimmed());
    }

    ImportError error(qint64 offset, const QString& message) const
    {
        ImportError e;
        e.file = m_input.name();
        e.offset = offset;
        e.message = message;
        if (offset >= 0 && m_text) {
            const auto [line, column] = m_input.lineColumn(static_cast<size_t>(offset));
            e.line = line;
            e.column = column;
        }
        return e;
    }

    qint64 offsetOf(const char* position, size_t fallback) const
    {
        const std::string_view bytes = m_input.bytes();
        if (position && position >= bytes.data() && position <= bytes.data() + bytes.size())
            return position - bytes.data();
        return static_cast<qint64>(fallback);
    }

    void runJson()
    {
        m_text = true;
        JsonRecordSplitter splitter(m_input.bytes());
        std::unique_ptr<JsonFormatParser> parser;
        size_t records = 0;
        size_t lastReport = 0;
        for (;;) {
            std::optional<JsonRecord> record;
            try {
                record = splitter.next();
            } catch (const ParseError& e) {
                throw error(offsetOf(e.position, splitter.position()), QString::fromStdString(e.message));
            }
            if (!record)
                break;
            if (!parser) {
                m_summary.format = detectJsonFormat(record->envelope, record->text);
                parser = makeJsonParser(m_summary.format);
                if (!parser && looksLikeDependencyLinks(record->text))
                    throw error(static_cast<qint64>(record->offset),
                        QStringLiteral("this is a dependency-link file (parent, child, callCount), a service map "
                                       "without spans: open it in the window's Topology tab or use 'tracemap "
                                       "topology FILE -o map.svg'"));
                if (!parser)
                    throw error(static_cast<qint64>(record->offset),
                        QStringLiteral("unknown format: this JSON is not Jaeger, Zipkin v1/v2 or OTLP trace data "
                                       "(no traceId/spanID/resourceSpans members in its first record)"));
                // Progress and cancel inside a record too: one record may be a whole trace of a million spans.
                parser->setPositionHook([this, &lastReport](const char* position) {
                    const qint64 offset = offsetOf(position, lastReport);
                    if (offset > static_cast<qint64>(lastReport)) {
                        lastReport = static_cast<size_t>(offset);
                        reportProgress(offset);
                    }
                    // Flushing inside a record too keeps memory bounded by the batch when one record holds
                    // millions of spans; the batch stores a trace's resources again after a flush, and the sink
                    // merges a trace's parts.
                    if (m_batch.spanCount() >= m_options.flushSpans)
                        flush();
                });
            }
            parseJsonRecord(*parser, *record);
            if (m_batch.spanCount() >= m_options.flushSpans)
                flush();
            // Progress (and cancel) every few megabytes or records, so a file of a few huge records reports too.
            const size_t end = record->offset + record->text.size();
            if ((++records & 255) == 0 || end >= lastReport + kProgressBytes) {
                lastReport = end;
                m_input.releaseBefore(record->offset);
                reportProgress(static_cast<qint64>(end));
            }
        }
        if (m_summary.format == TraceFormat::Unknown)
            m_summary.format = TraceFormat::JaegerJson; // an empty envelope: nothing to import, which is fine
    }

    void parseJsonRecord(JsonFormatParser& parser, const JsonRecord& record)
    {
        try {
            parser.parseRecord(record.text, m_batch);
        } catch (const ParseError& e) {
            // A format parser that cannot read its record because simdjson refused invalid UTF-8 reports what it
            // expected ("a span object"); the real problem, and where it is, is the bad byte.
            if (const size_t bad = firstInvalidUtf8(record.text); bad != std::string_view::npos)
                throw error(static_cast<qint64>(record.offset + bad), simdjsonMessage(simdjson::UTF8_ERROR));
            throw error(offsetOf(e.position, record.offset), QString::fromStdString(e.message));
        } catch (const simdjson::simdjson_error& e) {
            size_t where = record.offset;
            if (e.error() == simdjson::UTF8_ERROR) {
                if (const size_t bad = firstInvalidUtf8(record.text); bad != std::string_view::npos)
                    where += bad;
            }
            throw error(static_cast<qint64>(where),
                simdjsonMessage(e.error())
                    + (where == record.offset ? QStringLiteral(" in the record that starts here") : QString()));
        }
    }

    void runProtobuf(TraceFormat format)
    {
        m_summary.format = format;
        const std::string_view bytes = m_input.bytes();
        const auto progress = [this](size_t done) { reportProgress(static_cast<qint64>(done)); };
        const auto afterRecord = [this] {
            if (m_batch.spanCount() >= m_options.flushSpans)
                flush();
        };
        try {
            if (format == TraceFormat::ZipkinV2Proto)
                ZipkinProtoParser().parse(bytes, m_batch, progress, afterRecord);
            else
                OtlpProtoParser().parse(bytes, m_batch, progress, afterRecord);
        } catch (const ParseError& e) {
            throw error(offsetOf(e.position, 0), QString::fromStdString(e.message));
        }
    }

    void reportProgress(qint64 done)
    {
        if (m_options.progress && !m_options.progress(done, m_summary.bytes))
            throw Cancelled {};
    }

    bool usesTwoThreads() const
    {
        switch (m_options.threads) {
        case ImportThreads::One:
            return false;
        case ImportThreads::Two:
            return true;
        case ImportThreads::Auto:
            break;
        }
        return m_input.bytes().size() >= ImportOptions::kTwoThreadsBytes;
    }

    // Assembles the batch's traces, counts them into the summary and hands them to the sink: on the consumer's
    // thread when there is one (the sink, for the cache, encodes, compresses and writes: as much work as the
    // parsing and assembling done here).
    void flush()
    {
        if (m_batch.isEmpty())
            return;
        std::vector<Trace> traces = m_batch.takeTraces();
        for (Trace& trace : traces) {
            TraceAssembler::assemble(trace);
            m_summary.spans += static_cast<qint64>(trace.spans.size());
            m_warnings.add(trace);
            std::vector<bool> isService(trace.strings.size(), false);
            for (const Span& span : trace.spans)
                isService[span.service] = true;
            for (StringId id = 1; id < trace.strings.size(); ++id) {
                if (isService[id])
                    m_services.insert(std::string(trace.strings.at(id)));
            }
        }
        if (m_consumer)
            m_consumer->push(std::move(traces));
        else
            m_sink(traces);
    }

    InputBuffer& m_input;
    const TraceImporter::Sink& m_sink;
    const TraceImporter::Options& m_options;
    ImportSummary m_summary;
    SpanBatch m_batch;
    bool m_text = false;
    std::unordered_set<std::string> m_services;
    ImportWarnings m_warnings; // also counts the distinct traces
    std::unique_ptr<BatchConsumerThread> m_consumer; // last: destroyed (joined) before the state its thread uses
};

} // namespace

std::expected<ImportSummary, ImportError> TraceImporter::importBuffer(
    InputBuffer& input, const Sink& sink, const Options& options)
{
    auto result = ImportRun(input, sink, options).run();
    // Cut short while it was read: past its new end the parser read zeros, whatever it made of them.
    if (auto shrank = input.shrinkError()) {
        ImportError e;
        e.file = input.name();
        e.message = *shrank;
        return std::unexpected(e);
    }
    return result;
}

std::expected<ImportSummary, ImportError> TraceImporter::importFile(
    const QString& path, const Sink& sink, const Options& options)
{
    auto input = InputBuffer::open(path);
    if (!input) {
        ImportError e;
        e.file = path;
        e.message = input.error();
        return std::unexpected(e);
    }
    return importBuffer(*input, sink, options);
}

} // namespace tracemap
