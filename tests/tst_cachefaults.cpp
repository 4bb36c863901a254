// Faults that must not lose data (issue 15): `tracemap import` killed with SIGKILL at random moments, a full disk,
// damaged cache files (the command line and the window), two programs on one cache, and an input file that
// shrinks while it is read. In each case the cache passes SQLite's integrity check and holds every file whole or
// not at all, and the user gets a message that says what happened.

#include "importsupport.h"
#include "testsupport.h"

#include "cache/tracecache.h"
#include "cachequeries.h"
#include "damagedcacheprompt.h"
#include "formats/inputbuffer.h"
#include "generator/generatedfile.h"
#include "mainwindow.h"

#include <QDir>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <random>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

using namespace tracemap;

namespace {

// AddressSanitizer makes everything about three times slower: smaller files keep the kill test's rounds short.
constexpr bool kSanitized = !testsupport::kMemoryFiguresMeaningful;
constexpr qint64 kLargeTraces = kSanitized ? 400 : 1000; // about 50,000 spans, 35 MB of Jaeger JSON each

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run runTracemap(const QStringList& args)
{
    QProcess process;
    process.start(QStringLiteral(TRACEMAP_BINARY), args);
    Run run;
    if (!process.waitForFinished(300000) || process.exitStatus() != QProcess::NormalExit)
        return run;
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

// Runs a statement through a connection of its own and returns its rows, a line each with the columns separated
// by '|', or the error.
QString sql(const QString& path, const char* statement)
{
    sqlite3* db = nullptr;
    QString result;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, statement, -1, &s, nullptr) == SQLITE_OK) {
            QStringList rows;
            int status;
            while ((status = sqlite3_step(s)) == SQLITE_ROW) {
                QStringList columns;
                for (int c = 0; c < sqlite3_column_count(s); ++c)
                    columns << QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(s, c)));
                rows << columns.join(QLatin1Char('|'));
            }
            result = status == SQLITE_DONE ? rows.join(QLatin1Char('\n')) : QString::fromUtf8(sqlite3_errmsg(db));
        } else {
            result = QString::fromUtf8(sqlite3_errmsg(db));
        }
        sqlite3_finalize(s);
    }
    if (result.isEmpty() && db && sqlite3_errcode(db) != SQLITE_OK)
        result = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_close(db);
    return result;
}

QString integrityCheck(const QString& path)
{
    return sql(path, "PRAGMA integrity_check");
}

// The traces a cache holds: trace id (as SQLite stores it) → span count.
using Figures = std::map<QString, qint64>;

Figures figuresOf(const QString& path)
{
    Figures figures;
    for (const QString& row : sql(path, "SELECT trace_hi || ':' || trace_lo, span_count FROM traces")
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        figures[row.section(QLatin1Char('|'), 0, 0)] = row.section(QLatin1Char('|'), 1, 1).toLongLong();
    return figures;
}

enum class Presence { Whole, Absent, Partial };

// Whether every trace of a file is in the cache with all its spans, none of them is, or something in between.
Presence presenceOf(const Figures& file, const Figures& cache)
{
    qint64 whole = 0;
    qint64 absent = 0;
    for (const auto& [id, spans] : file) {
        const auto it = cache.find(id);
        if (it == cache.end())
            ++absent;
        else if (it->second == spans)
            ++whole;
    }
    if (whole == qint64(file.size()))
        return Presence::Whole;
    return absent == qint64(file.size()) ? Presence::Absent : Presence::Partial;
}

const char* describe(Presence presence)
{
    switch (presence) {
    case Presence::Whole:
        return "whole";
    case Presence::Absent:
        return "absent";
    case Presence::Partial:
        break;
    }
    return "PARTIAL";
}

// Overwrites one page of a cache (1-based, as SQLite numbers them) with seeded random bytes.
bool overwritePage(const QString& path, qint64 page, quint64 seed)
{
    const qint64 pageSize = sql(path, "PRAGMA page_size").toLongLong();
    QFile file(path);
    if (pageSize < 512)
        return false;
    if (!file.open(QIODevice::ReadWrite) || !file.seek((page - 1) * pageSize))
        return false;
    std::mt19937_64 rng(seed);
    QByteArray bytes(pageSize, Qt::Uninitialized);
    for (char& byte : bytes)
        byte = static_cast<char>(rng());
    bytes[0] = char(0xab); // not a b-tree page type, whatever the draw: the page is certainly damaged
    return file.write(bytes) == bytes.size();
}

// The leaf pages of a table, in page order.
QStringList leavesOf(const QString& path, const char* table)
{
    const std::string statement
        = std::string("SELECT pageno FROM dbstat WHERE name = '") + table + "' AND pagetype = 'leaf' ORDER BY pageno";
    return sql(path, statement.c_str()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

qint64 rootPage(const QString& path, const char* table)
{
    const std::string statement = std::string("SELECT rootpage FROM sqlite_schema WHERE name = '") + table + "'";
    return sql(path, statement.c_str()).toLongLong();
}

quint64 seedFromEnvironment()
{
    bool ok = false;
    const quint64 seed = qEnvironmentVariable("TRACEMAP_KILL_SEED").toULongLong(&ok);
    return ok ? seed : static_cast<quint64>(std::chrono::system_clock::now().time_since_epoch().count());
}

} // namespace

class TestCacheFaults : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_small; // file A: 200 traces, already in the base cache
    QString m_large1; // files B and C: large enough that importing both takes about a second
    QString m_large2;
    QString m_tiny; // file D: 20 traces, to show a cache still takes imports
    QString m_base; // a cache holding A
    Figures m_smallFigures;
    Figures m_large1Figures;
    Figures m_large2Figures;
    Figures m_tinyFigures;
    int m_caches = 0;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    // A copy of the base cache (A imported), under a name of its own.
    QString copyOfBase()
    {
        const QString copy = path(QStringLiteral("cache%1.sqlite").arg(++m_caches));
        return QFile::copy(m_base, copy) ? copy : QString();
    }

    static Figures figuresOfFile(const QString& file, const QString& cachePath)
    {
        auto cache = TraceCache::open(cachePath);
        if (!cache || !(*cache)->importFile(file))
            return {};
        cache->reset();
        return figuresOf(cachePath);
    }

    static QString generate(const QString& file, qint64 traces, int spans, quint64 seed)
    {
        GeneratorOptions options;
        options.traces = traces;
        options.spansPerTrace = spans;
        options.seed = seed;
        auto written = writeGeneratedFile(options, "jaeger", file);
        return written ? QString() : written.error();
    }

    // The cache after a fault: sound, A whole, and the files it was importing whole or absent, in order.
    void checkAfterKill(const QString& cachePath, int round, QMap<QString, int>& outcomes)
    {
        QCOMPARE(integrityCheck(cachePath), QStringLiteral("ok"));
        const Figures cached = figuresOf(cachePath);
        QCOMPARE(presenceOf(m_smallFigures, cached), Presence::Whole);
        const Presence first = presenceOf(m_large1Figures, cached);
        const Presence second = presenceOf(m_large2Figures, cached);
        const QString outcome
            = QStringLiteral("%1/%2").arg(QLatin1String(describe(first)), QLatin1String(describe(second)));
        QVERIFY2(first != Presence::Partial && second != Presence::Partial,
            qPrintable(QStringLiteral("round %1: %2").arg(round).arg(outcome)));
        QVERIFY2(
            second == Presence::Absent || first == Presence::Whole, qPrintable(outcome)); // one file after the other
        QCOMPARE(qint64(cached.size()),
            qint64(m_smallFigures.size()) + (first == Presence::Whole ? qint64(m_large1Figures.size()) : 0)
                + (second == Presence::Whole ? qint64(m_large2Figures.size()) : 0));
        // The import rows go with their traces.
        const QString imports = sql(cachePath, "SELECT count(*) FROM imports");
        QCOMPARE(imports.toInt(), 1 + (first == Presence::Whole) + (second == Presence::Whole));
        // And the cache takes the next import.
        auto cache = TraceCache::openChecked(cachePath, TraceCache::OpenMode::MustExist);
        QVERIFY2(cache, cache ? "" : qPrintable(cache.error().message));
        QVERIFY((*cache)->importFile(m_tiny).has_value());
        ++outcomes[outcome];
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (!qEnvironmentVariableIsEmpty("TRACEMAP_SIGBUS_CHILD"))
            return; // sigbusOutsideAGuardedFile alone, in a process of its own
        m_small = path(QStringLiteral("a.json"));
        m_large1 = path(QStringLiteral("b.json"));
        m_large2 = path(QStringLiteral("c.json"));
        m_tiny = path(QStringLiteral("d.json"));
        QCOMPARE(generate(m_small, 200, 20, 11), QString());
        QCOMPARE(generate(m_large1, kLargeTraces, 50, 12), QString());
        QCOMPARE(generate(m_large2, kLargeTraces, 50, 13), QString());
        QCOMPARE(generate(m_tiny, 20, 10, 14), QString());
        m_smallFigures = figuresOfFile(m_small, path(QStringLiteral("ref-a.sqlite")));
        m_large1Figures = figuresOfFile(m_large1, path(QStringLiteral("ref-b.sqlite")));
        m_large2Figures = figuresOfFile(m_large2, path(QStringLiteral("ref-c.sqlite")));
        m_tinyFigures = figuresOfFile(m_tiny, path(QStringLiteral("ref-d.sqlite")));
        QCOMPARE(qint64(m_large1Figures.size()), kLargeTraces);
        QCOMPARE(qint64(m_large2Figures.size()), kLargeTraces);
        QCOMPARE(qint64(m_smallFigures.size()), qint64(200));
        QCOMPARE(qint64(m_tinyFigures.size()), qint64(20));
        m_base = path(QStringLiteral("base.sqlite"));
        QCOMPARE(figuresOfFile(m_small, m_base), m_smallFigures);
        QVERIFY(!QFileInfo::exists(m_base + QStringLiteral("-wal"))); // closed: the copies need only the file
    }

    // kill -9 of `tracemap import B C` at a random moment, 20 times: the cache opens, passes integrity_check, and
    // holds each file whole or not at all (C only after B), its import row with it; A, imported before, is whole.
    void killDuringImport()
    {
        const quint64 seed = seedFromEnvironment();
        qInfo("seed %llu (set TRACEMAP_KILL_SEED to repeat these moments)", static_cast<unsigned long long>(seed));
        std::mt19937_64 rng(seed);
        // How long the whole import takes here, measured once, so that the moments cover it whatever the machine.
        const QString reference = copyOfBase();
        QElapsedTimer timer;
        timer.start();
        const Run whole
            = runTracemap({ QStringLiteral("import"), QStringLiteral("--cache"), reference, m_large1, m_large2 });
        const qint64 wholeMs = timer.elapsed();
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));
        QCOMPARE(figuresOf(reference).size(), m_smallFigures.size() + m_large1Figures.size() + m_large2Figures.size());
        qInfo("importing both files takes %lld ms", static_cast<long long>(wholeMs));
        std::uniform_int_distribution<qint64> delayMs(0, wholeMs * 6 / 5);

        QMap<QString, int> outcomes;
        for (int round = 1; round <= 20; ++round) {
            const QString cachePath = copyOfBase();
            QProcess import;
            import.start(QStringLiteral(TRACEMAP_BINARY),
                { QStringLiteral("import"), QStringLiteral("--cache"), cachePath, m_large1, m_large2 });
            QVERIFY(import.waitForStarted(20000));
            const qint64 delay = delayMs(rng);
            std::this_thread::sleep_for(std::chrono::milliseconds(delay)); // the random moment, not a wait for a state
            ::kill(static_cast<pid_t>(import.processId()), SIGKILL);
            QVERIFY(import.waitForFinished(20000));
            checkAfterKill(cachePath, round, outcomes);
            if (QTest::currentTestFailed()) {
                qInfo("round %d: killed after %lld ms", round, static_cast<long long>(delay));
                return;
            }
            for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
                QFile::remove(cachePath + suffix);
        }
        QStringList seen;
        for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it)
            seen << QStringLiteral("%1 ×%2").arg(it.key()).arg(it.value());
        qInfo("B/C after the kills: %s", qPrintable(seen.join(QStringLiteral(", "))));
    }

    // A full disk (SQLite's page limit, which fails writes with SQLITE_FULL as a full file system does): the import
    // fails with a message that says so, nothing of it is written, and the cache takes imports again once there is
    // room.
    void diskFull()
    {
        const QString cachePath = copyOfBase();
        auto cache = TraceCache::openChecked(cachePath);
        QVERIFY(cache);
        const qint64 pages = sql(cachePath, "PRAGMA page_count").toLongLong();
        QVERIFY(pages > 0);
        (*cache)->setPageLimitForTest(pages + 16); // 64 KiB of room: far less than B needs
        const auto failed = (*cache)->importFile(m_large1);
        QVERIFY(!failed);
        const QString message = failed.error().toString();
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("full")), qPrintable(message));
        QVERIFY2(message.contains(cachePath), qPrintable(message));
        QCOMPARE(figuresOf(cachePath), m_smallFigures);
        QCOMPARE(sql(cachePath, "SELECT count(*) FROM imports"), QStringLiteral("1"));
        QCOMPARE(integrityCheck(cachePath), QStringLiteral("ok"));
        QVERIFY(!(*cache)->isDamaged());
        QVERIFY2(message.contains(QLatin1String("the disk is full (or the cache reached its size limit)")),
            qPrintable(message));

        (*cache)->setPageLimitForTest(0);
        const auto imported = (*cache)->importFile(m_tiny);
        QVERIFY2(imported, imported ? "" : qPrintable(imported.error().toString()));
        Figures expected = m_smallFigures;
        expected.insert(m_tinyFigures.begin(), m_tinyFigures.end());
        QCOMPARE(figuresOf(cachePath), expected);
        QCOMPARE(integrityCheck(cachePath), QStringLiteral("ok"));
    }

    // The words for SQLite's write errors: what happened and what to do; damage marks the connection.
    void writeErrorsSayWhatToDo()
    {
        const QString cachePath = path(QStringLiteral("words.sqlite"));
        auto cache = TraceCache::openChecked(cachePath);
        QVERIFY(cache);
        const QString full = (*cache)->writeError(QString::fromUtf8(sqlite3_errstr(SQLITE_FULL)));
        QVERIFY2(full.startsWith(QStringLiteral("cannot write the cache %1: the disk is full (or the cache reached its "
                                                "size limit)")
                                     .arg(cachePath)),
            qPrintable(full));
        QVERIFY(!(*cache)->isDamaged());
        QCOMPARE((*cache)->writeError(QStringLiteral("UNIQUE constraint failed")),
            QStringLiteral("cannot write the cache %1: UNIQUE constraint failed").arg(cachePath));
        QVERIFY(!(*cache)->isDamaged());
        const QString damaged = (*cache)->writeError(QString::fromUtf8(sqlite3_errstr(SQLITE_CORRUPT)));
        QVERIFY2(damaged.contains(QLatin1String("the cache file is damaged")), qPrintable(damaged));
        QVERIFY((*cache)->isDamaged());
    }

    void damagedCache_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("not SQLite") << QStringLiteral("text");
        QTest::newRow("cut in half") << QStringLiteral("half");
        QTest::newRow("cut to 3 bytes") << QStringLiteral("three");
        QTest::newRow("random bytes over page 1") << QStringLiteral("page1");
        QTest::newRow("random bytes over the traces table's root") << QStringLiteral("traces");
        QTest::newRow("random bytes over the postings' root") << QStringLiteral("postings");
    }

    // Damage found on opening: a clear error that says "damaged" and names the file; never a crash. moveAside()
    // keeps the file under another name and the next open starts a new cache; the command line says how.
    void damagedCache()
    {
        QFETCH(QString, damage);
        const QString cachePath = copyOfBase();
        QVERIFY(!cachePath.isEmpty());
        const qint64 size = QFileInfo(cachePath).size();
        if (damage == QLatin1String("text")) {
            QVERIFY(testsupport::writeFile(cachePath, QByteArray("this is not a cache\n").repeated(1000)));
        } else if (damage == QLatin1String("half")) {
            QVERIFY(QFile::resize(cachePath, size / 2));
        } else if (damage == QLatin1String("three")) {
            QVERIFY(QFile::resize(cachePath, 3));
        } else if (damage == QLatin1String("page1")) {
            QVERIFY(overwritePage(cachePath, 1, 1));
        } else {
            const qint64 root = rootPage(cachePath, damage.toLatin1().constData());
            QVERIFY(root > 1);
            QVERIFY(overwritePage(cachePath, root, 3));
        }
        const QByteArray damaged = testsupport::readAll(cachePath);

        const auto opened = TraceCache::openChecked(cachePath, TraceCache::OpenMode::MustExist);
        QVERIFY(!opened);
        QVERIFY2(opened.error().damaged, qPrintable(opened.error().message));
        QVERIFY2(opened.error().message.contains(QLatin1String("the cache file is damaged")),
            qPrintable(opened.error().message));
        QVERIFY(opened.error().message.startsWith(cachePath));
        const auto plain = TraceCache::open(cachePath);
        QVERIFY(!plain);
        QCOMPARE(plain.error(), opened.error().message);
        QCOMPARE(testsupport::readAll(cachePath), damaged); // opening it wrote nothing

        // The command line: the message, and the command that moves it aside.
        const Run search = runTracemap({ QStringLiteral("search"), QStringLiteral("--cache"), cachePath });
        QCOMPARE(search.exitCode, 1);
        QVERIFY2(search.err.contains(QLatin1String("damaged")), qPrintable(search.err));
        QVERIFY2(search.err.contains(QStringLiteral("tracemap import --move-damaged-cache --cache ") + cachePath),
            qPrintable(search.err));
        // An import without the option leaves it as it is.
        const Run refused = runTracemap({ QStringLiteral("import"), QStringLiteral("--cache"), cachePath, m_tiny });
        QCOMPARE(refused.exitCode, 1);
        QCOMPARE(testsupport::readAll(cachePath), damaged);

        const Run moved = runTracemap({ QStringLiteral("import"), QStringLiteral("--move-damaged-cache"),
            QStringLiteral("--cache"), cachePath, m_tiny });
        QVERIFY2(moved.exitCode == 0, qPrintable(moved.err));
        const auto match
            = QRegularExpression(QStringLiteral("moved the damaged cache to (\\S+\\.damaged-\\d{8}-\\d{6})"))
                  .match(moved.out);
        QVERIFY2(match.hasMatch(), qPrintable(moved.out));
        QCOMPARE(testsupport::readAll(match.captured(1)), damaged);
        QCOMPARE(figuresOf(cachePath), m_tinyFigures); // a new cache, with what the command imported
        QCOMPARE(integrityCheck(cachePath), QStringLiteral("ok"));
    }

    // moveAside() through the API: the files go together, a second damaged file gets a name of its own, and a
    // cache this process has open is not moved.
    void moveAside()
    {
        const QString cachePath = path(QStringLiteral("aside.sqlite"));
        QVERIFY(testsupport::writeFile(cachePath, QByteArray(8192, 'x')));
        QVERIFY(testsupport::writeFile(cachePath + QStringLiteral("-wal"), QByteArray("wal")));
        const auto first = TraceCache::moveAside(cachePath);
        QVERIFY2(first, first ? "" : qPrintable(first.error()));
        QVERIFY(!QFileInfo::exists(cachePath));
        QVERIFY(!QFileInfo::exists(cachePath + QStringLiteral("-wal")));
        QCOMPARE(testsupport::readAll(*first + QStringLiteral("-wal")), QByteArray("wal"));
        QVERIFY(testsupport::writeFile(cachePath, QByteArray(8192, 'y')));
        const auto second = TraceCache::moveAside(cachePath);
        QVERIFY(second);
        QVERIFY(*second != *first);
        QCOMPARE(testsupport::readAll(*second), QByteArray(8192, 'y'));

        auto open = TraceCache::open(cachePath);
        QVERIFY(open);
        const auto refused = TraceCache::moveAside(cachePath);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QLatin1String("open")), qPrintable(refused.error()));
        QVERIFY(QFileInfo::exists(cachePath));
        open->reset();
        QVERIFY(TraceCache::moveAside(cachePath));
    }

    // Damage that opening does not read (a leaf page in the middle of a table) shows when a statement reads it: an
    // error that says so, isDamaged(), and the window's queries report it as damage.
    void damageFoundLater()
    {
        const QString summaries = copyOfBase();
        {
            auto cache = TraceCache::open(summaries);
            QVERIFY(cache && (*cache)->importFile(m_large1)); // enough summary rows for several leaf pages
        }
        const QString blobs = path(QStringLiteral("blobs-damaged.sqlite"));
        QVERIFY(QFile::copy(summaries, blobs));
        const QStringList summaryLeaves = leavesOf(summaries, "traces");
        QVERIFY2(summaryLeaves.size() >= 3, qPrintable(summaryLeaves.join(QLatin1Char(' '))));
        QVERIFY(overwritePage(summaries, summaryLeaves[summaryLeaves.size() / 2].toLongLong(), 4));
        const QStringList blobLeaves = leavesOf(blobs, "trace_blobs");
        QVERIFY2(blobLeaves.size() >= 3, qPrintable(blobLeaves.join(QLatin1Char(' '))));
        QVERIFY(overwritePage(blobs, blobLeaves[blobLeaves.size() / 2].toLongLong(), 5));

        auto cache = TraceCache::openChecked(summaries, TraceCache::OpenMode::MustExist);
        QVERIFY2(cache, cache ? "" : qPrintable(cache.error().message)); // the edges are sound
        QVERIFY(!(*cache)->isDamaged());
        TraceQuery everything;
        everything.limit = 1000000;
        const auto found = (*cache)->search(everything);
        QVERIFY(!found);
        QVERIFY2(found.error().contains(QLatin1String("the cache file is damaged")), qPrintable(found.error()));
        QVERIFY((*cache)->isDamaged());
        cache->reset();
        const auto info = cachequeries::info(summaries, QString());
        QVERIFY(info.damaged);
        QVERIFY2(info.error.contains(QLatin1String("damaged")), qPrintable(info.error));
        QVERIFY(cachequeries::search(summaries, everything).damaged);

        cache = TraceCache::openChecked(blobs, TraceCache::OpenMode::MustExist);
        QVERIFY2(cache, cache ? "" : qPrintable(cache.error().message));
        const auto read = (*cache)->forEachTrace([](const Trace&) { return true; });
        QVERIFY(!read);
        QVERIFY2(read.error().contains(QLatin1String("the cache file is damaged")), qPrintable(read.error()));
        QVERIFY((*cache)->isDamaged());
    }

    // The window: a damaged cache brings up the question; "Move Aside and Start New" moves it and a new cache
    // starts; "Keep It" leaves it.
    void windowAsksToMoveADamagedCache()
    {
        const QString cachePath = path(QStringLiteral("window.sqlite"));
        const QByteArray damaged = QByteArray("not a cache at all\n").repeated(500);
        QVERIFY(testsupport::writeFile(cachePath, damaged));
        {
            MainWindow window(cachePath, MainWindow::Persistence::None);
            window.show();
            QMessageBox* box = nullptr;
            QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("damagedCache"))) != nullptr);
            QVERIFY2(box->text().contains(cachePath), qPrintable(box->text()));
            QVERIFY2(box->detailedText().contains(QLatin1String("damaged")), qPrintable(box->detailedText()));
            auto* keep = box->findChild<QPushButton*>(QStringLiteral("keepIt"));
            QVERIFY(keep);
            keep->click();
            QTRY_VERIFY(!window.findChild<QMessageBox*>(QStringLiteral("damagedCache")));
            QCOMPARE(testsupport::readAll(cachePath), damaged);
        }
        MainWindow window(cachePath, MainWindow::Persistence::None);
        window.show();
        QSignalSpy imported(&window, &MainWindow::importsFinished);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("damagedCache"))) != nullptr);
        auto* move = box->findChild<QPushButton*>(QStringLiteral("moveAside"));
        QVERIFY(move);
        move->click();
        const QDir dir(m_dir.path());
        QTRY_COMPARE(dir.entryList({ QStringLiteral("window.sqlite.damaged-*") }).size(), qsizetype(1));
        QCOMPARE(
            testsupport::readAll(dir.filePath(dir.entryList({ QStringLiteral("window.sqlite.damaged-*") }).first())),
            damaged);
        // The window goes on with a new cache: an import lands in it.
        window.openFiles({ m_tiny });
        QVERIFY(imported.wait(60000));
        QCOMPARE(figuresOf(cachePath), m_tinyFigures);
        QTRY_VERIFY(!window.findChild<QMessageBox*>(QStringLiteral("damagedCache"))); // closed, and not asked again
        QVERIFY(!window.findChild<QMessageBox*>(QStringLiteral("damagedCacheNotMoved")));
    }

    // Two programs on one cache: `tracemap import` in a child while this process searches and imports (the child
    // waits for the write lock a connection here holds); both succeed and both files are whole.
    void twoPrograms()
    {
        const QString cachePath = copyOfBase();
        sqlite3* writer = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(cachePath).constData(), &writer), SQLITE_OK);
        QCOMPARE(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        QProcess child;
        child.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("import"), QStringLiteral("--cache"), cachePath, m_large1 });
        QVERIFY(child.waitForStarted(20000));
        {
            // Reading while another connection holds the write lock: WAL lets it.
            auto cache = TraceCache::openChecked(cachePath, TraceCache::OpenMode::MustExist);
            QVERIFY2(cache, cache ? "" : qPrintable(cache.error().message));
            const auto found = (*cache)->search(TraceQuery {});
            QVERIFY2(found, found ? "" : qPrintable(found.error()));
            QCOMPARE((*cache)->traceCount(), qint64(m_smallFigures.size()));
        }
        QCOMPARE(sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(writer);

        auto cache = TraceCache::openChecked(cachePath, TraceCache::OpenMode::MustExist);
        QVERIFY(cache);
        const auto imported = (*cache)->importFile(m_large2); // while the child imports, or after it
        QVERIFY2(imported, imported ? "" : qPrintable(imported.error().toString()));
        for (int i = 0; i < 5; ++i)
            QVERIFY((*cache)->search(TraceQuery {}).has_value());
        QVERIFY(child.waitForFinished(120000));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QVERIFY2(child.exitCode() == 0, child.readAllStandardError().constData());
        const Figures cached = figuresOf(cachePath);
        QCOMPARE(presenceOf(m_large1Figures, cached), Presence::Whole);
        QCOMPARE(presenceOf(m_large2Figures, cached), Presence::Whole);
        QCOMPARE(integrityCheck(cachePath), QStringLiteral("ok"));
    }

    // The live writer's batch (storeTraces) while another program's import holds the write lock for longer than
    // SQLite's busy timeout (5 s): it waits, and stores once the lock is free, instead of failing with "database is
    // locked".
    void liveBatchWaitsForAnotherProgramsImport()
    {
        const QString cachePath = copyOfBase();
        sqlite3* importer = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(cachePath).constData(), &importer), SQLITE_OK);
        QCOMPARE(sqlite3_exec(importer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        std::thread release([importer] {
            std::this_thread::sleep_for(std::chrono::milliseconds(6000));
            sqlite3_exec(importer, "COMMIT", nullptr, nullptr, nullptr);
        });
        auto cache = TraceCache::openChecked(cachePath, TraceCache::OpenMode::MustExist);
        QVERIFY(cache);
        const qint64 before = (*cache)->traceCount();
        auto traces = testsupport::importAll(m_tiny);
        QVERIFY(traces && !traces->empty());
        const auto stored = (*cache)->storeTraces(*traces, QStringLiteral("live"));
        release.join();
        sqlite3_close(importer);
        QVERIFY2(stored, stored ? "" : qPrintable(stored.error()));
        QVERIFY((*cache)->traceCount() > before);
    }

    // `tracemap serve` has the cache open: this process still imports into it and searches it, and moveAside()
    // refuses to move it (serve would write on into the moved file) until serve has stopped.
    void serveAndThisProcessShareACache()
    {
        const QString cachePath = copyOfBase();
        QProcess serve;
        serve.start(QStringLiteral(TRACEMAP_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--cache"), cachePath, QStringLiteral("--otlp-http"),
                QStringLiteral("127.0.0.1:0"), QStringLiteral("--zipkin"), QStringLiteral("none") });
        QVERIFY(serve.waitForStarted(20000));
        QVERIFY(QTest::qWaitFor([&serve] { return serve.canReadLine(); }, 20000));
        QVERIFY2(serve.readLine().contains("ready"), "serve did not say it is ready");
        {
            auto cache = TraceCache::openChecked(cachePath, TraceCache::OpenMode::MustExist);
            QVERIFY(cache);
            const auto imported = (*cache)->importFile(m_tiny);
            QVERIFY2(imported, imported ? "" : qPrintable(imported.error().toString()));
            QVERIFY((*cache)->search(TraceQuery {}).has_value());
        }
        const auto refused = TraceCache::moveAside(cachePath);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QLatin1String("another program")), qPrintable(refused.error()));
        QVERIFY(QFileInfo::exists(cachePath));
        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(20000));
        QCOMPARE(serve.exitCode(), 0);
        const auto moved = TraceCache::moveAside(cachePath);
        QVERIFY2(moved, moved ? "" : qPrintable(moved.error()));
    }

    // InputBuffer over a file that shrinks while it is mapped: zeros past the new end, no SIGBUS, and an error that
    // gives both sizes.
    void shrinkingFileReadsAsZeros()
    {
        const QString file = path(QStringLiteral("shrinking.txt"));
        const QByteArray content(1 << 20, 'x');
        QVERIFY(testsupport::writeFile(file, content));
        auto buffer = InputBuffer::open(file);
        QVERIFY(buffer);
        QCOMPARE(buffer->bytes().size(), size_t(content.size()));
        QCOMPARE(buffer->bytes()[0], 'x');
        QVERIFY(!buffer->shrinkError());
        QVERIFY(QFile::resize(file, 10000));
        qint64 xs = 0;
        for (const char c : buffer->bytes()) // would end the process with SIGBUS at byte 12288
            xs += c == 'x';
        QCOMPARE(xs, qint64(10000));
        const auto error = buffer->shrinkError();
        QVERIFY(error);
        QVERIFY2(error->contains(QLatin1String("shrank while it was read (it is now 10000 bytes; it was 1048576)")),
            qPrintable(*error));
        QCOMPARE(buffer->lineColumn(500000).first, qint64(1)); // an error message's position still reads safely
    }

    // Past the guard's slots the file is read instead of mapped: the same bytes.
    void manyBuffersAtOnce()
    {
        const QString file = path(QStringLiteral("many.txt"));
        QVERIFY(testsupport::writeFile(file, QByteArray("0123456789").repeated(1000)));
        std::vector<InputBuffer> buffers;
        for (int i = 0; i < FileMappingGuard::kSlots + 8; ++i) {
            auto buffer = InputBuffer::open(file);
            QVERIFY(buffer);
            buffers.push_back(std::move(*buffer));
        }
        for (const InputBuffer& buffer : buffers) {
            QCOMPARE(buffer.bytes().size(), size_t(10000));
            QCOMPARE(buffer.bytes().substr(9990), std::string_view("0123456789"));
        }
    }

    // A SIGBUS that is not a guarded file's still ends the process, by that signal: the handler passes it on (here
    // to the default action: the child runs without Qt Test's crash handler).
    void otherSigbusStillEndsTheProcess()
    {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TRACEMAP_SIGBUS_CHILD"), m_dir.path());
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(),
            { QStringLiteral("-nocrashhandler"), QStringLiteral("sigbusOutsideAGuardedFile") });
        QVERIFY(child.waitForFinished(60000));
        if (kSanitized) { // AddressSanitizer's handler was there before: it reports the fault and exits
            QVERIFY(child.exitCode() != 0);
            QVERIFY(child.readAllStandardError().contains("AddressSanitizer: BUS"));
            return;
        }
        QVERIFY2(child.exitStatus() == QProcess::CrashExit, child.readAllStandardOutput().constData());
        QCOMPARE(child.exitCode(), SIGBUS);
    }

    // Run by otherSigbusStillEndsTheProcess only: reads past the end of a mapping no guard covers.
    void sigbusOutsideAGuardedFile()
    {
        if (qEnvironmentVariableIsEmpty("TRACEMAP_SIGBUS_CHILD"))
            QSKIP("run by otherSigbusStillEndsTheProcess, in a process of its own");
        const QString file = path(QStringLiteral("unguarded.bin"));
        QVERIFY(testsupport::writeFile(file, QByteArray(8192, 'u')));
        QVERIFY(InputBuffer::open(file)); // the handler is installed
        const int fd = ::open(QFile::encodeName(file).constData(), O_RDWR);
        QVERIFY(fd >= 0);
        auto* mapped = static_cast<volatile char*>(mmap(nullptr, 8192, PROT_READ, MAP_SHARED, fd, 0));
        QVERIFY(mapped != MAP_FAILED);
        QCOMPARE(ftruncate(fd, 0), 0);
        const char c = mapped[4096];
        QFAIL(qPrintable(QStringLiteral("read %1 past the end of an unguarded mapping").arg(int(c))));
    }

    void importOfAShrinkingFile_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("jaeger") << QStringLiteral("jaeger");
        QTest::newRow("otlp-proto") << QStringLiteral("otlp-proto");
    }

    // A file cut short while the cache imports it (the progress callback truncates it): an error that says the
    // file shrank, nothing written, no crash.
    void importOfAShrinkingFile()
    {
        QFETCH(QString, format);
        const QString file = path(QStringLiteral("shrinks-%1").arg(format));
        GeneratorOptions options;
        options.traces = kLargeTraces;
        options.seed = 15;
        QVERIFY(writeGeneratedFile(options, format.toStdString(), file));
        const QString cachePath = copyOfBase();
        auto cache = TraceCache::openChecked(cachePath);
        QVERIFY(cache);
        ImportOptions importOptions;
        bool truncated = false;
        importOptions.progress = [&](qint64 done, qint64 total) {
            if (!truncated && done > 0 && done < total)
                truncated = QFile::resize(file, 4096);
            return true;
        };
        const auto result = (*cache)->importFile(file, importOptions);
        QVERIFY(truncated);
        QVERIFY(!result);
        const QString message = result.error().toString();
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.startsWith(file), qPrintable(message));
        QCOMPARE(figuresOf(cachePath), m_smallFigures);
        QCOMPARE(integrityCheck(cachePath), QStringLiteral("ok"));
        QVERIFY2(message.contains(QLatin1String("the file shrank while it was read (it is now 4096 bytes")),
            qPrintable(message));
    }
};

QTEST_MAIN(TestCacheFaults)
#include "tst_cachefaults.moc"
