#pragma once

#include "model/trace.h"

namespace tracemap {

/// Turns the raw spans of one trace into a well-formed tree, in place and without recursion:
/// - exact duplicates (the same span imported twice) are dropped;
/// - a Zipkin client and server that share a span id become two spans: the server half gets a deterministic id of
///   its own and is placed under its client, and the server-side children follow it (PROTOCOLS.md section 6);
/// - pieces of one span reported separately (Zipkin late data) are merged, the first non-empty value winning;
/// - other spans with the same id are kept and flagged DuplicateSpanId;
/// - spans are sorted by start time, parent links resolved; missing parents flag OrphanSpan, self-parents and
///   cycles are broken (SelfParent, CycleBroken);
/// - depth, children (in start order) and roots are filled.
/// Running it again on an assembled trace, or on one with more spans appended, gives the same result as running
/// it once on all the spans.
class TraceAssembler {
public:
    static void assemble(Trace& trace);

    /// Appends all spans of `from` to `into` (strings re-interned, ranges rebased). Call assemble() afterwards.
    static void append(Trace& into, const Trace& from);

    /// A copy holding only what the spans refer to, laid out in span order: two traces with the same spans have
    /// equal compacted copies, however their arrays grew.
    static Trace compacted(const Trace& trace);
    /// Whether two traces hold the same spans with the same content (layout aside).
    static bool sameContent(const Trace& a, const Trace& b);

    /// The order of spans in an assembled trace: by start; ties by what the span is, not by the order it arrived
    /// in, so a trace assembled from pieces (a split file, live batches) comes out as one read whole: timed spans
    /// before timeless ones placed at the same start (parents first), then by id, then Zipkin halves by kind.
    static bool startsBefore(const Span& a, const Span& b);

    /// Whether a span and its parent point at clocks that disagree (SpanProblem::ClockSkew): a child of another
    /// service starting before its parent or ending after it, as Jaeger's and Zipkin's adjusters see it. A message
    /// consumed after its producer span ended is async work, not skew: there only starting before counts.
    static bool looksSkewed(const Span& span, const Span& parent);

    /// The id a shared Zipkin server half receives: stable for the same client id and server service.
    static SpanId serverHalfId(SpanId sharedId, std::string_view serverService);

private:
    static void splitSharedServerHalves(Trace& trace);
    static bool mergeSameIdSpans(Trace& trace); // true when spans were dropped or merged
    static void sortByStart(Trace& trace);
    static void linkParents(Trace& trace);
};

} // namespace tracemap
