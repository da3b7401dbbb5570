#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install man pages into MANDIR/manN/, with the @VERSION@ of each page's
# .TH line replaced by the tree's VERSION: kipc has one version, kept in
# one file, and the pages in the tree carry only the placeholder.
#
#	scripts/install-man.sh MANDIR PAGE...
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")
mandir=${1:?usage: install-man.sh MANDIR PAGE...}
shift
for page in "$@"; do
	section=${page##*.}
	install -d "$mandir/man$section"
	sed "s/@VERSION@/$version/g" "$page" >"$mandir/man$section/${page##*/}"
	chmod 0644 "$mandir/man$section/${page##*/}"
done
