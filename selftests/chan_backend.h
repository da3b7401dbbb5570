/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chan_backend.h - one interface over the kinds of channel that the kipc
 * selftests hold to the same contract:
 *
 *	CHAN_PIPE		a kernel pipe from pipe2()
 *	CHAN_FIFO		a kernel FIFO made with mkfifo() in a private
 *				directory
 *	CHAN_KIPC_PAIR		a kipc pair from KIPC_IOC_CHAN_PAIR
 *	CHAN_KIPC_NAMED		a kipc named channel, /dev/kipc/NAME
 *	CHAN_KIPC_MAPPED	a kipc pair made with KIPC_CHAN_F_MAPPED
 *	CHAN_KIPC_MAPPED_NAMED	a named channel made with KIPC_CHAN_F_MAPPED
 *
 * A mapped channel used through read() and write() alone, with no ring
 * mapped, is a channel like any other: the same contract, except that it
 * has no packet mode (O_DIRECT is EINVAL) and its capacity is a power of
 * two number of pages.  Its ring protocol is in mapped_ring.h.
 *
 * The kernel objects are the reference: a test body that passes on them and
 * fails on kipc has found a kipc bug, or a documented difference that the body
 * must then spell out per backend.
 *
 * Everything here returns 0 (or a count) on success and -errno on failure;
 * nothing asserts, so the helpers are safe in forked children and threads.
 * Include it after defining _GNU_SOURCE (F_SETPIPE_SZ, pipe2).
 */
#ifndef KIPC_SELFTEST_CHAN_BACKEND_H
#define KIPC_SELFTEST_CHAN_BACKEND_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/kipc.h>

#define KIPC_DEV_DIR		"/dev/kipc"
#define KIPC_CONTROL_PATH	KIPC_DEV_DIR "/control"

/*
 * The defaults of the module parameters default_capacity and max_capacity
 * (the largest capacity an unprivileged caller may set, the twin of
 * fs.pipe-max-size).  They are tunables, not ABI, so kipc.h leaves them out;
 * the hard bounds, KIPC_CAPACITY_MIN and KIPC_CAPACITY_CEILING, are in kipc.h.
 */
#define KIPC_DEFAULT_CAPACITY	(64ULL << 10)
#define KIPC_MAX_CAPACITY	(1ULL << 20)

/* The default capacity of a kernel pipe: PIPE_DEF_BUFFERS pages of 4 KiB. */
#define PIPE_DEFAULT_CAPACITY	65536LL

enum chan_kind {
	CHAN_PIPE,
	CHAN_FIFO,
	CHAN_KIPC_PAIR,
	CHAN_KIPC_NAMED,
	CHAN_KIPC_MAPPED,
	CHAN_KIPC_MAPPED_NAMED,
};

struct chan {
	enum chan_kind kind;
	int ctl;			/* /dev/kipc/control, or -1 */
	int rfd;			/* read end, or -1 */
	int wfd;			/* write end, or -1 */
	pid_t creator;			/* the process that made the node */
	char dir[PATH_MAX];		/* CHAN_FIFO: private directory */
	char name[KIPC_NAME_MAX + 1];	/* CHAN_KIPC_NAMED: channel name */
	char path[PATH_MAX];		/* CHAN_FIFO, CHAN_KIPC_NAMED: node */
};

static inline bool chan_kind_is_mapped(enum chan_kind kind)
{
	return kind == CHAN_KIPC_MAPPED || kind == CHAN_KIPC_MAPPED_NAMED;
}

static inline bool chan_kind_is_kipc(enum chan_kind kind)
{
	return kind == CHAN_KIPC_PAIR || kind == CHAN_KIPC_NAMED ||
	       chan_kind_is_mapped(kind);
}

static inline bool chan_is_kipc(const struct chan *c)
{
	return chan_kind_is_kipc(c->kind);
}

static inline bool chan_is_mapped(const struct chan *c)
{
	return chan_kind_is_mapped(c->kind);
}

/* A kipc node, /dev/kipc/NAME, mapped or not. */
static inline bool chan_is_kipc_named(const struct chan *c)
{
	return c->kind == CHAN_KIPC_NAMED || c->kind == CHAN_KIPC_MAPPED_NAMED;
}

/* Does the channel have a node that is opened like a FIFO? */
static inline bool chan_is_named(const struct chan *c)
{
	return c->kind == CHAN_FIFO || chan_is_kipc_named(c);
}

/* Are both ends made by one call, like pipe2()? */
static inline bool chan_is_pair(const struct chan *c)
{
	return c->kind == CHAN_PIPE || c->kind == CHAN_KIPC_PAIR ||
	       c->kind == CHAN_KIPC_MAPPED;
}

/* The KIPC_CHAN_F_* flags this kind of channel is created with. */
static inline unsigned int chan_create_flags(const struct chan *c)
{
	return chan_is_mapped(c) ? KIPC_CHAN_F_MAPPED : 0;
}

static inline int close_fd(int *fd)
{
	int ret = 0;

	if (*fd >= 0 && close(*fd))
		ret = -errno;
	*fd = -1;
	return ret;
}

/* Set and clear file status flags (O_NONBLOCK, O_DIRECT, O_ASYNC). */
static inline int fd_change_flags(int fd, int set, int clear)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, (fl | set) & ~clear))
		return -errno;
	return 0;
}

/* FIONREAD: bytes queued. */
static inline int fd_queued(int fd)
{
	int n;

	if (ioctl(fd, FIONREAD, &n))
		return -errno;
	return n;
}

/* kipc control commands, one call each. */

static inline int ctl_chan_pair(int ctl, unsigned int flags,
				 unsigned long long capacity, int fds[2])
{
	struct kipc_chan_pair p = { .flags = flags, .capacity = capacity };

	if (ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p))
		return -errno;
	fds[0] = p.rfd;
	fds[1] = p.wfd;
	return 0;
}

static inline int chan_name_set(struct kipc_chan_name *n, const char *name)
{
	memset(n, 0, sizeof(*n));
	if (strlen(name) > KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(n->name, name);
	return 0;
}

static inline int ctl_chan_create_flags(int ctl, const char *name, mode_t mode,
					 unsigned int flags,
					 unsigned long long capacity)
{
	struct kipc_chan_name n;
	int err = chan_name_set(&n, name);

	if (err)
		return err;
	n.mode = mode;
	n.flags = flags;
	n.capacity = capacity;
	if (ioctl(ctl, KIPC_IOC_CHAN_CREATE, &n))
		return -errno;
	return 0;
}

static inline int ctl_chan_create(int ctl, const char *name, mode_t mode,
				   unsigned long long capacity)
{
	return ctl_chan_create_flags(ctl, name, mode, 0, capacity);
}

static inline int ctl_chan_remove(int ctl, const char *name)
{
	struct kipc_chan_name n;
	int err = chan_name_set(&n, name);

	if (err)
		return err;
	if (ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &n))
		return -errno;
	return 0;
}

static inline int fd_chan_stats(int fd, struct kipc_chan_stats *st)
{
	if (ioctl(fd, KIPC_IOC_CHAN_STATS, st))
		return -errno;
	return 0;
}

/* A name no other test process uses: "kipc_chan_test.<pid>.<tag>". */
static inline void test_chan_name(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "kipc_chan_test.%d.%s", (int)getpid(), tag);
}

static inline void node_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, KIPC_DEV_DIR "/%s", name);
}

/*
 * Open both ends of a named node the way a FIFO user does: the read end
 * O_RDONLY|O_NONBLOCK (which never waits for a writer), then the write end
 * O_WRONLY (which a reader now lets through), then give each end the status
 * flags asked for. O_DIRECT (packet mode) goes to the write end only, as
 * pipe2() does.
 */
static inline int chan_open_path(const char *path, int flags, int fds[2])
{
	int cloexec = flags & O_CLOEXEC;
	int err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	fds[0] = open(path, O_RDONLY | O_NONBLOCK | cloexec);
	if (fds[0] < 0)
		return -errno;
	fds[1] = open(path, O_WRONLY | cloexec);
	if (fds[1] < 0) {
		err = -errno;
		goto out_close_read;
	}
	err = fd_change_flags(fds[0], 0, O_NONBLOCK & ~flags);
	if (!err)
		err = fd_change_flags(fds[1], flags & (O_NONBLOCK | O_DIRECT), 0);
	if (err)
		goto out_close_write;
	return 0;

out_close_write:
	close_fd(&fds[1]);
out_close_read:
	close_fd(&fds[0]);
	return err;
}

/*
 * Prepare a channel of this kind: nothing for a pipe, the node for a FIFO or
 * a named channel, the control device for kipc. A missing or unopenable
 * /dev/kipc/control is returned as is (-ENOENT, -EACCES, ...), for the caller
 * to skip or fail on.
 */
static inline int chan_init(struct chan *c, enum chan_kind kind)
{
	const char *tmp = getenv("TMPDIR");
	int err;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->ctl = c->rfd = c->wfd = -1;
	c->creator = getpid();

	switch (kind) {
	case CHAN_PIPE:
		return 0;
	case CHAN_FIFO:
		/* A long $TMPDIR must fail, not truncate the template. */
		if (snprintf(c->dir, sizeof(c->dir), "%s/kipc_chan_test.XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(c->dir)) {
			c->dir[0] = '\0';
			return -ENAMETOOLONG;
		}
		if (!mkdtemp(c->dir)) {
			c->dir[0] = '\0';
			return -errno;
		}
		if (snprintf(c->path, sizeof(c->path), "%s/fifo", c->dir) >=
		    sizeof(c->path)) {
			c->path[0] = '\0';
			return -ENAMETOOLONG;
		}
		if (mkfifo(c->path, 0600)) {
			c->path[0] = '\0';
			return -errno;
		}
		return 0;
	case CHAN_KIPC_PAIR:
	case CHAN_KIPC_NAMED:
	case CHAN_KIPC_MAPPED:
	case CHAN_KIPC_MAPPED_NAMED:
		c->ctl = open(KIPC_CONTROL_PATH, O_RDWR | O_CLOEXEC);
		if (c->ctl < 0)
			return -errno;
		if (chan_is_pair(c))
			return 0;
		test_chan_name(c->name, sizeof(c->name), "main");
		err = ctl_chan_create_flags(c->ctl, c->name, 0600,
					    chan_create_flags(c), 0);
		if (err) {
			c->name[0] = '\0';
			return err;
		}
		node_path(c->path, sizeof(c->path), c->name);
		return 0;
	}
	return -EINVAL;
}

/* Close both ends. The node, if any, stays. */
static inline int chan_close(struct chan *c)
{
	int err = close_fd(&c->rfd);
	int err2 = close_fd(&c->wfd);

	return err ? err : err2;
}

/*
 * Undo chan_init(). Only the creating process removes the node, so that a
 * forked child that unwinds by accident cannot pull it from under the test.
 */
static inline int chan_fini(struct chan *c)
{
	int err = chan_close(c);

	if (getpid() != c->creator)
		return err;
	if (c->kind == CHAN_FIFO) {
		if (c->path[0] && unlink(c->path) && !err)
			err = -errno;
		if (c->dir[0] && rmdir(c->dir) && !err)
			err = -errno;
	}
	if (chan_is_kipc_named(c) && c->name[0]) {
		int err2 = ctl_chan_remove(c->ctl, c->name);

		if (!err)
			err = err2;
	}
	close_fd(&c->ctl);
	return err;
}

/*
 * Make c->rfd and c->wfd, with any of O_CLOEXEC, O_NONBLOCK and O_DIRECT.
 * For the pair kinds the flags go to pipe2() or KIPC_IOC_CHAN_PAIR unfiltered
 * (with KIPC_CHAN_F_MAPPED added for a mapped pair), so that a test can pass
 * a bad one.
 */
static inline int chan_open(struct chan *c, int flags)
{
	int fds[2];
	int err;

	switch (c->kind) {
	case CHAN_PIPE:
		err = pipe2(fds, flags) ? -errno : 0;
		break;
	case CHAN_KIPC_PAIR:
	case CHAN_KIPC_MAPPED:
		err = ctl_chan_pair(c->ctl, flags | chan_create_flags(c), 0,
				    fds);
		break;
	default:
		err = chan_open_path(c->path, flags, fds);
		break;
	}
	if (err)
		return err;
	c->rfd = fds[0];
	c->wfd = fds[1];
	return 0;
}

/* Open one more fd on the node of a named kind, like open(2): fd or -errno. */
static inline int chan_open_node(const struct chan *c, int oflags)
{
	int fd;

	if (!chan_is_named(c))
		return -EINVAL;
	fd = open(c->path, oflags);
	return fd < 0 ? -errno : fd;
}

/* Capacity in bytes: F_GETPIPE_SZ for kernel pipes, the ioctl for kipc. */
static inline long long chan_get_capacity(const struct chan *c, int fd)
{
	struct kipc_capacity cap = { 0 };
	int ret;

	if (chan_is_kipc(c)) {
		if (ioctl(fd, KIPC_IOC_GET_CAPACITY, &cap))
			return -errno;
		return (long long)cap.capacity;
	}
	ret = fcntl(fd, F_GETPIPE_SZ);
	return ret < 0 ? -errno : ret;
}

/* Set the capacity; return the capacity now in force, or -errno. */
static inline long long chan_set_capacity(const struct chan *c, int fd,
					  unsigned long long bytes)
{
	struct kipc_capacity cap = { .capacity = bytes };
	int ret;

	if (chan_is_kipc(c)) {
		if (ioctl(fd, KIPC_IOC_SET_CAPACITY, &cap))
			return -errno;
		return (long long)cap.capacity;
	}
	ret = fcntl(fd, F_SETPIPE_SZ, (unsigned long)bytes);
	return ret < 0 ? -errno : ret;
}

/*
 * Write until the channel is full: return the bytes written, or -errno.
 * Writes larger than PIPE_BUF complete partially on a nearly full channel,
 * so this fills a kipc channel to the byte and a kernel pipe to the slot.
 */
static inline long long chan_fill(int wfd)
{
	static char junk[65536];
	long long total = 0;
	int fl = fcntl(wfd, F_GETFL);
	ssize_t n;
	int err = 0;

	if (fl < 0 || fcntl(wfd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	memset(junk, 'F', sizeof(junk));
	for (;;) {
		n = write(wfd, junk, sizeof(junk));
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			err = -errno;
		break;
	}
	if (fcntl(wfd, F_SETFL, fl) && !err)
		err = -errno;
	return err ? err : total;
}

#endif /* KIPC_SELFTEST_CHAN_BACKEND_H */
