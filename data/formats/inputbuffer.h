#pragma once

#include <QString>

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace tracemap {

/// The bytes of one input file, mapped rather than read so that a file larger than memory is paged in as the
/// importer walks it. gzip input (recognised by its magic bytes, not the name) is inflated into anonymous
/// memory. Either way at least kPadding zero bytes follow the data, as simdjson requires.
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

private:
    InputBuffer() = default;
    static std::expected<InputBuffer, QString> inflate(std::string_view compressed, const QString& name);
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
};

} // namespace tracemap
