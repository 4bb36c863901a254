#include "model/tracestore.h"

#include "model/traceassembler.h"

namespace tracemap {

void TraceStore::addTraces(std::vector<Trace> traces)
{
    QList<TraceId> changed;
    changed.reserve(static_cast<qsizetype>(traces.size()));
    for (Trace& part : traces) {
        auto& slot = m_traces[part.id];
        if (slot) {
            Trace merged = *slot;
            TraceAssembler::append(merged, part);
            TraceAssembler::assemble(merged);
            if (TraceAssembler::sameContent(merged, *slot))
                continue; // nothing new: the same spans again
            m_spanCount += merged.spans.size() - slot->spans.size();
            slot = std::make_shared<const Trace>(std::move(merged));
        } else {
            TraceAssembler::assemble(part);
            m_spanCount += part.spans.size();
            slot = std::make_shared<const Trace>(std::move(part));
        }
        changed.push_back(slot->id);
    }
    if (changed.empty())
        return;
    ++m_generation;
    Q_EMIT tracesChanged(changed);
}

std::shared_ptr<const Trace> TraceStore::trace(const TraceId& id) const
{
    const auto it = m_traces.find(id);
    return it == m_traces.end() ? nullptr : it->second;
}

} // namespace tracemap
