#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In a debug-kernel guest: scan for leaks and print what kmemleak
# suspects.  Two scans, because a new object is reported only once its
# checksum is stable across two.  Exits 0 when nothing is suspected, 1 with
# suspects, 2 when kmemleak is not running (disabled at boot, or turned
# itself off after an error): "no report" then proves nothing.
#
# With --watch, runs until killed and prints kmemleak's report each time
# its own periodic scan logs new suspects, so that a run failed by that
# console line also shows which objects and where they were allocated.
#
#	tools/vm/kmemleak-check.sh [--watch]
leaks=/sys/kernel/debug/kmemleak

if [ "${1:-}" = --watch ]; then
	seen=0
	while sleep 15; do
		n=$(dmesg | grep -c 'kmemleak: [0-9]* new suspected')
		[ "$n" -gt "$seen" ] || continue
		seen=$n
		echo "# kmemleak's periodic scan suspects:"
		sed 's/^/#   /' "$leaks"
	done
	exit 0
fi

if ! { echo scan >"$leaks" && sleep 5 && echo scan >"$leaks"; } 2>/dev/null
then
	echo "# kmemleak is not running; its last words:"
	dmesg | grep 'kmemleak' | tail -n 3 | sed 's/^/#   /'
	exit 2
fi
report=$(cat "$leaks") || exit 2
[ -z "$report" ] && exit 0
echo "$report" | sed 's/^/# /'
exit 1
