#include "formats/importwarnings.h"

#include <QRegularExpression>

#include <algorithm>

namespace tracemap {

QString ImportWarningKind::describe() const
{
    return QStringLiteral("%1: %2 (e.g. %3)").arg(kind).arg(count).arg(example);
}

namespace {

QString hex(const std::string& s)
{
    return QString::fromStdString(s);
}

QString name(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// Sources phrase one kind of warning with varying ids, names and numbers ("unknown processID \"p7\""): those parts
// are elided, so the kind groups them.
QString textKind(const QString& text)
{
    static const QRegularExpression quoted(QStringLiteral("\"[^\"]*\""));
    static const QRegularExpression number(QStringLiteral("[0-9][0-9.]*"));
    QString kind = text;
    kind.replace(quoted, QStringLiteral("\"…\""));
    kind.replace(number, QStringLiteral("N"));
    return kind.left(120);
}

QString example(const Trace& trace, const Span& span, const QString& detail)
{
    return QStringLiteral("trace %1 span %2 (%3: %4): %5")
        .arg(hex(trace.id.toHex()), hex(spanIdToHex(span.id)), name(trace.serviceName(span)),
            name(trace.operationName(span)), detail);
}

QString orphanDetail(SpanId parent)
{
    return QStringLiteral("parent %1 is not in the trace").arg(hex(spanIdToHex(parent)));
}

QString orphanKind()
{
    return QStringLiteral("orphan span");
}

} // namespace

void ImportWarnings::count(const QString& kind, const Trace& trace, const Span& span, const QString& detail)
{
    auto [it, inserted] = m_kinds.try_emplace(kind);
    ImportWarningKind& k = it->second;
    ++k.count;
    if (inserted) {
        k.kind = kind;
        k.example = example(trace, span, detail);
    }
}

void ImportWarnings::add(const Trace& part)
{
    struct Problem {
        SpanProblem flag;
        const char* kind;
    };
    // OrphanSpan is not here: orphans wait in m_pending for the trace's other parts.
    static constexpr Problem kProblems[]
        = { { DuplicateSpanId, "duplicate span id" }, { CycleBroken, "parent cycle broken" },
              { SelfParent, "span is its own parent" }, { SharedServerHalf, "Zipkin server half given its own id" },
              { MissingDuration, "no duration" }, { MissingStart, "no start time" }, { ClockSkew, "clock skew" } };

    std::vector<SpanId> partIds;
    partIds.reserve(part.spans.size());
    for (const Span& span : part.spans)
        partIds.push_back(span.id);
    std::ranges::sort(partIds);
    SeenTrace& seen = m_traces[part.id];
    if (!seen.pending.empty())
        resolveOrphans(seen, partIds);

    for (const Span& span : part.spans) {
        // A parent in an earlier part is no orphan: the cache merges the parts. (A parent there is also not seen
        // for clock skew, cycles and duplicates, so those few are under-counted rather than over-counted.)
        const bool orphan = (span.problems & OrphanSpan) && !std::ranges::binary_search(seen.spanIds, span.parentId);
        const bool otherWarnings = (span.problems & ~OrphanSpan) != NoProblem || span.warnings.count != 0;
        if (orphan) {
            seen.pending.push_back(m_pending.size());
            m_pending.push_back({ part.id, span.id, span.parentId, otherWarnings, false });
            if (m_pendingExamples.size() < kOrphanExamples)
                m_pendingExamples.push_back(example(part, span, orphanDetail(span.parentId)));
        }
        if (!otherWarnings)
            continue;
        ++m_spans;
        for (const Problem& p : kProblems) {
            if (!(span.problems & p.flag))
                continue;
            QString detail;
            const QString parent = hex(spanIdToHex(span.parentId));
            switch (p.flag) {
            case DuplicateSpanId:
                detail = QStringLiteral("another span of the trace has the same id");
                break;
            case CycleBroken:
                detail = QStringLiteral("its parent chain looped; the link to %1 was dropped").arg(parent);
                break;
            case SelfParent:
                detail = QStringLiteral("names itself as its parent");
                break;
            case SharedServerHalf:
                detail = QStringLiteral("shared its client's span id");
                break;
            case MissingDuration:
                detail = QStringLiteral("the source gave no duration");
                break;
            case MissingStart:
                detail = QStringLiteral("the source gave no start time");
                break;
            case ClockSkew: {
                const QString around = span.parent == kNoIndex
                    ? parent
                    : QStringLiteral("%1 (%2)").arg(parent, name(part.serviceName(part.spans[span.parent])));
                detail = QStringLiteral("starts before its parent %1 or ends after it, in another service").arg(around);
                break;
            }
            default:
                break;
            }
            count(QString::fromLatin1(p.kind), part, span, detail);
        }
        for (quint32 w = span.warnings.begin; w < span.warnings.end(); ++w) {
            const QString text = name(part.text(part.warnings[w]));
            QString kind = textKind(text);
            if (!m_kinds.contains(kind)) {
                if (m_textKinds >= kMaxTextKinds)
                    kind = QStringLiteral("other source warning");
                else
                    ++m_textKinds;
            }
            count(kind, part, span, text);
        }
    }

    const auto earlier = static_cast<std::ptrdiff_t>(seen.spanIds.size());
    seen.spanIds.insert(seen.spanIds.end(), partIds.begin(), partIds.end());
    std::inplace_merge(seen.spanIds.begin(), seen.spanIds.begin() + earlier, seen.spanIds.end());
    seen.spanIds.erase(std::unique(seen.spanIds.begin(), seen.spanIds.end()), seen.spanIds.end());
}

// Orphans met in earlier parts whose parent is in this one.
void ImportWarnings::resolveOrphans(SeenTrace& seen, const std::vector<SpanId>& partIds)
{
    std::erase_if(seen.pending, [&](size_t index) {
        PendingOrphan& orphan = m_pending[index];
        orphan.resolved = std::ranges::binary_search(partIds, orphan.parent);
        return orphan.resolved;
    });
}

qint64 ImportWarnings::spans() const
{
    qint64 spans = m_spans;
    for (const PendingOrphan& orphan : m_pending)
        spans += !orphan.resolved && !orphan.spanCounted;
    return spans;
}

std::vector<ImportWarningKind> ImportWarnings::kinds() const
{
    std::map<QString, ImportWarningKind> kinds = m_kinds;
    for (size_t i = 0; i < m_pending.size(); ++i) {
        const PendingOrphan& orphan = m_pending[i];
        if (orphan.resolved)
            continue;
        auto [it, inserted] = kinds.try_emplace(orphanKind());
        ImportWarningKind& k = it->second;
        ++k.count;
        if (inserted) {
            k.kind = orphanKind();
            k.example = i < m_pendingExamples.size()
                ? m_pendingExamples[i]
                : QStringLiteral("trace %1 span %2: %3")
                      .arg(hex(orphan.trace.toHex()), hex(spanIdToHex(orphan.span)), orphanDetail(orphan.parent));
        }
    }
    std::vector<ImportWarningKind> out;
    out.reserve(kinds.size());
    for (const auto& [kind, k] : kinds)
        out.push_back(k);
    std::stable_sort(out.begin(), out.end(),
        [](const ImportWarningKind& a, const ImportWarningKind& b) { return a.count > b.count; });
    return out;
}

} // namespace tracemap
