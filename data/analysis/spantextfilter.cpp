#include "analysis/spantextfilter.h"

#include "model/attributevalue.h"

namespace tracemap {

namespace {

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

class Matcher {
public:
    Matcher(const Trace& trace, const QString& text)
        : m_trace(trace)
        , m_text(text)
        , m_strings(trace.strings.size(), -1)
    {
    }

    bool matches(quint32 spanIndex)
    {
        const Span& span = m_trace.spans[spanIndex];
        if (stringMatches(span.service) || stringMatches(span.operation))
            return true;
        if (QString::fromStdString(spanIdToHex(span.id)).contains(m_text, Qt::CaseInsensitive))
            return true;
        for (quint32 a = span.attributes.begin; a < span.attributes.end(); ++a) {
            const Attribute& attribute = m_trace.attributes[a];
            if (stringMatches(attribute.key))
                return true;
            const QString value = attribute.type == ValueType::String
                ? fromView(m_trace.text(attribute.ref))
                : QString::fromStdString(AttributeValue::valueOf(m_trace, attribute).toDisplayString());
            if (value.contains(m_text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

private:
    bool stringMatches(StringId id)
    {
        if (id >= m_strings.size())
            return false;
        if (m_strings[id] < 0)
            m_strings[id] = fromView(m_trace.string(id)).contains(m_text, Qt::CaseInsensitive) ? 1 : 0;
        return m_strings[id] == 1;
    }

    const Trace& m_trace;
    const QString& m_text;
    std::vector<qint8> m_strings; // per string id: -1 untested, 0 no, 1 yes
};

} // namespace

SpanTextFilter::Result SpanTextFilter::apply(const Trace& trace, const QString& text, const QString& service)
{
    Result result;
    const size_t n = trace.spans.size();
    if (text.isEmpty() && service.isEmpty()) {
        result.keep.assign(n, Match);
        result.matchCount = result.keptCount = n;
        return result;
    }
    StringId serviceId = kNoIndex;
    if (!service.isEmpty()) {
        const QByteArray name = service.toUtf8();
        const std::string_view wanted(name.constData(), static_cast<size_t>(name.size()));
        for (StringId id = 0; id < trace.strings.size() && serviceId == kNoIndex; ++id) {
            if (trace.string(id) == wanted)
                serviceId = id; // strings are interned: one id per name
        }
        if (serviceId == kNoIndex) {
            result.keep.assign(n, Hidden); // no span of that service
            return result;
        }
    }
    result.keep.assign(n, Hidden);
    Matcher matcher(trace, text);
    for (quint32 i = 0; i < n; ++i) {
        if (serviceId != kNoIndex && trace.spans[i].service != serviceId)
            continue;
        if (!text.isEmpty() && !matcher.matches(i))
            continue;
        ++result.matchCount;
        if (result.keep[i] == Hidden)
            ++result.keptCount;
        result.keep[i] = Match;
        // Every kept span already has its ancestors kept, so the walk stops at the first one.
        for (quint32 p = trace.spans[i].parent; p != kNoIndex && result.keep[p] == Hidden; p = trace.spans[p].parent) {
            result.keep[p] = Ancestor;
            ++result.keptCount;
        }
    }
    return result;
}

} // namespace tracemap
