// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* chan-nonblock: a nonblocking channel of any backend. */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <libkipc.h>

int main(int argc, char **argv)
{
	struct kipc_chan_opts opts = { .flags = KIPC_CHAN_NONBLOCK };
	int b = kipc_backend_from_name(argc > 1 ? argv[1] : "pipe");
	struct kipc_chan *c;
	char buf[64];
	ssize_t n;
	int ret;

	if (b < 0 || !(kipc_backend_caps(b) & KIPC_CAP_CHANNEL))
		errx(2, "usage: chan-nonblock [BACKEND]");
	ret = kipc_chan_create(&c, b, &opts);
	if (ret < 0)
		errx(1, "%s", kipc_strerror(ret));

	/* Nothing queued: the return value is -EAGAIN itself. */
	n = kipc_chan_read(c, buf, sizeof(buf));
	printf("empty: %s\n", n == -EAGAIN ? "-EAGAIN" : "?");

	n = kipc_chan_write(c, "ping", 4);
	if (n >= 0)
		n = kipc_chan_read(c, buf, sizeof(buf));
	kipc_chan_destroy(c);
	if (n < 0)
		errx(1, "%s", kipc_strerror((int)n));
	printf("read %zd bytes: %.*s\n", n, (int)n, buf);
	return 0;
}
