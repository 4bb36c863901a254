#include "formats/importerror.h"

namespace tracemap {

QString ImportError::toString() const
{
    if (line > 0)
        return QStringLiteral("%1:%2:%3: %4 (byte %5)").arg(file).arg(line).arg(column).arg(message).arg(offset);
    if (offset >= 0)
        return QStringLiteral("%1: byte %2: %3").arg(file).arg(offset).arg(message);
    return QStringLiteral("%1: %2").arg(file, message);
}

} // namespace tracemap
