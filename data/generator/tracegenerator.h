#pragma once

#include "generator/plantedcause.h"
#include "model/trace.h"

#include <QString>
#include <QtGlobal>

#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace tracemap {

struct GeneratorOptions {
    /// Trace slots, one per traceIntervalNs on average. A RateDrop cause leaves some slots empty: fewer traces come
    /// out over the same time span.
    qint64 traces = 1000;
    int spansPerTrace = 50; // average; each trace varies by up to ±30 %, at least 1
    int services = 12; // services that emit spans; databases, caches and brokers come on top as peers
    quint64 seed = 1;
    qint64 startNs = 1767225600000000000; // 2026-01-01T00:00:00Z, so output does not depend on the clock
    qint64 traceIntervalNs = 20000000; // mean distance between trace starts
    quint64 idSalt = 0; // mixed into the trace ids only (writeGeneratedFile puts the output format here)
    /// At most kMaxCauses; without any the output is what it was before causes existed. Causes that
    /// TraceGenerator::checkCauses() rejects are ignored.
    std::vector<PlantedCause> causes;
};

/// A service of the generated graph and the operations of its entry spans, as the spans name them.
struct GeneratedService {
    std::string name;
    std::vector<std::string> operations;
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
///
/// Planted causes (GeneratorOptions::causes) change only the spans they affect and what depends on them: a slower
/// span delays its callers and its later siblings, a planted error may propagate to its callers, a dropped trace
/// is left out. Every other draw is the same as without them, so span ids, and the traces not touched, stay the
/// same; trace ids change, as with every option.
class TraceGenerator {
public:
    static constexpr size_t kMaxCauses = 16;

    explicit TraceGenerator(GeneratorOptions options);
    ~TraceGenerator();
    TraceGenerator(const TraceGenerator&) = delete;
    TraceGenerator& operator=(const TraceGenerator&) = delete;

    /// Fills `out` with the next trace; false once options().traces traces have been produced.
    bool next(Trace& out);

    const GeneratorOptions& options() const { return m_options; }
    /// Traces next() has produced.
    qint64 generatedTraces() const { return m_generated; }
    /// Trace slots a RateDrop cause left empty so far.
    qint64 droppedTraces() const { return m_dropped; }

    /// The services of the graph that `options` (seed and service count) give, the gateway first.
    static std::vector<GeneratedService> services(const GeneratorOptions& options);
    /// Whether `cause` names a service and operation of the graph of `options` and has sensible figures; the
    /// error says what is wrong, listing the services or operations there are.
    [[nodiscard]] static std::expected<void, QString> checkCause(
        const GeneratorOptions& options, const PlantedCause& cause);
    /// checkCause() for each of options.causes, and their number; the error names the cause by position.
    [[nodiscard]] static std::expected<void, QString> checkCauses(const GeneratorOptions& options);

private:
    struct Model;
    struct Builder;

    GeneratorOptions m_options;
    qint64 m_slots = 0;
    qint64 m_generated = 0;
    qint64 m_dropped = 0;
    std::vector<bool> m_seen; // per service: has it appeared in a trace yet
    qint64 m_unseen = 0;
    size_t m_firstUnseen = 0;
    std::unique_ptr<Model> m_model;
    std::unique_ptr<Builder> m_builder;
};

} // namespace tracemap
