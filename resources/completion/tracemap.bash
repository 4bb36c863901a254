# bash completion for tracemap (installed as /usr/share/bash-completion/completions/tracemap).
#
# The commands and their options are read from the program's own --help, once per shell and command, so they
# never drift from it. Options that take one of a few words complete those words (the table below; the test
# tests/completion.sh checks each option in it still exists); any other option with a value completes file names.

declare -gA _tracemap_help_cache

# The options of `tracemap COMMAND --help` (or the window's, with no COMMAND), one per line, each followed by
# "=" when it takes a value: "--cache=", "--json", "-o=".
_tracemap_options()
{
    local command=$1 key=${1:-.}
    if [[ -z ${_tracemap_help_cache[$key]+set} ]]; then
        _tracemap_help_cache[$key]=$(
            "${_tracemap_program:-tracemap}" ${command:+"$command"} --help 2>/dev/null |
                sed -nE 's/^ +(-[a-zA-Z]), (--[a-z][a-z0-9-]*)( <[^>]*>)?.*/\1\3\n\2\3/p; s/^ +(--[a-z][a-z0-9-]*)( <[^>]*>)?.*/\1\2/p' |
                sed -E 's/ <[^>]*>$/=/'
        )
    fi
    printf '%s\n' "${_tracemap_help_cache[$key]}"
}

# The commands, from the "Commands" list of `tracemap --help`.
_tracemap_commands()
{
    if [[ -z ${_tracemap_help_cache[commands]+set} ]]; then
        _tracemap_help_cache[commands]=$(
            "${_tracemap_program:-tracemap}" --help 2>/dev/null |
                sed -nE '/^Commands/,/^$/s/^  ([a-z]+) .*/\1/p'
        )
    fi
    printf '%s\n' "${_tracemap_help_cache[commands]}"
}

# Whether the lines of $1 include the line $2. (Not `grep -q` on a pipe: it stops reading at the first match, and
# under `set -o pipefail` the writer's SIGPIPE would turn a match into a failure.)
_tracemap_has_line()
{
    [[ $'\n'$1$'\n' == *$'\n'"$2"$'\n'* ]]
}

# The words an option's value is one of, or nothing (then: file names).
_tracemap_values()
{
    case $1 in
        --view) echo "start search trace topology flamegraph heatmap red anomalies live" ;;
        --format) echo "jaeger zipkin otlp-json otlp-proto" ;;
        --color-by | --size-by) echo "errors p95 rate" ;;
        --rank-by) echo "calls errors p95" ;;
        --engine) echo "dot sfdp neato" ;;
        --scope) echo "results whole trace" ;;
        --group-by) echo "auto detect prefix service.namespace k8s.namespace.name" ;;
    esac
}

_tracemap_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$1"))
    fi
}

_tracemap()
{
    local current=${COMP_WORDS[COMP_CWORD]} previous=${COMP_WORDS[COMP_CWORD - 1]}
    local command="" word
    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        if [[ $word != -* ]] && _tracemap_has_line "$(_tracemap_commands)" "$word"; then
            command=$word
            break
        fi
    done

    # The value of the option before: its words, or file names.
    if [[ $previous == -* && $current != -* ]] && _tracemap_has_line "$(_tracemap_options "$command")" "$previous="; then
        local values
        values=$(_tracemap_values "$previous")
        if [[ -n $values ]]; then
            COMPREPLY=($(compgen -W "$values" -- "$current"))
        else
            _tracemap_files "$current"
        fi
        return
    fi
    if [[ $current == -* ]]; then
        COMPREPLY=($(compgen -W "$(_tracemap_options "$command" | sed 's/=$//')" -- "$current"))
        return
    fi
    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$(_tracemap_commands)" -- "$current"))
        local IFS=$'\n'
        COMPREPLY+=($(compgen -f -- "$current")) # the window opens files
        return
    fi
    if [[ $command == pull && $previous == pull ]]; then
        COMPREPLY=($(compgen -W "jaeger tempo zipkin auto" -- "$current"))
        return
    fi
    _tracemap_files "$current"
}

complete -F _tracemap tracemap
