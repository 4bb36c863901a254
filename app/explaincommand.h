#pragma once

#include <QStringList>

namespace tracemap {

/// `tracemap explain`: what is different about a selection of spans (a duration band or the errors) compared with
/// the rest of the scope.
class ExplainCommand {
public:
    static int run(const QStringList& args);
};

} // namespace tracemap
