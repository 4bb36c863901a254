#pragma once

#include "model/trace.h"

#include <QtGlobal>

#include <memory>
#include <vector>

namespace tracemap {

struct GeneratorOptions {
    qint64 traces = 1000;
    int spansPerTrace = 50; // average; each trace varies by up to ±30 %, at least 1
    int services = 12; // services that emit spans; databases, caches and brokers come on top as peers
    quint64 seed = 1;
    qint64 startNs = 1767225600000000000; // 2026-01-01T00:00:00Z, so output does not depend on the clock
    qint64 traceIntervalNs = 20000000; // mean distance between trace starts
    quint64 idSalt = 0; // mixed into the trace ids only (writeGeneratedFile puts the output format here)
};

/// Synthetic microservice traces: a service graph fixed by the seed (gateway, mid-tier services, databases, caches,
/// a broker), and per trace a call tree expanded from one gateway endpoint with client/server pairs, database and
/// cache calls, messaging, retries, errors and long-tail latencies. The same options give the same traces, byte
/// for byte. Streaming: one assembled trace per next() call; nothing is kept between traces but which services
/// have appeared.
///
/// Every one of `services` appears once there are enough traces (at least as many as services is always enough):
/// services the gateway's traces have not reached get traces rooted at them at the end. Trace ids depend on every
/// option, so files generated with different options can share a cache without sharing trace ids.
class TraceGenerator {
public:
    explicit TraceGenerator(GeneratorOptions options);
    ~TraceGenerator();
    TraceGenerator(const TraceGenerator&) = delete;
    TraceGenerator& operator=(const TraceGenerator&) = delete;

    /// Fills `out` with the next trace; false once options().traces traces have been produced.
    bool next(Trace& out);

    const GeneratorOptions& options() const { return m_options; }
    qint64 generatedTraces() const { return m_generated; }

private:
    struct Model;
    struct Builder;

    GeneratorOptions m_options;
    qint64 m_generated = 0;
    std::vector<bool> m_seen; // per service: has it appeared in a trace yet
    qint64 m_unseen = 0;
    size_t m_firstUnseen = 0;
    std::unique_ptr<Model> m_model;
    std::unique_ptr<Builder> m_builder;
};

} // namespace tracemap
