#pragma once

#include "model/trace.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tracemap {

/// Runs a function over batches of traces on a thread of its own, so that an import reads and parses the next batch
/// while this one is assembled, encoded, compressed and written: the import then uses two cores. The queue is
/// bounded (`capacity` batches waiting besides the one being consumed), so memory stays at a few batches whatever
/// the input's size. Batches are consumed one at a time in the order they were pushed, so the result does not
/// depend on timing. The function runs on the one thread alone; what it touches must not be used elsewhere until
/// finish() returns or the object is destroyed.
class BatchConsumerThread {
public:
    using Batch = std::vector<Trace>;
    using Consume = std::function<void(Batch& batch)>;

    explicit BatchConsumerThread(Consume consume, size_t capacity = 1);
    /// Drops the queued batches and waits for the one being consumed (a cancelled or failed import).
    ~BatchConsumerThread();
    BatchConsumerThread(const BatchConsumerThread&) = delete;
    BatchConsumerThread& operator=(const BatchConsumerThread&) = delete;

    /// Queues a batch, waiting while the queue is full. Once the function threw, nothing more is consumed and this
    /// rethrows its exception here, on the pushing thread: the caller stops reading.
    void push(Batch&& batch);
    /// Waits until every queued batch is consumed and stops the thread; rethrows what the function threw.
    void finish();

private:
    void run();
    void stop(bool dropQueued);

    Consume m_consume;
    const size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Batch> m_queue;
    bool m_closing = false;
    std::exception_ptr m_failure; // what the function threw first
    std::thread m_thread; // last: starts once the members above exist
};

} // namespace tracemap
