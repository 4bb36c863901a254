// Renders the flame chart of generated traces of 1k, 100k and 1M spans into a 1920×1080 image, at full zoom-out
// and at a deep zoom, and prints median frame times and the ratio 1M ÷ 1k. Goals: ratio ≤ 3, 1M frame ≤ 16 ms.

#include "flamechartlayout.h"
#include "flamechartview.h"
#include "tracegenerator.h"
#include "traceselection.h"

#include <QApplication>
#include <QElapsedTimer>
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

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QImage image(1920, 1080, QImage::Format_ARGB32_Premultiplied);
    std::map<int, std::pair<Figures, Figures>> results;
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
        const double openMs = double(timer.nsecsElapsed()) / 1e6;
        const double duration = double(view.layout().durationNs());
        const Figures out = measure(view, image, 0, duration);
        const double deepStart = duration * 0.4;
        const Figures deep = measure(view, image, deepStart, deepStart + duration * 1e-4);
        results[spans] = { out, deep };
        std::printf("%8zu spans, %5d rows, depth %u: generate %.0f ms, layout %.1f ms, open in view %.1f ms\n",
            trace->spans.size(), layout.rowCount(), trace->maxDepth(), generateMs, layoutMs, openMs);
        std::printf("          zoomed out: first frame %.2f ms, median %.2f ms; deep zoom (1e-4 of the trace): first "
                    "%.2f ms, median %.2f ms\n",
            out.firstMs, out.medianMs, deep.firstMs, deep.medianMs);
    }
    const auto& small = results[1000];
    const auto& large = results[1000000];
    std::printf("ratio 1M / 1k: zoomed out %.2f, deep zoom %.2f (goal <= 3); 1M median frame %.2f / %.2f ms (goal <= "
                "16 ms)\n",
        large.first.medianMs / small.first.medianMs, large.second.medianMs / small.second.medianMs,
        large.first.medianMs, large.second.medianMs);
    return 0;
}
