#pragma once

#include "model/trace.h"

#include <QString>

#include <map>
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
class ImportWarnings {
public:
    static constexpr size_t kMaxTextKinds = 32;

    void add(const Trace& trace);
    /// Spans with at least one warning.
    qint64 spans() const { return m_spans; }
    /// The kinds, most frequent first (ties by name).
    std::vector<ImportWarningKind> kinds() const;

private:
    void count(const QString& kind, const Trace& trace, const Span& span, const QString& detail);

    qint64 m_spans = 0;
    size_t m_textKinds = 0;
    std::map<QString, ImportWarningKind> m_kinds;
};

} // namespace tracemap
