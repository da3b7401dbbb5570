// SPDX-License-Identifier: GPL-2.0
/*
 * Opening a named channel by name, KIPC_IOC_CHAN_OPEN, beside open() of
 * its node /dev/kipc/NAME and open() of a FIFO made with mkfifo(), which
 * are the reference: the FIFO rules (a reader waits for a writer and a
 * writer for a reader, O_NONBLOCK writer without a reader ENXIO, O_RDWR
 * never waits, a signal EINTR), ENOENT, EINVAL, and the permission check
 * against the mode (EACCES, for a dropped-privilege child).  What only the
 * ioctl has: timeout_ns (ETIMEDOUT), and an fd that is an anonymous inode,
 * like a pair's end, which /proc/self/fd reopens into nothing.
 *
 * The FIFOs live in a private directory of mode 0755, as /dev/kipc is, so
 * that only the FIFO's own mode decides.  Children that change uid report
 * the number of the first check that failed as their exit status (0: none)
 * and say which on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "msg_backend.h"
#include "proc_util.h"

#define TIMEO_MS	200
#define SLACK_MS	10		/* one jiffy at HZ=100: the rounding */
#define MAX_OBJS	8
#define MAX_FDS		8

enum open_kind { FIFO, KIPC_NODE, KIPC_IOCTL };

FIXTURE(byname) {
	int ctl;
	char dir[64];			/* FIFO: the private directory */
	char prefix[64];		/* kipc: names are PREFIX.TAG */
	char tags[MAX_OBJS][16];	/* made, for the teardown */
	int fds[MAX_FDS];		/* kept open, for the teardown */
	pid_t kid;
};

FIXTURE_VARIANT(byname) {
	enum open_kind kind;
};

FIXTURE_VARIANT_ADD(byname, fifo) { .kind = FIFO };
FIXTURE_VARIANT_ADD(byname, kipc_node) { .kind = KIPC_NODE };
FIXTURE_VARIANT_ADD(byname, kipc_ioctl) { .kind = KIPC_IOCTL };

/* In a child: if check @n fails, say so and exit with @n. */
#define CHILD_EQ(n, expected, seen) do {				\
	long __e = (expected), __s = (seen);				\
	if (__e != __s) {						\
		fprintf(stderr, "# check %d: %s: expected %ld, got %ld\n", \
			n, #seen, __e, __s);				\
		_exit(n);						\
	}								\
} while (0)

#define CHILD_TRUE(n, cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# check %d: %s is false\n", n, #cond);	\
		_exit(n);						\
	}								\
} while (0)

FIXTURE_SETUP(byname)
{
	int i;

	self->ctl = -1;
	for (i = 0; i < MAX_FDS; i++)
		self->fds[i] = -1;
	umask(0);
	if (variant->kind == FIFO) {
		strcpy(self->dir, "/tmp/kipc_chan_open_test.XXXXXX");
		ASSERT_NE(NULL, mkdtemp(self->dir));
		ASSERT_EQ(0, chmod(self->dir, 0755));
		return;
	}
	self->ctl = open_control_or_skip(_metadata);
	snprintf(self->prefix, sizeof(self->prefix), "kipc_chan_open_test.%d",
		 (int)getpid());
}

static void name_of(FIXTURE_DATA(byname) *self, const char *tag, char *buf,
		    size_t len)
{
	snprintf(buf, len, "%s.%s", self->prefix, tag);
}

static void path_of(FIXTURE_DATA(byname) *self,
		    const FIXTURE_VARIANT(byname) *variant, const char *tag,
		    char *buf, size_t len)
{
	char name[KIPC_NAME_MAX + 1];

	if (variant->kind == FIFO) {
		snprintf(buf, len, "%s/%s", self->dir, tag);
		return;
	}
	name_of(self, tag, name, sizeof(name));
	node_path(buf, len, name);
}

static int remove_obj(FIXTURE_DATA(byname) *self,
		      const FIXTURE_VARIANT(byname) *variant, const char *tag)
{
	char buf[PATH_MAX];

	if (variant->kind == FIFO) {
		path_of(self, variant, tag, buf, sizeof(buf));
		return unlink(buf) ? -errno : 0;
	}
	name_of(self, tag, buf, sizeof(buf));
	return ctl_chan_remove(self->ctl, buf);
}

FIXTURE_TEARDOWN(byname)
{
	int i;

	if (self->kid > 0) {
		kill(self->kid, SIGKILL);
		waitpid(self->kid, NULL, 0);
	}
	for (i = 0; i < MAX_FDS; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	for (i = 0; i < MAX_OBJS; i++)
		if (self->tags[i][0])
			remove_obj(self, variant, self->tags[i]);
	if (self->dir[0])
		rmdir(self->dir);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Make FIFO or channel @tag with @mode (no umask) and KIPC_CHAN_F_* @flags. */
static int make_obj(FIXTURE_DATA(byname) *self,
		    const FIXTURE_VARIANT(byname) *variant, const char *tag,
		    mode_t mode, unsigned int flags)
{
	char buf[PATH_MAX];
	int i, err;

	for (i = 0; i < MAX_OBJS && self->tags[i][0]; i++)
		;
	if (i == MAX_OBJS)
		return -ENOSPC;
	if (variant->kind == FIFO) {
		path_of(self, variant, tag, buf, sizeof(buf));
		err = mkfifo(buf, mode) ? -errno : 0;
	} else {
		name_of(self, tag, buf, sizeof(buf));
		err = ctl_chan_create_flags(self->ctl, buf, mode, flags, 0);
	}
	if (!err)
		snprintf(self->tags[i], sizeof(self->tags[i]), "%s", tag);
	return err;
}

/*
 * Open @tag as this variant does: open() of the FIFO or of the node, or
 * KIPC_IOC_CHAN_OPEN with @timeout_ns.  The fd, or -errno.
 */
static int open_obj(FIXTURE_DATA(byname) *self,
		    const FIXTURE_VARIANT(byname) *variant, const char *tag,
		    int flags, long long timeout_ns)
{
	char buf[PATH_MAX];
	int fd;

	if (variant->kind == KIPC_IOCTL) {
		name_of(self, tag, buf, sizeof(buf));
		return ctl_chan_open(self->ctl, buf, flags, timeout_ns);
	}
	path_of(self, variant, tag, buf, sizeof(buf));
	fd = open(buf, flags);
	return fd < 0 ? -errno : fd;
}

/* open_obj(), the fd kept for the teardown to close. */
static int keep_obj(FIXTURE_DATA(byname) *self,
		    const FIXTURE_VARIANT(byname) *variant, const char *tag,
		    int flags)
{
	int fd = open_obj(self, variant, tag, flags | O_CLOEXEC, -1);
	int i;

	for (i = 0; fd >= 0 && i < MAX_FDS; i++) {
		if (self->fds[i] < 0) {
			self->fds[i] = fd;
			return fd;
		}
	}
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? -EMFILE : fd;
}

static long open_syscall(const FIXTURE_VARIANT(byname) *variant)
{
	return variant->kind == KIPC_IOCTL ? SYS_ioctl : SYS_openat;
}

static void on_usr1(int sig)
{
}

/*
 * A child that opens @tag with @flags and exits with 0 if it got an fd,
 * else with the errno.  SIGUSR1 has a handler without SA_RESTART.
 */
static pid_t spawn_opener(FIXTURE_DATA(byname) *self,
			  const FIXTURE_VARIANT(byname) *variant,
			  const char *tag, int flags, long long timeout_ns)
{
	pid_t pid = spawn_child();
	struct sigaction sa = { .sa_handler = on_usr1 };
	int fd;

	if (pid)
		return pid;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(200);
	fd = open_obj(self, variant, tag, flags, timeout_ns);
	_exit(fd >= 0 ? 0 : -fd);
}

static int reap_kid(FIXTURE_DATA(byname) *self)
{
	int st = reap_child(self->kid);

	self->kid = 0;
	return st;
}

#define SKIP_UNLESS_ROOT() do {						\
	if (geteuid())							\
		SKIP(return, "needs root, to become another user");	\
} while (0)

#define SKIP_UNLESS_IOCTL(variant) do {					\
	if ((variant)->kind != KIPC_IOCTL)				\
		SKIP(return, "KIPC_IOC_CHAN_OPEN's own argument: open() has none"); \
} while (0)

/* O_RDONLY waits for a writer; O_WRONLY|O_NONBLOCK lets it through. */
TEST_F(byname, reader_waits_for_a_writer)
{
	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	self->kid = spawn_opener(self, variant, "c", O_RDONLY, -1);
	ASSERT_LE(0, self->kid);
	ASSERT_TRUE(task_sleeps_in(self->kid, open_syscall(variant)));
	EXPECT_LE(0, keep_obj(self, variant, "c", O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(0, reap_kid(self));
}

/* O_WRONLY waits for a reader; O_RDONLY|O_NONBLOCK lets it through. */
TEST_F(byname, writer_waits_for_a_reader)
{
	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	self->kid = spawn_opener(self, variant, "c", O_WRONLY, -1);
	ASSERT_LE(0, self->kid);
	ASSERT_TRUE(task_sleeps_in(self->kid, open_syscall(variant)));
	EXPECT_LE(0, keep_obj(self, variant, "c", O_RDONLY | O_NONBLOCK));
	EXPECT_EQ(0, reap_kid(self));
}

/*
 * O_NONBLOCK: a writer without a reader is ENXIO; a reader never waits
 * and reads end of file; with that reader, a writer opens.
 */
TEST_F(byname, nonblocking_opens)
{
	char b;
	int rfd;

	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	EXPECT_EQ(-ENXIO, open_obj(self, variant, "c", O_WRONLY | O_NONBLOCK,
				   -1));
	rfd = keep_obj(self, variant, "c", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(0, read(rfd, &b, 1));
	EXPECT_LE(0, keep_obj(self, variant, "c", O_WRONLY | O_NONBLOCK));
}

/* O_RDWR never waits, and is the partner a waiting reader wants. */
TEST_F(byname, rdwr_never_waits)
{
	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	EXPECT_LE(0, keep_obj(self, variant, "c", O_RDWR));
	ASSERT_EQ(0, make_obj(self, variant, "d", 0600, 0));
	self->kid = spawn_opener(self, variant, "d", O_RDONLY, -1);
	ASSERT_LE(0, self->kid);
	ASSERT_TRUE(task_sleeps_in(self->kid, open_syscall(variant)));
	EXPECT_LE(0, keep_obj(self, variant, "d", O_RDWR));
	EXPECT_EQ(0, reap_kid(self));
}

/*
 * A signal without SA_RESTART ends a waiting open with EINTR, and the open
 * leaves no reader or writer behind.
 */
TEST_F(byname, signal_interrupts_a_waiting_open)
{
	char b;
	int fd;

	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	self->kid = spawn_opener(self, variant, "c", O_RDONLY, -1);
	ASSERT_LE(0, self->kid);
	ASSERT_TRUE(task_sleeps_in(self->kid, open_syscall(variant)));
	ASSERT_EQ(0, kill(self->kid, SIGUSR1));
	EXPECT_EQ(EINTR, reap_kid(self));
	EXPECT_EQ(-ENXIO, open_obj(self, variant, "c", O_WRONLY | O_NONBLOCK,
				   -1));

	self->kid = spawn_opener(self, variant, "c", O_WRONLY, -1);
	ASSERT_LE(0, self->kid);
	ASSERT_TRUE(task_sleeps_in(self->kid, open_syscall(variant)));
	ASSERT_EQ(0, kill(self->kid, SIGUSR1));
	EXPECT_EQ(EINTR, reap_kid(self));
	fd = keep_obj(self, variant, "c", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, read(fd, &b, 1));	/* no writer: EOF, not EAGAIN */
}

/*
 * timeout_ns bounds the wait: ETIMEDOUT after it (0: at once), leaving no
 * reader or writer behind.  An open that would not wait never times out,
 * 0 included, and a partner that comes in time lets the open through.
 */
TEST_F(byname, timeout_bounds_the_wait)
{
	long long t0, ns = TIMEO_MS * 1000000LL;

	SKIP_UNLESS_IOCTL(variant);
	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	EXPECT_EQ(-ETIMEDOUT, open_obj(self, variant, "c", O_RDONLY, 0));
	EXPECT_EQ(-ETIMEDOUT, open_obj(self, variant, "c", O_WRONLY, 0));
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, open_obj(self, variant, "c", O_RDONLY, ns));
	EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, open_obj(self, variant, "c", O_WRONLY, ns));
	EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	EXPECT_EQ(-ENXIO, open_obj(self, variant, "c", O_WRONLY | O_NONBLOCK,
				   0));

	self->fds[0] = open_obj(self, variant, "c", O_RDONLY | O_NONBLOCK, 0);
	EXPECT_LE(0, self->fds[0]);
	self->fds[1] = open_obj(self, variant, "c", O_RDWR, 0);
	EXPECT_LE(0, self->fds[1]);
	self->fds[2] = open_obj(self, variant, "c", O_RDONLY, 0);
	EXPECT_LE(0, self->fds[2]);
	self->fds[3] = open_obj(self, variant, "c", O_WRONLY, 0);
	EXPECT_LE(0, self->fds[3]);

	ASSERT_EQ(0, make_obj(self, variant, "d", 0600, 0));
	self->kid = spawn_opener(self, variant, "d", O_RDONLY,
				 CHILD_WATCHDOG * 1000000000LL);
	ASSERT_LE(0, self->kid);
	ASSERT_TRUE(task_sleeps_in(self->kid, open_syscall(variant)));
	EXPECT_LE(0, keep_obj(self, variant, "d", O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(0, reap_kid(self));
}

/* No such FIFO or channel, or one that was removed: ENOENT. */
TEST_F(byname, missing_is_enoent)
{
	EXPECT_EQ(-ENOENT, open_obj(self, variant, "none", O_RDWR, -1));
	EXPECT_EQ(-ENOENT, open_obj(self, variant, "none",
				    O_RDONLY | O_NONBLOCK, -1));
	ASSERT_EQ(0, make_obj(self, variant, "gone", 0600, 0));
	ASSERT_EQ(0, remove_obj(self, variant, "gone"));
	self->tags[0][0] = '\0';
	EXPECT_EQ(-ENOENT, open_obj(self, variant, "gone", O_RDWR, -1));
}

/* Access mode 3, which open() gives a FIFO's file no read or write: EINVAL. */
TEST_F(byname, access_mode_3_is_einval)
{
	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	EXPECT_EQ(-EINVAL, open_obj(self, variant, "c",
				    O_ACCMODE | O_NONBLOCK, -1));
}

static int chan_open_raw(int ctl, struct kipc_chan_open *op)
{
	return ioctl(ctl, KIPC_IOC_CHAN_OPEN, op) ? -errno : op->fd;
}

/*
 * The ioctl's own arguments: an invalid name, a flag outside O_ACCMODE,
 * O_NONBLOCK, O_CLOEXEC and O_DIRECT, or a non-zero reserved field:
 * EINVAL, before any ENOENT; a bad pointer: EFAULT.  fd is an output,
 * ignored on input, as a pair's rfd and wfd are.
 */
TEST_F(byname, ioctl_bad_arguments)
{
	static const char *const bad_names[] = {
		"", ".", "..", "control", "a/b", "sp ace", "tab\t",
	};
	static const int bad_flags[] = {
		O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_SYNC, O_NOCTTY,
		O_NOFOLLOW, O_PATH, 0x80000000,
	};
	struct kipc_chan_open op;
	char name[KIPC_NAME_MAX + 1];
	size_t i;

	SKIP_UNLESS_IOCTL(variant);
	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	name_of(self, "c", name, sizeof(name));
#define FRESH(n) do {							\
	memset(&op, 0, sizeof(op));					\
	snprintf(op.name, sizeof(op.name), "%s", n);			\
	op.flags = O_RDWR;						\
	op.timeout_ns = -1;						\
} while (0)
	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		FRESH(bad_names[i]);
		EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op))
			TH_LOG("name \"%s\"", bad_names[i]);
	}
	FRESH("");
	memset(op.name, 'a', sizeof(op.name));	/* no NUL */
	EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op));
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		FRESH(name);
		op.flags |= bad_flags[i];
		EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op))
			TH_LOG("flag %#x", bad_flags[i]);
	}
	FRESH(name);
	op.flags = O_ACCMODE;
	EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op));
	FRESH(name);
	op.__reserved[0] = 1;
	EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op));
	FRESH(name);
	op.__reserved[1] = 1;
	EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op));
	/* EINVAL before ENOENT: the flags of a missing name. */
	FRESH("none");
	op.flags |= O_CREAT;
	EXPECT_EQ(-EINVAL, chan_open_raw(self->ctl, &op));
	EXPECT_EQ(-EFAULT, ERRNO_OF(ioctl(self->ctl, KIPC_IOC_CHAN_OPEN,
					  NULL)));
#undef FRESH
}

/*
 * The mode decides, for a user in no class but other: 0600 nothing, 0604
 * reading only, 0602 writing only; a missing name stays ENOENT.  Root
 * (CAP_DAC_OVERRIDE) opens even a mode 0000 FIFO or channel.
 */
static void others_open(FIXTURE_DATA(byname) *self,
			const FIXTURE_VARIANT(byname) *variant)
{
	int rd = O_RDONLY | O_NONBLOCK, wr = O_WRONLY | O_NONBLOCK;

	CHILD_EQ(1, 0, become_nobody());
	CHILD_EQ(2, -EACCES, open_obj(self, variant, "p600", rd, -1));
	CHILD_EQ(3, -EACCES, open_obj(self, variant, "p600", wr, -1));
	CHILD_EQ(4, -EACCES, open_obj(self, variant, "p600", O_RDWR, -1));
	CHILD_TRUE(5, open_obj(self, variant, "r604", rd, -1) >= 0);
	CHILD_EQ(6, -EACCES, open_obj(self, variant, "r604", wr, -1));
	CHILD_EQ(7, -EACCES, open_obj(self, variant, "r604", O_RDWR, -1));
	CHILD_TRUE(8, open_obj(self, variant, "w602", wr, -1) >= 0);
	CHILD_EQ(9, -EACCES, open_obj(self, variant, "w602", rd, -1));
	CHILD_EQ(10, -ENOENT, open_obj(self, variant, "none", rd, -1));
	_exit(0);
}

TEST_F(byname, mode_decides_for_others)
{
	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, make_obj(self, variant, "p600", 0600, 0));
	ASSERT_EQ(0, make_obj(self, variant, "r604", 0604, 0));
	ASSERT_EQ(0, make_obj(self, variant, "w602", 0602, 0));
	ASSERT_EQ(0, make_obj(self, variant, "z000", 0, 0));
	/* Root's readers, so that the writers' opens do not fail ENXIO. */
	ASSERT_LE(0, keep_obj(self, variant, "r604", O_RDONLY | O_NONBLOCK));
	ASSERT_LE(0, keep_obj(self, variant, "w602", O_RDONLY | O_NONBLOCK));
	EXPECT_LE(0, keep_obj(self, variant, "z000", O_RDWR));

	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid)
		others_open(self, variant);
	EXPECT_EQ(0, reap_kid(self));
}

/*
 * A write-only open of a mapped channel needs read permission too (its
 * ring could be mapped, and a mapping reads): 0602 is not enough.
 */
static void others_open_mapped(FIXTURE_DATA(byname) *self,
			       const FIXTURE_VARIANT(byname) *variant)
{
	int wr = O_WRONLY | O_NONBLOCK;

	CHILD_EQ(1, 0, become_nobody());
	CHILD_EQ(2, -EACCES, open_obj(self, variant, "m602", wr, -1));
	CHILD_TRUE(3, open_obj(self, variant, "m606", wr, -1) >= 0);
	_exit(0);
}

TEST_F(byname, mapped_writer_needs_read_permission)
{
	if (variant->kind == FIFO)
		SKIP(return, "a FIFO has no ring to map");
	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, make_obj(self, variant, "m602", 0602, KIPC_CHAN_F_MAPPED));
	ASSERT_EQ(0, make_obj(self, variant, "m606", 0606, KIPC_CHAN_F_MAPPED));
	ASSERT_LE(0, keep_obj(self, variant, "m602", O_RDONLY | O_NONBLOCK));
	ASSERT_LE(0, keep_obj(self, variant, "m606", O_RDONLY | O_NONBLOCK));
	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid)
		others_open_mapped(self, variant);
	EXPECT_EQ(0, reap_kid(self));
}

/* Reopen @fd through /proc/self/fd with @flags: 0, or -errno. */
static int reopen(int fd, int flags)
{
	char path[64];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, flags | O_CLOEXEC);
	if (nfd < 0)
		return -errno;
	close(nfd);
	return 0;
}

/*
 * A reopen through /proc/self/fd grants no more than the fd: for a FIFO
 * or a node it is an open of the node, which the mode decides (others
 * with read permission only may not reopen for writing); the ioctl's fd is
 * an anonymous inode, which reopens into nothing, even for root (ENXIO, as
 * a pair's ends).
 */
static void others_reopen(FIXTURE_DATA(byname) *self,
			  const FIXTURE_VARIANT(byname) *variant)
{
	int fd, ret;

	CHILD_EQ(1, 0, become_nobody());
	fd = open_obj(self, variant, "r604", O_RDONLY | O_NONBLOCK, -1);
	CHILD_TRUE(2, fd >= 0);
	ret = reopen(fd, O_WRONLY | O_NONBLOCK);
	CHILD_TRUE(3, ret == -EACCES ||
		   (variant->kind == KIPC_IOCTL && ret == -ENXIO));
	ret = reopen(fd, O_RDWR | O_NONBLOCK);
	CHILD_TRUE(4, ret == -EACCES ||
		   (variant->kind == KIPC_IOCTL && ret == -ENXIO));
	_exit(0);
}

TEST_F(byname, proc_reopen_grants_no_more)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int fd, i, want;

	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, make_obj(self, variant, "r604", 0604, 0));
	fd = keep_obj(self, variant, "r604", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		want = variant->kind == KIPC_IOCTL ? -ENXIO : 0;
		EXPECT_EQ(want, reopen(fd, modes[i] | O_NONBLOCK))
			TH_LOG("access mode %d", modes[i]);
	}
	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid)
		others_reopen(self, variant);
	EXPECT_EQ(0, reap_kid(self));
}

/*
 * O_NONBLOCK and O_CLOEXEC are the fd's as asked, and the access mode;
 * the ioctl's fd is "anon_inode:[kipc]", whose fdinfo names its channel,
 * and it moves bytes with the node's fds.
 */
TEST_F(byname, fd_and_its_flags)
{
	char path[64], link[PATH_MAX], want[PATH_MAX], buf[8];
	int rfd, wfd;
	ssize_t n;

	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	rfd = open_obj(self, variant, "c", O_RDONLY | O_NONBLOCK | O_CLOEXEC,
		       -1);
	ASSERT_LE(0, rfd);
	self->fds[0] = rfd;
	EXPECT_EQ(O_RDONLY | O_NONBLOCK,
		  fcntl(rfd, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	EXPECT_EQ(FD_CLOEXEC, fcntl(rfd, F_GETFD));
	wfd = open_obj(self, variant, "c", O_WRONLY, -1);
	ASSERT_LE(0, wfd);
	self->fds[1] = wfd;
	EXPECT_EQ(O_WRONLY, fcntl(wfd, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	EXPECT_EQ(0, fcntl(wfd, F_GETFD));

	snprintf(path, sizeof(path), "/proc/self/fd/%d", wfd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	if (variant->kind == KIPC_IOCTL)
		snprintf(want, sizeof(want), "anon_inode:[kipc]");
	else
		path_of(self, variant, "c", want, sizeof(want));
	EXPECT_STREQ(want, link);
	if (variant->kind == KIPC_IOCTL) {
		char info[4096], name[KIPC_NAME_MAX + 1];

		name_of(self, "c", name, sizeof(name));
		snprintf(want, sizeof(want), "kipc-chan:\t%s\n", name);
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", wfd);
		ASSERT_LT(0, proc_read(path, info, sizeof(info)));
		EXPECT_NE(NULL, strstr(info, want)) TH_LOG("%s", info);
	}

	ASSERT_EQ(2, write(wfd, "hi", 2));
	EXPECT_EQ(2, read(rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hi", 2));
}

/*
 * O_DIRECT: a FIFO refuses it at open() (EINVAL); a kipc byte channel,
 * opened by node or by name, makes packets of the writes, as a pipe2()
 * pipe with O_DIRECT; a mapped channel refuses it (no packets in a ring).
 */
TEST_F(byname, odirect)
{
	char buf[16];
	int rfd, wfd;

	ASSERT_EQ(0, make_obj(self, variant, "c", 0600, 0));
	rfd = keep_obj(self, variant, "c", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, rfd);
	wfd = keep_obj(self, variant, "c", O_WRONLY | O_DIRECT);
	if (variant->kind == FIFO) {
		EXPECT_EQ(-EINVAL, wfd);
		return;
	}
	ASSERT_LE(0, wfd);
	EXPECT_EQ(O_DIRECT, fcntl(wfd, F_GETFL) & O_DIRECT);
	ASSERT_EQ(3, write(wfd, "abc", 3));
	ASSERT_EQ(2, write(wfd, "de", 2));
	EXPECT_EQ(3, read(rfd, buf, sizeof(buf)));
	EXPECT_EQ(2, read(rfd, buf, sizeof(buf)));

	ASSERT_EQ(0, make_obj(self, variant, "m", 0600, KIPC_CHAN_F_MAPPED));
	ASSERT_LE(0, keep_obj(self, variant, "m", O_RDONLY | O_NONBLOCK));
	EXPECT_EQ(-EINVAL, open_obj(self, variant, "m", O_WRONLY | O_DIRECT,
				    -1));
}

TEST_HARNESS_MAIN
