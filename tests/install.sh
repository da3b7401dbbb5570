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
	usr/include/linux/kipc.h usr/include/libkipc.h usr/include/kipc.h \
	usr/lib/libkipc.a usr/share/man/man8/kipc-preload.8 \
	usr/share/man/man8/libkipc-preload.so.8 \
	usr/lib/pkgconfig/libkipc.pc usr/lib/kipc/libkipc-preload.so \
	usr/share/man/man1/kipcctl.1 usr/share/man/man1/kipc-bench.1 \
	usr/share/bash-completion/completions/kipcctl \
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

# check DESC COMMAND...: one KTAP line from the command's status.
check()
{
	local desc=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $desc"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok $n $desc"
		fails=$((fails + 1))
	fi
}

# man NAME finds PAGE in the installed tree, and renders it.
man_finds()
{
	local got
	got=$(man -M "$d/usr/share/man" -w "$1") &&
	[ "$got" = "$d/usr/share/man/$2" ] &&
	MANWIDTH=80 man -M "$d/usr/share/man" "$1" 2>/dev/null |
		grep -q "$3"
}

check "man kipc-preload finds kipc-preload(8)" \
	man_finds kipc-preload man8/kipc-preload.8 'LD_PRELOAD'
check "man libkipc-preload.so finds kipc-preload(8)" \
	man_finds libkipc-preload.so man8/kipc-preload.8 'LD_PRELOAD'
check "man kipc_chan_read finds kipc_chan(3)" \
	man_finds kipc_chan_read man3/kipc_chan.3 'kipc_chan_read'

# The library's header is <libkipc.h>; <kipc.h> is its old name, and the
# module's ABI is only <linux/kipc.h>, as in the tree.
headers()
{
	cmp "$top/uapi/linux/kipc.h" "$d/usr/include/linux/kipc.h" &&
	cmp "$top/userlib/include/libkipc.h" "$d/usr/include/libkipc.h" &&
	grep -q '^#include "libkipc.h"$' "$d/usr/include/kipc.h" &&
	[ -z "$(find "$d" -name kipc.h ! -path '*/usr/include/kipc.h' \
		! -path '*/usr/include/linux/kipc.h')" ]
}
check "headers: libkipc.h, kipc.h including it, linux/kipc.h the ABI" headers

echo "1..$n"
[ "$fails" -eq 0 ]
