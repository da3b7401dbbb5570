// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * sysv-msg: a private System V message queue, msgget(IPC_PRIVATE),
 * removed by its creator in kipc_msgq_destroy().  The queue has no ends:
 * kipc_msgq_close() only stops this handle, and nobody sees end of file
 * or EPIPE; it has no fd to poll and no timeout either.
 *
 * Priorities are message types: priority p is mtype 32 - p, and receives
 * ask for msgtyp -32, "the lowest type first", which is the highest
 * priority first and FIFO within one.  A message and its type travel in
 * one buffer (struct msgbuf), so each call copies through one.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "msgq.h"

static int kipc_sysv_stat(struct kipc_msgq *q, struct msqid_ds *ds)
{
	if (msgctl(q->msqid, IPC_STAT, ds) < 0)
		return kipc_neg_errno();
	return 0;
}

static int kipc_sysv_create(struct kipc_msgq *q,
			    const struct kipc_msgq_opts *opts)
{
	mode_t mode = opts->mode ? opts->mode : KIPC_MSGQ_DEFAULT_MODE;
	struct msginfo mi;
	struct msqid_ds ds;
	int ret;

	/* IPC_INFO needs no queue: the longest message msgsnd() takes. */
	if (msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) < 0)
		return kipc_neg_errno();
	q->max_msg = (size_t)mi.msgmax;
	q->msqid = msgget(IPC_PRIVATE, IPC_CREAT | mode);
	if (q->msqid < 0)
		return kipc_neg_errno();
	q->owner = getpid();
	q->nonblock = opts->flags & KIPC_MSGQ_NONBLOCK;
	ret = kipc_sysv_stat(q, &ds);
	if (ret)
		return ret;
	/* Above msgmnb this needs CAP_SYS_RESOURCE: EPERM, said as it is. */
	if (opts->capacity) {
		ds.msg_qbytes = opts->capacity;
		if (msgctl(q->msqid, IPC_SET, &ds) < 0)
			return kipc_neg_errno();
		ret = kipc_sysv_stat(q, &ds);
		if (ret)
			return ret;
	}
	q->qbytes = ds.msg_qbytes;
	return 0;
}

static void kipc_sysv_remove(struct kipc_msgq *q)
{
	if (q->msqid >= 0)
		msgctl(q->msqid, IPC_RMID, NULL);
}

static int kipc_sysv_send(struct kipc_msgq *q, const void *buf, size_t len,
			  unsigned int priority, bool dontwait)
{
	long mtype = KIPC_MSG_PRIO_MAX - (long)priority;
	char *mb;
	int ret = 0;

	/*
	 * Longer than msgmax, msgsnd() says EINVAL; longer than the queue
	 * holds, it would wait for ever: both are a message too long.
	 */
	if (len > q->max_msg || len > q->qbytes)
		return -EMSGSIZE;
	mb = malloc(sizeof(mtype) + len);
	if (!mb)
		return -ENOMEM;
	memcpy(mb, &mtype, sizeof(mtype));
	if (len)
		memcpy(mb + sizeof(mtype), buf, len);
	if (msgsnd(q->msqid, mb, len,
		   dontwait || q->nonblock ? IPC_NOWAIT : 0) < 0)
		ret = kipc_neg_errno();
	free(mb);
	return ret;
}

/*
 * A short buffer without KIPC_MSGQ_TRUNC is msgrcv()'s E2BIG, the message
 * staying queued: -EMSGSIZE.  With it, MSG_NOERROR would drop the excess
 * without saying the whole length, so the receive goes through a buffer
 * that any message of this queue fits (none is longer than msg_qbytes),
 * and the truncation is the copy out of it.
 */
static int kipc_sysv_recv(struct kipc_msgq *q, void *buf, size_t len,
			  struct kipc_msgq_info *info, unsigned int flags)
{
	bool trunc = flags & KIPC_MSGQ_TRUNC;
	size_t room = trunc || len > q->qbytes ? q->qbytes : len;
	int msgflg = trunc ? MSG_NOERROR : 0;
	long mtype;
	ssize_t n;
	char *mb;

	if (flags & KIPC_MSGQ_DONTWAIT || q->nonblock)
		msgflg |= IPC_NOWAIT;
	mb = malloc(sizeof(mtype) + room);
	if (!mb)
		return -ENOMEM;
	n = msgrcv(q->msqid, mb, room, -KIPC_MSG_PRIO_MAX, msgflg);
	if (n < 0) {
		n = errno == E2BIG ? -EMSGSIZE :
		    errno == ENOMSG ? -EAGAIN : kipc_neg_errno();
		free(mb);
		return (int)n;
	}
	memcpy(&mtype, mb, sizeof(mtype));
	if (n && len)
		memcpy(buf, mb + sizeof(mtype),
		       (size_t)n < len ? (size_t)n : len);
	free(mb);
	info->size = (size_t)n;
	if (mtype >= 1 && mtype <= KIPC_MSG_PRIO_MAX)
		info->priority = (unsigned int)(KIPC_MSG_PRIO_MAX - mtype);
	if ((size_t)n > len)
		info->flags |= KIPC_MSGQ_TRUNCATED;
	return 0;
}

static int kipc_sysv_set_nonblock(struct kipc_msgq *q, bool nonblock)
{
	q->nonblock = nonblock;
	return 0;
}

static int kipc_sysv_get_queued(struct kipc_msgq *q, size_t *messages)
{
	struct msqid_ds ds;
	int ret = kipc_sysv_stat(q, &ds);

	if (!ret)
		*messages = ds.msg_qnum;
	return ret;
}

const struct kipc_msgq_ops kipc_msgq_sysv_ops = {
	.create = kipc_sysv_create,
	.remove = kipc_sysv_remove,
	.send = kipc_sysv_send,
	.recv = kipc_sysv_recv,
	.set_nonblock = kipc_sysv_set_nonblock,
	.get_queued = kipc_sysv_get_queued,
};
