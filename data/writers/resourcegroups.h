#pragma once

#include "model/trace.h"

#include <vector>

namespace tracemap {

/// The spans of one trace grouped the way OTLP nests them: by resource, then by scope, spans in trace order within
/// each group. Spans without a resource are grouped by service (the writer makes a resource of service.name).
class ResourceGroups {
public:
    struct ScopeGroup {
        quint32 scope = kNoIndex;
        quint32 begin = 0; // into spanOrder()
        quint32 end = 0;
    };
    struct ResourceGroup {
        quint32 resource = kNoIndex;
        quint32 firstSpan = 0; // gives the service when resource is kNoIndex
        quint32 scopesBegin = 0; // into scopes()
        quint32 scopesEnd = 0;
    };

    void build(const Trace& trace);

    const std::vector<quint32>& spanOrder() const { return m_order; }
    const std::vector<ScopeGroup>& scopes() const { return m_scopes; }
    const std::vector<ResourceGroup>& resources() const { return m_resources; }

private:
    std::vector<quint32> m_order;
    std::vector<quint64> m_keys;
    std::vector<ScopeGroup> m_scopes;
    std::vector<ResourceGroup> m_resources;
};

} // namespace tracemap
