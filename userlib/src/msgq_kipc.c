// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * kipc-msg: a kipc message channel (KIPC_CHAN_F_MESSAGE), an anonymous
 * pair or, with a path, a named channel whose two ends this handle opens
 * by name.  The module has every feature of the API, so each call is one
 * system call: KIPC_IOC_MSG_SEND, KIPC_IOC_MSG_RECV, the ends' options.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "msgq.h"

static int kipc_msg_pair(struct kipc_msgq *q, const struct kipc_msgq_opts *opts)
{
	struct kipc_chan_pair req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.flags = O_CLOEXEC | KIPC_CHAN_F_MESSAGE;
	if (opts->flags & KIPC_MSGQ_NONBLOCK)
		req.flags |= O_NONBLOCK;
	req.capacity = opts->capacity;
	ret = kipc_control_ioctl(KIPC_IOC_CHAN_PAIR, &req);
	if (ret)
		return ret;
	q->rfd = req.rfd;
	q->wfd = req.wfd;
	return 0;
}

/* One end of the named channel, by name: no node in /dev needed. */
static int kipc_msg_open_end(int ctl, const char *name, unsigned int flags)
{
	struct kipc_chan_open req;

	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	req.flags = flags | O_NONBLOCK | O_CLOEXEC;
	req.timeout_ns = 0;
	if (ioctl(ctl, KIPC_IOC_CHAN_OPEN, &req) < 0)
		return kipc_neg_errno();
	return req.fd;
}

static int kipc_msg_named(struct kipc_msgq *q,
			  const struct kipc_msgq_opts *opts)
{
	struct kipc_chan_name req;
	int ctl, ret = 0;

	if (!*opts->path || strlen(opts->path) > KIPC_NAME_MAX)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	strcpy(req.name, opts->path);
	req.mode = opts->mode ? opts->mode : KIPC_MSGQ_DEFAULT_MODE;
	req.flags = KIPC_CHAN_F_MESSAGE;
	req.capacity = opts->capacity;
	q->path = strdup(opts->path);
	if (!q->path)
		return -ENOMEM;
	ctl = kipc_control_open();
	if (ctl < 0)
		return ctl;
	if (ioctl(ctl, KIPC_IOC_CHAN_CREATE, &req) < 0) {
		ret = kipc_neg_errno();
		goto out;
	}
	q->owner = getpid();
	/* The read end first: a nonblocking write-only open needs a reader. */
	q->rfd = kipc_msg_open_end(ctl, q->path, O_RDONLY);
	if (q->rfd < 0) {
		ret = q->rfd;
		goto out;
	}
	q->wfd = kipc_msg_open_end(ctl, q->path, O_WRONLY);
	if (q->wfd < 0) {
		ret = q->wfd;
		goto out;
	}
	if (!(opts->flags & KIPC_MSGQ_NONBLOCK))
		ret = kipc_msgq_fds_set_nonblock(q, false);
out:
	close(ctl);
	return ret;
}

static int kipc_msg_create(struct kipc_msgq *q,
			   const struct kipc_msgq_opts *opts)
{
	return opts->path ? kipc_msg_named(q, opts) : kipc_msg_pair(q, opts);
}

static void kipc_msg_remove(struct kipc_msgq *q)
{
	struct kipc_chan_name req;

	memset(&req, 0, sizeof(req));
	strcpy(req.name, q->path);
	kipc_control_ioctl(KIPC_IOC_CHAN_REMOVE, &req);
}

/*
 * write() is one message at the end's priority, which this library leaves
 * at 0, and is cheaper than the ioctl: 3% of a 64-byte send and receive
 * in an icount guest.  The ioctl is for the rest.
 */
static int kipc_msg_send(struct kipc_msgq *q, const void *buf, size_t len,
			 unsigned int priority, bool dontwait)
{
	struct kipc_msg m;

	if (!priority && !dontwait)
		return write(q->wfd, buf, len) < 0 ? kipc_neg_errno() : 0;
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = len;
	m.priority = priority;
	m.flags = dontwait ? KIPC_MSG_DONTWAIT : 0;
	if (ioctl(q->wfd, KIPC_IOC_MSG_SEND, &m) < 0)
		return kipc_neg_errno();
	return 0;
}

static int kipc_msg_recv(struct kipc_msgq *q, void *buf, size_t len,
			 struct kipc_msgq_info *info, unsigned int flags)
{
	struct kipc_msg m;

	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = len;
	if (flags & KIPC_MSGQ_DONTWAIT)
		m.flags |= KIPC_MSG_DONTWAIT;
	if (flags & KIPC_MSGQ_PEEK)
		m.flags |= KIPC_MSG_PEEK;
	if (flags & KIPC_MSGQ_TRUNC)
		m.flags |= KIPC_MSG_TRUNC;
	if (ioctl(q->rfd, KIPC_IOC_MSG_RECV, &m) < 0)
		return kipc_neg_errno();
	info->size = m.size;
	info->priority = m.priority;
	if (m.result & KIPC_MSG_TRUNCATED)
		info->flags |= KIPC_MSGQ_TRUNCATED;
	if (m.result & KIPC_MSG_EOF)
		info->flags |= KIPC_MSGQ_EOF;
	return 0;
}

static int kipc_msg_set_nonblock(struct kipc_msgq *q, bool nonblock)
{
	return kipc_msgq_fds_set_nonblock(q, nonblock);
}

/* Each end's own option, the others as they were. */
static int kipc_msg_set_timeo(int fd, bool recv, int64_t ns)
{
	struct kipc_end_opts o;

	memset(&o, 0, sizeof(o));
	if (ioctl(fd, KIPC_IOC_GET_OPTS, &o) < 0)
		return kipc_neg_errno();
	if (recv)
		o.rcvtimeo_ns = (uint64_t)ns;
	else
		o.sndtimeo_ns = (uint64_t)ns;
	if (ioctl(fd, KIPC_IOC_SET_OPTS, &o) < 0)
		return kipc_neg_errno();
	return 0;
}

static int kipc_msg_set_timeouts(struct kipc_msgq *q, int64_t recv_ns,
				 int64_t send_ns)
{
	int ret;

	if (q->rfd >= 0) {
		ret = kipc_msg_set_timeo(q->rfd, true, recv_ns);
		if (ret)
			return ret;
	}
	if (q->wfd >= 0)
		return kipc_msg_set_timeo(q->wfd, false, send_ns);
	return 0;
}

static int kipc_msg_get_queued(struct kipc_msgq *q, size_t *messages)
{
	struct kipc_chan_stats st;

	memset(&st, 0, sizeof(st));
	if (ioctl(kipc_msgq_any_fd(q), KIPC_IOC_CHAN_STATS, &st) < 0)
		return kipc_neg_errno();
	*messages = st.messages;
	return 0;
}

const struct kipc_msgq_ops kipc_msgq_kipc_ops = {
	.create = kipc_msg_create,
	.remove = kipc_msg_remove,
	.send = kipc_msg_send,
	.recv = kipc_msg_recv,
	.set_nonblock = kipc_msg_set_nonblock,
	.set_timeouts = kipc_msg_set_timeouts,
	.get_queued = kipc_msg_get_queued,
};
