#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make install DESTDIR=... PREFIX=/usr` puts every piece where it belongs
# (the module goes through DKMS: tests/dkms-test.sh).  KTAP.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0
fails=0
echo "TAP version 13"
if make -s --no-print-directory -C "$top" install DESTDIR="$d" PREFIX=/usr \
	>"$d.log" 2>&1; then
	echo "ok 1 make install DESTDIR PREFIX=/usr"
else
	sed 's/^/# /' "$d.log"
	echo "not ok 1 make install DESTDIR PREFIX=/usr"
	fails=1
fi
rm -f "$d.log"
n=1
for f in etc/udev/rules.d/60-kipc.rules usr/bin/kipcctl usr/bin/kipc-bench \
	usr/bin/kipc-fuzz usr/share/man/man1/kipc-fuzz.1 \
	usr/include/linux/kipc.h usr/include/kipc.h usr/lib/libkipc.a \
	usr/lib/pkgconfig/libkipc.pc usr/lib/kipc/libkipc-preload.so \
	usr/share/man/man1/kipcctl.1 usr/share/man/man1/kipc-bench.1 \
	usr/share/man/man3/kipc_chan.3 usr/share/man/man4/kipc.4 \
	usr/share/man/man7/kipc.7; do
	n=$((n + 1))
	if [ -e "$d/$f" ]; then
		echo "ok $n installed /$f"
	else
		echo "not ok $n installed /$f"
		fails=$((fails + 1))
	fi
done
n=$((n + 1))
if ls "$d"/usr/lib/libkipc.so.0* >/dev/null 2>&1; then
	echo "ok $n installed /usr/lib/libkipc.so.0"
else
	echo "not ok $n installed /usr/lib/libkipc.so.0"
	fails=$((fails + 1))
fi
echo "1..$n"
[ "$fails" -eq 0 ]
