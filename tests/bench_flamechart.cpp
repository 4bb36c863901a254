// Renders the flame chart of generated traces of 1k, 100k and 1M spans into a 1920×1080 image, nearly zoomed out
// (90 % of the trace in view) and at a deep zoom (1e-4 of the trace), scrolled to the top rows and to the middle
// rows, and prints the cold frame (the first at a zoom level: it computes the primitives) and the median of 20 warm
// frames (each panned by 5 px, reusing them), then the ratio 1M ÷ 1k of the warm medians. Goals: ratio ≤ 3, 1M frame
// ≤ 16 ms. Every frame is checksummed: the count of distinct frames shows that the view really panned, and the share
// of pixels drawn in the rows that something was drawn at all. Note that the two sizes do not draw the same: at 1M
// most of a row is 1-pixel blocks of merged spans, at 1k most spans are labelled bars.

#include "flamechartlayout.h"
#include "flamechartview.h"
#include "generator/tracegenerator.h"
#include "traceselection.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QPainter>
#include <QSet>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

using namespace tracemap;

namespace {

std::shared_ptr<const Trace> generate(int spans)
{
    GeneratorOptions options;
    options.traces = 1;
    options.spansPerTrace = spans;
    TraceGenerator generator(options);
    auto trace = std::make_shared<Trace>();
    generator.next(*trace);
    return trace;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Figures {
    double firstMs = 0;
    double medianMs = 0;
    double nsPerPixel = 0;
    int distinctFrames = 0;
    double drawnShare = 0; // of the rows' pixels, in the last frame
};

// The share of the rows' pixels (below the overview and ruler, above the legend) not in the background colour.
double drawnShare(const QImage& image, QColor background)
{
    const int top = FlameChartView::kOverviewHeight + FlameChartView::kRulerHeight;
    const int bottom = image.height() - FlameChartView::kLegendHeight;
    qint64 drawn = 0;
    for (int y = top; y < bottom; ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            drawn += line[x] != background.rgba() ? 1 : 0;
    }
    return double(drawn) / double(qint64(image.width()) * (bottom - top));
}

// The first frame at a zoom level computes its primitives (cold); the following frames pan by 5 px and reuse them.
Figures measure(FlameChartView& view, QImage& image, double start, double end)
{
    view.setVisibleRange(start, end);
    std::vector<double> frames;
    Figures figures;
    figures.nsPerPixel = (view.visibleEndNs() - view.visibleStartNs()) / image.width();
    QSet<size_t> checksums;
    for (int frame = 0; frame < 21; ++frame) {
        QElapsedTimer timer;
        timer.start();
        {
            QPainter painter(&image);
            view.renderTo(painter, image.size());
        }
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        checksums.insert(qHash(QByteArrayView(image.constBits(), image.sizeInBytes())));
        if (frame == 0)
            figures.firstMs = ms;
        else
            frames.push_back(ms);
        const double step = (view.visibleEndNs() - view.visibleStartNs()) / 1920 * 5;
        view.setVisibleRange(view.visibleStartNs() + step, view.visibleEndNs() + step);
    }
    figures.medianMs = median(frames);
    figures.distinctFrames = int(checksums.size());
    figures.drawnShare = drawnShare(image, view.palette().base().color());
    return figures;
}

// Waits for the view's layout, which a worker computes for large traces.
void waitForLayout(FlameChartView& view)
{
    if (!view.isLayoutPending())
        return;
    QEventLoop loop;
    QObject::connect(&view, &FlameChartView::layoutReady, &loop, &QEventLoop::quit);
    loop.exec();
}

// A window of `width` ns around the middle span of the middle row, so a deep zoom down there shows spans.
double deepWindowStart(const FlameChartLayout& layout, int row, double width)
{
    const size_t middle = layout.spanCount(row) / 2;
    return std::max(0.0, double(layout.relativeStart(row, middle)) - width / 2);
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QImage image(1920, 1080, QImage::Format_ARGB32_Premultiplied);
    // Per size: zoomed out and deep zoom, at the top rows and at the middle rows.
    std::map<int, std::vector<Figures>> results;
    for (const int spans : { 1000, 100000, 1000000 }) {
        QElapsedTimer timer;
        timer.start();
        const auto trace = generate(spans);
        const double generateMs = double(timer.nsecsElapsed()) / 1e6;
        timer.restart();
        const FlameChartLayout layout(trace);
        const double layoutMs = double(timer.nsecsElapsed()) / 1e6;

        TraceSelection selection;
        FlameChartView view(&selection);
        view.resize(1920, 1080);
        timer.restart();
        selection.setTrace(trace);
        const double guiMs = double(timer.nsecsElapsed()) / 1e6;
        waitForLayout(view);
        const double openMs = double(timer.nsecsElapsed()) / 1e6;

        const double duration = double(view.layout().durationNs());
        const double deepWidth = duration * 1e-4;
        const int middleRow = view.layout().rowCount() / 2;
        std::vector<Figures>& figures = results[spans];
        // 90 % of the trace: panning 20 × 5 px stays inside it (fully zoomed out, the view cannot pan).
        const double wide = duration * 0.9;
        view.scrollToRow(0);
        figures.push_back(measure(view, image, 0, wide));
        const double deepStart = duration * 0.4;
        figures.push_back(measure(view, image, deepStart, deepStart + deepWidth));
        view.scrollToRow(middleRow);
        figures.push_back(measure(view, image, 0, wide));
        const double middleStart = deepWindowStart(view.layout(), middleRow, deepWidth);
        figures.push_back(measure(view, image, middleStart, middleStart + deepWidth));

        std::printf("%8zu spans, %5d rows, depth %u: generate %.0f ms, layout %.1f ms, open in view %.1f ms "
                    "(GUI thread busy %.1f ms)\n",
            trace->spans.size(), layout.rowCount(), trace->maxDepth(), generateMs, layoutMs, openMs, guiMs);
        const char* names[] = { "top rows, 90 % of the trace", "top rows, 1e-4 of the trace",
            "middle rows, 90 % of the trace", "middle rows, 1e-4 of the trace" };
        for (size_t i = 0; i < figures.size(); ++i)
            std::printf("          %-32s %10.0f ns/px: cold frame %6.2f ms, warm median %6.2f ms; %2d distinct "
                        "frames of 21, %4.1f %% of the rows drawn%s\n",
                names[i], figures[i].nsPerPixel, figures[i].firstMs, figures[i].medianMs, figures[i].distinctFrames,
                figures[i].drawnShare * 100, figures[i].drawnShare > 0 ? "" : "  NOTHING DRAWN");
    }
    const auto& small = results[1000];
    const auto& large = results[1000000];
    double worstRatio = 0;
    double worstFrame = 0;
    for (size_t i = 0; i < small.size(); ++i) {
        worstRatio = std::max(worstRatio, large[i].medianMs / small[i].medianMs);
        worstFrame = std::max(worstFrame, large[i].medianMs);
    }
    std::printf(
        "ratio 1M / 1k of warm median frames: %.2f, %.2f, %.2f, %.2f (worst %.2f, goal <= 3); worst 1M median frame "
        "%.2f ms (goal <= 16 ms)\n",
        large[0].medianMs / small[0].medianMs, large[1].medianMs / small[1].medianMs,
        large[2].medianMs / small[2].medianMs, large[3].medianMs / small[3].medianMs, worstRatio, worstFrame);
    return 0;
}
