#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load/unload cycles, in the debug guest: N times insmod kipc.ko, use every
# kind of object (kipc-fuzz --smoke: a pair, a named channel opened, written
# and read, a mapped pair, a message pair, a named message channel opened by
# name, a region got, opened, mapped twice, rung and sealed; then a few
# random operations), close everything, rmmod.  Every other cycle leaves a
# named channel and a region behind: rmmod must then be refused (they pin
# the module), and go through once kipcctl has removed them.  KTAP, one
# line per cycle.  Leaks are for kmemleak, which scripts/guest-debug.sh scans
# after the run; the module is left loaded, as it was found.
#
#	cycles.sh [-n CYCLES] [-o OPS] [-s SEED] [-f KIPC_FUZZ] [-k KIPC_KO]
set -u

here=$(cd "$(dirname "$0")" && pwd)
cycles=100
ops=40
seed=$(date +%s)
fuzz=${KIPC_FUZZ:-$here/../../build/tools/kipc-fuzz}
ko=${KIPC_KO:-/lib/modules/$(uname -r)/extra/kipc.ko}
# The names kipc-fuzz --smoke --leave leaves (tools/fuzz/fuzz.h).
left_name=kcyc-left
left_key=0x6b637963

while getopts n:o:s:f:k: opt; do
	case $opt in
	n) cycles=$OPTARG ;;
	o) ops=$OPTARG ;;
	s) seed=$OPTARG ;;
	f) fuzz=$OPTARG ;;
	k) ko=$OPTARG ;;
	*) echo "usage: cycles.sh [-n CYCLES] [-o OPS] [-s SEED] [-f KIPC_FUZZ] [-k KIPC_KO]" >&2
	   exit 2 ;;
	esac
done

log=${TMPDIR:-/tmp}/kipc-cycles.$$
fails=0

echo "TAP version 13"
echo "1..$cycles"
echo "# cycles: $cycles, $ops random operations each, seeds $seed..$((seed + cycles - 1))"
[ -x "$fuzz" ] || { echo "not ok 1 cycles # no $fuzz"; exit 1; }
kipcctl=$(dirname "$fuzz")/kipcctl
[ -x "$kipcctl" ] || { echo "not ok 1 cycles # no $kipcctl"; exit 1; }
[ -r "$ko" ] || { echo "not ok 1 cycles # no $ko"; exit 1; }

# The runner loaded it: each cycle starts from nothing.
if [ -e /sys/module/kipc ]; then
	rmmod kipc || { echo "not ok 1 cycles # the first rmmod failed"; exit 1; }
fi

# rmmod, waiting for files that the exiting fuzzer's children still hold.
unload()
{
	tries=0
	until rmmod kipc 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -lt 50 ] || { rmmod kipc; return 1; }
		sleep 0.1
	done
}

i=1
while [ $i -le "$cycles" ]; do
	s=$((seed + i - 1))
	leave=
	[ $((i % 2)) -eq 0 ] && leave=--leave
	err=
	if ! insmod "$ko" >"$log" 2>&1; then
		err="insmod failed"
	elif ! "$fuzz" --smoke $leave --seed "$s" --ops "$ops" --procs 1 \
		--threads 2 >>"$log" 2>&1; then
		err="kipc-fuzz --smoke $leave --seed $s --ops $ops --procs 1 --threads 2 failed"
	fi
	if [ -z "$err" ] && [ -n "$leave" ]; then
		if rmmod kipc >>"$log" 2>&1; then
			err="rmmod destroyed a named channel and a region"
		elif ! "$kipcctl" rmchan "$left_name" >>"$log" 2>&1 ||
		     ! "$kipcctl" shm rmkey "$left_key" >>"$log" 2>&1; then
			err="kipcctl could not remove what --leave left"
		fi
	fi
	if [ -e /sys/module/kipc ] && ! unload >>"$log" 2>&1; then
		err="${err:+$err; }rmmod failed (refcnt $(cat /sys/module/kipc/refcnt 2>/dev/null))"
	fi
	if [ -z "$err" ] && [ -e /dev/kipc/control ]; then
		err="/dev/kipc/control still there after rmmod"
	fi
	if [ -z "$err" ] && [ -e /sys/class/kipc ]; then
		err="/sys/class/kipc still there after rmmod"
	fi
	if [ -z "$err" ]; then
		echo "ok $i cycle $i"
	else
		echo "not ok $i cycle $i # $err"
		sed 's/^/# /' "$log"
		fails=$((fails + 1))
		# Get back to a module we can load for the next cycle.
		"$kipcctl" rmchan "$left_name" >/dev/null 2>&1
		"$kipcctl" shm rmkey "$left_key" >/dev/null 2>&1
		[ -e /sys/module/kipc ] && unload >/dev/null 2>&1
	fi
	i=$((i + 1))
done
rm -f "$log"

# As the runner left it: loaded (scripts/guest-debug.sh unloads it itself).
insmod "$ko" || { echo "# the final insmod failed"; fails=$((fails + 1)); }
echo "# cycles: $fails of $cycles failed"
[ "$fails" -eq 0 ]
