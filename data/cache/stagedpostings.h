#pragma once

// Internal to the cache (tracecache.cpp stages and folds, tracecachesearch.cpp reads the staging too).

#include <QString>
#include <QtGlobal>

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;

namespace tracemap {
class SqliteStatement;
}

namespace tracemap::cachedetail {

/// A term's posting list as the writer encodes it (encodePostings).
using EncodedPostings = std::pair<qint64, std::string>;

/// The posting lists of live batches on their way into `postings`.
///
/// A live writer commits one small transaction per batch. Written into `postings` one row per term, a batch's few
/// thousand lists would cost a few thousand SQL inserts, on as many random pages of that B-tree (its key starts
/// with the term, a hash), and every commit would write each page it touched to the WAL again: 2-3 KB per span,
/// and more as the cache grows. So a batch stages its lists in `staged_postings` as one blob per slice of the term
/// space (kSlices of them, each a sorted run of lists), keyed by import id * kSlices + slice: a hundred rows
/// appended at the right edge of the table. Once the staging holds more bytes than its limit, one slice at a time
/// moves into `postings`: the lists of every staged import for that slice, sorted, with the lists of one term
/// joined into one row, land side by side on few pages. The limit grows with the cache, so a list moves once at
/// the cost of about (postings bytes / limit) of WAL. A live writer folds while it waits for requests (foldSlice,
/// in a transaction of its own); a batch folds a slice itself only past twice the limit, when the writer never
/// waits.
///
/// A list is in exactly one of the two tables at every commit, so a search reads both in one read transaction.
class StagedPostings {
public:
    static constexpr int kSliceBits = 7;
    static constexpr qint64 kSlices = qint64(1) << kSliceBits;
    /// The fewest staged bytes that start folding (about 50 batches of 1,000 spans).
    static constexpr qint64 kMinimumLimit = qint64(4) << 20;
    /// The staging may hold this fraction of the database: the bigger, the less a fold rewrites per list it moves,
    /// and the more staged blobs a search reads.
    static constexpr qint64 kDatabaseShare = 16;

    explicit StagedPostings(sqlite3* db);

    /// In a batch's transaction: stages its posting lists (sorted by term) under its import id, and folds one
    /// slice when the staging holds more than twice the limit.
    std::expected<void, QString> stage(qint64 importId, const std::vector<EncodedPostings>& lists);
    /// Whether the staging holds more bytes than the limit.
    std::expected<bool, QString> wantsFold();
    /// In a write transaction: moves the next slice of the staging into the index.
    std::expected<void, QString> foldSlice();

    /// Folding starts above max(kMinimumLimit, the database / kDatabaseShare), or above `bytes` once set: tests
    /// fold small caches with it.
    void setFixedLimit(qint64 bytes) { m_fixedLimit = bytes; }
    /// After a rollback or after the cache was emptied: measure the staging again when next needed.
    void forgetSize() { m_bytes.reset(); }

    static int sliceOf(qint64 term);

private:
    std::expected<qint64, QString> stagedBytes();
    std::expected<qint64, QString> limit() const;

    sqlite3* m_db;
    std::optional<qint64> m_bytes; // staged entry bytes as this connection counts them; measured on first use
    qint64 m_nextSlice = 0;
    std::optional<qint64> m_fixedLimit;
};

/// The staged side of a search: every staged import's blob for a term's slice, searched for the term.
class StagedLookup {
public:
    explicit StagedLookup(sqlite3* db);
    ~StagedLookup();
    bool isValid() const { return m_valid; }
    /// Appends the rows of every staged list of `term`; returns how many lists it found.
    size_t appendRows(qint64 term, std::vector<qint64>& rows);

private:
    std::vector<qint64> m_imports; // with staged lists, ascending
    std::unique_ptr<SqliteStatement> m_select;
    bool m_valid = false;
};

} // namespace tracemap::cachedetail
