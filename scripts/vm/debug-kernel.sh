#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build (or find in the cache) kipc's debug kernel: Debian's linux-source-6.1
# with scripts/vm/debug.config (KASAN, lockdep, kmemleak, KUnit, UBSAN, fault
# injection) on tinyconfig.  Prints the directory holding `bzImage` and a
# tree that out-of-tree modules build against (`make -C DIR M=...`).
#
# The cache lives outside the clone, in $KIPC_KERNEL_CACHE (default
# /var/cache/kipc-kernel), keyed by the fragment, the source package
# version, gcc and libc: its host tools (modpost, objtool) are binaries of
# this machine.  A miss costs a full build: about 7 minutes of two idle
# cores, 15 to 20 with other work running.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
frag=$top/scripts/vm/debug.config
cache_root=${KIPC_KERNEL_CACHE:-/var/cache/kipc-kernel}
jobs=${KIPC_KERNEL_JOBS:-$(nproc)}

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( { cat "$frag"; echo "$srcver"; gcc --version | head -n 1;
	dpkg-query -W -f='${Version}' libc6; } | sha256sum | cut -c1-16)
kdev=$cache_root/$key

if [ -f "$kdev/.complete" ]; then
	echo "$kdev"
	exit 0
fi

log() { echo "debug-kernel: $*" >&2; }

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
ksrc=$work/src
kout=$work/out

log "cache miss ($key): building from linux-source-6.1 $srcver"
mkdir -p "$ksrc" "$kout"
tar -C "$ksrc" --strip-components=1 -xaf /usr/src/linux-source-6.1.tar.xz

make -s -C "$ksrc" O="$kout" ARCH=x86_64 tinyconfig >&2
"$ksrc/scripts/kconfig/merge_config.sh" -O "$kout" -m "$kout/.config" \
	"$frag" >/dev/null
make -s -C "$ksrc" O="$kout" ARCH=x86_64 olddefconfig >&2
missing=$(grep '^CONFIG_' "$frag" | while read -r l; do
	grep -qx "$l" "$kout/.config" || echo "$l"; done)
if [ -n "$missing" ]; then
	log "options the kernel would not take:"
	echo "$missing" >&2
	exit 1
fi

start=$(date +%s)
# "all", not just bzImage: modpost of vmlinux writes the Module.symvers
# that out-of-tree modules link against.
nice -n 19 make -s -C "$ksrc" O="$kout" ARCH=x86_64 -j"$jobs" all >&2
if ! grep -q param_ops_uint "$kout/Module.symvers"; then
	log "no symbols in Module.symvers: modules could not link"
	exit 1
fi
log "built in $(( $(date +%s) - start )) s"

# What an out-of-tree build needs, as Debian's headers packages select it.
stage=$work/kdev
mkdir -p "$stage"
(cd "$ksrc" && { find . arch/x86 -maxdepth 1 -name 'Makefile*';
	find include scripts -type f -o -type l;
	find arch/x86 -name Kbuild.platforms -o -name Platform;
	find $(find arch/x86 -name include -o -name scripts -type d) -type f;
	} | tar -c -T - -f -) | tar -x -C "$stage"
(cd "$kout" && { echo tools/objtool/objtool;
	find arch/x86/include include scripts -type f; echo Module.symvers;
	} | tar -c -T - -f -) | tar -x -C "$stage"
cp "$kout/.config" "$stage/.config"
cp "$kout/arch/x86/boot/bzImage" "$stage/bzImage"
make -s -C "$kout" kernelrelease >"$stage/kernelrelease"

rm -rf "$kdev"
mv "$stage" "$kdev"
touch "$kdev/.complete"
log "cached in $kdev"
echo "$kdev"
