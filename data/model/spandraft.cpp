#include "model/spandraft.h"

#include <algorithm>
#include <atomic>
#include <limits>

namespace tracemap {

namespace {
quint64 nextSerial()
{
    static std::atomic<quint64> s_serial { 1 };
    return s_serial.fetch_add(1, std::memory_order_relaxed);
}
} // namespace

ResourceDraft::ResourceDraft()
    : m_serial(nextSerial())
{
}

void ResourceDraft::clear()
{
    attributes.clear();
    m_serial = nextSerial();
}

ScopeDraft::ScopeDraft()
    : m_serial(nextSerial())
{
}

void ScopeDraft::clear()
{
    name.clear();
    version.clear();
    attributes.clear();
    m_serial = nextSerial();
}

void SpanDraft::clear()
{
    traceId = {};
    spanId = parentId = 0;
    startNs = durationNs = 0;
    service.clear();
    operation.clear();
    statusMessage.clear();
    traceState.clear();
    w3cFlags = 0;
    kind = SpanKind::Unspecified;
    status = StatusCode::Unset;
    problems = NoProblem;
    attributes.clear();
    m_eventCount = m_linkCount = m_warningCount = 0;
}

EventDraft& SpanDraft::addEvent()
{
    if (m_eventCount == m_events.size())
        m_events.emplace_back();
    EventDraft& e = m_events[m_eventCount++];
    e.timeNs = 0;
    e.name.clear();
    e.attributes.clear();
    return e;
}

LinkDraft& SpanDraft::addLink()
{
    if (m_linkCount == m_links.size())
        m_links.emplace_back();
    LinkDraft& l = m_links[m_linkCount++];
    l.traceId = {};
    l.spanId = 0;
    l.type = LinkType::Link;
    l.flags = 0;
    l.traceState.clear();
    l.attributes.clear();
    return l;
}

void SpanDraft::removeLink(size_t index)
{
    if (index >= m_linkCount)
        return;
    std::rotate(m_links.begin() + index, m_links.begin() + index + 1, m_links.begin() + m_linkCount);
    --m_linkCount;
}

void SpanDraft::addWarning(std::string_view text)
{
    if (m_warningCount == m_warnings.size())
        m_warnings.emplace_back();
    m_warnings[m_warningCount++].assign(text);
}

void SpanDraft::setUnixNanoTimes(qint64 start, qint64 end)
{
    startNs = start;
    durationNs = 0;
    if (start == 0) {
        problems |= MissingStart | MissingDuration; // the assembler places it at its parent's start
        return;
    }
    if (end == 0) {
        problems |= MissingDuration;
        return;
    }
    if (end < start) {
        addWarning("end time before start time");
        return;
    }
    // Unsigned, so hostile values at both ends of the range saturate instead of overflowing.
    const quint64 duration = static_cast<quint64>(end) - static_cast<quint64>(start);
    durationNs = static_cast<qint64>(std::min<quint64>(duration, std::numeric_limits<qint64>::max()));
}

} // namespace tracemap
