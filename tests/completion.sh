#!/usr/bin/env bash
# The bash completion (resources/completion/tracemap.bash) against the program as built: every command completes
# from a prefix, options complete per command, option values come from its table, and every option of that table
# still exists in some command's --help (the table is the one part not read from the help).
#   tests/completion.sh PATH/TO/tracemap
set -euo pipefail
_tracemap_program=$1
source "$(dirname "${BASH_SOURCE[0]}")/../resources/completion/tracemap.bash"

failures=0
expect() { # expect "WORDS..." WORD...: the completion of the command line WORDS (last word completed) has each WORD
    local line=$1
    shift
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _tracemap || true # compgen fails when nothing matches; the completion itself runs without set -e
    local want
    for want in "$@"; do
        if ! _tracemap_has_line "$(printf '%s\n' "${COMPREPLY[@]}")" "$want"; then
            echo "FAIL: '$line' completes to '${COMPREPLY[*]}', without '$want'"
            failures=$((failures + 1))
        fi
    done
}

mapfile -t commands < <(_tracemap_commands)
[ ${#commands[@]} -ge 10 ] || { echo "FAIL: only ${#commands[@]} commands: ${commands[*]}"; exit 1; }
for command in "${commands[@]}"; do
    expect "tracemap ${command:0:3}" "$command"
    expect "tracemap $command --h" --help
done
expect "tracemap --ver" --version --verbose
expect "tracemap topology --size" --size-by
expect "tracemap topology --color-by " errors p95 rate
expect "tracemap screenshot --view fl" flamegraph
expect "tracemap screenshot --scope " results whole trace
expect "tracemap topology --ex" --exact
expect "tracemap generate --format otlp" otlp-json otlp-proto
expect "tracemap pull " jaeger tempo zipkin auto
expect "tracemap import --move" --move-damaged-cache

# Each option whose values the completion lists is an option with a value of some command.
all_options=$(for command in "" "${commands[@]}"; do _tracemap_options "$command"; done | sort -u)
for option in --view --format --color-by --size-by --rank-by --engine --group-by; do
    [ -n "$(_tracemap_values "$option")" ] || { echo "FAIL: no values for $option"; failures=$((failures + 1)); }
    _tracemap_has_line "$all_options" "$option=" || {
        echo "FAIL: $option is in the completion's table but no command takes it"
        failures=$((failures + 1))
    }
done

[ $failures -eq 0 ] && echo "completion: ${#commands[@]} commands, all right"
exit $((failures > 0))
