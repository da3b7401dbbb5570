#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make lint` as KTAP: checkpatch --strict on the kernel sources, then
# sparse (C=2) with W=1 on each kernel given.
#
#	tests/lint.sh KVER...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
echo "TAP version 13"
echo "1..$(($# + 1))"
fails=0
n=0
step()
{
	n=$((n + 1))
	if out=$(make -s --no-print-directory -C "$top" "$@" 2>&1); then
		echo "$out" | sed 's/^/# /'
		echo "ok $n $desc"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n $desc"
		fails=1
	fi
}
desc="checkpatch --strict"
step _checkpatch
for k in "$@"; do
	desc="sparse C=2 and W=1 on $k"
	step _sparse KVER="$k"
done
exit $fails
