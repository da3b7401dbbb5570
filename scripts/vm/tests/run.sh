#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of scripts/vm/kipc-vm, as KTAP on stdout.
#
#   scripts/vm/tests/run.sh [KVER]     (default: first of scripts/deps.sh --kvers)
#
# Boots KVER twelve times, one guest at a time (~1-1.5 min under TCG, 25 s of
# it the timeout case), once with a clone of the repository under /tmp.
# Builds scripts/vm/tests/warn_on_load once per KVER in build/KVER/warn_on_load/.
# Exit status: 0 all passed, 1 a test failed, 4 (kselftest's skip) nothing
# could run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
vm=$top/scripts/vm/kipc-vm
kver=${1:-$("$top/scripts/deps.sh" --kvers | sed -n 1p)}
work=$top/build/$kver/vmtest
moddir=$top/build/$kver/warn_on_load
mod=$moddir/warn_on_load.ko

echo "TAP version 13"
if [[ ! -r /boot/vmlinuz-$kver || ! -e /lib/modules/$kver/build/Makefile ]] ||
	! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP need /boot/vmlinuz-$kver, its headers and qemu-system-x86_64"
	exit 4
fi
echo "1..12"
echo "# kipc-vm tests on $kver"

mkdir -p "$work" "$moddir"
n=0
failed=0

# ok COND DESC: COND is a status, 0 = pass.  On failure, show the run.
ok()
{
	n=$((n + 1))
	if (($1 == 0)); then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		echo "# exit status $rc; stdout, then stderr (last 30 lines):"
		tail -n 30 "$work/out" | sed 's/^/# | /'
		tail -n 30 "$work/err" | sed 's/^/# ! /'
	fi
}

# vm ARG...: run kipc-vm on $kver; sets rc and secs, output in $work/{out,err}.
vm()
{
	local t0=$SECONDS
	rc=0
	"$vm" -k "$kver" "$@" >"$work/out" 2>"$work/err" || rc=$?
	secs=$((SECONDS - t0))
	echo "# kipc-vm $*: status $rc in $secs s"
}

# Build the test module (incrementally: kbuild does nothing if it is fresh).
for f in warn_on_load.c Kbuild; do
	cmp -s "$here/warn_on_load/$f" "$moddir/$f" ||
		cp "$here/warn_on_load/$f" "$moddir/$f"
done
if ! make -C "/lib/modules/$kver/build" M="$moddir" modules \
	>"$work/build.log" 2>&1; then
	sed 's/^/# /' "$work/build.log"
	echo "Bail out! cannot build $moddir"
	exit 1
fi

# Checks that boot nothing.
rc=0
"$vm" --no-such-option >"$work/out" 2>"$work/err" || rc=$?
ok $((rc != 2)) "a bad option exits 2"
rc=0
"$vm" -k "$kver" -m "$work/no-such.ko" true >"$work/out" 2>"$work/err" || rc=$?
ok $((rc != 2)) "a missing module exits 2 without booting"

vm -- exit 3
ok $((rc != 3)) "guest 'exit 3' exits 3"

vm true
ok $((rc != 0 || $(wc -c <"$work/out") != 0)) "guest 'true' exits 0 and prints nothing"

vm -- 'seq 1 2000; printf "no newline"'
r=0
{ seq 1 2000; printf "no newline"; } | cmp -s - "$work/out" || r=1
ok $((rc != 0 || r)) "output of 'seq 1 2000' arrives intact, in order, byte for byte"

vm -t 25 -- sleep 10000
r=0
grep -qx 'kipc-vm: timeout after 25 s' "$work/err" || r=1
ok $((rc != 124 || secs > 35 || r)) "a hung guest is killed by --timeout 25: exit 124, reported"

vm --boot-timeout 1 -- true
r=0
grep -q '^kipc-vm: the guest did not start /init within 1 s' "$work/err" || r=1
ok $((rc != 125 || r)) "a guest that does not reach /init in --boot-timeout: exit 125"

vm -m "$mod" -- true
r=0
grep -q '^kipc-vm: kernel reported a problem' "$work/err" || r=1
grep -q 'WARNING:.*warn_on_load' "$work/err" || r=1
ok $((rc != 1 || r)) "a module that WARNs on load fails 'true' with exit 1, WARN shown"

vm -m "$mod" -p warn=maybe -- true
r=0
grep -q "^kipc-vm: guest: insmod .*warn_on_load.ko failed" "$work/err" || r=1
ok $((rc != 125 || r)) "an insmod failure exits 125 and says so"

# A parameter reaches the first module, modinfo finds it and a clean load
# passes; --add brings a dynamically linked host program with its libraries;
# --cwd and the KIPC_* environment are as documented.
mkdir -p "$work/bin"
printf '%s\n' '#include <math.h>' '#include <stdio.h>' \
	'int main(void) { printf("sqrt %g\n", sqrt(16.0)); return 0; }' \
	>"$work/hello.c"
if gcc -O2 -o "$work/bin/hello" "$work/hello.c" -lm 2>"$work/err"; then
	# shellcheck disable=SC2016 # expanded in the guest
	vm -m "$mod" -p warn=0 --add "$work/bin" --cwd "$work/bin" -- \
		'cat /sys/module/warn_on_load/parameters/warn;' \
		'modinfo -F parm warn_on_load;' \
		'./hello; echo "$KIPC_VM $KIPC_KVER $PWD"'
	r=0
	printf '%s\n' N 'warn:WARN_ON(1) in module init (default: Y)' \
		'sqrt 4' "1 $kver $work/bin" | cmp -s - "$work/out" || r=1
else
	rc=127 r=1
fi
ok $((rc != 0 || r)) "--param reaches the module; modinfo; --add of a dynamic ELF; env"

# A checkout under /tmp (issue 11): a clone of HEAD, staged and entered at
# its host path under /tmp, is there and intact in the guest, whose /tmp is
# still a writable tmpfs of mode 1777.  Outside a git checkout (a tarball),
# a copy of scripts/vm stands in for the clone.
tdir=$(mktemp -d /tmp/kipc-vm-test.XXXXXX)
trap 'rm -rf -- "$tdir"' EXIT
r=0
if git -C "$top" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	git clone -q --no-hardlinks "$top" "$tdir/clone" 2>"$work/err" || r=1
else
	cp -a "$here/.." "$tdir/clone" 2>"$work/err" || r=1
fi
if ((r == 0)) &&
	(cd "$tdir/clone" && find . -type f -exec md5sum -- {} +) >"$tdir/sums"; then
	# shellcheck disable=SC2016 # $PWD is expanded in the guest
	vm --add "$tdir" --cwd "$tdir/clone" -- \
		'echo "$PWD"; stat -c %a /tmp; stat -f -c %T /tmp;' \
		"md5sum -c $tdir/sums >/dev/null && echo intact;" \
		'echo written >/tmp/probe && cat /tmp/probe'
	printf '%s\n' "$tdir/clone" 1777 tmpfs intact written |
		cmp -s - "$work/out" || r=1
else
	: >"$work/out"
	rc=127 r=1
fi
ok $((rc != 0 || r)) "a checkout staged under /tmp is the guest's cwd, intact; /tmp 1777"

# A kernel that dies before /init is booted again, 3 boots in all, each
# failure reported; then exit 125.  No init at all is such a kernel.
vm --append 'rdinit=/no-such-init panic=-1' -- true
r=0
[[ $(grep -c 'the kernel died before /init (boot [12] of 3): booting again' \
	"$work/err") == 2 ]] || r=1
grep -q 'Kernel panic' "$work/err" || r=1
ok $((rc != 125 || r)) "a kernel that dies before /init is booted 3 times, then exit 125"

echo "# $failed of $n failed"
((failed == 0))
