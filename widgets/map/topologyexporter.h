#pragma once

#include "analysis/topology.h"
#include "topologygeometry.h"
#include "topologypainter.h"

#include <QString>

#include <expected>
#include <optional>

namespace tracemap {

/// Writes a topology diagram in the format its file suffix names: SVG, PNG, PDF (drawn by TopologyPainter, so
/// they look like the map on screen), DOT (the Graphviz input) or JSON (nodes and edges with their figures).
class TopologyExporter {
public:
    enum class Format { Svg, Png, Pdf, Dot, Json };
    struct Options {
        double scale = 2.0; // PNG pixels per point
        bool edgeLabels = true;
        size_t maxLabels = kDefaultMaxLabels; // see TopologyPainter::Options::maxLabels; 0: every label that fits
        TopologyPainter::ColorBy colorBy = TopologyPainter::ColorBy::Errors;
        /// What the boxes' sizes show, for the legend: the topology's nodes carry their scale already.
        std::optional<Topology::Metric> sizeBy {};
        bool legend = true; // above the map: what the fills and outlines mean
    };
    /// About what a person reads on one picture; the map on screen labels as many in its visible part.
    static constexpr size_t kDefaultMaxLabels = 60;

    static std::optional<Format> formatFor(const QString& path);
    static std::expected<void, QString> write(
        const QString& path, const Topology& topology, const TopologyGeometry& geometry, const Options& options);
};

} // namespace tracemap
