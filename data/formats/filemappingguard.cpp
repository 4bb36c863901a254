#include "formats/filemappingguard.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <mutex>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

namespace tracemap {

namespace {

struct Slot {
    std::atomic<bool> taken { false };
    std::atomic<std::uintptr_t> begin { 0 }; // 0: nothing guarded
    std::atomic<std::uintptr_t> end { 0 };
    std::atomic<bool> faulted { false };
};

Slot s_slots[FileMappingGuard::kSlots];
struct sigaction s_previous { };
std::uintptr_t s_pageSize = 4096;

void passOn(int signal, siginfo_t* info, void* context)
{
    if (s_previous.sa_flags & SA_SIGINFO) {
        if (s_previous.sa_sigaction) {
            s_previous.sa_sigaction(signal, info, context);
            return;
        }
    } else if (s_previous.sa_handler != SIG_DFL && s_previous.sa_handler != SIG_IGN) {
        s_previous.sa_handler(signal);
        return;
    }
    // The default action: the process ends of the signal, with a core dump, as it would without this handler. (An
    // ignored SIGBUS from a fault would only fault again.)
    struct sigaction fallback { };
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal, &fallback, nullptr);
    raise(signal);
}

void onSigbus(int signal, siginfo_t* info, void* context)
{
    const int savedErrno = errno;
    // A fault of a mapped page (si_code > 0 comes from the kernel, not from kill()): past the file's end, or a
    // page it could not read.
    if (info && (info->si_code == BUS_ADRERR || info->si_code == BUS_OBJERR)) {
        const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
        for (Slot& slot : s_slots) {
            const std::uintptr_t begin = slot.begin.load(std::memory_order_acquire);
            const std::uintptr_t end = slot.end.load(std::memory_order_acquire);
            if (begin == 0 || address < begin || address >= end)
                continue;
            // Every page after this one lies past the file's end too: one mapping covers them all, so a read that
            // goes on (an error message counting lines) does not fault page by page.
            const std::uintptr_t page = address & ~(s_pageSize - 1);
            if (mmap(reinterpret_cast<void*>(page), end - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                    0)
                != MAP_FAILED) {
                slot.faulted.store(true, std::memory_order_release);
                errno = savedErrno;
                return; // the faulting read runs again, and reads a zero
            }
            break;
        }
    }
    errno = savedErrno;
    passOn(signal, info, context);
}

void installHandler()
{
    s_pageSize = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    struct sigaction action { };
    action.sa_sigaction = onSigbus;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &s_previous);
}

} // namespace

FileMappingGuard::FileMappingGuard(const void* begin, size_t length)
{
    static std::once_flag installed;
    std::call_once(installed, installHandler);
    const auto from = reinterpret_cast<std::uintptr_t>(begin);
    for (int i = 0; i < kSlots; ++i) {
        Slot& slot = s_slots[i];
        bool taken = false;
        if (!slot.taken.compare_exchange_strong(taken, true))
            continue;
        slot.faulted.store(false, std::memory_order_relaxed);
        slot.end.store(from + length, std::memory_order_relaxed);
        slot.begin.store(from, std::memory_order_release); // last: a non-zero begin makes the slot count
        m_slot = i;
        return;
    }
}

FileMappingGuard::FileMappingGuard(FileMappingGuard&& other) noexcept
    : m_slot(std::exchange(other.m_slot, -1))
{
}

FileMappingGuard& FileMappingGuard::operator=(FileMappingGuard&& other) noexcept
{
    if (this != &other) {
        release();
        m_slot = std::exchange(other.m_slot, -1);
    }
    return *this;
}

FileMappingGuard::~FileMappingGuard()
{
    release();
}

void FileMappingGuard::release()
{
    if (m_slot < 0)
        return;
    Slot& slot = s_slots[m_slot];
    slot.begin.store(0, std::memory_order_release);
    slot.end.store(0, std::memory_order_release);
    slot.taken.store(false, std::memory_order_release);
    m_slot = -1;
}

bool FileMappingGuard::caughtFault() const
{
    return m_slot >= 0 && s_slots[m_slot].faulted.load(std::memory_order_acquire);
}

} // namespace tracemap
