#include "formats/inputbuffer.h"

#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace tracemap {

namespace {

size_t pageSize()
{
    static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

size_t roundUpToPage(size_t n)
{
    return (n + pageSize() - 1) / pageSize() * pageSize();
}

bool isGzip(std::string_view bytes)
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f
        && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

InputBuffer::InputBuffer(InputBuffer&& other) noexcept
{
    *this = std::move(other);
}

InputBuffer& InputBuffer::operator=(InputBuffer&& other) noexcept
{
    if (this != &other) {
        reset();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mapping = std::exchange(other.m_mapping, nullptr);
        m_mappingSize = std::exchange(other.m_mappingSize, 0);
        m_released = std::exchange(other.m_released, 0);
        m_releasedLines = std::exchange(other.m_releasedLines, 0);
        m_releasedLastNewline = std::exchange(other.m_releasedLastNewline, 0);
        m_compressed = other.m_compressed;
        m_name = std::move(other.m_name);
        m_guard = std::move(other.m_guard);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

InputBuffer::~InputBuffer()
{
    reset();
}

void InputBuffer::reset()
{
    m_guard = FileMappingGuard(); // before the unmapping: the range is no longer ours to map zeros into
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    if (m_mapping)
        munmap(m_mapping, m_mappingSize);
    m_mapping = nullptr;
    m_mappingSize = 0;
    m_data = nullptr;
    m_size = 0;
}

std::expected<InputBuffer, QString> InputBuffer::open(const QString& path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::unexpected(QStringLiteral("cannot open: %1").arg(errnoText()));
    struct stat info { };
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return std::unexpected(QStringLiteral("not a regular file"));
    }
    const auto size = static_cast<size_t>(info.st_size);
    InputBuffer buffer;
    buffer.m_name = path;
    buffer.m_fd = fd;
    // An anonymous mapping one page longer than the file, with the file mapped over its start: the bytes past
    // the end of the file are zero and readable, which gives simdjson its padding without copying the file.
    buffer.m_mappingSize = roundUpToPage(size + kPadding) + pageSize();
    buffer.m_mapping = mmap(nullptr, buffer.m_mappingSize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer.m_mapping == MAP_FAILED) {
        buffer.m_mapping = nullptr;
        return std::unexpected(QStringLiteral("cannot map %1 bytes: %2").arg(size).arg(errnoText()));
    }
    // Mapped, not read, even though another program may cut the file short meanwhile: reading it whole would cost
    // its size in memory (a 680 MB file imports in 240 MB), and reading it in pieces would cost a copy of every
    // byte and records that cross the pieces. The guard turns the SIGBUS of a shrunk file into zeros and an error
    // (shrinkError()); only when all its slots are taken is the file read instead.
    buffer.m_guard = FileMappingGuard(buffer.m_mapping, roundUpToPage(size));
    if (size > 0 && !buffer.m_guard.isActive()) {
        if (auto read = buffer.readInto(size); !read)
            return std::unexpected(read.error());
    } else if (size > 0 && mmap(buffer.m_mapping, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
        return std::unexpected(QStringLiteral("cannot map the file: %1").arg(errnoText()));
    }
    madvise(buffer.m_mapping, size, MADV_SEQUENTIAL);
    buffer.m_data = static_cast<const char*>(buffer.m_mapping);
    buffer.m_size = size;
    if (isGzip(buffer.bytes())) {
        auto inflated = inflate(buffer.bytes(), path);
        if (auto shrank = buffer.shrinkError())
            return std::unexpected(*shrank);
        return inflated;
    }
    return buffer;
}

std::expected<void, QString> InputBuffer::readInto(size_t size)
{
    if (mprotect(m_mapping, size, PROT_READ | PROT_WRITE) != 0)
        return std::unexpected(QStringLiteral("cannot read the file: %1").arg(errnoText()));
    size_t done = 0;
    while (done < size) {
        const ssize_t n = pread(m_fd, static_cast<char*>(m_mapping) + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return std::unexpected(QStringLiteral("cannot read the file: %1").arg(errnoText()));
        if (n == 0)
            return std::unexpected(shrunkMessage(done, size));
        done += static_cast<size_t>(n);
    }
    mprotect(m_mapping, size, PROT_READ);
    return {};
}

QString InputBuffer::shrunkMessage(size_t now, size_t was)
{
    return QStringLiteral("the file shrank while it was read (it is now %1 bytes; it was %2): it is truncated, or "
                          "was rewritten meanwhile")
        .arg(now)
        .arg(was);
}

std::optional<QString> InputBuffer::shrinkError() const
{
    if (!m_guard.caughtFault())
        return std::nullopt;
    struct stat info { };
    if (m_fd >= 0 && fstat(m_fd, &info) == 0 && static_cast<size_t>(info.st_size) < m_size)
        return shrunkMessage(static_cast<size_t>(info.st_size), m_size);
    return QStringLiteral("the file could not be read whole (an I/O error while it was read, or it was cut short "
                          "and grew again)");
}

std::expected<InputBuffer, QString> InputBuffer::fromBytes(std::string_view bytes, const QString& name)
{
    if (isGzip(bytes))
        return inflate(bytes, name);
    InputBuffer buffer;
    buffer.m_name = name;
    buffer.m_mappingSize = roundUpToPage(bytes.size() + kPadding);
    buffer.m_mapping = mmap(nullptr, buffer.m_mappingSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer.m_mapping == MAP_FAILED) {
        buffer.m_mapping = nullptr;
        return std::unexpected(QStringLiteral("out of memory"));
    }
    if (!bytes.empty())
        std::memcpy(buffer.m_mapping, bytes.data(), bytes.size());
    buffer.m_data = static_cast<const char*>(buffer.m_mapping);
    buffer.m_size = bytes.size();
    return buffer;
}

std::expected<InputBuffer, QString> InputBuffer::inflate(std::string_view compressed, const QString& name)
{
    InputBuffer out;
    out.m_name = name;
    out.m_compressed = true;
    // Anonymous memory grown with mremap: no copy and no doubled peak while the output grows.
    size_t capacity = roundUpToPage(std::max<size_t>(compressed.size() * 4, 1 << 20) + kPadding);
    void* memory = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        return std::unexpected(QStringLiteral("out of memory while inflating gzip data"));
    out.m_mapping = memory;
    out.m_mappingSize = capacity;

    z_stream stream {};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        return std::unexpected(QStringLiteral("cannot initialise zlib"));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    size_t produced = 0;
    size_t consumed = 0;
    for (;;) {
        if (capacity - produced < kPadding + (1 << 16)) {
            // A gzip bomb must fail with a message, not get the process killed for memory.
            static const size_t limit = static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) * pageSize();
            if (capacity >= limit) {
                inflateEnd(&stream);
                return std::unexpected(
                    QStringLiteral("gzip data inflates to more than this machine's memory (%1 MB "
                                   "so far, from %2 compressed bytes); decompress it to a file first")
                        .arg(produced >> 20)
                        .arg(consumed));
            }
            const size_t grown = std::min(capacity * 2, limit);
            void* moved = mremap(out.m_mapping, capacity, grown, MREMAP_MAYMOVE);
            if (moved == MAP_FAILED) {
                inflateEnd(&stream);
                return std::unexpected(QStringLiteral("out of memory while inflating gzip data"));
            }
            out.m_mapping = moved;
            out.m_mappingSize = capacity = grown;
        }
        const size_t inChunk = std::min<size_t>(compressed.size() - consumed, 1u << 30);
        const size_t outChunk = std::min<size_t>(capacity - produced - kPadding, 1u << 30);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
        stream.avail_in = static_cast<uInt>(inChunk);
        stream.next_out = static_cast<Bytef*>(out.m_mapping) + produced;
        stream.avail_out = static_cast<uInt>(outChunk);
        const int status = ::inflate(&stream, Z_NO_FLUSH);
        consumed += inChunk - stream.avail_in;
        produced += outChunk - stream.avail_out;
        if (status == Z_STREAM_END) {
            // Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream to gunzip.
            if (consumed < compressed.size() && isGzip(compressed.substr(consumed))) {
                inflateReset(&stream);
                continue;
            }
            break;
        }
        if (status != Z_OK && status != Z_BUF_ERROR) {
            const QString reason = QString::fromLatin1(stream.msg ? stream.msg : "corrupt data");
            inflateEnd(&stream);
            return std::unexpected(
                QStringLiteral("gzip data is corrupt near compressed byte %1: %2").arg(consumed).arg(reason));
        }
        if (status == Z_BUF_ERROR && consumed >= compressed.size()) {
            inflateEnd(&stream);
            return std::unexpected(
                QStringLiteral("gzip data is truncated after %1 compressed bytes (%2 bytes inflated)")
                    .arg(consumed)
                    .arg(produced));
        }
    }
    inflateEnd(&stream);
    std::memset(static_cast<char*>(out.m_mapping) + produced, 0, kPadding);
    out.m_data = static_cast<const char*>(out.m_mapping);
    out.m_size = produced;
    return out;
}

void InputBuffer::releaseBefore(size_t offset)
{
    const size_t end = offset / pageSize() * pageSize();
    if (!m_mapping || end <= m_released)
        return;
    if (m_compressed) {
        // Released anonymous pages read back as zeros, so remember the lines they held for lineColumn(). A file
        // mapping needs no bookkeeping: its pages come back from the file when an error message reads them.
        const std::string_view released = bytes().substr(m_released, end - m_released);
        m_releasedLines += std::count(released.begin(), released.end(), '\n');
        if (const size_t last = released.rfind('\n'); last != std::string_view::npos)
            m_releasedLastNewline = m_released + last + 1;
    }
    madvise(static_cast<char*>(m_mapping) + m_released, end - m_released, MADV_DONTNEED);
    m_released = end;
}

} // namespace tracemap

namespace tracemap {

std::pair<qint64, qint64> InputBuffer::lineColumn(size_t offset) const
{
    offset = std::min(offset, m_size);
    const size_t from = m_compressed ? std::min(m_released, offset) : 0;
    const std::string_view scanned = bytes().substr(from, offset - from);
    const qint64 line = 1 + m_releasedLines + std::count(scanned.begin(), scanned.end(), '\n');
    const size_t lastNewline = scanned.rfind('\n');
    const size_t lineStart
        = lastNewline == std::string_view::npos ? std::max(m_releasedLastNewline, size_t(0)) : from + lastNewline + 1;
    return { line, static_cast<qint64>(offset - std::min(lineStart, offset)) + 1 };
}

} // namespace tracemap
