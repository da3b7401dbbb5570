// SPDX-License-Identifier: GPL-2.0
/*
 * chan.c: the byte-channel families.  fam_chan drives libkipc's channels
 * (pipe, FIFO, kipc pair and named channel) with read and write; fam_unix
 * drives a unix stream socketpair directly, as a reference that is not a
 * libkipc channel.  What io_uring shares with them (making the channels,
 * judging a read, the 1-byte ping-pong) is here too, for uring.c.
 */
#include "job.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------ */
/* libkipc channels: made and unmade in the main process               */

static int chan_make(struct job *j, struct link *lk, int dir, char *why,
		     size_t len)
{
	const struct backend *b = j->b;
	struct kipc_chan_opts o;
	size_t cap;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = kipc_chan_create(&lk->ch[dir], b->lib, &o);
	if (ret) {
		snprintf(why, len, "kipc_chan_create(%s): %s", b->mech,
			 kipc_strerror(ret));
		return ret;
	}
	/*
	 * Resize after creation, the same way for every backend, so that a
	 * refusal is told apart from a failure to create.
	 */
	if (b->capacity) {
		ret = kipc_chan_set_capacity(lk->ch[dir], b->capacity, NULL);
		if (ret) {
			snprintf(why, len, "capacity %" PRIu64 ": %s",
				 b->capacity, kipc_strerror(ret));
			if (ret == -EPERM)
				j->limited = true;
			return ret;
		}
	}
	if (!kipc_chan_get_capacity(lk->ch[dir], &cap))
		j->capacity = (int64_t)cap;
	return 0;
}

/* A channel is one-way: ping-pong needs a second one for the answers. */
int chan_link(struct job *j, struct link *lk, char *why, size_t len)
{
	int ret = chan_make(j, lk, 0, why, len);

	if (!ret && j->kind == JOB_PINGPONG)
		ret = chan_make(j, lk, 1, why, len);
	return ret;
}

void chan_unlink(struct link *lk)
{
	kipc_chan_destroy(lk->ch[0]);
	kipc_chan_destroy(lk->ch[1]);
}

/* ------------------------------------------------------------------ */
/* The data path, in the workers                                       */

/*
 * Judge a read's result @n (bytes, or -errno): true if it brought data,
 * false if it is to be retried; an error or end of file ends the worker,
 * since the writer never closes before the reader has everything.
 */
bool chan_got(struct wctx *w, ssize_t n)
{
	if (n == -EINTR || n == -EAGAIN)
		return false;
	if (n < 0)
		wfail(w, (int)n, "read");
	if (n == 0)
		wfail(w, -ENODATA, "read: end of file");
	return true;
}

static void chan_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	int ret = kipc_chan_write_all(w->lk->ch[dir], buf, len, NULL);

	if (ret)
		wfail(w, ret, "kipc_chan_write_all");
}

static size_t chan_recv_some(struct wctx *w, int dir, uint8_t *buf, size_t len)
{
	ssize_t n;

	do
		n = kipc_chan_read(w->lk->ch[dir], buf, len);
	while (!chan_got(w, n));
	return (size_t)n;
}

/* The 1-byte message is the low byte of the round trip's number. */
void chan_ping(struct wctx *w, uint32_t k)
{
	const struct family *fam = w->j->b->fam;
	uint8_t b = (uint8_t)k;

	fam->send(w, 0, &b, 1);
	fam->recv_some(w, 1, &b, 1);
	if (b != (uint8_t)k)
		wfail(w, -EBADMSG, "ping-pong: got %u, sent %u", b, (uint8_t)k);
}

void chan_pong(struct wctx *w, uint32_t k)
{
	const struct family *fam = w->j->b->fam;
	uint8_t b;

	(void)k;
	fam->recv_some(w, 0, &b, 1);
	fam->send(w, 1, &b, 1);
}

const struct family fam_chan = {
	.link = chan_link,
	.unlink = chan_unlink,
	.send = chan_send,
	.recv_some = chan_recv_some,
	.ping = chan_ping,
	.pong = chan_pong,
};

/* ------------------------------------------------------------------ */
/* The unix socket: one bidirectional pair serves both directions      */

static int unix_link(struct job *j, struct link *lk, char *why, size_t len)
{
	socklen_t optlen;
	int sv[2], sz;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return -errno;
	}
	lk->fd[0][1] = sv[0];
	lk->fd[0][0] = sv[1];
	lk->fd[1][1] = sv[1];
	lk->fd[1][0] = sv[0];
	/* The send buffer is what holds a writer's bytes: its capacity. */
	optlen = sizeof(sz);
	if (!getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, &optlen))
		j->capacity = sz;
	return 0;
}

static void unix_unlink(struct link *lk)
{
	if (lk->fd[0][0] > 0)
		close(lk->fd[0][0]);
	if (lk->fd[0][1] > 0)
		close(lk->fd[0][1]);
}

static void unix_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(w->lk->fd[dir][1], buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			wfail(w, n < 0 ? -errno : -EIO, "write");
		done += n;
	}
}

static size_t unix_recv_some(struct wctx *w, int dir, uint8_t *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(w->lk->fd[dir][0], buf, len);
		if (n < 0)
			n = -errno;
	} while (!chan_got(w, n));
	return (size_t)n;
}

const struct family fam_unix = {
	.link = unix_link,
	.unlink = unix_unlink,
	.send = unix_send,
	.recv_some = unix_recv_some,
	.ping = chan_ping,
	.pong = chan_pong,
};
