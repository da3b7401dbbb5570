// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* hello: five bytes through a kernel pipe, and back. */
#include <err.h>
#include <stdio.h>
#include <libkipc.h>

int main(void)
{
	struct kipc_chan *c;
	char buf[16];
	ssize_t n;
	int ret = kipc_chan_create(&c, KIPC_BACKEND_PIPE, NULL);

	if (ret < 0)
		errx(1, "kipc_chan_create: %s", kipc_strerror(ret));
	n = kipc_chan_write(c, "hello", 5);
	if (n >= 0)
		n = kipc_chan_read(c, buf, sizeof(buf));
	kipc_chan_destroy(c);
	/* A failure is -errno, not -1 with errno as for read(2). */
	if (n < 0)
		errx(1, "%s", kipc_strerror((int)n));
	printf("%.*s\n", (int)n, buf);
	return 0;
}
