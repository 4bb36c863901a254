#pragma once

#include "model/ids.h"
#include "model/trace.h"

#include <QtGlobal>

#include <cstdio>
#include <string>
#include <string_view>

namespace tracemap {

/// The output side of the trace writers: text is built in a memory buffer and handed to the file in large chunks,
/// so one fwrite() serves thousands of spans. Errors are sticky; ok() reports whether every write succeeded.
class WriterOutput {
public:
    static constexpr size_t kChunkSize = 1 << 20;

    explicit WriterOutput(std::FILE* file);

    std::string& buffer() { return m_buffer; }
    void append(std::string_view text) { m_buffer.append(text); }
    void append(char c) { m_buffer.push_back(c); }
    /// Writes the buffer to the file once it holds a chunk.
    void flushIfFull()
    {
        if (m_buffer.size() >= kChunkSize)
            flush();
    }
    void flush();
    /// Writes what is left and flushes the C stream.
    void finish();
    bool ok() const { return m_ok; }

    static void appendInt(std::string& out, qint64 value);
    static void appendDouble(std::string& out, double value); // JSON number; non-finite values as strings
    static void appendHex(std::string& out, quint64 value); // 16 lowercase digits
    static void appendTraceId(std::string& out, const TraceId& id, bool full); // 32 digits, or 16 if !full and short
    static void appendMicros(std::string& out, qint64 ns); // floor(ns / 1000)
    /// The attribute as plain text (Zipkin tags, stringified values): bytes as base64, arrays and lists as JSON.
    static void appendAttributeText(std::string& out, const Trace& trace, const Attribute& attribute);

private:
    std::FILE* m_file;
    std::string m_buffer;
    bool m_ok;
};

} // namespace tracemap
