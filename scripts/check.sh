#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every kipc test suite, in order, with one summary line at the end:
#
#	N passed, N failed[, N skipped]
#
# Host suites first (fast, no VM), then the selftests in a qemu guest on each
# kernel given.  Each suite's KTAP result lines are counted; a suite that
# dies before reporting all of its tests counts one more failure.  Called by
# `make check` once the modules and selftests are built.
#
#	scripts/check.sh KVER...
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
logs=$build/logs
mkdir -p "$logs"

total_pass=0
total_fail=0
total_skip=0
summary=()

# count_ktap LOG: sets pass/fail/skip from the result lines of a KTAP log.
count_ktap()
{
	pass=$(grep -E '^ok [0-9]+' "$1" | grep -vc '# SKIP')
	skip=$(grep -E '^ok [0-9]+' "$1" | grep -c '# SKIP')
	fail=$(grep -cE '^not ok [0-9]+' "$1")
	# A program killed (timeout, signal) left tests unreported.
	fail=$((fail + $(grep -cE '^# selftest: .* exited with ([2-9]|[1-9][0-9]+)$' "$1")))
}

# run_suite NAME COMMAND...: run, tee the log, count, remember.
run_suite()
{
	local name=$1 log=$logs/$1.log rc
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	count_ktap "$log"
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "# $name: exited with $rc without a failed test: counted as one failure"
		fail=1
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	summary+=("$(printf '%-34s %4d passed, %3d failed, %3d skipped' \
		"$name" "$pass" "$fail" "$skip")")
}

run_suite host-uapi "$top/tests/uapi.sh"
run_suite host-lint "$top/tests/lint.sh" "$@"
run_suite host-userlib make -s --no-print-directory -C "$top/userlib" check-host
run_suite host-preload "$top/tools/preload/test.sh" "$build/tools"
run_suite host-kipcctl make -s --no-print-directory -C "$top/tools/kipcctl" check-host
run_suite host-dkms "$top/tests/dkms-test.sh" "$@"
run_suite host-bench make -s --no-print-directory -C "$top/tools/bench" check-host
run_suite host-install "$top/tests/install.sh"
run_suite host-vm-runner "$top/scripts/vm/tests/run.sh" "$1"

for kver in "$@"; do
	run_suite "guest-$kver" "$top/scripts/vm/kipc-vm" -k "$kver" \
		-m "$build/$kver/kmod/kipc.ko" \
		--add "$build/selftests" --add "$build/tools" \
		--add "$build/userlib" \
		--add /bin/dash --add /usr/bin/seq --add /usr/bin/sort \
		--add /usr/bin/uniq --add /usr/bin/md5sum --add /usr/bin/cat \
		--add "$top/selftests" --add "$top/tools" --add "$top/scripts" \
		-- "$top/scripts/guest-check.sh" "$build"
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass $total_fail $total_skip" >"$logs/check.totals"
line="$total_pass passed, $total_fail failed"
[ "$total_skip" -gt 0 ] && line="$line, $total_skip skipped"
echo "$line"
[ "$total_fail" -eq 0 ]
