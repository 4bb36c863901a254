#pragma once

#include "formats/filemappingguard.h"

#include <QString>

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tracemap {

/// The bytes of one input file, mapped rather than read so that a file larger than memory is paged in as the
/// importer walks it. gzip input (recognised by its magic bytes, not the name) is inflated into anonymous
/// memory. Either way at least kPadding zero bytes follow the data, as simdjson requires.
///
/// A file that shrinks while it is mapped (truncated or rewritten by another program) reads as zeros past its new
/// end instead of killing the process with SIGBUS (FileMappingGuard); shrinkError() then says so, and a reader must
/// ask it once done, failed or not: what it read may be cut short, or zeros.
class InputBuffer {
public:
    static constexpr size_t kPadding = 64;

    /// Maps or inflates the file; the error names the file and what went wrong.
    static std::expected<InputBuffer, QString> open(const QString& path);
    /// For tests and in-memory sources: copies the bytes (inflating gzip).
    static std::expected<InputBuffer, QString> fromBytes(std::string_view bytes, const QString& name = {});

    InputBuffer(InputBuffer&& other) noexcept;
    InputBuffer& operator=(InputBuffer&& other) noexcept;
    InputBuffer(const InputBuffer&) = delete;
    InputBuffer& operator=(const InputBuffer&) = delete;
    ~InputBuffer();

    std::string_view bytes() const { return { m_data, m_size }; }
    bool wasCompressed() const { return m_compressed; }
    const QString& name() const { return m_name; }

    /// Tells the OS the bytes before offset will not be read again, so a long import keeps a bounded footprint.
    void releaseBefore(size_t offset);

    /// 1-based line and column of a byte offset, for error messages (correct even after releaseBefore()).
    std::pair<qint64, qint64> lineColumn(size_t offset) const;

    /// Set once the mapped file shrank while it was read (zeros were read in place of its lost bytes; the same for
    /// a page the kernel could not read): "the file shrank while it was read (it is now N bytes; it was M): …".
    /// What the reader made of those bytes is not the file's content, whatever it says.
    std::optional<QString> shrinkError() const;

private:
    InputBuffer() = default;
    static std::expected<InputBuffer, QString> inflate(std::string_view compressed, const QString& name);
    static QString shrunkMessage(size_t now, size_t was);
    /// Reads the file into the mapping (when no guard slot is free).
    std::expected<void, QString> readInto(size_t size);
    void reset();

    const char* m_data = nullptr;
    size_t m_size = 0;
    void* m_mapping = nullptr;
    size_t m_mappingSize = 0;
    size_t m_released = 0;
    qint64 m_releasedLines = 0;
    size_t m_releasedLastNewline = 0;
    bool m_compressed = false;
    QString m_name;
    FileMappingGuard m_guard; // while the file is mapped
    int m_fd = -1; // the mapped file, for its size when it shrank
};

} // namespace tracemap
