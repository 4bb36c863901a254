#pragma once

#include "formats/importerror.h"
#include "formats/importwarnings.h"
#include "formats/inputbuffer.h"
#include "formats/traceformat.h"
#include "model/trace.h"

#include <QStringList>

#include <expected>
#include <functional>
#include <vector>

namespace tracemap {

struct ImportSummary {
    QString file;
    TraceFormat format = TraceFormat::Unknown;
    qint64 traces = 0;
    qint64 spans = 0;
    qint64 services = 0;
    qint64 warnings = 0; // spans the assembler or the source flagged (orphans, duplicates, cycles, …)
    /// Those warnings by kind, most frequent first, each with a count and an example (see ImportWarnings). The
    /// counts may add up to more than `warnings`: a span with two kinds of warning counts under both.
    std::vector<ImportWarningKind> warningKinds;
    /// Texts cut and attributes dropped at the limits of model/inputlimits.h (each also a warning on its span).
    qint64 truncations = 0;
    qint64 bytes = 0;
    qint64 importId = 0; // the cache's import row (TraceCache::importFile), for TraceQuery::imports
    /// What the source said about its data beyond the spans (a back end's "this trace is partial"), to show as is.
    QStringList notes;
};

/// Called now and then with bytes done and total; returning false cancels the import.
using ImportProgress = std::function<bool(qint64 done, qint64 total)>;

/// How many threads an import uses: the calling one reads and parses; a second one assembles the traces and runs
/// the sink (for the cache: encoding, compression and SQL), one batch behind, so a large file uses two cores.
enum class ImportThreads {
    Auto, // two for an input of kTwoThreadsBytes or more, one for less (a receiver's small bodies)
    One,
    Two,
};

struct ImportOptions {
    static constexpr size_t kTwoThreadsBytes = 4u << 20;

    size_t flushSpans = 8000; // small enough that two threads overlap from the start of a file to its end
    ImportThreads threads = ImportThreads::Auto;
    /// The format when the caller knows it (a receiver, from the Content-Type); Unknown detects it from the content.
    /// Protobuf cannot always be told apart from its first bytes, JSON can.
    TraceFormat format = TraceFormat::Unknown;
    ImportProgress progress;
};

/// Reads a trace file of any supported format into assembled traces, streaming: the file is cut into records,
/// each parsed into a SpanBatch, and every `flushSpans` spans the assembled traces go to the sink. A trace whose
/// spans are spread over the file may reach the sink in several parts; the sink merges them (TraceAssembler).
/// With two threads (ImportOptions::threads) the sink runs on the second one: one call at a time, in the file's
/// order, all of them over before importFile() returns; an exception it throws (an ImportError) ends the import.
class TraceImporter {
public:
    using Sink = std::function<void(std::vector<Trace>& traces)>;
    using Progress = ImportProgress;
    using Options = ImportOptions;

    static std::expected<ImportSummary, ImportError> importFile(
        const QString& path, const Sink& sink, const Options& options = ImportOptions());
    static std::expected<ImportSummary, ImportError> importBuffer(
        InputBuffer& input, const Sink& sink, const Options& options = ImportOptions());
};

} // namespace tracemap
