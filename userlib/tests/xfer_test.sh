#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# The example, examples/kipc-xfer, with every backend: two processes, each
# byte checked.  kipc backends skip without /dev/kipc/control, or fail
# with KIPC_REQUIRE=1.  KTAP on stdout.  POSIX sh (busybox in the guest).
#
#	xfer_test.sh [KIPC_XFER]
set -u

here=$(cd "$(dirname "$0")" && pwd)
xfer=${1:-$here/../examples/kipc-xfer}
backends="pipe fifo kipc-pair kipc-named sysv-shm posix-shm kipc-shm kipc-mapped"
n=0
failed=0

echo "TAP version 13"
echo "1..11"

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=$((failed + 1)); }

for b in $backends; do
	case $b in
	kipc-*)
		if [ ! -e /dev/kipc/control ] && [ "${KIPC_REQUIRE:-}" != 1 ]; then
			ok "kipc-xfer --backend $b # SKIP no /dev/kipc/control"
			continue
		fi ;;
	esac
	if out=$("$xfer" --backend "$b" --size 3M --chunk 50000 2>&1); then
		echo "$out" | tail -n 1 | sed "s/^/# /"
		ok "kipc-xfer --backend $b"
	else
		echo "$out" | sed 's/^/# /'
		not_ok "kipc-xfer --backend $b"
	fi
done

"$xfer" --help >/dev/null 2>&1
st=$?
if [ $st -eq 0 ]; then ok "kipc-xfer --help exits 0"; else not_ok "kipc-xfer --help exits 0 (got $st)"; fi
"$xfer" --backend tcp >/dev/null 2>&1
st=$?
if [ $st -eq 2 ]; then ok "kipc-xfer unknown backend exits 2"; else not_ok "kipc-xfer unknown backend exits 2 (got $st)"; fi
"$xfer" --size 0 --backend pipe >/dev/null 2>&1
st=$?
if [ $st -eq 2 ]; then ok "kipc-xfer bad size exits 2"; else not_ok "kipc-xfer bad size exits 2 (got $st)"; fi

echo "# $failed failed of $n"
[ $failed -eq 0 ]
