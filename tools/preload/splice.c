// SPDX-License-Identifier: GPL-2.0
/*
 * libkipc-preload.so: splice(), tee() and vmsplice() on kipc channels,
 * with the kernel's results on kernel pipes.  The rest of the shim, and
 * the environment it reads, is in kipc-preload.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kipc-preload.h"

/*
 * splice, tee and vmsplice
 *
 * The kernel's splice(2) wants a kernel pipe on one side and tee(2) on
 * both; a kipc channel is a character device, so they fail with EINVAL on
 * it.  A call that involves a kipc fd is given the kernel's results here:
 *
 *	kipc <-> kernel pipe	kipc's own splice_read/splice_write, after
 *		the checks a pipe-to-pipe splice makes (SPLICE_F_NONBLOCK and
 *		O_NONBLOCK on the kipc side, which kipc's splice support does
 *		not see, and no more than the output channel has room for);
 *	kipc -> anything else	the bytes are peeked (KIPC_IOC_PEEK) into a
 *		buffer, written to a private kernel pipe and spliced from it
 *		to the destination, which so sees the kernel's own splice
 *		(offsets, SPLICE_F_MORE, its errnos); then exactly what the
 *		destination took is consumed from the channel with read();
 *	anything else -> kipc	no more than the channel has room for is
 *		spliced from the source into a private pipe, then from the
 *		private pipe into the channel;
 *	tee			the same, with a peek that is never consumed;
 *	vmsplice		a gathered write or a scattered read, with
 *		RWF_NOWAIT for SPLICE_F_NONBLOCK.
 *
 * What remains racy: between the peek and the read that consumes, another
 * reader of the same channel may take the bytes, and the read then takes
 * later ones instead (a program that reads one pipe from two places has
 * no order to keep anyway); between measuring a channel's room and
 * writing, another writer may take it, and the write then waits for room
 * (or, with O_NONBLOCK, is retried after poll(), never dropped).  The
 * private pipe is made per call and closed before returning.
 */

#define KP_CHUNK	65536UL	/* a private pipe's default capacity */
#define KP_SPLICE_ALL	(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | \
			 SPLICE_F_GIFT)

enum kp_kind { KP_NOFD, KP_PIPE, KP_KIPC, KP_FILE };

struct kp_end {
	int fd;
	enum kp_kind kind;
	int fl;			/* F_GETFL */
};

static void kp_classify(int fd, struct kp_end *e)
{
	struct kipc_capacity c;
	struct stat st;

	e->fd = fd;
	e->fl = syscall(SYS_fcntl, fd, F_GETFL, 0L);
	if (e->fl < 0 || fstat(fd, &st))
		e->kind = KP_NOFD;
	else if (S_ISFIFO(st.st_mode))
		e->kind = KP_PIPE;
	else if (kp_is_kipc_st(fd, &st, &c))
		e->kind = KP_KIPC;
	else
		e->kind = KP_FILE;
}

static int kp_pipelike(const struct kp_end *e)
{
	return e->kind == KP_PIPE || e->kind == KP_KIPC;
}

static int kp_readable(const struct kp_end *e)
{
	return !(e->fl & O_PATH) && (e->fl & O_ACCMODE) != O_WRONLY;
}

static int kp_writable(const struct kp_end *e)
{
	return !(e->fl & O_PATH) && (e->fl & O_ACCMODE) != O_RDONLY;
}

static ssize_t kp_sys_splice(int in, loff_t *off_in, int out, loff_t *off_out,
			     size_t len, unsigned int flags)
{
	return syscall(SYS_splice, in, off_in, out, off_out, len, flags);
}

static ssize_t kp_sys_tee(int in, int out, size_t len, unsigned int flags)
{
	return syscall(SYS_tee, in, out, len, flags);
}

static ssize_t kp_sys_vmsplice(int fd, const struct iovec *iov, size_t n,
			       unsigned int flags)
{
	return syscall(SYS_vmsplice, fd, iov, n, flags);
}

static const char *kp_off_str(char *buf, size_t size, const loff_t *off)
{
	if (!off)
		return "NULL";
	snprintf(buf, size, "[%lld]", (long long)*off);
	return buf;
}

/* KIPC_PRELOAD_VERBOSE: one line per call on a kipc fd.  errno is kept. */
static void kp_report(ssize_t ret, const char *how, const char *fmt, ...)
{
	int saved = errno;
	char buf[512];
	va_list ap;
	int n, m;

	if (!kp.verbose)
		return;
	n = snprintf(buf, sizeof(buf), "kipc-preload: emulated ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if ((size_t)n < sizeof(buf)) {
		if (ret < 0)
			m = snprintf(buf + n, sizeof(buf) - n, " = -1 %s (%s)\n",
				     strerror(saved), how);
		else
			m = snprintf(buf + n, sizeof(buf) - n, " = %zd (%s)\n",
				     ret, how);
		n += m;
	}
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	kp_write_line(buf, n);
	errno = saved;
}

static int kp_chan_stats(int fd, struct kipc_chan_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, KIPC_IOC_CHAN_STATS, st);
}

static int kp_wait(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, -1) < 0 ? -1 : 0;
}

/*
 * Up to @len queued bytes of the kipc read end @fd into @buf, not consumed:
 * as a pipe's reader waits, unless @nonblock.
 * Return: the count, 0 at end of file, or -1 with errno (EAGAIN, EINTR;
 * ENOTTY from a module older than ABI 3).
 */
static ssize_t kp_peek(int fd, void *buf, size_t len, int nonblock)
{
	struct kipc_peek p;
	int n;

	for (;;) {
		memset(&p, 0, sizeof(p));
		p.buf = (uintptr_t)buf;
		p.len = len;
		n = ioctl(fd, KIPC_IOC_PEEK, &p);
		if (n >= 0 || errno != EAGAIN || nonblock)
			return n;
		if (kp_wait(fd, POLLIN))
			return -1;
	}
}

/* SIGPIPE to this thread and EPIPE, as a write to a pipe without readers. */
static ssize_t kp_epipe(void)
{
	raise(SIGPIPE);
	errno = EPIPE;
	return -1;
}

/*
 * The room in the kipc write end @fd: as a pipe's writer waits for some,
 * unless @nonblock.  Return: bytes, or -1 with errno (EPIPE with SIGPIPE,
 * EAGAIN, EINTR).
 */
static ssize_t kp_room(int fd, int nonblock)
{
	struct kipc_chan_stats st;

	for (;;) {
		if (kp_chan_stats(fd, &st))
			return -1;
		if (!st.readers)
			return kp_epipe();
		if (st.queued < st.capacity)
			return st.capacity - st.queued;
		if (nonblock) {
			errno = EAGAIN;
			return -1;
		}
		if (kp_wait(fd, POLLOUT))
			return -1;
	}
}

/*
 * Write what fits of @buf into @fd (a kernel pipe or a kipc write end)
 * without waiting for more room than one byte, or none if @nonblock.
 * Return: bytes written, or -1 with errno.
 */
static ssize_t kp_write_some(int fd, const void *buf, size_t n, int nonblock)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	ssize_t w;

	for (;;) {
		w = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
		if (w >= 0 || errno != EAGAIN || nonblock) {
			if (w < 0 && errno == EOPNOTSUPP)
				return write(fd, buf, n);
			return w;
		}
		if (kp_wait(fd, POLLOUT))
			return -1;
	}
}

/* Write all of @buf to @fd, waiting for room as needed (data already taken). */
static ssize_t kp_write_all(int fd, const char *buf, size_t n)
{
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = write(fd, buf + done, n - done);
		if (w > 0) {
			done += w;
		} else if (w < 0 && errno == EAGAIN) {
			if (kp_wait(fd, POLLOUT))
				break;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else {
			break;
		}
	}
	return done;
}

/* Consume @n bytes just peeked from the kipc read end @fd. */
static void kp_consume(int fd, char *scratch, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, scratch, n < KP_CHUNK ? n : KP_CHUNK);
		if (r > 0)
			n -= r;
		else if (!(r < 0 && errno == EINTR))
			break;	/* another reader took them */
	}
}

/* The channel number /proc/self/fdinfo shows for kipc fd @fd, or 0. */
static unsigned long long kp_chan_id(int fd)
{
	unsigned long long id = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "kipc-id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

/*
 * Are the kipc fds @rfd and @wfd ends of one channel?  Anonymous channels
 * share one anon inode, so fstat() cannot say; the module numbers each
 * channel in fdinfo.  Without the number (a module before ABI 3), two
 * channels are taken to be different.
 */
static int kp_same_chan(int rfd, int wfd)
{
	unsigned long long a = kp_chan_id(rfd);

	return a && a == kp_chan_id(wfd);
}

/* A private kernel pipe, close-on-exec, made without the interposed pipe2. */
static int kp_private_pipe(int fds[2])
{
	return syscall(SYS_pipe2, fds, O_CLOEXEC);
}

static void kp_close_pipe(int fds[2])
{
	int saved = errno;

	close(fds[0]);
	close(fds[1]);
	errno = saved;
}

/*
 * From the kipc read end @in to @out (a file, socket, device or another
 * kipc channel; not a kernel pipe): peek, hand to @out, consume what it took.
 */
static ssize_t kp_splice_from_kipc(const struct kp_end *in,
				   const struct kp_end *out, loff_t *off_out,
				   size_t len, unsigned int flags, int nonblock)
{
	size_t total = 0, n;
	ssize_t got, w;
	int priv[2] = { -1, -1 };
	char *buf;

	buf = malloc(KP_CHUNK);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	if (out->kind != KP_KIPC) {
		if (kp_private_pipe(priv)) {
			free(buf);
			return -1;
		}
		/*
		 * The destination's own checks first (EINVAL without
		 * splice_write, for O_APPEND or an offset it cannot take...),
		 * as the kernel makes them before waiting for the pipe: an
		 * empty private pipe gives EAGAIN if they pass.
		 */
		w = kp_sys_splice(priv[0], NULL, out->fd, off_out, 1,
				  SPLICE_F_NONBLOCK);
		if (w < 0 && errno != EAGAIN)
			goto out;
	}
	while (total < len) {
		n = len - total < KP_CHUNK ? len - total : KP_CHUNK;
		/* Wait for the first bytes only, as a pipe's splice does. */
		got = kp_peek(in->fd, buf, n, nonblock || total);
		if (got <= 0) {
			w = total ? (ssize_t)total : got;
			if (got < 0 && errno == ENOTTY)
				errno = EINVAL;	/* no KIPC_IOC_PEEK: as before */
			goto out;
		}
		if (out->kind == KP_KIPC) {
			/* A pipe-to-pipe splice: no more than there is room for. */
			w = kp_room(out->fd, nonblock || total);
			if (w < 0)
				goto out_partial;
			if ((size_t)got > (size_t)w)
				got = w;
			w = kp_write_some(out->fd, buf, got, nonblock || total);
		} else {
			/* The private pipe is empty and holds KP_CHUNK bytes. */
			w = kp_write_all(priv[1], buf, got);
			if (w == got)
				w = kp_sys_splice(priv[0], NULL, out->fd,
						  off_out, got, flags);
			else
				w = -1;
			/*
			 * What @out left in the private pipe is dropped with
			 * it: the loop ends below when @out takes less.
			 */
		}
		if (w < 0)
			goto out_partial;
		kp_consume(in->fd, buf, w);
		total += w;
		if (w < got)
			break;
	}
	w = total;
	goto out;
out_partial:
	if (total)
		w = total;
out:
	if (priv[0] >= 0)
		kp_close_pipe(priv);
	free(buf);
	return w;
}

/*
 * From @in (a file, socket, device) to the kipc write end @out: no more
 * than the channel has room for, through a private pipe.
 */
static ssize_t kp_splice_to_kipc(const struct kp_end *in, loff_t *off_in,
				 const struct kp_end *out, size_t len,
				 unsigned int flags, int nonblock)
{
	int priv[2];
	ssize_t room, got, w;
	size_t left;

	room = kp_room(out->fd, nonblock);
	if (room < 0)
		return -1;
	if (len > (size_t)room)
		len = room;
	if (len > KP_CHUNK)
		len = KP_CHUNK;
	if (kp_private_pipe(priv))
		return -1;
	got = kp_sys_splice(in->fd, off_in, priv[1], NULL, len,
			    flags | (nonblock ? SPLICE_F_NONBLOCK : 0));
	for (left = got > 0 ? got : 0; left; ) {
		/* kipc's splice_write, from the private pipe. */
		w = kp_sys_splice(priv[0], NULL, out->fd, NULL, left, 0);
		if (w > 0)
			left -= w;
		else if (w < 0 && errno == EAGAIN && !kp_wait(out->fd, POLLOUT))
			continue;
		else if (!(w < 0 && errno == EINTR))
			break;	/* the readers went away: the rest is lost */
	}
	kp_close_pipe(priv);
	return got;
}

static ssize_t kp_splice(loff_t *off_in, loff_t *off_out, size_t len,
			 unsigned int flags, const struct kp_end *in,
			 const struct kp_end *out, const char **how)
{
	/* The pipe-to-pipe rule: O_NONBLOCK on either side counts. */
	int nonblock = (flags & SPLICE_F_NONBLOCK) ||
		       (kp_pipelike(in) && (in->fl & O_NONBLOCK)) ||
		       (kp_pipelike(out) && (out->fl & O_NONBLOCK));
	struct kipc_chan_stats st;
	ssize_t room;

	/* __do_splice(), then do_splice(): the kernel's order of checks. */
	*how = "checks";
	if ((kp_pipelike(in) && off_in) || (kp_pipelike(out) && off_out)) {
		errno = ESPIPE;
		return -1;
	}
	if (!kp_readable(in) || !kp_writable(out)) {
		errno = EBADF;
		return -1;
	}
	if (in->kind == KP_KIPC && out->kind == KP_PIPE) {
		*how = "kipc splice_read";
		/* kipc's read_iter sees O_NONBLOCK, not SPLICE_F_NONBLOCK. */
		if (nonblock && !(in->fl & O_NONBLOCK) &&
		    !kp_chan_stats(in->fd, &st) && !st.queued && st.writers) {
			errno = EAGAIN;
			return -1;
		}
		return kp_sys_splice(in->fd, NULL, out->fd, NULL, len, flags);
	}
	if (in->kind == KP_PIPE && out->kind == KP_KIPC) {
		*how = "kipc splice_write";
		/* kipc's write_iter would wait for all of it: not more. */
		room = kp_room(out->fd, nonblock);
		if (room < 0)
			return -1;
		if (len > (size_t)room)
			len = room;
		return kp_sys_splice(in->fd, NULL, out->fd, NULL, len,
				     flags | (nonblock ? SPLICE_F_NONBLOCK : 0));
	}
	if (in->kind == KP_KIPC) {
		if (out->kind == KP_KIPC && kp_same_chan(in->fd, out->fd)) {
			*how = "one channel";
			errno = EINVAL;
			return -1;
		}
		*how = out->kind == KP_KIPC ? "peek, write" :
					      "peek, private pipe";
		return kp_splice_from_kipc(in, out, off_out, len, flags,
					   nonblock);
	}
	*how = "private pipe";
	return kp_splice_to_kipc(in, off_in, out, len, flags, nonblock);
}

KP_EXPORT ssize_t splice(int fd_in, loff_t *off_in, int fd_out,
			 loff_t *off_out, size_t len, unsigned int flags)
{
	struct kp_end in, out;
	const char *how = "", *s1, *s2;
	char b1[32], b2[32];
	ssize_t ret;

	kp_setup();
	if (kp.mode == KP_OFF || !len || (flags & ~KP_SPLICE_ALL))
		return kp_sys_splice(fd_in, off_in, fd_out, off_out, len, flags);
	kp_classify(fd_in, &in);
	kp_classify(fd_out, &out);
	if ((in.kind != KP_KIPC && out.kind != KP_KIPC) ||
	    in.kind == KP_NOFD || out.kind == KP_NOFD)
		return kp_sys_splice(fd_in, off_in, fd_out, off_out, len, flags);
	/* The offsets as they were before the call. */
	s1 = kp_off_str(b1, sizeof(b1), off_in);
	s2 = kp_off_str(b2, sizeof(b2), off_out);
	ret = kp_splice(off_in, off_out, len, flags, &in, &out, &how);
	kp_report(ret, how, "splice(%d, %s, %d, %s, %zu, %#x)", fd_in, s1,
		  fd_out, s2, len, flags);
	return ret;
}

static ssize_t kp_tee(size_t len, unsigned int flags, const struct kp_end *in,
		      const struct kp_end *out, const char **how)
{
	int nonblock = (flags & SPLICE_F_NONBLOCK) ||
		       ((in->fl | out->fl) & O_NONBLOCK);
	int priv[2];
	ssize_t got, room, w;
	size_t left;
	char *buf;

	/* do_tee(): the modes, then two different pipes. */
	*how = "checks";
	if (!kp_readable(in) || !kp_writable(out)) {
		errno = EBADF;
		return -1;
	}
	if (!kp_pipelike(in) || !kp_pipelike(out) ||
	    (in->kind == KP_KIPC && out->kind == KP_KIPC &&
	     kp_same_chan(in->fd, out->fd))) {
		errno = EINVAL;
		return -1;
	}
	if (len > KP_CHUNK)
		len = KP_CHUNK;
	if (in->kind == KP_KIPC) {
		*how = "peek, write";
		buf = malloc(len);
		if (!buf) {
			errno = ENOMEM;
			return -1;
		}
		got = kp_peek(in->fd, buf, len, nonblock);
		if (got < 0 && errno == ENOTTY)
			errno = EINVAL;	/* no KIPC_IOC_PEEK: as before */
		if (got > 0 && out->kind == KP_KIPC) {
			room = kp_room(out->fd, nonblock);
			if (room >= 0 && got > room)
				got = room;
			if (room < 0)
				got = -1;
		}
		if (got > 0)
			got = kp_write_some(out->fd, buf, got, nonblock);
		free(buf);
		return got;
	}
	/* A kernel pipe to a channel: tee into a private pipe, splice on. */
	*how = "tee, private pipe";
	room = kp_room(out->fd, nonblock);
	if (room < 0)
		return -1;
	if (len > (size_t)room)
		len = room;
	if (kp_private_pipe(priv))
		return -1;
	got = kp_sys_tee(in->fd, priv[1], len,
			 flags | (nonblock ? SPLICE_F_NONBLOCK : 0));
	for (left = got > 0 ? got : 0; left; ) {
		w = kp_sys_splice(priv[0], NULL, out->fd, NULL, left, 0);
		if (w > 0)
			left -= w;
		else if (w < 0 && errno == EAGAIN && !kp_wait(out->fd, POLLOUT))
			continue;
		else if (!(w < 0 && errno == EINTR))
			break;
	}
	kp_close_pipe(priv);
	return got;
}

KP_EXPORT ssize_t tee(int fd_in, int fd_out, size_t len, unsigned int flags)
{
	struct kp_end in, out;
	const char *how = "";
	ssize_t ret;

	kp_setup();
	if (kp.mode == KP_OFF || (flags & ~KP_SPLICE_ALL) || !len)
		return kp_sys_tee(fd_in, fd_out, len, flags);
	kp_classify(fd_in, &in);
	kp_classify(fd_out, &out);
	if ((in.kind != KP_KIPC && out.kind != KP_KIPC) ||
	    in.kind == KP_NOFD || out.kind == KP_NOFD)
		return kp_sys_tee(fd_in, fd_out, len, flags);
	ret = kp_tee(len, flags, &in, &out, &how);
	kp_report(ret, how, "tee(%d, %d, %zu, %#x)", fd_in, fd_out, len, flags);
	return ret;
}

static ssize_t kp_vmsplice(const struct kp_end *e, const struct iovec *iov,
			   size_t count, unsigned int flags, const char **how)
{
	int nonblock = (flags & SPLICE_F_NONBLOCK) || (e->fl & O_NONBLOCK);
	size_t i, total = 0;
	ssize_t ret;

	*how = "checks";
	if (e->fl & O_PATH) {
		errno = EBADF;
		return -1;
	}
	if (count > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (kp_writable(e)) {
		/* vmsplice_to_pipe(): wait for room, then take what fits. */
		*how = "writev";
		if (!total)
			return 0;
		for (;;) {
			if (kp_room(e->fd, nonblock) < 0)
				return -1;
			ret = pwritev2(e->fd, iov, count, -1, RWF_NOWAIT);
			if (ret >= 0 || errno != EAGAIN || nonblock)
				return ret;
			/* No room for an atomic write yet: as a pipe's POLLOUT. */
			if (kp_wait(e->fd, POLLOUT))
				return -1;
		}
	}
	/* vmsplice_to_user(): a read. */
	*how = "readv";
	if (!total)
		return 0;
	if (nonblock)
		return preadv2(e->fd, iov, count, -1, RWF_NOWAIT);
	return readv(e->fd, iov, count);
}

KP_EXPORT ssize_t vmsplice(int fd, const struct iovec *iov, size_t count,
			   unsigned int flags)
{
	const char *how = "";
	struct kp_end e;
	ssize_t ret;

	kp_setup();
	if (kp.mode == KP_OFF || (flags & ~KP_SPLICE_ALL))
		return kp_sys_vmsplice(fd, iov, count, flags);
	kp_classify(fd, &e);
	if (e.kind != KP_KIPC)
		return kp_sys_vmsplice(fd, iov, count, flags);
	ret = kp_vmsplice(&e, iov, count, flags, &how);
	kp_report(ret, how, "vmsplice(%d, %p, %zu, %#x)", fd, (void *)iov,
		  count, flags);
	return ret;
}
