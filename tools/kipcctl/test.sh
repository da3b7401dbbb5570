#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kipcctl's tests.  KTAP on stdout.
#
#	tools/kipcctl/test.sh PATH/TO/kipcctl		where kipc is loaded
#	tools/kipcctl/test.sh --host PATH/TO/kipcctl	where it is not
#
# Both runs check the help of every command, --version, and the exact
# message of every input kipcctl refuses before asking the module.  Where
# the module is loaded (the guest, as root), every command runs, --json is
# read back with kipcctl-jsonq (built beside kipcctl: busybox has no jq),
# and the module's limits are lowered for a moment to see each refusal
# explained.  On the host: the not-loaded hint, and the bash completion.
set -u
host=0
if [ "${1:-}" = --host ]; then
	host=1
	shift
fi
k=${1:?usage: test.sh [--host] KIPCCTL}
jq=$(dirname "$k")/kipcctl-jsonq
src=$(cd "$(dirname "$0")" && pwd)
n=0
fails=0
tmp=$(mktemp -d)
out=$tmp/out
err=$tmp/err
trap 'rm -rf "$tmp"' EXIT

pass()
{
	n=$((n + 1))
	echo "ok $n $1"
}

fail()
{
	n=$((n + 1))
	[ -s "$out" ] && sed 's/^/# stdout: /' "$out"
	[ -s "$err" ] && sed 's/^/# stderr: /' "$err"
	echo "not ok $n $1${2:+ # $2}"
	fails=$((fails + 1))
}

skip()
{
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# check DESC CMD...: CMD (a test, usually) succeeds.
check()
{
	desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
	fi
}

# t DESC STATUS CMD...: run CMD (stdout and stderr kept apart), check its
# exit status.
t()
{
	desc=$1 want=$2
	shift 2
	"$@" >"$out" 2>"$err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass "$desc"
	else
		fail "$desc" "exit $got, want $want"
	fi
}

# has DESC PATTERN: the last command's stdout or stderr matches (grep -E).
has()
{
	if cat "$out" "$err" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "no match for: $2"
	fi
}

# is FILE DESC TEXT: FILE ($out or $err) holds exactly TEXT's lines.
is()
{
	printf '%s\n' "$3" >"$tmp/want"
	if cmp -s "$tmp/want" "$1"; then
		pass "$2"
	else
		sed 's/^/# want: /' "$tmp/want"
		fail "$2"
	fi
}

# refused DESC STATUS MESSAGE CMD...: CMD exits STATUS, prints nothing on
# stdout and exactly MESSAGE on stderr: one test.
refused()
{
	desc=$1 want=$2 msg=$3
	shift 3
	"$@" >"$out" 2>"$err"
	got=$?
	printf '%s\n' "$msg" >"$tmp/want"
	if [ "$got" -ne "$want" ]; then
		fail "$desc" "exit $got, want $want"
	elif [ -s "$out" ] || ! cmp -s "$tmp/want" "$err"; then
		sed 's/^/# want: /' "$tmp/want"
		fail "$desc" "not the message"
	else
		pass "$desc"
	fi
}

# usage DESC CMD MESSAGE ARGS...: a usage error of kipcctl CMD: exit 2,
# MESSAGE and where to find help.
usage()
{
	desc=$1 cmd=$2 msg=$3
	shift 3
	refused "$desc" 2 "kipcctl: $msg
Try 'kipcctl${cmd:+ $cmd} --help' for more information." "$k" "$@"
}

# parses DESC: the last command's stdout is one JSON document.
parses()
{
	if "$jq" <"$out" >/dev/null 2>"$tmp/jq"; then
		pass "$1"
	else
		sed 's/^/# /' "$tmp/jq"
		fail "$1"
	fi
}

# json DESC PATH WANT: the value at PATH of the JSON in $out is WANT.
json()
{
	got=$("$jq" "$2" <"$out" 2>&1)
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 is $got, want $3"
	fi
}

echo "TAP version 13"

# --- Help: every command, both ways, on stdout, exit 0.
t "--help exits 0" 0 "$k" --help
has "--help lists the commands" "^ mkchan NAME "
check "--help writes nothing on stderr" [ ! -s "$err" ]
t "help exits 0" 0 "$k" help
for c in mkchan rmchan ls shm "shm ls" "shm stat" "shm rm" "shm rmkey" \
	"shm mk" stats help; do
	# shellcheck disable=SC2086 # "shm mk" is two words
	t "$c --help exits 0" 0 "$k" $c --help
	first=$(head -n 2 "$out" | tr '\n' '|')
	case $first in
	"Usage:| kipcctl $c "*) pass "$c --help prints its usage" ;;
	*) fail "$c --help prints its usage" "starts: $first" ;;
	esac
	cp "$out" "$tmp/help"
	# shellcheck disable=SC2086
	t "help $c exits 0" 0 "$k" help $c
	if cmp -s "$tmp/help" "$out"; then
		pass "help $c prints what $c --help does"
	else
		fail "help $c prints what $c --help does"
	fi
done
t "mkchan -h is --help" 0 "$k" mkchan x -h
has "mkchan -h prints the usage" "^ kipcctl mkchan "

# --- Version: kipcctl's, libkipc's, the ABI built for, the module's.
t "--version exits 0" 0 "$k" --version
cp "$out" "$tmp/version"
sed -n 1,3p "$out" >"$tmp/version.head"
ver=$(sed -n '1s/^kipcctl \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' "$out")
abi=$(sed -n '3s/^built for kipc ABI \([0-9][0-9]*\)$/\1/p' "$out")
check "--version: kipcctl X.Y.Z first" [ -n "$ver" ]
check "--version: libkipc, of the same tree" \
	[ "$(sed -n 2p "$out")" = "libkipc ${ver:-?}" ]
check "--version: the ABI built for" [ -n "$abi" ]
check "--version: four lines" [ "$(wc -l <"$out")" -eq 4 ]
t "-V exits 0" 0 "$k" -V
if cmp -s "$tmp/version" "$out"; then
	pass "-V prints what --version does"
else
	fail "-V prints what --version does"
fi

# --- Usage errors: exit 2, the message, where to find help.
usage "no command" "" "no command given"
usage "unknown command" "" "unknown command 'frobnicate'" frobnicate
usage "unknown option" "" "unrecognized option '--frobnicate'" --frobnicate
usage "unknown short option" "" "invalid option -- 'x'" -x
usage "help of an unknown command" help "unknown command 'frob'" help frob
usage "mkchan without NAME" mkchan "no channel name given" mkchan
usage "mkchan with two NAMEs" mkchan "unexpected argument 'b'" mkchan a b
usage "mkchan unknown option" mkchan "unrecognized option '--frob'" \
	mkchan x --frob
usage "mkchan --mode without MODE" mkchan \
	"option '--mode' requires an argument" mkchan x --mode
usage "mkchan -c without BYTES" mkchan \
	"option requires an argument -- 'c'" mkchan x -c
usage "mkchan --help with an argument" mkchan \
	"option '--help' doesn't allow an argument" mkchan --help=1 x
conflict="--mapped and --message cannot be combined: a message channel has no ring to map"
usage "mkchan --mapped with --message" mkchan "$conflict" \
	mkchan x --mapped --message
usage "mkchan --message with --mapped, in either order" mkchan "$conflict" \
	mkchan --message x --mapped
usage "mkchan --message with an argument" mkchan \
	"option '--message' doesn't allow an argument" mkchan x --message=1
usage "mode not octal" mkchan "invalid mode '999': not an octal number" \
	mkchan x --mode 999
usage "mode above 0777" mkchan "invalid mode '1777': above 0777" \
	mkchan x --mode 1777
usage "capacity with an unknown suffix" mkchan \
	"invalid capacity '12Q': unknown suffix 'Q' (use K, M or G)" \
	mkchan x --capacity 12Q
usage "capacity not a number" mkchan "invalid capacity 'big': not a number" \
	mkchan x --capacity big
usage "capacity negative" mkchan "invalid capacity '-1': negative" \
	mkchan x --capacity -1
usage "capacity past 64 bits" mkchan \
	"invalid capacity '99999999999999999999': too large" \
	mkchan x --capacity 99999999999999999999
usage "capacity past 64 bits by its suffix" mkchan \
	"invalid capacity '0x100000000000G': too large" \
	mkchan x --capacity 0x100000000000G
usage "rmchan without NAME" rmchan "no channel name given" rmchan
usage "ls with an argument" ls "unexpected argument 'x'" ls x
usage "stats with an argument" stats "unexpected argument 'x'" stats x
usage "shm without a command" shm "no shm command given" shm
usage "shm unknown command" shm "unknown shm command 'frob'" shm frob
usage "shm ls with an argument" "shm ls" "unexpected argument 'x'" shm ls x
usage "shm stat without ID" "shm stat" "no region id given" shm stat
usage "shm stat of a non-number" "shm stat" "invalid id 'xyz': not a number" \
	shm stat xyz
usage "shm stat of an id past INT_MAX" "shm stat" \
	"invalid id '2147483648': above 2147483647" shm stat 2147483648
usage "shm rm without ID" "shm rm" "no region id given" shm rm
usage "shm rmkey without KEY" "shm rmkey" "no key given" shm rmkey
usage "shm mk without SIZE" "shm mk" "no size given" shm mk
usage "shm mk bad size" "shm mk" \
	"invalid size '10Q': unknown suffix 'Q' (use K, M or G)" shm mk 10Q
usage "shm mk bad mode" "shm mk" "invalid mode '8': not an octal number" \
	shm mk 100 --mode 8
usage "shm mk bad key" "shm mk" "invalid key 'zz': not a number" \
	shm mk 100 --key zz

# --- What the module would refuse, said before asking it: exit 1.
long=$(printf '%0256d' 0)
for bad in "a/b|'/' is not allowed in a name (only A-Z a-z 0-9 . _ -)" \
	"a b|' ' is not allowed in a name (only A-Z a-z 0-9 . _ -)" \
	"|empty name" \
	".|'.' and '..' are not channel names" \
	"..|'.' and '..' are not channel names" \
	"control|'control' is the control device" \
	"$long|name longer than 255 characters"; do
	name=${bad%%|*} why=${bad#*|}
	refused "mkchan '$(echo "$name" | cut -c1-12)': $why" 1 \
		"kipcctl: cannot create channel '$name': $why" \
		"$k" mkchan "$name"
	refused "rmchan '$(echo "$name" | cut -c1-12)': $why" 1 \
		"kipcctl: cannot remove channel '$name': $why" \
		"$k" rmchan "$name"
done
refused "a control character in a name is shown escaped" 1 \
	"kipcctl: cannot create channel 'a\\x01b': '\\x01' is not allowed in a name (only A-Z a-z 0-9 . _ -)" \
	"$k" mkchan "$(printf 'a\001b')"
refused "capacity below KIPC_CAPACITY_MIN" 1 \
	"kipcctl: cannot create channel 'x': capacity 4095 is below the minimum of 4096 bytes" \
	"$k" mkchan x --capacity 4095
refused "capacity above KIPC_CAPACITY_CEILING" 1 \
	"kipcctl: cannot create channel 'x': capacity 1073741825 is above the ceiling of 1073741824 bytes (1 GiB)" \
	"$k" mkchan x --capacity 1073741825
for c in 12K:12288 4097:4097 0xffff:65535; do
	refused "a mapped channel of ${c%:*}: not a power of two number of pages" \
		1 "kipcctl: cannot create channel 'x': capacity ${c#*:} is not a power of two number of pages, as a mapped channel's must be" \
		"$k" mkchan x --mapped --capacity "${c%:*}"
done
refused "a message channel has the byte channel's bounds" 1 \
	"kipcctl: cannot create channel 'x': capacity 4095 is below the minimum of 4096 bytes" \
	"$k" mkchan x --message --capacity 4095
refused "shm mk of 0 bytes" 1 \
	"kipcctl: cannot create region: size 0 is below the minimum of 1 byte" \
	"$k" shm mk 0
refused "shm rm of a non-number" 1 "kipcctl: invalid id 'xyz': not a number" \
	"$k" shm rm xyz
refused "shm rmkey of the private key" 1 \
	"kipcctl: invalid key '0': the private key names no region" \
	"$k" shm rmkey 0
refused "shm rmkey of a non-number" 1 "kipcctl: invalid key 'zz': not a number" \
	"$k" shm rmkey zz

# The checker itself: it must be able to say no.
printf '{"a": [1, ' >"$tmp/in"
t "kipcctl-jsonq refuses a cut document" 1 "$jq" <"$tmp/in"
printf '{"a": 1} {}' >"$tmp/in"
t "kipcctl-jsonq refuses text after the value" 1 "$jq" <"$tmp/in"
printf '{"a": 1}\n' >"$tmp/in"
t "kipcctl-jsonq takes a document and a newline" 0 "$jq" <"$tmp/in"
printf '{"c": [{"name": "x", "mode": "0640", "n": null}]}' >"$out"
json "kipcctl-jsonq selects by member" c.name=x.mode '"0640"'
json "kipcctl-jsonq counts" c.# 1
json "kipcctl-jsonq prints null" c.0.n null
t "kipcctl-jsonq: a missing member fails" 1 "$jq" c.name=y.mode <"$out"

if [ "$host" -eq 1 ]; then
	. "$src/test-host.sh"
else
	. "$src/test-module.sh"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
