#pragma once

#include "model/trace.h"

#include <QString>

#include <vector>

namespace tracemap {

/// Which spans a text filter keeps in a span tree: those whose service, operation, span id, or an attribute key or
/// value contains the text (case-insensitive), of the given service if one is given, and every ancestor of those.
/// O(spans), without recursion; each interned name is tested once. A pure function of the trace and the text, so it can
/// run on a worker.
class SpanTextFilter {
public:
    enum Keep : quint8 { Hidden, Ancestor, Match };

    struct Result {
        std::vector<Keep> keep; // per span index; every span is a Match for an empty text
        size_t matchCount = 0;
        size_t keptCount = 0; // matches and their ancestors
    };

    /// `text` is used as given (trimmed by the caller); `service` (a service name, empty for all) narrows the
    /// matches to that service's spans, as the trace tab's service filter does in every pane.
    static Result apply(const Trace& trace, const QString& text, const QString& service = QString());
};

} // namespace tracemap
