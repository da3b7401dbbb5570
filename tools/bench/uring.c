// SPDX-License-Identifier: GPL-2.0
/*
 * uring.c: the io_uring family.  The same libkipc channels as fam_chan,
 * but every read and write goes through kipc_aio at queue depth 1, so
 * that a row measures one submission and one completion per message:
 * what a program gets from io_uring without batching.
 */
#include "job.h"

#include <errno.h>

/* Each worker has its own ring: io_uring instances are not shared. */
static void uring_init(struct wctx *w)
{
	int ret = io_uring_queue_init(8, &w->ring, 0);

	if (ret)
		wfail(w, ret, "io_uring_queue_init");
	/*
	 * What io_uring cannot complete inline goes to io-wq worker
	 * threads, which may run anywhere: keep them on our CPU too.  Old
	 * kernels lack the call, and then the threads float.
	 */
	if (cfg.pin) {
		ret = io_uring_register_iowq_aff(&w->ring, sizeof(w->cpu),
						 &w->cpu);
		if (ret && ret != -EINVAL && ret != -ENOSYS)
			wfail(w, ret, "io_uring_register_iowq_aff");
	}
	ret = kipc_aio_create(&w->aio, &w->ring);
	if (ret)
		wfail(w, ret, "kipc_aio_create");
}

/* The one request in flight; a signal may interrupt the wait, not it. */
static struct kipc_aio_result uring_complete(struct wctx *w)
{
	struct kipc_aio_result res;
	int ret;

	do
		ret = kipc_aio_wait(w->aio, &res, 1, 1);
	while (ret == -EINTR);
	if (ret != 1)
		wfail(w, ret < 0 ? ret : -EIO, "kipc_aio_wait");
	return res;
}

static void uring_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	struct kipc_aio_result res;
	size_t done = 0;
	int ret;

	while (done < len) {
		ret = kipc_aio_write(w->aio, w->lk->ch[dir], buf + done,
				     (unsigned int)(len - done), 0);
		if (ret)
			wfail(w, ret, "kipc_aio_write");
		res = uring_complete(w);
		if (res.res == -EINTR || res.res == -EAGAIN)
			continue;
		if (res.res <= 0)
			wfail(w, res.res ? res.res : -EIO, "io_uring write");
		done += res.res;
	}
}

static size_t uring_recv_some(struct wctx *w, int dir, uint8_t *buf,
			      size_t len)
{
	struct kipc_aio_result res;
	int ret;

	do {
		ret = kipc_aio_read(w->aio, w->lk->ch[dir], buf,
				    (unsigned int)len, 0);
		if (ret)
			wfail(w, ret, "kipc_aio_read");
		res = uring_complete(w);
	} while (!chan_got(w, res.res));
	return (size_t)res.res;
}

const struct family fam_uring = {
	.link = chan_link,
	.unlink = chan_unlink,
	.worker_init = uring_init,
	.send = uring_send,
	.recv_some = uring_recv_some,
	.ping = chan_ping,
	.pong = chan_pong,
};
