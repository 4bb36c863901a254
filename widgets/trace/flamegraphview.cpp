#include "flamegraphview.h"

#include "model/tracequery.h"
#include "servicecolors.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <limits>

namespace tracemap {

namespace {

std::string_view serviceOf(std::string_view frame)
{
    return frame.substr(0, frame.find(':'));
}

} // namespace

FlameGraphView::FlameGraphView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    setMinimumHeight(120);
}

void FlameGraphView::setFlameGraph(std::shared_ptr<const FlameGraph> graph)
{
    m_full = std::move(graph);
    m_shown = m_full;
    m_zoomRoot = 0;
    std::vector<std::string_view> services;
    for (quint32 i = 1; m_full && i < m_full->nodes().size(); ++i)
        services.push_back(serviceOf(m_full->name(i)));
    m_colors = ServiceColors(std::move(services));
    relayout();
    Q_EMIT flameGraphChanged();
}

void FlameGraphView::setWidthMode(Width mode)
{
    m_width = mode;
    relayout();
}

double FlameGraphView::childrenWeight(quint32 node) const
{
    double sum = 0;
    for (const quint32 child : m_shown->children(node))
        sum += weight(child);
    return sum;
}

double FlameGraphView::weight(quint32 node) const
{
    const auto& n = m_shown->nodes()[node];
    switch (m_width) {
    case Width::TotalTime:
        return static_cast<double>(n.totalNs);
    case Width::SelfTime:
        return static_cast<double>(n.subtreeSelfNs);
    case Width::Count:
        break;
    }
    return static_cast<double>(n.count);
}

void FlameGraphView::relayout()
{
    m_rects.clear();
    m_crumbRects.clear();
    if (!m_shown || m_shown->nodes().empty()) {
        update();
        return;
    }
    const auto& nodes = m_shown->nodes();
    // Zoomed in, the breadcrumb row takes the top: crumbs share the width by their text, at most a fair share each.
    const std::vector<quint32> crumbs = breadcrumb();
    if (!crumbs.empty()) {
        const QFontMetricsF metrics(font());
        const double fair = width() / double(crumbs.size() + 1);
        double x = 0;
        for (const quint32 crumb : crumbs) {
            const double w = std::min(fair, metrics.horizontalAdvance(frameTitle(*m_full, crumb)) + 24);
            m_crumbRects.emplace_back(x, 0, w, kRowHeight);
            x += w;
        }
    }
    const double top = crumbs.empty() ? 0 : kRowHeight;
    m_rects.assign(nodes.size(), QRectF());
    m_rects[0] = QRectF(0, top, width(), kRowHeight);
    // Nodes are in pre-order, so a parent's rectangle is known before its children's. By total time or self time in
    // and below, a parent's width is its own and the gap its self time, unless its children overlapped in time and
    // add up to more: then they share the parent's width (the tooltip says so). Counts do not nest, so there the
    // children always share the parent's width.
    for (quint32 i = 0; i < nodes.size(); ++i) {
        const QRectF parent = m_rects[i];
        const auto children = m_shown->children(i);
        if (parent.isEmpty() || children.empty())
            continue;
        double denominator = childrenWeight(i);
        if (m_width != Width::Count)
            denominator = std::max(denominator, weight(i));
        double x = parent.left();
        for (quint32 child : children) {
            const double w = denominator > 0 ? parent.width() * std::min(weight(child) / denominator, 1.0) : 0;
            if (w >= 0.5)
                m_rects[child] = QRectF(x, parent.bottom(), w, kRowHeight);
            x += w;
        }
    }
    setMinimumHeight(static_cast<int>(top + (m_shown->maxDepth() + 2) * kRowHeight));
    update();
}

quint32 FlameGraphView::frameAt(const QPointF& point) const
{
    for (quint32 i = 0; i < m_rects.size(); ++i) {
        if (!m_rects[i].isEmpty() && m_rects[i].contains(point))
            return i;
    }
    return kNoIndex;
}

QRectF FlameGraphView::frameRect(quint32 node) const
{
    return node < m_rects.size() ? m_rects[node] : QRectF();
}

void FlameGraphView::zoomTo(quint32 node)
{
    if (!m_shown || node == 0 || node >= m_shown->nodes().size())
        return;
    zoomToFullNode(m_zoomRoot + node);
}

void FlameGraphView::zoomToFullNode(quint32 node)
{
    if (!m_full || node >= m_full->nodes().size())
        return;
    m_zoomRoot = node;
    m_shown = node == 0 ? m_full : std::make_shared<const FlameGraph>(m_full->zoomedTo(node));
    relayout();
}

void FlameGraphView::resetZoom()
{
    zoomToFullNode(0);
}

std::vector<quint32> FlameGraphView::breadcrumb() const
{
    std::vector<quint32> path;
    if (!m_full || m_zoomRoot == 0)
        return path;
    for (quint32 node = m_full->nodes()[m_zoomRoot].parent; node != kNoIndex; node = m_full->nodes()[node].parent)
        path.push_back(node);
    std::reverse(path.begin(), path.end());
    return path;
}

QRectF FlameGraphView::breadcrumbRect(size_t index) const
{
    return index < m_crumbRects.size() ? m_crumbRects[index] : QRectF();
}

int FlameGraphView::breadcrumbAt(const QPointF& point) const
{
    for (size_t i = 0; i < m_crumbRects.size(); ++i) {
        if (m_crumbRects[i].contains(point))
            return int(i);
    }
    return -1;
}

QString FlameGraphView::frameTitle(const FlameGraph& graph, quint32 node) const
{
    if (node == 0 && &graph == m_full.get() && graph.sampledFrom() > graph.traceCount())
        return tr("all (the newest %L1 of %L2 traces)").arg(graph.traceCount()).arg(graph.sampledFrom());
    if (node == 0 && &graph == m_full.get())
        return tr("all (%n trace(s))", nullptr, static_cast<int>(graph.traceCount()));
    const std::string_view name = graph.name(node);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString FlameGraphView::toolTipText(quint32 node) const
{
    if (!m_shown || node >= m_shown->nodes().size())
        return {};
    const auto& n = m_shown->nodes()[node];
    const bool isAll = node == 0 && m_zoomRoot == 0;
    QString text = tr("<b>%1</b><br>total %2 · self %3 · self in and below %4<br>%5 span(s) in %6 trace(s)")
                       .arg(isAll ? tr("all") : frameTitle(*m_shown, node).toHtmlEscaped(), formatDuration(n.totalNs),
                           formatDuration(n.selfNs), formatDuration(n.subtreeSelfNs))
                       .arg(n.count)
                       .arg(m_shown->traceCount());
    if (m_width != Width::Count && childrenWeight(node) > weight(node)) {
        text += QStringLiteral("<br>")
            + tr("Its calls overlap in time (parallel or asynchronous): together %1, more than its %2; they are "
                 "drawn scaled to fit under it.")
                  .arg(formatDuration(qint64(childrenWeight(node))), formatDuration(qint64(weight(node))));
    }
    return text;
}

void FlameGraphView::paintEvent(QPaintEvent* event)
{
    QPainter painter(this);
    if (!m_shown || m_shown->nodes().empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No traces: search to see their call paths merged here."));
        return;
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
    const QFontMetricsF metrics(font());
    const QColor text(0x20, 0x20, 0x20);
    const std::vector<quint32> crumbs = breadcrumb();
    for (size_t c = 0; c < crumbs.size() && c < m_crumbRects.size(); ++c) {
        const QRectF& r = m_crumbRects[c];
        painter.fillRect(r.adjusted(0, 0, -1, -1), palette().color(QPalette::Mid));
        painter.setPen(palette().color(QPalette::Text));
        const QString label = frameTitle(*m_full, crumbs[c]) + QStringLiteral("  ▸");
        painter.drawText(r.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft,
            metrics.elidedText(label, Qt::ElideRight, r.width() - 8));
    }
    for (quint32 i = 0; i < m_rects.size(); ++i) {
        const QRectF& r = m_rects[i];
        if (r.isEmpty() || !r.intersects(event->rect()))
            continue;
        const bool isAll = i == 0 && m_zoomRoot == 0;
        const std::string_view name = isAll ? std::string_view("all") : m_shown->name(i);
        painter.fillRect(
            r.adjusted(0, 0, -1, -1), isAll ? palette().color(QPalette::Mid) : m_colors.lightColor(serviceOf(name)));
        if (r.width() < metrics.averageCharWidth() * 6)
            continue; // too narrow to read: no label at all rather than "…"
        const auto& n = m_shown->nodes()[i];
        const QString label = QStringLiteral("%1  %2").arg(frameTitle(*m_shown, i),
            m_width == Width::Count ? tr(
                "%n span(s)", nullptr, static_cast<int>(std::min<qint64>(n.count, std::numeric_limits<int>::max())))
                : m_width == Width::SelfTime ? tr("self %1").arg(formatDuration(n.subtreeSelfNs))
                                             : formatDuration(n.totalNs));
        painter.setPen(isAll ? palette().color(QPalette::Text) : text);
        painter.drawText(r.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft,
            metrics.elidedText(label, Qt::ElideRight, r.width() - 8));
    }
}

void FlameGraphView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    relayout();
}

void FlameGraphView::mouseReleaseEvent(QMouseEvent* event)
{
    const int crumb = breadcrumbAt(event->position());
    if (crumb >= 0) {
        zoomToFullNode(breadcrumb()[size_t(crumb)]);
        return;
    }
    const quint32 frame = frameAt(event->position());
    if (frame == 0 && m_zoomRoot != 0)
        zoomToFullNode(m_full->nodes()[m_zoomRoot].parent); // the zoomed frame: one level out
    else if (frame != kNoIndex)
        zoomTo(frame);
}

void FlameGraphView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape || event->key() == Qt::Key_0) {
        resetZoom();
        return;
    }
    QWidget::keyPressEvent(event);
}

bool FlameGraphView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const quint32 frame = frameAt(help->pos());
        const int crumb = breadcrumbAt(help->pos());
        if (crumb >= 0) {
            QToolTip::showText(help->globalPos(),
                tr("Zoom out to %1").arg(frameTitle(*m_full, breadcrumb()[size_t(crumb)]).toHtmlEscaped()), this);
        } else if (frame != kNoIndex && m_shown) {
            QToolTip::showText(help->globalPos(), toolTipText(frame), this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace tracemap
