#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every test that needs the module, run where it is loaded (the qemu guest,
# or a real machine after `make load`): the selftests, kipcctl's and
# libkipc's tests, then the module lifecycle test last, because it unloads
# and reloads kipc.
#
#	scripts/guest-check.sh BUILD_DIR
set -u
export KIPC_REQUIRE=1
# Where kipc_module_test loads the module back from (kipc-vm puts it there).
: "${KIPC_KO:=/lib/modules/$(uname -r)/extra/kipc.ko}"
export KIPC_KO
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
rc=0

echo "# suite: selftests"
"$top/selftests/kipc_run.sh" "$build/selftests" kipc_control_test \
	kipc_chan_io_test kipc_chan_api_test kipc_shm_test kipc_fault_test \
	kipc_limits_test kipc_access_test kipc_lock_test kipc_peek_test \
	kipc_mapped_test kipc_msg_test kipc_msg_abi_test kipc_opts_test \
	kipc_chan_open_test || rc=1

echo "# suite: kipcctl"
"$top/tools/kipcctl/test.sh" "$build/tools/kipcctl" || rc=1

echo "# suite: libkipc"
"$build/userlib/tests/run.sh" || rc=1

echo "# suite: preload"
"$top/tools/preload/test.sh" "$build/tools" || rc=1

echo "# suite: kipc-bench"
"$top/tools/bench/test.sh" "$build/tools/kipc-bench" || rc=1

echo "# suite: module lifecycle"
"$top/selftests/kipc_run.sh" "$build/selftests" kipc_module_test || rc=1
exit $rc
