#pragma once

// Internal to the generator (servicegraph.cpp builds the graph, tracegenerator.cpp expands traces over it): the
// shapes of the synthetic service graph and of a trace's call tree, their names and constants.

#include "generator/fastrandom.h"
#include "generator/tracegenerator.h"
#include "model/ids.h"
#include "model/spandraft.h"

#include <QString>

#include <charconv>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

namespace generatordetail {

inline constexpr quint32 kNone = 0xffffffffu;
inline constexpr quint16 kNoStore = 0xffff;
inline constexpr quint16 kNoEndpoint = 0xffff;
inline constexpr int kMaxCallDepth = 7;
inline constexpr double kMaxCapacity = 1e9;

inline constexpr std::string_view kServiceNames[] = { "checkout", "cart", "payment", "inventory", "user", "search",
    "recommendation", "shipping", "auth", "notification", "pricing", "catalog", "order", "review", "currency", "email",
    "fraud-detection", "ad", "loyalty", "tax", "promotion", "wishlist", "media", "geo", "billing", "account", "session",
    "feature-flag", "quote", "analytics" };
inline constexpr std::string_view kNamePrefixes[]
    = { "ledger", "profile", "asset", "policy", "quota", "report", "routing", "token", "audit", "invoice", "coupon",
          "rating", "fulfillment", "warehouse", "returns", "subscription", "identity", "consent", "content", "locale",
          "settlement", "refund", "delivery", "vendor", "partner", "metrics", "export", "import", "schedule", "label" };
inline constexpr std::string_view kNameSuffixes[]
    = { "api", "worker", "sync", "store", "indexer", "manager", "resolver", "gateway", "processor", "registry" };
inline constexpr std::string_view kTopicNames[] = { "orders", "notifications", "inventory-updates", "payments",
    "user-events", "audit-log", "shipments", "price-changes" };
inline constexpr std::string_view kInternalOps[] = { "Service.validate", "Repository.find", "Mapper.toResponse",
    "Policy.evaluate", "Cache.lookup", "Serializer.encode", "Handler.authorize", "Service.enrich" };
inline constexpr std::string_view kCacheOps[] = { "GET", "SET", "HGETALL", "MGET", "EXPIRE", "DEL" };

struct Language {
    std::string_view name;
    std::string_view httpScope;
    std::string_view rpcScope;
    std::string_view scopeVersion;
    bool threads;
    std::string_view exceptionTypes[3];
    std::string_view timeoutMessage;
};

inline constexpr Language kLanguages[] = {
    { "go", "otelhttp", "otelgrpc", "0.58.0", false, { "*errors.errorString", "*net.OpError", "*url.Error" },
        "context deadline exceeded" },
    { "java", "io.opentelemetry.http", "io.opentelemetry.grpc", "2.10.0", true,
        { "java.lang.IllegalStateException", "java.net.SocketTimeoutException", "java.sql.SQLException" },
        "Read timed out" },
    { "python", "opentelemetry.flask", "opentelemetry.grpc", "0.49b0", false,
        { "ValueError", "ConnectionError", "KeyError" }, "timed out" },
    { "nodejs", "@opentelemetry/http", "@opentelemetry/grpc", "0.56.0", false, { "Error", "TypeError", "FetchError" },
        "ETIMEDOUT" },
    { "dotnet", "OpenTelemetry.AspNetCore", "OpenTelemetry.Grpc", "1.10.0", true,
        { "System.InvalidOperationException", "System.Net.Http.HttpRequestException", "System.TimeoutException" },
        "The operation was canceled." },
};

inline constexpr std::string_view kErrorMessages[]
    = { "connection refused", "upstream request timeout", "invalid state transition",
          "resource temporarily unavailable", "unexpected end of stream", "downstream dependency failed" };

enum class StoreKind : quint8 { Postgres, Mysql, Redis, Kafka };
enum class StepType : quint8 { Call, Database, Cache, Publish, Internal };
enum class NodeType : quint8 { Server, Client, Database, Cache, Internal, Wrapper, Producer, Consumer };

struct Datastore {
    StoreKind kind = StoreKind::Postgres;
    std::string name;
    std::string system;
    std::string address;
};

struct Step {
    StepType type = StepType::Internal;
    bool parallel = false; // starts together with the previous step
    bool loopParallel = false; // repetitions of this step run concurrently
    quint16 target = 0; // service for calls, topic for publishes, statement or operation index otherwise
    quint16 endpoint = kNoEndpoint; // of the called service; chosen by Model::connectUncalled
    double cost = 1;
};

struct Endpoint {
    std::string name;
    std::string method; // HTTP method or RPC method
    std::string route; // HTTP route or RPC service
    bool consumer = false;
    quint16 topic = 0;
    std::string wrapper;
    std::vector<Step> steps;
    double capacity = 1;
};

struct Statement {
    std::string name;
    std::string text;
    bool write = false;
};

struct Service {
    std::string name;
    std::string noun;
    std::string pascal;
    std::string version;
    std::string address;
    std::string host;
    qint64 pid = 0;
    const Language* language = nullptr;
    bool grpc = false;
    double errorRate = 0;
    double retryRate = 0;
    double latencyMs = 1;
    quint16 database = kNoStore;
    quint16 cache = kNoStore;
    std::string dbName;
    std::vector<Statement> statements;
    std::vector<std::string> internalOps;
    std::vector<Endpoint> endpoints;
    ResourceDraft resource;
    ScopeDraft scope;
};

struct Topic {
    std::string name;
    quint16 consumer = 0;
    quint16 endpoint = 0;
};

struct Node {
    quint32 parent = kNone;
    quint32 firstChild = kNone;
    quint32 lastChild = kNone;
    quint32 nextSibling = kNone;
    NodeType type = NodeType::Internal;
    bool parallel = false;
    bool async = false;
    bool error = false;
    bool retried = false; // a failed attempt that the caller retried
    bool resend = false;
    bool failed = false; // a planted error (PlantedCause::Kind::Errors), kept apart from `error` until timed
    quint16 carries = 0; // planted causes whose attribute the span carries (a bit per cause), inherited in-service
    quint16 service = 0;
    quint16 target = 0;
    quint16 endpoint = 0;
    quint16 detail = 0;
    qint64 pre = 0;
    qint64 post = 0;
    qint64 offset = 0;
    qint64 duration = 0;
    qint64 start = 0;
    SpanId id = 0;
};

inline std::string pascalCase(std::string_view name)
{
    std::string out;
    bool upper = true;
    for (char c : name) {
        if (c == '-' || c == '_') {
            upper = true;
            continue;
        }
        out.push_back(upper && c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c);
        upper = false;
    }
    return out;
}

inline void appendNumber(std::string& out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

inline std::string withNumber(std::string_view text, qint64 value)
{
    std::string out(text);
    appendNumber(out, value);
    return out;
}

inline std::string handlerName(std::string_view method, std::string_view route)
{
    if (method == "GET")
        return route.ends_with("{id}") ? "get" : "list";
    if (method == "POST")
        return route.ends_with("validate") ? "validate" : "create";
    return method == "PUT" ? "update" : "delete";
}

inline qint64 toNs(double ms)
{
    return static_cast<qint64>(ms * 1e6);
}

/// The service's value of a resource key a planted cause may replace; nullopt for other keys.
inline std::optional<std::string_view> ownResourceValue(const Service& s, std::string_view key)
{
    if (key == "service.version")
        return s.version;
    if (key == "host.name")
        return s.host;
    if (key == "telemetry.sdk.language")
        return s.language->name;
    return std::nullopt;
}

/// Adds the resource attributes of a service's spans; `value(key, own)` gives those ownResourceValue() knows.
template <typename Value> void addResourceAttributes(AttributeBuffer& a, const Service& s, Value&& value)
{
    a.addString("service.name", s.name);
    a.addString("service.version", value("service.version", s.version));
    a.addString("host.name", value("host.name", s.host));
    a.addInt("process.pid", s.pid);
    a.addString("telemetry.sdk.language", value("telemetry.sdk.language", s.language->name));
}

/// A PlantedCause checked against the service graph, in the terms the builder uses.
struct ResolvedCause {
    PlantedCause::Kind kind = PlantedCause::Kind::Latency;
    size_t index = 0; // in GeneratorOptions::causes: its draws depend on it, not on the causes before it
    quint16 service = 0;
    quint16 endpoint = kNoEndpoint; // all
    bool resource = false; // the attribute is a resource attribute (else one of the entry span)
    std::string key;
    std::string value;
    std::string normal;
    qint64 fromNs = 0;
    qint64 toNs = 0;
    double factor = 1;
    double share = 0;
    double background = 0;
    quint16 sameKey = 0; // causes of the same service with the same key, this one included
};

/// The cause at `index` of GeneratorOptions::causes against the services of the graph; the error says what is
/// wrong with it (plantedcause.cpp).
std::expected<ResolvedCause, QString> resolveCause(
    const std::vector<Service>& services, const GeneratorOptions& options, const PlantedCause& cause, size_t index);

} // namespace generatordetail

/// The service graph, fixed by the seed: services and their endpoints, datastores, topics, and who calls whom.
struct TraceGenerator::Model {
    std::vector<generatordetail::Service> services;
    std::vector<generatordetail::Datastore> stores;
    std::vector<generatordetail::Topic> topics;
    quint16 kafka = generatordetail::kNoStore;

    void build(const GeneratorOptions& options);
    void buildServices(FastRandom& rng, int count);
    void buildStores(FastRandom& rng);
    void buildStatements(FastRandom& rng, generatordetail::Service& service);
    void buildGatewayEndpoints(FastRandom& rng);
    void buildEndpoints(FastRandom& rng, quint16 index);
    void addLeafSteps(FastRandom& rng, quint16 index, generatordetail::Endpoint& endpoint, bool gateway);
    quint16 pickCallee(FastRandom& rng, quint16 caller) const;
    void connectUncalled(FastRandom& rng);
    void computeCapacities();
};

} // namespace tracemap
