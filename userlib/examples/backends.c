// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* backends: what this machine has. */
#include <stdio.h>
#include <libkipc.h>

int main(void)
{
	struct kipc_module_version v;
	int b, ret;

	printf("libkipc %s\n", kipc_library_version());
	ret = kipc_module_get_version(&v);
	if (ret < 0)
		printf("module: %s\n", kipc_strerror(ret));
	else
		printf("module %u.%u.%u, ABI %u\n",
		       v.major, v.minor, v.patch, v.abi);
	/* kipc_backend_name() is NULL past the last backend. */
	for (b = KIPC_BACKEND_PIPE; kipc_backend_name(b); b++) {
		unsigned int caps = kipc_backend_caps(b);

		ret = kipc_backend_available(b);
		printf("%-10s %-7s %s\n", kipc_backend_name(b),
		       caps & KIPC_CAP_CHANNEL ? "channel" :
		       caps & KIPC_CAP_SHM ? "shm" : "message",
		       ret < 0 ? kipc_strerror(ret) : "available");
	}
	return 0;
}
