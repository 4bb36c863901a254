#pragma once

// Helpers shared by the Qt Test executables: where the public trace fixtures are, and a whole-file import that
// merges the parts of a trace the importer may hand over separately.

#include "traceassembler.h"
#include "traceimporter.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QtTest/QTest>

#include <expected>
#include <map>
#include <vector>

namespace testsupport {

/// $TRACEMAP_FIXTURES (CTest sets it), else ../shared/fixtures next to the source tree.
inline QString fixturesDir()
{
    const QByteArray fromEnv = qgetenv("TRACEMAP_FIXTURES");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(QString::fromLocal8Bit(fromEnv));
    // This header is tests/testsupport.h; the source tree is its parent folder.
    const QDir testsDir = QFileInfo(QString::fromUtf8(__FILE__)).absoluteDir();
    return QDir::cleanPath(testsDir.absoluteFilePath(QStringLiteral("../../shared/fixtures")));
}

/// True when the fixtures folder exists. Otherwise the current test fails when CI=="true" and is skipped with a
/// message elsewhere, and false is returned: use as `if (!requireFixtures()) return;`.
inline bool requireFixtures(const char* file = __builtin_FILE(), int line = __builtin_LINE())
{
    const QString dir = fixturesDir();
    if (QFileInfo(dir).isDir())
        return true;
    const QByteArray message
        = QStringLiteral("trace fixtures not found at %1 (set TRACEMAP_FIXTURES)").arg(dir).toUtf8();
    if (qgetenv("CI") == "true")
        QTest::qFail(message.constData(), file, line);
    else
        QTest::qSkip(message.constData(), file, line);
    return false;
}

inline QString fixture(const QString& relative)
{
    return QDir(fixturesDir()).filePath(relative);
}

inline QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

inline bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(bytes) == bytes.size();
}

/// Imports a whole file; parts of one trace id are merged (TraceAssembler::append + assemble). Traces are returned
/// in trace-id order.
inline std::expected<std::vector<tracemap::Trace>, tracemap::ImportError> importAll(
    const QString& path, tracemap::ImportSummary* summary = nullptr, size_t flushSpans = 100000)
{
    using namespace tracemap;
    std::map<TraceId, Trace> byId;
    std::map<TraceId, int> parts;
    ImportOptions options;
    options.flushSpans = flushSpans;
    auto result = TraceImporter::importFile(
        path,
        [&](std::vector<Trace>& traces) {
            for (Trace& t : traces) {
                const TraceId id = t.id;
                ++parts[id];
                auto [it, inserted] = byId.try_emplace(id);
                if (inserted) {
                    it->second = std::move(t);
                } else {
                    TraceAssembler::append(it->second, t);
                }
            }
        },
        options);
    if (!result)
        return std::unexpected(result.error());
    if (summary)
        *summary = *result;
    std::vector<Trace> out;
    out.reserve(byId.size());
    for (auto& [id, trace] : byId) {
        if (parts[id] > 1)
            TraceAssembler::assemble(trace);
        out.push_back(std::move(trace));
    }
    return out;
}

} // namespace testsupport

using testsupport::fixturesDir;
using testsupport::requireFixtures;
