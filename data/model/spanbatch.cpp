#include "model/spanbatch.h"

#include "model/inputlimits.h"

#include <algorithm>
#include <limits>

namespace tracemap {

SpanBatch::TraceSlot& SpanBatch::slotFor(const TraceId& id)
{
    const auto [it, inserted] = m_index.try_emplace(id, m_slots.size());
    if (inserted) {
        m_slots.emplace_back();
        m_slots.back().trace.id = id;
    }
    return m_slots[it->second];
}

std::string_view SpanBatch::clip(std::string_view text, const char* what, std::vector<std::string>& notes)
{
    const std::string_view kept = limits::clipped(text);
    if (kept.size() < text.size()) {
        ++m_truncations;
        notes.push_back(std::string(what) + " truncated from " + std::to_string(text.size()) + " to "
            + std::to_string(kept.size()) + " bytes");
    }
    return kept;
}

void SpanBatch::noteLimits(const AttributeBuffer& attributes, const char* where, std::vector<std::string>& notes)
{
    for (const auto& t : attributes.truncations()) {
        ++m_truncations;
        notes.push_back(std::string(where) + " attribute '" + t.key + "' truncated from "
            + std::to_string(t.originalBytes) + " to at most " + std::to_string(limits::kMaxTextBytes) + " bytes");
    }
    if (attributes.droppedAttributes() > 0) {
        ++m_truncations;
        notes.push_back(std::to_string(attributes.droppedAttributes()) + ' ' + where + " attributes past the limit of "
            + std::to_string(limits::kMaxAttributes) + " dropped");
    }
}

void SpanBatch::add(const SpanDraft& draft, const ResourceDraft* resource, const ScopeDraft* scope)
{
    TraceSlot& slot = slotFor(draft.traceId);
    Trace& trace = slot.trace;
    std::vector<std::string>& notes = m_notes;
    notes.clear();

    Span span;
    span.id = draft.spanId;
    span.parentId = draft.parentId;
    span.startNs = draft.startNs;
    span.durationNs = draft.durationNs;
    // Absurd but parseable times must not overflow start + duration anywhere downstream.
    const bool overflows = span.durationNs > 0 && span.startNs > std::numeric_limits<qint64>::max() - span.durationNs;
    if (overflows)
        span.durationNs = std::numeric_limits<qint64>::max() - std::max<qint64>(span.startNs, 0);
    span.service = trace.strings.intern(clip(draft.service, "service name", notes));
    span.operation = trace.strings.intern(clip(draft.operation, "span name", notes));
    span.kind = draft.kind;
    span.status = draft.status;
    span.problems = draft.problems;
    span.w3cFlags = draft.w3cFlags;
    span.statusMessage = trace.addText(clip(draft.statusMessage, "status message", notes));
    span.traceState = trace.addText(clip(draft.traceState, "trace state", notes));

    if (resource) {
        const auto [it, inserted] = slot.resourceBySerial.try_emplace(resource->serial(), trace.resources.size());
        if (inserted) {
            // Noted on the first span of the resource in this trace, not on every one.
            noteLimits(resource->attributes, "resource", notes);
            trace.resources.push_back(Resource { resource->attributes.commitTo(trace) });
        }
        span.resource = it->second;
    }
    if (scope) {
        const auto [it, inserted] = slot.scopeBySerial.try_emplace(scope->serial(), trace.scopes.size());
        if (inserted) {
            noteLimits(scope->attributes, "scope", notes);
            Scope s;
            s.name = trace.strings.intern(clip(scope->name, "scope name", notes));
            s.version = trace.addText(clip(scope->version, "scope version", notes));
            s.attributes = scope->attributes.commitTo(trace);
            trace.scopes.push_back(s);
        }
        span.scope = it->second;
    }

    noteLimits(draft.attributes, "span", notes);
    span.attributes = draft.attributes.commitTo(trace);

    // Event and link attributes go first so that each event's own range is contiguous.
    const auto eventsBegin = static_cast<quint32>(trace.events.size());
    for (const EventDraft& e : draft.events()) {
        Event event;
        event.timeNs = e.timeNs;
        event.name = trace.strings.intern(clip(e.name, "event name", notes));
        noteLimits(e.attributes, "event", notes);
        event.attributes = e.attributes.commitTo(trace);
        trace.events.push_back(event);
    }
    span.events = { eventsBegin, static_cast<quint32>(draft.events().size()) };

    const auto linksBegin = static_cast<quint32>(trace.links.size());
    for (const LinkDraft& l : draft.links()) {
        Link link;
        link.traceId = l.traceId;
        link.spanId = l.spanId;
        link.type = l.type;
        link.flags = l.flags;
        link.traceState = trace.addText(clip(l.traceState, "link trace state", notes));
        noteLimits(l.attributes, "link", notes);
        link.attributes = l.attributes.commitTo(trace);
        trace.links.push_back(link);
    }
    span.links = { linksBegin, static_cast<quint32>(draft.links().size()) };

    const auto warningsBegin = static_cast<quint32>(trace.warnings.size());
    for (const std::string& w : draft.warnings())
        trace.warnings.push_back(trace.addText(w));
    for (const std::string& w : notes)
        trace.warnings.push_back(trace.addText(w));
    if (overflows)
        trace.warnings.push_back(trace.addText("start + duration is past the year 2262; duration cut to fit"));
    span.warnings = { warningsBegin, static_cast<quint32>(trace.warnings.size() - warningsBegin) };

    trace.spans.push_back(span);
    ++m_spanCount;
}

std::vector<Trace> SpanBatch::takeTraces()
{
    std::vector<Trace> traces;
    traces.reserve(m_slots.size());
    for (auto& slot : m_slots)
        traces.push_back(std::move(slot.trace));
    m_slots.clear();
    m_index.clear();
    m_spanCount = 0;
    return traces;
}

} // namespace tracemap
