package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/qgad/qgad/client"
)

// runCompletion prints a completion script: subcommands, the agent's
// command names, flags, and files where a subcommand takes them.
//
//	source <(qgactl completion bash)
//	source <(qgactl completion zsh)
func runCompletion(_ context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 1, 1); err != nil {
		return err
	}
	var names []string
	for _, s := range subcommands() {
		names = append(names, s.name)
	}
	switch fs.Arg(0) {
	case "bash":
		_, err := fmt.Fprintf(e.stdout, bashCompletion, strings.Join(names, " "), strings.Join(client.Commands(), " "))
		return err
	case "zsh":
		var subs []string
		for _, s := range subcommands() {
			subs = append(subs, fmt.Sprintf("'%s:%s'", s.name, strings.ReplaceAll(s.help, "'", "")))
		}
		_, err := fmt.Fprintf(e.stdout, zshCompletion, strings.Join(subs, " "), strings.Join(client.Commands(), " "))
		return err
	}
	return usageError{"completion: bash or zsh, not " + fs.Arg(0)}
}

const bashCompletion = `# bash completion for qgactl: source <(qgactl completion bash)
_qgactl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
    -s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -a | -timeout | --timeout | -env | --env) COMPREPLY=(); return ;;
    esac
    local i sub=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -s | -a | -timeout | --timeout) ((i++)) ;;
        -*) ;;
        *) sub=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [[ -z $sub ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "-s -a --json --timeout" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "%s %s" -- "$cur"))
        fi
        return
    fi
    case $sub in
    put) COMPREPLY=($(compgen -f -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
    exec) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--env --stdin --merged --json -s --timeout" -- "$cur")) ;;
    *) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--json -s --timeout -a" -- "$cur")) ;;
    esac
}
complete -F _qgactl qgactl
`

const zshCompletion = `#compdef qgactl
# zsh completion for qgactl: source <(qgactl completion zsh), or save as
# _qgactl in a directory of $fpath.
_qgactl() {
    local -a subcommands commands
    subcommands=(%s)
    commands=(%s)
    local curcontext=$curcontext state line
    _arguments -C \
        '-s[the agent'"'"'s unix socket]:socket:_files' \
        '-a[arguments of a command, as a JSON object]:json: ' \
        '--json[print results as JSON]' \
        '--timeout[deadline of the exchange]:duration: ' \
        '1:subcommand:->subcommand' \
        '*::argument:->argument'
    case $state in
    subcommand)
        _describe -t subcommands 'subcommand' subcommands
        _describe -t commands 'agent command' commands
        ;;
    argument)
        case $line[1] in
        put) _files ;;
        completion) _values 'shell' bash zsh ;;
        exec) _arguments '*--env[K=V in the environment]:variable: ' '--stdin[send standard input]' '--merged[merge stderr into stdout]' '*::command: ' ;;
        esac
        ;;
    esac
}
if [[ $funcstack[1] == _qgactl ]]; then
    _qgactl "$@"
else
    compdef _qgactl qgactl
fi
`
