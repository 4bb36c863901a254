#pragma once

#include "model/spandraft.h"
#include "model/trace.h"

#include <unordered_map>
#include <vector>

namespace tracemap {

/// Spans read from a source, grouped by trace, not yet assembled. Importers add() one SpanDraft at a time; the
/// import pipeline takes the traces when the batch is large enough or the source ends.
class SpanBatch {
public:
    /// Copies the span into the trace it belongs to, storing its resource and scope once per trace.
    void add(const SpanDraft& span, const ResourceDraft* resource = nullptr, const ScopeDraft* scope = nullptr);

    size_t spanCount() const { return m_spanCount; }
    size_t traceCount() const { return m_slots.size(); }
    bool isEmpty() const { return m_spanCount == 0; }

    /// The raw traces in the order they were first seen; leaves the batch empty.
    std::vector<Trace> takeTraces();

    /// Texts cut and attributes dropped at the limits of model/inputlimits.h since the batch was made (not reset by
    /// takeTraces); each also left a warning on its span.
    size_t truncations() const { return m_truncations; }

private:
    struct TraceSlot {
        Trace trace;
        std::unordered_map<quint64, quint32> resourceBySerial;
        std::unordered_map<quint64, quint32> scopeBySerial;
    };
    TraceSlot& slotFor(const TraceId& id);
    /// text within limits::kMaxTextBytes; a cut is noted in `notes` for the span's warnings.
    std::string_view clip(std::string_view text, const char* what, std::vector<std::string>& notes);
    void noteLimits(const AttributeBuffer& attributes, const char* where, std::vector<std::string>& notes);

    std::vector<TraceSlot> m_slots;
    std::unordered_map<TraceId, size_t, TraceIdHash> m_index;
    size_t m_spanCount = 0;
    size_t m_truncations = 0;
    std::vector<std::string> m_notes; // the warnings of the span being added, reused
};

} // namespace tracemap
