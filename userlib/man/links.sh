#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# One man3 stub per exported function, pointing at its group's page, so
# that "man kipc_chan_read" works:
#
#	links.sh [--remove] libkipc.map MAN3DIR
set -eu

remove=0
if [ "$1" = --remove ]; then
	remove=1
	shift
fi
map=$1
dir=$2

for fn in $(sed -n 's/^[[:space:]]*\(kipc_[a-z0-9_]*\);$/\1/p' "$map"); do
	case $fn in
	kipc_chan_prep_*|kipc_aio_*)	page=kipc_aio ;;
	kipc_chan_*)			page=kipc_chan ;;
	kipc_shm_*)			page=kipc_shm ;;
	kipc_ring_*)			page=kipc_ring ;;
	kipc_msgq_*)			page=kipc_msgq ;;
	*)				page=kipc_backend ;;
	esac
	if [ $remove = 1 ]; then
		rm -f "$dir/$fn.3"
	else
		echo ".so man3/$page.3" >"$dir/$fn.3"
		chmod 0644 "$dir/$fn.3"
	fi
done
