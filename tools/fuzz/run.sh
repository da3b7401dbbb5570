#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make fuzz`: kipc-fuzz in a guest booting kipc's debug kernel (KASAN,
# lockdep, kmemleak, UBSAN), then two kmemleak scans; any kernel report
# fails the run (kipc-vm scans the console).  Ends with "N passed, N failed".
#
#	tools/fuzz/run.sh [KIPC-FUZZ OPTION...]
#
# FUZZ_OPS (default 100000), FUZZ_SEED (default: a new one, printed),
# FUZZ_PROCS and FUZZ_THREADS (default 2 and 2) set the run; the options
# given are passed on to kipc-fuzz after them.  A guest of its own does
# about 1000 operations a second under TCG: 10^6 took 16.5 minutes here.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
logs=$build/logs
mkdir -p "$logs"

make -s -C "$top/tools/fuzz" OUTPUT="$build/tools" || exit 1
kdev=$("$top/scripts/vm/debug-module.sh" "$build") || exit 1
krel=$(cat "$kdev/kernelrelease")
kmod=$build/debug/kmod

ops=${FUZZ_OPS:-100000}
args="--ops $ops --procs ${FUZZ_PROCS:-2} --threads ${FUZZ_THREADS:-2}"
[ -n "${FUZZ_SEED:-}" ] && args="$args --seed $FUZZ_SEED"
args="$args $*"
# Room for a slow machine: a quarter of the expected rate, plus the boot.
timeout=$((ops / 50 + 600))

guest="$top/scripts/vm/kmemleak-check.sh --manual
$build/tools/kipc-fuzz $args; rc=\$?
if $top/scripts/vm/kmemleak-check.sh; then echo 'ok 2 kmemleak: no suspected leaks'
else echo 'not ok 2 kmemleak: suspected leaks, or kmemleak not running'; rc=1; fi
exit \$rc"

log=$logs/fuzz.log
"$top/scripts/vm/kipc-vm" -k "$krel" --image "$kdev/bzImage" \
	-m "$kmod/kipc.ko" -t "$timeout" --append kasan_multi_shot \
	--add "$build/tools" --add "$top/scripts/vm/kmemleak-check.sh" -- "$guest" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# A kernel report fails the run even when a test failed as well.
if grep -q '^kipc-vm: kernel reported a problem' "$log"; then
	echo "not ok 3 kernel console: a report (above)" | tee -a "$log"
else
	echo "ok 3 kernel console: no report" | tee -a "$log"
fi

pass=$(grep -cE '^ok [0-9]+' "$log")
fail=$(grep -cE '^not ok [0-9]+' "$log")
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "# fuzz: the guest exited with $rc (a kernel report?): one failure"
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
