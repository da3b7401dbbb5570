// SPDX-License-Identifier: GPL-2.0
/*
 * libkipc-preload.so: run an unmodified, dynamically linked program on kipc
 * channels instead of the kernel's pipes.
 *
 *	LD_PRELOAD=/usr/lib/kipc/libkipc-preload.so sh -c 'seq 1 9 | sort -r'
 *
 * pipe() and pipe2() return kipc anonymous pairs (KIPC_IOC_CHAN_PAIR, the
 * pipe2() of kipc).  fcntl() translates F_SETPIPE_SZ and F_GETPIPE_SZ on
 * kipc fds into KIPC_IOC_SET_CAPACITY and KIPC_IOC_GET_CAPACITY, because a
 * character device can only answer those two with EBADF; every other
 * command, and every fd that is not kipc's, goes to the C library's fcntl()
 * untouched.  FIONREAD needs no help: the module answers it.  splice(),
 * tee() and vmsplice() on kipc fds are emulated with the kernel's results
 * (see "splice, tee and vmsplice" below); on other fds they are the system
 * calls themselves.
 *
 * Environment, read once per process:
 *	KIPC_PRELOAD=on|off|strict	on (the default): fall back to the
 *		kernel's pipes, with one warning on stderr, when kipc is absent;
 *		off: pass everything through untouched; strict: absence is an
 *		error (pipe() fails with ENOSYS, or the errno of the open).
 *	KIPC_PRELOAD_VERBOSE=1		report each splice(), tee() and
 *		vmsplice() on a kipc fd on stderr, one line per call.
 *	KIPC_CONTROL_PATH=PATH		the control device, for tests
 *		(default /dev/kipc/control; ignored in setuid programs).
 *
 * What a preload shim cannot help keeping, all of it per process:
 *	- the C library's functions, found once with dlsym(RTLD_NEXT);
 *	- the mode and the control path, read once;
 *	- one O_CLOEXEC fd on the control device, opened on the first pipe()
 *	  and checked with fstat() before each use, so that a program that
 *	  closes it or dup2()s over it, or a child of fork(), still works (a
 *	  forked child shares its parent's; exec drops it);
 *	- that kipc was found absent, and that the warning was printed.
 * No lock is held between calls, so fork() in another thread is safe.
 */
#define _GNU_SOURCE
/* fcntl must stay fcntl: no redirection of it to fcntl64 by the headers. */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/kipc.h>

#define KP_EXPORT	__attribute__((visibility("default")))
#define KP_DEFAULT_PATH	"/dev/kipc/control"

/* linux/watch_queue.h; kipc cannot be a notification pipe. */
#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE	O_EXCL
#endif

#define KP_PIPE2_FLAGS	(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE)

enum kp_mode { KP_ON, KP_OFF, KP_STRICT };

typedef int (*kp_pipe_fn)(int fds[2]);
typedef int (*kp_pipe2_fn)(int fds[2], int flags);
typedef int (*kp_fcntl_fn)(int fd, int cmd, ...);

/* Written once under kp_once, read-only afterwards. */
static struct {
	kp_pipe_fn pipe;
	kp_pipe2_fn pipe2;
	kp_fcntl_fn fcntl;
	kp_fcntl_fn fcntl64;
	enum kp_mode mode;
	const char *bad_mode;		/* a KIPC_PRELOAD we did not understand */
	unsigned long page_size;
	char path[PATH_MAX];
	int path_err;			/* KIPC_CONTROL_PATH too long */
	int verbose;			/* KIPC_PRELOAD_VERBOSE */
} kp;

static pthread_once_t kp_once = PTHREAD_ONCE_INIT;

/* The cached control fd and the device it was opened on. */
static atomic_int kp_ctl_fd = -1;
static _Atomic unsigned long long kp_ctl_rdev;
/* Non-zero: opening the control device failed for good with this errno. */
static atomic_int kp_absent;
static atomic_flag kp_warned = ATOMIC_FLAG_INIT;

static void kp_init(void)
{
	const char *mode = getenv("KIPC_PRELOAD");
	const char *path = secure_getenv("KIPC_CONTROL_PATH");
	const char *verbose = getenv("KIPC_PRELOAD_VERBOSE");
	long page = sysconf(_SC_PAGESIZE);

	kp.pipe = (kp_pipe_fn)dlsym(RTLD_NEXT, "pipe");
	kp.pipe2 = (kp_pipe2_fn)dlsym(RTLD_NEXT, "pipe2");
	kp.fcntl = (kp_fcntl_fn)dlsym(RTLD_NEXT, "fcntl");
	kp.fcntl64 = (kp_fcntl_fn)dlsym(RTLD_NEXT, "fcntl64");
	if (!kp.fcntl64)
		kp.fcntl64 = kp.fcntl;	/* a C library older than glibc 2.28 */

	if (!mode || !*mode || !strcmp(mode, "on") || !strcmp(mode, "1"))
		kp.mode = KP_ON;
	else if (!strcmp(mode, "off") || !strcmp(mode, "0"))
		kp.mode = KP_OFF;
	else if (!strcmp(mode, "strict"))
		kp.mode = KP_STRICT;
	else
		kp.bad_mode = mode;

	kp.verbose = verbose && *verbose && strcmp(verbose, "0");
	kp.page_size = page > 0 ? (unsigned long)page : 4096;
	if (!path || !*path)
		path = KP_DEFAULT_PATH;
	if (strlen(path) >= sizeof(kp.path))
		kp.path_err = ENAMETOOLONG;
	else
		strcpy(kp.path, path);
}

static void kp_setup(void)
{
	pthread_once(&kp_once, kp_init);
}

/*
 * One line on stderr, at most once per process, by write(2): no stdio
 * buffer of the program's is touched.  errno is left alone.
 */
static void kp_warn_once(const char *fmt, ...)
{
	int saved = errno;
	char buf[PATH_MAX + 256];
	va_list ap;
	int n;

	if (atomic_flag_test_and_set(&kp_warned))
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0) {
		if ((size_t)n >= sizeof(buf))
			n = sizeof(buf) - 1;
		if (write(STDERR_FILENO, buf, n) < 0)
			n = 0;	/* nowhere to report it */
	}
	errno = saved;
}

/* Errors that say nothing about kipc being there: try again next time. */
static int kp_transient(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ||
	       err == EINTR || err == EAGAIN;
}

/*
 * Open the control device and check that it is kipc's.
 * Return: the new fd, or -errno.
 */
static int kp_open_control(unsigned long long *rdev)
{
	struct kipc_version v;
	struct stat st;
	int fd, err;

	if (kp.path_err)
		return -kp.path_err;
	fd = open(kp.path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = errno;
		goto out_close;
	}
	err = ENODEV;
	if (!S_ISCHR(st.st_mode))
		goto out_close;
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, KIPC_IOC_VERSION, &v) || !v.abi)
		goto out_close;
	*rdev = st.st_rdev;
	return fd;

out_close:
	close(fd);
	return -err;
}

/*
 * The control fd: the cached one while it is still ours, else a new one.
 * A program may have closed ours, or dup2()ed something over it; such an
 * fd number is the program's now and is never closed here.
 * Return: the fd, or -errno.
 */
static int kp_control(void)
{
	unsigned long long rdev = 0;
	int fd = atomic_load(&kp_ctl_fd);
	int old = fd, err;
	struct stat st;

	if (fd >= 0 && !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	    st.st_rdev == atomic_load(&kp_ctl_rdev))
		return fd;

	err = atomic_load(&kp_absent);
	if (err)
		return -err;
	fd = kp_open_control(&rdev);
	if (fd < 0) {
		if (!kp_transient(-fd))
			atomic_store(&kp_absent, -fd);
		return fd;
	}
	atomic_store(&kp_ctl_rdev, rdev);
	if (!atomic_compare_exchange_strong(&kp_ctl_fd, &old, fd)) {
		/* Another thread got there first: use its fd. */
		close(fd);
		fd = old;
	}
	return fd;
}

static int kp_real_pipe2(int fds[2], int flags)
{
	if (kp.pipe2)
		return kp.pipe2(fds, flags);
	return syscall(SYS_pipe2, fds, flags);
}

/*
 * kipc cannot be had (err): a kernel pipe with one warning, or in strict
 * mode a failure.  A missing device or module reads as ENOSYS there.
 */
static int kp_no_kipc(int fds[2], int flags, int err)
{
	if (kp.mode == KP_STRICT) {
		kp_warn_once("kipc-preload: %s: %s (KIPC_PRELOAD=strict: pipe() fails)\n",
			     kp.path, strerror(err));
		if (err == ENOENT || err == ENODEV || err == ENXIO ||
		    err == ENOTTY)
			err = ENOSYS;
		errno = err;
		return -1;
	}
	if (!kp_transient(err))
		kp_warn_once("kipc-preload: %s: %s; using the kernel's pipes\n",
			     kp.path, strerror(err));
	return kp_real_pipe2(fds, flags);
}

static int kp_pipe2(int fds[2], int flags)
{
	struct kipc_chan_pair pair;
	int tries, ctl;

	if (kp.bad_mode)
		kp_warn_once("kipc-preload: KIPC_PRELOAD=%s not understood: want on, off or strict\n",
			     kp.bad_mode);
	if (flags & ~KP_PIPE2_FLAGS) {
		errno = EINVAL;
		return -1;
	}
	if (!fds) {
		errno = EFAULT;
		return -1;
	}
	if (flags & O_NOTIFICATION_PIPE)
		return kp_real_pipe2(fds, flags);

	for (tries = 0; tries < 2; tries++) {
		ctl = kp_control();
		if (ctl < 0)
			return kp_no_kipc(fds, flags, -ctl);
		memset(&pair, 0, sizeof(pair));
		pair.flags = flags;
		if (!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &pair)) {
			fds[0] = pair.rfd;
			fds[1] = pair.wfd;
			return 0;
		}
		/* EMFILE, ENFILE, ENOMEM: what pipe2() would have said. */
		if (errno != EBADF && errno != ENOTTY)
			return -1;
		/* The fd went away between the check and the ioctl. */
		atomic_compare_exchange_strong(&kp_ctl_fd, &ctl, -1);
	}
	return -1;
}

KP_EXPORT int pipe2(int fds[2], int flags)
{
	kp_setup();
	if (kp.mode == KP_OFF)
		return kp_real_pipe2(fds, flags);
	return kp_pipe2(fds, flags);
}

KP_EXPORT int pipe(int fds[2])
{
	kp_setup();
	if (kp.mode == KP_OFF) {
		if (kp.pipe)
			return kp.pipe(fds);
		return kp_real_pipe2(fds, 0);
	}
	return kp_pipe2(fds, 0);
}

/* fcntl */

/* What the third argument of each fcntl() command is (fcntl(2)). */
enum kp_arg { KP_ARG_NONE, KP_ARG_INT, KP_ARG_PTR };

static enum kp_arg kp_arg_type(int cmd)
{
	switch (cmd) {
	case F_GETFD:
	case F_GETFL:
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
	case F_GETPIPE_SZ:
	case F_GET_SEALS:
		return KP_ARG_NONE;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETFD:
	case F_SETFL:
	case F_SETOWN:
	case F_SETSIG:
	case F_SETLEASE:
	case F_NOTIFY:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
		return KP_ARG_INT;
	default:
		/*
		 * Locks (struct flock *), F_[GS]ETOWN_EX, the rw hints (u64 *),
		 * and commands newer than this file: a pointer-sized word,
		 * which is also what the C library itself takes.
		 */
		return KP_ARG_PTR;
	}
}

/* kipc's capacity of @fd (whose fstat is @st) in @c, or false if not kipc. */
static int kp_is_kipc_st(int fd, const struct stat *st, struct kipc_capacity *c)
{
	/* Pipes, and files that cannot be a kipc channel, are not asked. */
	if (S_ISFIFO(st->st_mode) || S_ISDIR(st->st_mode) ||
	    S_ISSOCK(st->st_mode) || S_ISLNK(st->st_mode))
		return 0;
	/* Anonymous pairs are anon inodes, named channels char devices. */
	memset(c, 0, sizeof(*c));
	return !ioctl(fd, KIPC_IOC_GET_CAPACITY, c);
}

/* kipc's capacity of @fd in @c, or false if @fd is not a kipc channel. */
static int kp_is_kipc(int fd, struct kipc_capacity *c)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return kp_is_kipc_st(fd, &st, c);
}

/*
 * F_SETPIPE_SZ as fs/pipe.c does it: more than 2^31 is EINVAL, less than a
 * page is a page, anything else goes up to a power of two; then kipc
 * checks the rest (EPERM over max_capacity without CAP_SYS_RESOURCE, EBUSY
 * below what is queued, EINVAL over its 1 GiB ceiling).
 * Return: the new capacity, or -1 with errno.
 */
static int kp_set_capacity(int fd, unsigned int arg)
{
	struct kipc_capacity c;
	unsigned long long size;

	if (arg > (1U << 31)) {
		errno = EINVAL;
		return -1;
	}
	size = arg < kp.page_size ? kp.page_size : arg;
	if (size & (size - 1))
		size = 1ULL << (64 - __builtin_clzll(size));
	if (size < KIPC_CAPACITY_MIN)
		size = KIPC_CAPACITY_MIN;
	memset(&c, 0, sizeof(c));
	c.capacity = size;
	if (ioctl(fd, KIPC_IOC_SET_CAPACITY, &c))
		return -1;
	return (int)c.capacity;
}

static int kp_fcntl(kp_fcntl_fn real, int fd, int cmd, va_list ap)
{
	struct kipc_capacity c;
	void *ptr;
	int arg;

	switch (kp_arg_type(cmd)) {
	case KP_ARG_NONE:
		if (cmd == F_GETPIPE_SZ && kp.mode != KP_OFF &&
		    kp_is_kipc(fd, &c))
			return (int)c.capacity;
		if (real)
			return real(fd, cmd);
		return syscall(SYS_fcntl, fd, cmd, 0L);
	case KP_ARG_INT:
		arg = va_arg(ap, int);
		if (cmd == F_SETPIPE_SZ && kp.mode != KP_OFF &&
		    kp_is_kipc(fd, &c))
			return kp_set_capacity(fd, (unsigned int)arg);
		if (real)
			return real(fd, cmd, arg);
		return syscall(SYS_fcntl, fd, cmd, (long)arg);
	case KP_ARG_PTR:
	default:
		ptr = va_arg(ap, void *);
		if (real)
			return real(fd, cmd, ptr);
		return syscall(SYS_fcntl, fd, cmd, ptr);
	}
}

KP_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	kp_setup();
	va_start(ap, cmd);
	ret = kp_fcntl(kp.fcntl, fd, cmd, ap);
	va_end(ap);
	return ret;
}

/*
 * glibc 2.28 added fcntl64 (the same function on 64-bit targets; on 32-bit
 * ones, the one that takes struct flock64).
 */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 28)
KP_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	kp_setup();
	va_start(ap, cmd);
	ret = kp_fcntl(kp.fcntl64, fd, cmd, ap);
	va_end(ap);
	return ret;
}
#endif

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
	if (write(STDERR_FILENO, buf, n) < 0)
		n = 0;	/* nowhere to report it */
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
