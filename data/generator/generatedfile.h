#pragma once

#include "generator/tracegenerator.h"

#include <QString>

#include <expected>
#include <string_view>

namespace tracemap {

/// What writeGeneratedFile() wrote.
struct GeneratedFile {
    qint64 traces = 0;
    qint64 spans = 0;
    qint64 dropped = 0; // trace slots a RateDrop cause left empty
};

/// The options writeGeneratedFile() generates with for a format: the format is mixed into the trace ids, so files
/// that differ only in format do not share ids. A TraceGenerator with these options makes the file's traces.
GeneratorOptions generatorOptionsForFormat(const GeneratorOptions& options, std::string_view format);

/// Generates the traces of `options` and writes them to `path` in `format` ("jaeger", "zipkin", "otlp-json",
/// "otlp-proto"), streaming: one trace in memory at a time. The format is mixed into the trace ids. The error names
/// what went wrong (unknown format, a planted cause TraceGenerator::checkCauses() rejects, the file cannot be
/// created, a write failed).
std::expected<GeneratedFile, QString> writeGeneratedFile(
    const GeneratorOptions& options, std::string_view format, const QString& path);

} // namespace tracemap
