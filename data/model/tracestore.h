#pragma once

#include "model/trace.h"

#include <QList>
#include <QMetaType>
#include <QObject>

#include <memory>
#include <unordered_map>
#include <vector>

namespace tracemap {

/// The traces a session has open in memory, shared read-only with the views. Spans may keep arriving for a trace
/// already here (a file imported in parts, live ingest): addTraces() merges them into a new version of the trace
/// and swaps it in, so a view holding the old std::shared_ptr<const Trace> keeps a consistent picture until it
/// re-reads. Lives on the GUI thread; workers hand it assembled traces.
class TraceStore : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Adds or merges the traces (each may be a part of a trace already stored).
    void addTraces(std::vector<Trace> traces);
    std::shared_ptr<const Trace> trace(const TraceId& id) const;
    size_t traceCount() const { return m_traces.size(); }
    size_t spanCount() const { return m_spanCount; }
    /// Bumped by every change, so a worker's result computed from an older state can be recognised and dropped.
    quint64 generation() const { return m_generation; }

Q_SIGNALS:
    void tracesChanged(const QList<tracemap::TraceId>& changed);

private:
    std::unordered_map<TraceId, std::shared_ptr<const Trace>, TraceIdHash> m_traces;
    size_t m_spanCount = 0;
    quint64 m_generation = 0;
};

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::TraceId)
