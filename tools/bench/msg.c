// SPDX-License-Identifier: GPL-2.0
/*
 * msg.c: the message queues: kipc message channels, POSIX and System V
 * message queues and SOCK_SEQPACKET socket pairs, all driven through
 * libkipc's kipc_msgq by the same code, each given the same capacity in
 * bytes, one message per send and per receive.  A receive must bring
 * back one whole message of the size that was sent: keeping boundaries
 * is what these mechanisms are for.
 *
 * System V and POSIX queues have limits of their own, below what a
 * 64 KiB message or a 64 KiB queue needs: msgmax and msgmnb, msgsize_max
 * and msg_max.  CAP_SYS_RESOURCE goes past all but one of them (mq_open()
 * takes larger sizes, IPC_SET a larger msg_qbytes), but nothing lets a
 * System V message past msgmax.  So a row that needs more than its
 * limits allow is made in a private IPC namespace whose limits are
 * raised to fit it, where kipc-bench may make one (CAP_SYS_ADMIN): the
 * system's limits stay as they are, and the namespace goes with the
 * row.  Elsewhere such a row is skipped, and says which limit.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

/* A queue's bytes: the same for all, and at least one message. */
static uint64_t msg_capacity(const struct job *j)
{
	return j->size > j->b->capacity ? j->size : j->b->capacity;
}

/* ------------------------------------------------------------------ */
/* The IPC namespace's limits                                          */

/* A limit of the IPC namespace, and what a row needs of it. */
struct ipc_limit {
	enum kipc_backend lib;
	const char *path;
	/* The least value @j needs. */
	uint64_t (*need)(const struct job *j);
	/* Not enforced with CAP_SYS_RESOURCE. */
	bool resource_exempt;
};

static uint64_t need_size(const struct job *j)
{
	return j->size;
}

static uint64_t need_capacity(const struct job *j)
{
	return msg_capacity(j);
}

static uint64_t need_messages(const struct job *j)
{
	return msg_capacity(j) / j->size;
}

static const struct ipc_limit ipc_limits[] = {
	{ KIPC_BACKEND_SYSV_MSG, "/proc/sys/kernel/msgmax", need_size,
	  false },
	{ KIPC_BACKEND_SYSV_MSG, "/proc/sys/kernel/msgmnb", need_capacity,
	  true },
	{ KIPC_BACKEND_POSIX_MQ, "/proc/sys/fs/mqueue/msgsize_max", need_size,
	  true },
	{ KIPC_BACKEND_POSIX_MQ, "/proc/sys/fs/mqueue/msg_max", need_messages,
	  true },
};

#define NLIMITS	(sizeof(ipc_limits) / sizeof(ipc_limits[0]))

static int read_limit(const char *path, uint64_t *v)
{
	char buf[32], *end;

	errno = 0;
	if (!read_first_line(path, buf, sizeof(buf)))
		return errno ? -errno : -EIO;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

static int write_limit(const char *path, uint64_t v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	char buf[32];
	int n;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

static bool has_cap_sys_resource(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &
	       CAP_TO_MASK(CAP_SYS_RESOURCE);
}

/*
 * Whether @l falls short of what @j needs: 1 (the reason in @why), 0,
 * or -errno when it cannot be read.
 */
static int limit_short(const struct ipc_limit *l, const struct job *j,
		       bool exempt, char *why, size_t len)
{
	uint64_t cur, need = l->need(j);
	int ret = read_limit(l->path, &cur);

	if (ret) {
		snprintf(why, len, "%s: %s", l->path, strerror(-ret));
		return ret;
	}
	if (cur >= need || (l->resource_exempt && exempt))
		return 0;
	snprintf(why, len, "%s is %" PRIu64 ", the row needs %" PRIu64,
		 l->path, cur, need);
	return 1;
}

/* In the private namespace: every limit that falls short, raised. */
static int raise_limits(struct job *j, bool exempt, char *why, size_t len)
{
	const struct ipc_limit *l;
	int ret;

	for (l = ipc_limits; l < ipc_limits + NLIMITS; l++) {
		if (l->lib != j->b->lib)
			continue;
		ret = limit_short(l, j, exempt, why, len);
		if (ret > 0)
			ret = write_limit(l->path, l->need(j));
		if (ret) {
			snprintf(why, len, "%s = %" PRIu64 " in a private IPC namespace: %s",
				 l->path, l->need(j), strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * The limits as they are, or, where one falls short, a private IPC
 * namespace for this row only; or a skip that says which limit.
 */
static int msg_prepare(struct job *j, char *why, size_t len)
{
	bool exempt = has_cap_sys_resource();
	const struct ipc_limit *l;
	int ns, ret = 0;

	for (l = ipc_limits; l < ipc_limits + NLIMITS && !ret; l++)
		if (l->lib == j->b->lib)
			ret = limit_short(l, j, exempt, why, len);
	if (ret <= 0)
		return ret;
	ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (ns >= 0 && !unshare(CLONE_NEWIPC)) {
		j->ipc_ns = ns;
		ret = raise_limits(j, exempt, why, len);
	} else {
		if (ns >= 0)
			close(ns);
		/* @why says which limit, from limit_short(). */
		ret = -ENOSPC;
	}
	j->limited = ret != 0;
	return ret;
}

/* Back to the namespace we came from; the private one goes with us. */
static void msg_finish(struct job *j)
{
	if (j->ipc_ns < 0)
		return;
	if (setns(j->ipc_ns, CLONE_NEWIPC))
		warnx_("setns(IPC): %s: the run goes on in the private namespace",
		       strerror(errno));
	close(j->ipc_ns);
	j->ipc_ns = -1;
}

/* ------------------------------------------------------------------ */
/* The queues: made and unmade in the main process                     */

/* What a system limit makes of a queue: a reason to skip, not a failure. */
static bool is_limit(int err)
{
	return err == -EPERM || err == -EACCES || err == -EMFILE ||
	       err == -ENFILE || err == -ENOSPC;
}

static int msg_make(struct job *j, struct link *lk, int dir, char *why,
		    size_t len)
{
	const struct backend *b = j->b;
	uint64_t cap = msg_capacity(j);
	struct kipc_msgq_opts o;
	int ret;

	/*
	 * POSIX mq has no byte capacity but a count of messages, each of at
	 * most mq_msgsize: as many of the row's size as the bytes hold.
	 */
	memset(&o, 0, sizeof(o));
	if (b->lib == KIPC_BACKEND_POSIX_MQ) {
		o.max_msg = j->size;
		o.max_msgs = (long)(cap / j->size);
		cap = o.max_msg * (uint64_t)o.max_msgs;
	} else {
		o.capacity = cap;
	}
	ret = kipc_msgq_create(&lk->mq[dir], b->lib, &o);
	if (ret) {
		lk->mq[dir] = NULL;
		snprintf(why, len, "kipc_msgq_create(%s, %" PRIu64 " bytes): %s",
			 b->mech, cap, kipc_strerror(ret));
		j->limited = is_limit(ret);
		return ret;
	}
	j->capacity = (int64_t)cap;
	return 0;
}

/* A queue is one-way here: ping-pong takes a second one for the answers. */
static int msg_link(struct job *j, struct link *lk, char *why, size_t len)
{
	int ret = msg_make(j, lk, 0, why, len);

	if (!ret && j->kind == JOB_PINGPONG)
		ret = msg_make(j, lk, 1, why, len);
	return ret;
}

static void msg_unlink(struct link *lk)
{
	kipc_msgq_destroy(lk->mq[0]);
	kipc_msgq_destroy(lk->mq[1]);
}

/* ------------------------------------------------------------------ */
/* The data path, in the workers                                       */

static void msg_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	int ret;

	do
		ret = kipc_msgq_send(w->lk->mq[dir], buf, len, 0, 0);
	while (ret == -EINTR);
	if (ret < 0)
		wfail(w, ret, "kipc_msgq_send");
}

/*
 * One message, which must be whole and of @len bytes: the sender never
 * sends another size, nor goes before the receiver has every message.
 */
static size_t msg_recv_some(struct wctx *w, int dir, uint8_t *buf,
			    size_t len)
{
	struct kipc_msgq_info info;
	int ret;

	do {
		memset(&info, 0, sizeof(info));
		ret = kipc_msgq_recv(w->lk->mq[dir], buf, len, &info, 0);
	} while (ret == -EINTR);
	if (ret < 0)
		wfail(w, ret, "kipc_msgq_recv");
	if (info.flags & KIPC_MSGQ_EOF)
		wfail(w, -ENODATA, "kipc_msgq_recv: end of file");
	if (info.size != len || (info.flags & KIPC_MSGQ_TRUNCATED))
		wfail(w, -EBADMSG, "kipc_msgq_recv: a message of %zu bytes, %zu sent",
		      info.size, len);
	return len;
}

/* The round trip's number, in as many of the first bytes as there are. */
static size_t stamp_len(size_t size)
{
	return size < sizeof(uint32_t) ? size : sizeof(uint32_t);
}

/* A message of the row's size there and back, the same bytes. */
static void msg_ping(struct wctx *w, uint32_t k)
{
	size_t size = w->j->size, n = stamp_len(size);
	uint32_t got = 0;

	memcpy(w->buf, &k, n);
	msg_send(w, 0, w->buf, size);
	msg_recv_some(w, 1, w->buf, size);
	memcpy(&got, w->buf, n);
	if (memcmp(&got, &k, n))
		wfail(w, -EBADMSG, "ping-pong: got %" PRIu32 ", sent %" PRIu32,
		      got, k);
}

static void msg_pong(struct wctx *w, uint32_t k)
{
	size_t size = w->j->size;

	(void)k;
	msg_recv_some(w, 0, w->buf, size);
	msg_send(w, 1, w->buf, size);
}

const struct family fam_msg = {
	.prepare = msg_prepare,
	.finish = msg_finish,
	.link = msg_link,
	.unlink = msg_unlink,
	.send = msg_send,
	.recv_some = msg_recv_some,
	.ping = msg_ping,
	.pong = msg_pong,
};
