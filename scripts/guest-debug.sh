#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the debug-kernel guest: every guest test (scripts/guest-check.sh), then
# what only the debug kernel can tell, as KTAP: the KUnit results of kipc,
# a kmemleak scan (before rmmod, so that traces have symbols),
# rmmod, and the taint and lockdep state.  Kernel reports on the console
# (KASAN, lockdep, UBSAN, BUG, WARNING) fail the run in kipc-vm itself.
#
#	scripts/guest-debug.sh BUILD_DIR
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
rc=0

# Leaks are looked for after the tests (see kmemleak-check.sh).
"$top/scripts/vm/kmemleak-check.sh" --manual
"$top/scripts/guest-check.sh" "$build" || rc=1
echo "# suite: fuzz"
"$build/tools/kipc-fuzz" --ops "${KIPC_FUZZ_OPS:-100000}" || rc=1
echo "# suite: load/unload cycles"
"$top/tools/fuzz/cycles.sh" -f "$build/tools/kipc-fuzz" || rc=1

n=0
fails=0
result()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

echo "# suite: debug kernel"
echo "TAP version 13"
kunit=/sys/kernel/debug/kunit/kipc/results
if [ -r "$kunit" ]; then
	# Each case counts: its result line, one level up, renumbered.
	sed -n 's/^    \(not \)\{0,1\}ok [0-9]* /&/p' "$kunit" |
	while read -r first rest; do
		if [ "$first" = ok ]; then
			echo "0 kunit: ${rest#* }"
		else
			echo "1 kunit: ${rest#ok * }"
		fi
	done >/tmp/kunit.results
	while read -r st desc; do
		result "$st" "$desc"
	done </tmp/kunit.results
	! grep -q '^not ok' "$kunit"
	result $? "kunit: suite kipc"
else
	result 1 "kunit: no results at $kunit"
fi

"$top/scripts/vm/kmemleak-check.sh"
result $? "kmemleak: no suspected leaks"

rmmod kipc
result $? "rmmod kipc"
"$top/scripts/vm/kmemleak-check.sh"
result $? "kmemleak: no suspected leaks after rmmod"

# Taint: only O (out-of-tree, 4096), E (unsigned, 8192), N (test, 262144).
t=$(cat /proc/sys/kernel/tainted)
echo "# tainted: $t"
[ $((t & ~(4096 | 8192 | 262144))) -eq 0 ]
result $? "kernel not tainted by a report"
grep -q 'debug_locks: *1' /proc/lockdep_stats
result $? "lockdep still on (no lockdep report)"

echo "1..$n"
[ "$fails" -eq 0 ] && [ "$rc" -eq 0 ]
