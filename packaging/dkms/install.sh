#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install kipc's DKMS source tree: exactly what `dkms build` needs, at
# SRCDIR/kipc-VERSION (SRCDIR defaults to /usr/src, under DESTDIR if set),
# with PACKAGE_VERSION taken from kmod/kipc.h.  Prints the directory.
# DKMS wants dkms.conf at the top of that tree: packaging/dkms/dkms.conf
# goes there, beside kmod/ and uapi/ (its paths are relative to that top).
#
#	packaging/dkms/install.sh [SRCDIR]	then: dkms install -m kipc -v VERSION
#	packaging/dkms/install.sh --version	print VERSION only
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^#define KIPC_VERSION_STRING[[:space:]]*"\(.*\)"$/\1/p' \
	"$top/kmod/kipc.h")
[ -n "$version" ] || { echo "packaging/dkms/install.sh: no version in kmod/kipc.h" >&2; exit 1; }

if [ "${1:-}" = --version ]; then
	echo "$version"
	exit 0
fi

dest=${DESTDIR:-}${1:-/usr/src}/kipc-$version
rm -rf "$dest"
mkdir -p "$dest/kmod" "$dest/uapi/linux"
sed "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" \
	"$top/packaging/dkms/dkms.conf" >"$dest/dkms.conf"
# Sources only: no objects that an in-place build may have left in kmod/.
for f in Kbuild Makefile "$top"/kmod/*.c "$top"/kmod/*.h; do
	install -m 0644 "$top/kmod/${f##*/}" "$dest/kmod/"
done
install -m 0644 "$top/uapi/linux/kipc.h" "$dest/uapi/linux/"
echo "$dest"
