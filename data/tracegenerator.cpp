#include "tracegenerator.h"

#include "fastrandom.h"
#include "spanbatch.h"
#include "spandraft.h"
#include "traceassembler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace tracemap {

namespace {

constexpr quint32 kNone = 0xffffffffu;
constexpr quint16 kNoStore = 0xffff;
constexpr quint16 kNoEndpoint = 0xffff;
constexpr int kMaxCallDepth = 7;
constexpr double kMaxCapacity = 1e9;

constexpr std::string_view kServiceNames[] = { "checkout", "cart", "payment", "inventory", "user", "search",
    "recommendation", "shipping", "auth", "notification", "pricing", "catalog", "order", "review", "currency", "email",
    "fraud-detection", "ad", "loyalty", "tax", "promotion", "wishlist", "media", "geo", "billing", "account", "session",
    "feature-flag", "quote", "analytics" };
constexpr std::string_view kNamePrefixes[]
    = { "ledger", "profile", "asset", "policy", "quota", "report", "routing", "token", "audit", "invoice", "coupon",
          "rating", "fulfillment", "warehouse", "returns", "subscription", "identity", "consent", "content", "locale",
          "settlement", "refund", "delivery", "vendor", "partner", "metrics", "export", "import", "schedule", "label" };
constexpr std::string_view kNameSuffixes[]
    = { "api", "worker", "sync", "store", "indexer", "manager", "resolver", "gateway", "processor", "registry" };
constexpr std::string_view kTopicNames[] = { "orders", "notifications", "inventory-updates", "payments", "user-events",
    "audit-log", "shipments", "price-changes" };
constexpr std::string_view kInternalOps[] = { "Service.validate", "Repository.find", "Mapper.toResponse",
    "Policy.evaluate", "Cache.lookup", "Serializer.encode", "Handler.authorize", "Service.enrich" };
constexpr std::string_view kCacheOps[] = { "GET", "SET", "HGETALL", "MGET", "EXPIRE", "DEL" };

struct Language {
    std::string_view name;
    std::string_view httpScope;
    std::string_view rpcScope;
    std::string_view scopeVersion;
    bool threads;
    std::string_view exceptionTypes[3];
    std::string_view timeoutMessage;
};

constexpr Language kLanguages[] = {
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

constexpr std::string_view kErrorMessages[]
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

std::string pascalCase(std::string_view name)
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

void appendNumber(std::string& out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

std::string withNumber(std::string_view text, qint64 value)
{
    std::string out(text);
    appendNumber(out, value);
    return out;
}

std::string handlerName(std::string_view method, std::string_view route)
{
    if (method == "GET")
        return route.ends_with("{id}") ? "get" : "list";
    if (method == "POST")
        return route.ends_with("validate") ? "validate" : "create";
    return method == "PUT" ? "update" : "delete";
}

qint64 toNs(double ms)
{
    return static_cast<qint64>(ms * 1e6);
}

} // namespace

struct TraceGenerator::Model {
    std::vector<Service> services;
    std::vector<Datastore> stores;
    std::vector<Topic> topics;
    quint16 kafka = kNoStore;

    void build(const GeneratorOptions& options);
    void buildServices(FastRandom& rng, int count);
    void buildStores(FastRandom& rng);
    void buildStatements(FastRandom& rng, Service& service);
    void buildGatewayEndpoints(FastRandom& rng);
    void buildEndpoints(FastRandom& rng, quint16 index);
    void addLeafSteps(FastRandom& rng, quint16 index, Endpoint& endpoint, bool gateway);
    quint16 pickCallee(FastRandom& rng, quint16 caller) const;
    void connectUncalled(FastRandom& rng);
    void computeCapacities();
};

void TraceGenerator::Model::build(const GeneratorOptions& options)
{
    FastRandom rng(options.seed ^ 0x5eed5eed5eed5eedull);
    const int count = std::clamp(options.services, 1, 60000);
    services = std::vector<Service>(size_t(count));
    buildServices(rng, count);
    buildStores(rng);
    for (Service& service : services)
        buildStatements(rng, service);
    buildGatewayEndpoints(rng);
    for (quint16 i = 1; i < services.size(); ++i)
        buildEndpoints(rng, i);
    connectUncalled(rng);
    computeCapacities();
}

void TraceGenerator::Model::buildServices(FastRandom& rng, int count)
{
    std::vector<std::string_view> known(std::begin(kServiceNames), std::end(kServiceNames));
    for (size_t i = known.size(); i > 1; --i)
        std::swap(known[i - 1], known[rng.below(i)]);
    std::unordered_set<std::string> used { "frontend" };

    for (int i = 0; i < count; ++i) {
        Service& s = services[size_t(i)];
        if (i == 0) {
            s.name = "frontend";
        } else if (size_t(i - 1) < known.size()) {
            s.name = known[size_t(i - 1)];
        } else {
            do {
                s.name = std::string(kNamePrefixes[rng.below(std::size(kNamePrefixes))]) + '-'
                    + std::string(kNameSuffixes[rng.below(std::size(kNameSuffixes))]);
                if (used.contains(s.name))
                    s.name += '-' + std::to_string(i);
            } while (used.contains(s.name));
        }
        used.insert(s.name);
        s.noun = s.name.substr(0, s.name.find('-'));
        s.pascal = pascalCase(s.name);
        s.language = i == 0 ? &kLanguages[rng.chance(0.5) ? 0 : 3] : &kLanguages[rng.below(std::size(kLanguages))];
        s.grpc = i > 0 && rng.chance(0.35);
        s.version = withNumber("1.", rng.between(0, 24)) + '.' + std::to_string(rng.between(0, 9));
        s.address = s.name;
        s.latencyMs = std::clamp(rng.logNormal(1.2, 0.6), 0.2, 8.0);
        // Most services are healthy, a few are flaky: error rates vary per service.
        const bool flaky = i > 0 && rng.chance(0.15);
        s.errorRate = i == 0 ? 0.001 : flaky ? 0.03 + 0.05 * rng.uniform() : 0.002 + 0.013 * rng.uniform();
        s.retryRate = flaky ? 0.08 : 0.015;

        std::string host = s.name + '-';
        static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        for (int k = 0; k < 10; ++k)
            host.push_back(k == 5 ? '-' : alphabet[rng.below(36)]);
        s.resource.attributes.addString("service.name", s.name);
        s.resource.attributes.addString("service.version", s.version);
        s.resource.attributes.addString("host.name", host);
        s.resource.attributes.addInt("process.pid", rng.between(1, 4000));
        s.resource.attributes.addString("telemetry.sdk.language", s.language->name);
        s.scope.name = s.grpc ? s.language->rpcScope : s.language->httpScope;
        s.scope.version = s.language->scopeVersion;

        const quint64 firstOp = rng.below(std::size(kInternalOps));
        for (quint64 k = 0; k < 3; ++k) {
            const auto& op = kInternalOps[(firstOp + 3 * k) % std::size(kInternalOps)];
            s.internalOps.push_back(s.pascal + std::string(op));
        }
    }
}

void TraceGenerator::Model::buildStores(FastRandom& rng)
{
    const size_t n = services.size();
    int counts[4] = { 0, 0, 0, 0 };
    auto addStore = [&](StoreKind kind) {
        static constexpr std::string_view names[] = { "postgres", "mysql", "redis", "kafka" };
        static constexpr std::string_view ports[] = { ":5432", ":3306", ":6379", ":9092" };
        const int k = int(kind);
        Datastore store;
        store.kind = kind;
        store.system = names[k];
        store.name = std::string(names[k]) + (counts[k] ? '-' + std::to_string(counts[k] + 1) : std::string());
        store.address = store.name + std::string(ports[k]);
        ++counts[k];
        stores.push_back(std::move(store));
        return quint16(stores.size() - 1);
    };
    std::vector<quint16> databases { addStore(StoreKind::Postgres) };
    for (size_t i = 6; i < n; i += 6)
        databases.push_back(addStore(rng.chance(0.6) ? StoreKind::Postgres : StoreKind::Mysql));
    std::vector<quint16> caches { addStore(StoreKind::Redis) };
    for (size_t i = 12; i < n; i += 12)
        caches.push_back(addStore(StoreKind::Redis));
    if (n >= 4) {
        kafka = addStore(StoreKind::Kafka);
        const size_t topicCount = std::min<size_t>(std::size(kTopicNames), std::max<size_t>(1, n / 5));
        for (size_t t = 0; t < topicCount; ++t) {
            Topic topic;
            topic.name = kTopicNames[t];
            topic.consumer = quint16(rng.between(int(n / 2), int(n - 1)));
            topics.push_back(topic);
        }
    }

    for (size_t i = 0; i < n; ++i) {
        Service& s = services[i];
        if (i > 0 && rng.chance(0.7))
            s.database = databases[rng.below(databases.size())];
        if (rng.chance(i == 0 ? 1.0 : 0.4))
            s.cache = caches[rng.below(caches.size())];
    }
}

void TraceGenerator::Model::buildStatements(FastRandom& rng, Service& s)
{
    if (s.database == kNoStore)
        return;
    s.dbName = s.noun;
    const bool postgres = stores[s.database].kind == StoreKind::Postgres;
    auto param = [postgres](int n) { return postgres ? '$' + std::to_string(n) : std::string("?"); };
    static constexpr std::string_view tableSuffixes[] = { "s", "_items", "_events", "_history" };
    const int tableCount = rng.between(1, 3);
    for (int t = 0; t < tableCount; ++t) {
        const bool plural = t == 0 && s.dbName.ends_with('s');
        const std::string table = s.dbName + std::string(plural ? std::string_view() : tableSuffixes[t]);
        const std::string qualified = s.dbName + '.' + table;
        s.statements.push_back({ "SELECT " + qualified, "SELECT * FROM " + table + " WHERE id = " + param(1), false });
        s.statements.push_back({ "SELECT " + qualified,
            "SELECT id, status FROM " + table + " WHERE customer_id = " + param(1) + " LIMIT 20", false });
        s.statements.push_back({ "INSERT " + qualified,
            "INSERT INTO " + table + " (id, customer_id, status) VALUES (" + param(1) + ", " + param(2) + ", "
                + param(3) + ")",
            true });
        s.statements.push_back({ "UPDATE " + qualified,
            "UPDATE " + table + " SET status = " + param(1) + " WHERE id = " + param(2), true });
    }
}

quint16 TraceGenerator::Model::pickCallee(FastRandom& rng, quint16 caller) const
{
    // Calls only go to services with a higher index, so the graph is acyclic; nearby services are preferred so the
    // graph has depth rather than everything hanging off the gateway.
    const int n = int(services.size());
    const int first = caller + 1;
    const int last = std::min(n - 1, caller + 6);
    return quint16(first + std::min(rng.between(0, last - first), rng.between(0, last - first)));
}

void TraceGenerator::Model::addLeafSteps(FastRandom& rng, quint16 index, Endpoint& e, bool gateway)
{
    // Order of a handler: cache lookup, reads, the calls already in e.steps, some local work, a write.
    const Service& s = services[index];
    std::vector<Step> before;
    if (s.cache != kNoStore && rng.chance(gateway ? 0.8 : 0.5)) {
        Step step;
        step.type = StepType::Cache;
        step.target = quint16(rng.below(std::size(kCacheOps)));
        before.push_back(step);
    }
    const quint64 tables = s.statements.size() / 4;
    if (tables > 0) {
        const int reads = gateway ? rng.between(0, 1) : rng.between(1, 2);
        for (int r = 0; r < reads; ++r) {
            Step step;
            step.type = StepType::Database;
            step.target = quint16(4 * rng.below(tables) + rng.below(2));
            step.parallel = r > 0 && rng.chance(0.3);
            step.loopParallel = rng.chance(0.3);
            before.push_back(step);
        }
    }
    if (rng.chance(0.8)) {
        Step step;
        step.type = StepType::Internal;
        step.target = quint16(rng.below(s.internalOps.size()));
        before.insert(before.begin(), step);
    }
    e.steps.insert(e.steps.begin(), before.begin(), before.end());
    const int work = rng.between(1, 3);
    const quint64 firstOp = rng.below(s.internalOps.size());
    for (int k = 0; k < work; ++k) {
        Step step;
        step.type = StepType::Internal;
        step.target = quint16((firstOp + quint64(k)) % s.internalOps.size());
        step.loopParallel = rng.chance(0.3);
        e.steps.push_back(step);
    }
    if (tables > 0 && e.method != "GET" && rng.chance(0.7)) {
        Step step;
        step.type = StepType::Database;
        step.target = quint16(2 + 4 * rng.below(tables) + rng.below(2));
        e.steps.push_back(step);
    }
}

void TraceGenerator::Model::buildGatewayEndpoints(FastRandom& rng)
{
    static constexpr std::string_view templates[][2]
        = { { "GET", "/api/{n}" }, { "GET", "/api/{n}/{id}" }, { "POST", "/api/{n}" }, { "PUT", "/api/{n}/{id}" },
              { "GET", "/api/{n}/search" }, { "DELETE", "/api/{n}/{id}" } };
    const int n = int(services.size());
    const int count = std::clamp(3 + n / 3, 3, 12);
    std::unordered_set<std::string> names;
    Service& gateway = services[0];
    for (int i = 0; i < count; ++i) {
        Endpoint e;
        const quint16 primary = n > 1 ? quint16(1 + rng.below(std::max(1, std::min(n - 1, (n + 1) / 2)))) : 0;
        const std::string_view noun = n > 1 ? std::string_view(services[primary].noun) : "home";
        for (int attempt = 0; attempt < 12; ++attempt) {
            const auto& t = templates[attempt < 6 ? rng.below(std::size(templates)) : size_t(attempt - 6)];
            std::string route(t[1]);
            route.replace(route.find("{n}"), 3, noun);
            e.method = t[0];
            e.route = route;
            e.name = e.method + ' ' + e.route;
            if (!names.contains(e.name))
                break;
        }
        if (names.contains(e.name)) {
            e.route += "/v" + std::to_string(i);
            e.name = e.method + ' ' + e.route;
        }
        names.insert(e.name);
        if (n > 1) {
            if (n > 2 && rng.chance(0.6)) {
                Step auth;
                auth.type = StepType::Call;
                auth.target = quint16(1 + rng.below(quint64(std::min(n - 1, 3))));
                e.steps.push_back(auth);
            }
            Step call;
            call.type = StepType::Call;
            call.target = primary;
            e.steps.push_back(call);
            const int extra = rng.between(0, 2);
            for (int k = 0; k < extra; ++k) {
                Step more;
                more.type = StepType::Call;
                more.target = pickCallee(rng, 0);
                more.parallel = rng.chance(0.6);
                more.loopParallel = rng.chance(0.5);
                e.steps.push_back(more);
            }
        }
        addLeafSteps(rng, 0, e, true);
        gateway.endpoints.push_back(std::move(e));
    }
}

void TraceGenerator::Model::buildEndpoints(FastRandom& rng, quint16 index)
{
    static constexpr std::string_view httpTemplates[][2]
        = { { "GET", "/api/{n}/{id}" }, { "GET", "/api/{n}" }, { "POST", "/api/{n}" }, { "PUT", "/api/{n}/{id}" },
              { "GET", "/api/{n}/{id}/items" }, { "POST", "/api/{n}/{id}/validate" } };
    static constexpr std::string_view rpcTemplates[][2] = { { "GET", "Get" }, { "GET", "List" }, { "POST", "Create" },
        { "PUT", "Update" }, { "GET", "Check" }, { "POST", "Validate" } };
    Service& s = services[index];
    const int n = int(services.size());
    const int count = rng.between(2, 4);
    size_t order[6] = { 0, 1, 2, 3, 4, 5 };
    for (size_t i = 5; i > 0; --i)
        std::swap(order[i], order[rng.below(i + 1)]);

    for (int i = 0; i < count; ++i) {
        Endpoint e;
        if (s.grpc) {
            const auto& t = rpcTemplates[order[i]];
            e.method = std::string(t[1]) + s.pascal;
            e.route = "shop." + s.pascal + "Service";
            e.name = e.route + '/' + e.method;
        } else {
            const auto& t = httpTemplates[order[i]];
            e.method = t[0];
            e.route = t[1];
            e.route.replace(e.route.find("{n}"), 3, s.noun);
            e.name = e.method + ' ' + e.route;
        }
        if (rng.chance(s.language->threads ? 0.7 : 0.4))
            e.wrapper = s.pascal + "Controller." + (s.grpc ? e.method : handlerName(e.method, e.route));
        if (index + 1 < n) {
            const int calls = rng.between(0, 2);
            for (int k = 0; k < calls; ++k) {
                Step call;
                call.type = StepType::Call;
                call.target = pickCallee(rng, index);
                call.parallel = k > 0 && rng.chance(0.5);
                call.loopParallel = rng.chance(0.4);
                e.steps.push_back(call);
            }
        }
        addLeafSteps(rng, index, e, false);
        if (kafka != kNoStore && rng.chance(0.2)) {
            const quint16 topic = quint16(rng.below(topics.size()));
            if (topics[topic].consumer > index) {
                Step publish;
                publish.type = StepType::Publish;
                publish.target = topic;
                e.steps.push_back(publish);
            }
        }
        s.endpoints.push_back(std::move(e));
    }

    for (quint16 t = 0; t < topics.size(); ++t) {
        if (topics[t].consumer != index)
            continue;
        Endpoint e;
        e.consumer = true;
        e.topic = t;
        e.method = "process";
        e.name = "process " + topics[t].name;
        addLeafSteps(rng, index, e, false);
        topics[t].endpoint = quint16(s.endpoints.size());
        s.endpoints.push_back(std::move(e));
    }
}

void TraceGenerator::Model::connectUncalled(FastRandom& rng)
{
    // Random callees leave some services without a caller, called only from endpoints nothing calls, or reachable
    // only deeper than kMaxCallDepth: those would never appear in a trace. Each gets a call from an endpoint that
    // is reached, close enough to the gateway. This is also where each call picks its callee's endpoint. Callers
    // always have lower indices, so in index order an endpoint's depth is final before it is used.
    constexpr int kUnreached = std::numeric_limits<int>::max();
    constexpr int kDeepest = kMaxCallDepth - 2;
    const size_t n = services.size();
    std::vector<std::vector<int>> depth(n);
    for (size_t i = 0; i < n; ++i)
        depth[i].assign(services[i].endpoints.size(), i == 0 ? 0 : kUnreached);
    auto shallowest = [&](size_t service) {
        int best = kUnreached;
        for (int d : depth[service])
            best = std::min(best, d);
        return best;
    };
    auto pickEndpoint = [&](size_t service) {
        const std::vector<Endpoint>& endpoints = services[service].endpoints;
        auto e = size_t(rng.below(endpoints.size()));
        while (endpoints[e].consumer)
            e = (e + 1) % endpoints.size();
        return quint16(e);
    };
    for (size_t t = 0; t < n; ++t) {
        if (shallowest(t) > kDeepest) {
            size_t caller = t - 1 - size_t(rng.below(std::min<size_t>(t, 6)));
            for (int attempt = 0; attempt < 8 && shallowest(caller) >= kDeepest; ++attempt)
                caller = size_t(rng.below(t));
            if (shallowest(caller) >= kDeepest)
                caller = 0;
            const int callerDepth = shallowest(caller);
            const auto from
                = size_t(std::find(depth[caller].begin(), depth[caller].end(), callerDepth) - depth[caller].begin());
            Step call;
            call.type = StepType::Call;
            call.target = quint16(t);
            call.endpoint = pickEndpoint(t);
            call.parallel = rng.chance(0.3);
            std::vector<Step>& steps = services[caller].endpoints[from].steps;
            steps.insert(steps.begin() + qsizetype(rng.below(steps.size() + 1)), call);
            depth[t][call.endpoint] = callerDepth + 1;
        }
        for (size_t e = 0; e < services[t].endpoints.size(); ++e) {
            for (Step& step : services[t].endpoints[e].steps) {
                if (step.type == StepType::Call && step.endpoint == kNoEndpoint)
                    step.endpoint = pickEndpoint(step.target);
                if (depth[t][e] == kUnreached)
                    continue;
                if (step.type == StepType::Call) {
                    int& d = depth[step.target][step.endpoint];
                    d = std::min(d, depth[t][e] + 1);
                } else if (step.type == StepType::Publish) {
                    const Topic& topic = topics[step.target];
                    int& d = depth[topic.consumer][topic.endpoint];
                    d = std::min(d, depth[t][e] + 1);
                }
            }
        }
    }
}

void TraceGenerator::Model::computeCapacities()
{
    for (size_t i = services.size(); i-- > 0;) {
        for (Endpoint& e : services[i].endpoints) {
            double capacity = e.wrapper.empty() ? 1 : 2;
            for (Step& step : e.steps) {
                if (step.type == StepType::Call) {
                    const Service& callee = services[step.target];
                    step.cost = 1 + callee.endpoints[step.endpoint].capacity;
                } else if (step.type == StepType::Publish) {
                    const Topic& topic = topics[step.target];
                    step.cost = 1 + services[topic.consumer].endpoints[topic.endpoint].capacity;
                } else {
                    step.cost = 1;
                }
                capacity = std::min(kMaxCapacity, capacity + step.cost);
            }
            e.capacity = capacity;
        }
    }
}

struct TraceGenerator::Builder {
    explicit Builder(const Model& model, quint64 seed)
        : model(model)
        , rng(seed)
    {
    }

    const Model& model;
    FastRandom rng;
    TraceId idKey; // mixed into every trace id, so different options never give the same ids
    std::vector<Node> nodes;
    SpanBatch batch;
    SpanDraft draft;
    TraceId traceId;
    qint64 customerId = 0;
    std::string scratch;

    void build(qint64 startNs, qint64 budget, quint16 rootService);
    quint32 addNode(quint32 parent, NodeType type, quint16 service, bool parallel);
    void expand(quint32 node, quint16 service, quint16 endpoint, qint64 budget, int depth);
    qint64 addCall(quint32 parent, quint16 service, const Step& step, qint64 share, bool parallel, int depth);
    void fillInternal(quint32 parent, quint16 service, qint64 count);
    void time(qint64 startNs);
    qint64 selfTime(double medianMs, double sigma);
    void emit(const Node& node);
    void addException(std::string_view type, std::string_view message);
};

quint32 TraceGenerator::Builder::addNode(quint32 parent, NodeType type, quint16 service, bool parallel)
{
    const auto index = quint32(nodes.size());
    Node& node = nodes.emplace_back();
    node.parent = parent;
    node.type = type;
    node.service = service;
    node.parallel = parallel;
    node.id = rng.nonZero();
    if (parent != kNone) {
        Node& p = nodes[parent];
        if (p.lastChild == kNone)
            p.firstChild = index;
        else
            nodes[p.lastChild].nextSibling = index;
        p.lastChild = index;
    }
    return index;
}

void TraceGenerator::Builder::fillInternal(quint32 parent, quint16 service, qint64 count)
{
    const Service& s = model.services[service];
    for (qint64 i = 0; i < count; ++i) {
        const quint32 leaf = addNode(parent, NodeType::Internal, service, false);
        nodes[leaf].detail = quint16(rng.below(s.internalOps.size()));
    }
}

qint64 TraceGenerator::Builder::addCall(
    quint32 parent, quint16 service, const Step& step, qint64 share, bool parallel, int depth)
{
    qint64 used = 0;
    if (step.type == StepType::Publish) {
        const Topic& topic = model.topics[step.target];
        const quint32 producer = addNode(parent, NodeType::Producer, service, parallel);
        nodes[producer].target = step.target;
        const quint32 consumer = addNode(producer, NodeType::Consumer, topic.consumer, false);
        nodes[consumer].async = true;
        nodes[consumer].endpoint = topic.endpoint;
        nodes[consumer].target = step.target;
        nodes[consumer].error = rng.chance(model.services[topic.consumer].errorRate);
        expand(consumer, topic.consumer, topic.endpoint, share - 1, depth + 1);
        return share;
    }
    const Service& callee = model.services[step.target];
    if (share >= 4 && rng.chance(callee.retryRate)) {
        // A failed attempt: either the server answered with an error fast, or the client gave up waiting.
        const quint32 attempt = addNode(parent, NodeType::Client, service, parallel);
        nodes[attempt].target = step.target;
        nodes[attempt].endpoint = step.endpoint;
        nodes[attempt].error = nodes[attempt].retried = true;
        used = 1;
        parallel = false;
        if (rng.chance(0.6)) {
            const quint32 server = addNode(attempt, NodeType::Server, step.target, false);
            nodes[server].endpoint = step.endpoint;
            nodes[server].error = true;
            nodes[server].detail = 1;
            used = 2;
        }
    }
    const quint32 client = addNode(parent, NodeType::Client, service, parallel);
    nodes[client].target = step.target;
    nodes[client].endpoint = step.endpoint;
    nodes[client].resend = used > 0;
    const quint32 server = addNode(client, NodeType::Server, step.target, false);
    nodes[server].endpoint = step.endpoint;
    nodes[server].error = rng.chance(callee.errorRate);
    expand(server, step.target, step.endpoint, share - used - 1, depth + 1);
    return share;
}

void TraceGenerator::Builder::expand(quint32 node, quint16 service, quint16 endpoint, qint64 budget, int depth)
{
    const Endpoint& e = model.services[service].endpoints[endpoint];
    qint64 remaining = budget - 1;
    quint32 parent = node;
    if (!e.wrapper.empty() && remaining >= 2) {
        parent = addNode(node, NodeType::Wrapper, service, false);
        --remaining;
    }
    if (remaining <= 0)
        return;

    const bool callsAllowed = depth < kMaxCallDepth;
    auto usable = [callsAllowed](const Step& step) {
        return callsAllowed || (step.type != StepType::Call && step.type != StepType::Publish);
    };
    double total = 0;
    double callCost = 0;
    qint64 leaves = 0;
    for (const Step& step : e.steps) {
        if (!usable(step))
            continue;
        total += step.cost;
        if (step.type == StepType::Call || step.type == StepType::Publish)
            callCost += step.cost;
        else
            ++leaves;
    }
    if (total <= 0) {
        fillInternal(parent, service, remaining);
        return;
    }

    // Shares are handed out with the rounding error carried forward, so the subtree gets exactly its budget. A
    // budget above the natural size repeats steps (loops, N+1 queries). One below it keeps the handler's own work
    // and truncates the calls, so that the budget is not all spent on client/server pairs.
    const bool shrink = remaining < total && remaining >= leaves && callCost > 0;
    const double leafScale = shrink ? 1.0 : double(remaining) / total;
    const double callScale = shrink ? double(remaining - leaves) / callCost : leafScale;
    double wanted = 0;
    qint64 used = 0;
    for (const Step& step : e.steps) {
        if (!usable(step))
            continue;
        const bool call = step.type == StepType::Call || step.type == StepType::Publish;
        wanted += step.cost * (call ? callScale : leafScale);
        const qint64 share = std::llround(wanted) - used;
        if (share <= 0)
            continue;
        if (call) {
            if (share < 2)
                continue;
            const qint64 unit = qint64(std::min(step.cost, 1e12));
            qint64 repeats = 1;
            if (share >= 3 * unit)
                repeats = std::min<qint64>(1 + qint64(rng.below(quint64(share / unit))), 8);
            qint64 left = share;
            for (qint64 r = 0; r < repeats; ++r) {
                const qint64 part = r + 1 == repeats ? left : share / repeats;
                const bool parallel = r == 0 ? step.parallel : step.loopParallel;
                addCall(parent, service, step, part, parallel, depth);
                left -= part;
            }
            used += share;
        } else {
            for (qint64 r = 0; r < share; ++r) {
                const NodeType type = step.type == StepType::Database ? NodeType::Database
                    : step.type == StepType::Cache                    ? NodeType::Cache
                                                                      : NodeType::Internal;
                const quint32 leaf = addNode(parent, type, service, r == 0 ? step.parallel : step.loopParallel);
                nodes[leaf].detail = step.target;
                if (type == NodeType::Database)
                    nodes[leaf].error = rng.chance(0.002);
                else if (type == NodeType::Cache)
                    nodes[leaf].error = rng.chance(0.001);
            }
            used += share;
        }
    }
    if (used < remaining)
        fillInternal(parent, service, remaining - used);
}

qint64 TraceGenerator::Builder::selfTime(double medianMs, double sigma)
{
    double ms = rng.logNormal(medianMs, sigma);
    if (rng.chance(0.004))
        ms *= 10 + 40 * rng.uniform();
    return std::max<qint64>(1000, toNs(ms));
}

void TraceGenerator::Builder::time(qint64 startNs)
{
    for (size_t i = nodes.size(); i-- > 0;) {
        Node& n = nodes[i];
        const Service& s = model.services[n.service];
        switch (n.type) {
        case NodeType::Server:
        case NodeType::Consumer:
            n.pre = n.detail == 1 ? selfTime(0.3, 0.5) : selfTime(s.latencyMs * 0.35, 0.5);
            n.post = selfTime(s.latencyMs * 0.15, 0.5);
            break;
        case NodeType::Client:
            n.pre = n.retried && n.firstChild == kNone ? selfTime(30, 0.3) : selfTime(0.25, 0.4);
            n.post = selfTime(0.15, 0.4);
            break;
        case NodeType::Wrapper:
            n.pre = selfTime(0.05, 0.5);
            n.post = selfTime(0.03, 0.5);
            break;
        case NodeType::Database: {
            const bool write = s.statements[n.detail].write;
            n.pre = selfTime(write ? 2.0 : 0.9, 0.7);
            break;
        }
        case NodeType::Cache:
            n.pre = selfTime(0.2, 0.5);
            break;
        case NodeType::Internal:
            n.pre = selfTime(s.latencyMs * 0.3, 0.8);
            break;
        case NodeType::Producer:
            n.pre = selfTime(0.6, 0.5);
            break;
        }

        qint64 groupStart = n.pre;
        qint64 groupEnd = n.pre;
        bool first = true;
        bool childFailed = false;
        for (quint32 c = n.firstChild; c != kNone; c = nodes[c].nextSibling) {
            Node& child = nodes[c];
            if (child.async) {
                child.offset = n.pre / 2 + toNs(rng.logNormal(4, 1));
                continue;
            }
            if (child.parallel && !first) {
                child.offset = groupStart + qint64(rng.below(30000));
            } else {
                groupStart = groupEnd + (first ? 0 : qint64(rng.logNormal(0.02, 0.5) * 1e6));
                child.offset = groupStart;
            }
            first = false;
            groupEnd = std::max(groupEnd, child.offset + child.duration);
            childFailed = childFailed || (child.error && !child.retried);
        }
        n.duration = groupEnd + n.post;

        if (n.type == NodeType::Client && n.firstChild != kNone && nodes[n.firstChild].error)
            n.error = true;
        else if (childFailed && !n.error && n.type != NodeType::Client)
            n.error = rng.chance(n.type == NodeType::Wrapper ? 0.8 : 0.5);
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
        Node& n = nodes[i];
        n.start = n.parent == kNone ? startNs : nodes[n.parent].start + n.offset;
    }
}

void TraceGenerator::Builder::addException(std::string_view type, std::string_view message)
{
    draft.status = StatusCode::Error;
    draft.statusMessage = message;
    EventDraft& event = draft.addEvent();
    event.timeNs = draft.startNs + draft.durationNs - std::min<qint64>(draft.durationNs, 50000);
    event.name = "exception";
    event.attributes.addString("exception.type", type);
    event.attributes.addString("exception.message", message);
}

void TraceGenerator::Builder::emit(const Node& n)
{
    const Service& s = model.services[n.service];
    draft.clear();
    draft.traceId = traceId;
    draft.spanId = n.id;
    draft.parentId = n.parent == kNone ? 0 : nodes[n.parent].id;
    draft.startNs = n.start;
    draft.durationNs = n.duration;
    draft.service = s.name;
    AttributeBuffer& a = draft.attributes;
    const std::string_view exceptionType = s.language->exceptionTypes[n.id % 3];
    const std::string_view message = kErrorMessages[(n.id >> 8) % std::size(kErrorMessages)];

    switch (n.type) {
    case NodeType::Server:
    case NodeType::Consumer: {
        const Endpoint& e = s.endpoints[n.endpoint];
        draft.operation = e.name;
        if (n.type == NodeType::Consumer) {
            const Topic& topic = model.topics[n.target];
            draft.kind = SpanKind::Consumer;
            a.addString("messaging.system", "kafka");
            a.addString("messaging.destination.name", topic.name);
            a.addString("messaging.operation", "process");
            LinkDraft& link = draft.addLink();
            link.traceId = traceId;
            link.spanId = draft.parentId;
        } else if (s.grpc) {
            draft.kind = SpanKind::Server;
            a.addString("rpc.system", "grpc");
            a.addString("rpc.method", e.method);
            a.addInt("rpc.grpc.status_code", n.error ? (n.detail == 1 ? 14 : 13) : 0);
        } else {
            draft.kind = SpanKind::Server;
            a.addString("http.request.method", e.method);
            a.addString("http.route", e.route);
            if (n.parent == kNone) {
                scratch = e.route;
                if (const size_t p = scratch.find("{id}"); p != std::string::npos)
                    scratch.replace(p, 4, std::to_string(10000 + (n.id >> 40) % 90000));
                a.addString("url.path", scratch);
            }
            a.addInt("http.response.status_code",
                n.error                  ? (n.detail == 1 ? 503 : 500)
                    : e.method == "POST" ? 201
                                         : 200);
        }
        if (n.parent == kNone)
            a.addString("enduser.id", withNumber("customer-", customerId));
        if (s.language->threads)
            a.addInt("thread.id", qint64(20 + n.id % 180));
        if (n.error)
            addException(exceptionType, n.detail == 1 ? "service unavailable" : message);
        break;
    }
    case NodeType::Client: {
        const Service& callee = model.services[n.target];
        const Endpoint& e = callee.endpoints[n.endpoint];
        draft.operation = e.name;
        draft.kind = SpanKind::Client;
        if (callee.grpc) {
            a.addString("rpc.system", "grpc");
        } else {
            a.addString("http.request.method", e.method);
            a.addString("server.address", callee.address);
        }
        a.addString("peer.service", callee.name);
        const bool timedOut = n.retried && n.firstChild == kNone;
        if (!timedOut) {
            if (callee.grpc)
                a.addInt("rpc.grpc.status_code", n.error ? (n.retried ? 14 : 13) : 0);
            else
                a.addInt("http.response.status_code",
                    n.error                  ? (n.retried ? 503 : 500)
                        : e.method == "POST" ? 201
                                             : 200);
        }
        if (n.resend)
            a.addInt("http.request.resend_count", 1);
        if (n.error) {
            draft.status = StatusCode::Error;
            draft.statusMessage = timedOut ? s.language->timeoutMessage
                : n.retried                ? "503 Service Unavailable"
                                           : "500 Internal Server Error";
        }
        break;
    }
    case NodeType::Database: {
        const Datastore& store = model.stores[s.database];
        const Statement& statement = s.statements[n.detail];
        draft.operation = statement.name;
        draft.kind = SpanKind::Client;
        a.addString("db.system", store.system);
        a.addString("db.name", s.dbName);
        a.addString("db.statement", statement.text);
        a.addString("peer.service", store.name);
        if (n.error)
            addException(exceptionType,
                store.kind == StoreKind::Mysql ? "Lock wait timeout exceeded; try restarting transaction"
                                               : "deadlock detected");
        break;
    }
    case NodeType::Cache: {
        const Datastore& store = model.stores[s.cache];
        const std::string_view op = kCacheOps[n.detail];
        draft.operation = op;
        draft.kind = SpanKind::Client;
        a.addString("db.system", "redis");
        scratch.assign(op);
        scratch += ' ';
        scratch += s.noun;
        scratch += ':';
        appendNumber(scratch, customerId);
        a.addString("db.statement", scratch);
        a.addString("peer.service", store.name);
        if (n.error)
            addException(exceptionType, "connection reset by peer");
        break;
    }
    case NodeType::Internal:
        draft.operation = s.internalOps[n.detail];
        draft.kind = SpanKind::Internal;
        break;
    case NodeType::Wrapper:
        draft.operation = s.endpoints[nodes[n.parent].endpoint].wrapper;
        draft.kind = SpanKind::Internal;
        if (n.error)
            addException(exceptionType, message);
        break;
    case NodeType::Producer: {
        const Topic& topic = model.topics[n.target];
        draft.operation = "publish " + topic.name;
        draft.kind = SpanKind::Producer;
        a.addString("messaging.system", "kafka");
        a.addString("messaging.destination.name", topic.name);
        a.addString("peer.service", model.stores[model.kafka].name);
        break;
    }
    }
    batch.add(draft, &s.resource, &s.scope);
}

void TraceGenerator::Builder::build(qint64 startNs, qint64 budget, quint16 rootService)
{
    nodes.clear();
    // XOR with a constant keeps the ids of one file distinct; the ids still come from the seeded stream, so the
    // traces themselves do not change with idKey.
    traceId.high = rng.nonZero() ^ idKey.high;
    traceId.low = rng.nonZero() ^ idKey.low;
    if (!traceId.isValid())
        traceId.low = 1;
    customerId = 100000 + qint64(rng.below(900000));
    const Service& service = model.services[rootService];
    const auto count = quint64(service.endpoints.size());
    auto endpoint = quint16(std::min(rng.below(count), rng.below(count)));
    while (service.endpoints[endpoint].consumer)
        endpoint = quint16((endpoint + 1) % count);
    const quint32 root = addNode(kNone, NodeType::Server, rootService, false);
    nodes[root].endpoint = endpoint;
    nodes[root].error = rng.chance(service.errorRate);
    expand(root, rootService, endpoint, budget, 0);
    time(startNs);
    for (const Node& node : nodes)
        emit(node);
}

namespace {

TraceId idKeyOf(const GeneratorOptions& o)
{
    quint64 state = 0x7261636d61704964ull;
    quint64 key = 0;
    for (const quint64 v : { o.seed, quint64(o.traces), quint64(o.spansPerTrace), quint64(o.services),
             quint64(o.startNs), quint64(o.traceIntervalNs), o.idSalt }) {
        state ^= v;
        key = FastRandom::splitMix(state);
    }
    return TraceId { key, FastRandom::splitMix(state) };
}

} // namespace

TraceGenerator::TraceGenerator(GeneratorOptions options)
    : m_options(options)
    , m_model(std::make_unique<Model>())
{
    m_model->build(m_options);
    m_builder = std::make_unique<Builder>(*m_model, m_options.seed);
    m_builder->idKey = idKeyOf(m_options);
    m_seen.assign(m_model->services.size(), false);
    m_unseen = qint64(m_seen.size());
}

TraceGenerator::~TraceGenerator() = default;

bool TraceGenerator::next(Trace& out)
{
    if (m_generated >= m_options.traces)
        return false;
    Builder& b = *m_builder;
    const qint64 interval = std::max<qint64>(1, m_options.traceIntervalNs);
    const qint64 startNs = m_options.startNs + m_generated * interval + qint64(b.rng.below(quint64(interval)));
    const int mean = std::max(1, m_options.spansPerTrace);
    const qint64 budget = std::max<qint64>(1, std::llround(mean * (0.7 + 0.6 * b.rng.uniform())));
    // Every service should show up. Those the gateway's traces have not reached by the time the remaining traces
    // are just enough get traces of their own (a scheduled job, an admin call), starting at that service.
    quint16 rootService = 0;
    if (m_unseen > 0 && m_options.traces - m_generated <= m_unseen) {
        while (m_seen[m_firstUnseen])
            ++m_firstUnseen;
        rootService = quint16(m_firstUnseen);
    }
    b.build(startNs, budget, rootService);
    for (const Node& node : b.nodes) {
        if (!m_seen[node.service]) {
            m_seen[node.service] = true;
            --m_unseen;
        }
    }
    std::vector<Trace> traces = b.batch.takeTraces();
    out = std::move(traces.front());
    TraceAssembler::assemble(out);
    ++m_generated;
    return true;
}

} // namespace tracemap
