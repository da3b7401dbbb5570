#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install everything kipc needs on Debian bookworm, and nothing newer than
# bookworm: the backports suite is added for the 6.12 kernel only, whose exact
# package names are resolved here and installed by name (a blanket
# "-t bookworm-backports" would drag in a newer libc and friends).
#
# Fast when all is present: no apt call at all.  "--check" reports what is
# missing and exits 1 instead of installing; "--force" resolves and installs
# the newest kernels even when an older release of each series is present;
# "--kvers" prints the kernel release to use for each series.
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

# The newest installed release of a series that has an image and headers.
installed_kver()
{
	for d in $(ls -d /lib/modules/"$1".*-amd64 /lib/modules/"$1"-*-amd64 \
			2>/dev/null | sort -rV); do
		r=${d##*/}
		case "$r" in "$1".[0-9]*-*|"$1".0-*) ;; *) continue ;; esac
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
	grep -v '^#' "$conf" | while read -r series suite; do
		[ -n "$series" ] || continue
		installed_kver "$series" >/dev/null || echo "kernel-$series"
	done
}

# The ABI (6.1.0-NN, 6.12.NN+debNN) that the linux-image-amd64 metapackage
# of <suite> depends on.  bookworm means its candidate, which includes the
# security updates; another suite is asked for by name.
resolve_abi()
{
	if [ "$1" = bookworm ]; then
		ver=$(apt-cache policy linux-image-amd64 |
			sed -n 's/^ *Candidate: //p')
	else
		ver=$(apt-cache madison linux-image-amd64 |
			awk -v s="$1" '$0 ~ s"/" { print $3 }' | sort -V | tail -n 1)
	fi
	[ -n "$ver" ] || return 0
	apt-cache show "linux-image-amd64=$ver" 2>/dev/null |
		sed -n 's/^Depends: .*linux-image-\([^ ,]*\)-amd64.*/\1/p' |
		head -n 1
}

case "${1:-}" in
--kvers)
	grep -v '^#' "$conf" | while read -r series suite; do
		[ -n "$series" ] || continue
		installed_kver "$series" || { echo "deps: no $series kernel" >&2; exit 1; }
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
for s in $(grep -v '^#' "$conf" | awk 'NF { print $2 }' | sort -u); do
	abi=$(resolve_abi "$s")
	if [ -z "$abi" ]; then
		echo "deps: cannot resolve the kernel of $s" >&2
		exit 1
	fi
	kpkgs="$kpkgs linux-image-$abi-amd64 linux-headers-$abi-amd64"
done
# shellcheck disable=SC2086
as_root apt-get install -y -q --no-install-recommends $PKGS $kpkgs
m=$(missing)
if [ -n "$m" ]; then
	echo "deps: still missing after install:" $m >&2
	exit 1
fi
