#pragma once

#include "formats/importerror.h"
#include "formats/traceimporter.h"

#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace tracemap {

/// Imports files into the cache on a worker thread, one file after the other, reporting progress (throttled to
/// whole percents) and each file's outcome; cancel() stops the file being imported — its transaction is rolled
/// back, so the cache is as it was — and the files queued before it. A failed file does not stop the others.
class ImportController : public QObject {
    Q_OBJECT
public:
    explicit ImportController(QString cachePath, QThreadPool* worker, QObject* parent = nullptr);

    void importFiles(const QStringList& files);
    bool isBusy() const { return m_pending > 0; }

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void started(const QString& file);
    void progress(const QString& file, int percent);
    void fileImported(const tracemap::ImportSummary& summary);
    void fileFailed(const tracemap::ImportError& error);
    /// The cache file turned out damaged (on opening it, or while importing): `message` says what was found.
    void cacheDamaged(const QString& message);
    /// All queued files are done (imported, failed or cancelled).
    void finished();

private:
    QString m_cachePath;
    QThreadPool* m_worker;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    int m_pending = 0;
};

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::ImportSummary)
Q_DECLARE_METATYPE(tracemap::ImportError)
