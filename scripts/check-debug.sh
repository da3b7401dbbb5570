#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: every guest test on kipc's debug kernel (KASAN,
# lockdep, kmemleak, KUnit, UBSAN), plus the debug-only checks of
# scripts/guest-debug.sh, counted like `make check`.  Builds the kernel on a
# cache miss (scripts/vm/debug-kernel.sh).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
logs=$build/logs
mkdir -p "$logs"

rm -f "$logs/check-debug.totals"
kdev=$("$top/scripts/vm/debug-module.sh" "$build") || exit 1
krel=$(cat "$kdev/kernelrelease")
kmod=$build/debug/kmod

log=$logs/guest-debug.log
"$top/scripts/vm/kipc-vm" -k "$krel" --image "$kdev/bzImage" \
	-m "$kmod/kipc.ko" -t 2400 --append kasan_multi_shot \
	--add "$build/selftests" --add "$build/tools" --add "$build/userlib" \
	--add /bin/dash --add /usr/bin/seq --add /usr/bin/sort \
	--add /usr/bin/uniq --add /usr/bin/md5sum --add /usr/bin/cat \
	--add "$top/selftests" --add "$top/tools" --add "$top/scripts" \
	-- "$top/scripts/guest-debug.sh" "$build" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# The leak checks above prove something only if kmemleak runs: with it off,
# the check must fail rather than report "no leaks".
off=$("$top/scripts/vm/kipc-vm" -k "$krel" --image "$kdev/bzImage" -t 300 \
	--append kmemleak=off --add "$top/scripts/vm/kmemleak-check.sh" \
	-- "$top/scripts/vm/kmemleak-check.sh; echo kmemleak-check=\$?" 2>&1)
if echo "$off" | grep -qx 'kmemleak-check=2'; then
	echo "ok 1 kmemleak-check: fails when kmemleak is off" | tee -a "$log"
else
	echo "$off" | sed 's/^/# /' | tee -a "$log"
	echo "not ok 1 kmemleak-check: passed with kmemleak off" | tee -a "$log"
fi

# A kernel report fails the run even when a test failed as well.
if grep -q '^kipc-vm: kernel reported a problem' "$log"; then
	echo "not ok 2 kernel console: a report (above)" | tee -a "$log"
else
	echo "ok 2 kernel console: no report" | tee -a "$log"
fi

pass=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')
skip=$(grep -E '^ok [0-9]+' "$log" | grep -c '# SKIP')
fail=$(grep -cE '^not ok [0-9]+' "$log")
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "# guest-debug: exited with $rc without a failed test: counted as one failure"
	fail=1
fi
echo "$pass $fail $skip" >"$logs/check-debug.totals"
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
