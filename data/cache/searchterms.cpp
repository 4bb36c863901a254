#include "cache/searchterms.h"

#include <algorithm>
#include <charconv>

namespace tracemap {

namespace {

class Hasher {
public:
    explicit Hasher(char kind) { add(std::string_view(&kind, 1)); }
    Hasher& add(std::string_view text)
    {
        for (unsigned char c : text) {
            m_hash ^= c;
            m_hash *= 0x100000001b3ull;
        }
        return *this;
    }
    Hasher& separator() { return add(std::string_view("\x1f", 1)); }
    qint64 value() const { return static_cast<qint64>(m_hash); }

private:
    quint64 m_hash = 0xcbf29ce484222325ull;
};

// The text a user types for a value: how a scalar attribute reads in a key=value search.
bool scalarText(const Trace& trace, const Attribute& a, char* buffer, size_t size, std::string_view& out)
{
    switch (a.type) {
    case ValueType::String:
        out = trace.text(a.ref);
        return out.size() <= SearchTerms::kMaxValueLength;
    case ValueType::Bool:
        out = a.boolValue ? "true" : "false";
        return true;
    case ValueType::Int: {
        const auto r = std::to_chars(buffer, buffer + size, a.intValue);
        out = std::string_view(buffer, static_cast<size_t>(r.ptr - buffer));
        return true;
    }
    case ValueType::Double: {
        const auto r = std::to_chars(buffer, buffer + size, a.doubleValue);
        out = std::string_view(buffer, static_cast<size_t>(r.ptr - buffer));
        return r.ec == std::errc();
    }
    default:
        return false;
    }
}

} // namespace

qint64 SearchTerms::importedBy(qint64 importId)
{
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, importId);
    return Hasher('i').add(std::string_view(buffer, static_cast<size_t>(r.ptr - buffer))).value();
}

qint64 SearchTerms::service(std::string_view service)
{
    return Hasher('s').add(service).value();
}

qint64 SearchTerms::operation(std::string_view service, std::string_view operation)
{
    return Hasher('o').add(service).separator().add(operation).value();
}

qint64 SearchTerms::anyServiceOperation(std::string_view operation)
{
    return Hasher('O').add(operation).value();
}

qint64 SearchTerms::edge(std::string_view fromService, std::string_view toService)
{
    return Hasher('e').add(fromService).separator().add(toService).value();
}

qint64 SearchTerms::tag(std::string_view key, std::string_view value)
{
    return Hasher('t').add(key).separator().add(value).value();
}

std::vector<qint64> SearchTerms::ofTrace(const Trace& trace)
{
    std::vector<qint64> terms;
    terms.reserve(trace.spans.size() * 4 + 16);
    char buffer[64];
    auto addAttributes = [&](Range range) {
        for (quint32 i = range.begin; i < range.end(); ++i) {
            const Attribute& a = trace.attributes[i];
            std::string_view value;
            if (scalarText(trace, a, buffer, sizeof buffer, value))
                terms.push_back(tag(trace.string(a.key), value));
        }
    };
    std::vector<bool> serviceSeen(trace.strings.size(), false);
    for (const Span& span : trace.spans) {
        const std::string_view serviceName = trace.string(span.service);
        if (!serviceSeen[span.service]) {
            serviceSeen[span.service] = true;
            terms.push_back(service(serviceName));
        }
        terms.push_back(operation(serviceName, trace.string(span.operation)));
        terms.push_back(anyServiceOperation(trace.string(span.operation)));
        addAttributes(span.attributes);
        if (span.kind != SpanKind::Unspecified)
            terms.push_back(tag("span.kind", spanKindName(span.kind)));
        if (span.isError())
            terms.push_back(tag("error", "true"));
        if (span.parent != kNoIndex && trace.spans[span.parent].service != span.service)
            terms.push_back(edge(trace.string(trace.spans[span.parent].service), serviceName));
    }
    for (const Resource& resource : trace.resources)
        addAttributes(resource.attributes);
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    return terms;
}

} // namespace tracemap
