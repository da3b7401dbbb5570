# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # test.sh, which sources this, sets them
#
# Sourced by test.sh --host: kipcctl where the module is not loaded, and
# its bash completion.  Uses test.sh's helpers and $k, $src, $tmp.

# --- No module: one message, with the hint, and --version still works.
if [ -e /dev/kipc/control ] || [ -e /sys/module/kipc ]; then
	skip "the not-loaded hint" "kipc is loaded here"
else
	hint="kipcctl: cannot open /dev/kipc/control: module not loaded (try: modprobe kipc)"
	for c in ls "ls --json" stats "stats --json" "shm ls" "shm ls --json" \
		"mkchan kctl-a" "mkchan --message kctl-a" \
		"mkchan --mapped --capacity 8K kctl-a" "rmchan kctl-a" \
		"shm stat 1" "shm rm 1" "shm rmkey 1" "shm mk 1"; do
		# shellcheck disable=SC2086 # $c is a command and its arguments
		refused "$c without the module: the modprobe hint" 1 "$hint" \
			"$k" $c
	done
	t "--version without the module exits 0" 0 "$k" --version
	is "$out" "--version without the module says so" \
		"$(sed -n 1,3p "$tmp/version")
kipc module not loaded"
fi

# --- Bash completion, with plain bash (no bash-completion package).
# comp WORD...: what completing the last WORD offers, sorted, one line.
comp()
{
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_kipcctl_module kipcctl "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' \
		bash "$src/kipcctl.bash-completion" "$@" |
		sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# offers DESC WANT WORD...: completing WORD... offers exactly WANT.
offers()
{
	desc=$1 want=$2
	shift 2
	got=$(comp "$@")
	if [ "$got" = "$want" ]; then
		pass "completion: $desc"
	else
		fail "completion: $desc" "got '$got', want '$want'"
	fi
}

# help_words CMD...: the commands, or the long options, a --help lists.
help_cmds()
{
	"$k" "$@" --help | sed -n '/^Commands:/,/^$/p' |
		awk 'NF && $1 != "Commands:" { print $1 }' | sort -u |
		tr '\n' ' ' | sed 's/ $//'
}

help_opts()
{
	"$k" "$@" --help | grep -o -- '--[a-z]*' | sort -u | tr '\n' ' ' |
		sed 's/ $//'
}

if ! command -v bash >/dev/null 2>&1; then
	skip "bash completion" "no bash"
else
	t "the completion file is bash" 0 bash -n "$src/kipcctl.bash-completion"
	offers "the commands of --help" "$(help_cmds)" kipcctl ""
	offers "a command by its start" "mkchan" kipcctl mk
	offers "mkchan's options by their start" "--mapped --message --mode" \
		kipcctl mkchan x --m
	offers "kipcctl's options" "$(help_opts)" kipcctl -
	offers "the shm commands of shm --help" "$(help_cmds shm)" \
		kipcctl shm ""
	offers "shm commands by their start" "rm rmkey" kipcctl shm r
	offers "help's commands" "$(help_cmds)" kipcctl help ""
	offers "help shm's commands" "$(help_cmds shm)" kipcctl help shm ""
	offers "modes after --mode" "0600 0640 0644 0660 0666" \
		kipcctl mkchan x --mode ""
	offers "nothing after --capacity" "" kipcctl mkchan --capacity ""
	offers "no name for a new channel" "" kipcctl mkchan ""
	for c in mkchan rmchan ls stats "shm ls" "shm stat" "shm rm" \
		"shm rmkey" "shm mk"; do
		# shellcheck disable=SC2086 # "shm mk" is two words
		offers "the options of $c --help" "$(help_opts $c)" \
			kipcctl $c -
	done
	offers "options after an option's argument" "$(help_opts mkchan)" \
		kipcctl mkchan --mode 600 x -
fi
