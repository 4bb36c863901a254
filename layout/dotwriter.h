#pragma once

#include "analysis/topology.h"
#include "layoutoptions.h"

#include <QSizeF>

#include <string>
#include <string_view>

namespace tracemap {

/// Builds the Graphviz input for a topology: a pure function of (Topology, LayoutOptions), so the same input gives
/// the same text byte for byte. Node i is `n<i>` and edge k carries key `e<k>`, whatever the names are; names only
/// appear inside escaped quoted labels, so the DOT stays valid for any name. The graph names its layout engine, so
/// the exported file renders the same way with the Graphviz programs.
class DotWriter {
public:
    /// Boxes are sized for this font: a sans serif whose average advance is at most kCharWidth (wide East Asian
    /// characters count twice). The map widget draws its labels in the same size.
    static constexpr double kFontPointSize = 12;
    static constexpr double kEdgeFontPointSize = 10;
    static constexpr double kCharWidth = 7;
    static constexpr double kLineHeight = 15;
    static constexpr double kPaddingX = 10;
    static constexpr double kPaddingY = 6;
    /// A database is drawn as a cylinder whose lid takes up to this much of its box: room kept for the label.
    static constexpr double kCylinderLid = 10;
    static constexpr double kMinWidth = 54;
    /// Longer lines do not widen the box further; the widget elides them.
    static constexpr int kMaxLineChars = 80;

    [[nodiscard]] static std::string write(const Topology& topology, const LayoutOptions& options);

    /// The box of a node, in points, as write() sizes it: its label's box times its scale (a database's cylinder
    /// has room for its lid).
    static QSizeF nodeSize(const Topology::Node& node);

    /// The node's label, UTF-8 and unescaped: its name, then a line with the request rate and error %.
    static std::string nodeLabel(const Topology::Node& node);
    /// "calls" and, when known, p95 latency and error %.
    static std::string edgeLabel(const Topology::Edge& edge);
    /// The box, in points, that holds `label` (lines split at '\n').
    static QSizeF labelBoxSize(std::string_view label);

    /// `text` as the inside of a DOT quoted string that Graphviz draws as `text`: `"` and `\` escaped, newlines as
    /// `\n` line breaks, `&` as `&amp;` (Graphviz decodes entities in labels), other control characters as spaces
    /// and invalid UTF-8 as U+FFFD.
    static std::string escape(std::string_view text);
};

} // namespace tracemap
