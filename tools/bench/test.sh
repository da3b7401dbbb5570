#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kipc-bench's CI test: its command line, and one `--quick --json -` run
# whose JSON must hold every backend, every size and every field, with
# the summary and every row's unreliable flag.  No timing threshold:
# speed is judged by reading the benchmark, not here; the judging itself
# is tested on a made-up results file (--from) whose verdicts are known.
# Runs in the guest (busybox: no python, so kipc-bench --check-json does
# the parsing) and on the host, where the kipc rows are skipped.  KTAP on
# stdout.
#
#	tools/bench/test.sh PATH/TO/kipc-bench
#
# Where /dev/kipc/control exists (or KIPC_REQUIRE=1) the check is strict:
# no row may be skipped or fail.
set -u
b=${1:?usage: test.sh KIPC_BENCH}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kipc-bench-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

strict=
if [ -e /dev/kipc/control ] || [ "${KIPC_REQUIRE:-0}" = 1 ]; then
	strict=--strict
fi

# result DESC STATUS [REASON]: one KTAP line; STATUS 0 is ok.
result()
{
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1${3:+ # $3}"
		fails=$((fails + 1))
	fi
}

skip()
{
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# show FILE: a failure's evidence, as KTAP diagnostics.
show()
{
	sed -n '1,40s/^/# /p' "$1"
}

# t DESC WANT CMD...: run, compare the exit status.
t()
{
	desc=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		show "$tmp/err"
		result "$desc" 1 "exit $got, want $want"
	else
		result "$desc" 0
	fi
}

# has DESC FILE PATTERN: FILE matches the extended regex.
has()
{
	if grep -Eq -- "$3" "$2"; then
		result "$1" 0
	else
		show "$2"
		result "$1" 1 "no match for: $3"
	fi
}

echo "KTAP version 1"
echo "1..46"

t "--help exits 0" 0 "$b" --help
has "--help prints the usage on stdout" "$tmp/out" "^Usage:"
t "--version exits 0" 0 "$b" --version
has "--version names the results schema" "$tmp/out" "kipc-bench/2"
t "a bad option exits 2" 2 "$b" --frobnicate
has "a bad option prints the usage on stderr" "$tmp/err" "^Usage:"
t "an unknown backend exits 2" 2 "$b" --backends nosuch
t "a bad size exits 2" 2 "$b" --sizes 0
t "a bad --mode exits 2" 2 "$b" --mode fast
t "--list exits 0" 0 "$b" --list
[ "$(grep -Ec '^(pipe|fifo|unix|kipc|sysv|posix)' "$tmp/out")" -eq 21 ]
result "--list shows the 21 backends" $?

# The run: JSON on stdout, table on stderr, CSV in a file; --verify
# checks every byte that went through, so a corrupting channel fails.
"$b" --quick --verify --json - --csv "$tmp/b.csv" >"$tmp/b.json" 2>"$tmp/table"
rc=$?
[ "$rc" -eq 0 ] || show "$tmp/table"
result "kipc-bench --quick --verify --json - exits 0" "$rc" "exit $rc"

"$b" --check-json "$tmp/b.json" $strict >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || show "$tmp/err"
result "the JSON has every backend, size and field${strict:+ (strict)}" "$rc"

# Scaling rows are skipped by design where the run had one CPU.
if [ -n "$strict" ]; then
	! grep -E '"status": "(skipped|error)"' "$tmp/b.json" | grep -vq 'one CPU'
	result "every kipc row was measured" $?
else
	skip "every kipc row was measured" "no kipc module here"
fi

rows=$(grep -c '^    {"backend"' "$tmp/b.json")
has "the table has the throughput section" "$tmp/table" "^Throughput"
has "the table has the latency section" "$tmp/table" "^Latency"
has "the table has the scaling section" "$tmp/table" "^Scaling"

# The summary: after the tables, a line for each family.
last=$(grep -n '^Scaling' "$tmp/table" | cut -d: -f1)
first=$(grep -n '^Summary' "$tmp/table" | cut -d: -f1)
[ -n "$first" ] && [ -n "$last" ] && [ "$first" -gt "$last" ]
result "the --quick output ends with the summary" $? "Summary at ${first:-none}"
fam=0
for f in 'byte channels' 'shared-memory rings' 'latency' 'io_uring' 'scaling' \
	'mapped channels'; do
	sed -n '/^Summary/,$p' "$tmp/table" | grep -q "^$f  " && fam=$((fam + 1))
done
[ "$fam" -eq 6 ]
result "the summary has a line per family" $? "$fam of 6"

# Every row carries its judgement: a flag where it was measured, null
# where it was not (the JSON keeps a row's spread and flag on one line).
okrows=$(grep -c '^    {"backend".*"status": "ok"' "$tmp/b.json")
flags=$(grep -Ec '^     "spread": [0-9][^,]*, "unreliable": (true|false)}' "$tmp/b.json")
nulls=$(grep -c '^     "spread": null, "unreliable": null}' "$tmp/b.json")
[ "$rows" -gt 0 ] && [ "$flags" -eq "$okrows" ] && [ $((flags + nulls)) -eq "$rows" ]
result "every row of the JSON has the unreliable flag" $? \
	"$flags flags, $nulls nulls, $okrows ok of $rows rows"
grep -q '^ *"families": \[' "$tmp/b.json"
result "the JSON has the summary's families" $?

# One CSV line per figure: 1 per throughput/scaling row, 3 per latency row.
lat=$(grep -c '"round_trips"' "$tmp/b.json")
lines=$(grep -vc '^section,' "$tmp/b.csv")
[ "$rows" -gt 0 ] && [ "$lines" -eq $((rows + 2 * lat)) ]
result "the CSV has one line per figure" $? "$lines lines for $rows rows"

# --from reads back what was written, and writes it again intact.
"$b" --from "$tmp/b.json" --no-table --json "$tmp/again.json" 2>"$tmp/err" &&
	"$b" --check-json "$tmp/again.json" $strict >/dev/null 2>>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || show "$tmp/err"
result "--from reads the JSON back and writes it intact" "$rc"

# The checker is not a rubber stamp.
sed 's/"load1"/"lode1"/' "$tmp/b.json" >"$tmp/bad.json"
t "--check-json rejects a missing field" 1 "$b" --check-json "$tmp/bad.json"
echo '{"schema": "kipc-bench/1", ' >"$tmp/bad.json"
t "--check-json rejects broken JSON" 1 "$b" --check-json "$tmp/bad.json"

# ------------------------------------------------------------------
# The judging, on a made-up file: pipe at 100 MB/s +-2% at every size;
# kipc-pair at 50 (slower), 150 (faster), 150 spread from 20 to 300
# (unreliable: no verdict), and 101 +-2% (no clear difference).
row()
{
	printf '    {"backend": "%s", "mechanism": "%s", "transport": "rw", "status": "ok", "size": %s, "reps": 5, "msgs_per_rep": 10,\n' \
		"$1" "$1" "$2"
	printf '     "bytes_per_s": {"median": %se6, "min": %se6, "max": %se6, "q1": %se6, "q3": %se6}}' \
		"$3" "$4" "$5" "$3" "$3"
}
{
	echo '{"schema": "kipc-bench/2", "version": "test",'
	echo ' "host": {"kernel": "Linux test", "machine": "x86_64", "cpus": 2, "cpu_model": "test", "clocksource": "tsc",'
	echo '  "kipc_module": "test", "kipc_reason": null, "io_uring": "ok", "kipc_vm": false, "tcg": false,'
	echo '  "label": "made up by test.sh", "time": "2026-01-01T00:00:00Z", "loadavg_start": null, "loadavg_end": null},'
	echo ' "config": {"reps": 5, "min_time_s": 0.1, "min_rtts": 1000, "cpus": "0-1", "split": false, "quick": false,'
	echo '  "verify": false, "mode": "wall-clock", "sizes": [64, 4096, 65536, 1048576], "pairs": [1],'
	echo '  "scale_size": 65536, "ring_bytes": 1048576, "spin": 0, "backends": ["pipe", "kipc-pair"],'
	echo '  "tests": ["throughput"], "scaling_cpus": 2, "max_spread": 0.25, "min_reps": 3},'
	echo ' "summary": {"rows": 8, "ok": 8, "skipped": 0, "errors": 0, "families": []},'
	echo ' "latency": [], "scaling": [],'
	echo ' "throughput": ['
	for size in 64 4096 65536 1048576; do
		row pipe $size 100 98 102
		echo ,
	done
	row kipc-pair 64 50 49 51
	echo ,
	row kipc-pair 4096 150 147 153
	echo ,
	row kipc-pair 65536 150 20 300
	echo ,
	row kipc-pair 1048576 101 99 103
	printf '\n]}\n'
} >"$tmp/syn.json"

"$b" --from "$tmp/syn.json" --json "$tmp/judged.json" >"$tmp/syn.txt" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || show "$tmp/err"
result "--from reads a made-up results file" "$rc"

# point SIZE: the summary's point at SIZE, one line of the JSON.
point()
{
	grep "^ *{\"size\": $1, \"ratio\"" "$tmp/judged.json"
}
# judged BACKEND SIZE: a row of the JSON, its three lines.
judged()
{
	grep -A2 "^    {\"backend\": \"$1\".*\"size\": $2," "$tmp/judged.json"
}
judged kipc-pair 65536 | grep -q '"unreliable": true}'
result "a row spread from 20 to 300 is unreliable" $?
judged kipc-pair 4096 | grep -q '"unreliable": false}'
result "a row within 2% is not" $?
point 65536 | grep -q '"unreliable": true, "verdict": null}'
result "the unreliable point gets no verdict" $?
point 4096 | grep -q '"unreliable": false, "verdict": "kipc faster"}'
result "a narrow point 1.5x the pipe: kipc faster" $?
point 64 | grep -q '"verdict": "kipc slower"}'
result "a narrow point 0.5x the pipe: kipc slower" $?
point 1048576 | grep -q '"verdict": "no clear difference"}'
result "overlapping narrow points: no clear difference" $?
grep -q '{"family": "byte channels".*"verdict": "mixed", "ranked": 3,' \
	"$tmp/judged.json"
result "the family's verdict is mixed, 3 of 4 points ranked" $?
has "the table flags the wide row" "$tmp/syn.txt" \
	'^kipc-pair +- +64K +150\.0 +20\.00-300\.0 +1\.50 +186\.7%  unreliable$'
has "the summary line gives each size its ratio and mark" "$tmp/syn.txt" \
	'^byte channels +kipc-pair / pipe +64 +0\.50- +4K +1\.50\+ +64K +1\.50\? +1M +1\.01= +=> depends on the size \(3 of 4 sizes ranked\)'
t "--check-json accepts the judged file" 0 "$b" --check-json "$tmp/judged.json"
sed 's/"verdict": "kipc faster"/"verdict": "kipc slower"/' \
	"$tmp/judged.json" >"$tmp/bad.json"
t "--check-json rejects an edited verdict" 1 "$b" --check-json "$tmp/bad.json"
sed '/"size": 65536, "reps"/,/unreliable/s/"unreliable": true/"unreliable": false/' \
	"$tmp/judged.json" >"$tmp/bad.json"
t "--check-json rejects a flag that hides a wide spread" 1 \
	"$b" --check-json "$tmp/bad.json"

# A wider limit judges the same file again: --from reads max_spread.
sed 's/"max_spread": 0.25/"max_spread": 5/' "$tmp/judged.json" >"$tmp/wide.json"
"$b" --from "$tmp/wide.json" --no-table --json - 2>/dev/null |
	grep -q '^ *{"size": 65536, "ratio".*"unreliable": false, "verdict": "no clear difference"}'
result "--from judges by the file's max_spread" $?

# The plot, where gnuplot is (not in the guest): the page says what the
# figures are, and its charts are ratios to the pipe.
if command -v gnuplot >/dev/null 2>&1; then
	sed 's/"mode": "wall-clock"/"mode": "icount"/' "$tmp/judged.json" \
		>"$tmp/icount.json"
	"$b" --from "$tmp/judged.json" --no-table --plot "$tmp/w.svg" \
		2>"$tmp/err" &&
		"$b" --from "$tmp/icount.json" --no-table --plot "$tmp/i.svg" \
			2>>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] || show "$tmp/err"
	result "--plot draws the page" "$rc"
	grep -q 'wall-clock mode' "$tmp/w.svg" &&
		grep -q 'ratio to pipe' "$tmp/w.svg" &&
		grep -q 'icount mode' "$tmp/i.svg" &&
		grep -q 'not speeds' "$tmp/i.svg"
	result "the page says the mode, and that its charts are ratios" $?
else
	skip "--plot draws the page" "no gnuplot here"
	skip "the page says the mode, and that its charts are ratios" \
		"no gnuplot here"
fi

# ------------------------------------------------------------------
# Scaling runs only where the pairs have more than one CPU.
scaling()
{
	"$@" --quick -b pipe -t scaling -P 1,2 -T 0.005 --no-table --json - \
		2>"$tmp/err"
}
scaling "$b" --cpus 0 >"$tmp/s1.json"
rc=$?
[ "$rc" -eq 0 ] || show "$tmp/err"
grep -q '"scaling_cpus": 1,' "$tmp/s1.json" &&
	[ "$(grep -c '"status": "skipped", "reason": "one CPU' "$tmp/s1.json")" -eq 2 ] &&
	! grep -q '"status": "ok"' "$tmp/s1.json" &&
	grep -q '{"family": "scaling".*"note": "one CPU' "$tmp/s1.json"
result "--cpus 0: no scaling row is measured, and the JSON says why" $? \
	"exit $rc"
if command -v taskset >/dev/null 2>&1; then
	scaling taskset -c 0 "$b" >"$tmp/s0.json"
	grep -q '"scaling_cpus": 1,' "$tmp/s0.json" &&
		! grep -q '"status": "ok"' "$tmp/s0.json"
	result "taskset -c 0: no scaling row is measured" $?
else
	skip "taskset -c 0: no scaling row is measured" "no taskset here"
fi
scaling "$b" --cpus all >"$tmp/s2.json"
if grep -q '"scaling_cpus": 1,' "$tmp/s2.json"; then
	skip "--cpus all: the scaling rows are measured" "one CPU here"
else
	[ "$(grep -c '"status": "ok"' "$tmp/s2.json")" -eq 2 ]
	result "--cpus all: the scaling rows are measured" $?
fi
t "--check-json accepts a one-CPU run" 0 "$b" --check-json "$tmp/s1.json"
if grep -q '"status": "ok"' "$tmp/s2.json"; then
	sed 's/"scaling_cpus": [0-9]*,/"scaling_cpus": 1,/' "$tmp/s2.json" \
		>"$tmp/bad.json"
	t "--check-json rejects scaling rows measured on one CPU" 1 \
		"$b" --check-json "$tmp/bad.json"
else
	skip "--check-json rejects scaling rows measured on one CPU" \
		"one CPU here"
fi

echo "# $fails of $n failed"
[ "$fails" -eq 0 ]
