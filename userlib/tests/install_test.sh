#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# libkipc as its users get it: `make install DESTDIR=...`, then programs
# built with nothing but `pkg-config --cflags --libs libkipc`, in C11, C++
# and statically, run against the installed library.  Host only (needs the
# compilers and pkg-config).  KTAP on stdout.
#
#	LIBKIPC_BUILD=build/userlib install_test.sh
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
build=${LIBKIPC_BUILD:-$src/../build/userlib}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/libkipc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
prefix=/usr
libdir=$prefix/lib
# kipc has one version, in the VERSION file at the top of the tree.
ver=$(cat "$src/../VERSION")
n=0
failed=0

echo "TAP version 13"
echo "1..$(grep -c "^result " "$0")"

# result NAME COMMAND...: one KTAP line; the command's output as diagnostics.
result()
{
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $name"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n $name"
		failed=$((failed + 1))
	fi
}

cat >"$tmp/prog.c" <<'PROG'
#include <libkipc.h>
#include <stdio.h>

int main(void)
{
	struct kipc_chan *c;
	char buf[6] = "";
	int ret = kipc_chan_create(&c, KIPC_BACKEND_PIPE, NULL);

	if (ret) {
		fprintf(stderr, "%s\n", kipc_strerror(ret));
		return 1;
	}
	if (kipc_chan_write_all(c, "hello", 5, NULL) ||
	    kipc_chan_read_exact(c, buf, 5, NULL))
		return 1;
	kipc_chan_destroy(c);
	printf("%s %s\n", kipc_backend_name(KIPC_BACKEND_PIPE), buf);
	return 0;
}
PROG

# Both headers in one unit: the library's and the module's ABI.
cat >"$tmp/both.cc" <<'PROG'
#include <libkipc.h>
#include <linux/kipc.h>

int main()
{
	struct kipc_shm_stat st = {};	/* the ioctl's struct ... */
	struct kipc_shm_info info = {};	/* ... and the library's */
	kipc_chan *c = nullptr;

	if (kipc_chan_create(&c, KIPC_BACKEND_PIPE, nullptr))
		return 1;
	kipc_chan_destroy(c);
	return st.id + (int)info.size + (KIPC_SHM_SEAL_WRITE != KIPC_SEAL_WRITE);
}
PROG

pc()
{
	PKG_CONFIG_PATH=$dest$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest \
		pkg-config "$@" libkipc
}

do_install()
{
	make -s -C "$src" O="$build" install DESTDIR="$dest" PREFIX=$prefix
}

installed_files()
{
	local f
	for f in $libdir/libkipc.so.$ver $libdir/libkipc.a \
		$prefix/include/libkipc.h $prefix/include/kipc.h \
		$prefix/include/libkipc_version.h \
		$prefix/include/linux/kipc.h $libdir/pkgconfig/libkipc.pc \
		$prefix/share/man/man3/kipc_chan.3 \
		$prefix/share/man/man3/kipc_shm.3 \
		$prefix/share/man/man3/kipc_aio.3 \
		$prefix/share/man/man3/kipc_backend.3 \
		$prefix/share/man/man3/kipc_chan_write_all.3 \
		$prefix/share/man/man4/kipc.4 $prefix/share/man/man7/kipc.7; do
		[ -f "$dest$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(readlink "$dest$libdir/libkipc.so.0")" = libkipc.so.$ver ] &&
	[ "$(readlink "$dest$libdir/libkipc.so")" = libkipc.so.0 ] &&
	cmp "$src/../uapi/linux/kipc.h" "$dest$prefix/include/linux/kipc.h" &&
	! grep -rq "$dest" "$dest$libdir/pkgconfig/libkipc.pc"
}

soname()
{
	readelf -d "$dest$libdir/libkipc.so.$ver" | grep -q 'SONAME.*\[libkipc.so.0\]'
}

# Exactly the symbols of the version script, all in KIPC_1.0.
exports()
{
	local want got
	want=$(sed -n 's/^[[:space:]]*\(kipc_[a-z0-9_]*\);$/\1/p' \
		"$src/src/libkipc.map" | sort)
	got=$(nm -D --defined-only "$dest$libdir/libkipc.so.$ver" |
		awk '$2 == "T" { print $3 }' | sort)
	[ "$want" = "$(echo "$got" | sed 's/@@KIPC_1\.[0-9]*$//')" ] &&
	! echo "$got" | grep -v '@@KIPC_1\.[0-9]*$'
}

# Installed pages carry the tree's version, never the placeholder.
man_version()
{
	local f bad=0
	for f in "$dest$prefix"/share/man/man[347]/kipc*.[347]; do
		[ -L "$f" ] && continue
		grep -q '^\.so ' "$f" && continue
		grep -q "^\.TH .*\"kipc $ver\"" "$f" || { echo "no version: $f"; bad=1; }
		! grep -q '@VERSION@' "$f" || { echo "placeholder left: $f"; bad=1; }
	done
	return $bad
}

build_sysroot()
{
	cc -std=c11 -pedantic -Wall -Wextra -Werror -o "$tmp/prog" \
		"$tmp/prog.c" $(pc --cflags --libs) &&
	[ "$(LD_LIBRARY_PATH=$dest$libdir "$tmp/prog")" = "pipe hello" ]
}

build_define_prefix()
{
	# pkgconf works the prefix out from where the .pc file lies.
	local flags
	flags=$(PKG_CONFIG_PATH=$dest$libdir/pkgconfig \
		pkg-config --define-prefix --cflags --libs libkipc) &&
	echo "$flags" | grep -q -- "-I$dest$prefix/include" &&
	cc -std=c11 -Wall -Werror -o "$tmp/prog2" "$tmp/prog.c" $flags &&
	[ "$(LD_LIBRARY_PATH=$dest$libdir "$tmp/prog2")" = "pipe hello" ]
}

build_cxx()
{
	c++ -std=c++11 -Wall -Wextra -Werror -o "$tmp/both" \
		"$tmp/both.cc" $(pc --cflags --libs) &&
	LD_LIBRARY_PATH=$dest$libdir "$tmp/both"
}

build_c11_both()
{
	sed 's/nullptr/NULL/g; s/= {}/= { 0 }/; s/kipc_chan \*c/struct kipc_chan *c/' \
		"$tmp/both.cc" >"$tmp/both.c" &&
	cc -std=c11 -pedantic -Wall -Wextra -Werror \
		-o "$tmp/both_c" "$tmp/both.c" $(pc --cflags --libs) &&
	LD_LIBRARY_PATH=$dest$libdir "$tmp/both_c"
}

# <kipc.h>, the old name, alone: the library's API, not the module's ABI.
build_old_name()
{
	sed 's/<libkipc.h>/<kipc.h>/' "$tmp/prog.c" >"$tmp/old.c" &&
	cc -std=c11 -pedantic -Wall -Wextra -Werror -o "$tmp/old" "$tmp/old.c" \
		$(pc --cflags --libs) &&
	[ "$(LD_LIBRARY_PATH=$dest$libdir "$tmp/old")" = "pipe hello" ]
}

# The header's version macros and the library's kipc_library_version()
# both say the tree's VERSION.
build_version()
{
	cat >"$tmp/ver.c" <<-'EOF'
	#include <stdio.h>
	#include <libkipc.h>
	int main(void)
	{
		printf("%d.%d.%d %s\n", KIPC_LIB_VERSION_MAJOR,
		       KIPC_LIB_VERSION_MINOR, KIPC_LIB_VERSION_PATCH,
		       kipc_library_version());
		return 0;
	}
	EOF
	cc -std=c11 -Wall -Werror -o "$tmp/ver" "$tmp/ver.c" \
		$(pc --cflags --libs) &&
	[ "$(LD_LIBRARY_PATH=$dest$libdir "$tmp/ver")" = "$ver $ver" ]
}

# <libkipc.h>, <kipc.h> and <linux/kipc.h> in each of the six orders,
# with nothing but pkg-config's flags: all three are the installed ones.
build_orders()
{
	local a b c i=0
	for a in libkipc.h kipc.h linux/kipc.h; do
	for b in libkipc.h kipc.h linux/kipc.h; do
	for c in libkipc.h kipc.h linux/kipc.h; do
		[ $a = $b ] || [ $a = $c ] || [ $b = $c ] && continue
		i=$((i + 1))
		cat >"$tmp/order$i.c" <<-PROG
		#include <$a>
		#include <$b>
		#include <$c>
		#include <stdio.h>

		int main(void)
		{
			struct kipc_chan *c;			/* the library's */
			struct kipc_chan_pair pair = { 0 };	/* the ABI's */

			if (kipc_chan_create(&c, KIPC_BACKEND_PIPE, NULL))
				return 1;
			kipc_chan_destroy(c);
			printf("%s %d\n", kipc_library_version(),
			       KIPC_ABI_VERSION + pair.rfd);
			return 0;
		}
		PROG
		cc -std=c11 -pedantic -Wall -Wextra -Werror -o "$tmp/order$i" \
			"$tmp/order$i.c" $(pc --cflags --libs) || return 1
		[ "$(LD_LIBRARY_PATH=$dest$libdir "$tmp/order$i")" = \
		  "$ver $(sed -n 's/^#define KIPC_ABI_VERSION[[:space:]]*//p' \
			"$src/../uapi/linux/kipc.h")" ] || {
			echo "order $a $b $c: wrong output"; return 1; }
	done
	done
	done
	[ $i -eq 6 ]
}

build_static()
{
	cc -std=c11 -Wall -Werror -static -o "$tmp/prog_static" "$tmp/prog.c" \
		$(pc --cflags) "$dest$libdir/libkipc.a" \
		$(pkg-config --static --libs liburing) &&
	! readelf -d "$tmp/prog_static" | grep -q NEEDED &&
	[ "$("$tmp/prog_static")" = "pipe hello" ]
}

do_uninstall()
{
	make -s -C "$src" O="$build" uninstall DESTDIR="$dest" PREFIX=$prefix &&
	[ -z "$(find "$dest" -type f -o -type l)" ]
}

result "make install DESTDIR PREFIX" do_install
result "installed files and links" installed_files
result "SONAME libkipc.so.0" soname
result "exports: the version script, KIPC_1.0 to KIPC_1.2" exports
result "KIPC_LIB_VERSION_* and kipc_library_version() say $ver" build_version
result "installed man pages say kipc $ver" man_version
result "C11 program via pkg-config, sysroot" build_sysroot
result "C11 program via pkg-config --define-prefix" build_define_prefix
result "C++ with libkipc.h and linux/kipc.h" build_cxx
result "C11 -pedantic with libkipc.h and linux/kipc.h" build_c11_both
result "C11 with <kipc.h>, the old name, alone" build_old_name
result "libkipc.h, kipc.h and linux/kipc.h in any order" build_orders
result "static link with libkipc.a" build_static
result "make uninstall removes everything" do_uninstall
echo "# $failed failed of $n"
[ $failed -eq 0 ]
