#pragma once

#include "model/spanbatch.h"
#include "model/spandraft.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tracemap {

/// One Zipkin span as read from any encoding (v1 or v2 JSON, proto3), and how it becomes SpanDrafts: the readers
/// fill span() and call emit(), so every encoding maps tags, endpoints, shared spans and v1 halves the same way.
///
/// A v1 span, or a v2 span without a kind that carries v1 core annotations, is split the way Zipkin's
/// V1SpanConverter does: `cs`/`cr` give a CLIENT span, `sr`/`ss` a SERVER span under the same id (the assembler then
/// places the server under its client), `ms`/`mr` a PRODUCER/CONSUMER; other annotations become events and binary
/// annotations tags. The remote endpoint becomes peer.service / net.peer.ip / net.peer.port; the local endpoint's
/// service and ip the resource's service.name and host.ip.
class ZipkinSpanMapper {
public:
    struct Endpoint {
        std::string service;
        std::string ip;
        qint64 port = 0;
        bool isEmpty() const { return service.empty() && ip.empty() && port == 0; }
    };
    struct Annotation {
        qint64 timeNs = 0;
        std::string value;
        Endpoint endpoint;
        const char* position = nullptr;
    };
    struct Tag {
        std::string key;
        std::string value;
        Endpoint endpoint;
    };
    struct Span {
        TraceId traceId;
        SpanId id = 0;
        SpanId parentId = 0;
        std::string name;
        SpanKind kind = SpanKind::Unspecified;
        std::optional<qint64> timestampNs;
        std::optional<qint64> durationNs;
        Endpoint local;
        Endpoint remote;
        bool debug = false;
        bool shared = false;
        std::vector<Annotation> annotations;
        std::vector<Tag> tags;
    };

    explicit ZipkinSpanMapper(bool v1)
        : m_v1(v1)
    {
    }

    /// The span being read, reset by clear().
    Span& span() { return m_span; }
    void clear();
    /// Adds the span read (one SpanDraft, or one per half of a v1 span) to the batch.
    void emit(SpanBatch& batch);

    /// CLIENT, SERVER, PRODUCER, CONSUMER; anything else is Unspecified.
    static SpanKind kindFromName(std::string_view name);

private:
    void emitHalf(SpanBatch& batch, SpanKind kind, const Endpoint& local, const Endpoint* remote,
        std::optional<qint64> startNs, std::optional<qint64> durationNs, bool onlyHalf);
    ResourceDraft& resourceFor(const Endpoint& endpoint);

    bool m_v1;
    bool m_v1Style = false; // this span's timing is in core annotations (cs, sr, ms, wr, ...), which are not events
    Span m_span;
    SpanDraft m_draft;
    std::map<std::string, ResourceDraft> m_resources;
};

} // namespace tracemap
