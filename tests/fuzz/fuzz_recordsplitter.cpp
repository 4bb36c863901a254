// JsonRecordSplitter, which cuts every JSON input into records before any reader sees it: records lie inside the
// input in order, errors point inside it, and a well-formed JSON document that is not nested too deeply is never
// refused (simdjson's DOM parser is the reference).

#include "fuzzsupport.h"

#include <simdjson.h>

using namespace tracemap;

namespace {

// The splitter refuses more than 64 nested arrays or envelopes on purpose; below that it must accept valid JSON.
constexpr size_t kReferenceDepth = 48;

bool isValidJsonContainer(std::string_view bytes)
{
    const size_t first = bytes.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || (bytes[first] != '{' && bytes[first] != '['))
        return false;
    static simdjson::dom::parser parser;
    if (parser.allocate(bytes.size() + 64, kReferenceDepth) != simdjson::SUCCESS)
        return false;
    const simdjson::padded_string padded(bytes);
    simdjson::dom::element root;
    return parser.parse(padded).get(root) == simdjson::SUCCESS;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view bytes = fuzzsupport::bytesOf(data, size);
    JsonRecordSplitter splitter(bytes);
    size_t end = 0;
    try {
        while (const std::optional<JsonRecord> record = splitter.next()) {
            FUZZ_CHECK(!record->text.empty());
            FUZZ_CHECK(record->text.data() == bytes.data() + record->offset);
            FUZZ_CHECK(record->offset >= end && record->offset + record->text.size() <= size);
            FUZZ_CHECK(JsonRecordSplitter::skipValue(bytes, record->offset) == record->offset + record->text.size());
            end = record->offset + record->text.size();
            FUZZ_CHECK(splitter.position() >= end && splitter.position() <= size);
        }
    } catch (const ParseError& e) {
        FUZZ_CHECK(e.position >= bytes.data() && e.position <= bytes.data() + size);
        FUZZ_CHECK(!e.message.empty());
        FUZZ_CHECK(!isValidJsonContainer(bytes));
    }
    return 0;
}
