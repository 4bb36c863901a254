#!/usr/bin/env bash
# Writes the man page tracemap.1 from the program's own help, so it says what `tracemap --help` says:
# help2man turns `tracemap --help` and `--version` into the synopsis, description and options of the window, and
# each command listed there gets a section with its `tracemap COMMAND --help`.
#   packaging/manpage.sh PATH/TO/tracemap OUT.1
set -euo pipefail

program=$1
out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT

# Help texts name the builder's cache path; the page names the reader's.
home_to_tilde() { sed -e "s|${HOME:-/nonexistent}/|~/|g"; }
# Text as groff reads it literally: backslashes escaped, a leading dot or quote not taken for a request.
groff_literal() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

commands=$("$program" --help | sed -nE '/^Commands/,/^$/s/^  ([a-z]+) .*/\1/p')
{
    echo "[COMMANDS]"
    echo "Each command prints its options with \\fBtracemap\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR, as below."
    for command in $commands; do
        echo ".SS \"tracemap $command\""
        echo ".nf"
        "$program" "$command" --help | home_to_tilde | groff_literal
        echo ".fi"
    done
    cat <<'SECTIONS'
[FILES]
.TP
.I ~/.cache/tracemap/tracemap-cache.sqlite
The cache of every trace opened, imported, received or pulled (\fB\-\-cache\fR chooses another).
.TP
.I ~/.config/tracemap/tracemap.conf
The window's settings, recent files and saved back-end connections (their secrets are in the desktop's key store).
[ENVIRONMENT]
.TP
.B QT_QPA_PLATFORM
The window's Qt platform. The commands need no display; \fBscreenshot\fR and \fBtopology\fR draw offscreen.
[SEE ALSO]
The README of the source tree, and the \fBtracemap\fR \fICOMMAND\fR \fB\-\-help\fR of each command.
SECTIONS
} > "$include"

# help2man runs the program itself, with HOME as it is: its own output goes through the same substitution.
help2man --no-info --section=1 --name="distributed traces and service topology" --include="$include" \
    --output="$out.tmp" "$program"
home_to_tilde < "$out.tmp" > "$out"
rm -f "$out.tmp"
