#include "analysis/criticalpath.h"

#include <algorithm>

namespace tracemap {

namespace {

struct Frame {
    quint32 span;
    qint64 startNs; // the span's interval clipped to its parent's clipped interval
    qint64 endNs;
    size_t childrenBegin; // into the shared byEnd array
    size_t childrenEnd;
    size_t next; // next candidate child in byEnd
};

} // namespace

CriticalPath CriticalPath::compute(const Trace& trace)
{
    CriticalPath path;
    if (trace.roots.empty())
        return path;
    quint32 root = trace.roots.front();
    for (quint32 r : trace.roots) {
        if (trace.spans[r].endNs() > trace.spans[root].endNs())
            root = r;
    }

    // Children of the frames on the stack, each frame's slice sorted by end time descending. The cursor only moves
    // backwards, so a frame's candidates are consumed front to back and each child is looked at once.
    std::vector<quint32> byEnd;
    std::vector<Frame> stack;
    auto push = [&](quint32 span, qint64 start, qint64 end) {
        const Span& s = trace.spans[span];
        const size_t begin = byEnd.size();
        byEnd.insert(
            byEnd.end(), trace.childIndex.begin() + s.children.begin, trace.childIndex.begin() + s.children.end());
        std::stable_sort(byEnd.begin() + begin, byEnd.end(),
            [&](quint32 a, quint32 b) { return trace.spans[a].endNs() > trace.spans[b].endNs(); });
        stack.push_back({ span, start, end, begin, byEnd.size(), begin });
    };

    const Span& r = trace.spans[root];
    push(root, r.startNs, r.endNs());
    qint64 cursor = r.endNs();
    while (!stack.empty()) {
        Frame& f = stack.back();
        quint32 found = kNoIndex;
        qint64 foundStart = 0;
        qint64 foundEnd = 0;
        while (f.next < f.childrenEnd) {
            const Span& c = trace.spans[byEnd[f.next]];
            const qint64 end = std::min(c.endNs(), f.endNs);
            const qint64 start = std::max(c.startNs, f.startNs);
            if (end > cursor || start >= end) {
                ++f.next; // runs concurrently with what is already on the path, or lies outside the parent
                continue;
            }
            found = byEnd[f.next++];
            foundStart = start;
            foundEnd = end;
            break;
        }
        if (found != kNoIndex) {
            if (foundEnd < cursor)
                path.segments.push_back({ f.span, foundEnd, cursor });
            cursor = foundEnd;
            push(found, foundStart, foundEnd);
            continue;
        }
        if (f.startNs < cursor)
            path.segments.push_back({ f.span, f.startNs, cursor });
        cursor = std::min(cursor, f.startNs);
        byEnd.resize(f.childrenBegin);
        stack.pop_back();
    }
    std::reverse(path.segments.begin(), path.segments.end());

    std::vector<bool> seen(trace.spans.size(), false);
    for (const Segment& s : path.segments) {
        if (!seen[s.span]) {
            seen[s.span] = true;
            path.spans.push_back(s.span);
        }
    }
    if (path.spans.empty())
        path.spans.push_back(root); // a zero-length root
    return path;
}

std::vector<quint32> CriticalPath::of(const Trace& trace)
{
    return compute(trace).spans;
}

std::vector<qint64> CriticalPath::criticalTimeBySpan(size_t spanCount) const
{
    std::vector<qint64> out(spanCount, 0);
    for (const Segment& s : segments) {
        if (s.span < spanCount)
            out[s.span] += s.endNs - s.startNs;
    }
    return out;
}

qint64 CriticalPath::totalNs() const
{
    qint64 total = 0;
    for (const Segment& s : segments)
        total += s.endNs - s.startNs;
    return total;
}

} // namespace tracemap
