#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In a debug-kernel guest: scan for leaks and print what kmemleak
# suspects.  Two scans, because a new object is reported only once its
# checksum is stable across two.  Exits 0 when nothing is suspected, 1 with
# suspects, 2 when kmemleak is not running (disabled at boot, or turned
# itself off after an error): "no report" then proves nothing.
#
# With --manual, stops kmemleak's periodic scan instead (run it before
# the workload).  That scan runs every 10 minutes during the workload and
# reports an object unreferenced in a single scan: a VMA whose only
# pointer was moving between maple-tree nodes under a concurrent mmap or
# mprotect is such a false positive, reported once and gone by the next
# scan.  A real leak stays unreferenced, so the scans this script makes
# after the workload, with nothing else running, still find it.
#
#	scripts/vm/kmemleak-check.sh [--manual]
leaks=/sys/kernel/debug/kmemleak

if [ "${1:-}" = --manual ]; then
	echo scan=off >"$leaks"
	exit
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
