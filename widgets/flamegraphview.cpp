#include "flamegraphview.h"

#include "servicecolors.h"
#include "tracequery.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

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

double FlameGraphView::weight(quint32 node) const
{
    const auto& n = m_shown->nodes()[node];
    switch (m_width) {
    case Width::TotalTime:
        return static_cast<double>(n.totalNs);
    case Width::SelfTime:
        return static_cast<double>(m_subtreeSelfNs[node]);
    case Width::Count:
        break;
    }
    return static_cast<double>(n.count);
}

void FlameGraphView::relayout()
{
    m_rects.clear();
    if (!m_shown || m_shown->nodes().empty()) {
        update();
        return;
    }
    const auto& nodes = m_shown->nodes();
    // Pre-order: a child comes after its parent, so one backward sweep sums every subtree.
    m_subtreeSelfNs.assign(nodes.size(), 0);
    for (quint32 i = quint32(nodes.size()); i-- > 0;) {
        m_subtreeSelfNs[i] += nodes[i].selfNs;
        if (nodes[i].parent != kNoIndex)
            m_subtreeSelfNs[nodes[i].parent] += m_subtreeSelfNs[i];
    }
    m_rects.assign(nodes.size(), QRectF());
    m_rects[0] = QRectF(0, 0, width(), kRowHeight);
    // Nodes are in pre-order, so a parent's rectangle is known before its children's. By total time a parent's width
    // is its total and the gap its self time, unless its children ran in parallel and add up to more: then they
    // share the parent's width. Subtree self times nest exactly (the gap is the frame's own self time). Counts do
    // not nest, so there the children always share the parent's width.
    for (quint32 i = 0; i < nodes.size(); ++i) {
        const QRectF parent = m_rects[i];
        const auto children = m_shown->children(i);
        if (parent.isEmpty() || children.empty())
            continue;
        double denominator = 0;
        for (quint32 child : children)
            denominator += weight(child);
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
    setMinimumHeight(static_cast<int>((m_shown->maxDepth() + 2) * kRowHeight));
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
    m_shown = std::make_shared<const FlameGraph>(m_shown->zoomedTo(node));
    relayout();
}

void FlameGraphView::resetZoom()
{
    m_shown = m_full;
    relayout();
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
    for (quint32 i = 0; i < m_rects.size(); ++i) {
        const QRectF& r = m_rects[i];
        if (r.isEmpty() || !r.intersects(event->rect()))
            continue;
        const std::string_view name = i == 0 ? std::string_view("all") : m_shown->name(i);
        painter.fillRect(
            r.adjusted(0, 0, -1, -1), i == 0 ? palette().color(QPalette::Mid) : m_colors.lightColor(serviceOf(name)));
        if (r.width() < metrics.averageCharWidth() * 6)
            continue; // too narrow to read: no label at all rather than "…"
        const auto& n = m_shown->nodes()[i];
        const QString label = QStringLiteral("%1  %2").arg(i == 0
                ? tr("all (%n trace(s))", nullptr, static_cast<int>(m_shown->traceCount()))
                : QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())),
            m_width == Width::Count ? tr(
                "%n span(s)", nullptr, static_cast<int>(std::min<qint64>(n.count, std::numeric_limits<int>::max())))
                : m_width == Width::SelfTime ? tr("self %1").arg(formatDuration(m_subtreeSelfNs[i]))
                                             : formatDuration(n.totalNs));
        painter.setPen(i == 0 ? palette().color(QPalette::Text) : text);
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
    const quint32 frame = frameAt(event->position());
    if (frame == 0)
        resetZoom();
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
        if (frame != kNoIndex && m_shown) {
            const auto& n = m_shown->nodes()[frame];
            const std::string_view name = frame == 0 ? std::string_view("all") : m_shown->name(frame);
            QToolTip::showText(help->globalPos(),
                tr("<b>%1</b><br>total %2 · self %3<br>%4 span(s) in %5 trace(s)")
                    .arg(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())).toHtmlEscaped(),
                        formatDuration(n.totalNs), formatDuration(n.selfNs))
                    .arg(n.count)
                    .arg(m_shown->traceCount()),
                this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace tracemap
