#include "latencyheatmapview.h"
#include "metrics/durationgrid.h"
#include "metrics/latencyheatmap.h"
#include "qcpinclude.h"

#include <QApplication>
#include <QSignalSpy>
#include <QToolTip>
#include <QtTest/QtTest>

#include <cmath>
#include <memory>

using namespace tracemap;

namespace {

constexpr qint64 kSecond = 1'000'000'000;
constexpr qint64 kStart = (1767225600LL + 14 * 3600) * kSecond; // 2026-01-01 14:00 UTC (the test runs in UTC)
constexpr int kColumns = 60;
constexpr int kRows = 40;
constexpr int kFirstBucket = 16 * DurationGrid::kBucketsPerOctave; // 65.5 µs
constexpr int kBucketsPerRow = 3; // rows 3/8 of an octave tall: up to 2.1 s
constexpr qint64 kHot = 400; // the one busiest cell, (45, 21)

/// 60 one-minute columns x 40 rows: a band of ordinary requests around 10–30 ms in every column, sparse cells
/// around it, a planted slow block (columns 30–39, rows 33–36: 350 ms – 1 s), one hot cell, an idle column 50.
qint64 plantedCount(int column, int row)
{
    if (column == 50)
        return 0;
    if (column == 45 && row == 21)
        return kHot;
    if (column >= 30 && column <= 39 && row >= 33 && row <= 36)
        return 12 + (column - 30);
    if (row >= 18 && row <= 24)
        return 50 - 8 * std::abs(row - 21) + column % 7;
    if (row >= 14 && row <= 28)
        return (column + row) % 3 == 0 ? 1 : 0;
    return 0;
}

std::shared_ptr<LatencyHeatmap> plantedHeatmap()
{
    auto h = std::make_shared<LatencyHeatmap>();
    h->startNs = kStart;
    h->columnNs = 60 * kSecond;
    h->columns = kColumns;
    h->firstBucket = kFirstBucket;
    h->bucketsPerRow = kBucketsPerRow;
    h->rows = kRows;
    h->counts.resize(size_t(kColumns) * kRows);
    for (int c = 0; c < kColumns; ++c)
        for (int r = 0; r < kRows; ++r)
            h->counts[size_t(c) * kRows + r] = plantedCount(c, r);
    return h;
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, Qt::black);
    p.setColor(QPalette::WindowText, Qt::black);
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x80, 0x80));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    return p;
}

/// Moves with the left button held: QTest::mouseMove carries no buttons, so the events are sent directly.
void moveTo(QWidget* w, QPoint pos)
{
    QMouseEvent move(QEvent::MouseMove, pos, w->mapToGlobal(pos), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &move);
}

void drag(QWidget* w, QPoint from, QPoint to)
{
    QTest::mousePress(w, Qt::LeftButton, {}, from);
    constexpr int kSteps = 5;
    for (int i = 1; i <= kSteps; ++i)
        moveTo(w, from + (to - from) * i / kSteps);
    QTest::mouseRelease(w, Qt::LeftButton, {}, to);
}

QColor pixel(LatencyHeatmapView& view, QPointF at)
{
    view.plot()->replot();
    return view.plot()->grab().toImage().pixelColor(at.toPoint());
}

} // namespace

class TestHeatmapView : public QObject {
    Q_OBJECT

    std::unique_ptr<LatencyHeatmapView> m_view;
    std::shared_ptr<LatencyHeatmap> m_heatmap;

    LatencyHeatmapView& view() { return *m_view; }
    QCustomPlot* plot() { return m_view->plot(); }
    QPoint center(int column, int row) { return m_view->cellCenter(column, row).toPoint(); }
    /// A point inside a cell, `fx`, `fy` of its size right of and above its centre (|f| < 0.5).
    QPoint inside(int column, int row, double fx, double fy)
    {
        const QPointF c = m_view->cellCenter(column, row);
        const QPointF right = m_view->cellCenter(column + 1, row + 1);
        return QPointF(c.x() + fx * (right.x() - c.x()), c.y() + fy * (right.y() - c.y())).toPoint();
    }

private Q_SLOTS:
    void init()
    {
        m_view = std::make_unique<LatencyHeatmapView>();
        m_view->setPalette(lightPalette());
        m_view->resize(960, 480);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_heatmap = plantedHeatmap();
        m_view->setHeatmap(m_heatmap);
        plot()->replot(); // lays out the axis rect, so that cells have pixels
    }

    void cleanup() { m_view.reset(); }

    void colorMapHoldsTheCounts()
    {
        QCPColorMap* map = view().colorMap();
        QCPColorMapData* data = map->data();
        QCOMPARE(data->keySize(), kColumns);
        QCOMPARE(data->valueSize(), kRows);
        int empty = 0;
        for (int c = 0; c < kColumns; ++c) {
            for (int r = 0; r < kRows; ++r) {
                const qint64 count = m_heatmap->count(c, r);
                if (count == 0) {
                    ++empty;
                    QVERIFY2(std::isnan(data->cell(c, r)), qPrintable(QStringLiteral("cell %1,%2").arg(c).arg(r)));
                } else {
                    QCOMPARE(data->cell(c, r), double(count));
                }
            }
        }
        QVERIFY(empty > 0);
        QCOMPARE(view().colorScale()->dataRange().lower, 1.0);
        QCOMPARE(view().colorScale()->dataRange().upper, double(kHot));
        QCOMPARE(map->dataRange(), view().colorScale()->dataRange());
        QCOMPARE(map->dataScaleType(), QCPAxis::stLogarithmic);
        QVERIFY(!map->interpolate());
        // The gradient reached the map after setColorScale, with its transparent NaN (pitfall 1).
        QCOMPARE(map->gradient().nanHandling(), QCPColorGradient::nhTransparent);
        QVERIFY(map->gradient() == view().colorScale()->gradient());

        // The map's cells line up with the axes: each cell's centre is that cell.
        for (const QPoint cell : { QPoint(0, 0), QPoint(59, 39), QPoint(0, 39), QPoint(30, 33), QPoint(45, 21) })
            QCOMPARE(view().cellAt(view().cellCenter(cell.x(), cell.y())), cell);
        QCOMPARE(view().cellAt(QPointF(1, 1)), QPoint(-1, -1));
    }

    void describesCells()
    {
        // Row 21 is buckets 191–193: 2^(191/8) ns = 15.4 ms to 2^(194/8) ns = 20.0 ms.
        QCOMPARE(view().describeCell(5, 21), QStringLiteral("14:05–14:06 · 15.4 ms – 20.0 ms · %1 spans").arg(50 + 5));
        QCOMPARE(view().describeCell(45, 21), QStringLiteral("14:45–14:46 · 15.4 ms – 20.0 ms · 400 spans"));
        QCOMPARE(view().describeCell(2, 16), QStringLiteral("14:02–14:03 · 4.19 ms – 5.44 ms · 1 span"));
        QCOMPARE(view().describeCell(50, 21), QStringLiteral("14:50–14:51 · 15.4 ms – 20.0 ms · no spans"));
        QCOMPARE(view().describeCell(39, 36), QStringLiteral("14:39–14:40 · 759 ms – 985 ms · 21 spans"));
        QVERIFY(view().describeCell(60, 0).isEmpty());
        QVERIFY(view().describeCell(0, -1).isEmpty());

        // Hovering shows the same text as a tool tip.
        const QPoint at = center(45, 21);
        QHelpEvent help(QEvent::ToolTip, at, plot()->mapToGlobal(at));
        QApplication::sendEvent(plot(), &help);
        QTRY_COMPARE(QToolTip::text(), view().describeCell(45, 21));
    }

    void cellBoundsAreTheGridBuckets()
    {
        // A row's bounds select exactly the durations DurationGrid puts in its buckets.
        for (int r = 0; r < kRows; ++r) {
            const LatencyHeatmapView::Region cell = view().cellRegion(7, r);
            QCOMPARE(cell.startNs, kStart + 7 * 60 * kSecond);
            QCOMPARE(cell.endNs, kStart + 8 * 60 * kSecond);
            QCOMPARE(DurationGrid::bucketOf(cell.minDurationNs), kFirstBucket + r * kBucketsPerRow);
            QCOMPARE(DurationGrid::bucketOf(cell.minDurationNs - 1), kFirstBucket + r * kBucketsPerRow - 1);
            QCOMPARE(DurationGrid::bucketOf(cell.maxDurationNs - 1), kFirstBucket + (r + 1) * kBucketsPerRow - 1);
            QCOMPARE(m_heatmap->rowOf(cell.minDurationNs), r);
            QCOMPARE(m_heatmap->rowOf(cell.maxDurationNs - 1), r);
        }
        const LatencyHeatmapView::Region block = view().cellRegion(30, 33, 39, 36);
        QCOMPARE(block.startNs, view().cellRegion(30, 33).startNs);
        QCOMPARE(block.endNs, view().cellRegion(39, 36).endNs);
        QCOMPARE(block.minDurationNs, view().cellRegion(30, 33).minDurationNs);
        QCOMPARE(block.maxDurationNs, view().cellRegion(39, 36).maxDurationNs);
    }

    void dragSelectsSnappedRegion_data()
    {
        QTest::addColumn<QPoint>("fromCell");
        QTest::addColumn<QPointF>("fromOffset");
        QTest::addColumn<QPoint>("toCell");
        QTest::addColumn<QPointF>("toOffset");
        // Ends anywhere inside the corner cells: the region is whole cells. Both directions: QCustomPlot's rect is
        // not normalised.
        QTest::newRow("up-left") << QPoint(38, 33) << QPointF(0.3, -0.3) << QPoint(31, 36) << QPointF(-0.3, 0.3);
        QTest::newRow("down-right") << QPoint(31, 36) << QPointF(-0.4, 0.4) << QPoint(38, 33) << QPointF(0.4, -0.4);
        QTest::newRow("down-left") << QPoint(38, 36) << QPointF(0.2, 0.2) << QPoint(31, 33) << QPointF(-0.2, -0.2);
    }

    void dragSelectsSnappedRegion()
    {
        QFETCH(QPoint, fromCell);
        QFETCH(QPointF, fromOffset);
        QFETCH(QPoint, toCell);
        QFETCH(QPointF, toOffset);
        QSignalSpy regions(&view(), &LatencyHeatmapView::regionSelected);
        QSignalSpy clicks(&view(), &LatencyHeatmapView::cellClicked);
        const QPoint from = inside(fromCell.x(), fromCell.y(), fromOffset.x(), fromOffset.y());
        const QPoint to = inside(toCell.x(), toCell.y(), toOffset.x(), toOffset.y());
        QCOMPARE(view().cellAt(from), fromCell);
        QCOMPARE(view().cellAt(to), toCell);
        const QColor blockBefore = pixel(view(), view().cellCenter(34, 34));
        drag(plot(), from, to);

        QCOMPARE(clicks.count(), 0);
        QCOMPARE(regions.count(), 1);
        const LatencyHeatmapView::Region expected = view().cellRegion(31, 33, 38, 36);
        const QList<QVariant> args = regions.first();
        QCOMPARE(args.at(0).toLongLong(), expected.startNs);
        QCOMPARE(args.at(1).toLongLong(), expected.endNs);
        QCOMPARE(args.at(2).toLongLong(), expected.minDurationNs);
        QCOMPARE(args.at(3).toLongLong(), expected.maxDurationNs);
        QCOMPARE(args.at(0).toLongLong(), kStart + 31 * 60 * kSecond);
        QCOMPARE(args.at(1).toLongLong(), kStart + 39 * 60 * kSecond);
        QCOMPARE(view().selectedRegion(), expected);

        // Drawn: the selection tints the cells inside it; an empty cell outside stays transparent over the base.
        QVERIFY(pixel(view(), view().cellCenter(34, 34)) != blockBefore);
        QCOMPARE(pixel(view(), view().cellCenter(20, 34)), QColor(Qt::white));
    }

    void dragOutsideTheMapClipsOrIgnores()
    {
        QSignalSpy regions(&view(), &LatencyHeatmapView::regionSelected);
        // From the left of the map's first column (in the axis rect's margin) into column 2: clipped to column 0.
        const QRect axisRect = plot()->axisRect()->rect();
        const QPoint from(axisRect.left() - 20, center(0, 10).y());
        drag(plot(), from, center(2, 12));
        QCOMPARE(regions.count(), 1);
        QCOMPARE(regions.first().at(0).toLongLong(), kStart);
        QCOMPARE(regions.first().at(1).toLongLong(), kStart + 3 * 60 * kSecond);
    }

    void clickIsACellNotARegion_data()
    {
        QTest::addColumn<QPoint>("jitter");
        QTest::addColumn<bool>("isClick");
        QTest::newRow("still") << QPoint(0, 0) << true;
        QTest::newRow("3 px") << QPoint(2, -1) << true; // Manhattan 3: still a click, as QCustomPlot counts
        QTest::newRow("4 px") << QPoint(2, -2) << false;
    }

    void clickIsACellNotARegion()
    {
        QFETCH(QPoint, jitter);
        QFETCH(bool, isClick);
        QSignalSpy regions(&view(), &LatencyHeatmapView::regionSelected);
        QSignalSpy clicks(&view(), &LatencyHeatmapView::cellClicked);
        const QPoint at = center(45, 21);
        QTest::mousePress(plot(), Qt::LeftButton, {}, at);
        if (!jitter.isNull())
            moveTo(plot(), at + jitter);
        QTest::mouseRelease(plot(), Qt::LeftButton, {}, at + jitter);

        const LatencyHeatmapView::Region cell = view().cellRegion(45, 21);
        if (isClick) {
            QCOMPARE(regions.count(), 0);
            QCOMPARE(clicks.count(), 1);
            const QList<QVariant> args = clicks.first();
            QCOMPARE(args.at(0).toLongLong(), kStart + 45 * 60 * kSecond);
            QCOMPARE(args.at(1).toLongLong(), kStart + 46 * 60 * kSecond);
            QCOMPARE(args.at(2).toLongLong(), cell.minDurationNs);
            QCOMPARE(args.at(3).toLongLong(), cell.maxDurationNs);
            QVERIFY(!view().selectedRegion());
        } else {
            // A tiny drag inside one cell brushes that cell.
            QCOMPARE(clicks.count(), 0);
            QCOMPARE(regions.count(), 1);
            QCOMPARE(view().selectedRegion(), cell);
        }
    }

    void clickOutsideTheMapIsNothing()
    {
        QSignalSpy clicks(&view(), &LatencyHeatmapView::cellClicked);
        QTest::mouseClick(plot(), Qt::LeftButton, {}, QPoint(3, 3));
        QCOMPARE(clicks.count(), 0);
    }

    void escapeClears()
    {
        QSignalSpy regions(&view(), &LatencyHeatmapView::regionSelected);
        QSignalSpy cleared(&view(), &LatencyHeatmapView::selectionCleared);
        drag(plot(), center(10, 20), center(12, 22));
        QCOMPARE(regions.count(), 1);
        QVERIFY(view().selectedRegion());
        plot()->setFocus();
        QTest::keyClick(plot(), Qt::Key_Escape); // the plot has focus; Esc reaches the view
        QCOMPARE(cleared.count(), 1);
        QVERIFY(!view().selectedRegion());
        QTest::keyClick(plot(), Qt::Key_Escape); // nothing left to clear
        QCOMPARE(cleared.count(), 1);

        // Esc during a drag cancels it: no region on release.
        QTest::mousePress(plot(), Qt::LeftButton, {}, center(10, 20));
        moveTo(plot(), center(14, 24));
        QTest::keyClick(plot(), Qt::Key_Escape);
        QTest::mouseRelease(plot(), Qt::LeftButton, {}, center(14, 24));
        QCOMPARE(regions.count(), 1);
        QVERIFY(!view().selectedRegion());

        // clearSelection() does the same; a clicked cell counts as a selection too.
        QTest::mouseClick(plot(), Qt::LeftButton, {}, center(3, 21));
        view().clearSelection();
        QCOMPARE(cleared.count(), 2);
    }

    void programmaticRegionAndMarkedRange()
    {
        QSignalSpy regions(&view(), &LatencyHeatmapView::regionSelected);
        const qint64 from = kStart + 30 * 60 * kSecond;
        const qint64 to = kStart + 40 * 60 * kSecond;
        view().setSelectedRegion(from, to, 300'000'000, 2 * kSecond);
        QCOMPARE(regions.count(), 0);
        QCOMPARE(view().selectedRegion(), (LatencyHeatmapView::Region { from, to, 300'000'000, 2 * kSecond }));

        QVERIFY(!view().markedRange());
        const QColor before = pixel(view(), center(35, 5));
        view().setMarkedRange(from, to);
        QCOMPARE(view().markedRange(), std::pair(from, to));
        const QColor marked = pixel(view(), center(35, 5)); // an empty cell: the episode's band shows
        QVERIFY(marked != before);
        QCOMPARE(pixel(view(), center(25, 5)), before);
        view().clearMarkedRange();
        QVERIFY(!view().markedRange());
        QCOMPARE(pixel(view(), center(35, 5)), before);
    }

    void emptyState()
    {
        QCPItemText* text = nullptr;
        for (int i = 0; i < plot()->itemCount(); ++i)
            if (auto* t = qobject_cast<QCPItemText*>(plot()->item(i)))
                text = t;
        QVERIFY(text);
        QCOMPARE(text->text(), QStringLiteral("No spans in this scope"));
        QVERIFY(!text->visible());
        QVERIFY(!view().isEmpty());

        view().setHeatmap(nullptr);
        QVERIFY(view().isEmpty());
        QVERIFY(text->visible());
        QVERIFY(view().describeCell(0, 0).isEmpty());

        auto zeros = plantedHeatmap();
        std::fill(zeros->counts.begin(), zeros->counts.end(), 0);
        view().setHeatmap(zeros);
        QVERIFY(view().isEmpty());
        QVERIFY(text->visible());
        QVERIFY(!view().colorMap()->visible());
        plot()->replot();
        QVERIFY(plot()->grab().save(QStringLiteral("/tmp/heatmap-empty.png")));

        view().setHeatmap(m_heatmap);
        QVERIFY(!text->visible());
    }

    void singleCell()
    {
        // One column and one row: the map's cell-centre range is a point, the cell must still fill the plot.
        auto one = std::make_shared<LatencyHeatmap>();
        one->startNs = kStart;
        one->columns = 1;
        one->firstBucket = kFirstBucket;
        one->bucketsPerRow = 8;
        one->rows = 1;
        one->counts = { 7 };
        view().setHeatmap(one);
        QCOMPARE(view().colorMap()->data()->cell(0, 0), 7.0);
        QCOMPARE(view().colorScale()->dataRange().upper, 7.0);
        QCOMPARE(view().describeCell(0, 0), QStringLiteral("14:00–14:01 · 65.5 µs – 131 µs · 7 spans"));
        plot()->replot();
        const QRect area = plot()->axisRect()->rect();
        QCOMPARE(view().cellAt(area.topLeft() + QPoint(2, 2)), QPoint(0, 0));
        QCOMPARE(view().cellAt(area.bottomRight() - QPoint(2, 2)), QPoint(0, 0));
        const QColor fill = pixel(view(), area.center());
        QVERIFY(fill != QColor(Qt::white));
        QCOMPARE(pixel(view(), area.topLeft() + QPoint(3, 3)), fill);
        QCOMPARE(pixel(view(), area.bottomRight() - QPoint(3, 3)), fill);
    }

    void paletteRecolours()
    {
        QCPColorGradient light = view().colorScale()->gradient();
        const QCPRange range(1, kHot);
        const QColor lightFew = light.color(1, range, true);
        const QColor lightMany = light.color(kHot, range, true);
        QVERIFY(lightFew.lightness() > lightMany.lightness() + 100); // pale few, dark many on white
        const QColor hotLight = pixel(view(), view().cellCenter(45, 21));
        QCOMPARE(hotLight, lightMany);

        view().setPalette(darkPalette());
        QCPColorGradient dark = view().colorScale()->gradient();
        QVERIFY(!(dark == light));
        QVERIFY(view().colorMap()->gradient() == dark);
        QCOMPARE(view().colorMap()->gradient().nanHandling(), QCPColorGradient::nhTransparent);
        const QColor darkFew = dark.color(1, range, true);
        const QColor darkMany = dark.color(kHot, range, true);
        QVERIFY(darkMany.lightness() > darkFew.lightness() + 100); // dim few, bright many on dark
        QCOMPARE(pixel(view(), view().cellCenter(45, 21)), darkMany);
        QCOMPARE(pixel(view(), view().cellCenter(50, 5)), QColor(0x1e, 0x1e, 0x1e)); // empty: the base shows
        QCOMPARE(view().plot()->xAxis->tickLabelColor(), QColor(0xe8, 0xe8, 0xe8));
    }

    void screenshots()
    {
        // For looking at: a brushed region over the slow block, a clicked cell, a marked episode.
        for (const bool dark : { false, true }) {
            view().setPalette(dark ? darkPalette() : lightPalette());
            view().setMarkedRange(kStart + 29 * 60 * kSecond, kStart + 41 * 60 * kSecond);
            drag(plot(), center(30, 32), center(39, 37));
            QTest::mouseClick(plot(), Qt::LeftButton, {}, center(45, 21));
            QVERIFY(view().selectedRegion());
            plot()->replot();
            const QString path
                = dark ? QStringLiteral("/tmp/heatmap-dark.png") : QStringLiteral("/tmp/heatmap-light.png");
            QVERIFY(view().grab().save(path));
        }
    }
};

int main(int argc, char* argv[])
{
    // Times in describeCell are local: pin the zone. Fixed DPI so pixel sizes do not depend on the machine.
    qputenv("TZ", "UTC");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_FONT_DPI", "96");
    QApplication app(argc, argv);
    TestHeatmapView test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_heatmapview.moc"
