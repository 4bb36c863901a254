#include "importcontroller.h"

#include "cache/tracecache.h"

#include <QPointer>
#include <QtConcurrent>

namespace tracemap {

ImportController::ImportController(QString cachePath, QThreadPool* worker, QObject* parent)
    : QObject(parent)
    , m_cachePath(std::move(cachePath))
    , m_worker(worker)
    , m_cancel(std::make_shared<std::atomic<bool>>(false))
{
}

void ImportController::cancel()
{
    // Stops the file being imported and everything queued so far; files opened afterwards get a fresh token.
    m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic<bool>>(false);
}

void ImportController::importFiles(const QStringList& files)
{
    if (files.isEmpty())
        return;
    m_pending += static_cast<int>(files.size());
    QPointer<ImportController> self(this);
    auto cancel = m_cancel;
    const QString cachePath = m_cachePath;
    // Signals are emitted from the worker; Qt queues them to this object's (the GUI) thread.
    (void)QtConcurrent::run(m_worker, [self, cancel, cachePath, files] {
        auto cache = TraceCache::openChecked(cachePath);
        if (!cache && cache.error().damaged && self)
            Q_EMIT self->cacheDamaged(cache.error().message);
        for (const QString& file : files) {
            if (!self)
                return;
            if (!cache) {
                ImportError error;
                error.file = file;
                error.message = cache.error().message;
                Q_EMIT self->fileFailed(error);
                continue;
            }
            if (cancel->load()) {
                ImportError error;
                error.file = file;
                error.message = QStringLiteral("import cancelled");
                error.cancelled = true;
                Q_EMIT self->fileFailed(error);
                continue;
            }
            Q_EMIT self->started(file);
            int lastPercent = -1;
            ImportOptions options;
            options.progress = [&](qint64 done, qint64 total) {
                const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 0;
                if (percent != lastPercent && self) {
                    lastPercent = percent;
                    Q_EMIT self->progress(file, percent);
                }
                return !cancel->load();
            };
            const auto summary = (*cache)->importFile(file, options);
            if (!self)
                return;
            if (summary)
                Q_EMIT self->fileImported(*summary);
            else
                Q_EMIT self->fileFailed(summary.error());
            if (!summary && (*cache)->isDamaged())
                Q_EMIT self->cacheDamaged(summary.error().message);
        }
        if (self)
            QMetaObject::invokeMethod(self, [self, count = files.size()] {
                if (!self)
                    return;
                self->m_pending -= static_cast<int>(count);
                if (self->m_pending == 0)
                    Q_EMIT self->finished();
            });
    });
}

} // namespace tracemap
