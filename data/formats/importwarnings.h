#pragma once

#include "model/trace.h"

#include <QString>

#include <map>
#include <unordered_map>
#include <vector>

namespace tracemap {

/// One kind of warning an import met: how many spans have it and the first one as an example.
struct ImportWarningKind {
    QString kind; // "orphan span", "clock skew", … or a source's own warning with its numbers and quotes elided
    qint64 count = 0; // spans with this warning
    QString example; // "trace 4bf9… span 00f0… (api: GET /x): parent 1234… is not in the trace"

    /// One line for people: "orphan span: 12 (e.g. trace …)", as the command line and the window print it.
    QString describe() const;
};

/// Tallies the warnings of assembled traces by kind (SpanProblem flags and the sources' warning texts), keeping
/// the first span of each kind as an example. A span with several warnings counts under each of its kinds.
/// Memory is bounded: past kMaxTextKinds different source texts, the rest count as one "other source warning".
///
/// A file may give one trace's spans in several parts (OTLP groups spans by resource; an import flushes a batch
/// every few thousand spans), and each part is assembled alone. Counting each part as it comes would call every
/// span whose parent came in another part an orphan, so the tally remembers the span ids of each trace (8 bytes a
/// span) and counts an orphan only when no part, before or after it, has its parent: kinds() and spans() are
/// those of the traces as the cache merges them.
class ImportWarnings {
public:
    static constexpr size_t kMaxTextKinds = 32;

    /// Adds an assembled trace, or a part of one: a trace already added is continued.
    void add(const Trace& part);
    /// Spans with at least one warning.
    qint64 spans() const;
    /// The kinds, most frequent first (ties by name).
    std::vector<ImportWarningKind> kinds() const;
    /// Distinct traces added.
    size_t traces() const { return m_traces.size(); }

private:
    // A span whose parent was in none of its trace's parts so far.
    struct PendingOrphan {
        TraceId trace;
        SpanId span = 0;
        SpanId parent = 0;
        bool spanCounted = false; // it has other warnings, so spans() counts it already
        bool resolved = false; // a later part had its parent
    };
    struct SeenTrace {
        std::vector<SpanId> spanIds; // of every part so far, sorted
        std::vector<size_t> pending; // indices into m_pending
    };
    static constexpr size_t kOrphanExamples = 64; // pending orphans that keep their example text

    void count(const QString& kind, const Trace& trace, const Span& span, const QString& detail);
    void resolveOrphans(SeenTrace& seen, const std::vector<SpanId>& partIds);

    qint64 m_spans = 0;
    size_t m_textKinds = 0;
    std::map<QString, ImportWarningKind> m_kinds;
    std::unordered_map<TraceId, SeenTrace, TraceIdHash> m_traces;
    std::vector<PendingOrphan> m_pending; // in the order met, so the example is the first still unresolved
    std::vector<QString> m_pendingExamples; // of the first kOrphanExamples pending orphans
};

} // namespace tracemap
