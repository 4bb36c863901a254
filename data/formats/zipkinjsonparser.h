#pragma once

#include "formats/jsonformatparser.h"

#include <simdjson.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tracemap {

/// Zipkin JSON, v2 (`localEndpoint`, `kind`, `tags`) and v1 (`annotations` with endpoints, `binaryAnnotations`).
/// A v1 span, or a v2 span without a kind that carries v1 core annotations, is split the way Zipkin's
/// V1SpanConverter does: `cs`/`cr` give a CLIENT span, `sr`/`ss` a SERVER span under the same id (the
/// assembler then places the server under its client), `ms`/`mr` a PRODUCER/CONSUMER; other annotations become
/// events and binary annotations tags. The remote endpoint becomes peer.service / net.peer.ip / net.peer.port.
class ZipkinJsonParser final : public JsonFormatParser {
public:
    enum class Version { V1, V2 };
    explicit ZipkinJsonParser(Version version);
    void parseRecord(std::string_view record, SpanBatch& batch) override;

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

private:
    void readSpan(simdjson::ondemand::object span, SpanBatch& batch);
    void readEndpoint(simdjson::ondemand::value v, Endpoint& out);
    void emit(SpanBatch& batch);
    void emitHalf(SpanBatch& batch, SpanKind kind, const Endpoint& local, const Endpoint* remote,
        std::optional<qint64> startNs, std::optional<qint64> durationNs, bool onlyHalf);
    ResourceDraft& resourceFor(const Endpoint& endpoint);

    Version m_version;
    simdjson::ondemand::parser m_parser;
    std::map<std::string, ResourceDraft> m_resources;
    SpanDraft m_draft;

    // The span being read.
    TraceId m_traceId;
    SpanId m_id = 0;
    SpanId m_parentId = 0;
    std::string m_name;
    SpanKind m_kind = SpanKind::Unspecified;
    std::optional<qint64> m_timestamp;
    std::optional<qint64> m_duration;
    Endpoint m_local;
    Endpoint m_remote;
    bool m_debug = false;
    bool m_shared = false;
    bool m_v1Style = false; // its timing is in core annotations (cs, sr, ms, wr, ...), which are not events
    std::vector<Annotation> m_annotations;
    std::vector<Tag> m_tags;
};

} // namespace tracemap
