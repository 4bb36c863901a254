#!/usr/bin/env bash
# Renders the dependency graph of Tracemap's own libraries, as CMake sees them (cmake --graphviz), to
# docs/dependencies.svg. Needs Graphviz's `dot` program (Debian: apt-get install graphviz); it is a documentation
# tool here, the app never runs it. Tests, benchmarks and third-party libraries are left out so the graph stays
# readable. FORMAT=png OUTPUT=/tmp/deps.png renders elsewhere, to look at it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/CMakeGraphVizOptions.cmake" <<'OPTIONS'
set(GRAPHVIZ_GRAPH_NAME "Tracemap libraries")
set(GRAPHVIZ_EXTERNAL_LIBS FALSE)
set(GRAPHVIZ_GENERATE_PER_TARGET FALSE)
set(GRAPHVIZ_GENERATE_DEPENDERS FALSE)
set(GRAPHVIZ_IGNORE_TARGETS "^tst_" "^bench_" "_autogen" "_other_files$" "_resources_[0-9]+$")
OPTIONS
cmake -S "$root" -B "$work" -G Ninja --graphviz="$work/graph.dot" >/dev/null
# Left to right, lowest library at the right.
sed 's/^digraph "\(.*\)" {/digraph "\1" {\n  rankdir = "LR";\n  node [fontname = "sans-serif"];/' "$work/graph.dot" \
    | dot -T"${FORMAT:-svg}" -o "${OUTPUT:-$root/docs/dependencies.svg}"
echo "wrote ${OUTPUT:-$root/docs/dependencies.svg}"
