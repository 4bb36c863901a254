#pragma once

#include "trace.h"

#include <QObject>

#include <memory>

namespace tracemap {

/// The one selection every view reads: the trace in focus and the span selected in it. Views set it and listen to
/// it; they never call each other. A span is named by its index in the trace's spans (kNoIndex for none).
class TraceSelection : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    std::shared_ptr<const Trace> trace() const { return m_trace; }
    quint32 spanIndex() const { return m_span; }
    const Span* span() const { return m_trace && m_span < m_trace->spans.size() ? &m_trace->spans[m_span] : nullptr; }

    /// Changes the trace (and clears the span) unless it is the same trace object.
    void setTrace(std::shared_ptr<const Trace> trace)
    {
        if (trace == m_trace)
            return;
        m_trace = std::move(trace);
        m_span = kNoIndex;
        Q_EMIT traceChanged();
        Q_EMIT spanChanged();
    }

    void setSpanIndex(quint32 index)
    {
        if (!m_trace || index >= m_trace->spans.size())
            index = kNoIndex;
        if (index == m_span)
            return;
        m_span = index;
        Q_EMIT spanChanged();
    }

Q_SIGNALS:
    void traceChanged();
    void spanChanged();

private:
    std::shared_ptr<const Trace> m_trace;
    quint32 m_span = kNoIndex;
};

} // namespace tracemap
