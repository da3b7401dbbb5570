#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# The programs of the man pages' EXAMPLES sections (examples/*.c, which
# man_test.sh holds equal to the pages), run and their output checked.
# kipc backends skip without /dev/kipc/control, or fail with
# KIPC_REQUIRE=1.  KTAP on stdout.  POSIX sh (busybox in the guest).
#
#	examples_test.sh [EXAMPLES_DIR]
set -u

here=$(cd "$(dirname "$0")" && pwd)
ex=${1:-$here/../examples}
n=0
failed=0

echo "TAP version 13"
echo "1..21"

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=$((failed + 1)); }

have_kipc()
{
	[ -e /dev/kipc/control ] || [ "${KIPC_REQUIRE:-}" = 1 ]
}

# expect DESC WANT PROGRAM ARGS...: the program exits 0 and prints WANT.
expect()
{
	desc=$1 want=$2
	shift 2
	got=$("$@" 2>&1)
	st=$?
	if [ $st -eq 0 ] && [ "$got" = "$want" ]; then
		ok "$desc"
	else
		printf '%s\n' "exit $st, output:" "$got" "want:" "$want" |
			sed 's/^/# /'
		not_ok "$desc"
	fi
}

# kipc_case DESC WANT PROGRAM ARGS...: expect, or skip without kipc.
kipc_case()
{
	if have_kipc; then
		expect "$@"
	else
		ok "$1 # SKIP no /dev/kipc/control"
	fi
}

expect "hello: kipc(7)'s program" hello "$ex/hello"

nb="empty: -EAGAIN
read 4 bytes: ping"
expect "chan-nonblock pipe: -EAGAIN is the return value" "$nb" \
	"$ex/chan-nonblock" pipe
expect "chan-nonblock fifo" "$nb" "$ex/chan-nonblock" fifo
kipc_case "chan-nonblock kipc-pair" "$nb" "$ex/chan-nonblock" kipc-pair
kipc_case "chan-nonblock kipc-named" "$nb" "$ex/chan-nonblock" kipc-named
"$ex/chan-nonblock" sysv-shm >/dev/null 2>&1
st=$?
if [ $st -eq 2 ]; then ok "chan-nonblock sysv-shm: not a channel, exits 2"
else not_ok "chan-nonblock sysv-shm: not a channel, exits 2 (got $st)"; fi

gone="child gone: hello from the child"
expect "shm-doorbell sysv-shm: no bell, waits for the child" "$gone" \
	"$ex/shm-doorbell" sysv-shm
expect "shm-doorbell posix-shm" "$gone" "$ex/shm-doorbell" posix-shm
kipc_case "shm-doorbell kipc-shm: the child rings" \
	"rung (doorbell 1): hello from the child" "$ex/shm-doorbell" kipc-shm

expect "aio-echo pipe: a write and a read in flight" "wrote 5, read 5: hello" \
	"$ex/aio-echo" pipe
kipc_case "aio-echo kipc-pair" "wrote 5, read 5: hello" "$ex/aio-echo" kipc-pair
kipc_case "ring-copy: a child produces into a mapped ring" \
	"1000 lines, 8890 bytes" "$ex/ring-copy"

prio="priority 9, 6 bytes: urgent
priority 0, 5 bytes: first
priority 0, 6 bytes: second"
expect "msgq-hello posix-mq: the urgent message first, no end of file" \
	"$prio
empty, no end of file: the queue outlives its senders" "$ex/msgq-hello"
expect "msgq-hello sysv-msg" "$prio
empty, no end of file: the queue outlives its senders" \
	"$ex/msgq-hello" sysv-msg
expect "msgq-hello seqpacket: no priorities, end of file" \
	"no priorities: urgent goes at 0
priority 0, 5 bytes: first
priority 0, 6 bytes: urgent
priority 0, 6 bytes: second
end of file" "$ex/msgq-hello" seqpacket
kipc_case "msgq-hello kipc-msg: priorities and end of file" "$prio
end of file" "$ex/msgq-hello" kipc-msg

out=$("$ex/backends" 2>&1)
st=$?
echo "$out" | sed 's/^/# /'
if [ $st -eq 0 ] && echo "$out" | head -n 1 | grep -qx 'libkipc [0-9]*\.[0-9]*\.[0-9]*'
then ok "backends: the library's version first"
else not_ok "backends: the library's version first"; fi
if echo "$out" | grep -qx 'pipe  *channel available' &&
	echo "$out" | grep -qx 'sysv-shm  *shm  *available'
then ok "backends: pipe and sysv-shm are available"
else not_ok "backends: pipe and sysv-shm are available"; fi
if echo "$out" | grep -qx 'seqpacket  *message  *available'
then ok "backends: seqpacket is a message queue, available"
else not_ok "backends: seqpacket is a message queue, available"; fi
if [ -e /dev/kipc/control ]; then
	if echo "$out" | grep -qx 'kipc-pair  *channel available' &&
		echo "$out" | grep -q '^module [0-9.]*, ABI [0-9]*$'
	then ok "backends: kipc-pair available, the module's version"
	else not_ok "backends: kipc-pair available, the module's version"; fi
	ok "backends: the hint to load the module # SKIP kipc is loaded"
else
	ok "backends: kipc-pair available # SKIP no /dev/kipc/control"
	if echo "$out" | grep -q '^kipc-pair  *channel .*(load it: modprobe kipc)$'
	then ok "backends: without the module, the hint is modprobe kipc"
	else not_ok "backends: without the module, the hint is modprobe kipc"; fi
fi

echo "# $failed failed of $n"
[ $failed -eq 0 ]
