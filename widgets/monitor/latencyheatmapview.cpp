#include "latencyheatmapview.h"

#include "model/tracequery.h"
#include "qcpinclude.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tracemap {

namespace {

constexpr int kClickSlopPx = 3; // QCustomPlot's own: a release within 3 px (Manhattan) of the press is a click
constexpr double kNsPerSecond = 1e9;
constexpr qint64 kMaxNs = std::numeric_limits<qint64>::max();

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

// Okabe-Ito blue and sky blue in the middle (as the rest of the app uses them), so both ramps stay readable with
// colour-vision deficiency; the ends are lightness only. The selection is Okabe-Ito orange, the marked episode
// vermilion: both far from the blues.
QCPColorGradient countGradient(bool dark)
{
    QCPColorGradient gradient;
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    if (dark) {
        gradient.setColorStopAt(0.0, QColor(0x23, 0x4a, 0x70));
        gradient.setColorStopAt(0.35, QColor(0x00, 0x72, 0xb2));
        gradient.setColorStopAt(0.7, QColor(0x56, 0xb4, 0xe9));
        gradient.setColorStopAt(1.0, QColor(0xe6, 0xf5, 0xff));
    } else {
        gradient.setColorStopAt(0.0, QColor(0xc6, 0xe2, 0xf5));
        gradient.setColorStopAt(0.35, QColor(0x56, 0xb4, 0xe9));
        gradient.setColorStopAt(0.7, QColor(0x00, 0x72, 0xb2));
        gradient.setColorStopAt(1.0, QColor(0x08, 0x30, 0x6b));
    }
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

const QColor kSelectionColor(0xe6, 0x9f, 0x00);
const QColor kMarkedColor(0xd5, 0x5e, 0x00);

double keyOf(qint64 ns)
{
    return static_cast<double>(ns) / kNsPerSecond;
}

double valueOf(qint64 durationNs)
{
    return std::log10(static_cast<double>(std::max<qint64>(durationNs, 1)));
}

/// The smallest duration DurationGrid puts in `bucket` or above (bucketOf is monotonic), so that a row's bounds
/// select exactly the spans counted in it, not the 0.1 % around an edge where the bucket table rounds.
qint64 firstDurationOf(int bucket)
{
    if (bucket <= 0)
        return 0;
    if (bucket >= DurationGrid::kBuckets)
        return kMaxNs;
    qint64 low = 0;
    qint64 high = kMaxNs;
    while (low < high) {
        const qint64 middle = low + (high - low) / 2;
        if (DurationGrid::bucketOf(middle) >= bucket)
            high = middle;
        else
            low = middle + 1;
    }
    return low;
}

/// "250 ms", "2 s", "10 min" for a duration tick; `ns` is a value of the tick ladder.
QString tickLabel(double ns)
{
    struct Unit {
        double ns;
        const char16_t* name;
    };
    static constexpr Unit kUnits[] = { { 86400e9, u"d" }, { 3600e9, u"h" }, { 60e9, u"min" }, { 1e9, u"s" },
        { 1e6, u"ms" }, { 1e3, u"µs" }, { 1, u"ns" } };
    for (const Unit& unit : kUnits) {
        if (ns >= unit.ns * 0.999 || unit.ns == 1)
            return QString::number(ns / unit.ns, 'g', 4) + QLatin1Char(' ') + QString::fromUtf16(unit.name);
    }
    return {};
}

/// Ticks of the duration axis, whose coordinates are log10(ns): decades (and minutes, hours) with 2..9 sub-ticks
/// over a wide range, 1-2-5 steps over a narrow one, so that labels read "1 ms", "10 ms", "100 ms", "1 s".
class DurationTicker : public QCPAxisTicker {
public:
    void generate(const QCPRange& range, const QLocale&, QChar, int, QVector<double>& ticks, QVector<double>* subTicks,
        QVector<QString>* tickLabels) override
    {
        ticks.clear();
        if (subTicks)
            subTicks->clear();
        if (tickLabels)
            tickLabels->clear();
        const double decades = range.size();
        std::vector<double> steps; // mantissas of the majors within a decade
        if (decades > 2.2)
            steps = { 1 };
        else if (decades > 0.6)
            steps = { 1, 2, 5 };
        else
            steps = { 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9 };
        const auto inRange = [&](double ns) {
            const double v = std::log10(ns);
            return v >= range.lower - 1e-9 && v <= range.upper + 1e-9;
        };
        // Up to 10 s in decades; beyond, the clock's units read better than 100 s or 1000 s.
        std::vector<double> majors;
        for (double decade = 1; decade <= 10e9; decade *= 10)
            for (double m : steps)
                if (m * decade <= 10e9 * 1.0001)
                    majors.push_back(m * decade);
        const std::vector<double> longer = decades > 2.2
            ? std::vector<double> { 60e9, 600e9, 3600e9, 36000e9, 86400e9 }
            : std::vector<double> { 20e9, 30e9, 60e9, 120e9, 300e9, 600e9, 1200e9, 1800e9, 3600e9, 7200e9, 21600e9,
                  43200e9, 86400e9 };
        majors.insert(majors.end(), longer.begin(), longer.end());
        for (double ns : majors) {
            if (!inRange(ns))
                continue;
            ticks.push_back(std::log10(ns));
            if (tickLabels)
                tickLabels->push_back(tickLabel(ns));
        }
        if (subTicks && decades > 2.2) {
            for (double decade = 1; decade < 10e9; decade *= 10)
                for (int m = 2; m <= 9; ++m)
                    if (inRange(m * decade))
                        subTicks->push_back(std::log10(m * decade));
        }
    }
};

QString dateTimeFormat(double seconds)
{
    if (seconds <= 600)
        return QStringLiteral("HH:mm:ss");
    if (seconds <= 2 * 86400)
        return QStringLiteral("HH:mm");
    return QStringLiteral("d MMM\nHH:mm");
}

void setRect(QCPItemRect* item, double left, double top, double right, double bottom)
{
    item->topLeft->setCoords(left, top);
    item->bottomRight->setCoords(right, bottom);
}

} // namespace

LatencyHeatmapView::LatencyHeatmapView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setFocusProxy(m_plot);
    m_plot->setFocusPolicy(Qt::StrongFocus);
    m_plot->setCursor(Qt::CrossCursor);
    m_plot->installEventFilter(this); // tool tips
    m_plot->setNoAntialiasingOnDrag(true);

    QCPAxis* x = m_plot->xAxis;
    QCPAxis* y = m_plot->yAxis;
    auto timeTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    timeTicker->setDateTimeSpec(Qt::LocalTime);
    x->setTicker(timeTicker);
    x->setLabel(tr("Start time (local)"));
    y->setTicker(QSharedPointer<DurationTicker>::create());
    y->setLabel(tr("Duration"));
    x->grid()->setSubGridVisible(false);
    y->grid()->setSubGridVisible(false);

    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(12);
    m_scale->setDataScaleType(QCPAxis::stLogarithmic);
    m_scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    m_scale->axis()->setLabel(tr("Spans per cell"));
    m_scale->setRangeDrag(false);
    m_scale->setRangeZoom(false);
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    m_map = new QCPColorMap(x, y);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    // setColorScale copies the scale's gradient, range and scale type into the map: the gradient (with its
    // transparent NaN) is set on the scale after this, in applyPalette(), and reaches the map from there.
    m_map->setColorScale(m_scale);

    // The marked episode: a band under the map (visible in empty cells) and a strip along the top over it.
    m_markedBand = new QCPItemRect(m_plot);
    m_markedBand->setLayer(QStringLiteral("grid"));
    m_markedStrip = new QCPItemRect(m_plot);
    for (QCPItemRect* item : { m_markedBand, m_markedStrip }) {
        item->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        item->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        item->setSelectable(false);
        item->setVisible(false);
    }
    m_regionItem = new QCPItemRect(m_plot);
    m_cellItem = new QCPItemRect(m_plot);
    for (QCPItemRect* item : { m_regionItem, m_cellItem }) {
        item->setSelectable(false);
        item->setVisible(false);
    }
    m_emptyText = new QCPItemText(m_plot);
    m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyText->position->setCoords(0.5, 0.5);
    m_emptyText->setPositionAlignment(Qt::AlignCenter);
    m_emptyText->setText(tr("No spans in this scope"));
    m_emptyText->setSelectable(false);
    QFont emptyFont = font();
    emptyFont.setPointSizeF(emptyFont.pointSizeF() * 1.2);
    m_emptyText->setFont(emptyFont);

    // Brushing: with a custom rect mode QCustomPlot reports the rect and leaves the rest to us. It emits no
    // plottableClick then, so clicks are told from drags here, with the same 3 px rule it uses to cancel the rect.
    m_plot->setSelectionRectMode(QCP::srmCustom);
    connect(m_plot->selectionRect(), &QCPSelectionRect::accepted, this, &LatencyHeatmapView::onRectAccepted);
    connect(m_plot, &QCustomPlot::mousePress, this, &LatencyHeatmapView::onMousePress);
    connect(m_plot, &QCustomPlot::mouseMove, this, &LatencyHeatmapView::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &LatencyHeatmapView::onMouseRelease);

    applyPalette();
    rebuild();
}

LatencyHeatmapView::~LatencyHeatmapView() = default;

void LatencyHeatmapView::setHeatmap(std::shared_ptr<const LatencyHeatmap> heatmap)
{
    m_heatmap = std::move(heatmap);
    m_clickedCell.reset();
    rebuild();
}

bool LatencyHeatmapView::isEmpty() const
{
    return !m_heatmap || m_heatmap->isEmpty() || m_maxCount == 0;
}

void LatencyHeatmapView::rebuild()
{
    QCPColorMapData* data = m_map->data();
    m_maxCount = 0;
    if (!m_heatmap || m_heatmap->isEmpty()) {
        data->clear();
    } else {
        const LatencyHeatmap& h = *m_heatmap;
        Q_ASSERT(h.counts.size() == static_cast<size_t>(h.columns) * h.rows);
        // QCustomPlot 2.1.0 sizes a cell from the distance between cell centres, so a lone column or row would
        // be drawn zero wide: it is stored as two halves with the same count.
        const int keySize = h.columns == 1 ? 2 : h.columns;
        const int valueSize = h.rows == 1 ? 2 : h.rows;
        data->setSize(keySize, valueSize);
        // The map's range is that of the cell centres; the image extends half a cell beyond.
        const double keyStep = static_cast<double>(h.columnNs) / kNsPerSecond * h.columns / keySize;
        const double valueStep = (rowValue(h.rows) - rowValue(0)) / valueSize;
        const double firstKey = keyOf(h.startNs) + keyStep / 2;
        const double firstValue = rowValue(0) + valueStep / 2;
        data->setRange(QCPRange(firstKey, firstKey + (keySize - 1) * keyStep),
            QCPRange(firstValue, firstValue + (valueSize - 1) * valueStep));
        for (int key = 0; key < keySize; ++key) {
            for (int value = 0; value < valueSize; ++value) {
                const qint64 count = h.count(key * h.columns / keySize, value * h.rows / valueSize);
                // Empty cells are NaN, drawn transparent: the log colour scale has no place for 0.
                data->setCell(key, value, count > 0 ? static_cast<double>(count) : std::nan(""));
                m_maxCount = std::max(m_maxCount, count);
            }
        }
    }
    // Tracked here, not by rescaleDataRange(): QCustomPlot 2.1.0 seeds the bounds from cell (0, 0), NaN or not.
    m_scale->setDataRange(QCPRange(1, std::max<double>(static_cast<double>(m_maxCount), 2)));
    m_map->setVisible(m_maxCount > 0);
    m_emptyText->setVisible(isEmpty());
    m_scale->setVisible(!isEmpty()); // a scale of nothing would read "1 … 2"
    updateAxes();
    updateOverlays();
    replot();
}

void LatencyHeatmapView::updateAxes()
{
    const bool hasMap = m_heatmap && !m_heatmap->isEmpty();
    QCPAxis* x = m_plot->xAxis;
    QCPAxis* y = m_plot->yAxis;
    x->setTickLabels(hasMap);
    y->setTickLabels(hasMap);
    if (!hasMap)
        return;
    x->setRange(keyOf(m_heatmap->startNs), keyOf(m_heatmap->endNs()));
    y->setRange(rowValue(0), rowValue(m_heatmap->rows));
    qSharedPointerCast<QCPAxisTickerDateTime>(x->ticker())->setDateTimeFormat(dateTimeFormat(x->range().size()));
}

void LatencyHeatmapView::updateOverlays()
{
    const QCPRange keys = m_plot->xAxis->range();
    const QCPRange values = m_plot->yAxis->range();
    // Items are clipped to the axis rect; clamping keeps far-away or unbounded edges finite in pixels.
    const auto clampKey
        = [&](qint64 ns) { return std::clamp(keyOf(ns), keys.lower - keys.size(), keys.upper + keys.size()); };
    const auto clampValue = [&](qint64 ns) {
        return ns >= kMaxNs ? values.upper + 1 : std::clamp(valueOf(ns), values.lower - 1, values.upper + 1);
    };

    m_regionItem->setVisible(m_region.has_value());
    if (m_region)
        setRect(m_regionItem, clampKey(m_region->startNs), clampValue(m_region->maxDurationNs),
            clampKey(m_region->endNs),
            m_region->minDurationNs <= 0 ? values.lower - 1 : clampValue(m_region->minDurationNs));

    const bool cellShown = m_clickedCell && m_heatmap && !m_heatmap->isEmpty();
    m_cellItem->setVisible(cellShown);
    if (cellShown) {
        const LatencyHeatmap& h = *m_heatmap;
        const int column = m_clickedCell->x();
        const int row = m_clickedCell->y();
        setRect(m_cellItem, keyOf(h.columnStartNs(column)), rowValue(row + 1), keyOf(h.columnStartNs(column + 1)),
            rowValue(row));
    }

    for (QCPItemRect* item : { m_markedBand, m_markedStrip })
        item->setVisible(m_marked.has_value());
    if (m_marked) {
        const double left = clampKey(m_marked->first);
        const double right = clampKey(m_marked->second);
        setRect(m_markedBand, left, 0, right, 1);
        setRect(m_markedStrip, left, 0, right, 0.025);
    }
}

void LatencyHeatmapView::replot()
{
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyHeatmapView::applyPalette()
{
    const QPalette& p = palette();
    const bool dark = isDark(p);
    const QColor text = p.color(QPalette::Text);
    QColor line = text;
    line.setAlpha(150);
    QColor grid = text;
    grid.setAlpha(dark ? 45 : 35);

    m_plot->setBackground(p.brush(QPalette::Base));
    const auto styleAxis = [&](QCPAxis* axis) {
        axis->setBasePen(QPen(line, 1));
        axis->setTickPen(QPen(line, 1));
        axis->setSubTickPen(QPen(line, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    };
    for (QCPAxis* axis : m_plot->axisRect()->axes())
        styleAxis(axis);
    styleAxis(m_scale->axis());
    // After setColorScale (see the constructor); the scale passes it on to the map.
    m_scale->setGradient(countGradient(dark));

    QColor selectionFill = kSelectionColor;
    selectionFill.setAlpha(dark ? 40 : 28);
    m_regionItem->setPen(QPen(kSelectionColor, 2));
    m_regionItem->setBrush(selectionFill);
    m_plot->selectionRect()->setPen(QPen(kSelectionColor, 1, Qt::DashLine));
    m_plot->selectionRect()->setBrush(selectionFill);
    // Orange, not the text colour: black is lost on the darkest cells of the light ramp, white on the dark one's.
    m_cellItem->setPen(QPen(kSelectionColor, 2));
    m_cellItem->setBrush(Qt::NoBrush);

    QColor band = kMarkedColor;
    band.setAlpha(dark ? 50 : 40);
    m_markedBand->setPen(Qt::NoPen);
    m_markedBand->setBrush(band);
    m_markedStrip->setPen(Qt::NoPen);
    m_markedStrip->setBrush(kMarkedColor);

    m_emptyText->setColor(p.color(QPalette::PlaceholderText));
    replot();
}

double LatencyHeatmapView::rowValue(int row) const
{
    if (!m_heatmap)
        return 0;
    return std::log10(m_heatmap->rowLowerNs(row));
}

int LatencyHeatmapView::columnAtKey(double key) const
{
    const LatencyHeatmap& h = *m_heatmap;
    const double column = std::floor((key - keyOf(h.startNs)) / (static_cast<double>(h.columnNs) / kNsPerSecond));
    return std::isfinite(column) ? static_cast<int>(std::clamp(column, -1.0, static_cast<double>(h.columns))) : -1;
}

int LatencyHeatmapView::rowAtValue(double value) const
{
    const LatencyHeatmap& h = *m_heatmap;
    const double row = std::floor((value - rowValue(0)) / (rowValue(1) - rowValue(0)));
    return std::isfinite(row) ? static_cast<int>(std::clamp(row, -1.0, static_cast<double>(h.rows))) : -1;
}

QPoint LatencyHeatmapView::cellAt(QPointF pos) const
{
    if (!m_heatmap || m_heatmap->isEmpty() || !m_plot->axisRect()->rect().contains(pos.toPoint()))
        return { -1, -1 };
    const int column = columnAtKey(m_plot->xAxis->pixelToCoord(pos.x()));
    const int row = rowAtValue(m_plot->yAxis->pixelToCoord(pos.y()));
    if (column < 0 || column >= m_heatmap->columns || row < 0 || row >= m_heatmap->rows)
        return { -1, -1 };
    return { column, row };
}

QPointF LatencyHeatmapView::cellCenter(int column, int row) const
{
    if (!m_heatmap || m_heatmap->isEmpty())
        return {};
    const double columnSeconds = static_cast<double>(m_heatmap->columnNs) / kNsPerSecond;
    const double key = keyOf(m_heatmap->startNs) + (column + 0.5) * columnSeconds;
    const double value = (rowValue(row) + rowValue(row + 1)) / 2;
    return { m_plot->xAxis->coordToPixel(key), m_plot->yAxis->coordToPixel(value) };
}

LatencyHeatmapView::Region LatencyHeatmapView::cellRegion(
    int firstColumn, int firstRow, int lastColumn, int lastRow) const
{
    if (!m_heatmap || m_heatmap->isEmpty())
        return {};
    const LatencyHeatmap& h = *m_heatmap;
    firstColumn = std::clamp(firstColumn, 0, h.columns - 1);
    lastColumn = std::clamp(lastColumn, firstColumn, h.columns - 1);
    firstRow = std::clamp(firstRow, 0, h.rows - 1);
    lastRow = std::clamp(lastRow, firstRow, h.rows - 1);
    const int bucketsPerRow = std::max(h.bucketsPerRow, 1);
    return { h.columnStartNs(firstColumn), h.columnStartNs(lastColumn + 1),
        firstDurationOf(h.firstBucket + firstRow * bucketsPerRow),
        firstDurationOf(h.firstBucket + (lastRow + 1) * bucketsPerRow) };
}

QString LatencyHeatmapView::describeCell(int column, int row) const
{
    if (!m_heatmap || m_heatmap->isEmpty() || column < 0 || column >= m_heatmap->columns || row < 0
        || row >= m_heatmap->rows)
        return {};
    const LatencyHeatmap& h = *m_heatmap;
    const Region cell = cellRegion(column, row);
    // As precise as the columns are: whole minutes read "14:05", seconds "14:05:30", less "14:05:30.250".
    const auto aligned = [&](qint64 unit) { return h.columnNs % unit == 0 && h.startNs % unit == 0; };
    QString format = aligned(60'000'000'000) ? QStringLiteral("HH:mm")
        : aligned(1'000'000'000)             ? QStringLiteral("HH:mm:ss")
                                             : QStringLiteral("HH:mm:ss.zzz");
    const auto local = [](qint64 ns) { return QDateTime::fromMSecsSinceEpoch(ns / 1'000'000); };
    if (local(h.startNs).date() != local(h.endNs() - 1).date())
        format.prepend(QStringLiteral("yyyy-MM-dd "));
    const qint64 count = h.count(column, row);
    const QString spans = count == 0 ? tr("no spans") : count == 1 ? tr("1 span") : tr("%1 spans").arg(count);
    return local(cell.startNs).toString(format) + u'–' + local(cell.endNs).toString(format) + u" · "
        + formatDuration(cell.minDurationNs) + u" – " + formatDuration(cell.maxDurationNs) + u" · " + spans;
}

void LatencyHeatmapView::setSelectedRegion(qint64 startNs, qint64 endNs, qint64 minDurationNs, qint64 maxDurationNs)
{
    m_region = Region { std::min(startNs, endNs), std::max(startNs, endNs), std::min(minDurationNs, maxDurationNs),
        std::max(minDurationNs, maxDurationNs) };
    m_clickedCell.reset();
    updateOverlays();
    replot();
}

void LatencyHeatmapView::clearSelection()
{
    const bool had = m_region || m_clickedCell;
    m_region.reset();
    m_clickedCell.reset();
    updateOverlays();
    replot();
    if (had)
        Q_EMIT selectionCleared();
}

void LatencyHeatmapView::setMarkedRange(qint64 startNs, qint64 endNs)
{
    if (endNs > startNs)
        m_marked = std::pair(startNs, endNs);
    else
        m_marked.reset();
    updateOverlays();
    replot();
}

void LatencyHeatmapView::onMousePress(QMouseEvent* event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_moved = false;
    m_pressPos = event->pos();
}

void LatencyHeatmapView::onMouseMove(QMouseEvent* event)
{
    if (m_pressed && (event->pos() - m_pressPos).manhattanLength() > kClickSlopPx)
        m_moved = true;
}

void LatencyHeatmapView::onMouseRelease(QMouseEvent* event)
{
    if (!m_pressed || event->button() != Qt::LeftButton)
        return;
    m_pressed = false;
    if (m_moved)
        return; // a drag: QCustomPlot's selection rect reports it (onRectAccepted)
    const QPoint cell = cellAt(event->pos());
    if (cell.x() < 0)
        return;
    m_clickedCell = cell;
    updateOverlays();
    replot();
    const Region r = cellRegion(cell.x(), cell.y());
    Q_EMIT cellClicked(r.startNs, r.endNs, r.minDurationNs, r.maxDurationNs);
}

void LatencyHeatmapView::onRectAccepted(const QRect& rect, QMouseEvent* event)
{
    if (!m_heatmap || m_heatmap->isEmpty() || (event && event->button() != Qt::LeftButton))
        return;
    const LatencyHeatmap& h = *m_heatmap;
    // The rect runs from the press to the release, whichever way the drag went: its corners, ordered.
    const int left = std::min(rect.left(), rect.right());
    const int right = std::max(rect.left(), rect.right());
    const int top = std::min(rect.top(), rect.bottom());
    const int bottom = std::max(rect.top(), rect.bottom());
    QCPAxis* x = m_plot->xAxis;
    QCPAxis* y = m_plot->yAxis;
    // Snapped outward: every cell the rect touches, clipped to the map; nothing if it misses the map.
    const int firstColumn = columnAtKey(x->pixelToCoord(left));
    const int lastColumn = columnAtKey(x->pixelToCoord(right));
    const int firstRow = rowAtValue(y->pixelToCoord(bottom));
    const int lastRow = rowAtValue(y->pixelToCoord(top));
    if (lastColumn < 0 || firstColumn >= h.columns || lastRow < 0 || firstRow >= h.rows)
        return;
    const Region region = cellRegion(firstColumn, firstRow, lastColumn, lastRow);
    m_region = region;
    m_clickedCell.reset();
    updateOverlays();
    replot();
    Q_EMIT regionSelected(region.startNs, region.endNs, region.minDurationNs, region.maxDurationNs);
}

void LatencyHeatmapView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() != Qt::Key_Escape) {
        QWidget::keyPressEvent(event);
        return;
    }
    QCPSelectionRect* rect = m_plot->selectionRect();
    const bool dragging = rect && rect->isActive();
    if (dragging) {
        rect->cancel();
        m_pressed = false;
    }
    if (!dragging && !m_region && !m_clickedCell) {
        event->ignore(); // nothing to clear: a dialog may close on Esc
        return;
    }
    clearSelection();
}

void LatencyHeatmapView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyPalette();
    QWidget::changeEvent(event);
}

bool LatencyHeatmapView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_plot && event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const QPoint cell = cellAt(help->pos());
        if (cell.x() >= 0)
            QToolTip::showText(help->globalPos(), describeCell(cell.x(), cell.y()), m_plot);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace tracemap
