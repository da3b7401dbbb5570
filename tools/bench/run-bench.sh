#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: kipc-bench in the qemu guest, booted twice, because under
# TCG neither boot alone tells the whole story:
#
#   wallclock	--smp 1 --cpu max,erms=off, clocksource=tsc tsc=reliable:
#		real time, as close to native proportions as TCG gets, but
#		moved by whatever else the host runs;
#   icount	--icount (qemu -icount shift=0,sleep=off), same CPU model:
#		guest time counts executed instructions (1 ns each), so a
#		figure repeats to 3-4 digits whatever the host does, but it
#		weighs instructions, not real costs.
#
# kipc-bench is told the mode (--mode), which the table, the summary, the
# JSON and the plot's titles state.  The guest cannot write host files:
# kipc-bench prints its JSON between marker lines on the console, and
# this script splits it off, then draws the SVG on the host (gnuplot is
# not in the guest): one page of eight charts, the ratios to the pipe
# (to POSIX mq for the message queues) per family and the absolute MB/s
# (kipc-bench(1), --plot).
#
#	tools/bench/run-bench.sh KVER OUTDIR [KIPC-BENCH-ARGS...]
#
# Writes OUTDIR/{wallclock,icount}.{json,svg,csv,txt,log} and prints both
# tables, each ending with its summary.  BENCH_MODES="wallclock" (or
# "icount") runs one boot only; extra arguments go to kipc-bench (e.g.
# --quick).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
prog=run-bench.sh

if [ $# -lt 2 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	echo "usage: $prog KVER OUTDIR [KIPC-BENCH-ARGS...]" >&2
	exit 2
fi
kver=$1 out=$2
shift 2
ko=$top/build/$kver/kmod/kipc.ko
bench=$top/build/tools/kipc-bench
vm=$top/scripts/vm/kipc-vm
modes=${BENCH_MODES:-wallclock icount}
begin=@@KIPC-BENCH-JSON-BEGIN@@
end=@@KIPC-BENCH-JSON-END@@

if [ ! -f "$ko" ]; then
	echo "$prog: no $ko (make modules KVER=$kver)" >&2
	exit 1
fi
make -s --no-print-directory -C "$top/tools/bench" || exit 1
mkdir -p "$out" || exit 1

# Arguments for kipc-bench, quoted for the guest's sh -c.
args=
for a in "$@"; do
	args="$args '${a//\'/\'\\\'\'}'"
done

rc=0
for mode in $modes; do
	case $mode in
	wallclock)
		vmargs=(--smp 1 --cpu max,erms=off)
		margs=
		what="wall-clock mode (-smp 1 -cpu max,erms=off, clocksource=tsc)" ;;
	icount)
		vmargs=(--icount --cpu max,erms=off)
		# Figures repeat to 4 digits here: fewer, shorter repetitions
		# say as much, in a third of the time (given arguments win,
		# and --quick is shorter still).
		margs="-r 3 -T 0.05"
		case " $* " in *" --quick "*|*" -Q "*) margs= ;; esac
		what="icount mode (-icount shift=0,sleep=off: 1 instruction = 1 ns)" ;;
	*)
		echo "$prog: unknown mode '$mode' in BENCH_MODES" >&2
		exit 2 ;;
	esac
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	label="$what, host load $load0"
	echo "=== kipc-bench on $kver, $what" >&2
	start=$(date +%s)
	# The table goes to the console first, then the JSON between markers.
	"$vm" -k "$kver" -m "$ko" --add "$top/build/tools" --timeout 5400 \
		"${vmargs[@]}" --append 'clocksource=tsc tsc=reliable' -- \
		"$bench -q --mode $mode --label '$label' --json /tmp/kipc-bench.json $margs $args;" \
		"r=\$?; echo $begin; cat /tmp/kipc-bench.json; echo $end; exit \$r" \
		>"$out/$mode.log" 2>&1
	vrc=$?
	load1=$(cut -d' ' -f1-3 /proc/loadavg)
	tr -d '\r' <"$out/$mode.log" >"$out/$mode.log.tmp" &&
		mv "$out/$mode.log.tmp" "$out/$mode.log"
	sed -n "/^$begin\$/,/^$end\$/p" "$out/$mode.log" | sed '1d;$d' >"$out/$mode.json"
	sed "/^$begin\$/,\$d" "$out/$mode.log" | grep -v '^kipc-vm:' >"$out/$mode.txt"
	echo "host load: $load0 before, $load1 after; $(($(date +%s) - start)) s" \
		>>"$out/$mode.txt"
	if [ "$vrc" -ne 0 ] || [ ! -s "$out/$mode.json" ]; then
		echo "$prog: $mode: the guest run failed (exit $vrc); see $out/$mode.log" >&2
		tail -20 "$out/$mode.log" >&2
		rc=1
		[ -s "$out/$mode.json" ] || continue
	fi
	"$bench" --from "$out/$mode.json" --no-table --plot "$out/$mode.svg" \
		--csv "$out/$mode.csv" || rc=1
done

for mode in $modes; do
	[ -s "$out/$mode.txt" ] || continue
	echo
	echo "=== $mode: $out/$mode.{json,svg,csv}"
	cat "$out/$mode.txt"
done
exit $rc
