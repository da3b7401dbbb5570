// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Messages: one handle over kipc message channels, POSIX message queues,
 * System V message queues and SOCK_SEQPACKET socket pairs.  This file
 * checks each call once for every backend (arguments, the end it needs,
 * and the caps it needs: what a backend cannot do is -ENOTSUP, as its
 * caps say) and hands it to the backend's file.  Nothing is emulated
 * that the mechanism lacks; kipc_msgq(3) has the table.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msgq.h"

static const struct kipc_msgq_ops *kipc_msgq_ops_of(enum kipc_backend b)
{
	switch (b) {
	case KIPC_BACKEND_KIPC_MSG:
		return &kipc_msgq_kipc_ops;
	case KIPC_BACKEND_POSIX_MQ:
		return &kipc_msgq_posix_ops;
	case KIPC_BACKEND_SYSV_MSG:
		return &kipc_msgq_sysv_ops;
	case KIPC_BACKEND_SEQPACKET:
		return &kipc_msgq_seqpacket_ops;
	default:
		return NULL;
	}
}

static int kipc_msgq_has(const struct kipc_msgq *q, unsigned int cap)
{
	return !!(kipc_backend_caps(q->backend) & cap);
}

int kipc_msgq_any_fd(const struct kipc_msgq *q)
{
	return q->rfd >= 0 ? q->rfd : q->wfd;
}

int kipc_msgq_fds_set_nonblock(struct kipc_msgq *q, bool nonblock)
{
	int fds[2] = { q->rfd, q->wfd };
	int i, fl;

	for (i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		fl = fcntl(fds[i], F_GETFL);
		if (fl < 0)
			return kipc_neg_errno();
		fl = nonblock ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
		if (fcntl(fds[i], F_SETFL, fl) < 0)
			return kipc_neg_errno();
	}
	return 0;
}

/*
 * What no backend takes, and what only some do: a path and a mode for
 * the named ones (and a mode for System V's private queues), POSIX
 * mq's sizes for POSIX mq alone, which has no byte capacity.
 */
static int kipc_msgq_opts_valid(enum kipc_backend b,
				const struct kipc_msgq_opts *opts)
{
	if (opts->flags & ~KIPC_MSGQ_NONBLOCK || opts->mode & ~07777 ||
	    opts->max_msgs < 0 || !kipc_reserved_zero(opts->reserved, 4))
		return 0;
	switch (b) {
	case KIPC_BACKEND_KIPC_MSG:
		return !opts->max_msg && !opts->max_msgs &&
		       (opts->path || !opts->mode);
	case KIPC_BACKEND_POSIX_MQ:
		return !opts->capacity;
	case KIPC_BACKEND_SYSV_MSG:
		return !opts->max_msg && !opts->max_msgs && !opts->path;
	case KIPC_BACKEND_SEQPACKET:
		return !opts->max_msg && !opts->max_msgs && !opts->path &&
		       !opts->mode;
	default:
		return 0;
	}
}

/**
 * kipc_msgq_create - make a message queue of @backend, both ends open
 *
 * The process that made a named object (a kipc channel's node, a POSIX
 * queue's name, a System V queue) removes it in kipc_msgq_destroy().
 */
KIPC_EXPORT int kipc_msgq_create(struct kipc_msgq **qp,
				 enum kipc_backend backend,
				 const struct kipc_msgq_opts *opts)
{
	static const struct kipc_msgq_opts defaults;
	const struct kipc_msgq_ops *ops = kipc_msgq_ops_of(backend);
	struct kipc_msgq *q;
	int ret;

	if (!qp)
		return -EINVAL;
	*qp = NULL;
	if (!opts)
		opts = &defaults;
	if (!ops || !kipc_msgq_opts_valid(backend, opts))
		return -EINVAL;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->backend = backend;
	q->ops = ops;
	q->rfd = -1;
	q->wfd = -1;
	q->msqid = -1;
	ret = ops->create(q, opts);
	if (ret) {
		kipc_msgq_destroy(q);
		return ret;
	}
	q->ends = KIPC_CHAN_READ | KIPC_CHAN_WRITE;
	*qp = q;
	return 0;
}

static void kipc_msgq_close_ends(struct kipc_msgq *q, unsigned int ends)
{
	if (ends & KIPC_CHAN_READ && q->rfd >= 0) {
		close(q->rfd);
		q->rfd = -1;
	}
	if (ends & KIPC_CHAN_WRITE && q->wfd >= 0) {
		close(q->wfd);
		q->wfd = -1;
	}
	q->ends &= ~ends;
}

KIPC_EXPORT void kipc_msgq_destroy(struct kipc_msgq *q)
{
	if (!q)
		return;
	kipc_msgq_close_ends(q, KIPC_CHAN_READ | KIPC_CHAN_WRITE);
	/* After fork() only the creator removes what it made. */
	if (q->owner && q->owner == getpid() && q->ops->remove)
		q->ops->remove(q);
	free(q->path);
	free(q);
}

/*
 * Close ends, as after fork(): where the backend has KIPC_CAP_MSG_EOF,
 * receivers then see end of file and senders EPIPE.  A System V queue
 * has no ends: the handle only stops sending or receiving.
 */
KIPC_EXPORT int kipc_msgq_close(struct kipc_msgq *q, unsigned int ends)
{
	if (!q || !ends || ends & ~(KIPC_CHAN_READ | KIPC_CHAN_WRITE))
		return -EINVAL;
	kipc_msgq_close_ends(q, ends);
	return 0;
}

KIPC_EXPORT int kipc_msgq_send(struct kipc_msgq *q, const void *buf,
			       size_t len, unsigned int priority,
			       unsigned int flags)
{
	if (!q || flags & ~KIPC_MSGQ_DONTWAIT || priority >= KIPC_MSG_PRIO_MAX)
		return -EINVAL;
	if (priority && !kipc_msgq_has(q, KIPC_CAP_MSG_PRIORITY))
		return -ENOTSUP;
	if (!(q->ends & KIPC_CHAN_WRITE))
		return -EBADF;
	if (!buf && len)
		return -EFAULT;
	return q->ops->send(q, buf, len, priority, flags & KIPC_MSGQ_DONTWAIT);
}

/**
 * kipc_msgq_recv - receive the next message: the highest priority first
 *
 * Copies min(size, @len) bytes to @buf and returns 0, with @info (if not
 * NULL) telling the message's whole size, its priority and whether it
 * was truncated; or, at end of file, size 0 and KIPC_MSGQ_EOF.
 */
KIPC_EXPORT int kipc_msgq_recv(struct kipc_msgq *q, void *buf, size_t len,
			       struct kipc_msgq_info *info, unsigned int flags)
{
	struct kipc_msgq_info unused;

	if (!q || flags & ~(KIPC_MSGQ_DONTWAIT | KIPC_MSGQ_PEEK |
			    KIPC_MSGQ_TRUNC))
		return -EINVAL;
	if ((flags & KIPC_MSGQ_PEEK && !kipc_msgq_has(q, KIPC_CAP_MSG_PEEK)) ||
	    (flags & KIPC_MSGQ_TRUNC && !kipc_msgq_has(q, KIPC_CAP_MSG_TRUNC)))
		return -ENOTSUP;
	if (!(q->ends & KIPC_CHAN_READ))
		return -EBADF;
	if (!buf && len)
		return -EFAULT;
	if (!info)
		info = &unused;
	memset(info, 0, sizeof(*info));
	return q->ops->recv(q, buf, len, info, flags);
}

KIPC_EXPORT int kipc_msgq_set_nonblock(struct kipc_msgq *q, int nonblock)
{
	if (!q)
		return -EINVAL;
	if (!q->ends)
		return -EBADF;
	return q->ops->set_nonblock(q, !!nonblock);
}

/**
 * kipc_msgq_set_timeouts - bound how long a send or a receive waits
 *
 * In nanoseconds, 0 for no bound; a call that waits longer fails with
 * -EAGAIN, as with SO_RCVTIMEO and SO_SNDTIMEO.
 */
KIPC_EXPORT int kipc_msgq_set_timeouts(struct kipc_msgq *q, int64_t recv_ns,
				       int64_t send_ns)
{
	if (!q || recv_ns < 0 || send_ns < 0)
		return -EINVAL;
	if (!kipc_msgq_has(q, KIPC_CAP_MSG_TIMEOUT))
		return -ENOTSUP;
	if (!q->ends)
		return -EBADF;
	return q->ops->set_timeouts(q, recv_ns, send_ns);
}

KIPC_EXPORT int kipc_msgq_get_queued(struct kipc_msgq *q, size_t *messages)
{
	if (!q || !messages)
		return -EINVAL;
	if (!kipc_msgq_has(q, KIPC_CAP_MSG_QUEUED))
		return -ENOTSUP;
	if (!q->ends)
		return -EBADF;
	return q->ops->get_queued(q, messages);
}

KIPC_EXPORT int kipc_msgq_get_fd(const struct kipc_msgq *q, unsigned int end)
{
	int fd;

	if (!q)
		return -EINVAL;
	if (end == KIPC_CHAN_READ)
		fd = q->rfd;
	else if (end == KIPC_CHAN_WRITE)
		fd = q->wfd;
	else
		return -EINVAL;
	if (!kipc_msgq_has(q, KIPC_CAP_MSG_POLL))
		return -ENOTSUP;
	return fd >= 0 ? fd : -EBADF;
}

KIPC_EXPORT enum kipc_backend kipc_msgq_backend(const struct kipc_msgq *q)
{
	return q->backend;
}

KIPC_EXPORT const char *kipc_msgq_path(const struct kipc_msgq *q)
{
	return q ? q->path : NULL;
}
