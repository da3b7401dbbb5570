/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc internals of the message API: the handle that msgq.c hands out
 * and the operations each backend file (msgq_kipc.c, msgq_posix.c,
 * msgq_sysv.c, msgq_seqpacket.c) fills in.  msgq.c checks the arguments,
 * the ends and the caps before it calls them, so that each backend only
 * maps a valid request onto its mechanism.
 */
#ifndef LIBKIPC_MSGQ_H
#define LIBKIPC_MSGQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

#define KIPC_MSGQ_DEFAULT_MODE	0600

struct kipc_msgq_ops;

struct kipc_msgq {
	enum kipc_backend backend;
	const struct kipc_msgq_ops *ops;
	unsigned int ends;	/* KIPC_CHAN_READ, KIPC_CHAN_WRITE still open */
	int rfd;		/* read end: channel, mqd_t, socket; or -1 */
	int wfd;		/* write end; or -1 */
	int msqid;		/* SYSV_MSG: the queue; or -1 */
	bool nonblock;		/* SYSV_MSG: IPC_NOWAIT on every call */
	pid_t owner;		/* made a named object: removes it; or 0 */
	char *path;		/* KIPC_MSG's name, POSIX_MQ's "/name" */
	/*
	 * The longest message the backend could ever hand a receiver:
	 * POSIX_MQ's mq_msgsize, SYSV_MSG's msgmax, SEQPACKET's largest
	 * send.  0 where unused.
	 */
	size_t max_msg;
	size_t qbytes;		/* SYSV_MSG: msg_qbytes */
	int64_t recv_ns;	/* POSIX_MQ: receive timeout; 0: none */
	int64_t send_ns;	/* POSIX_MQ: send timeout; 0: none */
};

/*
 * What a backend does.  The common code has already checked: valid flags
 * and priority, the caps the request needs, the end it needs is open,
 * and a buffer for a non-zero length.  @info of recv is zeroed and never
 * NULL.  Each returns 0 or a negative errno value.  A backend without a
 * cap leaves its operation NULL (remove: nothing named to remove).
 */
struct kipc_msgq_ops {
	int (*create)(struct kipc_msgq *q, const struct kipc_msgq_opts *opts);
	/* The named object this process made, after its ends are closed. */
	void (*remove)(struct kipc_msgq *q);
	int (*send)(struct kipc_msgq *q, const void *buf, size_t len,
		    unsigned int priority, bool dontwait);
	int (*recv)(struct kipc_msgq *q, void *buf, size_t len,
		    struct kipc_msgq_info *info, unsigned int flags);
	int (*set_nonblock)(struct kipc_msgq *q, bool nonblock);
	/* Both >= 0; 0 is no limit. */
	int (*set_timeouts)(struct kipc_msgq *q, int64_t recv_ns,
			    int64_t send_ns);
	int (*get_queued)(struct kipc_msgq *q, size_t *messages);
};

extern const struct kipc_msgq_ops kipc_msgq_kipc_ops;
extern const struct kipc_msgq_ops kipc_msgq_posix_ops;
extern const struct kipc_msgq_ops kipc_msgq_sysv_ops;
extern const struct kipc_msgq_ops kipc_msgq_seqpacket_ops;

/* For the fd backends: O_NONBLOCK on each open end. */
int kipc_msgq_fds_set_nonblock(struct kipc_msgq *q, bool nonblock);
/* Any open end's fd, or -1. */
int kipc_msgq_any_fd(const struct kipc_msgq *q);

#endif /* LIBKIPC_MSGQ_H */
