#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel (built on a cache miss by debug-kernel.sh) and kipc.ko
# built against it with W=1 -Werror into BUILD/debug/kmod, for make
# check-debug and make fuzz.  Prints the kernel's build directory.
#
#	scripts/vm/debug-module.sh BUILD_DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kmod=$1/debug/kmod

kdev=$("$top/scripts/vm/debug-kernel.sh") || exit 1
mkdir -p "$kmod" || exit 1
ln -sf "$top"/kmod/*.c "$top"/kmod/*.h "$top/kmod/Kbuild" "$kmod/"
make -s -C "$kdev" M="$kmod" KIPC_UAPI="$top/uapi" \
	KIPC_VERSION="$(cat "$top/VERSION")" KIPC_WERROR=y W=1 \
	modules >&2 || exit 1
echo "$kdev"
