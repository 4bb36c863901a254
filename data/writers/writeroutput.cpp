#include "writers/writeroutput.h"

#include "model/attributevalue.h"

#include <charconv>
#include <cmath>

namespace tracemap {

WriterOutput::WriterOutput(std::FILE* file)
    : m_file(file)
    , m_ok(file != nullptr)
{
    m_buffer.reserve(kChunkSize + kChunkSize / 4);
}

void WriterOutput::flush()
{
    if (m_ok && !m_buffer.empty()) {
        if (std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file) != m_buffer.size() || std::ferror(m_file))
            m_ok = false;
    }
    m_buffer.clear();
}

void WriterOutput::finish()
{
    flush();
    if (m_ok && (std::fflush(m_file) != 0 || std::ferror(m_file)))
        m_ok = false;
}

void WriterOutput::appendInt(std::string& out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void WriterOutput::appendDouble(std::string& out, double value)
{
    if (!std::isfinite(value)) {
        out += std::isnan(value) ? "\"NaN\"" : (value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void WriterOutput::appendHex(std::string& out, quint64 value)
{
    static constexpr char digits[] = "0123456789abcdef";
    char buffer[16];
    for (int i = 15; i >= 0; --i, value >>= 4)
        buffer[i] = digits[value & 0xf];
    out.append(buffer, 16);
}

void WriterOutput::appendTraceId(std::string& out, const TraceId& id, bool full)
{
    if (full || id.high != 0)
        appendHex(out, id.high);
    appendHex(out, id.low);
}

void WriterOutput::appendMicros(std::string& out, qint64 ns)
{
    appendInt(out, ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000));
}

void WriterOutput::appendAttributeText(std::string& out, const Trace& trace, const Attribute& a)
{
    switch (a.type) {
    case ValueType::Empty:
        break;
    case ValueType::String:
        out += trace.text(a.ref);
        break;
    case ValueType::Bool:
        out += a.boolValue ? "true" : "false";
        break;
    case ValueType::Int:
        appendInt(out, a.intValue);
        break;
    case ValueType::Double:
        if (std::isfinite(a.doubleValue))
            appendDouble(out, a.doubleValue);
        else
            out += std::isnan(a.doubleValue) ? "NaN" : (a.doubleValue > 0 ? "Infinity" : "-Infinity");
        break;
    case ValueType::Bytes:
    case ValueType::Array:
    case ValueType::KeyValueList:
        out += AttributeValue::valueOf(trace, a).toDisplayString();
        break;
    }
}

} // namespace tracemap
