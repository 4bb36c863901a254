#include "live/commitwaiter.h"

namespace tracemap {

CommitWaiter::CommitWaiter()
{
    m_thread = std::thread([this] { run(); });
}

CommitWaiter::~CommitWaiter()
{
    stop();
}

void CommitWaiter::add(PendingIngest pending, Answer answer)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.emplace_back(std::move(pending), std::move(answer));
    }
    m_wake.notify_one();
}

void CommitWaiter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void CommitWaiter::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty())
            return; // stopping, and everything is answered
        auto [pending, answer] = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        answer(pending.wait());
        lock.lock();
    }
}

} // namespace tracemap
