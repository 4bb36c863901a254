#include "flamechartview.h"
#include "flamechartview_p.h"

#include "model/tracequery.h"
#include "servicecolors.h"
#include "traceselection.h"

#include <QImage>
#include <QLineEdit>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cmath>
#include <span>

namespace tracemap {

using namespace flamechart;

// The drawing side of FlameChartView: overview, ruler, rows, critical path and legend.

QColor FlameChartView::serviceColor(StringId service) const
{
    const auto it = m_colors.find(service);
    return it != m_colors.end() ? it->second
                                : ServiceColors::of(m_trace ? m_trace->string(service) : std::string_view());
}

void FlameChartView::renderTo(QPainter& painter, QSize size)
{
    paintChart(painter, size, QRect(QPoint(0, 0), size));
}

void FlameChartView::paintEvent(QPaintEvent* event)
{
    QPainter painter(this);
    const int top = chartTop();
    painter.fillRect(QRect(0, 0, width(), top), palette().window());
    painter.translate(0, top);
    const QSize size(chartWidth(), height() - top);
    paintChart(painter, size, event->rect().translated(0, -top).intersected(QRect(QPoint(0, 0), size)));
}

void FlameChartView::paintChart(QPainter& painter, QSize size, const QRect& clip)
{
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.fillRect(clip, palette().base());
    if (!m_trace || m_layout->trace() != m_trace.get() || m_layout->rowCount() == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        const QString text = !m_trace ? tr("No trace selected")
            : m_layoutPending         ? tr("Laying out %L1 spans…").arg(m_trace->spans.size())
                                      : tr("No spans to show");
        painter.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter, text);
        return;
    }
    if (clip.top() < kOverviewHeight)
        paintOverview(painter, size.width());
    if (clip.top() < kOverviewHeight + kRulerHeight && clip.bottom() >= kOverviewHeight)
        paintRuler(painter, size.width());
    paintRows(painter, size, clip);
    if (clip.bottom() >= size.height() - kLegendHeight)
        paintLegend(painter, size);
}

void FlameChartView::paintOverview(QPainter& painter, int width)
{
    const int height = kOverviewHeight - 4;
    if (m_overview.width() != width) {
        m_overview = QImage(width, height, QImage::Format_ARGB32_Premultiplied);
        m_overview.fill(palette().color(QPalette::AlternateBase));
        QPainter p(&m_overview);
        const double s = double(m_layout->durationNs()) / width;
        const int rows = m_layout->rowCount();
        std::vector<FlameChartPrimitive> primitives;
        for (int row = 0; row < rows; ++row) {
            const int y0 = row * height / rows;
            const int y1 = std::max(y0 + 1, (row + 1) * height / rows);
            if (rows > height && row > 0 && (row - 1) * height / rows == y0)
                continue; // this pixel line is drawn already
            m_layout->computePrimitives(row, s, 0, width, primitives);
            for (const FlameChartPrimitive& primitive : primitives) {
                p.fillRect(
                    QRect(int(primitive.pixelBegin), y0, int(primitive.pixelEnd - primitive.pixelBegin), y1 - y0),
                    serviceColor(m_trace->spans[primitive.span].service));
            }
        }
    }
    painter.drawImage(0, 2, m_overview);
    const double total = double(m_layout->durationNs());
    const int x0 = int(m_viewStart / total * width);
    const int x1 = std::max(x0 + 3, int((m_viewStart + m_viewDuration) / total * width));
    QColor shade = palette().color(QPalette::Highlight);
    shade.setAlpha(60);
    painter.fillRect(QRect(x0, 0, x1 - x0, kOverviewHeight), shade);
    painter.setPen(palette().color(QPalette::Highlight));
    painter.drawRect(QRect(x0, 0, x1 - x0 - 1, kOverviewHeight - 1));
}

void FlameChartView::paintRuler(QPainter& painter, int width)
{
    const QRect ruler(0, kOverviewHeight, width, kRulerHeight);
    painter.fillRect(ruler, palette().window());
    const double s = nsPerPixel(width);
    const double wanted = 90 * s;
    const double base = std::pow(10.0, std::floor(std::log10(wanted)));
    double step = base * 10;
    for (const double m : { 1.0, 2.0, 5.0 }) {
        if (m * base >= wanted) {
            step = m * base;
            break;
        }
    }
    painter.setPen(palette().color(QPalette::WindowText));
    const double first = std::ceil(m_viewStart / step) * step;
    // Deep in a long trace absolute labels would all read the same; label offsets from the first tick instead.
    const bool relative = step < first / 1000;
    for (double tick = first; tick <= m_viewStart + m_viewDuration; tick += step) {
        const int x = int(std::lround((tick - m_viewStart) / s));
        painter.drawLine(x, ruler.bottom() - 5, x, ruler.bottom());
        const QString label = relative
            ? (tick == first ? formatDuration(qint64(tick))
                             : QString(QStringLiteral("+") + formatDuration(qint64(tick - first))))
            : formatDuration(qint64(tick));
        // A label that would run off the right edge goes on the tick's left instead.
        const int labelWidth = painter.fontMetrics().horizontalAdvance(label);
        if (x + 3 + labelWidth <= width)
            painter.drawText(
                QRect(x + 3, ruler.top(), labelWidth + 2, kRulerHeight - 3), Qt::AlignLeft | Qt::AlignVCenter, label);
        else
            painter.drawText(QRect(x - 3 - labelWidth, ruler.top(), labelWidth, kRulerHeight - 3),
                Qt::AlignRight | Qt::AlignVCenter, label);
    }
    painter.drawLine(ruler.left(), ruler.bottom(), ruler.right(), ruler.bottom());
}

void FlameChartView::paintRows(QPainter& painter, QSize size, const QRect& clip)
{
    const int rowsTop = kOverviewHeight + kRulerHeight;
    const int rowsBottom = size.height() - kLegendHeight;
    const QRect area = clip.intersected(QRect(0, rowsTop, size.width(), rowsBottom - rowsTop));
    if (area.isEmpty())
        return;
    painter.save();
    painter.setClipRect(area);
    const int scroll = m_scrollBar->value();
    const int firstRow = std::max(0, (area.top() - rowsTop + scroll) / kRowHeight);
    const int lastRow = std::min(m_layout->rowCount() - 1, (area.bottom() - rowsTop + scroll) / kRowHeight);
    const double s = nsPerPixel(size.width());
    const double viewPixel = m_viewStart / s;
    const qint64 pixelBegin = qint64(std::floor(viewPixel)) + area.left();
    const qint64 pixelEnd = qint64(std::ceil(viewPixel)) + area.right() + 1;
    const QFontMetrics metrics = painter.fontMetrics();
    const int minLabelWidth = metrics.averageCharWidth() * 6;
    const bool searching = !m_search->text().isEmpty();
    const QBrush hatch(QColor(0, 0, 0, 110), Qt::BDiagPattern);
    const QColor errorColor(0x9e, 0x00, 0x00);
    const quint32 selected = m_selection->trace() == m_trace ? m_selection->spanIndex() : kNoIndex;
    const bool dimOffPath = m_criticalPath && m_onCriticalPath.size() == m_trace->spans.size();

    QImage blockImage(std::max(1, size.width()), 1, QImage::Format_ARGB32_Premultiplied);
    const std::span<QRgb> blockLine(reinterpret_cast<QRgb*>(blockImage.scanLine(0)), size_t(blockImage.width()));
    bool lineDirty = true;
    std::vector<QRect> errorStripes;
    for (int row = firstRow; row <= lastRow; ++row) {
        const int y = rowsTop + row * kRowHeight - scroll;
        const int barHeight = kRowHeight - 1;
        // Blocks (and bars under three pixels) go into one line of pixels, drawn stretched to the row's height: a
        // zoomed-out row of a million-span trace is mostly one-pixel blocks of alternating services, and a
        // rectangle per block would cost more than everything else. Error stripes are merged where adjacent.
        if (lineDirty) { // most rows of a zoomed-out large trace are empty: clear only after a row wrote some
            std::fill(blockLine.begin(), blockLine.end(), 0u);
            lineDirty = false;
        }
        bool anyBlock = false;
        QRect pendingError;
        const auto flushErrors = [&] {
            if (!pendingError.isEmpty())
                errorStripes.push_back(pendingError);
            pendingError = QRect();
        };
        errorStripes.clear();
        for (const FlameChartPrimitive& p : m_layout->primitives(row, s, pixelBegin, pixelEnd)) {
            const Span& span = m_trace->spans[p.span];
            QColor color = serviceColor(span.service);
            if (searching && !p.anyMarked)
                color.setAlpha(50);
            else if (dimOffPath && !m_onCriticalPath[p.span])
                color.setAlpha(70);
            const int x0 = int(std::lround(double(p.pixelBegin) - viewPixel));
            const int x1 = std::max(x0 + 1, int(std::lround(double(p.pixelEnd) - viewPixel)));
            if (p.isBlock || x1 - x0 < 3) {
                const QRgb pixel = qPremultiply(color.rgba());
                for (int x = std::max(x0, 0); x < std::min(x1, size.width()); ++x)
                    blockLine[size_t(x)] = pixel;
                anyBlock = lineDirty = true;
                if (p.anyError) {
                    const QRect stripe(x0, y + barHeight - 3, x1 - x0, 3);
                    if (!pendingError.isEmpty() && pendingError.right() + 1 >= x0)
                        pendingError.setRight(stripe.right());
                    else {
                        flushErrors();
                        pendingError = stripe;
                    }
                }
                continue;
            }
            const QRect bar(x0, y, x1 - x0 - 1, barHeight);
            painter.fillRect(bar, color);
            if (span.isError()) {
                painter.fillRect(bar, hatch);
                painter.setPen(errorColor);
                painter.drawRect(bar.adjusted(0, 0, -1, -1));
            }
            const int visibleLeft = std::max(bar.left(), 0);
            const int visibleWidth = std::min(bar.right(), size.width()) - visibleLeft;
            if (visibleWidth >= minLabelWidth) {
                const QString label = fromView(m_trace->serviceName(span)) + QStringLiteral(": ")
                    + fromView(m_trace->operationName(span)) + QStringLiteral("  ") + formatDuration(span.durationNs);
                painter.setPen(isLight(color) || color.alpha() < 128 ? Qt::black : Qt::white);
                painter.drawText(QRect(visibleLeft + 3, y, visibleWidth - 5, barHeight),
                    Qt::AlignLeft | Qt::AlignVCenter, metrics.elidedText(label, Qt::ElideRight, visibleWidth - 5));
            }
        }
        flushErrors();
        if (anyBlock) // blocks and bars never overlap in a row, so the order does not matter
            painter.drawImage(QRect(0, y, size.width(), barHeight), blockImage);
        for (const QRect& stripe : errorStripes)
            painter.fillRect(stripe, errorColor);
    }

    if (dimOffPath)
        paintCriticalPath(painter, size, rowsTop, scroll);

    if (selected != kNoIndex && m_layout->rowOf(selected) >= 0) {
        const Span& span = m_trace->spans[selected];
        const double start = double(span.startNs - m_layout->traceStartNs());
        const int x0 = int(std::lround((start - m_viewStart) / s));
        const int x1 = std::max(x0 + 2, int(std::lround((start + double(span.durationNs) - m_viewStart) / s)));
        const int y = rowsTop + m_layout->rowOf(selected) * kRowHeight - scroll;
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(QRect(std::max(x0, -2), y, std::min(x1, size.width() + 2) - std::max(x0, -2), kRowHeight - 1));
    }

    if (m_hasMeasure) {
        const double a = std::min(m_measureBegin, m_measureEnd);
        const double b = std::max(m_measureBegin, m_measureEnd);
        const int x0 = int(std::lround((a - m_viewStart) / s));
        const int x1 = std::max(x0 + 1, int(std::lround((b - m_viewStart) / s)));
        QColor shade = palette().color(QPalette::Highlight);
        shade.setAlpha(50);
        painter.fillRect(QRect(x0, rowsTop, x1 - x0, rowsBottom - rowsTop), shade);
        painter.setPen(palette().color(QPalette::Highlight));
        painter.drawLine(x0, rowsTop, x0, rowsBottom);
        painter.drawLine(x1, rowsTop, x1, rowsBottom);
        const QString text = formatDuration(qint64(std::llround(b - a)));
        const QRect box(x0 + 4, rowsTop + 2, metrics.horizontalAdvance(text) + 8, metrics.height() + 2);
        painter.fillRect(box, palette().toolTipBase());
        painter.setPen(palette().color(QPalette::ToolTipText));
        painter.drawText(box, Qt::AlignCenter, text);
    }
    painter.restore();
}

void FlameChartView::paintCriticalPath(QPainter& painter, QSize size, int rowsTop, int scroll)
{
    const auto& segments = m_criticalPath->segments;
    const double s = nsPerPixel(size.width());
    const qint64 traceStart = m_layout->traceStartNs();
    const qint64 viewBegin = traceStart + qint64(std::floor(m_viewStart));
    const qint64 viewEnd = traceStart + qint64(std::ceil(m_viewStart + m_viewDuration));
    // Segments are in time order and adjacent: binary-search the first one that ends in view.
    auto it = std::partition_point(segments.begin(), segments.end(),
        [&](const CriticalPath::Segment& segment) { return segment.endNs <= viewBegin; });
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(QColor(0x20, 0x20, 0x20), 2));
    // Consecutive segments on one row (the parent's own time between children) are outlined as one stretch; many
    // segments narrower than a pixel collapse into it too.
    int pendingRow = -1;
    int pendingX0 = 0;
    int pendingX1 = 0;
    const auto flush = [&] {
        if (pendingRow < 0)
            return;
        const int y = rowsTop + pendingRow * kRowHeight - scroll;
        if (y + kRowHeight <= rowsTop || y >= size.height())
            return; // a row scrolled out of view
        const int left = std::max(pendingX0, -3);
        const int right = std::min(pendingX1, size.width() + 3);
        painter.drawRect(QRect(left + 1, y + 1, std::max(1, right - left - 2), kRowHeight - 3));
    };
    for (; it != segments.end() && it->startNs < viewEnd; ++it) {
        const int row = m_layout->rowOf(it->span);
        if (row < 0)
            continue;
        const int x0 = int(std::lround((double(it->startNs - traceStart) - m_viewStart) / s));
        const int x1 = std::max(x0 + 2, int(std::lround((double(it->endNs - traceStart) - m_viewStart) / s)));
        if (row == pendingRow && x0 <= pendingX1) {
            pendingX1 = std::max(pendingX1, x1);
            continue;
        }
        flush();
        pendingRow = row;
        pendingX0 = x0;
        pendingX1 = x1;
    }
    flush();
}

void FlameChartView::paintLegend(QPainter& painter, QSize size)
{
    const QRect legend(0, size.height() - kLegendHeight, size.width(), kLegendHeight);
    painter.fillRect(legend, palette().window());
    const QFontMetrics metrics = painter.fontMetrics();
    int x = 4;
    for (size_t i = 0; i < m_services.size(); ++i) {
        const QString name = fromView(m_trace->string(m_services[i]));
        const int needed = 14 + metrics.horizontalAdvance(name) + 12;
        if (x + needed > legend.right() - 60) {
            painter.setPen(palette().color(QPalette::WindowText));
            painter.drawText(QRect(x, legend.top(), legend.right() - x, kLegendHeight), Qt::AlignVCenter,
                tr("+%1 more").arg(m_services.size() - i));
            break;
        }
        painter.fillRect(QRect(x, legend.top() + 4, 10, 10), serviceColor(m_services[i]));
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(x + 14, legend.top(), needed, kLegendHeight), Qt::AlignVCenter, name);
        x += needed;
    }
}

} // namespace tracemap
