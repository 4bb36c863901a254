#include "livefeed.h"

#include "writers/tracewriter.h"

#include <cstdio>
#include <cstdlib>

namespace tracemap {

LiveFeed generateOtlpRequests(const GeneratorOptions& options, int tracesPerRequest)
{
    LiveFeed feed;
    TraceGenerator generator(options);
    Trace trace;
    bool more = true;
    while (more) {
        // The protobuf writer writes to a FILE: a memory stream gives its bytes.
        char* buffer = nullptr;
        size_t size = 0;
        std::FILE* memory = open_memstream(&buffer, &size);
        if (!memory)
            break;
        auto writer = makeTraceWriter("otlp-proto", memory);
        writer->begin();
        int inRequest = 0;
        qint64 spansInRequest = 0;
        while (inRequest < tracesPerRequest && (more = generator.next(trace))) {
            writer->write(trace);
            ++inRequest;
            ++feed.traces;
            feed.spans += static_cast<qint64>(trace.spans.size());
            spansInRequest += static_cast<qint64>(trace.spans.size());
        }
        writer->end();
        std::fclose(memory);
        if (inRequest > 0 && writer->ok()) {
            feed.requests.emplace_back(buffer, static_cast<qsizetype>(size));
            feed.requestSpans.push_back(spansInRequest);
        }
        std::free(buffer);
    }
    return feed;
}

} // namespace tracemap
