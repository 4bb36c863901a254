#include "topologyexporter.h"

#include "analysis/topologyjson.h"
#include "dotwriter.h"
#include "topologypainter.h"

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace tracemap {

namespace {

// Exports are documents: always the light palette, whatever the desktop theme.
QPalette documentPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::Text, QColor(0x20, 0x20, 0x20));
    palette.setColor(QPalette::Highlight, QColor(0x00, 0x72, 0xb2));
    return palette;
}

// The drawing with a margin, so no box or arrow touches the edge of the page or image.
constexpr double kMarginPoints = 18;

TopologyPainter::Options paintOptions(const TopologyExporter::Options& options, double scale)
{
    TopologyPainter::Options paint;
    paint.palette = documentPalette();
    paint.edgeLabels = options.edgeLabels;
    paint.maxLabels = options.maxLabels;
    paint.colorBy = options.colorBy;
    paint.sizeBy = options.sizeBy;
    paint.scale = std::max(scale, 1.0); // exports keep every label: they can be zoomed later
    return paint;
}

// The legend's box, in points from the page's top-left corner; empty without one.
QRectF legendBox(const Topology& topology, const TopologyExporter::Options& options)
{
    if (!options.legend)
        return {};
    return TopologyPainter::paintLegend(
        nullptr, QPointF(kMarginPoints, kMarginPoints), topology, paintOptions(options, 1.0));
}

// The page: the drawing with its margin, and the legend above it.
QRectF documentRect(
    const Topology& topology, const TopologyGeometry& geometry, const TopologyExporter::Options& options)
{
    QRectF page = geometry.bounds.adjusted(-kMarginPoints, -kMarginPoints, kMarginPoints, kMarginPoints);
    const QRectF legend = legendBox(topology, options);
    if (!legend.isEmpty()) {
        page.setTop(page.top() - legend.bottom());
        page.setWidth(std::max(page.width(), legend.right() + kMarginPoints));
    }
    return page;
}

void paintDocument(QPainter& painter, const Topology& topology, const TopologyGeometry& geometry,
    const TopologyExporter::Options& options, double scale)
{
    const QRectF page = documentRect(topology, geometry, options);
    painter.fillRect(QRectF(QPointF(0, 0), page.size() * scale), Qt::white);
    painter.scale(scale, scale);
    const TopologyPainter::Options paint = paintOptions(options, scale);
    if (options.legend)
        TopologyPainter::paintLegend(&painter, legendBox(topology, options).topLeft(), topology, paint);
    painter.translate(-page.topLeft());
    TopologyPainter::paint(painter, topology, geometry, paint);
}

std::expected<void, QString> writeBytes(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return std::unexpected(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace

std::optional<TopologyExporter::Format> TopologyExporter::formatFor(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg"))
        return Format::Svg;
    if (suffix == QLatin1String("png"))
        return Format::Png;
    if (suffix == QLatin1String("pdf"))
        return Format::Pdf;
    if (suffix == QLatin1String("dot") || suffix == QLatin1String("gv"))
        return Format::Dot;
    if (suffix == QLatin1String("json"))
        return Format::Json;
    return std::nullopt;
}

std::expected<void, QString> TopologyExporter::write(
    const QString& path, const Topology& topology, const TopologyGeometry& geometry, const Options& options)
{
    const auto format = formatFor(path);
    if (!format)
        return std::unexpected(
            QStringLiteral("%1: unknown format; the file name must end in .svg, .png, .pdf, .dot or .json").arg(path));
    switch (*format) {
    case Format::Dot:
        return writeBytes(path, QByteArray::fromStdString(DotWriter::write(topology, LayoutOptions {})));
    case Format::Json:
        return writeBytes(path, topologyToJson(topology));
    case Format::Svg: {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(documentRect(topology, geometry, options).size().toSize());
        generator.setViewBox(QRectF(QPointF(0, 0), documentRect(topology, geometry, options).size()));
        generator.setTitle(QStringLiteral("Service topology"));
        generator.setDescription(QStringLiteral("Made by Tracemap"));
        QPainter painter;
        if (!painter.begin(&generator))
            return std::unexpected(QStringLiteral("cannot write %1").arg(path));
        paintDocument(painter, topology, geometry, options, 1.0);
        painter.end();
        return QFileInfo(path).size() > 0 ? std::expected<void, QString>()
                                          : std::unexpected(QStringLiteral("cannot write %1").arg(path));
    }
    case Format::Png: {
        const QSizeF size = documentRect(topology, geometry, options).size() * options.scale;
        if (size.width() * size.height() > 400e6)
            return std::unexpected(QStringLiteral("the PNG would be %1x%2 pixels; use a smaller --scale or SVG/PDF")
                                       .arg(qRound(size.width()))
                                       .arg(qRound(size.height())));
        QImage image(size.toSize().expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        paintDocument(painter, topology, geometry, options, options.scale);
        painter.end();
        if (!image.save(path, "PNG"))
            return std::unexpected(QStringLiteral("cannot write %1").arg(path));
        return {};
    }
    case Format::Pdf: {
        QPdfWriter writer(path);
        writer.setResolution(72); // one PDF unit is one point, as in the geometry
        writer.setPageSize(QPageSize(documentRect(topology, geometry, options).size(), QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setTitle(QStringLiteral("Service topology"));
        writer.setCreator(QStringLiteral("Tracemap"));
        QPainter painter;
        if (!painter.begin(&writer))
            return std::unexpected(QStringLiteral("cannot write %1").arg(path));
        paintDocument(painter, topology, geometry, options, 1.0);
        painter.end();
        return {};
    }
    }
    return std::unexpected(QStringLiteral("unknown format"));
}

} // namespace tracemap
