#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job (`make run`): kipc at work, then the comparison.  In a qemu
# guest on the first kernel given, or on this host when its kernel can load
# modules and kipc is loaded (`make load`).  Writes out/bench.json,
# out/bench.svg and out/bench.csv.
#
#	scripts/run.sh KVER...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
out=$top/out
kver=$1
mkdir -p "$out"

if [ -e /proc/modules ] && [ -e /dev/kipc/control ]; then
	echo "=== kipc on this host ($(uname -r))"
	"$top/scripts/demo.sh" "$build" || exit 1
	echo
	echo "=== kipc-bench --quick"
	"$build/tools/kipc-bench" --quick --json "$out/bench.json" \
		--csv "$out/bench.csv" --plot "$out/bench.svg" || exit 1
	exit 0
fi

echo "=== kipc in a qemu guest on $kver (this kernel cannot load modules)"
"$top/scripts/vm/kipc-vm" -k "$kver" -m "$build/$kver/kmod/kipc.ko" \
	--add "$build/tools" --add "$build/userlib" --add "$top/scripts/demo.sh" \
	--add /bin/dash --add /usr/bin/seq --add /usr/bin/sort \
	--add /usr/bin/uniq --add /usr/bin/md5sum \
	-- "$top/scripts/demo.sh" "$build" || exit 1

echo
echo "=== kipc-bench --quick, in the guest (one vCPU, -cpu max,erms=off)"
BENCH_MODES=wallclock "$top/tools/bench/run-bench.sh" "$kver" "$out" \
	--quick || exit 1
for f in json svg csv; do
	cp "$out/wallclock.$f" "$out/bench.$f" 2>/dev/null
done
echo
echo "Wrote $out/bench.json, $out/bench.csv and $out/bench.svg."
echo "Under TCG every number is emulated: compare rows within this run"
echo "(the ratio column), not with native figures."
