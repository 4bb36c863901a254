#pragma once

#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace tracemap {

class TraceCache;

/// Copies the cache's WAL back into its file on a thread and connection of its own, so that the writer's commits
/// do not: SQLite does it in the committing thread by default, which took a quarter of the live writer's time under
/// load. Checkpoints are PASSIVE: they never wait for, nor block, the writer or readers.
class Checkpointer {
public:
    /// Opens its own connection to the cache at `path`; when that fails isValid() is false, and the writer should
    /// keep SQLite's automatic checkpoints.
    explicit Checkpointer(const QString& path);
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;
    /// Ends after the checkpoint in progress.
    ~Checkpointer();

    bool isValid() const { return m_cache != nullptr; }
    /// Asks for a checkpoint (after a commit). Requests made while one runs are served by one more.
    void request();

private:
    void run();

    std::unique_ptr<TraceCache> m_cache;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_pending = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace tracemap
