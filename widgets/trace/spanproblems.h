#pragma once

#include <QStringList>
#include <QtGlobal>

namespace tracemap {

/// One translated sentence per SpanProblem flag set in `problems`, in flag order.
QStringList spanProblemDescriptions(quint16 problems);

} // namespace tracemap
