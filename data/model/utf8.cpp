#include "model/utf8.h"

#include <QString>

#include <simdjson.h>

namespace tracemap {

bool isValidUtf8(std::string_view text)
{
    return simdjson::validate_utf8(text.data(), text.size());
}

size_t firstInvalidUtf8(std::string_view text)
{
    if (isValidUtf8(text))
        return std::string_view::npos;
    // Only on the error path: walk the sequences by their lead bytes and let the validator judge each one, so that
    // the rules (surrogates, overlong forms, the U+10FFFF limit) live in one place.
    size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const size_t length = lead < 0x80 ? 1
            : (lead >> 5) == 0x6          ? 2
            : (lead >> 4) == 0xe          ? 3
            : (lead >> 3) == 0x1e         ? 4
                                          : 0;
        if (length == 0 || i + length > text.size() || !isValidUtf8(text.substr(i, length)))
            return i;
        i += length;
    }
    return std::string_view::npos;
}

std::string repairedUtf8(std::string_view text)
{
    if (isValidUtf8(text))
        return std::string(text);
    // Qt's decoder replaces each invalid sequence with U+FFFD.
    const QByteArray bytes = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())).toUtf8();
    return std::string(bytes.constData(), static_cast<size_t>(bytes.size()));
}

} // namespace tracemap
