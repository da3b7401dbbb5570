#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kipc-bench's CI test: its command line, and one `--quick --json -` run
# whose JSON must hold every backend, every size and every field, with
# the summary and every row's unreliable flag, the message queues' rows
# included.  No timing threshold: speed is judged by reading the
# benchmark, not here; the judging itself is tested on made-up results
# files (--from) whose verdicts are known.
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
echo "1..69"

t "--help exits 0" 0 "$b" --help
has "--help prints the usage on stdout" "$tmp/out" "^Usage:"
t "--version exits 0" 0 "$b" --version
has "--version names the results schema" "$tmp/out" "kipc-bench/3"
t "a bad option exits 2" 2 "$b" --frobnicate
has "a bad option prints the usage on stderr" "$tmp/err" "^Usage:"
t "an unknown backend exits 2" 2 "$b" --backends nosuch
t "a bad size exits 2" 2 "$b" --sizes 0
t "a message size above 1M exits 2" 2 "$b" --msg-sizes 64,2M
t "an unknown test exits 2" 2 "$b" --tests messages,nosuch
t "a bad --mode exits 2" 2 "$b" --mode fast
t "--list exits 0" 0 "$b" --list
[ "$(grep -Ec '^(pipe|fifo|unix|kipc|sysv|posix|seqpacket)' "$tmp/out")" -eq 25 ]
result "--list shows the 25 backends" $?
grep -Eq '^posix-mq +messages,message_latency ' "$tmp/out"
result "--list gives the message queues their two sections" $?
cp "$tmp/out" "$tmp/list"

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
has "the table has the messages section" "$tmp/table" "^Messages, "
has "the table has the message ping-pong section" "$tmp/table" \
	"^Message ping-pong, "

# The summary: after the tables, a line for each family, and the
# messages family a line for each queue against POSIX mq, twice.
last=$(grep -n '^Message ping-pong' "$tmp/table" | cut -d: -f1)
first=$(grep -n '^Summary' "$tmp/table" | cut -d: -f1)
[ -n "$first" ] && [ -n "$last" ] && [ "$first" -gt "$last" ]
result "the --quick output ends with the summary" $? "Summary at ${first:-none}"
sed -n '/^Summary/,$p' "$tmp/table" >"$tmp/summary"
fam=0
for f in 'byte channels' 'shared-memory rings' 'latency' 'io_uring' 'scaling' \
	'mapped channels' 'messages' 'messages, ping-pong'; do
	grep -q "^$f  " "$tmp/summary" && fam=$((fam + 1))
done
[ "$fam" -eq 8 ]
result "the summary has a line per family" $? "$fam of 8"
lines=0
for q in kipc-msg sysv-msg seqpacket; do
	grep -Eq "^messages +$q / posix-mq " "$tmp/summary" &&
		grep -Eq "^messages, ping-pong +$q / posix-mq " "$tmp/summary" &&
		lines=$((lines + 1))
done
[ "$lines" -eq 3 ]
result "the messages family sets each queue against posix-mq, twice" $? \
	"$lines of 3"

# The message queues' rows, at every message size in both sections:
# measured wherever --list finds the mechanism, unless a system limit
# (named with its /proc/sys file) was in the way and could not be
# raised in a private IPC namespace.
bad=
for q in kipc-msg posix-mq sysv-msg seqpacket; do
	grep "^    {\"backend\": \"$q\"" "$tmp/b.json" >"$tmp/q.rows"
	[ "$(wc -l <"$tmp/q.rows")" -eq 6 ] || bad="$bad $q:count"
	grep -Eq "^$q .*unavailable" "$tmp/list" && continue
	grep -v '"status": "ok"' "$tmp/q.rows" |
		grep -vq '"status": "skipped", "reason": "/proc/sys/' &&
		bad="$bad $q"
done
[ -z "$bad" ]
result "the message rows are measured where the queues are available" $? \
	"not for:$bad"
# msgmax (8 KiB by default) lets no 64 KiB System V message through, not
# even root's: kipc-bench raises it in a private IPC namespace, which
# needs CAP_SYS_ADMIN (bit 21 of CapEff).
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if grep -q '^sysv-msg .*unavailable' "$tmp/list" ||
	[ $((0x${capeff:-0} >> 21 & 1)) -ne 1 ]; then
	skip "a 64 KiB System V message is measured, above msgmax" \
		"no System V messages or no CAP_SYS_ADMIN here"
else
	grep '^    {"backend": "sysv-msg".*"size": 65536' "$tmp/b.json" |
		grep -c '"status": "ok"' | grep -qx 2
	result "a 64 KiB System V message is measured, above msgmax" $?
fi

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
[ "$(grep -c '{"family": "messages", "section": "message' "$tmp/b.json")" -eq 6 ]
result "the JSON has the messages family's six lines" $?

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
sed 's/"ratio_to_posix_mq"/"ratio_to_pipe"/' "$tmp/b.json" >"$tmp/bad.json"
t "--check-json wants the message rows' ratio to posix-mq" 1 \
	"$b" --check-json "$tmp/bad.json"

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
point 4096 | grep -q '"unreliable": false, "verdict": "faster"}'
result "a narrow point 1.5x the pipe: faster" $?
point 64 | grep -q '"verdict": "slower"}'
result "a narrow point 0.5x the pipe: slower" $?
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
t "--check-json checks the current schema only" 1 \
	"$b" --check-json "$tmp/syn.json"
sed 's/"verdict": "faster"/"verdict": "slower"/' \
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

# The messages family, on a made-up file: POSIX mq at 100 MB/s +-2% and
# a 10 us round trip +-2% at every size; kipc-msg 1.5x the rate and half
# the time (faster), sysv-msg half the rate and twice the time (slower),
# seqpacket 101 MB/s +-2% (no clear difference) and a round trip spread
# from 5 to 30 us (unreliable: no verdict).
rtt_row()
{
	printf '    {"backend": "%s", "mechanism": "%s", "transport": "msgq", "status": "ok", "capacity": 65536, "size": %s, "reps": 5, "round_trips": 1000,\n' \
		"$1" "$1" "$2"
	printf '     "rtt_ns": {"p50": {"median": %se3, "min": %se3, "max": %se3, "q1": %se3, "q3": %se3},\n' \
		"$3" "$4" "$5" "$3" "$3"
	printf '      "p99": {"median": 50e3, "min": 50e3, "max": 50e3, "q1": 50e3, "q3": 50e3},\n'
	printf '      "p999": {"median": 90e3, "min": 90e3, "max": 90e3, "q1": 90e3, "q3": 90e3}}}'
}
{
	sed -n '1,4p' "$tmp/syn.json" | sed 's,kipc-bench/2,kipc-bench/3,'
	echo ' "config": {"reps": 5, "min_time_s": 0.1, "min_rtts": 1000, "cpus": "0-1", "split": false, "quick": false,'
	echo '  "verify": false, "mode": "wall-clock", "sizes": [64], "msg_sizes": [64, 4096, 65536], "pairs": [1],'
	echo '  "scale_size": 65536, "ring_bytes": 1048576, "spin": 0,'
	echo '  "backends": ["pipe", "kipc-msg", "posix-mq", "sysv-msg", "seqpacket"],'
	echo '  "tests": ["messages", "message_latency"], "scaling_cpus": 2, "max_spread": 0.25, "min_reps": 3},'
	echo ' "summary": {"rows": 24, "ok": 24, "skipped": 0, "errors": 0, "families": []},'
	echo ' "throughput": [], "latency": [], "scaling": [],'
	echo ' "messages": ['
	sep=
	for size in 64 4096 65536; do
		for q in 'posix-mq 100 98 102' 'kipc-msg 150 147 153' \
			'sysv-msg 50 49 51' 'seqpacket 101 99 103'; do
			set -- $q
			printf '%s' "$sep"
			row "$1" "$size" "$2" "$3" "$4" |
				sed 's/"rw"/"msgq", "capacity": 65536/'
			sep=',
'
		done
	done
	printf '\n],\n "message_latency": [\n'
	sep=
	for size in 64 4096 65536; do
		for q in 'posix-mq 10 9.8 10.2' 'kipc-msg 5 4.9 5.1' \
			'sysv-msg 20 19.6 20.4' 'seqpacket 10 5 30'; do
			set -- $q
			printf '%s' "$sep"
			rtt_row "$1" "$size" "$2" "$3" "$4"
			sep=',
'
		done
	done
	printf '\n]}\n'
} >"$tmp/msg.json"
"$b" --from "$tmp/msg.json" --json "$tmp/msgj.json" >"$tmp/msg.txt" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || show "$tmp/err"
result "--from reads a made-up file of message rows" "$rc"
t "--check-json accepts it, judged" 0 "$b" --check-json "$tmp/msgj.json"
# mfamily SECTION BACKEND: the JSON's line of the messages family.
mfamily()
{
	grep "{\"family\": \"messages\", \"section\": \"$1\", \"backend\": \"$2\"" \
		"$tmp/msgj.json"
}
mfamily messages kipc-msg | grep -q '"baseline": "posix-mq", "verdict": "faster", "ranked": 3,' &&
	mfamily messages sysv-msg | grep -q '"verdict": "slower", "ranked": 3,' &&
	mfamily messages seqpacket | grep -q '"verdict": "no clear difference", "ranked": 3,'
result "messages: 1.5x posix-mq faster, 0.5x slower, 1.01x no clear difference" $?
mfamily message_latency kipc-msg | grep -q '"verdict": "faster", "ranked": 3,' &&
	mfamily message_latency sysv-msg | grep -q '"verdict": "slower", "ranked": 3,' &&
	mfamily message_latency seqpacket | grep -q '"verdict": null, "ranked": 0,'
result "ping-pong: half posix-mq's time faster, twice slower, a wide spread none" $?
grep -A1 '^    {"backend": "sysv-msg".*"size": 4096' "$tmp/msgj.json" |
	grep -q '"ratio_to_posix_mq": 0.5,' &&
	! grep -q '"ratio_to_pipe"' "$tmp/msgj.json"
result "message rows have their ratio to posix-mq, not to the pipe" $?
has "the summary gives kipc-msg its ratios to posix-mq" "$tmp/msg.txt" \
	'^messages +kipc-msg / posix-mq +64 +1\.50\+ +4K +1\.50\+ +64K +1\.50\+ +=> kipc faster$'
has "the summary names the other queue in its verdict" "$tmp/msg.txt" \
	'^messages +sysv-msg / posix-mq +64 +0\.50- +4K +0\.50- +64K +0\.50- +=> sysv-msg slower$'
has "a ping-pong line reads a time ratio below 1 as faster" "$tmp/msg.txt" \
	'^messages, ping-pong +kipc-msg / posix-mq +64 +0\.50\+ +4K +0\.50\+ +64K +0\.50\+ +=> kipc faster$'
has "an unreliable ping-pong line has no verdict" "$tmp/msg.txt" \
	'^messages, ping-pong +seqpacket / posix-mq +64 +1\.00\? .*=> no verdict: unreliable$'
has "the table gives a message row its messages a second" "$tmp/msg.txt" \
	'^kipc-msg +64K +4K +150\.0 +36621 +147\.0-153\.0 +1\.50 +4\.0%$'
sed '/"section": "message_latency", "backend": "sysv-msg"/s/"verdict": "slower"/"verdict": "faster"/' \
	"$tmp/msgj.json" >"$tmp/bad.json"
t "--check-json rejects an edited verdict of the messages family" 1 \
	"$b" --check-json "$tmp/bad.json"
sed '/^    {"backend": "seqpacket".*"size": 4096/,/"unreliable"/d' \
	"$tmp/msgj.json" >"$tmp/bad.json"
t "--check-json wants a message row at every message size" 1 \
	"$b" --check-json "$tmp/bad.json"

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
