#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kipc-bench's CI test: its command line, and one `--quick --json -` run
# whose JSON must hold every backend, every size and every field.  No
# timing threshold: speed is judged by reading the benchmark, not here.
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
echo "1..20"

t "--help exits 0" 0 "$b" --help
has "--help prints the usage on stdout" "$tmp/out" "^Usage:"
t "--version exits 0" 0 "$b" --version
has "--version names the results schema" "$tmp/out" "kipc-bench/1"
t "a bad option exits 2" 2 "$b" --frobnicate
has "a bad option prints the usage on stderr" "$tmp/err" "^Usage:"
t "an unknown backend exits 2" 2 "$b" --backends nosuch
t "a bad size exits 2" 2 "$b" --sizes 0
t "--list exits 0" 0 "$b" --list
[ "$(grep -Ec '^(pipe|fifo|unix|kipc|sysv|posix)' "$tmp/out")" -eq 19 ]
result "--list shows the 19 backends" $?

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

if [ -n "$strict" ]; then
	! grep -Eq '"status": "(skipped|error)"' "$tmp/b.json"
	result "every kipc row was measured" $?
else
	skip "every kipc row was measured" "no kipc module here"
fi

has "the table has the throughput section" "$tmp/table" "^Throughput"
has "the table has the latency section" "$tmp/table" "^Latency"
has "the table has the scaling section" "$tmp/table" "^Scaling"

# One CSV line per figure: 1 per throughput/scaling row, 3 per latency row.
rows=$(grep -c '^    {"backend"' "$tmp/b.json")
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

echo "# $fails of $n failed"
[ "$fails" -eq 0 ]
