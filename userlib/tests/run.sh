#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Run libkipc test programs one after the other, each with a timeout, and
# print their KTAP as they go, in the style of selftests/kipc_run.sh.
# Exits non-zero if any program failed (or died).
#
#	run.sh [-t SECONDS] PROGRAM...
#
# With no PROGRAM, runs the test programs next to this script.  In the
# guest: KIPC_REQUIRE=1 build/userlib/tests/run.sh
set -u

timeout_s=1800
if [ "${1:-}" = -t ]; then
	timeout_s=$2
	shift 2
fi
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here/backend_test" "$here/chan_test" \
	"$here/shm_test" "$here/aio_test" "$here/ring_test" "$here/msgq_test" \
	"$here/xfer_test.sh" "$here/examples_test.sh"

rc=0
for prog in "$@"; do
	name=$(basename "$prog")
	if [ ! -x "$prog" ]; then
		echo "not ok 1 $name # missing"
		rc=1
		continue
	fi
	echo "# selftest: $name"
	timeout "$timeout_s" "$prog"
	st=$?
	if [ $st -ne 0 ]; then
		echo "# selftest: $name exited with $st"
		rc=1
	fi
done
exit $rc
