#include "writers/resourcegroups.h"

#include <algorithm>

namespace tracemap {

namespace {

quint64 resourceKey(const Span& span)
{
    return span.resource != kNoIndex ? span.resource : ((quint64(1) << 32) | span.service);
}

} // namespace

void ResourceGroups::build(const Trace& trace)
{
    const auto count = quint32(trace.spans.size());
    m_order.resize(count);
    m_keys.resize(count);
    m_scopes.clear();
    m_resources.clear();
    for (quint32 i = 0; i < count; ++i) {
        m_order[i] = i;
        m_keys[i] = resourceKey(trace.spans[i]);
    }
    std::stable_sort(m_order.begin(), m_order.end(), [&](quint32 a, quint32 b) {
        if (m_keys[a] != m_keys[b])
            return m_keys[a] < m_keys[b];
        return trace.spans[a].scope < trace.spans[b].scope;
    });
    for (quint32 i = 0; i < count; ++i) {
        const Span& span = trace.spans[m_order[i]];
        const bool newResource = i == 0 || m_keys[m_order[i]] != m_keys[m_order[i - 1]];
        if (newResource) {
            if (!m_resources.empty())
                m_resources.back().scopesEnd = quint32(m_scopes.size());
            m_resources.push_back({ span.resource, m_order[i], quint32(m_scopes.size()), 0 });
        }
        if (newResource || span.scope != trace.spans[m_order[i - 1]].scope) {
            if (!m_scopes.empty())
                m_scopes.back().end = i;
            m_scopes.push_back({ span.scope, i, 0 });
        }
    }
    if (!m_scopes.empty())
        m_scopes.back().end = count;
    if (!m_resources.empty())
        m_resources.back().scopesEnd = quint32(m_scopes.size());
}

} // namespace tracemap
