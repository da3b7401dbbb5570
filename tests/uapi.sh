#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The uapi header stands alone in strict C11 and C++, includes nothing but
# <linux/types.h> and <linux/ioctl.h>, and its structs have no hidden
# padding and the sizes the ABI promises.  KTAP output.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
hdr=$top/uapi/linux/kipc.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
result()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..4"

cat >"$tmp/t.c" <<'EOC'
#include <linux/kipc.h>
#include <stddef.h>

#define SIZE(s, n) _Static_assert(sizeof(struct s) == (n), #s " size")
SIZE(kipc_version, 32);
SIZE(kipc_chan_pair, 40);
SIZE(kipc_chan_name, 256 + 32);
SIZE(kipc_capacity, 32);
SIZE(kipc_chan_stats, 96);
SIZE(kipc_stats, 96);
SIZE(kipc_shm_get, 48);
SIZE(kipc_shm_open, 32);
SIZE(kipc_shm_stat, 112);
SIZE(kipc_shm_set, 32);
SIZE(kipc_shm_id, 24);
SIZE(kipc_shm_list, 32);
SIZE(kipc_shm_doorbell, 32);
SIZE(kipc_shm_seals, 24);
_Static_assert(offsetof(struct kipc_chan_name, capacity) == 264, "name");

int main(void)
{
	return KIPC_IOC_VERSION == 0;
}
EOC
gcc -std=c11 -Wall -Wextra -pedantic -Werror -Wpadded -I"$top/uapi" \
	-o "$tmp/t" "$tmp/t.c" 2>&1 | sed 's/^/# /'
result "$([ -x "$tmp/t" ] && echo 0 || echo 1)" "uapi: compiles with -std=c11 -Wall -Wextra -pedantic -Wpadded -Werror, ABI sizes hold"

cp "$tmp/t.c" "$tmp/t.cc"
sed -i 's/_Static_assert/static_assert/' "$tmp/t.cc"
g++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$top/uapi" -fsyntax-only \
	"$tmp/t.cc" 2>&1 | sed 's/^/# /'
result "$?" "uapi: compiles as C++11"

incs=$(grep -E '^#include' "$hdr" | grep -vE '<linux/(types|ioctl)\.h>')
[ -z "$incs" ]
result "$?" "uapi: includes only <linux/types.h> and <linux/ioctl.h>"

head -n 1 "$hdr" | grep -q 'SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note'
result "$?" "uapi: GPL-2.0 WITH Linux-syscall-note"

[ "$fails" -eq 0 ]
