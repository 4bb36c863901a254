#include "metrics/durationgrid.h"

namespace tracemap {

namespace {

std::array<quint8, 1024> eighthsTable()
{
    std::array<quint8, 1024> table {};
    for (size_t m = 0; m < table.size(); ++m) {
        const double fraction = 1.0 + (static_cast<double>(m) + 0.5) / static_cast<double>(table.size());
        table[m] = static_cast<quint8>(std::floor(std::log2(fraction) * DurationGrid::kBucketsPerOctave));
    }
    return table;
}

} // namespace

const std::array<quint8, 1024> DurationGrid::s_eighths = eighthsTable();

} // namespace tracemap
