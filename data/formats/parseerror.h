#pragma once

#include <string>

namespace tracemap {

/// Thrown by the format parsers on bad input. `position` points into the buffer being parsed (nullptr when the
/// place is unknown); the import pipeline turns it into a file offset and line:column.
struct ParseError {
    const char* position = nullptr;
    std::string message;
};

} // namespace tracemap
