#pragma once

#include "model/trace.h"

#include <QObject>
#include <QString>

#include <memory>

namespace tracemap {

/// The one selection every view reads: the trace in focus, the span selected in it and the service the tab is
/// narrowed to. Views set it and listen to it; they never call each other. A span is named by its index in the
/// trace's spans (kNoIndex for none); the service filter by name, so it holds across versions of the trace.
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

    /// The service every pane shows (with the ancestors of its spans); empty for all services.
    QString serviceFilter() const { return m_serviceFilter; }
    void setServiceFilter(const QString& service)
    {
        if (service == m_serviceFilter)
            return;
        m_serviceFilter = service;
        Q_EMIT serviceFilterChanged();
    }

Q_SIGNALS:
    void traceChanged();
    void spanChanged();
    void serviceFilterChanged();

private:
    std::shared_ptr<const Trace> m_trace;
    quint32 m_span = kNoIndex;
    QString m_serviceFilter;
};

} // namespace tracemap
