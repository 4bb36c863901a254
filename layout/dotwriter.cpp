#include "dotwriter.h"

#include "model/utf8.h"

#include <QString>

#include <algorithm>
#include <charconv>

namespace tracemap {

namespace {

// std::to_chars rather than printf: Qt sets the C locale from the environment, and a decimal comma would break the
// DOT syntax and the determinism.
void appendNumber(std::string& out, double value, int decimals)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    out.append(buffer, result.ptr);
}

void appendInteger(std::string& out, long long value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendRate(std::string& out, double perSecond)
{
    appendNumber(out, perSecond, perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2);
    out += "/s";
}

void appendPercent(std::string& out, double percent)
{
    appendNumber(out, percent, 1);
    out += '%';
}

void appendDuration(std::string& out, qint64 ns)
{
    const double ms = ns / 1e6;
    if (ms >= 1000) {
        appendNumber(out, ms / 1000, 2);
        out += " s";
    } else {
        appendNumber(out, ms, ms >= 100 ? 0 : ms >= 10 ? 1 : 2);
        out += " ms";
    }
}

bool isWide(char32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60)
        || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) || (c >= 0x1F900 && c <= 0x1F9FF)
        || (c >= 0x20000 && c <= 0x3FFFD);
}

void appendQuoted(std::string& out, std::string_view text)
{
    out += '"';
    out += DotWriter::escape(text);
    out += '"';
}

void appendSize(std::string& out, const QSizeF& points)
{
    out += "width=";
    appendNumber(out, points.width() / 72, 3);
    out += ", height=";
    appendNumber(out, points.height() / 72, 3);
}

} // namespace

std::string DotWriter::escape(std::string_view text)
{
    const std::string valid = repairedUtf8(text); // Graphviz refuses invalid UTF-8
    std::string out;
    out.reserve(valid.size() + 8);
    for (char c : valid) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '&':
            out += "&amp;";
            break;
        case '\t':
            out += c;
            break;
        case '\r':
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                out += ' ';
            else
                out += c;
        }
    }
    return out;
}

std::string DotWriter::nodeLabel(const Topology::Node& node)
{
    std::string label = node.name;
    // A node without spans of its own (a database seen only from its callers, a dependency-link file) has no
    // figures to show. A rate below one span a minute comes from a sparse sample (a few traces over a long
    // time): the span count says more.
    if (node.spans == 0)
        return label;
    label += '\n';
    if (node.ratePerSecond >= 1.0 / 60) {
        appendRate(label, node.ratePerSecond);
    } else {
        appendInteger(label, node.spans);
        label += node.spans == 1 ? " span" : " spans";
    }
    label += " \u00b7 ";
    appendPercent(label, node.errorPercent);
    label += " err";
    return label;
}

std::string DotWriter::edgeLabel(const Topology::Edge& edge)
{
    std::string label;
    appendInteger(label, edge.calls);
    label += edge.calls == 1 ? " call" : " calls";
    if (edge.errors > 0) {
        label += " \u00b7 ";
        appendPercent(label, edge.errorPercent);
        label += " err";
    }
    if (edge.p95Ns > 0) {
        label += "\np95 ";
        appendDuration(label, edge.p95Ns);
    }
    return label;
}

QSizeF DotWriter::labelBoxSize(std::string_view label)
{
    const std::u32string text = QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size())).toStdU32String();
    int lines = 1;
    int widest = 0;
    int current = 0;
    for (char32_t c : text) {
        if (c == U'\n') {
            ++lines;
            current = 0;
            continue;
        }
        current += isWide(c) ? 2 : 1;
        widest = std::max(widest, current);
    }
    const double width = std::min(widest, kMaxLineChars) * kCharWidth + 2 * kPaddingX;
    return { std::max(width, kMinWidth), lines * kLineHeight + 2 * kPaddingY };
}

QSizeF DotWriter::nodeSize(const Topology::Node& node)
{
    const QSizeF box = labelBoxSize(nodeLabel(node)) * std::clamp(node.scale, 1.0, Topology::kMaxNodeScale);
    return node.kind == Topology::NodeKind::Database ? box + QSizeF(0, 1.5 * kCylinderLid) : box;
}

std::string DotWriter::write(const Topology& topology, const LayoutOptions& options)
{
    const LayoutOptions::Engine engine = options.resolvedEngine(topology);
    std::string out;
    out.reserve(256 + topology.nodes.size() * 96 + topology.edges.size() * (options.edgeLabels ? 64 : 32));

    out += "digraph tracemap {\n    graph [layout=";
    out += LayoutOptions::engineName(engine);
    if (engine == LayoutOptions::Engine::Dot) {
        out += ", rankdir=LR, nodesep=0.25, ranksep=0.6, splines=spline";
    } else {
        // prism removes overlaps while keeping the force-directed shape; "+6" keeps 6 points between boxes.
        out += ", overlap=prism, sep=\"+6\", splines=";
        out += topology.edges.size() <= LayoutOptions::kCurvedEdgesMax ? "spline" : "false";
    }
    out += ", outputorder=edgesfirst];\n    node [shape=box, style=rounded, fixedsize=true, fontname=\"Helvetica\", "
           "fontsize=";
    appendNumber(out, kFontPointSize, 0);
    out += "];\n    edge [fontname=\"Helvetica\", fontsize=";
    appendNumber(out, kEdgeFontPointSize, 0);
    out += ", arrowsize=0.7];\n";

    for (size_t i = 0; i < topology.nodes.size(); ++i) {
        const Topology::Node& node = topology.nodes[i];
        const std::string label = nodeLabel(node);
        out += "    n";
        appendInteger(out, static_cast<long long>(i));
        out += " [label=";
        appendQuoted(out, label);
        out += ", ";
        appendSize(out, nodeSize(node));
        if (node.kind == Topology::NodeKind::Database)
            out += ", shape=cylinder";
        if (node.inferred)
            out += ", style=\"rounded,dashed\"";
        out += "];\n";
    }
    for (size_t k = 0; k < topology.edges.size(); ++k) {
        const Topology::Edge& edge = topology.edges[k];
        if (edge.from >= topology.nodes.size() || edge.to >= topology.nodes.size())
            continue; // would make Graphviz invent a node
        out += "    n";
        appendInteger(out, edge.from);
        out += " -> n";
        appendInteger(out, edge.to);
        out += " [key=e";
        appendInteger(out, static_cast<long long>(k));
        if (options.edgeLabels) {
            out += ", label=";
            appendQuoted(out, edgeLabel(edge));
        }
        out += "];\n";
    }
    out += "}\n";
    return out;
}

} // namespace tracemap
