#include "generator/tracegenerator.h"

#include "generator/fastrandom.h"
#include "generator/servicegraph.h"
#include "model/spanbatch.h"
#include "model/spandraft.h"
#include "model/traceassembler.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tracemap {

using namespace generatordetail;

namespace {

// What a draw of a planted cause decides; each is hashed with the span id, apart from the generator's stream.
enum class Draw : quint64 {
    Carry = 0x63617272794b6579ull,
    Fail = 0x6661696c4b657931ull,
    Propagate = 0x70726f7061676174ull,
    Keep = 0x6b6565704b657931ull,
};

/// Uniform in [0, 1), a function of the span id, the cause and what is drawn.
double unitHash(SpanId id, size_t cause, Draw draw)
{
    quint64 state = id ^ (quint64(cause) << 56) ^ quint64(draw);
    return double(FastRandom::splitMix(state) >> 11) * 0x1.0p-53;
}

int lowestBit(quint16 mask)
{
    return std::countr_zero(mask);
}

} // namespace

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

    // Planted causes (empty without any); bit b of the masks is causes[b].
    std::vector<ResolvedCause> causes;
    std::vector<quint16> entryCausesOf; // per service: its Latency and Errors causes
    std::vector<quint16> resourceCausesOf; // per service: those of them with a resource attribute
    quint16 latencyCauses = 0;
    quint16 rateCauses = 0;
    quint16 activeCauses = 0; // whose window holds the start of the trace being built
    std::unordered_map<quint32, std::unique_ptr<ResourceDraft>> resources; // service << 16 | carried causes

    void addCauses(const GeneratorOptions& options);
    bool build(qint64 startNs, qint64 budget, quint16 rootService); // false: a RateDrop cause dropped the trace
    quint32 addNode(quint32 parent, NodeType type, quint16 service, bool parallel);
    void expand(quint32 node, quint16 service, quint16 endpoint, qint64 budget, int depth);
    qint64 addCall(quint32 parent, quint16 service, const Step& step, qint64 share, bool parallel, int depth);
    void fillInternal(quint32 parent, quint16 service, qint64 count);
    void time(qint64 startNs);
    void plant();
    void stretch(Node& node, quint16 slow);
    bool dropped(const Node& root, quint16 rootService) const;
    std::string_view plantedValue(int cause, quint16 carries) const;
    const ResourceDraft* resourceOf(const Node& node);
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
        bool childFailedPlanted = false;
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
            childFailedPlanted = childFailedPlanted || (child.failed && !child.error && !child.retried);
        }
        n.duration = groupEnd + n.post;
        if (const quint16 slow = n.carries & activeCauses & latencyCauses;
            slow && (n.type == NodeType::Server || n.type == NodeType::Consumer))
            stretch(n, slow);

        if (n.type == NodeType::Client && n.firstChild != kNone && nodes[n.firstChild].error)
            n.error = true;
        else if (childFailed && !n.error && n.type != NodeType::Client)
            n.error = rng.chance(n.type == NodeType::Wrapper ? 0.8 : 0.5);
        // Planted errors propagate as natural ones do, drawing apart from the stream so that the rest stays.
        if (n.type == NodeType::Client && n.firstChild != kNone && nodes[n.firstChild].failed)
            n.failed = true;
        else if (childFailedPlanted && !n.error && !n.failed && n.type != NodeType::Client)
            n.failed = unitHash(n.id, 0, Draw::Propagate) < (n.type == NodeType::Wrapper ? 0.8 : 0.5);
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
        Node& n = nodes[i];
        n.start = n.parent == kNone ? startNs : nodes[n.parent].start + n.offset;
        n.error = n.error || n.failed;
    }
}

void TraceGenerator::Builder::addCauses(const GeneratorOptions& options)
{
    for (size_t i = 0; i < options.causes.size() && causes.size() < kMaxCauses; ++i) {
        if (auto resolved = resolveCause(model.services, options, options.causes[i], i))
            causes.push_back(std::move(*resolved));
    }
    if (causes.empty())
        return;
    entryCausesOf.assign(model.services.size(), 0);
    resourceCausesOf.assign(model.services.size(), 0);
    for (size_t b = 0; b < causes.size(); ++b) {
        ResolvedCause& c = causes[b];
        const auto bit = quint16(1u << b);
        if (c.kind == PlantedCause::Kind::RateDrop) {
            rateCauses |= bit;
            continue;
        }
        if (c.kind == PlantedCause::Kind::Latency)
            latencyCauses |= bit;
        entryCausesOf[c.service] |= bit;
        if (c.resource)
            resourceCausesOf[c.service] |= bit;
        for (size_t d = 0; d < causes.size(); ++d) {
            if (causes[d].kind != PlantedCause::Kind::RateDrop && causes[d].service == c.service
                && causes[d].key == c.key)
                c.sameKey |= quint16(1u << d);
        }
    }
}

void TraceGenerator::Builder::plant()
{
    // Parents come before their children. Spans a service emits while it handles a request (all but the entry
    // spans) come from the same process as its entry span: they carry what it carries.
    for (Node& n : nodes) {
        if (n.type != NodeType::Server && n.type != NodeType::Consumer) {
            n.carries = nodes[n.parent].carries;
            continue;
        }
        for (quint16 m = entryCausesOf[n.service]; m; m &= quint16(m - 1)) {
            const int b = lowestBit(m);
            const ResolvedCause& c = causes[size_t(b)];
            if (c.endpoint != kNoEndpoint && c.endpoint != n.endpoint)
                continue;
            const bool active = (activeCauses >> b) & 1;
            if (unitHash(n.id, c.index, Draw::Carry) >= (active ? c.share : c.background))
                continue;
            n.carries |= quint16(1u << b);
            if (active && c.kind == PlantedCause::Kind::Errors && unitHash(n.id, c.index, Draw::Fail) < c.factor)
                n.failed = true;
        }
    }
}

void TraceGenerator::Builder::stretch(Node& n, quint16 slow)
{
    // The span's own time grows, half before its children and half after; they keep their durations and the
    // callers, timed later, grow with it.
    double factor = 1;
    for (quint16 m = slow; m; m &= quint16(m - 1))
        factor *= causes[size_t(lowestBit(m))].factor;
    const auto extra = qint64(double(n.duration) * (factor - 1));
    const qint64 before = extra / 2;
    for (quint32 c = n.firstChild; c != kNone; c = nodes[c].nextSibling)
        nodes[c].offset += before;
    n.pre += before;
    n.post += extra - before;
    n.duration += extra;
}

bool TraceGenerator::Builder::dropped(const Node& root, quint16 rootService) const
{
    for (quint16 m = rateCauses & activeCauses; m; m &= quint16(m - 1)) {
        const ResolvedCause& c = causes[size_t(lowestBit(m))];
        if (c.service == rootService && (c.endpoint == kNoEndpoint || c.endpoint == root.endpoint)
            && unitHash(root.id, c.index, Draw::Keep) >= c.factor)
            return true;
    }
    return false;
}

std::string_view TraceGenerator::Builder::plantedValue(int cause, quint16 carries) const
{
    const quint16 same = causes[size_t(cause)].sameKey;
    if (const quint16 carried = carries & same)
        return causes[size_t(lowestBit(carried))].value;
    return causes[size_t(lowestBit(same))].normal;
}

const ResourceDraft* TraceGenerator::Builder::resourceOf(const Node& n)
{
    const Service& s = model.services[n.service];
    const quint16 mine = resourceCausesOf[n.service];
    if (mine == 0)
        return &s.resource;
    const quint16 carried = n.carries & mine;
    std::unique_ptr<ResourceDraft>& resource = resources[quint32(n.service) << 16 | carried];
    if (!resource) {
        resource = std::make_unique<ResourceDraft>();
        auto value = [&](std::string_view key, std::string_view own) {
            for (quint16 m = mine; m; m &= quint16(m - 1)) {
                if (causes[size_t(lowestBit(m))].key == key)
                    return plantedValue(lowestBit(m), carried);
            }
            return own;
        };
        addResourceAttributes(resource->attributes, s, value);
        for (quint16 m = mine; m; m &= quint16(m - 1)) {
            const int b = lowestBit(m);
            const ResolvedCause& c = causes[size_t(b)];
            if (lowestBit(c.sameKey) == b && !ownResourceValue(s, c.key))
                resource->attributes.addString(c.key, plantedValue(b, carried));
        }
    }
    return resource.get();
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
        if (!causes.empty()) {
            for (auto m = quint16(entryCausesOf[n.service] & ~resourceCausesOf[n.service]); m; m &= quint16(m - 1)) {
                const int b = lowestBit(m);
                if (lowestBit(causes[size_t(b)].sameKey) == b)
                    a.addString(causes[size_t(b)].key, plantedValue(b, n.carries));
            }
        }
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
    batch.add(draft, causes.empty() ? &s.resource : resourceOf(n), &s.scope);
}

bool TraceGenerator::Builder::build(qint64 startNs, qint64 budget, quint16 rootService)
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
    if (!causes.empty()) {
        activeCauses = 0;
        for (size_t b = 0; b < causes.size(); ++b) {
            if (startNs >= causes[b].fromNs && startNs < causes[b].toNs)
                activeCauses |= quint16(1u << b);
        }
        plant();
    }
    // A dropped trace is still timed: that draws from the stream as a kept one does, so the next traces stay.
    time(startNs);
    if (rateCauses && dropped(nodes[root], rootService))
        return false;
    for (const Node& node : nodes)
        emit(node);
    return true;
}

namespace {

quint64 fnv1a(std::string_view text, quint64 hash)
{
    for (const char c : text)
        hash = (hash ^ quint8(c)) * 0x100000001b3ull;
    return (hash ^ 0xff) * 0x100000001b3ull; // ends the field: "ab" + "c" differs from "a" + "bc"
}

TraceId idKeyOf(const GeneratorOptions& o)
{
    quint64 state = 0x7261636d61704964ull;
    quint64 key = 0;
    for (const quint64 v : { o.seed, quint64(o.traces), quint64(o.spansPerTrace), quint64(o.services),
             quint64(o.startNs), quint64(o.traceIntervalNs), o.idSalt }) {
        state ^= v;
        key = FastRandom::splitMix(state);
    }
    // Only when there are causes, so that the ids without any stay what they were before causes existed.
    for (const PlantedCause& c : o.causes) {
        quint64 hash = 0xcbf29ce484222325ull;
        for (const std::string_view text : { std::string_view(c.service), std::string_view(c.operation),
                 std::string_view(c.attribute), std::string_view(c.normalValue) })
            hash = fnv1a(text, hash);
        for (const quint64 v :
            { quint64(c.kind), quint64(c.fromMinute), quint64(c.toMinute), std::bit_cast<quint64>(c.factor),
                std::bit_cast<quint64>(c.share), std::bit_cast<quint64>(c.background) }) {
            state ^= v;
            key = FastRandom::splitMix(state);
        }
        state ^= hash;
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
    m_builder->addCauses(m_options);
    m_seen.assign(m_model->services.size(), false);
    m_unseen = qint64(m_seen.size());
}

TraceGenerator::~TraceGenerator() = default;

bool TraceGenerator::next(Trace& out)
{
    Builder& b = *m_builder;
    const qint64 interval = std::max<qint64>(1, m_options.traceIntervalNs);
    const int mean = std::max(1, m_options.spansPerTrace);
    bool kept = false;
    while (!kept) {
        if (m_slots >= m_options.traces)
            return false;
        const qint64 startNs = m_options.startNs + m_slots * interval + qint64(b.rng.below(quint64(interval)));
        const qint64 budget = std::max<qint64>(1, std::llround(mean * (0.7 + 0.6 * b.rng.uniform())));
        // Every service should show up. Those the gateway's traces have not reached by the time the remaining
        // slots are just enough get traces of their own (a scheduled job, an admin call), starting at that service.
        quint16 rootService = 0;
        if (m_unseen > 0 && m_options.traces - m_slots <= m_unseen) {
            while (m_seen[m_firstUnseen])
                ++m_firstUnseen;
            rootService = quint16(m_firstUnseen);
        }
        kept = b.build(startNs, budget, rootService);
        ++m_slots;
        m_dropped += kept ? 0 : 1;
    }
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

std::vector<GeneratedService> TraceGenerator::services(const GeneratorOptions& options)
{
    Model model;
    model.build(options);
    std::vector<GeneratedService> out;
    for (const Service& s : model.services) {
        GeneratedService& service = out.emplace_back();
        service.name = s.name;
        for (const Endpoint& e : s.endpoints)
            service.operations.push_back(e.name);
    }
    return out;
}

std::expected<void, QString> TraceGenerator::checkCause(const GeneratorOptions& options, const PlantedCause& cause)
{
    Model model;
    model.build(options);
    if (auto resolved = resolveCause(model.services, options, cause, 0); !resolved)
        return std::unexpected(std::move(resolved.error()));
    return {};
}

std::expected<void, QString> TraceGenerator::checkCauses(const GeneratorOptions& options)
{
    if (options.causes.size() > kMaxCauses)
        return std::unexpected(
            QStringLiteral("%1 causes planted; at most %2 are").arg(options.causes.size()).arg(kMaxCauses));
    if (options.causes.empty())
        return {};
    Model model;
    model.build(options);
    for (size_t i = 0; i < options.causes.size(); ++i) {
        if (const auto resolved = resolveCause(model.services, options, options.causes[i], i); !resolved)
            return std::unexpected(QStringLiteral("cause %1 (on '%2'): %3")
                                       .arg(i + 1)
                                       .arg(QString::fromStdString(options.causes[i].service), resolved.error()));
    }
    return {};
}

} // namespace tracemap
