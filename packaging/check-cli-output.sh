#!/usr/bin/env bash
# Runs a fixed list of tracemap commands on the shared fixtures with a fresh cache and writes what they print
# (stdout, stderr, exit code) and the sha256 of the files they write to one report. Run it with the binary before and
# after a change that must not alter behaviour, and diff the two reports:
#   packaging/check-cli-output.sh build-before/app/tracemap /tmp/before.txt
#   packaging/check-cli-output.sh build/app/tracemap /tmp/after.txt
#   diff /tmp/before.txt /tmp/after.txt
# The temporary folder's path is replaced by "$TMP" in the report, so two runs compare equal.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 TRACEMAP_BINARY REPORT" >&2
    exit 2
fi
binary=$(realpath "$1")
report=$2
fixtures=${TRACEMAP_FIXTURES:-$(dirname "$(realpath "$0")")/../../shared/fixtures}
fixtures=$(realpath "$fixtures")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=$work/cache.sqlite
export QT_QPA_PLATFORM=offscreen
# No user settings or caches leak in.
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME"
cd "$work"

: >"$report"
# run [faketime TIME] ARGS...: runs the binary with ARGS (under faketime when asked) and records what it printed.
run() {
    local status=0 prefix=()
    if [[ $1 == faketime ]]; then
        prefix=("$1" "$2")
        shift 2
    fi
    "${prefix[@]}" "$binary" "$@" >"$work/out" 2>"$work/err" || status=$?
    {
        echo "=== tracemap $*" | sed "s|$work|\$TMP|g; s|$fixtures|\$FIXTURES|g"
        echo "--- exit $status"
        echo "--- stdout"
        sed "s|$work|\$TMP|g" "$work/out"
        echo "--- stderr"
        sed "s|$work|\$TMP|g" "$work/err"
    } >>"$report"
}
checksum() {
    for f in "$@"; do
        if [[ -f $f ]]; then
            echo "sha256 $(basename "$f") $(sha256sum <"$f" | cut -d' ' -f1)" >>"$report"
        else
            echo "missing $(basename "$f")" >>"$report"
        fi
    done
}

mapfile -t traceFiles < <(find "$fixtures/jaeger" "$fixtures/otlp-json" "$fixtures/otlp-proto" "$fixtures/zipkin-v1" \
    "$fixtures/zipkin-v2" -type f | LC_ALL=C sort)

# help texts, and wrong usage
run --help
for command in import search stats generate topology screenshot; do
    run "$command" --help
done
run frobnicate
run search --limit many
run generate --traces 5

# import: every trace fixture, then one that is not a trace file (an error message).
run import --cache "$cache" "${traceFiles[@]}"
run import --cache "$cache" "$fixtures/chrome/catapult-simple-trace.json"
run import --cache "$cache" "$fixtures/zipkin-v2/yelp.json"

# search
run search --cache "$cache"
run search --cache "$cache" --limit 0
run search --cache "$cache" --limit 0 --json
run search --cache "$cache" --service frontend --limit 0
run search --cache "$cache" --service frontend --operation HTTP GET /dispatch
run search --cache "$cache" --tag error=true --limit 0
run search --cache "$cache" --min-duration 100ms --max-duration 10s --limit 0
run search --cache "$cache" --trace-id 1234
run search --cache "$cache" --since 2000-01-01T00:00:00Z --until 2030-01-01T00:00:00Z --limit 5

# stats
run stats --cache "$cache"
run stats --cache "$cache" --json
run stats "$fixtures/zipkin-v2/smartthings-mobile-web-install.json" "$fixtures/otlp-json/jaeger-apiv3-hotrod-gettrace.json"
run stats --json "$fixtures/zipkin-v2/yelp.json"

# topology: the cache, trace files, dependency links, in every text format and PNG
for out in svg json dot png; do
    run topology --cache "$cache" -o "$work/cache.$out"
    checksum "$work/cache.$out"
done
run topology "$fixtures/otlp-json/jaeger-apiv3-hotrod-gettrace.json" -o "$work/hotrod.svg"
run topology --service frontend --hops 1 "$fixtures/otlp-json/jaeger-apiv3-hotrod-gettrace.json" -o "$work/hotrod.json"
run topology "$fixtures/dependencies/jaeger-ui-large-dag.json" -o "$work/dag.json"
run topology --engine neato "$fixtures/dependencies/jaeger-ui-small-dag.json" -o "$work/small.svg"
checksum "$work/hotrod.svg" "$work/hotrod.json" "$work/dag.json" "$work/small.svg"

# generate
for format in jaeger zipkin otlp-json otlp-proto; do
    run generate --traces 20 --spans-per-trace 15 --services 6 --format "$format" --seed 7 -o "$work/gen-$format"
    checksum "$work/gen-$format"
done

# screenshot: each view, on a real capture. The search form shows the clock (From/To, to the minute), so the
# screenshots run at a fixed time when libfaketime's `faketime` is installed (Debian: apt-get install faketime);
# without it, two runs compare equal only within the same minute, and the report says so.
if command -v faketime >/dev/null; then
    clock=(faketime "2026-11-29 10:00:00")
else
    clock=()
    echo "note: faketime not installed; the screenshots show the current minute" >>"$report"
fi
for view in start search trace topology flamegraph; do
    run "${clock[@]}" screenshot --view "$view" --size 1200x800 -o "$work/shot-$view.png" \
        "$fixtures/otlp-json/jaeger-apiv3-hotrod-gettrace.json" "$fixtures/zipkin-v2/yelp.json"
    checksum "$work/shot-$view.png"
done
echo "wrote $report"
