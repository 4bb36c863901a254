// How fast the topology map paints the large dependency DAG (1,238 services, 4,271 calls): the cost of one frame
// while panning, fitted and zoomed in, into a 1920x1080 image, median of 30 frames. A frame under 16 ms pans at
// 60 frames per second. Prints figures; asserts nothing. The DAG is read from $TRACEMAP_FIXTURES (as the tests
// do), or from the file given as the first argument.
#include "testsupport.h"

#include "formats/dependencylinksreader.h"
#include "graphvizlayout.h"
#include "topologypainter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>

using namespace tracemap;

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QString file
        = app.arguments().value(1, testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json")));
    auto topology = DependencyLinksReader::readFile(file);
    if (!topology) {
        std::printf("%s\n", qPrintable(topology.error().toString()));
        return 1;
    }
    QElapsedTimer timer;
    timer.start();
    auto geometry = GraphvizLayout::layout(*topology, LayoutOptions {});
    if (!geometry) {
        std::printf("layout failed: %s\n", qPrintable(geometry.error()));
        return 1;
    }
    std::printf("%zu services, %zu calls: layout (%s) %.2f s\n", topology->nodes.size(), topology->edges.size(),
        qPrintable(geometry->engine), timer.nsecsElapsed() / 1e9);

    QImage image(1920, 1080, QImage::Format_ARGB32_Premultiplied);
    auto frame = [&](double zoom, QPointF center) {
        QPainter painter(&image);
        painter.fillRect(image.rect(), Qt::white);
        painter.translate(image.width() / 2.0, image.height() / 2.0);
        painter.scale(zoom, zoom);
        painter.translate(-center);
        TopologyPainter::Options options;
        options.scale = zoom;
        options.visibleScene = QRectF(center - QPointF(image.width() / 2.0, image.height() / 2.0) / zoom,
            QSizeF(image.width(), image.height()) / zoom);
        TopologyPainter::paint(painter, *topology, *geometry, options);
    };
    const QRectF bounds = geometry->bounds;
    const double fit = std::min(image.width() / bounds.width(), image.height() / bounds.height());
    struct Case {
        const char* name;
        double zoom;
    };
    for (const Case& c : { Case { "fitted (labels hidden)", fit }, Case { "zoomed to 1:1 (labels shown)", 1.0 } }) {
        std::vector<double> ms;
        for (int i = 0; i < 30; ++i) {
            // Pan across the map as a user drags.
            const QPointF center = bounds.center() + QPointF((i - 15) * bounds.width() / 60, 0);
            timer.restart();
            frame(c.zoom, center);
            ms.push_back(timer.nsecsElapsed() / 1e6);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("frame %s: median %.1f ms, max %.1f ms\n", c.name, ms[ms.size() / 2], ms.back());
    }
    return 0;
}
