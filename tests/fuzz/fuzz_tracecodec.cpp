// The cache's trace blobs, raw (what the zstd layer hands TraceCodec): a damaged or hostile cache file must give
// nullopt, never a crash, and what decodes must be a trace the views can read. Read whole and in uneven pieces
// (as from the decompressor), which must agree, and re-encoded, which must give back the same bytes.

#include "fuzzsupport.h"

#include <algorithm>
#include <cstring>

using namespace tracemap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view bytes = fuzzsupport::bytesOf(data, size);
    const std::optional<Trace> whole = TraceCodec::decode(bytes);

    size_t done = 0;
    size_t piece = 1;
    const TraceCodec::ByteSource source = [&](char* out, size_t wanted) {
        // Serves at most `piece` bytes per call's chunk, growing, as a stream of chunks would.
        while (wanted > 0) {
            if (done >= bytes.size())
                return false;
            const size_t n = std::min({ wanted, piece, bytes.size() - done });
            std::memcpy(out, bytes.data() + done, n);
            out += n;
            wanted -= n;
            done += n;
            piece = std::min<size_t>(piece * 3 + 1, 1u << 20);
        }
        return true;
    };
    const std::optional<Trace> streamed = TraceCodec::decode(source, bytes.size());
    FUZZ_CHECK(whole.has_value() == streamed.has_value());
    if (!whole)
        return 0;
    FUZZ_CHECK(*whole == *streamed);
    FUZZ_CHECK(TraceCodec::encode(*whole) == bytes);
    fuzzsupport::analyse(*whole);
    return 0;
}
