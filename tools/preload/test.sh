#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libkipc-preload.so, where kipc is loaded (the guest) and where it is not
# (the host: the fallback and strict paths only).  KTAP on stdout.
#
#	tools/preload/test.sh BUILD/tools
#
# BUILD/tools holds libkipc-preload.so, kipc-forkpipe, kipc-pipecheck,
# kipc-splicecheck and kipcctl.  The pipelines need a dynamically linked shell, because the
# shell makes a pipeline's pipes and busybox (static) ignores LD_PRELOAD:
# dash, else bash, else $KIPC_TEST_SHELL.  In the guest that means
# `kipc-vm --add /bin/dash`; the commands of the pipelines may be busybox's
# or, with --add /usr/bin/seq and so on, coreutils'.
set -u
b=${1:?usage: test.sh BUILD/tools}
lib=$b/libkipc-preload.so
fp=$b/kipc-forkpipe
pc=$b/kipc-pipecheck
sc=$b/kipc-splicecheck
kctl=$b/kipcctl
missing=/nonexistent/kipc/control
n=0
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset LD_PRELOAD KIPC_PRELOAD KIPC_CONTROL_PATH

# report STATUS DESC [DIAGNOSTIC]: one KTAP line, from an exit status.
report()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

skip()
{
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# The module's counters, from kipcctl stats.
stat_of()
{
	"$kctl" stats 2>/dev/null | sed -n "s/^$1: *//p"
}

# warnings FILE: how many lines the shim wrote there.
warnings()
{
	grep -c '^kipc-preload:' "$1"
}

echo "TAP version 13"

if [ -c /dev/kipc/control ]; then
	have=1
	echo "# kipc is loaded: pipes should go through it"
else
	have=0
	echo "# kipc is absent: testing the fallback and strict mode only"
fi

sh_=${KIPC_TEST_SHELL:-$(command -v dash || command -v bash || true)}
echo "# shell: ${sh_:-none}"
# What the pipelines run: busybox's applets, or coreutils if added.
[ -n "$sh_" ] && for c in seq sort uniq md5sum; do
	p=$("$sh_" -c "command -v $c")
	case $p in /*) p=$(readlink -f "$p") ;; esac
	echo "# $c: ${p:-none}"
done

# The library exports only what it interposes.
if command -v nm >/dev/null 2>&1; then
	got=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sort | tr '\n' ' ')
	[ "$got" = "fcntl fcntl64 pipe pipe2 splice tee vmsplice " ]
	report $? "the library exports only fcntl fcntl64 pipe pipe2 splice tee vmsplice" \
		"exports: $got"
else
	skip "the library exports only fcntl fcntl64 pipe pipe2 splice tee vmsplice" \
		"no nm here"
fi

# The same checks pass on kernel pipes, then through the shim: the shim
# behaves as a pipe would.  pipecheck_run DESC-PREFIX ARGS... (env first)
pipecheck_run()
{
	prefix=$1
	shift
	env "$@" >"$tmp/pc" 2>"$tmp/pc.err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		PASS\ *) report 0 "$prefix: ${line#PASS }" ;;
		FAIL\ *) report 1 "$prefix: ${line#FAIL }" ;;
		esac
	done <"$tmp/pc"
	[ "$rc" -le 1 ]
	report $? "$prefix: ran to the end" "$(cat "$tmp/pc.err")"
}

pipecheck_run "kernel pipes" "$pc" --expect fifo
if [ "$have" = 1 ]; then
	pipecheck_run "shim" LD_PRELOAD="$lib" "$pc" --expect kipc
	[ ! -s "$tmp/pc.err" ]
	report $? "shim: no warning" "$(cat "$tmp/pc.err")"
else
	pipecheck_run "shim, kipc absent" LD_PRELOAD="$lib" "$pc" --expect fifo
	[ "$(warnings "$tmp/pc.err")" -eq 1 ]
	report $? "shim, kipc absent: exactly one warning" "$(cat "$tmp/pc.err")"
fi
pipecheck_run "KIPC_PRELOAD=off" KIPC_PRELOAD=off LD_PRELOAD="$lib" \
	"$pc" --expect fifo
[ ! -s "$tmp/pc.err" ]
report $? "KIPC_PRELOAD=off: no warning" "$(cat "$tmp/pc.err")"

# What KIPC_PRELOAD_VERBOSE says of a pipe() or pipe2() call and its fds.
pipe_re='pipe2\{0,1\}([A-Z_|0-9x]*)'
fds_re='read fd [0-9][0-9]*, write fd [0-9][0-9]*'

# splice, tee and vmsplice: kipc-splicecheck prints one line per case
# (return value or errno, and what the bytes and offsets became) on kernel
# pipes, the reference, and then through the shim; every line must match.
# splicecheck_run DESC-PREFIX ARGS... (env first)
splicecheck_run()
{
	prefix=$1
	shift
	env "$@" >"$tmp/sc.out" 2>"$tmp/sc.err"
	rc=$?
	[ "$rc" -eq 0 ] && ! grep -q '^FATAL' "$tmp/sc.out"
	report $? "$prefix: kipc-splicecheck ran to the end" \
		"$(grep '^FATAL' "$tmp/sc.out"; cat "$tmp/sc.err")"
	sed 1d "$tmp/sc.ref" >"$tmp/sc.r"
	sed 1d "$tmp/sc.out" >"$tmp/sc.o"
	[ "$(wc -l <"$tmp/sc.r")" -eq "$(wc -l <"$tmp/sc.o")" ]
	report $? "$prefix: as many cases as on kernel pipes" \
		"$(wc -l <"$tmp/sc.r") vs $(wc -l <"$tmp/sc.o")"
	tab=$(printf '\t')
	paste "$tmp/sc.r" "$tmp/sc.o" >"$tmp/sc.both"
	while IFS=$tab read -r r o; do
		[ "$r" = "$o" ]
		report $? "$prefix: $r" "kernel pipe: $r; got: $o"
	done <"$tmp/sc.both"
}

"$sc" --expect fifo >"$tmp/sc.ref" 2>"$tmp/sc.ref.err"
[ $? -eq 0 ] && ! grep -q '^FATAL' "$tmp/sc.ref"
report $? "splice reference: kipc-splicecheck on kernel pipes ran to the end" \
	"$(cat "$tmp/sc.ref" "$tmp/sc.ref.err")"
if [ "$have" = 1 ]; then
	splicecheck_run "splice, shim" KIPC_PRELOAD=strict LD_PRELOAD="$lib" \
		"$sc" --expect kipc
	[ ! -s "$tmp/sc.err" ]
	report $? "splice, shim: no message without KIPC_PRELOAD_VERBOSE" \
		"$(head -5 "$tmp/sc.err")"
	env KIPC_PRELOAD=strict KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD="$lib" \
		"$sc" --expect kipc >"$tmp/sc.out" 2>"$tmp/sc.err"
	for f in splice tee vmsplice; do
		grep -q "^kipc-preload: emulated $f(" "$tmp/sc.err"
		report $? "KIPC_PRELOAD_VERBOSE reports each emulated $f()" \
			"$(head -5 "$tmp/sc.err")"
	done
	grep -v -e '^kipc-preload: emulated [a-z]*(.*) = .* (.*)$' \
		-e "^kipc-preload: $pipe_re moved to kipc: $fds_re\$" \
		"$tmp/sc.err" >"$tmp/sc.other"
	[ ! -s "$tmp/sc.other" ]
	report $? "KIPC_PRELOAD_VERBOSE: one well-formed line per call" \
		"$(head -5 "$tmp/sc.other")"
else
	splicecheck_run "splice, shim, kipc absent" LD_PRELOAD="$lib" \
		"$sc" --expect fifo
	env KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD="$lib" "$sc" --expect fifo \
		>/dev/null 2>"$tmp/sc.err"
	! grep -q 'emulated' "$tmp/sc.err"
	report $? "KIPC_PRELOAD_VERBOSE: nothing emulated on kernel pipes" \
		"$(head -5 "$tmp/sc.err")"
fi
splicecheck_run "splice, KIPC_PRELOAD=off" KIPC_PRELOAD=off \
	LD_PRELOAD="$lib" "$sc" --expect fifo

# A fork()ed child writes, the parent reads: same bytes either way.
bytes=4194304
"$fp" -n $bytes >"$tmp/fp.ref" 2>&1
report $? "forkpipe: $bytes bytes over a kernel pipe" "$(cat "$tmp/fp.ref")"
w0=$(stat_of 'bytes written')
LD_PRELOAD=$lib "$fp" -n $bytes >"$tmp/fp.out" 2>"$tmp/fp.err"
report $? "forkpipe: $bytes bytes with the shim" "$(cat "$tmp/fp.out" "$tmp/fp.err")"
w1=$(stat_of 'bytes written')
[ "$(sed 's/^kind=[a-z]* fds=[0-9,]* //' "$tmp/fp.ref")" = \
  "$(sed 's/^kind=[a-z]* fds=[0-9,]* //' "$tmp/fp.out")" ]
report $? "forkpipe: same bytes and checksum" "$(cat "$tmp/fp.ref" "$tmp/fp.out")"
if [ "$have" = 1 ]; then
	grep -q '^kind=kipc ' "$tmp/fp.out"
	report $? "forkpipe: the shim's pipe is a kipc channel" "$(cat "$tmp/fp.out")"
	[ $((w1 - w0)) -ge $bytes ]
	report $? "forkpipe: kipc counted the bytes" "bytes written grew by $((w1 - w0))"
else
	grep -q '^kind=fifo ' "$tmp/fp.out"
	report $? "forkpipe: kipc absent, a kernel pipe" "$(cat "$tmp/fp.out")"
	[ "$(warnings "$tmp/fp.err")" -eq 1 ]
	report $? "forkpipe: exactly one warning" "$(cat "$tmp/fp.err")"
fi

# KIPC_PRELOAD_VERBOSE: each pipe() says what it became, with the fds the
# program got (kipc-forkpipe prints them as fds=R,W).
# fp_fds FILE: "read fd R, write fd W" from kipc-forkpipe's output.
fp_fds()
{
	sed -n 's/^kind=[a-z]* fds=\([0-9]*\),\([0-9]*\) .*/read fd \1, write fd \2/p' "$1"
}

if [ "$have" = 1 ]; then
	[ ! -s "$tmp/fp.err" ]
	report $? "forkpipe: without KIPC_PRELOAD_VERBOSE the shim says nothing" \
		"$(cat "$tmp/fp.err")"
	KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD=$lib "$fp" -n 1000 \
		>"$tmp/v.out" 2>"$tmp/v.err"
	fds=$(fp_fds "$tmp/v.out")
	grep -q '^kind=kipc ' "$tmp/v.out" && [ -n "$fds" ] &&
		[ "$(cat "$tmp/v.err")" = "kipc-preload: pipe() moved to kipc: $fds" ]
	report $? "KIPC_PRELOAD_VERBOSE: one line says the pipe() moved to kipc, with its fds" \
		"$(cat "$tmp/v.out" "$tmp/v.err")"

	KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD=$lib "$pc" --expect kipc \
		>/dev/null 2>"$tmp/v.err"
	grep -q "^kipc-preload: pipe2(O_CLOEXEC) moved to kipc: $fds_re\$" \
		"$tmp/v.err" &&
	grep -q "^kipc-preload: pipe2(O_NONBLOCK) moved to kipc: $fds_re\$" \
		"$tmp/v.err" &&
	grep -q "^kipc-preload: pipe2(O_DIRECT) moved to kipc: $fds_re\$" \
		"$tmp/v.err"
	report $? "KIPC_PRELOAD_VERBOSE names pipe2()'s flags" \
		"$(head -5 "$tmp/v.err")"
else
	! grep -q 'pipe()' "$tmp/fp.err"
	report $? "forkpipe: without KIPC_PRELOAD_VERBOSE only the warning" \
		"$(cat "$tmp/fp.err")"
fi
KIPC_PRELOAD_VERBOSE=1 KIPC_CONTROL_PATH=$missing LD_PRELOAD=$lib "$fp" -n 1000 \
	>"$tmp/v.out" 2>"$tmp/v.err"
fds=$(fp_fds "$tmp/v.out")
[ -n "$fds" ] && grep -q '^kind=fifo ' "$tmp/v.out" &&
	grep -qx "kipc-preload: pipe() left to the kernel ($missing: No such file or directory): $fds" \
		"$tmp/v.err" && ! grep -q 'moved to kipc' "$tmp/v.err"
report $? "KIPC_PRELOAD_VERBOSE: a kernel pipe is reported with its fds and why" \
	"$(cat "$tmp/v.out" "$tmp/v.err")"
KIPC_PRELOAD_VERBOSE=1 KIPC_CONTROL_PATH=$missing LD_PRELOAD=$lib "$pc" \
	--expect fifo >/dev/null 2>"$tmp/v.err"
grep -qx 'kipc-preload: pipe2(0x400) = -1 Invalid argument' "$tmp/v.err"
report $? "KIPC_PRELOAD_VERBOSE reports a failed pipe2() with its errno" \
	"$(head -5 "$tmp/v.err")"
KIPC_PRELOAD=off KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD=$lib "$fp" -n 1000 \
	>/dev/null 2>"$tmp/v.err"
[ ! -s "$tmp/v.err" ]
report $? "KIPC_PRELOAD=off: KIPC_PRELOAD_VERBOSE says nothing" "$(cat "$tmp/v.err")"

# KIPC_PRELOAD=off: kernel pipes, no warning, nothing through kipc.
c0=$(stat_of 'channels created')
KIPC_PRELOAD=off LD_PRELOAD=$lib "$fp" -n 100000 >"$tmp/off" 2>&1
grep -q '^kind=fifo ' "$tmp/off" && ! grep -q kipc-preload "$tmp/off"
report $? "KIPC_PRELOAD=off gives kernel pipes, silently" "$(cat "$tmp/off")"
if [ "$have" = 1 ]; then
	[ "$(stat_of 'channels created')" = "$c0" ]
	report $? "KIPC_PRELOAD=off creates no channel"
fi

# Strict mode: with kipc absent, pipe() fails with ENOSYS.
if [ "$have" = 1 ]; then
	KIPC_PRELOAD=strict LD_PRELOAD=$lib "$fp" -n 100000 >"$tmp/strict" 2>&1
	report $? "strict mode with kipc loaded works" "$(cat "$tmp/strict")"
	strict_env="KIPC_CONTROL_PATH=$missing"
else
	strict_env="KIPC_CONTROL_PATH=/dev/kipc/control"
fi
env KIPC_PRELOAD=strict $strict_env LD_PRELOAD="$lib" "$fp" -n 100 \
	>"$tmp/strict" 2>&1
[ $? -eq 1 ] && grep -q 'pipe: Function not implemented' "$tmp/strict"
report $? "strict mode with kipc absent: pipe() fails with ENOSYS" "$(cat "$tmp/strict")"
[ "$(warnings "$tmp/strict")" -eq 1 ]
report $? "strict mode says why, once" "$(cat "$tmp/strict")"
env KIPC_PRELOAD=strict KIPC_CONTROL_PATH=/dev/null LD_PRELOAD="$lib" \
	"$fp" -n 100 >"$tmp/strict" 2>&1
[ $? -eq 1 ] && grep -q 'pipe: Function not implemented' "$tmp/strict"
report $? "strict mode: a device that is not kipc counts as absent" "$(cat "$tmp/strict")"

KIPC_PRELOAD=bogus LD_PRELOAD=$lib "$fp" -n 100 >"$tmp/bogus" 2>&1
grep -q 'KIPC_PRELOAD=bogus not understood' "$tmp/bogus"
report $? "an unknown KIPC_PRELOAD is reported" "$(cat "$tmp/bogus")"

# Pipelines of a dynamically linked shell: byte-identical output with and
# without the shim, and with kipc loaded, the bytes went through it.
# pipeline DESC CMD
pipeline()
{
	desc=$1 cmd=$2
	"$sh_" -c "$cmd" >"$tmp/ref" 2>"$tmp/ref.err"
	w0=$(stat_of 'bytes written')
	c0=$(stat_of 'channels created')
	LD_PRELOAD=$lib "$sh_" -c "$cmd" >"$tmp/out" 2>"$tmp/err"
	w1=$(stat_of 'bytes written')
	c1=$(stat_of 'channels created')
	[ -s "$tmp/ref" ] && cmp -s "$tmp/ref" "$tmp/out"
	report $? "'$desc': byte-identical with the shim ($(wc -c <"$tmp/out") bytes)" \
		"$(cat "$tmp/ref.err" "$tmp/err"; cmp "$tmp/ref" "$tmp/out" 2>&1)"
	if [ "$have" = 1 ]; then
		pushed=$("$sh_" -c "${cmd%%|*}" | wc -c)
		pipes=$(printf '%s' "$cmd" | tr -cd '|' | wc -c)
		[ $((w1 - w0)) -ge "$pushed" ] && [ $((c1 - c0)) -ge "$pipes" ]
		report $? "'$desc': through kipc (>= $pushed bytes, $pipes channels)" \
			"bytes written +$((w1 - w0)), channels created +$((c1 - c0))"
		[ ! -s "$tmp/err" ]
		report $? "'$desc': no warning" "$(cat "$tmp/err")"
	else
		[ "$(warnings "$tmp/err")" -eq 1 ]
		report $? "'$desc': kipc absent, exactly one warning" "$(cat "$tmp/err")"
	fi
}

if [ -z "$sh_" ]; then
	for d in "ls / | grep -v zzz" "seq 1 20000 | sort | uniq -c" \
		 "seq 1 200000 | md5sum" "fallback pipeline"; do
		skip "'$d'" "no dash or bash: kipc-vm --add /bin/dash"
	done
else
	# The shell must be one the shim can reach.
	LD_PRELOAD=$lib KIPC_CONTROL_PATH=$missing "$sh_" -c 'true | true' \
		>"$tmp/dyn" 2>&1
	[ "$(warnings "$tmp/dyn")" -eq 1 ]
	report $? "$sh_ loads the shim (dynamically linked)" "$(cat "$tmp/dyn")"

	# A pipeline of three: the shell's two pipes are reported.
	KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD=$lib "$sh_" -c \
		'seq 1 1000 | sort -r | md5sum' >/dev/null 2>"$tmp/v.err"
	if [ "$have" = 1 ]; then
		[ "$(grep -c "^kipc-preload: pipe() moved to kipc: $fds_re\$" \
			"$tmp/v.err")" -eq 2 ] && [ "$(wc -l <"$tmp/v.err")" -eq 2 ]
	else
		[ "$(grep -c "^kipc-preload: pipe() left to the kernel (.*): $fds_re\$" \
			"$tmp/v.err")" -eq 2 ]
	fi
	report $? "KIPC_PRELOAD_VERBOSE: a pipeline of three reports its two pipes" \
		"$(cat "$tmp/v.err")"

	pipeline "ls / | grep -v zzz" "ls / | grep -v zzz"
	pipeline "seq 1 20000 | sort | uniq -c" "seq 1 20000 | sort | uniq -c"
	pipeline "seq 1 200000 | md5sum" "seq 1 200000 | md5sum"
	pipeline "seq 1 200000 | sort -r | cat | md5sum" \
		"seq 1 200000 | sort -r | cat | md5sum"

	if [ "$have" = 1 ]; then
		# With kipc loaded, the fallback as the host would see it.
		cmd="seq 1 20000 | sort -r | md5sum"
		"$sh_" -c "$cmd" >"$tmp/ref" 2>&1
		w0=$(stat_of 'bytes written')
		KIPC_CONTROL_PATH=$missing LD_PRELOAD=$lib "$sh_" -c "$cmd" \
			>"$tmp/out" 2>"$tmp/err"
		w1=$(stat_of 'bytes written')
		cmp -s "$tmp/ref" "$tmp/out" && [ "$w1" = "$w0" ] &&
			[ "$(warnings "$tmp/err")" -eq 1 ]
		report $? "fallback pipeline: same output, kernel pipes, one warning" \
			"$(cat "$tmp/err"); bytes written +$((w1 - w0))"
	fi
fi

echo "1..$n"
[ "$fails" -eq 0 ]
