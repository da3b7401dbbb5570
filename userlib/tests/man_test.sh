#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# The man pages say what the tree has: each page's example program is the
# file in examples/ that the build compiles and examples_test.sh runs
# (line for line, tabs as four spaces, less the file's SPDX line), kipc(4)
# has an entry for every ioctl of <linux/kipc.h>, the pages include
# <libkipc.h>, and every page renders at 80 columns without a warning and
# without a line over 80.  Host only (needs man and groff).  KTAP.
#
#	man_test.sh
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
man=$src/man
uapi=$src/../uapi/linux/kipc.h
tmp=$(mktemp -d "${TMPDIR:-/tmp}/libkipc-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pages="kipc.4 kipc.7 kipc_chan.3 kipc_shm.3 kipc_aio.3 kipc_backend.3
	kipc_ring.3 kipc_msgq.3"
# page:example of each EXAMPLES section's program
examples="kipc.7:hello kipc_chan.3:chan-nonblock kipc_shm.3:shm-doorbell
	kipc_aio.3:aio-echo kipc_backend.3:backends kipc_ring.3:ring-copy
	kipc_msgq.3:msgq-hello"
n=0
failed=0

echo "TAP version 13"
echo "1..$((7 + 1 + 2 * 8 + 1))"

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=$((failed + 1)); }
# check DESC DIAGNOSTIC-FILE: from the status of the command before.
check()
{
	if [ "$1" -eq 0 ]; then
		ok "$2"
	else
		sed 's/^/# /' "$3" | head -n 20
		not_ok "$2"
	fi
}

# The program between .EX and .EE after the page's "example:" comment,
# as C: the roff escapes a C program needs undone.
man_example()
{
	awk -v want="example: userlib/examples/$2.c" '
		index($0, ".\\\" " want) == 1 { found = 1; next }
		found && $0 == ".EX" { inex = 1; next }
		inex && $0 == ".EE" { exit }
		inex { print }' "$man/$1" |
	sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\&//g' -e 's/\\e/\\/g'
}

for pe in $examples; do
	page=${pe%%:*} ex=${pe#*:}
	man_example "$page" "$ex" >"$tmp/man.c"
	tail -n +2 "$src/examples/$ex.c" | expand -t 4 >"$tmp/file.c"
	[ -s "$tmp/man.c" ] && diff -u "$tmp/file.c" "$tmp/man.c" >"$tmp/diff"
	check $? "$page's example is examples/$ex.c" "$tmp/diff"
done

# Every KIPC_IOC_* command has an entry of its own in kipc(4): a tagged
# paragraph, or a paragraph that starts with its name.
: >"$tmp/missing"
for ioc in $(sed -n 's/^#define \(KIPC_IOC_[A-Z_]*\)[[:space:]]*_IO.*/\1/p' "$uapi"); do
	awk -v ioc="$ioc" '(prev == ".TP" || prev == ".PP") && $0 == ".B " ioc {
			found = 1 }
		{ prev = $0 } END { exit !found }' "$man/kipc.4" ||
		echo "no entry for $ioc" >>"$tmp/missing"
done
[ "$(grep -c '_IO' "$uapi")" -gt 10 ] && [ ! -s "$tmp/missing" ]
check $? "kipc(4) has an entry for every ioctl of linux/kipc.h" "$tmp/missing"

for page in $pages; do
	# .TH carries @VERSION@ until install: render what gets installed.
	sed 's/@VERSION@/0.0.0/' "$man/$page" >"$tmp/$page"
	MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$tmp/$page" \
		>"$tmp/out" 2>"$tmp/err"
	[ ! -s "$tmp/err" ] && [ -s "$tmp/out" ]
	check $? "$page renders without a warning" "$tmp/err"
	# wc -L counts characters; awk here counts bytes, enough to show them.
	awk 'length > 80' "$tmp/out" >"$tmp/wide"
	[ "$(LC_ALL=C.UTF-8 wc -L <"$tmp/out")" -le 80 ]
	check $? "$page fits 80 columns" "$tmp/wide"
done

grep -l '^\.B #include <kipc\.h>' "$man"/*.[37] >"$tmp/old" 2>&1
[ $? -eq 1 ]
check $? "the pages include <libkipc.h>, not its old name" "$tmp/old"

echo "# $failed failed of $n"
[ $failed -eq 0 ]
