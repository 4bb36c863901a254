// Renders the flame chart of generated traces of 1k, 100k and 1M spans into a 1920×1080 image, at full zoom-out
// and at a deep zoom, scrolled to the top rows and to the middle rows, and prints median frame times and the ratio
// 1M ÷ 1k. Goals: ratio ≤ 3, 1M frame ≤ 16 ms.

#include "flamechartlayout.h"
#include "flamechartview.h"
#include "tracegenerator.h"
#include "traceselection.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QPainter>

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
};

// The first frame at a zoom level computes its primitives; the following frames pan by 5 px and reuse them.
Figures measure(FlameChartView& view, QImage& image, double start, double end)
{
    view.setVisibleRange(start, end);
    std::vector<double> frames;
    Figures figures;
    for (int frame = 0; frame < 21; ++frame) {
        QElapsedTimer timer;
        timer.start();
        {
            QPainter painter(&image);
            view.renderTo(painter, image.size());
        }
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (frame == 0)
            figures.firstMs = ms;
        else
            frames.push_back(ms);
        const double step = (view.visibleEndNs() - view.visibleStartNs()) / 1920 * 5;
        view.setVisibleRange(view.visibleStartNs() + step, view.visibleEndNs() + step);
    }
    figures.medianMs = median(frames);
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
        view.scrollToRow(0);
        figures.push_back(measure(view, image, 0, duration));
        const double deepStart = duration * 0.4;
        figures.push_back(measure(view, image, deepStart, deepStart + deepWidth));
        view.scrollToRow(middleRow);
        figures.push_back(measure(view, image, 0, duration));
        const double middleStart = deepWindowStart(view.layout(), middleRow, deepWidth);
        figures.push_back(measure(view, image, middleStart, middleStart + deepWidth));

        std::printf("%8zu spans, %5d rows, depth %u: generate %.0f ms, layout %.1f ms, open in view %.1f ms "
                    "(GUI thread busy %.1f ms)\n",
            trace->spans.size(), layout.rowCount(), trace->maxDepth(), generateMs, layoutMs, openMs, guiMs);
        const char* names[] = { "top rows, zoomed out", "top rows, deep zoom (1e-4 of the trace)",
            "middle rows, zoomed out", "middle rows, deep zoom" };
        for (size_t i = 0; i < figures.size(); ++i)
            std::printf("          %-40s first frame %6.2f ms, median %6.2f ms\n", names[i], figures[i].firstMs,
                figures[i].medianMs);
    }
    const auto& small = results[1000];
    const auto& large = results[1000000];
    double worstRatio = 0;
    double worstFrame = 0;
    for (size_t i = 0; i < small.size(); ++i) {
        worstRatio = std::max(worstRatio, large[i].medianMs / small[i].medianMs);
        worstFrame = std::max(worstFrame, large[i].medianMs);
    }
    std::printf("ratio 1M / 1k of median frames: %.2f, %.2f, %.2f, %.2f (worst %.2f, goal <= 3); worst 1M median frame "
                "%.2f ms (goal <= 16 ms)\n",
        large[0].medianMs / small[0].medianMs, large[1].medianMs / small[1].medianMs,
        large[2].medianMs / small[2].medianMs, large[3].medianMs / small[3].medianMs, worstRatio, worstFrame);
    return 0;
}
