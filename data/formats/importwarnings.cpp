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

} // namespace

void ImportWarnings::count(const QString& kind, const Trace& trace, const Span& span, const QString& detail)
{
    auto [it, inserted] = m_kinds.try_emplace(kind);
    ImportWarningKind& k = it->second;
    ++k.count;
    if (inserted) {
        k.kind = kind;
        k.example = QStringLiteral("trace %1 span %2 (%3: %4): %5")
                        .arg(hex(trace.id.toHex()), hex(spanIdToHex(span.id)), name(trace.serviceName(span)),
                            name(trace.operationName(span)), detail);
    }
}

void ImportWarnings::add(const Trace& trace)
{
    struct Problem {
        SpanProblem flag;
        const char* kind;
    };
    static constexpr Problem kProblems[] = { { OrphanSpan, "orphan span" }, { DuplicateSpanId, "duplicate span id" },
        { CycleBroken, "parent cycle broken" }, { SelfParent, "span is its own parent" },
        { SharedServerHalf, "Zipkin server half given its own id" }, { MissingDuration, "no duration" },
        { MissingStart, "no start time" }, { ClockSkew, "clock skew" } };
    for (const Span& span : trace.spans) {
        if (span.problems == NoProblem && span.warnings.count == 0)
            continue;
        ++m_spans;
        for (const Problem& p : kProblems) {
            if (!(span.problems & p.flag))
                continue;
            QString detail;
            const QString parent = hex(spanIdToHex(span.parentId));
            switch (p.flag) {
            case OrphanSpan:
                detail = QStringLiteral("parent %1 is not in the trace").arg(parent);
                break;
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
                    : QStringLiteral("%1 (%2)").arg(parent, name(trace.serviceName(trace.spans[span.parent])));
                detail = QStringLiteral("starts before its parent %1 or ends after it, in another service").arg(around);
                break;
            }
            default:
                break;
            }
            count(QString::fromLatin1(p.kind), trace, span, detail);
        }
        for (quint32 w = span.warnings.begin; w < span.warnings.end(); ++w) {
            const QString text = name(trace.text(trace.warnings[w]));
            QString kind = textKind(text);
            if (!m_kinds.contains(kind)) {
                if (m_textKinds >= kMaxTextKinds)
                    kind = QStringLiteral("other source warning");
                else
                    ++m_textKinds;
            }
            count(kind, trace, span, text);
        }
    }
}

std::vector<ImportWarningKind> ImportWarnings::kinds() const
{
    std::vector<ImportWarningKind> out;
    out.reserve(m_kinds.size());
    for (const auto& [kind, k] : m_kinds)
        out.push_back(k);
    std::stable_sort(out.begin(), out.end(),
        [](const ImportWarningKind& a, const ImportWarningKind& b) { return a.count > b.count; });
    return out;
}

} // namespace tracemap
