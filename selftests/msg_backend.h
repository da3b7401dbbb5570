/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msg_backend.h - one interface over the message mechanisms that the kipc
 * message selftests hold to the same contract:
 *
 *	MSGCHAN_KIPC_PAIR	a kipc pair made with KIPC_CHAN_F_MESSAGE
 *	MSGCHAN_KIPC_NAMED	a kipc named message channel, both ends
 *				opened as /dev/kipc/NAME
 *	MSGCHAN_KIPC_OPEN	the same, both ends from KIPC_IOC_CHAN_OPEN
 *	MSGCHAN_SEQPACKET	socketpair(AF_UNIX, SOCK_SEQPACKET): one
 *				socket sends, the other receives
 *	MSGCHAN_POSIX_MQ	a POSIX message queue, opened twice
 *				(O_RDONLY, O_WRONLY) and unlinked at once
 *	MSGCHAN_SYSV		a System V message queue, msgget(IPC_PRIVATE)
 *
 * The mechanisms differ in what they have at all: a System V queue has no
 * fd, so no poll; only the socket and kipc know their ends, so only they
 * have EOF and EPIPE; the queues have priorities and the socket has none.
 * msgchan.has says which of those a mechanism has (MSGCHAN_HAS_*), for a
 * test to run only where the behaviour exists and to say why it skips.
 * Where the mechanisms share a behaviour but answer with different errnos
 * (an empty System V queue is ENOMSG, not EAGAIN), the errno is a field
 * here, named for the case, and the test compares with it.
 *
 * Priorities: kipc's and POSIX mq's are "highest first, FIFO within one".
 * System V has message types, and msgrcv() with msgtyp < 0 takes the first
 * message of the lowest type <= -msgtyp: so kipc priority p is sent as type
 * KIPC_MSG_PRIO_MAX - p and received with msgtyp -KIPC_MSG_PRIO_MAX, which
 * gives the same order.
 *
 * The kernel mechanisms are the reference: a body that passes on them and
 * fails on kipc has found a kipc bug.  Everything here returns a count or
 * 0 on success and -errno on failure; nothing asserts, so the helpers are
 * safe in forked children.  Include it after defining _GNU_SOURCE.
 */
#ifndef KIPC_SELFTEST_MSG_BACKEND_H
#define KIPC_SELFTEST_MSG_BACKEND_H

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "chan_backend.h"

enum msgchan_kind {
	MSGCHAN_KIPC_PAIR,
	MSGCHAN_KIPC_NAMED,
	MSGCHAN_KIPC_OPEN,
	MSGCHAN_SEQPACKET,
	MSGCHAN_POSIX_MQ,
	MSGCHAN_SYSV,
};

/* read(2) and write(2), readv(2) and writev(2): one message each */
#define MSGCHAN_HAS_RW		(1u << 0)
/* priorities, highest first and FIFO within one */
#define MSGCHAN_HAS_PRIO	(1u << 1)
/* ends: EOF once the senders are gone, EPIPE once the receivers are */
#define MSGCHAN_HAS_ENDS	(1u << 2)
/* poll() of its descriptors: POLLIN, POLLOUT */
#define MSGCHAN_HAS_POLL	(1u << 3)
/* a receive that leaves the message queued */
#define MSGCHAN_HAS_PEEK	(1u << 4)
/* a receive into a short buffer that takes the message, dropping the rest */
#define MSGCHAN_HAS_TRUNC	(1u << 5)
/* ... and that says how long the message was */
#define MSGCHAN_HAS_TRUNC_SIZE	(1u << 6)
/* a receive into a short buffer that fails, leaving the message queued */
#define MSGCHAN_HAS_TOOBIG	(1u << 7)
/* FIONREAD */
#define MSGCHAN_HAS_FIONREAD	(1u << 8)
/* write(2) to a channel with no receiver raises SIGPIPE */
#define MSGCHAN_HAS_SIGPIPE	(1u << 9)

/* The capacity of the kipc channels, and the SO_SNDBUF asked of a socket. */
#define MSGCHAN_CAPACITY	8192ULL

/* The POSIX queue's attributes: the defaults an unprivileged user gets. */
#define MSGCHAN_MQ_MAXMSG	10
#define MSGCHAN_MQ_MSGSIZE	8192

/* The largest message a System V queue takes: /proc/sys/kernel/msgmax. */
#define SYSV_MSGMAX_PATH	"/proc/sys/kernel/msgmax"

struct msgchan {
	enum msgchan_kind kind;
	unsigned int has;		/* MSGCHAN_HAS_* */
	int ctl;			/* /dev/kipc/control, or -1 */
	int rfd;			/* receiving fd, or -1 (System V) */
	int wfd;			/* sending fd, or -1 (System V) */
	int msqid;			/* System V queue, or -1 */
	bool nowait;			/* System V: IPC_NOWAIT, as O_NONBLOCK */
	pid_t creator;
	char name[KIPC_NAME_MAX + 1];	/* kipc channel or "/mq" name */
	size_t max_len;			/* the longest message one send takes */
	int empty_errno;		/* a receive that may not wait, none queued */
	int too_long_errno;		/* a send longer than max_len */
	int too_short_errno;		/* MSGCHAN_HAS_TOOBIG: a short buffer */
};

static inline bool msgchan_kind_is_kipc(enum msgchan_kind kind)
{
	return kind == MSGCHAN_KIPC_PAIR || kind == MSGCHAN_KIPC_NAMED ||
	       kind == MSGCHAN_KIPC_OPEN;
}

static inline bool msgchan_is_kipc(const struct msgchan *m)
{
	return msgchan_kind_is_kipc(m->kind);
}

static inline bool msgchan_has(const struct msgchan *m, unsigned int what)
{
	return (m->has & what) == what;
}

/*
 * Why @kind lacks @what (one MSGCHAN_HAS_* bit), for a test's SKIP(): the
 * reason is the mechanism's, so it is written once, here.
 */
static inline const char *msgchan_lacks(enum msgchan_kind kind,
					unsigned int what)
{
	bool sock = kind == MSGCHAN_SEQPACKET, mq = kind == MSGCHAN_POSIX_MQ;

	switch (what) {
	case MSGCHAN_HAS_RW:
		return mq ? "a POSIX mq moves messages with mq_send() and mq_receive(), not write() and read()" :
			"a System V queue has no fd: msgsnd() and msgrcv()";
	case MSGCHAN_HAS_PRIO:
		return "an AF_UNIX socket has no message priorities";
	case MSGCHAN_HAS_ENDS:
		return "a message queue has no ends: it outlives its users, with no EOF and no EPIPE";
	case MSGCHAN_HAS_POLL:
		return "a System V queue has no fd to poll";
	case MSGCHAN_HAS_PEEK:
		return mq ? "mq_receive() cannot peek" : "msgrcv() cannot peek";
	case MSGCHAN_HAS_TRUNC:
		return "mq_receive() refuses any buffer below mq_msgsize: it never truncates";
	case MSGCHAN_HAS_TRUNC_SIZE:
		return mq ? "mq_receive() never truncates" :
			"msgrcv(MSG_NOERROR) does not say how long the message was";
	case MSGCHAN_HAS_TOOBIG:
		return sock ? "a socket truncates into a short buffer (MSG_TRUNC); it never refuses" :
			"mq_receive() refuses any buffer below mq_msgsize, whatever the message's length";
	case MSGCHAN_HAS_FIONREAD:
		return mq ? "FIONREAD of a POSIX mq fd is a regular file's, not the queue's" :
			"a System V queue has no fd";
	case MSGCHAN_HAS_SIGPIPE:
		return sock ? "an AF_UNIX SOCK_SEQPACKET send fails with EPIPE but never raises SIGPIPE" :
			"a message queue has no receiver to lose";
	}
	return "not this mechanism";
}

/* KIPC_IOC_CHAN_OPEN: the fd, or -errno. */
static inline int ctl_chan_open(int ctl, const char *name, int flags,
				long long timeout_ns)
{
	struct kipc_chan_open op = { .flags = flags, .timeout_ns = timeout_ns };

	if (strlen(name) > KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(op.name, name);
	if (ioctl(ctl, KIPC_IOC_CHAN_OPEN, &op))
		return -errno;
	return op.fd;
}

/*
 * The two ends of a named channel, opened as a FIFO's user does it: the
 * receiver first with O_NONBLOCK (which never waits for a sender), then the
 * sender (which the receiver lets through), then the receiver made blocking.
 */
static inline int msgchan_open_named(struct msgchan *m, bool by_ioctl)
{
	char path[PATH_MAX];
	int err;

	node_path(path, sizeof(path), m->name);
	m->rfd = by_ioctl ? ctl_chan_open(m->ctl, m->name, O_RDONLY |
					  O_NONBLOCK | O_CLOEXEC, -1) :
		 open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m->rfd < 0)
		return by_ioctl ? m->rfd : -errno;
	m->wfd = by_ioctl ? ctl_chan_open(m->ctl, m->name,
					  O_WRONLY | O_CLOEXEC, -1) :
		 open(path, O_WRONLY | O_CLOEXEC);
	if (m->wfd < 0)
		return by_ioctl ? m->wfd : -errno;
	err = fd_change_flags(m->rfd, 0, O_NONBLOCK);
	return err;
}

static inline int msgchan_init_kipc(struct msgchan *m,
				    unsigned long long capacity)
{
	int fds[2] = { -1, -1 }, err;

	m->ctl = open(KIPC_CONTROL_PATH, O_RDWR | O_CLOEXEC);
	if (m->ctl < 0)
		return -errno;
	m->max_len = capacity;
	if (m->kind == MSGCHAN_KIPC_PAIR) {
		err = ctl_chan_pair(m->ctl, O_CLOEXEC | KIPC_CHAN_F_MESSAGE,
				    capacity, fds);
		if (err)
			return err;
		m->rfd = fds[0];
		m->wfd = fds[1];
		return 0;
	}
	snprintf(m->name, sizeof(m->name), "kipc_msg_test.%d.main",
		 (int)getpid());
	err = ctl_chan_create_flags(m->ctl, m->name, 0600,
				    KIPC_CHAN_F_MESSAGE, capacity);
	if (err) {
		m->name[0] = '\0';
		return err;
	}
	return msgchan_open_named(m, m->kind == MSGCHAN_KIPC_OPEN);
}

/*
 * A socket takes one message of up to sk_sndbuf - 32 bytes (what
 * SO_SNDBUF reads back); the rest of the send buffer bounds how many it
 * queues, counted in the kernel's allocations rather than in bytes.
 */
static inline int msgchan_init_seqpacket(struct msgchan *m)
{
	int sv[2], sndbuf = MSGCHAN_CAPACITY;
	socklen_t len = sizeof(sndbuf);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	m->rfd = sv[0];
	m->wfd = sv[1];
	if (setsockopt(m->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, len) ||
	    getsockopt(m->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len))
		return -errno;
	m->max_len = sndbuf - 32;
	return 0;
}

static inline int msgchan_init_mq(struct msgchan *m)
{
	struct mq_attr attr = {
		.mq_maxmsg = MSGCHAN_MQ_MAXMSG,
		.mq_msgsize = MSGCHAN_MQ_MSGSIZE,
	};
	int err = 0;

	snprintf(m->name, sizeof(m->name), "/kipc_msg_test.%d", (int)getpid());
	m->rfd = mq_open(m->name, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			 0600, &attr);
	if (m->rfd < 0) {
		m->name[0] = '\0';
		return -errno;
	}
	m->wfd = mq_open(m->name, O_WRONLY | O_CLOEXEC);
	if (m->wfd < 0)
		err = -errno;
	/* Open descriptors keep the queue; nothing is left to clean up. */
	if (mq_unlink(m->name) && !err)
		err = -errno;
	m->name[0] = '\0';
	m->max_len = MSGCHAN_MQ_MSGSIZE;
	return err;
}

static inline int msgchan_init_sysv(struct msgchan *m)
{
	char buf[32];
	int fd;
	ssize_t n;

	fd = open(SYSV_MSGMAX_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	m->max_len = strtoul(buf, NULL, 10);
	m->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	return m->msqid < 0 ? -errno : 0;
}

/*
 * Make a message channel of @kind with both ends open and blocking.
 * @capacity is the kipc channels' (0: MSGCHAN_CAPACITY); the others have
 * their own limits, in max_len.  A missing /dev/kipc/control is returned as
 * is, for the caller to skip or fail on.  On failure, call msgchan_fini().
 */
static inline int msgchan_init(struct msgchan *m, enum msgchan_kind kind,
			       unsigned long long capacity)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->ctl = m->rfd = m->wfd = m->msqid = -1;
	m->creator = getpid();
	m->empty_errno = EAGAIN;
	m->too_long_errno = EMSGSIZE;
	m->too_short_errno = EMSGSIZE;

	switch (kind) {
	case MSGCHAN_KIPC_PAIR:
	case MSGCHAN_KIPC_NAMED:
	case MSGCHAN_KIPC_OPEN:
		m->has = MSGCHAN_HAS_RW | MSGCHAN_HAS_PRIO |
			 MSGCHAN_HAS_ENDS | MSGCHAN_HAS_POLL |
			 MSGCHAN_HAS_PEEK | MSGCHAN_HAS_TRUNC |
			 MSGCHAN_HAS_TRUNC_SIZE | MSGCHAN_HAS_TOOBIG |
			 MSGCHAN_HAS_FIONREAD | MSGCHAN_HAS_SIGPIPE;
		return msgchan_init_kipc(m, capacity ?: MSGCHAN_CAPACITY);
	case MSGCHAN_SEQPACKET:
		m->has = MSGCHAN_HAS_RW | MSGCHAN_HAS_ENDS |
			 MSGCHAN_HAS_POLL | MSGCHAN_HAS_PEEK |
			 MSGCHAN_HAS_TRUNC | MSGCHAN_HAS_TRUNC_SIZE |
			 MSGCHAN_HAS_FIONREAD;
		return msgchan_init_seqpacket(m);
	case MSGCHAN_POSIX_MQ:
		m->has = MSGCHAN_HAS_PRIO | MSGCHAN_HAS_POLL;
		return msgchan_init_mq(m);
	case MSGCHAN_SYSV:
		m->has = MSGCHAN_HAS_PRIO | MSGCHAN_HAS_TRUNC |
			 MSGCHAN_HAS_TOOBIG;
		/* msgrcv(IPC_NOWAIT) on an empty queue; msgsnd() above msgmax */
		m->empty_errno = ENOMSG;
		m->too_long_errno = EINVAL;
		m->too_short_errno = E2BIG;	/* without MSG_NOERROR */
		return msgchan_init_sysv(m);
	}
	return -EINVAL;
}

/* Undo msgchan_init(); only the creating process removes what is named. */
static inline int msgchan_fini(struct msgchan *m)
{
	int err = close_fd(&m->rfd);
	int err2 = close_fd(&m->wfd);

	if (!err)
		err = err2;
	if (getpid() != m->creator)
		return err;
	if (m->msqid >= 0 && msgctl(m->msqid, IPC_RMID, NULL) && !err)
		err = -errno;
	m->msqid = -1;
	if (msgchan_is_kipc(m) && m->name[0]) {
		err2 = ctl_chan_remove(m->ctl, m->name);
		if (!err)
			err = err2;
		m->name[0] = '\0';
	}
	close_fd(&m->ctl);
	return err;
}

/* Make both ends wait or not: O_NONBLOCK, or IPC_NOWAIT on every call. */
static inline int msgchan_nonblock(struct msgchan *m, bool on)
{
	struct mq_attr attr = { .mq_flags = on ? O_NONBLOCK : 0 };
	int err;

	m->nowait = on;
	switch (m->kind) {
	case MSGCHAN_SYSV:
		return 0;
	case MSGCHAN_POSIX_MQ:
		if (mq_setattr(m->rfd, &attr, NULL) ||
		    mq_setattr(m->wfd, &attr, NULL))
			return -errno;
		return 0;
	default:
		err = fd_change_flags(m->rfd, on ? O_NONBLOCK : 0,
				      on ? 0 : O_NONBLOCK);
		if (!err)
			err = fd_change_flags(m->wfd, on ? O_NONBLOCK : 0,
					      on ? 0 : O_NONBLOCK);
		return err;
	}
}

/* A System V message: the type, then the text. */
struct sysv_msg {
	long mtype;
	char mtext[];
};

static inline unsigned int sysv_type_of(unsigned int prio)
{
	return KIPC_MSG_PRIO_MAX - prio;
}

/*
 * Send one message of @len bytes with priority @prio (0 where the
 * mechanism has none): @len, or -errno.  kipc sends with write(2), and
 * with KIPC_IOC_MSG_SEND only for a priority, as a priority needs it.
 */
static inline ssize_t msgchan_send(struct msgchan *m, const void *buf,
				   size_t len, unsigned int prio)
{
	struct kipc_msg msg = {
		.buf = (uintptr_t)buf, .len = len, .priority = prio,
	};
	struct sysv_msg *sm;
	ssize_t n;

	switch (m->kind) {
	case MSGCHAN_POSIX_MQ:
		return mq_send(m->wfd, buf, len, prio) ? -errno : (ssize_t)len;
	case MSGCHAN_SYSV:
		sm = malloc(sizeof(*sm) + len);
		if (!sm)
			return -ENOMEM;
		sm->mtype = sysv_type_of(prio);
		memcpy(sm->mtext, buf, len);
		n = msgsnd(m->msqid, sm, len, m->nowait ? IPC_NOWAIT : 0) ?
			-errno : (ssize_t)len;
		free(sm);
		return n;
	case MSGCHAN_SEQPACKET:
		if (prio)
			return -EINVAL;
		break;
	default:
		if (!prio)
			break;
		return ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg) ? -errno :
			(ssize_t)len;
	}
	n = write(m->wfd, buf, len);
	return n < 0 ? -errno : n;
}

/*
 * mq_receive() refuses any buffer shorter than mq_msgsize (EMSGSIZE),
 * whatever the message's length.  The tests give buffers that fit their
 * messages, so receive into one of mq_msgsize and copy; a message longer
 * than @len, which the test did not mean, is lost: -ENOBUFS says so.
 */
static inline ssize_t msgchan_mq_receive(struct msgchan *m, void *buf,
					 size_t len, unsigned int *prio)
{
	char *bounce = malloc(MSGCHAN_MQ_MSGSIZE);
	ssize_t n;

	if (!bounce)
		return -ENOMEM;
	n = mq_receive(m->rfd, bounce, MSGCHAN_MQ_MSGSIZE, prio);
	if (n < 0)
		n = -errno;
	else if ((size_t)n > len)
		n = -ENOBUFS;
	else
		memcpy(buf, bounce, n);
	free(bounce);
	return n;
}

/*
 * Receive the next message (the highest priority's first) into @buf of
 * @len bytes: its length, or -errno; its priority in *@prio if asked.
 * kipc receives with read(2), and with KIPC_IOC_MSG_RECV only when asked
 * for the priority, which only it reports.
 */
static inline ssize_t msgchan_recv(struct msgchan *m, void *buf, size_t len,
				   unsigned int *prio)
{
	struct kipc_msg msg = { .buf = (uintptr_t)buf, .len = len };
	struct sysv_msg *sm;
	unsigned int p = 0;
	ssize_t n;

	switch (m->kind) {
	case MSGCHAN_POSIX_MQ:
		n = msgchan_mq_receive(m, buf, len, &p);
		if (n < 0)
			return n;
		break;
	case MSGCHAN_SYSV:
		sm = malloc(sizeof(*sm) + len);
		if (!sm)
			return -ENOMEM;
		n = msgrcv(m->msqid, sm, len, -KIPC_MSG_PRIO_MAX,
			   m->nowait ? IPC_NOWAIT : 0);
		if (n >= 0) {
			memcpy(buf, sm->mtext, n);
			p = KIPC_MSG_PRIO_MAX - sm->mtype;
		} else {
			n = -errno;
		}
		free(sm);
		if (n < 0)
			return n;
		break;
	case MSGCHAN_SEQPACKET:
		n = read(m->rfd, buf, len);
		break;
	default:
		if (!prio) {
			n = read(m->rfd, buf, len);
			break;
		}
		if (m->nowait)
			msg.flags = KIPC_MSG_DONTWAIT;
		if (ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg))
			return -errno;
		n = msg.size;
		p = msg.priority;
		break;
	}
	if (n < 0)
		return -errno;
	if (prio)
		*prio = p;
	return n;
}

/*
 * Receive the next message into @len bytes, dropping what does not fit:
 * the bytes copied, or -errno.  *@whole gets the message's length where
 * the mechanism says it (MSGCHAN_HAS_TRUNC_SIZE), else -1.  kipc:
 * KIPC_MSG_TRUNC; the socket: recv(MSG_TRUNC), which returns the whole
 * length; System V: MSG_NOERROR.
 */
static inline ssize_t msgchan_recv_trunc(struct msgchan *m, void *buf,
					 size_t len, long long *whole)
{
	struct kipc_msg msg = {
		.buf = (uintptr_t)buf, .len = len, .flags = KIPC_MSG_TRUNC,
	};
	struct sysv_msg *sm;
	ssize_t n;

	*whole = -1;
	switch (m->kind) {
	case MSGCHAN_SYSV:
		sm = malloc(sizeof(*sm) + len);
		if (!sm)
			return -ENOMEM;
		n = msgrcv(m->msqid, sm, len, -KIPC_MSG_PRIO_MAX,
			   MSG_NOERROR | (m->nowait ? IPC_NOWAIT : 0));
		if (n >= 0)
			memcpy(buf, sm->mtext, n);
		else
			n = -errno;
		free(sm);
		return n;
	case MSGCHAN_SEQPACKET:
		n = recv(m->rfd, buf, len, MSG_TRUNC);
		if (n < 0)
			return -errno;
		*whole = n;
		return (size_t)n < len ? n : (ssize_t)len;
	case MSGCHAN_POSIX_MQ:
		return -EOPNOTSUPP;
	default:
		if (m->nowait)
			msg.flags |= KIPC_MSG_DONTWAIT;
		if (ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg))
			return -errno;
		*whole = msg.size;
		return msg.size < len ? (ssize_t)msg.size : (ssize_t)len;
	}
}

/*
 * Copy the next message's first @len bytes, leaving it queued: the bytes
 * copied, or -errno.  kipc: KIPC_MSG_PEEK | KIPC_MSG_TRUNC (without TRUNC
 * a short buffer is EMSGSIZE); the socket: MSG_PEEK, which truncates.
 */
static inline ssize_t msgchan_peek(struct msgchan *m, void *buf, size_t len)
{
	struct kipc_msg msg = {
		.buf = (uintptr_t)buf, .len = len,
		.flags = KIPC_MSG_PEEK | KIPC_MSG_TRUNC,
	};
	ssize_t n;

	switch (m->kind) {
	case MSGCHAN_SEQPACKET:
		n = recv(m->rfd, buf, len, MSG_PEEK);
		return n < 0 ? -errno : n;
	case MSGCHAN_POSIX_MQ:
	case MSGCHAN_SYSV:
		return -EOPNOTSUPP;
	default:
		if (m->nowait)
			msg.flags |= KIPC_MSG_DONTWAIT;
		if (ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg))
			return -errno;
		return msg.size < len ? (ssize_t)msg.size : (ssize_t)len;
	}
}

/* The system calls msgchan_recv() and msgchan_send() sleep in. */
static inline long msgchan_recv_syscall(const struct msgchan *m)
{
	switch (m->kind) {
	case MSGCHAN_POSIX_MQ:
		return SYS_mq_timedreceive;
	case MSGCHAN_SYSV:
		return SYS_msgrcv;
	default:
		return SYS_read;
	}
}

static inline long msgchan_send_syscall(const struct msgchan *m)
{
	switch (m->kind) {
	case MSGCHAN_POSIX_MQ:
		return SYS_mq_timedsend;
	case MSGCHAN_SYSV:
		return SYS_msgsnd;
	default:
		return SYS_write;
	}
}

/*
 * Send @len-byte messages without waiting until one does not fit: how
 * many fit, or -errno.  The channel is left blocking as it was.
 */
static inline long msgchan_fill(struct msgchan *m, size_t len)
{
	bool was = m->nowait;
	char *buf = calloc(1, len ?: 1);
	long count = 0;
	ssize_t n = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	err = msgchan_nonblock(m, true);
	while (!err && (n = msgchan_send(m, buf, len, 0)) >= 0)
		count++;
	if (!err && n != -EAGAIN)
		err = n;
	free(buf);
	n = msgchan_nonblock(m, was);
	if (!err)
		err = n;
	return err ? err : count;
}

/*
 * Receive without waiting until nothing is queued: how many, or -errno.
 * Only while a sender is left: at EOF a receive returns 0 for ever.
 */
static inline long msgchan_drain(struct msgchan *m, size_t len)
{
	bool was = m->nowait;
	char *buf = malloc(len ?: 1);
	long count = 0;
	ssize_t n = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	err = msgchan_nonblock(m, true);
	while (!err && (n = msgchan_recv(m, buf, len, NULL)) >= 0)
		count++;
	if (!err && n != -m->empty_errno)
		err = n;
	free(buf);
	n = msgchan_nonblock(m, was);
	if (!err)
		err = n;
	return err ? err : count;
}

#endif /* KIPC_SELFTEST_MSG_BACKEND_H */
