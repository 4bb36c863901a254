#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, AddressSanitizer, UndefinedBehaviorSanitizer) and runs each in
# turn, one process at a time, then prints what each did.
#   packaging/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 60); TARGET: jaeger, gzip, … (default all)
# Each target keeps its corpus in BUILD/corpus/TARGET (seeded from the fixtures of its format, tests/crashes/ and
# BUILD/seeds, which fuzz_seeds writes), so later runs continue where earlier ones stopped. A crash, a hang (over
# 120 s, as a busy shared machine can stall a process for half a minute), a leak or a failed check stops the target
# and leaves the input in BUILD/artifacts/TARGET/; minimise it (BUILD/tests/fuzz/fuzz_TARGET -minimize_crash=1
# -runs=10000 FILE), then make it a test (README.md, Development).
# Environment:
#   TRACEMAP_FUZZ_BUILD    build dir (default: build-fuzz; configured on first use, with ccache if present)
#   TRACEMAP_FIXTURES      the trace fixtures (default: ../shared/fixtures next to the source tree)
#   TRACEMAP_BUILD_LOCK    a lock file taken around the build, so that others sharing the machine interleave
#   TRACEMAP_JOBS          build parallelism (default: 2)
#   TRACEMAP_CLANG         clang version suffix (default: 16)
#   TRACEMAP_FUZZ_NO_BUILD 1: run the targets as last built (say, while someone's change keeps the tree from building)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${TRACEMAP_FUZZ_BUILD:-$here/build-fuzz}")
fixtures=${TRACEMAP_FIXTURES:-$here/../shared/fixtures}
lock=${TRACEMAP_BUILD_LOCK:-}
clang=${TRACEMAP_CLANG:-16}
seconds=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi

# Target, -max_len, seed folders (relative to the fixtures, or @seeds/NAME, or @crashes). Inputs stay small so
# that a target runs thousands of times a second; seed files larger than -max_len are left out.
targets=(
    "jaeger 8192 jaeger @crashes"
    "zipkinv1 8192 zipkin-v1"
    "zipkinv2 8192 zipkin-v2"
    "otlpjson 8192 otlp-json"
    "otlpproto 8192 otlp-proto"
    "zipkinproto 8192 @seeds/zipkinproto"
    "dependencylinks 4096 dependencies"
    "recordsplitter 8192 jaeger zipkin-v1 zipkin-v2 otlp-json dependencies @crashes"
    "gzip 4096 @seeds/gzip"
    "tracecodec 16384 @seeds/tracecodec"
)
if [ $# -gt 0 ]; then
    chosen=()
    for name in "$@"; do
        found=
        for t in "${targets[@]}"; do
            [ "${t%% *}" = "$name" ] && chosen+=("$t") && found=1
        done
        [ -n "$found" ] || { echo "fuzz.sh: no target $name (targets: ${targets[*]%% *})" >&2; exit 2; }
    done
    targets=("${chosen[@]}")
fi

with_lock() {
    if [ -n "$lock" ]; then flock "$lock" "$@"; else "$@"; fi
}

if [ "${TRACEMAP_FUZZ_NO_BUILD:-}" = 1 ]; then
    echo "fuzz.sh: TRACEMAP_FUZZ_NO_BUILD=1: running the targets as last built" >&2
else
    if [ ! -f "$build/build.ninja" ]; then
        launcher=()
        if command -v ccache >/dev/null; then
            launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
        fi
        with_lock cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
            -DCMAKE_CXX_COMPILER="clang++-$clang" -DCMAKE_C_COMPILER="clang-$clang" -DTRACEMAP_FUZZ=ON
    fi
    with_lock cmake --build "$build" -j "${TRACEMAP_JOBS:-2}" --target fuzz
fi

# Seeds no fixture provides: Zipkin protobuf, encoded traces, and gzip (one member, and two concatenated).
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds/gzip"
if [ -d "$fixtures" ]; then
    "$build/tests/fuzz/fuzz_seeds" "$fixtures" "$seeds"
    for f in "$fixtures"/jaeger/multiple-root-spans.json "$fixtures"/zipkin-v2/skew.json \
        "$fixtures"/otlp-json/nodejs-file-exporter-multi.jsonl "$fixtures"/otlp-proto/otlp2parquet-trace.pb; do
        [ -f "$f" ] && gzip -9c "$f" >"$seeds/gzip/$(basename "$f").gz"
    done
    if [ -f "$fixtures"/zipkin-v1/sofa-long-service-name.json ]; then
        head -c 500 "$fixtures"/zipkin-v1/sofa-long-service-name.json | gzip -c >"$seeds/gzip/two-members.gz"
        tail -c +501 "$fixtures"/zipkin-v1/sofa-long-service-name.json | gzip -c >>"$seeds/gzip/two-members.gz"
    fi
else
    echo "fuzz.sh: no fixtures at $fixtures (set TRACEMAP_FIXTURES): the targets start from tests/crashes/ alone" >&2
fi

# libFuzzer's own options decide: stop at the first error, report leaks; symbolised stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
logs=$build/logs
mkdir -p "$logs"
summary=()
failed=0
for t in "${targets[@]}"; do
    read -r name maxlen sources <<<"$t"
    corpus=$build/corpus/$name
    artifacts=$build/artifacts/$name
    mkdir -p "$corpus" "$artifacts"
    for source in $sources; do
        case "$source" in
            @crashes) dir=$here/tests/crashes ;;
            @seeds/*) dir=$seeds/${source#@seeds/} ;;
            *) dir=$fixtures/$source ;;
        esac
        [ -d "$dir" ] || continue
        find "$dir" -maxdepth 1 -type f -size -"$((maxlen + 1))"c -exec cp -n -t "$corpus" {} +
    done
    dict=$here/tests/fuzz/$name.dict
    options=(-max_len="$maxlen" -max_total_time="$seconds" -timeout=120 -report_slow_units=120 -rss_limit_mb=4096
        -print_final_stats=1 -artifact_prefix="$artifacts/")
    [ -f "$dict" ] && options+=(-dict="$dict")
    echo "fuzz.sh: fuzz_$name for ${seconds}s (corpus $corpus)"
    status=0
    start=$(date +%s)
    "$build/tests/fuzz/fuzz_$name" "${options[@]}" "$corpus" >"$logs/$name.log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$name.log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$logs/$name.log" | grep -E 'cov: ' | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
    result=ok
    if [ "$status" -ne 0 ]; then
        what=$(grep -m1 -E 'ERROR: |fuzz check failed|runtime error' "$logs/$name.log" || true)
        result="FAILED (exit $status): $what"
        failed=1
    fi
    summary+=("$(printf '%-16s %12s %7s %7s %14s %6ss  %s' "$name" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
        "$elapsed" "$result")")
done

printf '\n%-16s %12s %7s %7s %14s %7s  %s\n' target executions cov ft corpus time result
printf '%s\n' "${summary[@]}"
echo "logs in $logs; inputs that failed in $build/artifacts/TARGET/"
exit $failed
