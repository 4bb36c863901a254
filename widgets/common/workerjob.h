#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace tracemap {

/// Runs `work` on `pool` and hands its result to `done` on `context`'s thread. The watcher is a child of `context`,
/// so when the context (a view, a tab) is destroyed first, `done` is simply never called: no continuation can touch
/// a deleted widget. Callers that may be superseded pass a generation number in `done` and drop stale results.
template <typename Work, typename Done> void runOnWorker(QThreadPool* pool, QObject* context, Work work, Done done)
{
    using Result = std::invoke_result_t<Work>;
    auto* watcher = new QFutureWatcher<Result>(context);
    QObject::connect(watcher, &QFutureWatcher<Result>::finished, context, [watcher, done = std::move(done)]() mutable {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(pool, std::move(work)));
}

/// The same on Qt's global pool, for short analysis jobs of one view.
template <typename Work, typename Done> void runOnWorker(QObject* context, Work work, Done done)
{
    runOnWorker(QThreadPool::globalInstance(), context, std::move(work), std::move(done));
}

} // namespace tracemap
