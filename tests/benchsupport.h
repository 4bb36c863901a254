#pragma once

// Shared by the import benchmarks: a generated file whose spans are not in start order.

#include "generator/generatedfile.h"
#include "generator/tracegenerator.h"
#include "writers/tracewriter.h"

#include <QFile>
#include <QString>

#include <algorithm>
#include <cstdio>
#include <expected>
#include <random>
#include <string_view>

namespace benchsupport {

/// writeGeneratedFile(), with the spans of each trace shuffled before they are written. The generator emits them
/// in start order, which would let the importer skip its sort (it checks is_sorted first); real files are in
/// whatever order the spans finished or were batched. The writers read only span fields, never the tree indices.
inline std::expected<tracemap::GeneratedFile, QString> writeShuffledFile(
    const tracemap::GeneratorOptions& options, std::string_view format, const QString& path)
{
    using namespace tracemap;
    std::FILE* file = std::fopen(QFile::encodeName(path).constData(), "wb");
    if (!file)
        return std::unexpected(QStringLiteral("cannot write %1").arg(path));
    auto writer = makeTraceWriter(format, file);
    if (!writer) {
        std::fclose(file);
        return std::unexpected(QStringLiteral("unknown format"));
    }
    TraceGenerator generator(options);
    std::mt19937_64 rng(options.seed);
    Trace trace;
    GeneratedFile written;
    writer->begin();
    while (writer->ok() && generator.next(trace)) {
        std::shuffle(trace.spans.begin(), trace.spans.end(), rng);
        writer->write(trace);
        written.spans += static_cast<qint64>(trace.spans.size());
    }
    writer->end();
    written.traces = generator.generatedTraces();
    if (!writer->ok() || std::fclose(file) != 0)
        return std::unexpected(QStringLiteral("writing %1 failed").arg(path));
    return written;
}

} // namespace benchsupport
