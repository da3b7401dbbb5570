// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * posix-mq: a POSIX message queue, mq_overview(7).  The handle opens the
 * queue twice, read-only and write-only, so that its two ends close
 * apart; the queue has no notion of a last sender or receiver, though,
 * so closing one gives the other side neither end of file nor EPIPE.
 * On Linux an mqd_t is a file descriptor: it polls, and close() closes it.
 *
 * The mechanism's own rules stay: priorities 0..31 (of its 0..32767),
 * timeouts through mq_timedsend() and mq_timedreceive() (ETIMEDOUT is
 * -EAGAIN here, the socket convention), and a receive buffer shorter
 * than the queue's mq_msgsize is EMSGSIZE whatever the next message's
 * length, the message staying queued.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msgq.h"

/* The kernel's defaults (ipc/mqueue.c), if /proc does not say. */
#define KIPC_MQ_DFLT_MSG	10
#define KIPC_MQ_DFLT_MSGSIZE	8192

static long kipc_mq_sysctl(const char *name, long fallback)
{
	char path[64];
	long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", name);
	f = fopen(path, "re");
	if (!f)
		return fallback;
	if (fscanf(f, "%ld", &v) != 1 || v <= 0)
		v = fallback;
	fclose(f);
	return v;
}

/*
 * mq_open() takes both sizes or neither: one given, the other is what
 * the kernel would have chosen.
 */
static int kipc_mq_attr(const struct kipc_msgq_opts *opts,
			struct mq_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	if (opts->max_msg > LONG_MAX)
		return -EINVAL;
	attr->mq_msgsize = opts->max_msg ? (long)opts->max_msg :
			   kipc_mq_sysctl("msgsize_default",
					  KIPC_MQ_DFLT_MSGSIZE);
	attr->mq_maxmsg = opts->max_msgs ? opts->max_msgs :
			  kipc_mq_sysctl("msg_default", KIPC_MQ_DFLT_MSG);
	return 0;
}

static int kipc_mq_open_new(struct kipc_msgq *q, const char *name, int oflag,
			    mode_t mode, struct mq_attr *attr)
{
	int ret;

	q->path = strdup(name);
	if (!q->path)
		return -ENOMEM;
	q->rfd = mq_open(name, O_RDONLY | O_CREAT | O_EXCL | oflag, mode, attr);
	if (q->rfd < 0) {
		ret = kipc_neg_errno();
		free(q->path);
		q->path = NULL;
		return ret;
	}
	q->owner = getpid();
	return 0;
}

static int kipc_mq_create(struct kipc_msgq *q,
			  const struct kipc_msgq_opts *opts)
{
	mode_t mode = opts->mode ? opts->mode : KIPC_MSGQ_DEFAULT_MODE;
	int oflag = opts->flags & KIPC_MSGQ_NONBLOCK ? O_NONBLOCK : 0;
	struct mq_attr attr, *ap = NULL;
	unsigned int rnd;
	char name[64];
	int ret, tries;

	if (opts->max_msg || opts->max_msgs) {
		ret = kipc_mq_attr(opts, &attr);
		if (ret)
			return ret;
		ap = &attr;
	}
	if (opts->path) {
		ret = kipc_mq_open_new(q, opts->path, oflag, mode, ap);
	} else {
		/* A private queue: a fresh name nobody else has. */
		ret = -EEXIST;
		for (tries = 0; tries < 16 && ret == -EEXIST; tries++) {
			kipc_random_u32(&rnd);
			snprintf(name, sizeof(name), "/libkipc-%d-%08x",
				 (int)getpid(), rnd);
			ret = kipc_mq_open_new(q, name, oflag, mode, ap);
		}
	}
	if (ret)
		return ret;
	q->wfd = mq_open(q->path, O_WRONLY | oflag);
	if (q->wfd < 0)
		return kipc_neg_errno();
	if (mq_getattr(q->rfd, &attr) < 0)
		return kipc_neg_errno();
	q->max_msg = (size_t)attr.mq_msgsize;
	return 0;
}

static void kipc_mq_remove(struct kipc_msgq *q)
{
	mq_unlink(q->path);
}

/*
 * The absolute CLOCK_REALTIME deadline of the timed calls: already past
 * for a call that must not wait (the kernel then fails at once if it
 * would sleep), now + @ns for a timeout.  NULL: wait as long as it takes.
 */
static const struct timespec *kipc_mq_deadline(struct timespec *ts,
					       bool dontwait, int64_t ns)
{
	if (dontwait) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
		return ts;
	}
	if (!ns)
		return NULL;
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ns / 1000000000;
	ts->tv_nsec += ns % 1000000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
	return ts;
}

static int kipc_mq_errno(void)
{
	return errno == ETIMEDOUT ? -EAGAIN : kipc_neg_errno();
}

static int kipc_mq_send(struct kipc_msgq *q, const void *buf, size_t len,
			unsigned int priority, bool dontwait)
{
	const struct timespec *deadline;
	struct timespec ts;
	int ret;

	deadline = kipc_mq_deadline(&ts, dontwait, q->send_ns);
	if (deadline)
		ret = mq_timedsend(q->wfd, buf, len, priority, deadline);
	else
		ret = mq_send(q->wfd, buf, len, priority);
	return ret < 0 ? kipc_mq_errno() : 0;
}

static int kipc_mq_recv(struct kipc_msgq *q, void *buf, size_t len,
			struct kipc_msgq_info *info, unsigned int flags)
{
	const struct timespec *deadline;
	unsigned int priority;
	struct timespec ts;
	ssize_t n;

	deadline = kipc_mq_deadline(&ts, flags & KIPC_MSGQ_DONTWAIT,
				    q->recv_ns);
	if (deadline)
		n = mq_timedreceive(q->rfd, buf, len, &priority, deadline);
	else
		n = mq_receive(q->rfd, buf, len, &priority);
	if (n < 0)
		return kipc_mq_errno();
	info->size = (size_t)n;
	info->priority = priority;
	return 0;
}

static int kipc_mq_set_nonblock(struct kipc_msgq *q, bool nonblock)
{
	struct mq_attr attr;
	int fds[2] = { q->rfd, q->wfd };
	int i;

	memset(&attr, 0, sizeof(attr));
	attr.mq_flags = nonblock ? O_NONBLOCK : 0;
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0 && mq_setattr(fds[i], &attr, NULL) < 0)
			return kipc_neg_errno();
	return 0;
}

static int kipc_mq_set_timeouts(struct kipc_msgq *q, int64_t recv_ns,
				int64_t send_ns)
{
	q->recv_ns = recv_ns;
	q->send_ns = send_ns;
	return 0;
}

static int kipc_mq_get_queued(struct kipc_msgq *q, size_t *messages)
{
	struct mq_attr attr;

	if (mq_getattr(kipc_msgq_any_fd(q), &attr) < 0)
		return kipc_neg_errno();
	*messages = (size_t)attr.mq_curmsgs;
	return 0;
}

const struct kipc_msgq_ops kipc_msgq_posix_ops = {
	.create = kipc_mq_create,
	.remove = kipc_mq_remove,
	.send = kipc_mq_send,
	.recv = kipc_mq_recv,
	.set_nonblock = kipc_mq_set_nonblock,
	.set_timeouts = kipc_mq_set_timeouts,
	.get_queued = kipc_mq_get_queued,
};
