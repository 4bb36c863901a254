#pragma once

// Internal to FlameChartView (flamechartview.cpp: state and input; flamechartpainting.cpp: drawing).

#include <QColor>
#include <QString>

#include <string_view>

namespace tracemap::flamechart {

inline QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

/// Whether dark text reads better than white on this fill.
inline bool isLight(const QColor& color)
{
    return color.red() * 299 + color.green() * 587 + color.blue() * 114 > 140000;
}

} // namespace tracemap::flamechart
