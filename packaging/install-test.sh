#!/usr/bin/env bash
# The Debian package as a user gets it: installs it (with apt, which brings its dependencies), runs the installed
# program from a folder outside the source tree, checks the desktop entry, metainfo, man page, completion and MIME
# types, runs lintian, then removes the package and checks that nothing of it is left. Needs root; CI runs it
# through `packaging/dev.sh install-test`.
#   packaging/install-test.sh tracemap_VERSION_amd64.deb
set -euo pipefail

deb=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=$(realpath "${TRACEMAP_FIXTURES:-$here/../shared/fixtures}")
app_id=io.github.tracemap.Tracemap
version=$(dpkg-deb -f "$deb" Version)
work=$(mktemp -d /tmp/tracemap-install-test.XXXXXX)
installed_here=false
# On any exit: the package this run installed goes again (a failed run must not block the next), then the folder.
cleanup() {
    if $installed_here && dpkg -s tracemap >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq tracemap >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # nothing below may find the source or build tree by accident
export HOME=$work/home XDG_CACHE_HOME=$work/home/.cache XDG_CONFIG_HOME=$work/home/.config
mkdir -p "$HOME"

step() { echo "install-test: $*"; }
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }

if dpkg -s tracemap >/dev/null 2>&1; then
    fail "tracemap is installed already; remove it first (apt-get purge tracemap)"
fi

step "lintian $(basename "$deb")"
lintian_out=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges' || true)
[ -n "$lintian_out" ] && echo "$lintian_out"
if grep -q '^E:' <<<"$lintian_out"; then fail "lintian reports errors"; fi

step "apt-get install $(basename "$deb")"
installed_here=true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
mapfile -t files < <(dpkg -L tracemap)

step "the installed program"
[ "$(command -v tracemap)" = /usr/bin/tracemap ] || fail "tracemap is not /usr/bin/tracemap"
[ "$(tracemap --version)" = "tracemap $version" ] || fail "tracemap --version: $(tracemap --version)"
verbose=$(tracemap --version --verbose)
for library in Qt Graphviz SQLite QCustomPlot simdjson protobuf; do
    grep -q "^$library [0-9]" <<<"$verbose" || fail "tracemap --version --verbose names no $library version"
done
# (No `grep -q` after a pipe in this script: it stops reading at the first match, and with pipefail the writer's
# SIGPIPE turns the match into a failure. Outputs go into variables first.)
program_strings=$(strings /usr/bin/tracemap)
if grep -qF "$here" <<<"$program_strings"; then
    fail "the program names the source tree ($here)"
fi

step "import a fixture and the bundled sample, then search"
tracemap import --cache "$work/cache.sqlite" "$fixtures/jaeger/genai-agent-57-spans-10-services.json" \
    /usr/share/tracemap/sample-shop.json.gz
found=$(tracemap search --cache "$work/cache.sqlite" --limit 1000 | grep -c . || true)
[ "$found" -gt 1 ] || fail "search finds nothing after the import"

step "screenshot of the topology"
tracemap screenshot --cache "$work/cache.sqlite" --view topology -o "$work/topology.png"
described=$(file -b "$work/topology.png")
[[ $described == "PNG image data, 1600 x 1000"* ]] || fail "the screenshot is not a 1600x1000 PNG: $described"
[ "$(stat -c %s "$work/topology.png")" -gt 20000 ] || fail "the screenshot is nearly empty"

step "desktop entry, metainfo, MIME types, icons"
desktop-file-validate "/usr/share/applications/$app_id.desktop"
appstreamcli validate --no-net "/usr/share/metainfo/$app_id.metainfo.xml" >/dev/null
for size in 16x16 32x32 48x48 256x256 scalable; do
    ls "/usr/share/icons/hicolor/$size/apps/$app_id".* >/dev/null || fail "no $size icon"
done
if command -v update-mime-database >/dev/null; then # shared-mime-info's trigger has run
    grep -q '^application/x-protobuf:\*\.binpb' /usr/share/mime/globs || fail "*.binpb is not application/x-protobuf"
    grep -q '^application/jsonl:\*\.jsonl' /usr/share/mime/globs || fail "*.jsonl is not application/jsonl"
fi
if command -v update-desktop-database >/dev/null; then # desktop-file-utils' trigger has run: file managers offer it
    for type in application/json application/gzip application/x-protobuf application/jsonl; do
        grep -q "^$type=.*$app_id.desktop" /usr/share/applications/mimeinfo.cache ||
            fail "$type files do not open with Tracemap"
    done
fi

step "man page and bash completion"
manpage=$(zcat /usr/share/man/man1/tracemap.1.gz)
grep -q '^\.SS "tracemap topology"' <<<"$manpage" || fail "the man page has no topology"
commands=$(tracemap --help | sed -nE '/^Commands/,/^$/s/^  ([a-z]+) .*/\1/p')
[ "$(wc -w <<<"$commands")" -ge 10 ] || fail "tracemap --help lists only these commands: $commands"
for command in $commands; do
    grep -q "^\.SS \"tracemap $command\"" <<<"$manpage" || fail "the man page has no $command"
done
completed=$(bash -c 'source /usr/share/bash-completion/completions/tracemap
    COMP_WORDS=(tracemap topol); COMP_CWORD=1; _tracemap; echo "${COMPREPLY[*]}"
    COMP_WORDS=(tracemap topology --color-by ""); COMP_CWORD=3; _tracemap; echo "${COMPREPLY[*]}"')
grep -q '^topology' <<<"$completed" || fail "completion of 'tracemap topol': $completed"
grep -q 'errors p95 rate' <<<"$completed" || fail "completion of --color-by: $completed"

step "apt-get purge tracemap"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq tracemap >/dev/null
installed_here=false
left=()
for f in "${files[@]}"; do
    # Shared folders (/usr, /usr/share/icons/…) stay; anything that is ours alone must be gone.
    if [ -e "$f" ] && { [ ! -d "$f" ] || [[ $f == /usr/share/tracemap* || $f == /usr/share/doc/tracemap* ]]; }; then
        left+=("$f")
    fi
done
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
hash -r # bash remembers where it found tracemap
command -v tracemap >/dev/null && fail "tracemap still on the PATH"
step "PASSED: tracemap $version installed, used, validated and removed (${#files[@]} paths)"
