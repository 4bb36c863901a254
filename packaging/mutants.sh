#!/usr/bin/env bash
# Mutation check of the test suite: does each plausible one-line bug make a test fail?
#   packaging/mutants.sh [FILTER]     run the mutants of packaging/mutants.txt whose file contains FILTER
# For each mutant: the line is changed in place in the source tree, the tests named for it are built
# incrementally in a dedicated build dir and run (each with a timeout), and the file is restored. A mutant is
# "caught" when a test fails (or times out), "survived" when all pass, "stale" when its text is no longer in the
# file, "invalid" when it does not compile. The tests are first run unmutated: they must pass.
# Environment:
#   TRACEMAP_MUTANTS_BUILD   build dir (default: build-mutants; configured on first use, with ccache if present)
#   TRACEMAP_MUTANTS_LIST    the list (default: packaging/mutants.txt; its header says the format)
#   TRACEMAP_MUTANTS_TIMEOUT seconds per test program (default: 300)
#   TRACEMAP_BUILD_LOCK      a lock file taken around each mutant (build + tests), so that others sharing the
#                            machine interleave; unset: no lock
#   TRACEMAP_JOBS            build parallelism (default: 2)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${TRACEMAP_MUTANTS_BUILD:-$here/build-mutants}")
list=${TRACEMAP_MUTANTS_LIST:-$here/packaging/mutants.txt}
timeout_s=${TRACEMAP_MUTANTS_TIMEOUT:-300}
lock=${TRACEMAP_BUILD_LOCK:-}
jobs=${TRACEMAP_JOBS:-2}
filter=${1:-}
export QT_QPA_PLATFORM=offscreen
export TRACEMAP_FIXTURES=${TRACEMAP_FIXTURES:-$here/../shared/fixtures}

files=() tests=() originals=() replacements=()
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    file=${line%% :: *}
    rest=${line#* :: }
    names=${rest%% :: *}
    change=${rest#* :: }
    [ -n "$filter" ] && [[ "$file" != *"$filter"* ]] && continue
    files+=("$file")
    tests+=("${names//,/ }")
    originals+=("${change%% => *}")
    replacements+=("${change#* => }")
done <"$list"
count=${#files[@]}
if [ "$count" -eq 0 ]; then
    echo "mutants.sh: no mutant in $list matches '$filter'" >&2
    exit 2
fi

lock_fd=""
take_lock() {
    if [ -n "$lock" ]; then
        exec {lock_fd}>"$lock"
        flock "$lock_fd"
    fi
}
release_lock() {
    if [ -n "$lock_fd" ]; then
        exec {lock_fd}>&-
        lock_fd=""
    fi
}

if [ ! -f "$build/build.ninja" ]; then
    launcher=()
    if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    fi
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi

# Replaces the one occurrence of $MUTANT_FROM by $MUTANT_TO in the file; exit 3 when it does not occur once.
substitute() {
    MUTANT_FROM=$2 MUTANT_TO=$3 perl -0777 -i -pe '
        my ($from, $to) = ($ENV{MUTANT_FROM}, $ENV{MUTANT_TO});
        my $at = index($_, $from);
        if ($at < 0 || index($_, $from, $at + 1) >= 0) { exit 3; }
        substr($_, $at, length($from)) = $to;' "$1"
}

# Builds the test programs and runs them in order; prints the first that fails, returns 1 then.
build_and_run() {
    local names
    read -ra names <<<"$1"
    local targets=()
    for t in "${names[@]}"; do targets+=(--target "$t"); done
    if ! cmake --build "$build" -j "$jobs" "${targets[@]}" >"$build/mutant-build.log" 2>&1; then
        echo "build"
        return 2
    fi
    for t in "${names[@]}"; do
        local status=0
        (cd "$build/tests" && timeout "$timeout_s" "./$t" >"$build/mutant-$t.log" 2>&1) || status=$?
        if [ "$status" -ne 0 ]; then
            [ "$status" -eq 124 ] && echo "$t (timeout)" || echo "$t"
            return 1
        fi
    done
    return 0
}

backup="$build/mutant-original"
current=""
restore() {
    # A fresh mtime, not the original's: the build must recompile the restored file.
    if [ -n "$current" ]; then
        cat "$backup" >"$here/$current"
        current=""
    fi
}
trap restore EXIT INT TERM

run_one() {
    local i=$1
    local file=${files[$i]}
    cp "$here/$file" "$backup"
    current=$file
    local status=0
    substitute "$here/$file" "${originals[$i]}" "${replacements[$i]}" || status=$?
    if [ "$status" -ne 0 ]; then
        restore
        outcome="stale"
        return 0
    fi
    local failed
    status=0
    failed=$(build_and_run "${tests[$i]}") || status=$?
    restore
    case "$status" in
        0) outcome="survived" ;;
        1) outcome="caught by $failed" ;;
        *) outcome="invalid (does not compile)" ;;
    esac
}

all_tests=$(printf '%s\n' "${tests[@]}" | tr ' ' '\n' | sort -u | tr '\n' ' ')
all_targets=()
for t in $all_tests; do all_targets+=(--target "$t"); done
echo "mutants.sh: $count mutants; baseline run of $all_tests"
baseline=0
take_lock
failed=$(build_and_run "$all_tests") || baseline=$?
release_lock
if [ "$baseline" -ne 0 ]; then
    echo "mutants.sh: the unmutated tests do not pass ($failed); fix that first" >&2
    exit 1
fi

caught=0 survived=0 other=0
survivors=()
for ((i = 0; i < count; ++i)); do
    outcome=""
    take_lock
    run_one "$i"
    release_lock
    printf '%2d/%d %-34s %s\n      %s => %s\n' $((i + 1)) "$count" "${files[$i]}" "$outcome" "${originals[$i]}" \
        "${replacements[$i]}"
    case "$outcome" in
        caught*) caught=$((caught + 1)) ;;
        survived)
            survived=$((survived + 1))
            survivors+=("${files[$i]}: ${originals[$i]} => ${replacements[$i]}")
            ;;
        *) other=$((other + 1)) ;;
    esac
done

# Leave the build dir matching the sources again.
take_lock
cmake --build "$build" -j "$jobs" "${all_targets[@]}" >/dev/null 2>&1 || true
release_lock

judged=$((caught + survived))
echo
echo "mutants.sh: caught $caught of $judged ($((judged ? 100 * caught / judged : 0)) %); $other stale or invalid"
for s in "${survivors[@]}"; do
    echo "  survived: $s"
done
