#pragma once

#include "writers/tracewriter.h"
#include "writers/writeroutput.h"

#include <string>

namespace tracemap {

/// Zipkin v2 JSON: one bare array of spans for the whole file. Zipkin has no resources or links, so those are not
/// written; attributes become string tags, events become annotations ("name: {attributes}").
class ZipkinJsonWriter : public TraceWriter {
public:
    explicit ZipkinJsonWriter(std::FILE* file);

    void begin() override;
    void write(const Trace& trace) override;
    void end() override;
    bool ok() const override { return m_out.ok(); }

private:
    void writeSpan(const Trace& trace, const Span& span);
    void appendTag(std::string_view key, std::string_view value);

    WriterOutput m_out;
    bool m_first = true;
    bool m_firstTag = true;
    std::string m_traceId;
    std::string m_text;
};

} // namespace tracemap
