// SPDX-License-Identifier: GPL-2.0
/*
 * No lock that one user's memory can hold may stall others for good
 * (issue 11, item 3).  A write whose source page is missing under
 * userfaultfd stalls in its copy from user memory, as long as the test
 * likes, with the channel's lock held; a FUSE-backed buffer lets any user
 * do the same.  The chain found: removing a channel holds kipcm_chans_lock
 * across device_unregister(), which waits for the channel's sysfs readers,
 * which wait uninterruptibly for its lock.  So while a write is stalled,
 * the channel's counters, the module's, other channels' create, remove and
 * open, and the stalled channel's removal must all return; what has to
 * wait for the channel's lock (read, write, open) must wait killably.
 *
 * Each test makes its own stall: the harness forks each TEST_F, and a fork
 * has no stalled thread.  The body calls stall_begin(), not FIXTURE_SETUP,
 * because an ASSERT in setup skips the teardown, which must end the stall
 * and remove the channels.  Whatever may block runs in a child (or, for
 * EINTR, a thread) with a deadline: not returning by then is a failure,
 * never a hang.  UFFDIO_COPY then resolves the fault, which frees what a
 * broken module left blocked, and it is all reaped.
 *
 * Kernel pipes and FIFOs are not run side by side as in the other channel
 * tests: fs/pipe.c copies under pipe->mutex taken with an uninterruptible
 * mutex_lock(), so a FIFO would fail the killable checks the same way, and
 * it has no sysfs node or module-wide registry for the others.
 *
 * Root only: userfaultfd takes faults of kernel copies only without
 * UFFD_USER_MODE_ONLY, which unprivileged callers must ask for unless
 * vm.unprivileged_userfaultfd is 1 (0 by default since 5.11).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

#define NODE		"kipc-lock-test"
#define OTHER		"kipc-lock-test-other"	/* exists throughout */
#define SCRATCH		"kipc-lock-test-new"	/* made and removed by checks */
#define SYSFS_NODE	"/sys/class/kipc/" NODE "/"

/* PIPE_BUF: the stalled write is atomic, so it is all or nothing. */
#define LEN		4096

/*
 * A check that has not returned after this long is hung.  It is a liveness
 * bound, not a speed one: TCG guests on a busy host are slow.
 */
#define HANG_MS		20000

/* The harness's limit per test: a few HANG_MS, see resolve(). */
#define TEST_TIMEOUT	180

#define MAX_KIDS	8

/* reap_by(): the child is still running at the deadline. */
#define HUNG		(-1)

FIXTURE(stall) {
	int ctl;
	int uffd;
	int fd1;		/* the stalled writer's */
	int fd2;		/* a second open of the same channel */
	size_t psz;
	char *page;		/* missing until resolve(): the writer's source */
	char *pattern;		/* what UFFDIO_COPY puts there */
	pthread_t writer;
	bool writer_started;
	bool resolved;
	ssize_t wret;		/* the writer's write(), or -errno */
	pid_t kids[MAX_KIDS];	/* forked and not yet reaped; 0 if reaped */
	int nr_kids;
};

typedef int (*check_fn)(FIXTURE_DATA(stall) *self, const char *arg);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int name_ioctl(int ctl, unsigned long cmd, const char *name,
		      __u32 mode)
{
	struct kipc_chan_name req = { .mode = mode };

	snprintf(req.name, sizeof(req.name), "%s", name);
	return ioctl(ctl, cmd, &req) ? -errno : 0;
}

static pid_t spawn(FIXTURE_DATA(stall) *self, check_fn fn, const char *arg)
{
	pid_t pid;

	if (self->nr_kids == MAX_KIDS)
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(fn(self, arg));
	if (pid > 0)
		self->kids[self->nr_kids++] = pid;
	return pid;
}

/*
 * The exit status of @pid, 128 + the signal that ended it, or HUNG if it
 * is still running at @deadline (it is then left for resolve() to reap).
 */
static int reap_by(FIXTURE_DATA(stall) *self, pid_t pid, long long deadline)
{
	int status, i;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_ms() >= deadline)
			return HUNG;
		usleep(10000);
	}
	for (i = 0; i < self->nr_kids; i++)
		if (self->kids[i] == pid)
			self->kids[i] = 0;
	if (r < 0)
		return 255;
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

static const char *describe(int st, char *buf, size_t size)
{
	if (st == HUNG)
		snprintf(buf, size, "still blocked after %d s", HANG_MS / 1000);
	else if (st > 128)
		snprintf(buf, size, "killed by signal %d", st - 128);
	else
		snprintf(buf, size, "failed its check #%d", st);
	return buf;
}

/*
 * Wait until task @tid of process @pid sleeps in syscall @nr, from
 * /proc/PID/task/TID/syscall ("running" while it runs).  False if that is
 * not seen within HANG_MS, or at once if the child @tid has exited.
 */
static bool sleeps_in(pid_t pid, pid_t tid, long nr)
{
	long long deadline = now_ms() + HANG_MS;
	char path[64], buf[256];
	siginfo_t si;
	long cur;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	while (now_ms() < deadline) {
		si.si_pid = 0;
		if (pid == tid &&
		    (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) ||
		     si.si_pid))
			return false;
		if (proc_read(path, buf, sizeof(buf)) < 0)
			return false;
		if (sscanf(buf, "%ld", &cur) == 1 && cur == nr)
			return true;
		usleep(5000);
	}
	return false;
}

struct check {
	const char *what;
	check_fn fn;
	const char *arg;
};

/*
 * Run @n checks side by side: each must exit 0 within HANG_MS.  EXPECT
 * only, as the teardown uses it too.
 */
static void run_checks(struct __test_metadata *_metadata,
		       FIXTURE_DATA(stall) *self, const struct check *c, int n)
{
	pid_t pid[MAX_KIDS];
	long long deadline;
	char why[64];
	int i, st;

	for (i = 0; i < n; i++)
		pid[i] = spawn(self, c[i].fn, c[i].arg);
	deadline = now_ms() + HANG_MS;
	for (i = 0; i < n; i++) {
		st = pid[i] < 0 ? 255 : reap_by(self, pid[i], deadline);
		EXPECT_EQ(0, st)
			TH_LOG("%s: %s", c[i].what, describe(st, why, sizeof(why)));
	}
}

/*
 * Check @c blocks in syscall @nr on the stalled channel: SIGKILL must end
 * it within HANG_MS.  Returning instead is fine too.
 */
static void expect_killable(struct __test_metadata *_metadata,
			    FIXTURE_DATA(stall) *self, const struct check *c,
			    long nr)
{
	const char *what = c->what;
	char why[64];
	pid_t pid;
	int st;

	ASSERT_LT(0, pid = spawn(self, c->fn, c->arg));
	if (!sleeps_in(pid, pid, nr))
		TH_LOG("%s: not seen asleep in syscall %ld", what, nr);
	kill(pid, SIGKILL);
	st = reap_by(self, pid, now_ms() + HANG_MS);
	EXPECT_TRUE(st == 0 || st == 128 + SIGKILL)
		TH_LOG("%s, after SIGKILL: %s", what,
		       describe(st, why, sizeof(why)));
}

/* The checks, each run in a child: 0 if all went as expected. */

static int read_attr(FIXTURE_DATA(stall) *self, const char *attr)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), SYSFS_NODE "%s", attr);
	if (proc_read(path, buf, sizeof(buf)) <= 0)
		return 1;
	/* The copy faulted on its first byte: nothing was ever queued. */
	return strcmp(buf, "0\n") ? 2 : 0;
}

static int fionread(FIXTURE_DATA(stall) *self, const char *arg)
{
	int n = -1;

	if (ioctl(self->fd2, FIONREAD, &n))
		return 1;
	return n ? 2 : 0;
}

static int chan_stats(FIXTURE_DATA(stall) *self, const char *arg)
{
	struct kipc_chan_stats st;

	if (ioctl(self->fd2, KIPC_IOC_CHAN_STATS, &st))
		return 1;
	if (st.queued || st.bytes_written)
		return 2;
	return st.readers == 2 && st.writers == 2 ? 0 : 3;
}

static int proc_fdinfo(FIXTURE_DATA(stall) *self, const char *arg)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd2);
	if (proc_read(path, buf, sizeof(buf)) <= 0)
		return 1;
	return strstr(buf, "kipc-queued:\t0\n") ? 0 : 2;
}

static int module_stats(FIXTURE_DATA(stall) *self, const char *arg)
{
	struct kipc_stats st;

	if (ioctl(self->ctl, KIPC_IOC_STATS, &st))
		return 1;
	/* OTHER at least; NODE may be on its way out. */
	return st.named_chans ? 0 : 2;
}

static int create_remove(FIXTURE_DATA(stall) *self, const char *arg)
{
	if (name_ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, SCRATCH, 0600))
		return 1;
	return name_ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, SCRATCH, 0) ? 2 : 0;
}

static int remove_node(FIXTURE_DATA(stall) *self, const char *name)
{
	return name_ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, name, 0) ? 1 : 0;
}

static int open_node(FIXTURE_DATA(stall) *self, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/dev/kipc/%s", name);
	return open(path, O_RDWR | O_CLOEXEC) < 0 ? 1 : 0;
}

static int read_fd2(FIXTURE_DATA(stall) *self, const char *arg)
{
	char c;

	return read(self->fd2, &c, 1) < 0 ? 1 : 0;
}

static int write_fd2(FIXTURE_DATA(stall) *self, const char *arg)
{
	return write(self->fd2, "x", 1) == 1 ? 0 : 1;
}

static int remove_ours(FIXTURE_DATA(stall) *self, const char *arg)
{
	static const char *const names[] = { NODE, OTHER, SCRATCH };
	int i, ret = 0;

	for (i = 0; i < 3; i++)
		if (name_ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, names[i], 0) &&
		    errno != ENOENT)
			ret = 1 + i;
	return ret;
}

static int read_back(FIXTURE_DATA(stall) *self, const char *arg)
{
	char buf[LEN];
	int n = -1;

	if (ioctl(self->fd2, FIONREAD, &n) || n != LEN)
		return 1;
	if (read(self->fd2, buf, LEN) != LEN)
		return 2;
	return memcmp(buf, self->pattern, LEN) ? 3 : 0;
}

static void *writer_fn(void *arg)
{
	FIXTURE_DATA(stall) *self = arg;
	sigset_t all;
	ssize_t n;

	/* Signals are meant for the tasks under test, not the staller. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	n = write(self->fd1, self->page, LEN);
	__atomic_store_n(&self->wret, n < 0 ? -errno : n, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Make the channels, and a write to NODE that stalls in its copy from
 * self->page with the channel locked.  The fault event on the uffd says
 * the writer is inside the copy, so inside the lock.
 */
static void stall_begin(struct __test_metadata *_metadata,
			FIXTURE_DATA(stall) *self)
{
	struct pollfd pfd = { .fd = self->uffd, .events = POLLIN };
	long long deadline = now_ms() + HANG_MS;
	struct uffd_msg msg;
	ssize_t ret;

	ASSERT_EQ(0, name_ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, NODE, 0666));
	ASSERT_EQ(0, name_ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, OTHER, 0666));
	self->fd1 = open("/dev/kipc/" NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd1) TH_LOG("open: %s", strerror(errno));
	self->fd2 = open("/dev/kipc/" NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd2) TH_LOG("open: %s", strerror(errno));

	ASSERT_EQ(0, pthread_create(&self->writer, NULL, writer_fn, self));
	self->writer_started = true;
	while (poll(&pfd, 1, 100) == 0) {
		ret = __atomic_load_n(&self->wret, __ATOMIC_ACQUIRE);
		ASSERT_EQ(0, ret) TH_LOG("write() returned %zd, unstalled: %s",
					 ret, "no userfaultfd for kernel faults?");
		ASSERT_LT(now_ms(), deadline)
			TH_LOG("no fault from the write within %d s",
			       HANG_MS / 1000);
	}
	ASSERT_EQ(sizeof(msg), read(self->uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	ASSERT_EQ((uintptr_t)self->page,
		  msg.arg.pagefault.address & ~(__u64)(self->psz - 1));
}

/*
 * End the stall, then whatever is still blocked behind it: every lock the
 * module holds is free once the writer is done, so what is left should come
 * out at once.  Idempotent, EXPECT only: it runs from the teardown.
 */
static void resolve(struct __test_metadata *_metadata,
		    FIXTURE_DATA(stall) *self)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)self->page,
		.src = (uintptr_t)self->pattern,
		.len = self->psz,
	};
	long long deadline;
	struct timespec ts;
	int i, err;

	if (self->writer_started && !self->resolved) {
		self->resolved = true;
		EXPECT_EQ(0, ioctl(self->uffd, UFFDIO_COPY, &copy))
			TH_LOG("UFFDIO_COPY: %s", strerror(errno));
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += HANG_MS / 1000;
		err = pthread_timedjoin_np(self->writer, NULL, &ts);
		EXPECT_EQ(0, err) TH_LOG("the write is stuck after its fault was resolved");
		if (!err)
			EXPECT_EQ(LEN, self->wret)
				TH_LOG("the stalled write() returned %zd",
				       self->wret);
	}

	deadline = now_ms() + HANG_MS;
	for (i = 0; i < self->nr_kids; i++) {
		if (!self->kids[i])
			continue;
		kill(self->kids[i], SIGKILL);
		EXPECT_NE(HUNG, reap_by(self, self->kids[i], deadline))
			TH_LOG("a child is stuck after the stall was resolved");
	}
}

/* In a child, as a broken module may hang it. */
static const struct check remove_channels = {
	"remove the test's channels", remove_ours, NULL
};

FIXTURE_SETUP(stall)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	size_t i;

	self->fd1 = -1;
	self->fd2 = -1;
	self->ctl = open_control_or_skip(_metadata);
	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP(_exit(KIPC_SKIP_EXIT),
		     "userfaultfd: %s (needs CONFIG_USERFAULTFD=y, and root)",
		     strerror(errno));
	ASSERT_LE(0, self->uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));

	self->psz = sysconf(_SC_PAGESIZE);
	ASSERT_LE(LEN, self->psz);
	self->page = mmap(NULL, 2 * self->psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	self->pattern = self->page + self->psz;
	for (i = 0; i < self->psz; i++)
		self->pattern[i] = i * 7 + i / 251;
	reg.range.start = (uintptr_t)self->page;
	reg.range.len = self->psz;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg))
		TH_LOG("UFFDIO_REGISTER: %s", strerror(errno));

	umask(0);
	/* What a killed run left behind. */
	run_checks(_metadata, self, &remove_channels, 1);
}

FIXTURE_TEARDOWN(stall)
{
	resolve(_metadata, self);
	if (self->fd1 >= 0)
		close(self->fd1);
	if (self->fd2 >= 0)
		close(self->fd2);
	run_checks(_metadata, self, &remove_channels, 1);
	close(self->uffd);
	munmap(self->page, 2 * self->psz);
	close(self->ctl);
}

/* Nothing to see here: the stall ends as a fault does, the data intact. */
TEST_F_TIMEOUT(stall, resolved_write_delivers_data, TEST_TIMEOUT)
{
	static const struct check c = { "read back", read_back, NULL };

	stall_begin(_metadata, self);
	resolve(_metadata, self);
	ASSERT_EQ(LEN, self->wret);
	run_checks(_metadata, self, &c, 1);
}

/* (a) Monitoring a channel must not wait for its lock. */
TEST_F_TIMEOUT(stall, sysfs_counters_return, TEST_TIMEOUT)
{
	static const struct check c[] = {
		{ SYSFS_NODE "queued", read_attr, "queued" },
		{ SYSFS_NODE "high_water", read_attr, "high_water" },
		{ SYSFS_NODE "bytes_written", read_attr, "bytes_written" },
	};

	stall_begin(_metadata, self);
	run_checks(_metadata, self, c, ARRAY_SIZE(c));
}

/* (b) Nor its counters through an fd of its own. */
TEST_F_TIMEOUT(stall, fd_counters_return, TEST_TIMEOUT)
{
	static const struct check c[] = {
		{ "FIONREAD", fionread, NULL },
		{ "KIPC_IOC_CHAN_STATS", chan_stats, NULL },
		{ "/proc/self/fdinfo", proc_fdinfo, NULL },
	};

	stall_begin(_metadata, self);
	run_checks(_metadata, self, c, ARRAY_SIZE(c));
}

/* What takes the module-wide lock, and so waits for whoever holds it. */
static const struct check others[] = {
	{ "KIPC_IOC_STATS", module_stats, NULL },
	{ "create and remove " SCRATCH, create_remove, NULL },
	{ "open " OTHER, open_node, OTHER },
};

/*
 * (c) What takes the module-wide lock, with nothing in its way yet but the
 * stalled channel: on its own, that must never stop other channels.
 */
TEST_F_TIMEOUT(stall, other_channels_unaffected, TEST_TIMEOUT)
{
	stall_begin(_metadata, self);
	run_checks(_metadata, self, others, ARRAY_SIZE(others));
}

/*
 * (g) Opening the stalled channel's node may wait for its lock (the FIFO
 * rules need it), but killably.
 */
TEST_F_TIMEOUT(stall, open_stalled_node_killable, TEST_TIMEOUT)
{
	static const struct check c = { "open " NODE, open_node, NODE };

	stall_begin(_metadata, self);
	expect_killable(_metadata, self, &c, SYS_openat);
}

/* (f) So may a read or a write of it. */
TEST_F_TIMEOUT(stall, blocked_read_killable, TEST_TIMEOUT)
{
	static const struct check c = { "read", read_fd2, NULL };

	stall_begin(_metadata, self);
	expect_killable(_metadata, self, &c, SYS_read);
}

TEST_F_TIMEOUT(stall, blocked_write_killable, TEST_TIMEOUT)
{
	static const struct check c = { "write", write_fd2, NULL };

	stall_begin(_metadata, self);
	expect_killable(_metadata, self, &c, SYS_write);
}

struct reader {
	int fd;
	pid_t tid;
	ssize_t ret;
	int done;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	ssize_t n;
	char c;

	__atomic_store_n(&r->tid, syscall(SYS_gettid), __ATOMIC_RELEASE);
	n = read(r->fd, &c, 1);
	r->ret = n < 0 ? -errno : n;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void on_usr1(int sig)
{
}

/*
 * (f) And interruptibly: a signal without SA_RESTART ends a read that
 * waits for the lock with EINTR, as it ends one that waits for data.
 */
TEST_F_TIMEOUT(stall, blocked_read_eintr, TEST_TIMEOUT)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct reader r = { .fd = -1 };
	long long deadline;
	struct timespec ts;
	pthread_t t;
	int done;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	stall_begin(_metadata, self);
	r.fd = self->fd2;
	ASSERT_EQ(0, pthread_create(&t, NULL, reader_fn, &r));
	deadline = now_ms() + HANG_MS;
	while (!__atomic_load_n(&r.tid, __ATOMIC_ACQUIRE) &&
	       now_ms() < deadline)
		usleep(1000);
	if (!sleeps_in(getpid(), r.tid, SYS_read))
		TH_LOG("the reader was not seen asleep in read()");
	ASSERT_EQ(0, pthread_kill(t, SIGUSR1));

	deadline = now_ms() + HANG_MS;
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) &&
	       now_ms() < deadline)
		usleep(10000);
	done = __atomic_load_n(&r.done, __ATOMIC_ACQUIRE);
	EXPECT_TRUE(done) TH_LOG("read() still blocked %d s after SIGUSR1",
				 HANG_MS / 1000);
	if (done)
		EXPECT_EQ(-EINTR, r.ret);

	/* A read still blocked takes a byte of the resolved write, and ends. */
	resolve(_metadata, self);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += HANG_MS / 1000;
	EXPECT_EQ(0, pthread_timedjoin_np(t, NULL, &ts));
}

/*
 * (d) Removing the stalled channel unregisters its device, which waits for
 * the readers of its sysfs files.  One is made to try first: if it waits
 * for the stalled lock, so does the removal.
 */
TEST_F_TIMEOUT(stall, remove_stalled_channel_returns, TEST_TIMEOUT)
{
	static const struct check c = { "remove " NODE, remove_node, NODE };
	pid_t pid;

	stall_begin(_metadata, self);
	ASSERT_LT(0, pid = spawn(self, read_attr, "queued"));
	sleeps_in(pid, pid, SYS_read);
	run_checks(_metadata, self, &c, 1);
}

/*
 * (e) As (c), with the removal of (d) under way: it must not hold the
 * module-wide lock while it waits on the stalled channel, or every user's
 * channels wait with it.  Apart from (d) so that its failure shows alone.
 */
TEST_F_TIMEOUT(stall, other_channels_after_remove, TEST_TIMEOUT)
{
	pid_t pid;

	stall_begin(_metadata, self);
	ASSERT_LT(0, pid = spawn(self, read_attr, "queued"));
	sleeps_in(pid, pid, SYS_read);
	ASSERT_LT(0, pid = spawn(self, remove_node, NODE));
	sleeps_in(pid, pid, SYS_ioctl);
	run_checks(_metadata, self, others, ARRAY_SIZE(others));
}

TEST_HARNESS_MAIN
