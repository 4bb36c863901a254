#pragma once

#include <QtGlobal>

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tracemap {

/// A text with what ValueCountTable looks it up by: its first 16 bytes (zero-padded) and a 64-bit hash. Both are
/// read with fixed-size loads only (overlapping ones for the tail, as wyhash does), because counting an attribute
/// comparison hashes every value of every span and a variable-length memcpy is a library call.
struct HashedText {
    using Head = std::array<quint64, 2>;
    static constexpr size_t kHeadBytes = 16;

    std::string_view text;
    Head head { 0, 0 };
    quint64 hash = 0;

    static HashedText of(std::string_view text)
    {
        HashedText h;
        h.text = text;
        const char* p = text.data();
        const size_t n = text.size();
        if (n >= 16) {
            h.head = { load64(p), load64(p + 8) };
        } else if (n >= 8) {
            h.head = { load64(p), n == 8 ? 0 : load64(p + n - 8) >> (8 * (16 - n)) };
        } else if (n >= 4) {
            h.head = { load32(p) | ((load32(p + n - 4) >> (8 * (8 - n))) << 32), 0 };
        } else if (n > 0) {
            h.head = { byte(p, 0) | byte(p, n / 2) << (8 * (n / 2)) | byte(p, n - 1) << (8 * (n - 1)), 0 };
        }
        quint64 x = mix(h.head[0] ^ 0xa0761d6478bd642full, h.head[1] ^ n ^ 0xe7037ed1a0b428dbull);
        if (n > 16) {
            size_t i = 16;
            for (; i + 8 <= n; i += 8)
                x = mix(x ^ load64(p + i), 0x8ebc6af09c88c6e3ull);
            if (i < n)
                x = mix(x ^ load64(p + n - 8), 0x589965cc75374cc3ull);
        }
        h.hash = mix(x, 0x1d8e4e27c47d124full);
        return h;
    }

private:
    static quint64 load64(const char* p)
    {
        quint64 w;
        std::memcpy(&w, p, 8);
        return w;
    }
    static quint64 load32(const char* p)
    {
        quint32 w;
        std::memcpy(&w, p, 4);
        return w;
    }
    static quint64 byte(const char* p, size_t i) { return static_cast<unsigned char>(p[i]); }
    // Both halves of the 128-bit product: every input bit reaches the low bits a table indexes by.
    static quint64 mix(quint64 a, quint64 b)
    {
        const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
        return static_cast<quint64>(r) ^ static_cast<quint64>(r >> 64);
    }
};

/// The distinct values of one attribute key with a selection and a baseline count each. An open-addressing index
/// of ids, and per id an entry holding the counts and the first 16 bytes of the text, so that finding a value
/// touches two cache lines (slot, entry) and a third only for texts over 16 bytes. Ids are dense from 0 and stable.
class ValueCountTable {
public:
    ValueCountTable()
        : m_slots(16)
    {
    }

    /// The value's id, or -1 when it is not in the table.
    int find(const HashedText& v) const
    {
        const auto tag = static_cast<quint32>(v.hash >> 32);
        const size_t mask = m_slots.size() - 1;
        for (size_t slot = v.hash & mask; m_slots[slot].id != 0; slot = (slot + 1) & mask) {
            if (m_slots[slot].tag != tag)
                continue;
            const Entry& e = m_entries[m_slots[slot].id - 1];
            if (e.size == v.text.size() && e.head == v.head
                && (v.text.size() <= HashedText::kHeadBytes
                    || std::memcmp(m_chars.data() + e.offset + HashedText::kHeadBytes,
                           v.text.data() + HashedText::kHeadBytes, v.text.size() - HashedText::kHeadBytes)
                        == 0))
                return static_cast<int>(m_slots[slot].id - 1);
        }
        return -1;
    }

    /// Adds a value find() did not find, with zero counts; returns its id.
    int add(const HashedText& v)
    {
        const auto id = static_cast<quint32>(m_entries.size());
        m_entries.push_back(
            { v.head, static_cast<quint32>(m_chars.size()), static_cast<quint32>(v.text.size()), v.hash, { 0, 0 } });
        m_chars.append(v.text);
        place(m_slots, id);
        if (m_entries.size() * 2 > m_slots.size()) {
            std::vector<Slot> slots(m_slots.size() * 2);
            for (quint32 i = 0; i < m_entries.size(); ++i)
                place(slots, i);
            m_slots = std::move(slots);
        }
        return static_cast<int>(id);
    }

    std::string_view text(size_t id) const
    {
        return std::string_view(m_chars).substr(m_entries[id].offset, m_entries[id].size);
    }
    std::array<qint64, 2>& counts(size_t id) { return m_entries[id].counts; }
    const std::array<qint64, 2>& counts(size_t id) const { return m_entries[id].counts; }
    size_t size() const { return m_entries.size(); }

private:
    struct Slot {
        quint32 tag = 0; // high half of the hash, compared before the entry is read
        quint32 id = 0; // id + 1; 0 for an empty slot
    };
    struct Entry {
        HashedText::Head head;
        quint32 offset = 0; // of the text in m_chars (a table holds up to 4 GB of text)
        quint32 size = 0;
        quint64 hash = 0; // for growing without rehashing the text
        std::array<qint64, 2> counts; // selection, baseline
    };

    void place(std::vector<Slot>& slots, quint32 id) const
    {
        const quint64 hash = m_entries[id].hash;
        const size_t mask = slots.size() - 1;
        size_t slot = hash & mask;
        while (slots[slot].id != 0)
            slot = (slot + 1) & mask;
        slots[slot] = { static_cast<quint32>(hash >> 32), id + 1 };
    }

    std::string m_chars;
    std::vector<Entry> m_entries;
    std::vector<Slot> m_slots; // size is a power of two, at most half full
};

} // namespace tracemap
