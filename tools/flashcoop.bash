# SPDX-License-Identifier: GPL-3.0-or-later
#
# Bash completion for flashcoop: commands, each command's options (read
# from its --help, so they never drift), scenario keys after --set,
# --where, -x and --by (from `flashcoop keys`), plot kinds, and files:
# scenarios (.ini), sweeps (.sweep, .ini), databases (.db).
# Installed as PREFIX/share/bash-completion/completions/flashcoop.

_flashcoop_keys() {
	"$1" keys 2>/dev/null | awk '/^\[/ { g = substr($1, 2, length($1) - 2); next }
		/^  [a-z]/ { print g "." $1 }'
}

_flashcoop() {
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]} cmd=${COMP_WORDS[1]:-}
	local IFS=$'\n'

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$("$prog" --help 2>/dev/null |
			awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
--help
--version" -- "$cur"))
		return
	fi
	case $prev in
	-o | --output | --script)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--emit)
		COMPREPLY=($(compgen -W $'parallel\nslurm' -- "$cur"))
		return ;;
	-s | --set | -w | --where | -x | --x | -b | --by)
		compopt -o nospace 2>/dev/null
		COMPREPLY=($(compgen -W "$(_flashcoop_keys "$prog")" -- "$cur"))
		case $prev in -x | --x | -b | --by) compopt +o nospace 2>/dev/null ;;
		*) [ ${#COMPREPLY[@]} -eq 1 ] && COMPREPLY[0]="${COMPREPLY[0]}=" ;; esac
		return ;;
	-j | --jobs | -r | --replication | --run | --seed | --size | -t | --title | -m | --metric | \
	--window | --method | --within)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$prog" "$cmd" --help 2>/dev/null |
			grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	case $cmd in
	run) COMPREPLY=($(compgen -f -X '!*.ini' -- "$cur") $(compgen -d -- "$cur")) ;;
	sweep) COMPREPLY=($(compgen -f -X '!*.@(sweep|ini)' -- "$cur") $(compgen -d -- "$cur")) ;;
	merge | runs | export | identify) COMPREPLY=($(compgen -f -X '!*.db' -- "$cur") $(compgen -d -- "$cur")) ;;
	plot)
		local i n=0
		for ((i = 2; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			-o | --output | --script | -m | --metric | -r | --run | -w | --where | \
			-x | --x | -b | --by | -t | --title | --size) i=$((i + 1)) ;;
			-*) ;;
			*) n=$((n + 1)) ;;
			esac
		done
		if [ "$n" -eq 0 ]; then
			COMPREPLY=($(compgen -W $'series\nscalar\ncdf\nlist' -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.db' -- "$cur") $(compgen -d -- "$cur"))
		fi ;;
	esac
}
complete -o filenames -F _flashcoop flashcoop
