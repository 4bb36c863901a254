#pragma once

// What every libFuzzer target of tests/fuzz checks besides "no crash, no leak, no undefined behaviour": an import
// either fails with a message that points inside the input, or gives traces that are consistent, that the cache
// can merge as it does a trace spread over several flushes, and that survive the cache's encoding.

#include "analysis/clockskewadjuster.h"
#include "analysis/criticalpath.h"
#include "analysis/selftime.h"
#include "cache/tracecodec.h"
#include "formats/jsonrecordsplitter.h"
#include "formats/parseerror.h"
#include "formats/traceimporter.h"
#include "model/traceassembler.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>

// A broken invariant: libFuzzer reports the abort as a crash and keeps the input.
#define FUZZ_CHECK(condition)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__);                   \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)

namespace fuzzsupport {

inline std::string_view bytesOf(const uint8_t* data, size_t size)
{
    return { reinterpret_cast<const char*>(data), size };
}

/// The format the importer will detect from the first JSON record, or Unknown when there is none. The JSON targets
/// keep to inputs of their own format (returning -1 keeps the others out of the corpus), so each explores its reader.
inline tracemap::TraceFormat detectedJsonFormat(std::string_view bytes)
{
    try {
        tracemap::JsonRecordSplitter splitter(bytes);
        if (const auto record = splitter.next())
            return tracemap::detectJsonFormat(record->envelope, record->text);
    } catch (const tracemap::ParseError&) {
    }
    return tracemap::TraceFormat::Unknown;
}

/// What the views compute from a trace they open: its bounds, depth, critical path, self times, and the clock skew
/// adjustment, which must give a consistent trace of the same spans.
inline void analyse(const tracemap::Trace& trace)
{
    (void)trace.startNs();
    (void)trace.endNs();
    (void)trace.maxDepth();
    (void)trace.serviceCount();
    const tracemap::CriticalPath path = tracemap::CriticalPath::compute(trace);
    for (const auto& segment : path.segments)
        FUZZ_CHECK(segment.span < trace.spans.size());
    (void)path.totalNs();
    (void)path.criticalTimeBySpan(trace.spans.size());
    FUZZ_CHECK(tracemap::SelfTime::perSpan(trace).size() == trace.spans.size());
    const tracemap::ClockSkewAdjuster::Adjustment adjusted = tracemap::ClockSkewAdjuster::adjust(trace);
    FUZZ_CHECK(adjusted.trace.spans.size() == trace.spans.size());
    FUZZ_CHECK(tracemap::TraceCodec::isConsistent(adjusted.trace));
}

/// An assembled trace: consistent, unchanged by the cache's encoding, and readable by the analyses.
inline void checkTrace(const tracemap::Trace& trace)
{
    FUZZ_CHECK(tracemap::TraceCodec::isConsistent(trace));
    analyse(trace);
    const auto decoded = tracemap::TraceCodec::decode(tracemap::TraceCodec::encode(trace));
    FUZZ_CHECK(decoded.has_value());
    FUZZ_CHECK(tracemap::TraceAssembler::sameContent(*decoded, trace));
}

/// Imports `input` as TraceImporter does a file (`format` forced, as a receiver does, or Unknown to detect it),
/// flushing every few spans so that traces arrive in parts, which are then merged and checked.
inline void importAndCheck(tracemap::InputBuffer& input, tracemap::TraceFormat format = tracemap::TraceFormat::Unknown)
{
    using namespace tracemap;
    ImportOptions options;
    options.format = format;
    options.flushSpans = 5;
    std::map<TraceId, Trace> merged;
    const auto sink = [&merged](std::vector<Trace>& traces) {
        for (Trace& trace : traces) {
            FUZZ_CHECK(TraceCodec::isConsistent(trace));
            auto [it, first] = merged.try_emplace(trace.id);
            if (first)
                it->second = std::move(trace);
            else
                TraceAssembler::append(it->second, trace);
        }
    };
    const auto result = TraceImporter::importBuffer(input, sink, options);
    if (!result) {
        const ImportError& e = result.error();
        FUZZ_CHECK(!e.message.isEmpty());
        FUZZ_CHECK(!e.cancelled);
        FUZZ_CHECK(e.offset >= -1 && e.offset <= qint64(input.bytes().size()));
        return;
    }
    FUZZ_CHECK(result->spans >= 0 && result->traces == qint64(merged.size()));
    for (auto& [id, trace] : merged) {
        TraceAssembler::assemble(trace);
        checkTrace(trace);
    }
}

/// The bytes as an input file (gzip is inflated, as for a file), imported and checked.
inline void importAndCheck(std::string_view bytes, tracemap::TraceFormat format = tracemap::TraceFormat::Unknown)
{
    auto input = tracemap::InputBuffer::fromBytes(bytes, QStringLiteral("fuzz-input"));
    if (!input) {
        FUZZ_CHECK(!input.error().isEmpty());
        return;
    }
    importAndCheck(*input, format);
}

/// The target of one JSON trace format: the importer's whole path (splitter, reader, flushes, assembly) on inputs
/// whose first record is of that format.
inline int fuzzJsonFormat(const uint8_t* data, size_t size, tracemap::TraceFormat format)
{
    const std::string_view bytes = bytesOf(data, size);
    if (detectedJsonFormat(bytes) != format)
        return -1;
    importAndCheck(bytes);
    return 0;
}

} // namespace fuzzsupport
