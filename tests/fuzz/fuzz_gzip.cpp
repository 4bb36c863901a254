// gzip input (single and concatenated members) as InputBuffer inflates it, then imported in whatever format the
// inflated bytes are. Inputs that are not gzip are left to the other targets.

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto input = tracemap::InputBuffer::fromBytes(fuzzsupport::bytesOf(data, size), QStringLiteral("fuzz-input.gz"));
    if (!input) {
        FUZZ_CHECK(!input.error().isEmpty());
        return 0;
    }
    if (!input->wasCompressed())
        return -1;
    fuzzsupport::importAndCheck(*input);
    return 0;
}
