#pragma once

// Helpers shared by the Qt Test executables: where the public trace fixtures are, reading and writing files. They
// need no Tracemap library; importAll, which needs formats/, is in importsupport.h.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QtTest/QTest>

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

/// The process's peak resident memory so far (VmHWM), in bytes; 0 where /proc is missing.
inline qint64 peakResidentBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return 0;
}

} // namespace testsupport

using testsupport::fixturesDir;
using testsupport::requireFixtures;
