#pragma once

#include <cstddef>

namespace tracemap {

/// Keeps a read of a mapped file alive when the file shrinks meanwhile. Touching a mapped page that lies past a
/// file's new end raises SIGBUS, which kills the process. While a range is guarded, a process-wide SIGBUS handler
/// (installed with the first guard) maps zero pages over the rest of the range from the faulting page on and
/// records that it did: the reader goes on over zeros, which no trace format accepts, and the owner of the mapping
/// reports a truncated file (caughtFault()). A SIGBUS outside every guarded range goes to the handler that was
/// installed before (Qt Test's, a sanitizer's, or the default, which ends the process as it always did).
///
/// The handler reads a fixed table of atomics and calls mmap, and nothing else: no lock, no allocation.
class FileMappingGuard {
public:
    /// Ranges guarded at once, at most; a guard made when all are taken is inactive.
    static constexpr int kSlots = 256;

    FileMappingGuard() = default;
    /// Guards the page-aligned range [begin, begin + length) until destroyed. Inactive when every slot is taken:
    /// the caller must then read the file some other way.
    FileMappingGuard(const void* begin, size_t length);
    FileMappingGuard(FileMappingGuard&& other) noexcept;
    FileMappingGuard& operator=(FileMappingGuard&& other) noexcept;
    FileMappingGuard(const FileMappingGuard&) = delete;
    FileMappingGuard& operator=(const FileMappingGuard&) = delete;
    /// Ends the guard; the range must not be read afterwards (the caller unmaps it).
    ~FileMappingGuard();

    bool isActive() const { return m_slot >= 0; }
    /// Whether a read past the file's end (or a page the kernel could not read) was caught in the range.
    bool caughtFault() const;

private:
    void release();

    int m_slot = -1;
};

} // namespace tracemap
