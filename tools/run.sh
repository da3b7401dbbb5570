#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job (`make run`): boot each kernel in qemu, load kipc and show
# what it registered.
#
#	tools/run.sh KVER...
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for kver in "$@"; do
	echo "=== kipc on $kver"
	"$top/tools/vm/kipc-vm" -k "$kver" -m "$top/build/$kver/kmod/kipc.ko" \
		-- 'modinfo kipc; echo; ls -l /dev/kipc; echo;
		    dmesg | grep -w kipc' || rc=1
done
exit $rc
