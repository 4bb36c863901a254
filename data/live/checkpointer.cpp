#include "live/checkpointer.h"

#include "cache/tracecache.h"

namespace tracemap {

Checkpointer::Checkpointer(const QString& path)
{
    auto cache = TraceCache::open(path, TraceCache::OpenMode::MustExist);
    if (!cache)
        return;
    m_cache = std::move(*cache);
    m_thread = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void Checkpointer::request()
{
    {
        std::lock_guard lock(m_mutex);
        m_pending = true;
    }
    m_wake.notify_one();
}

void Checkpointer::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || m_pending; });
        if (m_stopping)
            return;
        m_pending = false;
        lock.unlock();
        // A failure (the file busy in a way PASSIVE does not wait for) leaves the WAL for the next request.
        (void)m_cache->checkpoint();
        lock.lock();
    }
}

} // namespace tracemap
