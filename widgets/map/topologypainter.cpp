#include "topologypainter.h"

#include "dotwriter.h"
#include "model/tracequery.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <unordered_map>

namespace tracemap {

namespace {

// The fonts, in scene units: the sizes DotWriter gave Graphviz for nodes (12) and edge labels (10), so text fits
// the boxes Graphviz made on every device (screen, image, SVG, PDF).
QFont nameBaseFont()
{
    QFont font;
    font.setPixelSize(12);
    font.setBold(true);
    return font;
}

QFont figureFont()
{
    QFont font;
    font.setPixelSize(10);
    return font;
}

// Rectangles placed so far, bucketed by area so that a check costs the same on a map of ten nodes or ten thousand.
class RectGrid {
public:
    bool intersects(const QRectF& rect) const
    {
        bool hit = false;
        forCells(rect, [&](quint64 cell) {
            const auto it = m_cells.find(cell);
            if (it != m_cells.end())
                hit = hit || std::ranges::any_of(it->second, [&](const QRectF& r) { return r.intersects(rect); });
        });
        return hit;
    }
    void add(const QRectF& rect)
    {
        forCells(rect, [&](quint64 cell) { m_cells[cell].push_back(rect); });
    }

private:
    static constexpr double kCell = 96.0;
    template <typename F> void forCells(const QRectF& rect, F&& visit) const
    {
        const auto x0 = static_cast<qint64>(std::floor(rect.left() / kCell));
        const auto x1 = static_cast<qint64>(std::floor(rect.right() / kCell));
        const auto y0 = static_cast<qint64>(std::floor(rect.top() / kCell));
        const auto y1 = static_cast<qint64>(std::floor(rect.bottom() / kCell));
        for (qint64 x = x0; x <= x1; ++x) {
            for (qint64 y = y0; y <= y1; ++y)
                visit(static_cast<quint64>(x) << 32 ^ static_cast<quint64>(y & 0xffffffff));
        }
    }
    std::unordered_map<quint64, std::vector<QRectF>> m_cells;
};

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QPainterPath edgePath(const TopologyGeometry::Edge& edge)
{
    QPainterPath path;
    if (edge.path.empty())
        return path;
    path.moveTo(edge.path.front());
    for (size_t i = 1; i + 2 < edge.path.size(); i += 3)
        path.cubicTo(edge.path[i], edge.path[i + 1], edge.path[i + 2]);
    return path;
}

void drawArrow(QPainter& painter, QPointF from, QPointF tip, double width, const QColor& color)
{
    const QPointF d = tip - from;
    const double length = std::hypot(d.x(), d.y());
    if (length < 1e-6)
        return;
    const QPointF unit = d / length;
    const QPointF normal(-unit.y(), unit.x());
    const double size = 6.0 + width;
    const QPointF base = tip - unit * size;
    const QPolygonF head { tip, base + normal * size * 0.45, base - normal * size * 0.45 };
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawPolygon(head);
}

double cylinderLid(const QRectF& box)
{
    return std::min(box.height() * 0.3, DotWriter::kCylinderLid); // DotWriter made the box taller by 1.5 lids
}

void drawNodeShape(QPainter& painter, const QRectF& box, Topology::NodeKind kind)
{
    switch (kind) {
    case Topology::NodeKind::Database: {
        // A cylinder: the box with an elliptic lid.
        const double lid = cylinderLid(box);
        QPainterPath path;
        path.moveTo(box.left(), box.top() + lid / 2);
        path.lineTo(box.left(), box.bottom() - lid / 2);
        path.arcTo(QRectF(box.left(), box.bottom() - lid, box.width(), lid), 180, 180);
        path.lineTo(box.right(), box.top() + lid / 2);
        path.arcTo(QRectF(box.left(), box.top(), box.width(), lid), 0, 180);
        painter.drawPath(path);
        painter.drawArc(QRectF(box.left(), box.top(), box.width(), lid), 180 * 16, 180 * 16);
        break;
    }
    case Topology::NodeKind::Queue: {
        painter.drawRoundedRect(box, 4, 4);
        const double inset = std::min(8.0, box.width() / 8);
        painter.drawLine(QPointF(box.left() + inset, box.top()), QPointF(box.left() + inset, box.bottom()));
        painter.drawLine(QPointF(box.right() - inset, box.top()), QPointF(box.right() - inset, box.bottom()));
        break;
    }
    case Topology::NodeKind::External:
        painter.drawRoundedRect(box, box.height() / 2, box.height() / 2);
        break;
    case Topology::NodeKind::Service:
        painter.drawRoundedRect(box, 6, 6);
        break;
    }
}

// Straight edges (large graphs) are clipped to the view before stroking: Qt strokes the whole line first, and at
// 1:1 zoom a line across a 30,000-point map costs far more than the part on screen.
bool isStraight(const TopologyGeometry::Edge& edge)
{
    if (edge.path.size() != 4)
        return false;
    const QPointF a = edge.path[0];
    const QPointF b = edge.path[3];
    auto onLine = [&](QPointF p) {
        const double cross = (b.x() - a.x()) * (p.y() - a.y()) - (b.y() - a.y()) * (p.x() - a.x());
        return std::abs(cross) <= 1e-6 * (1 + std::abs(b.x() - a.x()) + std::abs(b.y() - a.y()));
    };
    return onLine(edge.path[1]) && onLine(edge.path[2]);
}

// Liang-Barsky: the part of segment a-b inside rect, if any.
std::optional<QLineF> clipped(QPointF a, QPointF b, const QRectF& rect)
{
    double t0 = 0, t1 = 1;
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double p[4] = { -dx, dx, -dy, dy };
    const double q[4] = { a.x() - rect.left(), rect.right() - a.x(), a.y() - rect.top(), rect.bottom() - a.y() };
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return std::nullopt;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0)
            t0 = std::max(t0, t);
        else
            t1 = std::min(t1, t);
        if (t0 > t1)
            return std::nullopt;
    }
    return QLineF(a + QPointF(dx, dy) * t0, a + QPointF(dx, dy) * t1);
}

} // namespace

QRectF TopologyPainter::nameRect(const QRectF& box, Topology::NodeKind kind, bool hasFigures)
{
    // A cylinder's lid takes the top of its box: the name goes below it, not on its outline.
    const double lid = kind == Topology::NodeKind::Database ? cylinderLid(box) : 0.0;
    const QRectF inner = box.adjusted(4, 2 + lid, -4, -2 - lid / 2);
    return QRectF(inner.left(), inner.top(), inner.width(), inner.height() * (hasFigures ? 0.55 : 1.0));
}

QFont TopologyPainter::nameFont(const QFont& base, const QString& name, double width)
{
    QFont font = base;
    const double needed = QFontMetricsF(base).horizontalAdvance(name);
    if (needed > width && needed > 0)
        font.setPixelSize(std::max(9, static_cast<int>(base.pixelSize() * width / needed)));
    return font;
}

QColor TopologyPainter::healthColor(double errorPercent, bool dark)
{
    if (errorPercent >= 5)
        return dark ? QColor(0x8a, 0x3d, 0x12) : QColor(0xf4, 0xc7, 0xa8); // vermilion tint
    if (errorPercent >= 1)
        return dark ? QColor(0x7a, 0x5a, 0x10) : QColor(0xf8, 0xe2, 0xa6); // orange tint
    return dark ? QColor(0x12, 0x4a, 0x6b) : QColor(0xcf, 0xe6, 0xf5); // sky-blue tint
}

QColor TopologyPainter::anomalyColor(bool dark)
{
    return dark ? QColor(0xff, 0x7a, 0x3d) : QColor(0xd5, 0x5e, 0x00);
}

QColor TopologyPainter::edgeColor(double errorPercent, bool dark)
{
    if (errorPercent >= 5)
        return QColor(0xd5, 0x5e, 0x00);
    if (errorPercent >= 1)
        return QColor(0xe6, 0x9f, 0x00);
    return dark ? QColor(0x9a, 0xa4, 0xae) : QColor(0x6b, 0x75, 0x80);
}

double TopologyPainter::edgeWidth(qint64 calls, qint64 maxCalls)
{
    if (maxCalls <= 1 || calls <= 1)
        return 1.0;
    return 1.0 + 4.0 * std::log(static_cast<double>(calls)) / std::log(static_cast<double>(maxCalls));
}

QString TopologyPainter::nodeFigures(const Topology::Node& node)
{
    // The second line of the label Graphviz sized the box for.
    const QString label = QString::fromStdString(DotWriter::nodeLabel(node));
    return label.section(QLatin1Char('\n'), 1);
}

QString TopologyPainter::edgeLabel(const Topology::Edge& edge)
{
    return QString::fromStdString(DotWriter::edgeLabel(edge));
}

namespace {

constexpr int kSteps = 5;

// A sequential scale, light to dark (ColorBrewer's blues, kept light enough that the names on them stay readable);
// on a dark theme, dark to light.
QColor stepColor(int step, bool dark)
{
    static const QColor light[kSteps] = { QColor(0xef, 0xf3, 0xff), QColor(0xc6, 0xdb, 0xef), QColor(0x9e, 0xca, 0xe1),
        QColor(0x6b, 0xae, 0xd6), QColor(0x42, 0x92, 0xc6) };
    static const QColor darkSteps[kSteps] = { QColor(0x10, 0x2a, 0x43), QColor(0x12, 0x3f, 0x63),
        QColor(0x17, 0x55, 0x84), QColor(0x1f, 0x6b, 0xa5), QColor(0x2b, 0x83, 0xc4) };
    return dark ? darkSteps[step] : light[step];
}

QString formatRate(double perSecond)
{
    return perSecond >= 10 ? QStringLiteral("%1/s").arg(qRound64(perSecond))
                           : QStringLiteral("%1/s").arg(perSecond, 0, 'g', 2);
}

} // namespace

namespace {

// A metric's value as the legend writes it: "12 ms", "3.4/s", "2.5 %".
QString formatMetric(Topology::Metric metric, double value)
{
    switch (metric) {
    case Topology::Metric::P95:
        return formatDuration(static_cast<qint64>(value));
    case Topology::Metric::Rate:
        return formatRate(value);
    case Topology::Metric::Errors:
        break;
    }
    return QStringLiteral("%1 %").arg(value, 0, 'g', 3);
}

} // namespace

TopologyPainter::NodeColors::NodeColors(const Topology& topology, ColorBy by, bool dark)
    : m_by(by)
    , m_dark(dark)
{
    bool first = true;
    for (const Topology::Node& n : topology.nodes) {
        const double v = Topology::metric(n, m_by);
        if (v <= 0)
            continue;
        m_low = first ? v : std::min(m_low, v);
        m_high = first ? v : std::max(m_high, v);
        first = false;
    }
}

int TopologyPainter::NodeColors::step(double v) const
{
    if (v <= m_low || m_high <= m_low)
        return 0;
    const double at = std::log(v / m_low) / std::log(m_high / m_low);
    return std::clamp(static_cast<int>(at * kSteps), 0, kSteps - 1);
}

QColor TopologyPainter::NodeColors::fill(const Topology::Node& node) const
{
    if (m_by == ColorBy::Errors)
        return healthColor(node.errorPercent, m_dark);
    return stepColor(step(Topology::metric(node, m_by)), m_dark);
}

std::vector<std::pair<QColor, QString>> TopologyPainter::NodeColors::legend() const
{
    if (m_by == ColorBy::Errors) {
        return { { healthColor(0, m_dark), QStringLiteral("errors under 1 %") },
            { healthColor(1, m_dark), QStringLiteral("errors 1 – 5 %") },
            { healthColor(5, m_dark), QStringLiteral("errors 5 % and more") } };
    }
    const auto format = [this](double v) { return formatMetric(m_by, v); };
    const QString what = m_by == ColorBy::P95 ? QStringLiteral("p95") : QStringLiteral("rate");
    if (m_high <= m_low)
        return { { stepColor(0, m_dark),
            QStringLiteral("%1 %2").arg(what, m_high > 0 ? format(m_high) : QStringLiteral("unknown")) } };
    std::vector<std::pair<QColor, QString>> out;
    for (int i = 0; i < kSteps; ++i) {
        // The ends exactly, so the legend names the lowest and highest values shown.
        const double from = i == 0 ? m_low : m_low * std::pow(m_high / m_low, double(i) / kSteps);
        const double to = i == kSteps - 1 ? m_high : m_low * std::pow(m_high / m_low, double(i + 1) / kSteps);
        out.emplace_back(stepColor(i, m_dark), QStringLiteral("%1 %2 – %3").arg(what, format(from), format(to)));
    }
    return out;
}

QRectF TopologyPainter::paintLegend(QPainter* painter, QPointF at, const Topology& topology, const Options& options)
{
    enum class Sample { Fill, Dashed, Stack, Sizes };
    struct Row {
        Sample sample;
        QColor color;
        QString text;
    };
    const bool dark = isDark(options.palette);
    const QColor base = options.palette.color(QPalette::Base);
    std::vector<Row> rows;
    for (auto& [color, text] : NodeColors(topology, options.colorBy, dark).legend())
        rows.push_back({ Sample::Fill, color, text });
    if (options.sizeBy) {
        double highest = 0;
        for (const Topology::Node& node : topology.nodes)
            highest = std::max(highest, Topology::metric(node, *options.sizeBy));
        if (highest > 0) {
            rows.push_back({ Sample::Sizes, base,
                QStringLiteral("size: %1, largest %2")
                    .arg(QLatin1String(Topology::metricName(*options.sizeBy)),
                        formatMetric(*options.sizeBy, highest)) });
        }
    }
    if (std::ranges::any_of(topology.nodes, [](const auto& n) { return n.inferred && n.groupSize == 0; }))
        rows.push_back({ Sample::Dashed, base, QStringLiteral("seen only as a peer") });
    if (std::ranges::any_of(topology.nodes, [](const auto& n) { return n.groupSize > 0; }))
        rows.push_back({ Sample::Stack, base, QStringLiteral("a group: double-click to open") });

    QFont font;
    font.setPixelSize(11);
    const QFontMetricsF metrics(font);
    const double line = metrics.height();
    double textWidth = 0;
    for (const Row& r : rows)
        textWidth = std::max(textWidth, metrics.horizontalAdvance(r.text));
    const QSizeF sample(line * 1.4, line);
    const QRectF box(at, QSizeF(12 + sample.width() + 8 + textWidth + 4, 8 + (line + 4) * double(rows.size())));
    if (!painter)
        return box;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    QColor backing = base;
    backing.setAlphaF(0.9);
    painter->setPen(QPen(options.palette.color(QPalette::Mid), 1));
    painter->setBrush(backing);
    painter->drawRoundedRect(box, 4, 4);
    painter->setFont(font);
    QPointF row = box.topLeft() + QPointF(6, 4);
    for (const Row& r : rows) {
        const QRectF swatch(row, sample);
        QPen outline(options.palette.color(QPalette::Text), 1);
        if (r.sample == Sample::Dashed)
            outline.setStyle(Qt::DashLine);
        painter->setPen(outline);
        painter->setBrush(r.color);
        if (r.sample == Sample::Stack)
            painter->drawRoundedRect(swatch.translated(2, 2), 3, 3);
        if (r.sample == Sample::Sizes) {
            // A small box and one Topology::kMaxNodeScale times as large, both sitting on the row's baseline.
            const double small = swatch.height() / Topology::kMaxNodeScale;
            painter->drawRoundedRect(QRectF(swatch.left(), swatch.bottom() - small, small, small), 2, 2);
            painter->drawRoundedRect(
                QRectF(swatch.right() - swatch.height(), swatch.top(), swatch.height(), swatch.height()), 3, 3);
        } else {
            painter->drawRoundedRect(swatch, 3, 3);
        }
        painter->setPen(options.palette.color(QPalette::Text));
        painter->drawText(QRectF(row.x() + sample.width() + 8, row.y(), textWidth + 4, line),
            Qt::AlignVCenter | Qt::AlignLeft, r.text);
        row.ry() += line + 4;
    }
    painter->restore();
    return box;
}

QRectF TopologyPainter::edgeLabelRect(const Topology::Edge& edge, QPointF at)
{
    const QSizeF size = QFontMetricsF(figureFont()).size(0, edgeLabel(edge)); // several lines: Graphviz left room
    return QRectF(at - QPointF(size.width() / 2, size.height() / 2), size);
}

namespace {

QPointF edgeLabelPosition(const TopologyGeometry::Edge& g)
{
    if (!g.labelPosition.isNull())
        return g.labelPosition;
    if (isStraight(g))
        return (g.path.front() + g.path.back()) / 2;
    return edgePath(g).pointAtPercent(0.5);
}

} // namespace

TopologyPainter::LabelPlan TopologyPainter::planLabels(
    const Topology& topology, const TopologyGeometry& geometry, const Options& options)
{
    LabelPlan plan;
    plan.node.assign(geometry.nodes.size(), false);
    plan.edge.assign(geometry.edges.size(), false);
    if (QFontMetricsF(figureFont()).height() * options.scale < kMinReadablePixels)
        return plan;
    const QRectF& visible = options.visibleScene;
    const size_t budget = options.maxLabels > 0 ? options.maxLabels : std::numeric_limits<size_t>::max();

    const std::vector<qint64> traffic = topology.traffic();
    RectGrid boxes; // every node's box, labelled or not: edge labels stay off them
    std::vector<size_t> nodeOrder;
    for (size_t i = 0; i < geometry.nodes.size(); ++i) {
        const auto& g = geometry.nodes[i];
        if (g.node >= topology.nodes.size())
            continue;
        // A group's box has a second one peeking out behind it (see paint()).
        boxes.add(topology.nodes[g.node].groupSize > 0 ? g.box.adjusted(0, 0, 3, 3) : g.box);
        if (visible.isEmpty() || visible.intersects(g.box))
            nodeOrder.push_back(i);
    }
    const auto nodeOf = [&](size_t i) -> const Topology::Node& { return topology.nodes[geometry.nodes[i].node]; };
    std::ranges::stable_sort(nodeOrder, [&](size_t a, size_t b) {
        return std::pair(nodeOf(a).groupSize, traffic[geometry.nodes[a].node])
            > std::pair(nodeOf(b).groupSize, traffic[geometry.nodes[b].node]);
    });
    RectGrid labels;
    for (size_t i : nodeOrder) {
        if (plan.rects.size() >= budget)
            break;
        const QRectF& box = geometry.nodes[i].box;
        if (labels.intersects(box)) // boxes Graphviz let overlap (force-directed layouts)
            continue;
        plan.node[i] = true;
        plan.rects.push_back(box);
        labels.add(box);
    }
    if (!options.edgeLabels)
        return plan;
    std::vector<size_t> edgeOrder;
    for (size_t i = 0; i < geometry.edges.size(); ++i) {
        if (geometry.edges[i].edge < topology.edges.size() && !geometry.edges[i].path.empty())
            edgeOrder.push_back(i);
    }
    std::ranges::stable_sort(edgeOrder, [&](size_t a, size_t b) {
        return topology.edges[geometry.edges[a].edge].calls > topology.edges[geometry.edges[b].edge].calls;
    });
    for (size_t i : edgeOrder) {
        if (plan.rects.size() >= budget)
            break;
        const QRectF rect = edgeLabelRect(topology.edges[geometry.edges[i].edge], edgeLabelPosition(geometry.edges[i]));
        if ((!visible.isEmpty() && !visible.intersects(rect)) || boxes.intersects(rect) || labels.intersects(rect))
            continue;
        plan.edge[i] = true;
        plan.rects.push_back(rect);
        labels.add(rect);
    }
    return plan;
}

void TopologyPainter::paint(
    QPainter& painter, const Topology& topology, const TopologyGeometry& geometry, const Options& options)
{
    const bool dark = isDark(options.palette);
    const QColor text = options.palette.color(QPalette::Text);
    const QColor highlight = options.palette.color(QPalette::Highlight);
    const QRectF visible = options.visibleScene;
    qint64 maxCalls = 1;
    for (const auto& e : topology.edges)
        maxCalls = std::max(maxCalls, e.calls);

    const NodeColors fills(topology, options.colorBy, dark);
    const QFont baseFont = nameBaseFont();
    const QFont smallFont = figureFont();
    const QFontMetricsF figureMetrics(smallFont);
    const LabelPlan labels = planLabels(topology, geometry, options);

    // Edges first, under the nodes. Antialiasing only where it shows (not on a zoomed-out map of thousands of
    // hairlines); boxes are drawn crisp.
    constexpr size_t kMaxSmoothEdges = 1000; // past this, antialiased strokes alone cost more than a frame
    const bool smoothEdges = options.scale >= 0.5 && topology.edges.size() <= kMaxSmoothEdges;
    painter.setRenderHint(QPainter::Antialiasing, smoothEdges);
    const QRectF margin = visible.adjusted(-20, -20, 20, 20);
    std::vector<std::pair<QRectF, QString>> edgeLabels;
    // Solid straight edges are stroked in batches of one pen (a large map's edges are all straight): one
    // drawLines call for hundreds of lines, not hundreds of calls. Arrowheads follow, over all the lines.
    std::map<std::pair<QRgb, int>, std::vector<QLineF>> batches; // by colour and width in quarter points
    struct Arrow {
        QPointF from;
        QPointF tip;
        double width;
        QColor color;
    };
    std::vector<Arrow> arrows;
    for (size_t index = 0; index < geometry.edges.size(); ++index) {
        const auto& g = geometry.edges[index];
        if (g.edge >= topology.edges.size() || g.path.empty())
            continue;
        const bool straight = isStraight(g);
        std::optional<QLineF> line;
        if (straight && !visible.isEmpty()) {
            line = clipped(g.path.front(), g.path.back(), margin);
            if (!line)
                continue;
        }
        const QPainterPath path = straight ? QPainterPath() : edgePath(g);
        if (!straight && !visible.isEmpty() && !visible.intersects(path.boundingRect().adjusted(-8, -8, 8, 8)))
            continue;
        const Topology::Edge& e = topology.edges[g.edge];
        const bool selected = options.selectedEdge == static_cast<int>(g.edge);
        const double width = edgeWidth(e.calls, maxCalls) + (selected ? 1.5 : 0);
        QColor color = selected ? highlight : edgeColor(e.errorPercent, dark);
        if (options.scale < kFadeBelowScale && width < 2 && !selected) {
            // Faded towards the page, opaque: thousands of translucent strokes would be blended one by one
            // (bench_topologypaint: 95 ms a fitted frame with alpha, against 25 ms).
            const QColor page = options.palette.color(QPalette::Base);
            color = QColor::fromRgbF(0.35 * color.redF() + 0.65 * page.redF(),
                0.35 * color.greenF() + 0.65 * page.greenF(), 0.35 * color.blueF() + 0.65 * page.blueF());
        }
        QPen pen(color, std::max(width, 1.0 / options.scale));
        if (topology.nodes[e.to].inferred)
            pen.setStyle(Qt::DashLine);
        painter.setBrush(Qt::NoBrush);
        auto stroke = [&](const QPen& with) {
            painter.setPen(with);
            if (line)
                painter.drawLine(*line);
            else if (straight)
                painter.drawLine(g.path.front(), g.path.back());
            else
                painter.drawPath(path);
        };
        // Calls into a service with an anomaly: a dotted band over the edge, the edge's own colour between.
        const bool anomalous = options.anomalousServices.contains(QString::fromStdString(topology.nodes[e.to].name));
        if (straight && pen.style() == Qt::SolidLine && !anomalous)
            batches[{ color.rgba(), qRound(pen.widthF() * 4) }].push_back(
                line ? *line : QLineF(g.path.front(), g.path.back()));
        else
            stroke(pen);
        if (anomalous)
            stroke(QPen(anomalyColor(dark), std::max(width + 2.0, 3.0 / options.scale), Qt::DotLine, Qt::RoundCap));
        // An arrowhead smaller than a pixel is not drawn.
        if ((6.0 + width) * options.scale >= 1.0) {
            if (g.hasArrow)
                arrows.push_back({ g.path.back(), g.arrowTip, width, color });
            else if (g.path.size() >= 2)
                arrows.push_back({ g.path[g.path.size() - 2], g.path.back(), width, color });
        }
        if (labels.edge[index])
            edgeLabels.emplace_back(edgeLabelRect(e, edgeLabelPosition(g)), edgeLabel(e));
    }
    for (const auto& [key, lines] : batches) {
        painter.setPen(QPen(QColor::fromRgba(key.first), key.second / 4.0));
        painter.drawLines(lines.data(), static_cast<int>(lines.size()));
    }
    for (const Arrow& a : arrows)
        drawArrow(painter, a.from, a.tip, a.width, a.color);
    // Over all the edges, on a backing of the page's colour, so that no line strikes a label through.
    QColor backing = options.palette.color(QPalette::Base);
    backing.setAlphaF(0.85);
    painter.setFont(smallFont);
    painter.setPen(text);
    for (const auto& [rect, label] : edgeLabels) {
        painter.fillRect(rect, backing);
        painter.drawText(rect, Qt::AlignCenter, label);
    }

    for (size_t index = 0; index < geometry.nodes.size(); ++index) {
        const auto& g = geometry.nodes[index];
        if (g.node >= topology.nodes.size())
            continue;
        if (!visible.isEmpty() && !visible.intersects(g.box))
            continue;
        const Topology::Node& n = topology.nodes[g.node];
        const bool selected = options.selectedNode == static_cast<int>(g.node);
        const bool highlighted = options.highlightedNodes.contains(g.node);
        QPen border(selected || highlighted ? highlight : text, selected || highlighted ? 2.5 : 1.0);
        if (n.inferred)
            border.setStyle(Qt::DashLine);
        painter.setPen(border);
        painter.setBrush(n.inferred ? options.palette.color(QPalette::Base) : fills.fill(n));
        painter.setRenderHint(QPainter::Antialiasing, smoothEdges && n.kind != Topology::NodeKind::Service);
        if (n.groupSize > 0) {
            // A collapsed group: a second box peeking out behind, like a stack of cards.
            drawNodeShape(painter, g.box.translated(3, 3), n.kind);
        }
        drawNodeShape(painter, g.box, n.kind);
        if (!labels.node[index])
            continue;
        painter.setPen(text);
        const QString figures = nodeFigures(n);
        const QRectF top = nameRect(g.box, n.kind, !figures.isEmpty());
        const QString name = n.name.empty() ? QStringLiteral("(no service)") : QString::fromStdString(n.name);
        const QFont fitted = nameFont(baseFont, name, top.width());
        painter.setFont(fitted);
        painter.drawText(top, Qt::AlignHCenter | (figures.isEmpty() ? Qt::AlignVCenter : Qt::AlignBottom),
            QFontMetricsF(fitted).elidedText(name, Qt::ElideMiddle, top.width()));
        if (options.anomalousServices.contains(name)) {
            // A round "!" badge on the top right corner, as the anomalies list names it.
            const double r = std::clamp(g.box.height() / 5, 6.0, 10.0);
            const QPointF at(g.box.right() - r * 0.4, g.box.top() + r * 0.4);
            painter.save();
            painter.setRenderHint(QPainter::Antialiasing, true);
            painter.setPen(QPen(options.palette.color(QPalette::Base), 1.5));
            painter.setBrush(anomalyColor(dark));
            painter.drawEllipse(at, r, r);
            QFont bang = smallFont;
            bang.setBold(true);
            bang.setPixelSize(static_cast<int>(r * 1.5));
            painter.setFont(bang);
            painter.setPen(Qt::white);
            painter.drawText(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r), Qt::AlignCenter, QStringLiteral("!"));
            painter.restore();
        }
        if (figures.isEmpty())
            continue;
        const QRectF bottom(top.left(), top.bottom(), top.width(), g.box.bottom() - 2 - top.bottom());
        painter.setFont(smallFont);
        painter.drawText(
            bottom, Qt::AlignHCenter | Qt::AlignTop, figureMetrics.elidedText(figures, Qt::ElideRight, top.width()));
    }

    // Found and selected services get a ring at least a dozen pixels wide whatever the zoom, so a search on a
    // zoomed-out map of a thousand services still shows where its match is.
    if (options.selectedNode >= 0 || !options.highlightedNodes.isEmpty()) {
        painter.setRenderHint(QPainter::Antialiasing, true);
        const double pixel = 1.0 / std::max(options.scale, 1e-6);
        for (const auto& g : geometry.nodes) {
            const bool selected = options.selectedNode == static_cast<int>(g.node);
            // A search matching most of a large map rings only its best match, not hundreds of services.
            constexpr qsizetype kMaxRings = 100;
            if (!selected
                && (options.highlightedNodes.size() > kMaxRings || !options.highlightedNodes.contains(g.node)))
                continue;
            if (!visible.isEmpty()
                && !visible.intersects(g.box.adjusted(-20 * pixel, -20 * pixel, 20 * pixel, 20 * pixel)))
                continue;
            const double radius = std::max(std::hypot(g.box.width(), g.box.height()) / 2 + 4 * pixel, 12 * pixel);
            painter.setPen(QPen(highlight, (selected ? 3.5 : 2.5) * pixel));
            painter.setBrush(Qt::NoBrush);
            painter.drawEllipse(g.box.center(), radius, radius);
        }
    }
}

} // namespace tracemap
