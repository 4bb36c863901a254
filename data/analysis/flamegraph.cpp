#include "analysis/flamegraph.h"

#include "analysis/selftime.h"

#include <algorithm>
#include <string>

namespace tracemap {

FlameGraph::FlameGraph()
{
    m_raw.push_back({ m_names.intern("all"), kNoIndex, 0, 0, 0, 0 });
    build();
}

quint32 FlameGraph::rawChild(quint32 parent, StringId name)
{
    const quint64 key = (quint64(parent) << 32) | name;
    auto [it, inserted] = m_rawIndex.try_emplace(key, quint32(m_raw.size()));
    if (inserted)
        m_raw.push_back({ name, parent, 0, 0, 0, 0 });
    return it->second;
}

void FlameGraph::add(const Trace& trace)
{
    ++m_traceCount;
    ++m_raw[0].count;
    const std::vector<qint64> self = SelfTime::perSpan(trace);
    // Frame names are interned once per (service, operation) of this trace.
    std::unordered_map<quint64, StringId> frames;
    auto frameOf = [&](const Span& s) {
        const quint64 key = (quint64(s.service) << 32) | s.operation;
        auto it = frames.find(key);
        if (it == frames.end()) {
            std::string text(trace.serviceName(s));
            text += ':';
            text += trace.operationName(s);
            it = frames.emplace(key, m_names.intern(text)).first;
        }
        return it->second;
    };

    // Parents before children, with an explicit stack (parents may sort after children when clocks are skewed).
    std::vector<quint32> nodeOfSpan(trace.spans.size(), 0);
    std::vector<quint32> visited;
    visited.reserve(trace.spans.size());
    std::vector<quint32> stack(trace.roots.rbegin(), trace.roots.rend());
    while (!stack.empty()) {
        const quint32 i = stack.back();
        stack.pop_back();
        visited.push_back(i);
        const Span& s = trace.spans[i];
        const quint32 parentNode = s.parent == kNoIndex ? 0 : nodeOfSpan[s.parent];
        const quint32 node = rawChild(parentNode, frameOf(s));
        nodeOfSpan[i] = node;
        RawNode& r = m_raw[node];
        r.totalNs += s.durationNs;
        r.selfNs += self[i];
        ++r.count;
        if (s.parent == kNoIndex)
            m_raw[0].totalNs += s.durationNs;
        for (quint32 k = s.children.end(); k > s.children.begin; --k)
            stack.push_back(trace.childIndex[k - 1]);
    }
    // Children before parents: each span's self time in and below it, capped at its duration.
    std::vector<qint64> below(trace.spans.size(), 0); // children's subtree self times
    for (auto it = visited.rbegin(); it != visited.rend(); ++it) {
        const Span& s = trace.spans[*it];
        const qint64 subtree = std::min(std::max<qint64>(0, s.durationNs), self[*it] + below[*it]);
        m_raw[nodeOfSpan[*it]].subtreeSelfNs += subtree;
        if (s.parent == kNoIndex)
            m_raw[0].subtreeSelfNs += subtree;
        else
            below[s.parent] += subtree;
    }
}

void FlameGraph::build(Order order)
{
    m_order = order;
    const size_t n = m_raw.size();
    // Children of every raw node by a counting sort on the parent, then each list ordered.
    std::vector<quint32> offsets(n + 1, 0);
    for (size_t i = 1; i < n; ++i)
        ++offsets[m_raw[i].parent + 1];
    for (size_t i = 0; i < n; ++i)
        offsets[i + 1] += offsets[i];
    std::vector<quint32> kids(n > 0 ? n - 1 : 0);
    std::vector<quint32> fill(offsets.begin(), offsets.end() - 1);
    for (size_t i = 1; i < n; ++i)
        kids[fill[m_raw[i].parent]++] = quint32(i);
    for (size_t i = 0; i < n; ++i) {
        auto begin = kids.begin() + offsets[i];
        auto end = kids.begin() + offsets[i + 1];
        if (order == Order::TotalDescending) {
            std::stable_sort(begin, end, [&](quint32 a, quint32 b) {
                if (m_raw[a].totalNs != m_raw[b].totalNs)
                    return m_raw[a].totalNs > m_raw[b].totalNs;
                return m_names.at(m_raw[a].name) < m_names.at(m_raw[b].name);
            });
        } else {
            std::stable_sort(begin, end,
                [&](quint32 a, quint32 b) { return m_names.at(m_raw[a].name) < m_names.at(m_raw[b].name); });
        }
    }

    // Pre-order numbering with an explicit stack; subtree ends are filled when the numbering passes them.
    m_nodes.assign(n, Node {});
    m_childIndex.assign(n > 0 ? n - 1 : 0, 0);
    std::vector<quint32> newIndex(n, kNoIndex);
    std::vector<quint32> preorder;
    preorder.reserve(n);
    std::vector<quint32> stack { 0 };
    while (!stack.empty()) {
        const quint32 raw = stack.back();
        stack.pop_back();
        newIndex[raw] = quint32(preorder.size());
        preorder.push_back(raw);
        for (quint32 k = offsets[raw + 1]; k > offsets[raw]; --k)
            stack.push_back(kids[k - 1]);
    }
    for (quint32 i = 0; i < preorder.size(); ++i) {
        const RawNode& r = m_raw[preorder[i]];
        Node& node = m_nodes[i];
        node.name = r.name;
        node.parent = r.parent == kNoIndex ? kNoIndex : newIndex[r.parent];
        node.depth = node.parent == kNoIndex ? 0 : m_nodes[node.parent].depth + 1;
        node.totalNs = r.totalNs;
        node.selfNs = r.selfNs;
        node.subtreeSelfNs = r.subtreeSelfNs;
        node.count = r.count;
        node.children = { offsets[preorder[i]], offsets[preorder[i] + 1] - offsets[preorder[i]] };
        for (quint32 k = node.children.begin; k < node.children.end(); ++k)
            m_childIndex[k] = newIndex[kids[k]];
    }
    // In pre-order a subtree ends where the next node at the same or a smaller depth begins.
    std::vector<quint32> open;
    for (quint32 i = 0; i < m_nodes.size(); ++i) {
        while (!open.empty() && m_nodes[open.back()].depth >= m_nodes[i].depth) {
            m_nodes[open.back()].subtreeEnd = i;
            open.pop_back();
        }
        open.push_back(i);
    }
    for (quint32 i : open)
        m_nodes[i].subtreeEnd = quint32(m_nodes.size());
}

std::span<const quint32> FlameGraph::children(quint32 node) const
{
    const Range r = m_nodes[node].children;
    return { m_childIndex.data() + r.begin, r.count };
}

quint32 FlameGraph::child(quint32 node, std::string_view name) const
{
    for (quint32 c : children(node)) {
        if (m_names.at(m_nodes[c].name) == name)
            return c;
    }
    return kNoIndex;
}

quint32 FlameGraph::maxDepth() const
{
    quint32 depth = 0;
    for (const Node& n : m_nodes)
        depth = std::max(depth, n.depth);
    return depth;
}

FlameGraph FlameGraph::zoomedTo(quint32 node) const
{
    FlameGraph out;
    out.m_traceCount = m_traceCount;
    out.m_names = m_names;
    const Range range = subtree(node);
    out.m_raw.clear();
    out.m_raw.reserve(range.count);
    for (quint32 i = range.begin; i < range.end(); ++i) {
        const Node& n = m_nodes[i];
        const quint32 parent = i == node ? kNoIndex : n.parent - node;
        out.m_raw.push_back({ n.name, parent, n.totalNs, n.selfNs, n.subtreeSelfNs, n.count });
        if (parent != kNoIndex)
            out.m_rawIndex.emplace((quint64(parent) << 32) | n.name, i - node);
    }
    out.build(m_order);
    return out;
}

} // namespace tracemap
