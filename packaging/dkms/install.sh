#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install kipc's DKMS source tree: exactly what `dkms build` needs, at
# SRCDIR/kipc-VERSION (SRCDIR defaults to /usr/src, under DESTDIR if set),
# with PACKAGE_VERSION taken from the tree's VERSION file.  Prints the
# directory.
# DKMS wants dkms.conf at the top of that tree: packaging/dkms/dkms.conf
# goes there, beside kmod/ and uapi/ (its paths are relative to that top).
#
#	packaging/dkms/install.sh [SRCDIR]	then: dkms install -m kipc -v VERSION
#	packaging/dkms/install.sh --version	print VERSION only
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(cat "$top/VERSION" 2>/dev/null) || version=
case $version in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "packaging/dkms/install.sh: no MAJOR.MINOR.PATCH in $top/VERSION" >&2; exit 1 ;;
esac

if [ "${1:-}" = --version ]; then
	echo "$version"
	exit 0
fi

dest=${DESTDIR:-}${1:-/usr/src}/kipc-$version
rm -rf "$dest"
mkdir -p "$dest/kmod" "$dest/uapi/linux"
sed "s/@VERSION@/$version/" \
	"$top/packaging/dkms/dkms.conf" >"$dest/dkms.conf"
# Sources only: no objects that an in-place build may have left in kmod/.
for f in Kbuild Makefile "$top"/kmod/*.c "$top"/kmod/*.h; do
	install -m 0644 "$top/kmod/${f##*/}" "$dest/kmod/"
done
install -m 0644 "$top/uapi/linux/kipc.h" "$dest/uapi/linux/"
install -m 0644 "$top/VERSION" "$dest/"
echo "$dest"
