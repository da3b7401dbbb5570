// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* aio-echo: a write and a read in flight at once on io_uring. */
#define _GNU_SOURCE	/* liburing.h needs sigset_t and AT_FDCWD */
#include <err.h>
#include <stdio.h>
#include <liburing.h>
#include <libkipc.h>

enum { WRITE_REQ = 1, READ_REQ = 2 };

int main(int argc, char **argv)
{
	int b = kipc_backend_from_name(argc > 1 ? argv[1] : "pipe");
	struct kipc_aio_result res[2];
	struct io_uring ring;
	struct kipc_chan *c;
	struct kipc_aio *aio;
	int got, i, n, ret;
	int wrote = 0, nread = 0;
	char buf[16];

	if (b < 0 || !(kipc_backend_caps(b) & KIPC_CAP_CHANNEL))
		errx(2, "usage: aio-echo [BACKEND]");
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0)
		errx(1, "io_uring: %s", kipc_strerror(ret));
	ret = kipc_chan_create(&c, b, NULL);
	if (ret == 0)
		ret = kipc_aio_create(&aio, &ring);
	if (ret < 0)
		errx(1, "%s", kipc_strerror(ret));

	kipc_aio_write(aio, c, "hello", 5, WRITE_REQ);
	kipc_aio_read(aio, c, buf, sizeof(buf), READ_REQ);
	for (got = 0; got < 2; got += n) {
		n = kipc_aio_wait(aio, res + got, 2 - got, 1);
		if (n < 0)
			errx(1, "wait: %s", kipc_strerror(n));
	}
	/* Completions come in any order; res is bytes or -errno. */
	for (i = 0; i < 2; i++) {
		if (res[i].res < 0)
			errx(1, "%s", kipc_strerror(res[i].res));
		if (res[i].user_data == WRITE_REQ)
			wrote = res[i].res;
		else
			nread = res[i].res;
	}
	printf("wrote %d, read %d: %.*s\n", wrote, nread, nread, buf);
	kipc_aio_destroy(aio);
	kipc_chan_destroy(c);
	io_uring_queue_exit(&ring);
	return 0;
}
