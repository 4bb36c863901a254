#pragma once

#include "model/attributebuffer.h"
#include "model/trace.h"

#include <span>
#include <string>
#include <vector>

namespace tracemap {

struct EventDraft {
    qint64 timeNs = 0;
    std::string name;
    AttributeBuffer attributes;
};

struct LinkDraft {
    TraceId traceId;
    SpanId spanId = 0;
    LinkType type = LinkType::Link;
    quint32 flags = 0;
    std::string traceState;
    AttributeBuffer attributes;
};

/// The resource (OTLP resource, Jaeger process, Zipkin local endpoint) an importer is reading spans of.
/// Its serial tells SpanBatch which spans share it, so each trace stores it once.
class ResourceDraft {
public:
    ResourceDraft();
    void clear(); // starts a new resource with a new serial
    quint64 serial() const { return m_serial; }
    AttributeBuffer attributes;

private:
    quint64 m_serial;
};

class ScopeDraft {
public:
    ScopeDraft();
    void clear();
    quint64 serial() const { return m_serial; }
    std::string name;
    std::string version;
    AttributeBuffer attributes;

private:
    quint64 m_serial;
};

/// One span as an importer reads it, independent of any trace. Reused between spans; clear() keeps allocations.
class SpanDraft {
public:
    void clear();

    TraceId traceId;
    SpanId spanId = 0;
    SpanId parentId = 0;
    qint64 startNs = 0;
    qint64 durationNs = 0;
    std::string service;
    std::string operation;
    std::string statusMessage;
    std::string traceState;
    quint32 w3cFlags = 0;
    SpanKind kind = SpanKind::Unspecified;
    StatusCode status = StatusCode::Unset;
    quint16 problems = NoProblem;
    AttributeBuffer attributes;

    EventDraft& addEvent();
    LinkDraft& addLink();
    void removeLink(size_t index);
    void addWarning(std::string_view text);
    /// OTLP's start and end times (Unix nanoseconds, 0 meaning unset): sets startNs and durationNs, flags a missing
    /// start or end (MissingStart, MissingDuration) and warns about an end before the start.
    void setUnixNanoTimes(qint64 start, qint64 end);

    std::span<const EventDraft> events() const { return { m_events.data(), m_eventCount }; }
    std::span<EventDraft> events() { return { m_events.data(), m_eventCount }; }
    std::span<const LinkDraft> links() const { return { m_links.data(), m_linkCount }; }
    std::span<const std::string> warnings() const { return { m_warnings.data(), m_warningCount }; }

private:
    std::vector<EventDraft> m_events;
    size_t m_eventCount = 0;
    std::vector<LinkDraft> m_links;
    size_t m_linkCount = 0;
    std::vector<std::string> m_warnings;
    size_t m_warningCount = 0;
};

} // namespace tracemap
