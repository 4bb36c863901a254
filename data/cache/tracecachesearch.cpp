#include "cache/tracecache.h"

#include "cache/postings.h"
#include "cache/searchterms.h"
#include "cache/sqlitestatement.h"
#include "cache/stagedpostings.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>

// The search side of TraceCache: the search index read back (tracecache.cpp writes it).

namespace tracemap {

using namespace cachedetail;

namespace {

// Above this many candidate traces a search walks the time index instead of fetching each candidate.
constexpr size_t kDirectLookupLimit = 4096;

} // namespace

std::expected<std::vector<TraceSummary>, QString> TraceCache::search(const TraceQuery& query, RootNames names) const
{
    std::vector<qint64> terms;
    const QByteArray service = query.service.toUtf8();
    const QByteArray operation = query.operation.toUtf8();
    if (!service.isEmpty())
        terms.push_back(SearchTerms::service(utf8(service)));
    if (!operation.isEmpty()) {
        terms.push_back(service.isEmpty() ? SearchTerms::anyServiceOperation(utf8(operation))
                                          : SearchTerms::operation(utf8(service), utf8(operation)));
    }
    for (const auto& [key, value] : query.tags)
        terms.push_back(SearchTerms::tag(utf8(key.toUtf8()), utf8(value.toUtf8())));
    if (query.edge)
        terms.push_back(SearchTerms::edge(utf8(query.edge->first.toUtf8()), utf8(query.edge->second.toUtf8())));

    const bool withNames = names == RootNames::With;
    auto summaryAt = [withNames](const SqliteStatement& s, int first) {
        TraceSummary summary;
        summary.traceId = { static_cast<quint64>(s.int64(first)), static_cast<quint64>(s.int64(first + 1)) };
        summary.startNs = s.int64(first + 2);
        summary.durationNs = s.int64(first + 3);
        if (withNames) {
            summary.rootService = qstring(s.text(first + 4));
            summary.rootOperation = qstring(s.text(first + 5));
        }
        summary.spanCount = s.int64(first + 6);
        summary.serviceCount = s.int64(first + 7);
        summary.errorCount = s.int64(first + 8);
        return summary;
    };
    const char* columns = "trace_hi, trace_lo, start_ns, duration_ns, root_service, root_operation, span_count, "
                          "service_count, error_count";
    auto matchesFilters = [&](const TraceSummary& s) {
        return s.durationNs >= query.minDurationNs && s.durationNs <= query.maxDurationNs && s.startNs >= query.sinceNs
            && s.startNs <= query.untilNs;
    };
    const size_t limit = query.limit > 0 ? static_cast<size_t>(query.limit) : std::numeric_limits<size_t>::max();
    std::vector<TraceSummary> results;

    // Newest first through the time index, named: with a duration bound SQLite would otherwise weigh the duration
    // index, and walking that one means sorting everything it finds.
    const std::string byTime = std::string("SELECT row, ") + columns
        + " FROM traces INDEXED BY traces_by_start WHERE start_ns >= ?1 AND start_ns <= ?2 AND duration_ns >= ?3"
          " AND duration_ns <= ?4 ORDER BY start_ns DESC";
    // The summaries of these rows, newest first (rows of deleted traces are skipped), filtered and cut to the limit.
    auto summariesOf = [&](const std::vector<qint64>& rows) -> std::expected<std::vector<TraceSummary>, QString> {
        SqliteStatement s(m_db, std::string("SELECT ") + columns + " FROM traces WHERE row = ?1");
        if (!s.isValid())
            return std::unexpected(lastError());
        std::vector<TraceSummary> found;
        for (qint64 row : rows) {
            s.reset();
            s.bind(1, row);
            if (s.step() == SQLITE_ROW) {
                TraceSummary summary = summaryAt(s, 0);
                if (matchesFilters(summary))
                    found.push_back(std::move(summary));
            }
        }
        std::stable_sort(found.begin(), found.end(),
            [](const TraceSummary& a, const TraceSummary& b) { return a.startNs > b.startNs; });
        if (found.size() > limit)
            found.resize(limit);
        return found;
    };
    // A rare duration: the rows in its range, narrowed to the candidates (if any), the newest `limit` of them.
    auto newestInDurationRange
        = [&](const std::vector<std::pair<qint64, qint64>>& inRange, const std::vector<qint64>* candidates) {
              std::vector<std::pair<qint64, qint64>> kept;
              for (const auto& entry : inRange) {
                  if (!candidates || std::binary_search(candidates->begin(), candidates->end(), entry.second))
                      kept.push_back(entry);
              }
              std::sort(kept.begin(), kept.end(), std::greater<>()); // newest first
              std::vector<qint64> rows;
              for (size_t i = 0; i < kept.size() && rows.size() < limit; ++i)
                  rows.push_back(kept[i].second);
              return summariesOf(rows);
          };

    if (terms.empty() && query.imports.empty() && query.traceIds.empty()) {
        auto inRange = durationRows(query);
        if (!inRange)
            return std::unexpected(inRange.error());
        m_lastSearchPath = *inRange ? SearchPath::DurationIndex : SearchPath::TimeWalk;
        if (*inRange)
            return newestInDurationRange(**inRange, nullptr);
        SqliteStatement s(m_db, byTime + " LIMIT ?5");
        s.bind(1, query.sinceNs);
        s.bind(2, query.untilNs);
        s.bind(3, query.minDurationNs);
        s.bind(4, query.maxDurationNs);
        s.bind(5, query.limit > 0 ? static_cast<qint64>(query.limit) : -1);
        int status;
        while ((status = s.step()) == SQLITE_ROW)
            results.push_back(summaryAt(s, 1));
        if (status != SQLITE_DONE)
            return std::unexpected(lastError());
        return results;
    }

    m_lastSearchPath = SearchPath::Candidates;
    // Candidate rows: the intersection over terms of each term's posting lists (one list per import, in the index
    // or still staged), and with the union of the rows of the imports asked for. One snapshot for all of it: a
    // live batch may fold staged lists into the index meanwhile.
    const SqliteReadTransaction snapshot(m_db);
    SqliteStatement postings(m_db, "SELECT rows FROM postings WHERE term = ?1");
    StagedLookup staged(m_db);
    if (!postings.isValid() || !staged.isValid())
        return std::unexpected(lastError());
    // An unindexed value (longer than SearchTerms::kMaxValueLength) can never match: say so rather than find
    // nothing silently.
    for (const auto& [key, value] : query.tags) {
        if (static_cast<size_t>(value.toUtf8().size()) > SearchTerms::kMaxValueLength)
            return std::unexpected(QStringLiteral("tag values longer than %1 bytes are not indexed (%2)")
                                       .arg(SearchTerms::kMaxValueLength)
                                       .arg(key));
    }
    auto postingRows = [&](const std::vector<qint64>& unitedTerms) {
        std::vector<qint64> rows;
        size_t lists = 0;
        for (qint64 term : unitedTerms) {
            postings.reset();
            postings.bind(1, term);
            while (postings.step() == SQLITE_ROW) {
                decodePostings(postings.blob(0), rows);
                ++lists;
            }
            lists += staged.appendRows(term, rows);
        }
        if (lists > 1) {
            // The segments of one large import come in row order: a term of every trace unites in linear time.
            if (!std::is_sorted(rows.begin(), rows.end()))
                std::sort(rows.begin(), rows.end());
            rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        }
        return rows;
    };
    std::vector<std::vector<qint64>> termGroups; // rows must match every group, and any term of a group
    for (qint64 term : terms)
        termGroups.push_back({ term });
    if (!query.imports.empty()) {
        std::vector<qint64> importTerms;
        for (qint64 id : query.imports)
            importTerms.push_back(SearchTerms::importedBy(id));
        termGroups.push_back(std::move(importTerms));
    }
    std::vector<qint64> candidates;
    bool first = true;
    if (!query.traceIds.empty()) {
        auto rows = rowsOf(query.traceIds);
        if (!rows)
            return std::unexpected(rows.error());
        candidates = std::move(*rows);
        first = false;
        if (candidates.empty())
            return results;
    }
    for (const auto& group : termGroups) {
        std::vector<qint64> rows = postingRows(group);
        candidates = first ? std::move(rows) : intersect(candidates, rows);
        first = false;
        if (candidates.empty())
            return results;
    }

    if (candidates.size() <= kDirectLookupLimit)
        return summariesOf(candidates);
    auto inRange = durationRows(query);
    if (!inRange)
        return std::unexpected(inRange.error());
    m_lastSearchPath = *inRange ? SearchPath::DurationIndex : SearchPath::TimeWalk;
    if (*inRange)
        return newestInDurationRange(**inRange, &candidates);
    // Many candidates: walk traces newest first and keep the candidates, stopping at the limit.
    SqliteStatement s(m_db, byTime);
    s.bind(1, query.sinceNs);
    s.bind(2, query.untilNs);
    s.bind(3, query.minDurationNs);
    s.bind(4, query.maxDurationNs);
    int status = SQLITE_DONE;
    while (results.size() < limit && (status = s.step()) == SQLITE_ROW) {
        if (std::binary_search(candidates.begin(), candidates.end(), s.int64(0)))
            results.push_back(summaryAt(s, 1));
    }
    if (status != SQLITE_DONE && status != SQLITE_ROW)
        return std::unexpected(lastError());
    return results;
}

std::expected<std::optional<std::vector<std::pair<qint64, qint64>>>, QString> TraceCache::durationRows(
    const TraceQuery& query) const
{
    if (query.minDurationNs <= 0 && query.maxDurationNs == std::numeric_limits<qint64>::max())
        return std::nullopt;
    // The time bounds are checked here, not in the SQL: the index orders by duration first, so SQLite would test
    // them entry by entry, and a common duration in a short time window (a heatmap cell) would read the whole
    // duration range before LIMIT counted 20,001 matches. This way at most 20,001 entries are read.
    SqliteStatement s(m_db,
        "SELECT start_ns, row FROM traces INDEXED BY traces_by_duration WHERE duration_ns >= ?1 AND duration_ns <= ?2"
        " LIMIT ?3");
    if (!s.isValid())
        return std::unexpected(lastError());
    s.bind(1, query.minDurationNs);
    s.bind(2, query.maxDurationNs);
    s.bind(3, static_cast<qint64>(kRangeRowsLimit) + 1);
    std::vector<std::pair<qint64, qint64>> rows;
    size_t read = 0;
    int status;
    while ((status = s.step()) == SQLITE_ROW) {
        ++read;
        const qint64 start = s.int64(0);
        if (start >= query.sinceNs && start <= query.untilNs)
            rows.emplace_back(start, s.int64(1));
    }
    if (status != SQLITE_DONE)
        return std::unexpected(lastError());
    if (read > kRangeRowsLimit)
        return std::nullopt;
    return rows;
}

std::expected<std::vector<qint64>, QString> TraceCache::rowsOf(const std::vector<TraceId>& ids) const
{
    // A full id goes through the (trace_hi, trace_lo) index; a 64-bit one matches on trace_lo alone, which has no
    // index of its own: a scan of the summary rows, which is fast enough for a lookup a person types.
    SqliteStatement exact(m_db, "SELECT row FROM traces WHERE trace_hi = ?1 AND trace_lo = ?2");
    SqliteStatement low(m_db, "SELECT row FROM traces WHERE trace_lo = ?1");
    if (!exact.isValid() || !low.isValid())
        return std::unexpected(lastError());
    std::vector<qint64> rows;
    for (const TraceId& id : ids) {
        SqliteStatement& s = id.high != 0 ? exact : low;
        s.reset();
        if (id.high != 0) {
            s.bind(1, static_cast<qint64>(id.high));
            s.bind(2, static_cast<qint64>(id.low));
        } else {
            s.bind(1, static_cast<qint64>(id.low));
        }
        int status;
        while ((status = s.step()) == SQLITE_ROW)
            rows.push_back(s.int64(0));
        if (status != SQLITE_DONE)
            return std::unexpected(lastError());
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

} // namespace tracemap
