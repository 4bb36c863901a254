#include "spanproblems.h"

#include "model/trace.h"

#include <QCoreApplication>

namespace tracemap {

QStringList spanProblemDescriptions(quint16 problems)
{
    struct Text {
        SpanProblem flag;
        const char* text;
    };
    static constexpr Text kTexts[] = {
        { OrphanSpan, QT_TRANSLATE_NOOP("SpanProblems", "Orphan span: its parent is not in the trace.") },
        { DuplicateSpanId,
            QT_TRANSLATE_NOOP("SpanProblems", "Duplicate span id: another span of this trace has the same id.") },
        { CycleBroken,
            QT_TRANSLATE_NOOP("SpanProblems",
                "Cycle broken: the parent chain looped, so this span's parent link was "
                "dropped.") },
        { SelfParent, QT_TRANSLATE_NOOP("SpanProblems", "Self parent: the span named itself as its parent.") },
        { SharedServerHalf,
            QT_TRANSLATE_NOOP("SpanProblems",
                "Shared server half: this Zipkin server span shared its client's id "
                "and was given an id of its own.") },
        { MissingDuration, QT_TRANSLATE_NOOP("SpanProblems", "Missing duration: the source gave no duration.") },
        { MissingStart, QT_TRANSLATE_NOOP("SpanProblems", "Missing start: the source gave no start time.") },
        { ClockSkew,
            QT_TRANSLATE_NOOP("SpanProblems",
                "Clock skew: this span ran in another service and starts before its parent or ends after it; "
                "the two hosts' clocks probably disagree.") },
    };
    QStringList out;
    for (const Text& t : kTexts) {
        if (problems & t.flag)
            out.append(QCoreApplication::translate("SpanProblems", t.text));
    }
    return out;
}

} // namespace tracemap
