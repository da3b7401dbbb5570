#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the kipc selftests where the module is loaded (the qemu guest, or a
# real machine after `make load`): each program's KTAP output in turn, with
# a timeout each, and kipc_module_test last because it unloads the module.
#
#	kipc_run.sh [-t SECONDS] DIR [PROGRAM...]
set -u

timeout_s=900
if [ "${1:-}" = -t ]; then
	timeout_s=$2
	shift 2
fi
dir=${1:?usage: kipc_run.sh [-t SECONDS] DIR [PROGRAM...]}
shift
[ $# -gt 0 ] || set -- kipc_control_test kipc_chan_io_test kipc_chan_api_test \
	kipc_shm_test kipc_mapped_test kipc_msg_test kipc_msg_abi_test \
	kipc_opts_test kipc_chan_open_test \
	kipc_module_test

# A missing module is a failure here, not a skip.
export KIPC_REQUIRE=1
rc=0
for prog in "$@"; do
	[ -x "$dir/$prog" ] || { echo "not ok 1 $prog # missing"; rc=1; continue; }
	echo "# selftest: $prog"
	timeout "$timeout_s" "$dir/$prog"
	st=$?
	if [ $st -ne 0 ]; then
		echo "# selftest: $prog exited with $st"
		rc=1
	fi
done
exit $rc
