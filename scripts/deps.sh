#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install everything kipc needs on Debian bookworm, and nothing newer than
# bookworm: the backports suite is added for the 6.12 kernel only.  The
# kernels of scripts/kernels.conf (series, suite, flavour) have their exact
# package names resolved here and are installed by name (a blanket
# "-t bookworm-backports" would drag in a newer libc and friends).
#
# Fast when all is present: no apt call at all.  "--check" reports what is
# missing and exits 1 instead of installing; "--force" resolves and installs
# the newest kernels even when an older release of each series is present;
# "--kvers" prints the kernel release to use for each line of kernels.conf,
# in its order.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
conf="$top/scripts/kernels.conf"

# Host packages, by purpose.
PKGS_BUILD="build-essential bc bison flex libelf-dev pkg-config xz-utils zstd"
PKGS_VM="qemu-system-x86 busybox-static cpio kmod"
# libjson-c-dev: kipc-bench reads and writes its results with json-c.
PKGS_USER="liburing-dev libjson-c-dev sparse linux-source-6.1 perl gnuplot-nox"
# tests/dkms-test.sh; bookworm's dkms pulls in nothing else.
PKGS_PKG="dkms"
PKGS="$PKGS_BUILD $PKGS_VM $PKGS_USER $PKGS_PKG"

BPO_LIST=/etc/apt/sources.list.d/kipc-bookworm-backports.list

as_root()
{
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "deps: need root or sudo to run: $*" >&2
		exit 1
	fi
}

pkg_installed()
{
	dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

# The newest installed release of series $1 and flavour $2 (amd64,
# rt-amd64) that has an image and headers.  The glob 6.1.*-amd64 also
# matches 6.1.0-57-rt-amd64, so the ABI left once the flavour is cut off
# must hold no flavour of its own (a "-" followed by a letter): each line
# of kernels.conf resolves to its own flavour only.
installed_kver()
{
	for d in $(ls -d /lib/modules/"$1".*-"$2" 2>/dev/null | sort -rV); do
		r=${d##*/}
		abi=${r%-"$2"}
		case "$abi" in "$1".[0-9]*) ;; *) continue ;; esac
		case "$abi" in *-[a-z]*) continue ;; esac
		if [ -r "/boot/vmlinuz-$r" ] && [ -e "$d/build/Makefile" ]; then
			echo "$r"
			return 0
		fi
	done
	return 1
}

missing()
{
	for p in $PKGS; do
		pkg_installed "$p" || echo "$p"
	done
	grep -v '^#' "$conf" | while read -r series suite flavour; do
		[ -n "$series" ] || continue
		installed_kver "$series" "$flavour" >/dev/null ||
			echo "kernel-$series-$flavour"
	done
}

# The ABI (6.1.0-NN, 6.12.NN+debNN) that the linux-image-<flavour>
# metapackage of <suite> depends on: resolve_abi SUITE FLAVOUR.  bookworm
# means its candidate, which includes the security updates; another suite
# is asked for by name.
resolve_abi()
{
	meta=linux-image-$2
	if [ "$1" = bookworm ]; then
		ver=$(apt-cache policy "$meta" | sed -n 's/^ *Candidate: //p')
	else
		ver=$(apt-cache madison "$meta" |
			awk -v s="$1" '$0 ~ s"/" { print $3 }' | sort -V | tail -n 1)
	fi
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 0
	apt-cache show "$meta=$ver" 2>/dev/null |
		sed -n "s/^Depends: .*linux-image-\([^ ,]*\)-$2\([ ,].*\)*\$/\1/p" |
		head -n 1
}

case "${1:-}" in
--kvers)
	grep -v '^#' "$conf" | while read -r series suite flavour; do
		[ -n "$series" ] || continue
		installed_kver "$series" "$flavour" ||
			{ echo "deps: no $series $flavour kernel" >&2; exit 1; }
	done
	exit 0 ;;
--check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "deps: missing:" $m >&2
	exit 1 ;;
esac

m=$(missing)
if [ "${1:-}" != --force ]; then
	[ -z "$m" ] && exit 0
	echo "deps: installing:" $m >&2
fi

if grep -q bookworm-backports "$conf" &&
   ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo 'deb http://deb.debian.org/debian bookworm-backports main' |
		as_root tee "$BPO_LIST" >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q
kpkgs=
for sf in $(grep -v '^#' "$conf" | awk 'NF { print $2 "/" $3 }' | sort -u); do
	suite=${sf%/*}
	flavour=${sf#*/}
	abi=$(resolve_abi "$suite" "$flavour")
	if [ -z "$abi" ]; then
		echo "deps: cannot resolve the $flavour kernel of $suite" >&2
		exit 1
	fi
	kpkgs="$kpkgs linux-image-$abi-$flavour linux-headers-$abi-$flavour"
done
# shellcheck disable=SC2086
as_root apt-get install -y -q --no-install-recommends $PKGS $kpkgs
m=$(missing)
if [ -n "$m" ]; then
	echo "deps: still missing after install:" $m >&2
	exit 1
fi
