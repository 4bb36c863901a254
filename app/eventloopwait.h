#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

namespace tracemap {

/// Turns the event loop until `done` holds, giving up after `timeoutMs` so that a broken view cannot hang a
/// command. Workers report through queued signals, so a short slice per turn is enough to see each state change.
/// For the headless commands (screenshot) and the benchmarks that drive the window; tests use QTRY_* instead.
template <typename Predicate> bool turnEventLoopUntil(Predicate done, int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (!done()) {
        if (waited.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace tracemap
