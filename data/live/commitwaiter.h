#pragma once

#include "live/receiver.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tracemap {

/// One thread that waits for the commits of requests answered asynchronously (OTLP/gRPC) and then answers them,
/// so that a request waiting for its batch holds no thread of its own, however many are in flight. The writer
/// commits its queue in order, so waiting for the requests in turn delays none of them.
class CommitWaiter {
public:
    using Answer = std::function<void(const IngestOutcome&)>;

    CommitWaiter();
    CommitWaiter(const CommitWaiter&) = delete;
    CommitWaiter& operator=(const CommitWaiter&) = delete;
    /// Stops (see stop()).
    ~CommitWaiter();

    /// Calls `answer` with the outcome once `pending` is decided, on the waiter's thread.
    void add(PendingIngest pending, Answer answer);
    /// Answers everything added so far, then ends the thread.
    void stop();

private:
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::pair<PendingIngest, Answer>> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace tracemap
