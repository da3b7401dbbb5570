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
 * in splice.c; on other fds they are the system calls themselves.  A
 * statically linked program is out of reach: LD_PRELOAD is the dynamic
 * loader's, and such a program has none.
 *
 * Environment, read once per process:
 *	KIPC_PRELOAD=on|off|strict	on (the default): fall back to the
 *		kernel's pipes, with one warning on stderr, when kipc is absent;
 *		off: pass everything through untouched; strict: absence is an
 *		error (pipe() fails with ENOSYS, or the errno of the open).
 *	KIPC_PRELOAD_VERBOSE=1		report on stderr, one line per
 *		call, each pipe() and pipe2() (a kipc channel or a kernel pipe,
 *		and its fds) and each splice(), tee() and vmsplice() on a kipc
 *		fd, so that a user sees whether the shim took hold.
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
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kipc-preload.h"

#define KP_DEFAULT_PATH	"/dev/kipc/control"

/* linux/watch_queue.h; kipc cannot be a notification pipe. */
#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE	O_EXCL
#endif

#define KP_PIPE2_FLAGS	(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE)

/* Written once under kp_once, read-only afterwards. */
struct kp_config kp;

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

void kp_setup(void)
{
	pthread_once(&kp_once, kp_init);
}

void kp_write_line(const char *line, int n)
{
	int saved = errno;

	if (n > 0 && write(STDERR_FILENO, line, n) < 0)
		n = 0;	/* nowhere to report it */
	errno = saved;
}

static void kp_vsay(const char *fmt, va_list ap)
{
	char buf[PATH_MAX + 256];
	int saved = errno;
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	errno = saved;
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	kp_write_line(buf, n);
}

/* One line on stderr, at most once per process.  errno is left alone. */
static void kp_warn_once(const char *fmt, ...)
{
	va_list ap;

	if (atomic_flag_test_and_set(&kp_warned))
		return;
	va_start(ap, fmt);
	kp_vsay(fmt, ap);
	va_end(ap);
}

/* One line on stderr if KIPC_PRELOAD_VERBOSE is set.  errno is left alone. */
static void kp_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!kp.verbose)
		return;
	va_start(ap, fmt);
	kp_vsay(fmt, ap);
	va_end(ap);
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
 * @why gets @err, for the verbose report.
 */
static int kp_no_kipc(int fds[2], int flags, int err, int *why)
{
	*why = err;
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

/*
 * pipe2() on kipc if it can be had.  @why is set to 0 when the fds are a
 * kipc channel, to the errno that kept kipc out when they are a kernel
 * pipe, and to -1 for a notification pipe, which only the kernel makes.
 */
static int kp_pipe2(int fds[2], int flags, int *why)
{
	struct kipc_chan_pair pair;
	int tries, ctl;

	*why = 0;
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
	if (flags & O_NOTIFICATION_PIPE) {
		*why = -1;
		return kp_real_pipe2(fds, flags);
	}

	for (tries = 0; tries < 2; tries++) {
		ctl = kp_control();
		if (ctl < 0)
			return kp_no_kipc(fds, flags, -ctl, why);
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

/* "pipe()", or "pipe2(O_CLOEXEC|O_NONBLOCK)": the call as the program made it. */
static const char *kp_pipe_call(char *buf, size_t size, int flags, int is_pipe)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = {
		{ O_CLOEXEC, "O_CLOEXEC" },
		{ O_NONBLOCK, "O_NONBLOCK" },
		{ O_DIRECT, "O_DIRECT" },
		{ O_NOTIFICATION_PIPE, "O_NOTIFICATION_PIPE" },
	};
	const char *sep = "";
	size_t i, n;

	if (is_pipe)
		return "pipe()";
	n = snprintf(buf, size, "pipe2(");
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < size; i++) {
		if (!(flags & names[i].flag))
			continue;
		n += snprintf(buf + n, size - n, "%s%s", sep, names[i].name);
		flags &= ~names[i].flag;
		sep = "|";
	}
	if (n < size && (flags || !*sep))
		n += snprintf(buf + n, size - n, "%s%#x", sep, (unsigned int)flags);
	if (n < size)
		snprintf(buf + n, size - n, ")");
	return buf;
}

/*
 * KIPC_PRELOAD_VERBOSE: what became of one pipe() or pipe2(), so that a
 * user can tell that the shim took hold (or why not).  errno is kept.
 */
static void kp_pipe_report(int ret, const int fds[2], int flags, int is_pipe,
			   int why)
{
	const char *err = ret < 0 ? strerror(errno) : "";
	const char *call;
	char buf[128];

	if (!kp.verbose)
		return;
	call = kp_pipe_call(buf, sizeof(buf), flags, is_pipe);
	if (ret < 0)
		kp_verbose("kipc-preload: %s = -1 %s\n", call, err);
	else if (!why)
		kp_verbose("kipc-preload: %s moved to kipc: read fd %d, write fd %d\n",
			   call, fds[0], fds[1]);
	else if (why < 0)
		kp_verbose("kipc-preload: %s left to the kernel (a notification pipe): read fd %d, write fd %d\n",
			   call, fds[0], fds[1]);
	else
		kp_verbose("kipc-preload: %s left to the kernel (%s: %s): read fd %d, write fd %d\n",
			   call, kp.path, strerror(why), fds[0], fds[1]);
}

KP_EXPORT int pipe2(int fds[2], int flags)
{
	int ret, why;

	kp_setup();
	if (kp.mode == KP_OFF)
		return kp_real_pipe2(fds, flags);
	ret = kp_pipe2(fds, flags, &why);
	kp_pipe_report(ret, fds, flags, 0, why);
	return ret;
}

KP_EXPORT int pipe(int fds[2])
{
	int ret, why;

	kp_setup();
	if (kp.mode == KP_OFF) {
		if (kp.pipe)
			return kp.pipe(fds);
		return kp_real_pipe2(fds, 0);
	}
	ret = kp_pipe2(fds, 0, &why);
	kp_pipe_report(ret, fds, 0, 1, why);
	return ret;
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
int kp_is_kipc_st(int fd, const struct stat *st, struct kipc_capacity *c)
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
