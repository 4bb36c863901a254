#include "generator/servicegraph.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace tracemap {

using namespace generatordetail;

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

        s.host = s.name + '-';
        static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        for (int k = 0; k < 10; ++k)
            s.host.push_back(k == 5 ? '-' : alphabet[rng.below(36)]);
        s.pid = rng.between(1, 4000);
        addResourceAttributes(s.resource.attributes, s, [](std::string_view, std::string_view own) { return own; });
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

} // namespace tracemap
