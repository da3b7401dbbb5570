// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * seqpacket: socketpair(AF_UNIX, SOCK_SEQPACKET), one way: [0] is the
 * read end and [1] the write end, each shut down in the direction it
 * does not use.  Boundaries, peek (MSG_PEEK), truncation (MSG_TRUNC),
 * timeouts (SO_RCVTIMEO, SO_SNDTIMEO), poll, end of file and EPIPE are
 * the socket's own; priorities and a count of queued messages it has not.
 * The capacity is the write end's SO_SNDBUF, which counts the kernel's
 * bookkeeping too (and which the kernel doubles, and caps at wmem_max).
 *
 * Two things the socket does not say directly, and what they cost:
 *
 * - A short buffer: the socket truncates.  Unless the caller asks for
 *   KIPC_MSGQ_TRUNC, a receive first peeks at the next message's length
 *   (MSG_PEEK | MSG_TRUNC) and fails with -EMSGSIZE, the message kept,
 *   when it does not fit: a second system call, skipped when the buffer
 *   is at least SO_SNDBUF, which no message can outgrow.  Two receivers
 *   of one socket at once may slip between the two calls; the second
 *   then truncates, and says so (KIPC_MSGQ_TRUNCATED).
 *
 * - End of file reads as 0, as an empty message does.  The read end has
 *   SO_PASSCRED, so that every message comes with its sender's
 *   credentials and end of file comes with nothing: a cheap, race-free
 *   test, paid for with a credentials message per receive (and a
 *   reference taken on the sender's pid per send).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "msgq.h"

static int kipc_seq_create(struct kipc_msgq *q,
			   const struct kipc_msgq_opts *opts)
{
	int type = SOCK_SEQPACKET | SOCK_CLOEXEC;
	int sv[2], one = 1, sndbuf;
	socklen_t optlen = sizeof(sndbuf);

	if (opts->capacity > INT_MAX)
		return -EINVAL;
	if (opts->flags & KIPC_MSGQ_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if (socketpair(AF_UNIX, type, 0, sv) < 0)
		return kipc_neg_errno();
	q->rfd = sv[0];
	q->wfd = sv[1];
	if (shutdown(q->rfd, SHUT_WR) < 0 || shutdown(q->wfd, SHUT_RD) < 0 ||
	    setsockopt(q->rfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return kipc_neg_errno();
	if (opts->capacity) {
		sndbuf = (int)opts->capacity;
		if (setsockopt(q->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
			       sizeof(sndbuf)) < 0)
			return kipc_neg_errno();
	}
	if (getsockopt(q->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &optlen) < 0)
		return kipc_neg_errno();
	q->max_msg = (size_t)sndbuf;
	return 0;
}

/* No MSG_NOSIGNAL: whatever the socket does about SIGPIPE, it does. */
static int kipc_seq_send(struct kipc_msgq *q, const void *buf, size_t len,
			 unsigned int priority, bool dontwait)
{
	(void)priority;
	if (send(q->wfd, buf, len, dontwait ? MSG_DONTWAIT : 0) < 0)
		return kipc_neg_errno();
	return 0;
}

/*
 * One recvmsg(): the message's whole length (MSG_TRUNC), or 0 and *@eof
 * when no credentials came with it.
 */
static ssize_t kipc_seq_recvmsg(int fd, void *buf, size_t len, int flags,
				bool *eof)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &control;
	msg.msg_controllen = sizeof(control);
	n = recvmsg(fd, &msg, flags | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return kipc_neg_errno();
	*eof = !n && !msg.msg_controllen;
	return n;
}

static int kipc_seq_recv(struct kipc_msgq *q, void *buf, size_t len,
			 struct kipc_msgq_info *info, unsigned int flags)
{
	int base = flags & KIPC_MSGQ_DONTWAIT ? MSG_DONTWAIT : 0;
	bool strict = !(flags & KIPC_MSGQ_TRUNC) && len < q->max_msg;
	bool eof;
	ssize_t n;

	if (strict && !(flags & KIPC_MSGQ_PEEK)) {
		n = kipc_seq_recvmsg(q->rfd, NULL, 0, base | MSG_PEEK, &eof);
		if (n < 0)
			return (int)n;
		if ((size_t)n > len)
			return -EMSGSIZE;
		if (eof)
			goto out_eof;
	}
	if (flags & KIPC_MSGQ_PEEK)
		base |= MSG_PEEK;
	n = kipc_seq_recvmsg(q->rfd, buf, len, base, &eof);
	if (n < 0)
		return (int)n;
	if (eof)
		goto out_eof;
	/* A peek that did not fit has consumed nothing: say so, strictly. */
	if (strict && flags & KIPC_MSGQ_PEEK && (size_t)n > len)
		return -EMSGSIZE;
	info->size = (size_t)n;
	if ((size_t)n > len)
		info->flags |= KIPC_MSGQ_TRUNCATED;
	return 0;

out_eof:
	info->flags |= KIPC_MSGQ_EOF;
	return 0;
}

static int kipc_seq_set_nonblock(struct kipc_msgq *q, bool nonblock)
{
	return kipc_msgq_fds_set_nonblock(q, nonblock);
}

/* Microseconds, rounded up: a bound of 1 ns must not become none. */
static int kipc_seq_set_timeo(int fd, int opt, int64_t ns)
{
	struct timeval tv;

	tv.tv_sec = ns / 1000000000;
	tv.tv_usec = (ns % 1000000000 + 999) / 1000;
	if (tv.tv_usec == 1000000) {
		tv.tv_sec++;
		tv.tv_usec = 0;
	}
	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)) < 0)
		return kipc_neg_errno();
	return 0;
}

static int kipc_seq_set_timeouts(struct kipc_msgq *q, int64_t recv_ns,
				 int64_t send_ns)
{
	int ret;

	if (q->rfd >= 0) {
		ret = kipc_seq_set_timeo(q->rfd, SO_RCVTIMEO, recv_ns);
		if (ret)
			return ret;
	}
	if (q->wfd >= 0)
		return kipc_seq_set_timeo(q->wfd, SO_SNDTIMEO, send_ns);
	return 0;
}

const struct kipc_msgq_ops kipc_msgq_seqpacket_ops = {
	.create = kipc_seq_create,
	.send = kipc_seq_send,
	.recv = kipc_seq_recv,
	.set_nonblock = kipc_seq_set_nonblock,
	.set_timeouts = kipc_seq_set_timeouts,
};
