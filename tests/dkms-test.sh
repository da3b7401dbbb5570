#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging, on the host, as root: install the source tree to
# /usr/src/kipc-VERSION, `dkms add`, then `dkms build` and `dkms install`
# for each kernel of `scripts/deps.sh --kvers` (the vermagic of each module
# checked against the kernel's own modules), and `dkms remove --all` to
# leave the machine as it was.  KTAP on stdout.
#
#	tests/dkms-test.sh [KVER...]
#
# Needs root and the dkms package (scripts/deps.sh installs it).  A kipc of
# the same version already known to DKMS is removed first.  If no DKMS
# signing key existed, the one `dkms build` makes (/var/lib/dkms/mok.*) is
# removed at the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
n=0
fails=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

report()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		[ -s "$log" ] && tail -n 25 "$log" | sed 's/^/# /'
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
	: >"$log"
}

# run DESC CMD...: a command that must succeed; its output goes to the log.
run()
{
	desc=$1
	shift
	"$@" >"$log" 2>&1
	report $? "$desc"
}

echo "TAP version 13"
if [ "$(id -u)" -ne 0 ] || ! command -v dkms >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and dkms (scripts/deps.sh installs dkms)"
	exit 0
fi

ver=$("$top/packaging/dkms/install.sh" --version)
if [ $# -gt 0 ]; then
	kvers=$*
else
	kvers=$("$top/scripts/deps.sh" --kvers) || exit 1
fi
kvers=$(printf '%s\n' "$kvers" | tr '\n' ' ')
kvers=${kvers% }
echo "# kipc $ver, kernels: $kvers"
mok_existed=0
[ -e /var/lib/dkms/mok.key ] && mok_existed=1

# The dkms.conf that install.sh installs carries the tree's VERSION.
conf_ver=$(sed "s/@VERSION@/$ver/" "$top/packaging/dkms/dkms.conf" |
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p')
[ "$conf_ver" = "$ver" ] && [ "$ver" = "$(cat "$top/VERSION")" ]
report $? "dkms.conf PACKAGE_VERSION is VERSION's $ver" "dkms.conf says '$conf_ver'"

# The kernels dkms.conf accepts: 6.1 and later.
bash -c '. "$1/packaging/dkms/dkms.conf"; for k in 6.1.0-99-amd64 6.1.0-99-rt-amd64 6.12.95+deb12-amd64 6.19.1 7.0.0 10.1.0; do
	[[ $k =~ $BUILD_EXCLUSIVE_KERNEL ]] || { echo "rejects $k"; exit 1; }; done
	for k in 5.10.0-30-amd64 6.0.12 4.19.0; do
	[[ $k =~ $BUILD_EXCLUSIVE_KERNEL ]] && { echo "accepts $k"; exit 1; }; done; exit 0' \
	sh "$top" >"$log" 2>&1
report $? "BUILD_EXCLUSIVE_KERNEL takes 6.1 and later, nothing older"

if dkms status -m kipc -v "$ver" 2>/dev/null | grep -q .; then
	echo "# removing a kipc/$ver that DKMS already had"
	dkms remove -m kipc -v "$ver" --all >/dev/null 2>&1
fi

src=$("$top/packaging/dkms/install.sh" 2>"$log")
report $? "the source tree installs to /usr/src/kipc-$ver"
[ "$src" = "/usr/src/kipc-$ver" ] && [ -f "$src/dkms.conf" ] &&
	[ -f "$src/kmod/Kbuild" ] && [ -f "$src/kmod/kipc_chan.c" ] &&
	[ -f "$src/uapi/linux/kipc.h" ] && ! ls "$src"/kmod/*.o >/dev/null 2>&1
report $? "it holds dkms.conf, kmod/ sources and uapi/, and no objects" \
	"$(find "$src" 2>&1)"

run "dkms add" dkms add -m kipc -v "$ver"
dkms status -m kipc -v "$ver" >"$log" 2>&1
grep -q "^kipc/$ver: added" "$log"
report $? "dkms status says added"

for k in $kvers; do
	run "dkms build -k $k" dkms build -m kipc -v "$ver" -k "$k"
	ko=$(find /var/lib/dkms/kipc/"$ver"/"$k" -path '*/module/kipc.ko*' \
		2>/dev/null | head -n 1)
	[ -n "$ko" ]
	report $? "$k: the built module is kept by DKMS" \
		"$(find /var/lib/dkms/kipc/"$ver" 2>&1)"
	magic=$(modinfo -F vermagic "$ko" 2>&1)
	ref=$(find /lib/modules/"$k"/kernel -name '*.ko*' 2>/dev/null | head -n 1)
	case $magic in "$k "*) true ;; *) false ;; esac
	report $? "$k: vermagic names the kernel" "vermagic: $magic"
	if [ -n "$ref" ]; then
		[ "$magic" = "$(modinfo -F vermagic "$ref")" ]
		report $? "$k: vermagic is that of the kernel's own modules" \
			"kipc: $magic; ${ref##*/}: $(modinfo -F vermagic "$ref")"
	else
		n=$((n + 1))
		echo "ok $n $k: vermagic is that of the kernel's own modules # SKIP no linux-image modules"
	fi
	[ "$(modinfo -F version "$ko" 2>&1)" = "$ver" ]
	report $? "$k: modinfo version is $ver"
	bad=
	for p in $(sed -n 's/^#*options kipc //p' "$top/packaging/modprobe.d/kipc.conf" |
			tr ' ' '\n' | sed 's/=.*//'); do
		modinfo -F parm "$ko" | grep -q "^$p:" || bad="$bad $p"
	done
	[ -z "$bad" ]
	report $? "$k: packaging/modprobe.d/kipc.conf names only kipc's parameters" \
		"not parameters of kipc:$bad"

	run "dkms install -k $k" dkms install -m kipc -v "$ver" -k "$k"
	inst=$(ls /lib/modules/"$k"/updates/dkms/kipc.ko* 2>/dev/null)
	[ -n "$inst" ]
	report $? "$k: installed under /lib/modules/$k/updates/dkms"
	[ -n "$inst" ] && [ "$(modinfo -k "$k" -F filename kipc 2>&1)" = "$inst" ]
	report $? "$k: depmod ran: modinfo -k $k kipc finds it" \
		"$(modinfo -k "$k" -F filename kipc 2>&1)"
	dkms status -m kipc -v "$ver" -k "$k" >"$log" 2>&1
	grep -q "installed" "$log"
	report $? "$k: dkms status says installed"
done

run "dkms remove --all" dkms remove -m kipc -v "$ver" --all
left=$(dkms status -m kipc 2>&1; for k in $kvers; do
	ls /lib/modules/"$k"/updates/dkms/kipc.ko* 2>/dev/null; done;
	ls -d /var/lib/dkms/kipc 2>/dev/null)
[ -z "$left" ]
report $? "nothing of kipc is left with DKMS or in /lib/modules" "$left"
rm -rf "/usr/src/kipc-$ver"
if [ "$mok_existed" = 0 ]; then
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
fi

echo "1..$n"
[ "$fails" -eq 0 ]
