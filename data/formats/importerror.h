#pragma once

#include <QString>

namespace tracemap {

/// Why a file could not be imported, and where: the file, the byte offset and (for text formats) line and
/// column of the first problem, and what was expected there.
struct ImportError {
    QString file;
    qint64 offset = -1;
    qint64 line = 0;
    qint64 column = 0;
    QString message;
    bool cancelled = false;

    /// "file:line:column: message" (or "file: byte N: message"), the form compilers use so editors can jump.
    QString toString() const;
};

} // namespace tracemap
