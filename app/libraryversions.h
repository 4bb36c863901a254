#pragma once

#include <QString>

#include <utility>
#include <vector>

namespace tracemap {

/// The libraries Tracemap runs with and their versions, as Help ▸ About and `tracemap --version --verbose` list
/// them: a bug report then says which Qt, Graphviz or SQLite drew or stored what it shows. Run-time versions where
/// the library reports one, else the version of the headers it was built with.
std::vector<std::pair<QString, QString>> libraryVersions();

/// "tracemap 0.1.0", the licence, then one line per library: the text of `tracemap --version --verbose`.
QString verboseVersionText();

} // namespace tracemap
