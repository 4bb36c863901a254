// JSON parser choice: simdjson (through Tracemap's Jaeger importer) against QJsonDocument on the same generated
// Jaeger file. The sides do not do the same work: the importer reads the file, parses it with simdjson and builds
// assembled traces (spans, interned strings, attributes, trees); the Qt side parses bytes already in memory with
// QJsonDocument and walks the fields the importer reads, building nothing (and sorting nothing: the spans are
// shuffled within each trace, so the importer's sort runs). The ratio therefore flatters Qt. The
// figure printed is the median of 3 runs each.
#include "benchsupport.h"
#include "formats/traceimporter.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>

using namespace tracemap;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Walks what the importer reads: ids, names, times, tags and logs of every span.
qint64 walkWithQt(const QByteArray& bytes)
{
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    qint64 checksum = 0;
    for (const QJsonValue trace : doc.object().value(QLatin1String("data")).toArray()) {
        for (const QJsonValue spanValue : trace.toObject().value(QLatin1String("spans")).toArray()) {
            const QJsonObject span = spanValue.toObject();
            checksum += span.value(QLatin1String("spanID")).toString().size();
            checksum += span.value(QLatin1String("operationName")).toString().size();
            checksum += static_cast<qint64>(span.value(QLatin1String("duration")).toDouble());
            for (const QJsonValue tag : span.value(QLatin1String("tags")).toArray())
                checksum += tag.toObject().value(QLatin1String("key")).toString().size();
            checksum += span.value(QLatin1String("logs")).toArray().size();
        }
    }
    return checksum;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const qint64 traces = app.arguments().value(1, QStringLiteral("2000")).toLongLong();
    const QString path = QDir::temp().filePath(QStringLiteral("tracemap-bench-json.json"));
    GeneratorOptions options;
    options.traces = traces;
    options.spansPerTrace = 50;
    options.seed = 42;
    if (auto written = benchsupport::writeShuffledFile(options, "jaeger", path); !written) {
        std::fprintf(stderr, "%s\n", qPrintable(written.error()));
        return 1;
    }
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    const QByteArray bytes = file.readAll();
    std::vector<double> qt, simd;
    qint64 spans = 0;
    for (int run = 0; run < 3; ++run) {
        QElapsedTimer timer;
        timer.start();
        const qint64 checksum = walkWithQt(bytes);
        qt.push_back(timer.nsecsElapsed() / 1e9);
        timer.restart();
        spans = 0;
        const auto summary = TraceImporter::importFile(path, [&](std::vector<Trace>& batch) {
            for (const Trace& t : batch)
                spans += static_cast<qint64>(t.spans.size());
        });
        simd.push_back(timer.nsecsElapsed() / 1e9);
        if (!summary || checksum == 0)
            return 1;
    }
    const double mb = bytes.size() / 1e6;
    std::printf("%.0f MB, %lld spans: QJsonDocument parse+walk %.2f s (%.0f MB/s); simdjson import to spans %.2f s "
                "(%.0f MB/s); ratio simdjson / Qt = %.2f\n",
        mb, static_cast<long long>(spans), median(qt), mb / median(qt), median(simd), mb / median(simd),
        median(simd) / median(qt));
    QFile::remove(path);
    return 0;
}
