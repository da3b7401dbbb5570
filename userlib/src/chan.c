// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Channels: one handle over pipe2(), mkfifo(), kipc pairs and kipc named
 * channels.  Each handle holds at most a read end and a write end; what a
 * read, write, open or resize does is what the backend does.  The only
 * policy added here is in the helpers: kipc_chan_read_exact() and
 * kipc_chan_write_all() loop over partial transfers and EINTR.
 *
 * A kipc-mapped channel moves its bytes through the ring it shares with
 * the peer (ring.c), mapped on the first read or write of each end, with
 * the rules of read(2) and write(2).  An end whose ring this handle cannot
 * own (another process maps it, EBUSY) goes through the system call.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* F_SETPIPE_SZ refuses more (fs/pipe.c, round_pipe_size()). */
#define KIPC_PIPE_MAX_SIZE	(1UL << 31)

#define KIPC_DEFAULT_MODE	0600

struct kipc_chan {
	enum kipc_backend backend;
	int rfd;		/* read end, or -1 */
	int wfd;		/* write end, or -1; == rfd for an O_RDWR open */
	pid_t owner;		/* made the node: removes it on destroy; or 0 */
	char *path;		/* FIFO, KIPC_NAMED: the node */
	char *dir;		/* FIFO: the private directory, or NULL */
	char name[KIPC_NAME_MAX + 1];	/* KIPC_NAMED */
	struct kipc_ring *rring;	/* KIPC_MAPPED: the read end's ring */
	struct kipc_ring *wring;	/* KIPC_MAPPED: the write end's ring */
	bool no_ring;		/* KIPC_MAPPED: rings are not fork-safe here */
};

static struct kipc_chan *kipc_chan_alloc(enum kipc_backend backend)
{
	struct kipc_chan *chan = calloc(1, sizeof(*chan));

	if (!chan)
		return NULL;
	chan->backend = backend;
	chan->rfd = -1;
	chan->wfd = -1;
	return chan;
}

static int kipc_chan_is_kipc(const struct kipc_chan *chan)
{
	return chan->backend == KIPC_BACKEND_KIPC_PAIR ||
	       chan->backend == KIPC_BACKEND_KIPC_NAMED ||
	       chan->backend == KIPC_BACKEND_KIPC_MAPPED;
}

/*
 * Let an end's ring go, so that the fd can close for real (a mapping
 * holds its file), or the kernel can resize.  Positions live in the
 * channel, so nothing is lost.
 */
static void kipc_chan_unmap(struct kipc_chan *chan, unsigned int ends)
{
	if (ends & KIPC_CHAN_READ) {
		kipc_ring_unmap(chan->rring);
		chan->rring = NULL;
	}
	if (ends & KIPC_CHAN_WRITE) {
		kipc_ring_unmap(chan->wring);
		chan->wring = NULL;
	}
}

/*
 * The end's ring, mapped now if need be; NULL if it cannot be, and the
 * system call is the way.  A ring inherited through fork() is not mapped
 * in this process (kipc_ring_alive()): map the child's own.  Where the
 * kernel cannot wipe a handle on fork (no madvise()), a child could not
 * tell, so the channel keeps to the system calls.
 */
static struct kipc_ring *kipc_chan_ring(struct kipc_chan *chan,
					unsigned int end)
{
	struct kipc_ring **ring = end == KIPC_CHAN_READ ? &chan->rring :
							  &chan->wring;
	int fd = end == KIPC_CHAN_READ ? chan->rfd : chan->wfd;

	if (*ring && !kipc_ring_alive(*ring))
		kipc_chan_unmap(chan, end);
	if (!*ring && !chan->no_ring &&
	    kipc_ring_map(fd, end == KIPC_CHAN_READ ?
			  KIPC_RING_READ : KIPC_RING_WRITE, ring))
		*ring = NULL;
	if (*ring && !kipc_ring_fork_safe(*ring)) {
		kipc_chan_unmap(chan, end);
		chan->no_ring = true;
	}
	return *ring;
}

/* Any open fd of the channel: capacity and FIONREAD work on either end. */
static int kipc_chan_any_fd(const struct kipc_chan *chan)
{
	return chan->rfd >= 0 ? chan->rfd : chan->wfd;
}

static void kipc_chan_close_fds(struct kipc_chan *chan)
{
	kipc_chan_unmap(chan, KIPC_CHAN_READ | KIPC_CHAN_WRITE);
	if (chan->rfd >= 0)
		close(chan->rfd);
	if (chan->wfd >= 0 && chan->wfd != chan->rfd)
		close(chan->wfd);
	chan->rfd = -1;
	chan->wfd = -1;
}

static int kipc_fd_set_nonblock(int fd, int nonblock)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return kipc_neg_errno();
	fl = nonblock ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (fcntl(fd, F_SETFL, fl) < 0)
		return kipc_neg_errno();
	return 0;
}

/*
 * Both ends of a node that opens like a FIFO, without blocking: the read
 * end first (O_NONBLOCK needs no partner), then the write end, which finds
 * that reader.  Then the blocking mode the caller asked for.
 */
static int kipc_chan_open_both(struct kipc_chan *chan, int nonblock)
{
	int ret;

	chan->rfd = open(chan->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (chan->rfd < 0)
		goto out_errno;
	chan->wfd = open(chan->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (chan->wfd < 0)
		goto out_errno;
	if (!nonblock) {
		ret = kipc_chan_set_nonblock(chan, 0);
		if (ret)
			goto out_close;
	}
	return 0;

out_errno:
	ret = kipc_neg_errno();
out_close:
	kipc_chan_close_fds(chan);
	return ret;
}

static int kipc_fd_is_chan(int fd)
{
	struct kipc_capacity c;

	memset(&c, 0, sizeof(c));
	return !ioctl(fd, KIPC_IOC_GET_CAPACITY, &c);
}

/* A private directory for the FIFO, in $TMPDIR or /tmp. */
static int kipc_fifo_private_path(struct kipc_chan *chan)
{
	const char *tmp = secure_getenv("TMPDIR");
	char *dir;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (asprintf(&dir, "%s/kipc-XXXXXX", tmp) < 0)
		return -ENOMEM;
	if (!mkdtemp(dir)) {
		int ret = kipc_neg_errno();

		free(dir);
		return ret;
	}
	chan->dir = dir;
	if (asprintf(&chan->path, "%s/fifo", dir) < 0) {
		chan->path = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Undo what creation made: the node, then its private directory. */
static void kipc_chan_remove_node(struct kipc_chan *chan)
{
	struct kipc_chan_name req;

	switch (chan->backend) {
	case KIPC_BACKEND_FIFO:
		if (chan->path)
			unlink(chan->path);
		if (chan->dir)
			rmdir(chan->dir);
		break;
	case KIPC_BACKEND_KIPC_NAMED:
		memset(&req, 0, sizeof(req));
		memcpy(req.name, chan->name, sizeof(req.name));
		kipc_control_ioctl(KIPC_IOC_CHAN_REMOVE, &req);
		break;
	default:
		break;
	}
}

static int kipc_pipe_set_size(int fd, size_t capacity, size_t *actual)
{
	long ret;

	if (capacity > KIPC_PIPE_MAX_SIZE)
		return -EINVAL;
	/*
	 * syscall(), not fcntl(): glibc's int return turns a 2 GiB pipe
	 * into -1 with errno untouched (util-linux issue #3692).
	 */
	ret = syscall(SYS_fcntl, fd, F_SETPIPE_SZ, (unsigned long)capacity);
	if (ret < 0)
		return kipc_neg_errno();
	if (actual)
		*actual = (size_t)ret;
	return 0;
}

static int kipc_chan_create_pipe(struct kipc_chan *chan,
				 const struct kipc_chan_opts *opts)
{
	int fds[2];
	int flags = O_CLOEXEC;

	if (opts->flags & KIPC_CHAN_NONBLOCK)
		flags |= O_NONBLOCK;
	if (pipe2(fds, flags) < 0)
		return kipc_neg_errno();
	chan->rfd = fds[0];
	chan->wfd = fds[1];
	if (opts->capacity)
		return kipc_pipe_set_size(chan->wfd, opts->capacity, NULL);
	return 0;
}

static int kipc_chan_create_fifo(struct kipc_chan *chan,
				 const struct kipc_chan_opts *opts)
{
	int ret;

	if (opts->path) {
		chan->path = strdup(opts->path);
		if (!chan->path)
			return -ENOMEM;
	} else {
		ret = kipc_fifo_private_path(chan);
		if (ret)
			return ret;
		chan->owner = getpid();
	}
	if (mkfifo(chan->path, opts->mode ? opts->mode : KIPC_DEFAULT_MODE)) {
		ret = kipc_neg_errno();
		/* Not ours: leave an existing node alone. */
		free(chan->path);
		chan->path = NULL;
		return ret;
	}
	chan->owner = getpid();
	if (opts->flags & KIPC_CHAN_NODE_ONLY)
		return 0;
	ret = kipc_chan_open_both(chan, opts->flags & KIPC_CHAN_NONBLOCK);
	if (ret)
		return ret;
	if (opts->capacity)
		return kipc_pipe_set_size(chan->wfd, opts->capacity, NULL);
	return 0;
}

/*
 * A mapped ring is a power of two pages: round up as F_SETPIPE_SZ does for
 * pipes.  0 stays 0, the module's default.
 */
static int kipc_mapped_capacity(size_t capacity, size_t *rounded)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t c = page > 0 ? (size_t)page : KIPC_CAPACITY_MIN;

	if (capacity > KIPC_CAPACITY_CEILING)
		return -EINVAL;
	while (c < capacity)
		c <<= 1;
	*rounded = capacity ? c : 0;
	return 0;
}

static int kipc_chan_create_pair(struct kipc_chan *chan,
				 const struct kipc_chan_opts *opts)
{
	struct kipc_chan_pair req;
	int ret = 0;
	size_t capacity = opts->capacity;

	memset(&req, 0, sizeof(req));
	req.flags = O_CLOEXEC;
	if (opts->flags & KIPC_CHAN_NONBLOCK)
		req.flags |= O_NONBLOCK;
	if (chan->backend == KIPC_BACKEND_KIPC_MAPPED) {
		req.flags |= KIPC_CHAN_F_MAPPED;
		ret = kipc_mapped_capacity(capacity, &capacity);
		if (ret)
			return ret;
	}
	req.capacity = capacity;

	ret = kipc_control_ioctl(KIPC_IOC_CHAN_PAIR, &req);
	if (ret)
		return ret;
	chan->rfd = req.rfd;
	chan->wfd = req.wfd;
	return 0;
}

static int kipc_chan_create_named(struct kipc_chan *chan,
				  const struct kipc_chan_opts *opts)
{
	struct kipc_chan_name req;
	unsigned int rnd;
	int ctl, ret, tries;

	if (opts->path && (!*opts->path || strlen(opts->path) > KIPC_NAME_MAX))
		return -EINVAL;

	ctl = kipc_control_open();
	if (ctl < 0)
		return ctl;
	/* A generated name may be taken: try another, a few times. */
	for (tries = 0; tries < 16; tries++) {
		memset(&req, 0, sizeof(req));
		if (opts->path) {
			strcpy(req.name, opts->path);
		} else {
			kipc_random_u32(&rnd);
			snprintf(req.name, sizeof(req.name), "libkipc-%d-%08x",
				 (int)getpid(), rnd);
		}
		req.mode = opts->mode ? opts->mode : KIPC_DEFAULT_MODE;
		req.capacity = opts->capacity;
		ret = ioctl(ctl, KIPC_IOC_CHAN_CREATE, &req) < 0 ?
		      kipc_neg_errno() : 0;
		if (ret != -EEXIST || opts->path)
			break;
	}
	close(ctl);
	if (ret)
		return ret;

	memcpy(chan->name, req.name, sizeof(chan->name));
	chan->owner = getpid();
	if (asprintf(&chan->path, KIPC_DEV_DIR "/%s", chan->name) < 0) {
		chan->path = NULL;
		return -ENOMEM;
	}
	if (opts->flags & KIPC_CHAN_NODE_ONLY)
		return 0;
	return kipc_chan_open_both(chan, opts->flags & KIPC_CHAN_NONBLOCK);
}

/**
 * kipc_chan_create - make a channel of @backend
 *
 * Pipes and kipc pairs come with both ends open; FIFOs and kipc named
 * channels get a node, and both ends unless KIPC_CHAN_NODE_ONLY.  The
 * process that made the node removes it in kipc_chan_destroy().
 */
KIPC_EXPORT int kipc_chan_create(struct kipc_chan **chanp,
				 enum kipc_backend backend,
				 const struct kipc_chan_opts *opts)
{
	static const struct kipc_chan_opts defaults;
	struct kipc_chan *chan;
	int ret;

	if (!chanp)
		return -EINVAL;
	*chanp = NULL;
	if (!opts)
		opts = &defaults;
	if (!kipc_backend_is_chan(backend) ||
	    opts->flags & ~(KIPC_CHAN_NONBLOCK | KIPC_CHAN_NODE_ONLY) ||
	    opts->mode & ~07777 ||
	    !kipc_reserved_zero(opts->reserved, 4))
		return -EINVAL;
	/* Anonymous channels have no node to make, and no path. */
	if ((backend == KIPC_BACKEND_PIPE || backend == KIPC_BACKEND_KIPC_PAIR ||
	     backend == KIPC_BACKEND_KIPC_MAPPED) &&
	    (opts->path || opts->mode || opts->flags & KIPC_CHAN_NODE_ONLY))
		return -EINVAL;
	/* A FIFO's capacity lives with its open ends, and goes with them. */
	if (backend == KIPC_BACKEND_FIFO && opts->capacity &&
	    opts->flags & KIPC_CHAN_NODE_ONLY)
		return -EINVAL;

	chan = kipc_chan_alloc(backend);
	if (!chan)
		return -ENOMEM;
	switch (backend) {
	case KIPC_BACKEND_PIPE:
		ret = kipc_chan_create_pipe(chan, opts);
		break;
	case KIPC_BACKEND_FIFO:
		ret = kipc_chan_create_fifo(chan, opts);
		break;
	case KIPC_BACKEND_KIPC_PAIR:
	case KIPC_BACKEND_KIPC_MAPPED:
		ret = kipc_chan_create_pair(chan, opts);
		break;
	default:
		ret = kipc_chan_create_named(chan, opts);
		break;
	}
	if (ret) {
		kipc_chan_destroy(chan);
		return ret;
	}
	*chanp = chan;
	return 0;
}

/**
 * kipc_chan_open - open one end (or both, O_RDWR) of a named channel
 *
 * @path is the FIFO's path, or the kipc channel's name (or its node,
 * /dev/kipc/NAME).  @flags: O_RDONLY, O_WRONLY or O_RDWR, and O_NONBLOCK;
 * the FIFO open rules of fifo(7) apply to both backends, so a blocking
 * open waits for a partner and may fail with -EINTR.
 */
KIPC_EXPORT int kipc_chan_open(struct kipc_chan **chanp,
			       enum kipc_backend backend, const char *path,
			       int flags)
{
	struct kipc_chan *chan;
	struct stat st;
	int fd, ret;

	if (!chanp)
		return -EINVAL;
	*chanp = NULL;
	if ((backend != KIPC_BACKEND_FIFO &&
	     backend != KIPC_BACKEND_KIPC_NAMED) || !path || !*path ||
	    flags & ~(O_ACCMODE | O_NONBLOCK) ||
	    (flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;

	chan = kipc_chan_alloc(backend);
	if (!chan)
		return -ENOMEM;
	if (backend == KIPC_BACKEND_KIPC_NAMED && !strchr(path, '/')) {
		if (strlen(path) > KIPC_NAME_MAX) {
			ret = -ENAMETOOLONG;
			goto out_destroy;
		}
		ret = asprintf(&chan->path, KIPC_DEV_DIR "/%s", path);
	} else {
		chan->path = strdup(path);
		ret = chan->path ? 0 : -1;
	}
	if (ret < 0) {
		chan->path = NULL;
		ret = -ENOMEM;
		goto out_destroy;
	}

	fd = open(chan->path, flags | O_CLOEXEC);
	if (fd < 0) {
		ret = kipc_neg_errno();
		goto out_destroy;
	}
	/*
	 * A FIFO is S_IFIFO; a kipc node is S_IFCHR and answers kipc's
	 * ioctls.  Anything else is not what the caller asked for.
	 */
	if (fstat(fd, &st) < 0 ||
	    (backend == KIPC_BACKEND_FIFO ? !S_ISFIFO(st.st_mode) :
	     !S_ISCHR(st.st_mode) || !kipc_fd_is_chan(fd))) {
		close(fd);
		ret = -EINVAL;
		goto out_destroy;
	}
	if ((flags & O_ACCMODE) != O_WRONLY)
		chan->rfd = fd;
	if ((flags & O_ACCMODE) != O_RDONLY)
		chan->wfd = fd;
	*chanp = chan;
	return 0;

out_destroy:
	kipc_chan_destroy(chan);
	return ret;
}

KIPC_EXPORT void kipc_chan_destroy(struct kipc_chan *chan)
{
	if (!chan)
		return;
	kipc_chan_close_fds(chan);
	/* After fork() only the creator removes what it made. */
	if (chan->owner && chan->owner == getpid())
		kipc_chan_remove_node(chan);
	free(chan->path);
	free(chan->dir);
	free(chan);
}

/* Close ends: the usual step after fork(), so that EOF and EPIPE work. */
KIPC_EXPORT int kipc_chan_close(struct kipc_chan *chan, unsigned int ends)
{
	if (!chan || !ends || ends & ~(KIPC_CHAN_READ | KIPC_CHAN_WRITE))
		return -EINVAL;
	/* One O_RDWR fd cannot lose half of itself. */
	if (chan->rfd >= 0 && chan->rfd == chan->wfd &&
	    ends != (KIPC_CHAN_READ | KIPC_CHAN_WRITE))
		return -EINVAL;
	kipc_chan_unmap(chan, ends);
	if ((ends & KIPC_CHAN_READ) && chan->rfd >= 0) {
		if (chan->wfd == chan->rfd)
			chan->wfd = -1;
		close(chan->rfd);
		chan->rfd = -1;
	}
	if ((ends & KIPC_CHAN_WRITE) && chan->wfd >= 0) {
		close(chan->wfd);
		chan->wfd = -1;
	}
	return 0;
}

KIPC_EXPORT ssize_t kipc_chan_read(struct kipc_chan *chan, void *buf,
				   size_t len)
{
	struct kipc_ring *ring;
	ssize_t n;

	if (!chan)
		return -EINVAL;
	if (chan->rfd < 0)
		return -EBADF;
	if (chan->backend == KIPC_BACKEND_KIPC_MAPPED && len) {
		/* What read(2) says; the copy is ours here. */
		if (!buf)
			return -EFAULT;
		ring = kipc_chan_ring(chan, KIPC_CHAN_READ);
		if (ring)
			return kipc_ring_chan_read(ring, buf, len);
	}
	n = read(chan->rfd, buf, len);
	return n < 0 ? kipc_neg_errno() : n;
}

KIPC_EXPORT ssize_t kipc_chan_write(struct kipc_chan *chan, const void *buf,
				    size_t len)
{
	struct kipc_ring *ring;
	ssize_t n;

	if (!chan)
		return -EINVAL;
	if (chan->wfd < 0)
		return -EBADF;
	if (chan->backend == KIPC_BACKEND_KIPC_MAPPED && len) {
		/* What write(2) says; the copy is ours here. */
		if (!buf)
			return -EFAULT;
		ring = kipc_chan_ring(chan, KIPC_CHAN_WRITE);
		if (ring)
			return kipc_ring_chan_write(ring, buf, len);
	}
	n = write(chan->wfd, buf, len);
	return n < 0 ? kipc_neg_errno() : n;
}

/**
 * kipc_chan_read_exact - read @len bytes, or fail saying how many came
 *
 * Short reads and EINTR are retried.  Returns 0, -ENODATA on end of file
 * first, or another -errno (-EAGAIN in nonblocking mode); *@done, if not
 * NULL, is the number of bytes read in every case.
 */
KIPC_EXPORT int kipc_chan_read_exact(struct kipc_chan *chan, void *buf,
				     size_t len, size_t *done)
{
	size_t got = 0;
	ssize_t n;
	int ret = 0;

	while (got < len) {
		n = kipc_chan_read(chan, (char *)buf + got, len - got);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			ret = (int)n;
			break;
		}
		if (n == 0) {
			ret = -ENODATA;
			break;
		}
		got += n;
	}
	if (done)
		*done = got;
	return ret;
}

/**
 * kipc_chan_write_all - write @len bytes, or fail saying how many went
 *
 * Short writes and EINTR are retried.  Returns 0 or -errno (-EPIPE once
 * no reader is left, -EAGAIN in nonblocking mode); *@done, if not NULL, is
 * the number of bytes written in every case.
 */
KIPC_EXPORT int kipc_chan_write_all(struct kipc_chan *chan, const void *buf,
				    size_t len, size_t *done)
{
	size_t put = 0;
	ssize_t n;
	int ret = 0;

	while (put < len) {
		n = kipc_chan_write(chan, (const char *)buf + put, len - put);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			ret = (int)n;
			break;
		}
		if (n == 0) {
			/* write(2) never does this for len > 0. */
			ret = -EIO;
			break;
		}
		put += n;
	}
	if (done)
		*done = put;
	return ret;
}

KIPC_EXPORT int kipc_chan_set_nonblock(struct kipc_chan *chan, int nonblock)
{
	int ret;

	if (!chan)
		return -EINVAL;
	if (chan->rfd < 0 && chan->wfd < 0)
		return -EBADF;
	if (chan->rfd >= 0) {
		ret = kipc_fd_set_nonblock(chan->rfd, nonblock);
		if (ret)
			return ret;
	}
	if (chan->wfd >= 0 && chan->wfd != chan->rfd)
		return kipc_fd_set_nonblock(chan->wfd, nonblock);
	return 0;
}

KIPC_EXPORT int kipc_chan_get_capacity(struct kipc_chan *chan,
				       size_t *capacity)
{
	struct kipc_capacity c;
	int fd;
	long ret;

	if (!chan || !capacity)
		return -EINVAL;
	fd = kipc_chan_any_fd(chan);
	if (fd < 0)
		return -EBADF;
	if (kipc_chan_is_kipc(chan)) {
		memset(&c, 0, sizeof(c));
		if (ioctl(fd, KIPC_IOC_GET_CAPACITY, &c) < 0)
			return kipc_neg_errno();
		*capacity = c.capacity;
		return 0;
	}
	ret = syscall(SYS_fcntl, fd, F_GETPIPE_SZ);
	if (ret < 0)
		return kipc_neg_errno();
	*capacity = (size_t)ret;
	return 0;
}

/**
 * kipc_chan_set_capacity - resize, the backend's way
 *
 * Kernel pipes and FIFOs round up to a power of two pages (F_SETPIPE_SZ);
 * kipc channels take the size as given, within KIPC_CAPACITY_MIN and
 * KIPC_CAPACITY_CEILING, and kipc-mapped ones round up as pipes do.
 * *@actual, if not NULL, is the capacity now.
 */
KIPC_EXPORT int kipc_chan_set_capacity(struct kipc_chan *chan,
				       size_t capacity, size_t *actual)
{
	struct kipc_capacity c;
	int fd, ret;

	if (!chan)
		return -EINVAL;
	fd = kipc_chan_any_fd(chan);
	if (fd < 0)
		return -EBADF;
	if (!kipc_chan_is_kipc(chan))
		return kipc_pipe_set_size(fd, capacity, actual);
	if (chan->backend == KIPC_BACKEND_KIPC_MAPPED) {
		ret = kipc_mapped_capacity(capacity, &capacity);
		if (ret)
			return ret;
		/* The module resizes no ring that is mapped (EBUSY). */
		kipc_chan_unmap(chan, KIPC_CHAN_READ | KIPC_CHAN_WRITE);
	}

	memset(&c, 0, sizeof(c));
	c.capacity = capacity;
	if (ioctl(fd, KIPC_IOC_SET_CAPACITY, &c) < 0)
		return kipc_neg_errno();
	if (actual)
		*actual = c.capacity;
	return 0;
}

KIPC_EXPORT int kipc_chan_get_queued(struct kipc_chan *chan, size_t *queued)
{
	int fd, n;

	if (!chan || !queued)
		return -EINVAL;
	fd = kipc_chan_any_fd(chan);
	if (fd < 0)
		return -EBADF;
	if (ioctl(fd, FIONREAD, &n) < 0)
		return kipc_neg_errno();
	/* A full 2 GiB pipe reports INT_MIN: the bits are right unsigned. */
	*queued = (unsigned int)n;
	return 0;
}

KIPC_EXPORT int kipc_chan_get_fd(const struct kipc_chan *chan,
				 unsigned int end)
{
	int fd;

	if (!chan)
		return -EINVAL;
	if (end == KIPC_CHAN_READ)
		fd = chan->rfd;
	else if (end == KIPC_CHAN_WRITE)
		fd = chan->wfd;
	else
		return -EINVAL;
	return fd >= 0 ? fd : -EBADF;
}

KIPC_EXPORT enum kipc_backend kipc_chan_backend(const struct kipc_chan *chan)
{
	return chan->backend;
}

KIPC_EXPORT const char *kipc_chan_path(const struct kipc_chan *chan)
{
	return chan ? chan->path : NULL;
}
