#include "formats/batchconsumerthread.h"

#include <algorithm>

namespace tracemap {

BatchConsumerThread::BatchConsumerThread(Consume consume, size_t capacity)
    : m_consume(std::move(consume))
    , m_capacity(std::max<size_t>(capacity, 1))
    , m_thread([this] { run(); })
{
}

BatchConsumerThread::~BatchConsumerThread()
{
    stop(true);
}

void BatchConsumerThread::push(Batch&& batch)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_failure || m_queue.size() < m_capacity; });
    if (m_failure)
        std::rethrow_exception(m_failure);
    m_queue.push_back(std::move(batch));
    m_changed.notify_all();
}

void BatchConsumerThread::finish()
{
    stop(false);
    if (m_failure)
        std::rethrow_exception(m_failure);
}

void BatchConsumerThread::stop(bool dropQueued)
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
        if (dropQueued)
            m_queue.clear();
        m_changed.notify_all();
    }
    if (m_thread.joinable())
        m_thread.join();
}

void BatchConsumerThread::run()
{
    for (;;) {
        Batch batch;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [this] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty())
                return; // closing, and everything consumed
            batch = std::move(m_queue.front());
            m_queue.pop_front();
            m_changed.notify_all(); // room in the queue: the reader goes on while this batch is consumed
        }
        try {
            m_consume(batch);
        } catch (...) {
            // The rest would be thrown away with the failed import: drop it, and let push() or finish() rethrow.
            std::lock_guard lock(m_mutex);
            m_failure = std::current_exception();
            m_queue.clear();
            m_changed.notify_all();
            return;
        }
    }
}

} // namespace tracemap
