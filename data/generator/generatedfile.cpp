#include "generator/generatedfile.h"

#include "writers/tracewriter.h"

#include <QFile>

#include <cstdio>

namespace tracemap {

GeneratorOptions generatorOptionsForFormat(const GeneratorOptions& options, std::string_view format)
{
    GeneratorOptions salted = options;
    // Files that differ only in format are different files: they should not share trace ids either.
    for (const char c : format) // FNV-1a: the same on every platform, unlike qHash
        salted.idSalt = (salted.idSalt ^ quint8(c)) * 0x100000001b3ull;
    return salted;
}

std::expected<GeneratedFile, QString> writeGeneratedFile(
    const GeneratorOptions& options, std::string_view format, const QString& path)
{
    if (!isTraceWriterFormat(format))
        return std::unexpected(QStringLiteral("unknown format '%1' (expected jaeger, zipkin, otlp-json or otlp-proto)")
                                   .arg(QString::fromUtf8(format.data(), qsizetype(format.size()))));
    if (const auto checked = TraceGenerator::checkCauses(options); !checked)
        return std::unexpected(checked.error());
    std::FILE* file = std::fopen(QFile::encodeName(path).constData(), "wb");
    if (!file)
        return std::unexpected(QStringLiteral("cannot write %1").arg(path));
    auto writer = makeTraceWriter(format, file);
    TraceGenerator generator(generatorOptionsForFormat(options, format));
    Trace trace;
    GeneratedFile written;
    writer->begin();
    while (writer->ok() && generator.next(trace)) {
        writer->write(trace);
        written.spans += static_cast<qint64>(trace.spans.size());
    }
    writer->end();
    written.traces = generator.generatedTraces();
    written.dropped = generator.droppedTraces();
    if (!writer->ok() || std::fclose(file) != 0)
        return std::unexpected(QStringLiteral("writing %1 failed").arg(path));
    return written;
}

} // namespace tracemap
