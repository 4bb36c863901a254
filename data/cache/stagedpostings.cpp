#include "cache/stagedpostings.h"

#include "cache/postings.h"
#include "cache/sqlitestatement.h"

#include <algorithm>

namespace tracemap::cachedetail {

namespace {

QString errorOf(sqlite3* db)
{
    return QString::fromUtf8(sqlite3_errmsg(db));
}

qint64 keyOf(qint64 importId, qint64 slice)
{
    return importId * StagedPostings::kSlices + slice;
}

// A slice blob: per list, the term (8 bytes, little-endian), the list's length (varint), the list; sorted by term.
void appendEntry(std::string& out, qint64 term, std::string_view list)
{
    quint64 t = static_cast<quint64>(term);
    for (int i = 0; i < 8; ++i, t >>= 8)
        out.push_back(static_cast<char>(t & 0xff));
    appendVarint(out, list.size());
    out.append(list);
}

// Calls visit(term, list) for each entry of a slice blob; stops at a damaged entry rather than read past the end.
template <typename Visit> void forEachEntry(std::string_view blob, Visit visit)
{
    size_t at = 0;
    while (blob.size() - at >= 9) {
        quint64 term = 0;
        for (int i = 7; i >= 0; --i)
            term = (term << 8) | static_cast<unsigned char>(blob[at + static_cast<size_t>(i)]);
        at += 8;
        quint64 size = 0;
        if (!readVarint(blob, at, size) || size > blob.size() - at)
            return;
        if (!visit(static_cast<qint64>(term), blob.substr(at, size)))
            return;
        at += size;
    }
}

// The imports with lists in the staging, ascending: a skip scan by hand, one seek per import.
std::expected<std::vector<qint64>, QString> stagedImports(sqlite3* db)
{
    SqliteStatement next(db, "SELECT id FROM staged_postings WHERE id >= ?1 ORDER BY id LIMIT 1");
    if (!next.isValid())
        return std::unexpected(errorOf(db));
    std::vector<qint64> imports;
    qint64 from = 0;
    for (;;) {
        next.reset();
        next.bind(1, from);
        const int status = next.step();
        if (status == SQLITE_DONE)
            return imports;
        if (status != SQLITE_ROW)
            return std::unexpected(errorOf(db));
        imports.push_back(next.int64(0) / StagedPostings::kSlices);
        from = keyOf(imports.back() + 1, 0);
    }
}

} // namespace

int StagedPostings::sliceOf(qint64 term)
{
    // The top bits: in a run of terms sorted as signed numbers, each slice's terms are contiguous.
    return static_cast<int>(static_cast<quint64>(term) >> (64 - kSliceBits));
}

StagedPostings::StagedPostings(sqlite3* db)
    : m_db(db)
{
}

std::expected<qint64, QString> StagedPostings::stagedBytes()
{
    if (!m_bytes) {
        // length() of a blob reads its header, not its overflow pages.
        SqliteStatement sum(m_db, "SELECT coalesce(sum(length(entries)), 0) FROM staged_postings");
        if (sum.step() != SQLITE_ROW)
            return std::unexpected(errorOf(m_db));
        m_bytes = sum.int64(0);
    }
    return *m_bytes;
}

std::expected<qint64, QString> StagedPostings::limit() const
{
    if (m_fixedLimit)
        return *m_fixedLimit;
    SqliteStatement size(m_db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    if (size.step() != SQLITE_ROW)
        return std::unexpected(errorOf(m_db));
    return std::max(kMinimumLimit, size.int64(0) / kDatabaseShare);
}

std::expected<void, QString> StagedPostings::stage(qint64 importId, const std::vector<EncodedPostings>& lists)
{
    auto staged = stagedBytes();
    if (!staged)
        return std::unexpected(staged.error());
    SqliteStatement insert(m_db, "INSERT INTO staged_postings(id, entries) VALUES (?1, ?2)");
    std::string blob;
    for (size_t i = 0; i < lists.size();) {
        const int slice = sliceOf(lists[i].first);
        blob.clear();
        for (; i < lists.size() && sliceOf(lists[i].first) == slice; ++i)
            appendEntry(blob, lists[i].first, lists[i].second);
        insert.reset();
        insert.bind(1, keyOf(importId, slice));
        insert.bindBlob(2, blob);
        const int status = insert.step();
        insert.reset(); // the binding points into `blob`
        if (status != SQLITE_DONE)
            return std::unexpected(errorOf(m_db));
        *m_bytes += static_cast<qint64>(blob.size());
    }
    const auto most = limit();
    if (!most)
        return std::unexpected(most.error());
    return *m_bytes > 2 * *most ? foldSlice() : std::expected<void, QString>();
}

std::expected<bool, QString> StagedPostings::wantsFold()
{
    const auto staged = stagedBytes();
    if (!staged)
        return std::unexpected(staged.error());
    const auto most = limit();
    if (!most)
        return std::unexpected(most.error());
    return *staged > *most;
}

std::expected<void, QString> StagedPostings::foldSlice()
{
    auto staged = stagedBytes();
    if (!staged)
        return std::unexpected(staged.error());
    const auto imports = stagedImports(m_db);
    if (!imports)
        return std::unexpected(imports.error());
    const qint64 slice = m_nextSlice;
    SqliteStatement select(m_db, "SELECT entries FROM staged_postings WHERE id = ?1");
    SqliteStatement remove(m_db, "DELETE FROM staged_postings WHERE id = ?1");
    struct Entry {
        qint64 term;
        qint64 importId;
        std::vector<qint64> rows;
    };
    std::vector<Entry> entries;
    for (qint64 importId : *imports) {
        select.reset();
        select.bind(1, keyOf(importId, slice));
        const int status = select.step();
        if (status == SQLITE_DONE)
            continue;
        if (status != SQLITE_ROW)
            return std::unexpected(errorOf(m_db));
        const std::string_view blob = select.blob(0);
        forEachEntry(blob, [&](qint64 term, std::string_view list) {
            Entry& entry = entries.emplace_back(Entry { term, importId, {} });
            decodePostings(list, entry.rows);
            return true;
        });
        *m_bytes -= static_cast<qint64>(blob.size());
        select.reset();
        remove.reset();
        remove.bind(1, keyOf(importId, slice));
        if (remove.step() != SQLITE_DONE)
            return std::unexpected(errorOf(m_db));
    }
    // In the index's order; a term's lists from several imports become one row, under the newest of them (no row
    // of the index has that key: that import's list for the term was staged until now).
    std::ranges::sort(entries, [](const Entry& a, const Entry& b) { return a.term < b.term; });
    SqliteStatement insert(m_db, "INSERT OR REPLACE INTO postings(term, import_id, rows) VALUES (?1, ?2, ?3)");
    std::vector<qint64> rows;
    for (size_t i = 0; i < entries.size();) {
        const qint64 term = entries[i].term;
        rows.clear();
        qint64 newest = 0;
        const size_t first = i;
        for (; i < entries.size() && entries[i].term == term; ++i) {
            rows.insert(rows.end(), entries[i].rows.begin(), entries[i].rows.end());
            newest = std::max(newest, entries[i].importId);
        }
        if (i - first > 1) { // a merged trace keeps its row: a later import may list an earlier row
            std::ranges::sort(rows);
            rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        }
        const std::string encoded = encodePostings(rows);
        insert.reset();
        insert.bind(1, term);
        insert.bind(2, newest);
        insert.bindBlob(3, encoded);
        const int status = insert.step();
        insert.reset();
        if (status != SQLITE_DONE)
            return std::unexpected(errorOf(m_db));
    }
    m_nextSlice = (slice + 1) % kSlices;
    // Another connection may have staged or folded meanwhile: measure again once per round of the slices, so that
    // a count too high cannot keep an idle writer folding empty slices.
    if (m_nextSlice == 0)
        m_bytes.reset();
    else
        m_bytes = std::max<qint64>(*m_bytes, 0);
    return {};
}

StagedLookup::StagedLookup(sqlite3* db)
    : m_select(std::make_unique<SqliteStatement>(db, "SELECT entries FROM staged_postings WHERE id = ?1"))
{
    auto imports = stagedImports(db);
    m_valid = imports && m_select->isValid();
    if (imports)
        m_imports = std::move(*imports);
}

StagedLookup::~StagedLookup() = default;

size_t StagedLookup::appendRows(qint64 term, std::vector<qint64>& rows)
{
    const int slice = StagedPostings::sliceOf(term);
    size_t lists = 0;
    for (qint64 importId : m_imports) {
        m_select->reset();
        m_select->bind(1, keyOf(importId, slice));
        if (m_select->step() != SQLITE_ROW)
            continue;
        forEachEntry(m_select->blob(0), [&](qint64 entryTerm, std::string_view list) {
            if (entryTerm < term)
                return true;
            if (entryTerm == term) {
                decodePostings(list, rows);
                ++lists;
            }
            return false; // sorted: past the term
        });
    }
    m_select->reset();
    return lists;
}

} // namespace tracemap::cachedetail
