#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Extract the pieces of Debian's linux-source-6.1 that kipc builds with (the
# kselftest harness and checkpatch) into a cache directory, once.  They are
# never copied into the repository.
set -eu
dest=${1:?usage: ksrc.sh DESTDIR}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "ksrc: linux-source-6.1 is not installed" >&2; exit 1; }
stamp="$dest/.stamp"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$tarball $(stat -c %Y "$tarball")" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xaf "$tarball" --wildcards \
	'*/tools/testing/selftests/kselftest.h' \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch'
src=$(echo "$tmp"/linux-source-*)
rm -rf "$dest"
mkdir -p "$dest/include" "$dest/scripts"
cp "$src"/tools/testing/selftests/kselftest*.h "$dest/include/"
cp "$src"/scripts/checkpatch.pl "$src"/scripts/spelling.txt \
	"$src"/scripts/const_structs.checkpatch "$dest/scripts/"
echo "$tarball $(stat -c %Y "$tarball")" >"$stamp"
