#pragma once

// Helpers shared by the Qt Test executables: where the public trace fixtures are, reading and writing files. They
// need no Tracemap library; importAll, which needs formats/, is in importsupport.h.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QtTest/QTest>

#include <cstdio>
#include <cstring>

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

/// Peak-memory figures under AddressSanitizer (packaging/dev.sh test --sanitize) measure its quarantine of freed
/// memory and its shadow memory, not Tracemap's: memory bounds are asserted in the normal build only.
constexpr bool kMemoryFiguresMeaningful =
#if defined(__SANITIZE_ADDRESS__)
    false;
#else
    true;
#endif

/// A figure of /proc/self/status in kB (VmHWM: the peak resident memory, VmRSS: the current); -1 without /proc.
inline long statusKb(const char* field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field))).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

/// Starts VmHWM again from the current resident memory, so that the peak of what follows is measured, not the one
/// of whatever ran before in the process.
inline void resetPeakResident()
{
    if (std::FILE* file = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", file);
        std::fclose(file);
    }
}

/// How far the peak resident memory rose above the current one since resetPeakResident(), in bytes.
inline qint64 peakGrowthBytes(long residentKbAtReset)
{
    return (qint64(statusKb("VmHWM:")) - residentKbAtReset) * 1024;
}

} // namespace testsupport

using testsupport::fixturesDir;
using testsupport::requireFixtures;
