// SPDX-License-Identifier: GPL-2.0
/*
 * The data path of a channel, held to the kernel's: read(2) and write(2)
 * with their vectored and RWF_NOWAIT forms, EOF, EAGAIN, PIPE_BUF
 * atomicity, SIGPIPE and EPIPE, wake-ups on the last close, and signals.
 *
 * Every test runs once per variant: a kernel pipe, a kernel FIFO, a kipc
 * pair and a kipc named channel, and the same two kipc kinds made mapped
 * (chan_backend.h), used through read() and write() alone.  The kernel
 * variants are the reference: a body that passes on them and fails on kipc
 * has found a kipc bug.  Where the two rightly differ, the body says so
 * and why.
 *
 * Two more variants map one side of a mapped pair in the test's process
 * (mapped_ring.h): kipc_mapped_prod owns the producer, kipc_mapped_cons
 * the consumer.  The test's own bytes then go through the ring (put(),
 * take(), fill()), while the other side, and every child (fork() does not
 * copy a ring mapping), stays on the kernel's read() or write(): a ring
 * producer must wake a sleeping read(), a ring consumer a sleeping
 * write(), and both must see the kernel's EOF and EPIPE.  A test about the
 * calls of the side the mapping owns (EBUSY there) skips, saying so;
 * kipc_mapped_test.c has the ring's own tests.
 *
 * All channels are 64 KiB: 16 page slots for the kernel, 65536 bytes for
 * kipc.  Where slot and byte accounting could disagree, a test is built so
 * that both give the same answer, and the comment shows the arithmetic.
 *
 * Blocking tests never measure time.  A child is "blocked" once /proc says
 * it sleeps interruptibly in the syscall (task_sleeps_in()); every child
 * carries an alarm() watchdog, so a hang kills it and fails the test rather
 * than stalling the run, and the harness's own alarm() bounds the rest.
 * Children report through their exit status, and values through a report
 * pipe; the parent asserts both.
 *
 * poll, epoll, fasync, the FIFO open rules, splice, O_DIRECT packets and
 * the capacity ioctls are tested in kipc_chan_api_test.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "chan_backend.h"
#include "mapped_ring.h"

/* Every channel gets exactly this: 16 slots of 4 KiB, or 65536 bytes. */
#define CAP		65536

/* A child that outlives this many seconds is hung: SIGALRM kills it. */
#define CHILD_WATCHDOG	25


#define MAX_KIDS	8

/* Readers that sleep on one channel at once. */
#define NR_READERS	4

static const char digits[] = "0123456789";

FIXTURE(io) {
	struct chan c;
	pid_t kids[MAX_KIDS];	/* forked and not yet reaped */
	int nr_kids;
	struct mring ring;	/* the side this process owns, if any */
	unsigned int owned;	/* KIPC_RING_READ, KIPC_RING_WRITE or 0 */
};

FIXTURE_VARIANT(io) {
	enum chan_kind kind;
	unsigned int map_role;	/* the side the test process maps */
};

FIXTURE_VARIANT_ADD(io, pipe) {
	.kind = CHAN_PIPE,
};

FIXTURE_VARIANT_ADD(io, fifo) {
	.kind = CHAN_FIFO,
};

FIXTURE_VARIANT_ADD(io, kipc_pair) {
	.kind = CHAN_KIPC_PAIR,
};

FIXTURE_VARIANT_ADD(io, kipc_named) {
	.kind = CHAN_KIPC_NAMED,
};

FIXTURE_VARIANT_ADD(io, kipc_mapped) {
	.kind = CHAN_KIPC_MAPPED,
};

FIXTURE_VARIANT_ADD(io, kipc_mapped_named) {
	.kind = CHAN_KIPC_MAPPED_NAMED,
};

FIXTURE_VARIANT_ADD(io, kipc_mapped_prod) {
	.kind = CHAN_KIPC_MAPPED,
	.map_role = KIPC_RING_WRITE,
};

FIXTURE_VARIANT_ADD(io, kipc_mapped_cons) {
	.kind = CHAN_KIPC_MAPPED,
	.map_role = KIPC_RING_READ,
};

FIXTURE_SETUP(io)
{
	long long cap;
	int err;

	/* Skips, or fails under KIPC_REQUIRE=1, without the module. */
	if (chan_kind_is_kipc(variant->kind))
		close(open_control_or_skip(_metadata));

	err = chan_init(&self->c, variant->kind);
	if (!err)
		err = chan_open(&self->c, O_CLOEXEC);
	if (err)
		chan_fini(&self->c);
	ASSERT_EQ(0, err) TH_LOG("channel setup: %s", strerror(-err));

	/* Set, not assumed: the module's default is a parameter. */
	cap = chan_set_capacity(&self->c, self->c.wfd, CAP);
	if (cap != CAP)
		chan_fini(&self->c);
	ASSERT_EQ(CAP, cap) TH_LOG("set capacity: %lld", cap);

	if (variant->map_role) {
		err = mring_map(&self->ring, variant->map_role ==
				KIPC_RING_WRITE ? self->c.wfd : self->c.rfd,
				variant->map_role);
		if (err)
			chan_fini(&self->c);
		ASSERT_EQ(0, err) TH_LOG("map the ring: %s", strerror(-err));
		self->owned = variant->map_role;
	}
}

FIXTURE_TEARDOWN(io)
{
	int i;

	for (i = 0; i < self->nr_kids; i++) {
		kill(self->kids[i], SIGKILL);
		waitpid(self->kids[i], NULL, 0);
	}
	if (self->owned)
		mring_unmap(&self->ring);
	chan_fini(&self->c);
}

#define WRITE_IS_RING	"the test owns the producer side: write() is EBUSY"
#define READ_IS_RING	"the test owns the consumer side: read() is EBUSY"

#define SKIP_IF_OWNS(self, role, why) do {				\
	if ((self)->owned == (role))					\
		SKIP(return, "%s", why);				\
} while (0)

static bool owns(FIXTURE_DATA(io) *self, unsigned int role)
{
	return self->owned == role;
}

static ssize_t ring_ret(ssize_t ret)
{
	if (ret >= 0)
		return ret;
	errno = -ret;
	return -1;
}

static bool fd_nonblocking(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

/*
 * The test's write: write(), or the owned producer side, with write()'s
 * rules: up to PIPE_BUF bytes all at once; a blocking write waits for all
 * of it, a nonblocking one takes what fits, or is EAGAIN.
 */
static ssize_t put(FIXTURE_DATA(io) *self, const void *buf, size_t n)
{
	unsigned int whole = n <= PIPE_BUF ? MRING_WHOLE : 0;

	if (!owns(self, KIPC_RING_WRITE))
		return write(self->c.wfd, buf, n);
	if (fd_nonblocking(self->c.wfd))
		return ring_ret(mring_write(&self->ring, buf, n,
					    whole | MRING_NONBLOCK));
	if (whole)
		return ring_ret(mring_write(&self->ring, buf, n, whole));
	return ring_ret(mring_write_all(&self->ring, buf, n));
}

/* The test's read: read(), or the owned consumer side, with read()'s rules. */
static ssize_t take(FIXTURE_DATA(io) *self, void *buf, size_t n)
{
	if (!owns(self, KIPC_RING_READ))
		return read(self->c.rfd, buf, n);
	return ring_ret(mring_read(&self->ring, buf, n,
				   fd_nonblocking(self->c.rfd) ?
				   MRING_NONBLOCK : 0));
}

/* Exactly @n bytes through take(), or false. */
static bool take_full(FIXTURE_DATA(io) *self, void *buf, size_t n)
{
	char *p = buf;
	ssize_t r;

	while (n) {
		r = take(self, p, n);
		if (r <= 0)
			return false;
		p += r;
		n -= r;
	}
	return true;
}

/* chan_fill(), through the ring where the test owns the producer. */
static long long fill(FIXTURE_DATA(io) *self)
{
	static char junk[CAP];
	long long total = 0;
	ssize_t n;

	if (!owns(self, KIPC_RING_WRITE))
		return chan_fill(self->c.wfd);
	memset(junk, 'F', sizeof(junk));
	while ((n = mring_write(&self->ring, junk, sizeof(junk),
				MRING_NONBLOCK)) > 0)
		total += n;
	return n == -EAGAIN ? total : n;
}

/*
 * Close the test's write or read end.  A ring mapping holds its file as an
 * fd does, so the owned side goes first: only then is the end gone.
 */
static int close_writer(FIXTURE_DATA(io) *self)
{
	if (owns(self, KIPC_RING_WRITE)) {
		mring_unmap(&self->ring);
		self->owned = 0;
	}
	return close_fd(&self->c.wfd);
}

static int close_reader(FIXTURE_DATA(io) *self)
{
	if (owns(self, KIPC_RING_READ)) {
		mring_unmap(&self->ring);
		self->owned = 0;
	}
	return close_fd(&self->c.rfd);
}

/*
 * Children: forked with a watchdog and a parent-death signal, checked with
 * CHILD_CHECK() (never ASSERT_*(), which would unwind into the harness),
 * and always left with _exit().
 */
static pid_t spawn(FIXTURE_DATA(io) *self, unsigned int watchdog)
{
	pid_t pid;

	if (self->nr_kids == MAX_KIDS) {
		errno = EAGAIN;
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(watchdog);
	} else if (pid > 0) {
		self->kids[self->nr_kids++] = pid;
	}
	return pid;
}

/* Wait for @pid: its wait status, or -1. */
static int reap(FIXTURE_DATA(io) *self, pid_t pid)
{
	int status, i;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	for (i = 0; i < self->nr_kids; i++) {
		if (self->kids[i] == pid) {
			self->kids[i] = self->kids[--self->nr_kids];
			break;
		}
	}
	return status;
}

#define ASSERT_CHILD_OK(self, pid) do {					\
	pid_t __pid = (pid);						\
	int __st = reap(self, __pid);					\
	ASSERT_TRUE(__st != -1 && WIFEXITED(__st) && !WEXITSTATUS(__st))\
		TH_LOG("child %d: %s %d", (int)__pid,			\
		       __st == -1 ? "waitpid failed" :			\
		       WIFSIGNALED(__st) ? "killed by signal" :		\
		       "exited with", WIFSIGNALED(__st) ?		\
		       WTERMSIG(__st) : WEXITSTATUS(__st));		\
} while (0)

static void __attribute__((noreturn)) child_fail(int line, const char *what)
{
	int err = errno;

	fprintf(stderr, "# %s:%d: child %d: check failed: %s (errno %d: %s)\n",
		__FILE__, line, (int)getpid(), what, err, strerror(err));
	_exit(1);
}

#define CHILD_CHECK(cond) do {						\
	if (!(cond))							\
		child_fail(__LINE__, #cond);				\
} while (0)

/* What a child hands back through a report pipe. */
struct report {
	ssize_t ret;
	int err;
	int sigs;
};

static void child_report(int fd, ssize_t ret, int err, int sigs)
{
	struct report r = { .ret = ret, .err = err, .sigs = sigs };

	CHILD_CHECK(write(fd, &r, sizeof(r)) == sizeof(r));
}

/* Wait until *@p reaches @val (set by a child's signal handler). */
static bool wait_for_count(int *p, int val)
{
	int i;

	for (i = 0; i < SLEEP_POLLS; i++) {
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) >= val)
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * Signal bookkeeping.  The handler counts, and notes the thread it ran in;
 * shared_sigs, if set, is a MAP_SHARED counter that a parent can watch.
 */
static volatile sig_atomic_t sig_count;
static volatile pid_t sig_tid;
static int *shared_sigs;

static void on_signal(int sig)
{
	sig_count++;
	sig_tid = gettid();
	if (shared_sigs)
		__atomic_fetch_add(shared_sigs, 1, __ATOMIC_RELEASE);
}

static int catch_signal(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sig_count = 0;
	sig_tid = 0;
	return sigaction(sig, &sa, NULL);
}

static int *map_shared_counter(void)
{
	void *p = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* Read exactly @n bytes (blocking), or fail: for reports and drains. */
static bool read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	ssize_t r;

	while (n) {
		r = read(fd, p, n);
		if (r <= 0)
			return false;
		p += r;
		n -= r;
	}
	return true;
}

/* Zero-length read and write return 0 at once, consuming nothing. */
TEST_F(io, zero_length_io)
{
	char buf[16];

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);
	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	/* Empty, a writer present, blocking fd: read(0) must not sleep. */
	EXPECT_EQ(0, read(self->c.rfd, buf, 0));
	EXPECT_EQ(0, write(self->c.wfd, buf, 0));
	EXPECT_EQ(0, fd_queued(self->c.rfd));

	ASSERT_EQ(5, write(self->c.wfd, digits, 5));
	EXPECT_EQ(0, read(self->c.rfd, buf, 0));
	EXPECT_EQ(0, write(self->c.wfd, buf, 0));
	EXPECT_EQ(5, fd_queued(self->c.rfd));
	ASSERT_EQ(5, read(self->c.rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, digits, 5));

	/* Full, blocking fd: write(0) must not sleep either. */
	ASSERT_EQ(CAP, chan_fill(self->c.wfd));
	EXPECT_EQ(0, write(self->c.wfd, buf, 0));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));

	/* At EOF too. */
	ASSERT_EQ(0, close_fd(&self->c.wfd));
	EXPECT_EQ(0, read(self->c.rfd, buf, 0));
}

/*
 * write(0) checks nothing, not even for readers: 0 and no SIGPIPE.  A
 * one-byte write after it shows that the readers really are gone.
 */
TEST_F(io, write_zero_no_readers_no_sigpipe)
{
	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(0, catch_signal(SIGPIPE, 0));
	ASSERT_EQ(0, close_reader(self));

	EXPECT_EQ(0, write(self->c.wfd, digits, 0));
	EXPECT_EQ(0, sig_count);

	errno = 0;
	EXPECT_EQ(-1, write(self->c.wfd, digits, 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sig_count);
}

/* A read returns what is there; it never waits to fill its buffer. */
TEST_F(io, read_returns_what_is_queued)
{
	static char big[CAP], out[CAP];

	ASSERT_EQ(10, put(self, digits, 10));
	EXPECT_EQ(10, take(self, out, 100));
	EXPECT_EQ(0, memcmp(out, digits, 10));

	/* Several writes, one read: all of it, in order. */
	memset(big, 'b', sizeof(big));
	ASSERT_EQ(3, put(self, "abc", 3));
	ASSERT_EQ(4096, put(self, big, 4096));
	ASSERT_EQ(5, put(self, digits, 5));
	ASSERT_EQ(4104, take(self, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, "abc", 3));
	EXPECT_EQ(0, memcmp(out + 3, big, 4096));
	EXPECT_EQ(0, memcmp(out + 4099, digits, 5));
	EXPECT_EQ(0, fd_queued(self->c.rfd));
}

/* A reader asleep on an empty channel returns with the first bytes. */
TEST_F(io, blocked_read_wakes_on_data)
{
	char buf[100];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(read(self->c.rfd, buf, sizeof(buf)) == 10);
		CHILD_CHECK(!memcmp(buf, digits, 10));
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_read));
	ASSERT_EQ(10, put(self, digits, 10));
	ASSERT_CHILD_OK(self, pid);
	EXPECT_EQ(0, fd_queued(self->c.rfd));
}

/*
 * A blocking write of PIPE_BUF bytes on a full channel sleeps until there
 * is room for all of it, and writes nothing before: reading 1 byte frees
 * no slot of a pipe and 1 byte of kipc, both too little.  4095 more free
 * the first slot, or 4096 bytes, and let it through.
 */
TEST_F(io, blocked_write_waits_for_room)
{
	char buf[PIPE_BUF];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(CAP, fill(self));

	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		memset(buf, 'w', sizeof(buf));
		CHILD_CHECK(write(self->c.wfd, buf, sizeof(buf)) == sizeof(buf));
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));

	ASSERT_EQ(1, take(self, buf, 1));
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	EXPECT_EQ(CAP - 1, fd_queued(self->c.rfd));

	ASSERT_EQ(4095, take(self, buf, 4095));
	ASSERT_CHILD_OK(self, pid);
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

/* LTP pipe04: a writer asleep on a full channel still dies of SIGKILL. */
TEST_F(io, blocked_writer_killable)
{
	char buf[PIPE_BUF] = { 0 };
	pid_t pid;
	int st;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(CAP, fill(self));
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(write(self->c.wfd, buf, sizeof(buf)) == sizeof(buf));
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = reap(self, pid);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("child status %#x", st);
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

/*
 * LTP pipe11: readers asleep on an empty channel share one write.  The
 * write wakes one of them (readers sleep exclusively); each that reads and
 * leaves data behind must wake the next, or the rest sleep forever.  Every
 * reader takes one whole 1 KiB quarter, each quarter a different letter.
 */
#define SHARE_CHUNK	(PIPE_BUF / NR_READERS)

TEST_F(io, blocked_readers_share_data)
{
	char data[PIPE_BUF], chunk[SHARE_CHUNK], seen[NR_READERS] = { 0 };
	pid_t pids[NR_READERS];
	struct report r;
	int rep[2], i;

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	for (i = 0; i < PIPE_BUF; i++)
		data[i] = 'A' + i / SHARE_CHUNK;
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	for (i = 0; i < NR_READERS; i++) {
		pids[i] = spawn(self, CHILD_WATCHDOG);
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			ssize_t n;

			close(self->c.wfd);
			n = read(self->c.rfd, chunk, sizeof(chunk));
			CHILD_CHECK(n == sizeof(chunk));
			CHILD_CHECK(chunk[0] >= 'A' &&
				    chunk[0] < 'A' + NR_READERS);
			CHILD_CHECK(!memcmp(chunk, data + (chunk[0] - 'A') *
					    SHARE_CHUNK, sizeof(chunk)));
			child_report(rep[1], n, chunk[0], 0);
			_exit(0);
		}
	}
	close(rep[1]);
	for (i = 0; i < NR_READERS; i++)
		ASSERT_TRUE(task_sleeps_in(pids[i], SYS_read));

	ASSERT_EQ(PIPE_BUF, put(self, data, PIPE_BUF));
	for (i = 0; i < NR_READERS; i++) {
		ASSERT_TRUE(read_full(rep[0], &r, sizeof(r)));
		EXPECT_EQ(SHARE_CHUNK, r.ret);
		ASSERT_TRUE(r.err >= 'A' && r.err < 'A' + NR_READERS);
		EXPECT_EQ(0, seen[r.err - 'A']) TH_LOG("quarter %c twice", r.err);
		seen[r.err - 'A'] = 1;
	}
	for (i = 0; i < NR_READERS; i++)
		ASSERT_CHILD_OK(self, pids[i]);
	EXPECT_EQ(0, fd_queued(self->c.rfd));
	close(rep[0]);
}

/* Empty and no writer: 0 (EOF), and O_NONBLOCK does not turn it into EAGAIN. */
TEST_F(io, eof_before_eagain)
{
	char buf[16];

	ASSERT_EQ(0, close_writer(self));
	EXPECT_EQ(0, take(self, buf, sizeof(buf)));

	ASSERT_EQ(0, fd_change_flags(self->c.rfd, O_NONBLOCK, 0));
	EXPECT_EQ(0, take(self, buf, sizeof(buf)));
	EXPECT_EQ(0, take(self, buf, sizeof(buf)));
}

/* The last writer gone, what was queued is still read, then EOF. */
TEST_F(io, data_then_eof)
{
	char buf[100];

	ASSERT_EQ(10, put(self, digits, 10));
	ASSERT_EQ(0, close_writer(self));

	EXPECT_EQ(4, take(self, buf, 4));
	EXPECT_EQ(6, take(self, buf + 4, sizeof(buf) - 4));
	EXPECT_EQ(0, memcmp(buf, digits, 10));
	EXPECT_EQ(0, take(self, buf, sizeof(buf)));

	ASSERT_EQ(0, fd_change_flags(self->c.rfd, O_NONBLOCK, 0));
	EXPECT_EQ(0, take(self, buf, sizeof(buf)));
}

/* LTP read03: an empty channel with a writer is EAGAIN under O_NONBLOCK. */
TEST_F(io, read_nonblock_eagain)
{
	char buf[16];

	ASSERT_EQ(0, fd_change_flags(self->c.rfd, O_NONBLOCK, 0));
	errno = 0;
	EXPECT_EQ(-1, take(self, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(3, put(self, digits, 3));
	EXPECT_EQ(3, take(self, buf, sizeof(buf)));

	errno = 0;
	EXPECT_EQ(-1, take(self, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/* LTP write04, pipe12: a full channel is EAGAIN for writes of any size. */
TEST_F(io, write_nonblock_full_eagain)
{
	static char buf[2 * CAP];
	size_t sizes[] = { 1, PIPE_BUF - 1, PIPE_BUF, PIPE_BUF + 1, 2 * CAP };
	size_t i;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(CAP, fill(self));
	ASSERT_EQ(0, fd_change_flags(self->c.wfd, O_NONBLOCK, 0));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		errno = 0;
		EXPECT_EQ(-1, write(self->c.wfd, buf, sizes[i]))
			TH_LOG("write of %zu bytes", sizes[i]);
		EXPECT_EQ(EAGAIN, errno);
	}
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

/*
 * PIPE_BUF atomicity under O_NONBLOCK: a write of at most PIPE_BUF bytes
 * goes in whole or not at all.  Full, then 100 bytes drained: a pipe has
 * no free slot (the head slot is still in use) and kipc has 100 bytes of
 * room, so a 4096-byte write (or a 101-byte one) is EAGAIN on both, with
 * nothing written.
 */
TEST_F(io, write_nonblock_atomic_eagain)
{
	char buf[PIPE_BUF];

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	memset(buf, 'a', sizeof(buf));
	ASSERT_EQ(CAP, fill(self));
	ASSERT_EQ(100, take(self, buf, 100));
	ASSERT_EQ(0, fd_change_flags(self->c.wfd, O_NONBLOCK, 0));

	errno = 0;
	EXPECT_EQ(-1, write(self->c.wfd, buf, PIPE_BUF));
	EXPECT_EQ(EAGAIN, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->c.wfd, buf, 101));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(CAP - 100, fd_queued(self->c.rfd));

	/* Once a slot (or 4096 bytes) is free, the same write goes in. */
	ASSERT_EQ(4096 - 100, take(self, buf, 4096 - 100));
	EXPECT_EQ(PIPE_BUF, write(self->c.wfd, buf, PIPE_BUF));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

/*
 * A nonblocking write of more than PIPE_BUF bytes takes what room there is
 * and returns that count.  Draining two whole slots (8192 bytes) leaves the
 * same room in bytes as in slots, so pipe and kipc agree exactly.
 */
TEST_F(io, write_nonblock_partial)
{
	static char buf[CAP + PIPE_BUF], out[CAP];

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	memset(buf, 'p', sizeof(buf));
	ASSERT_EQ(0, fd_change_flags(self->c.wfd, O_NONBLOCK, 0));

	/* Empty: as much as fits. */
	EXPECT_EQ(CAP, write(self->c.wfd, buf, CAP + PIPE_BUF));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));

	ASSERT_EQ(8192, take(self, out, 8192));
	EXPECT_EQ(8192, write(self->c.wfd, buf, CAP));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));

	ASSERT_TRUE(take_full(self, out, CAP));
	EXPECT_EQ(0, memcmp(out, buf, CAP));
}

/*
 * PIPE_BUF atomicity with concurrent writers (LTP pipeio with 4090-byte
 * writes, here at the PIPE_BUF edge): REC_WRITERS processes each write
 * REC_COUNT records of PIPE_BUF bytes, every byte a function of (writer,
 * seq); the reader reads in odd-sized chunks and demands whole records, in
 * per-writer order.  A record split by another writer's bytes cannot match.
 */
#define REC_SIZE	PIPE_BUF
#define REC_WRITERS	4
#define REC_COUNT	512
#define REC_MAGIC	0x6b697063	/* "kipc" */
#define REC_READ	5000		/* no multiple of the record size */
#define REC_WATCHDOG	110

static void rec_make(unsigned char *rec, uint32_t writer, uint32_t seq)
{
	uint32_t hdr[3] = { REC_MAGIC, writer, seq };
	size_t i;

	for (i = 0; i < REC_SIZE; i++)
		rec[i] = writer * 67 + seq * 13 + i * 7 + (i >> 8);
	memcpy(rec, hdr, sizeof(hdr));
	memcpy(rec + REC_SIZE - sizeof(hdr), hdr, sizeof(hdr));
}

static void __attribute__((noreturn)) rec_writer(int wfd, uint32_t writer,
						 bool nonblock)
{
	unsigned char rec[REC_SIZE];
	struct pollfd pfd = { .fd = wfd, .events = POLLOUT };
	uint32_t seq;
	ssize_t n;

	for (seq = 0; seq < REC_COUNT; seq++) {
		rec_make(rec, writer, seq);
		for (;;) {
			n = write(wfd, rec, REC_SIZE);
			if (n == REC_SIZE)
				break;
			/* Never a partial count: all of it, or EAGAIN. */
			CHILD_CHECK(nonblock && n == -1 && errno == EAGAIN);
			CHILD_CHECK(poll(&pfd, 1, -1) == 1);
		}
	}
	_exit(0);
}

static void rec_run(struct __test_metadata *_metadata, FIXTURE_DATA(io) *self,
		    bool nonblock)
{
	static unsigned char stream[REC_SIZE + REC_READ];
	unsigned char want[REC_SIZE];
	uint32_t next[REC_WRITERS] = { 0 };
	pid_t pids[REC_WRITERS];
	uint32_t hdr[3], w;
	size_t len = 0;
	ssize_t n;

	/*
	 * Shift kipc's ring by 100 bytes so that records straddle its
	 * wrap-around; on a pipe the emptied slot is simply freed.
	 */
	ASSERT_EQ(100, write(self->c.wfd, stream, 100));
	ASSERT_EQ(100, take(self, stream, 100));
	if (nonblock)
		ASSERT_EQ(0, fd_change_flags(self->c.wfd, O_NONBLOCK, 0));

	for (w = 0; w < REC_WRITERS; w++) {
		pids[w] = spawn(self, REC_WATCHDOG);
		ASSERT_LE(0, pids[w]);
		if (!pids[w]) {
			close(self->c.rfd);
			rec_writer(self->c.wfd, w, nonblock);
		}
	}
	/* EOF once the writers are done. */
	ASSERT_EQ(0, close_fd(&self->c.wfd));

	for (;;) {
		n = take(self, stream + len, REC_READ);
		ASSERT_LE(0, n) TH_LOG("read: %s", strerror(errno));
		if (!n)
			break;
		len += n;
		while (len >= REC_SIZE) {
			memcpy(hdr, stream, sizeof(hdr));
			ASSERT_EQ(REC_MAGIC, hdr[0])
				TH_LOG("not a record start: PIPE_BUF write split");
			w = hdr[1];
			ASSERT_GT(REC_WRITERS, w);
			ASSERT_EQ(next[w], hdr[2]) TH_LOG("writer %u", w);
			rec_make(want, w, hdr[2]);
			ASSERT_EQ(0, memcmp(stream, want, REC_SIZE))
				TH_LOG("record %u of writer %u interleaved",
				       hdr[2], w);
			next[w]++;
			len -= REC_SIZE;
			memmove(stream, stream + REC_SIZE, len);
		}
	}
	EXPECT_EQ(0, len);
	for (w = 0; w < REC_WRITERS; w++) {
		EXPECT_EQ(REC_COUNT, next[w]) TH_LOG("writer %u", w);
		ASSERT_CHILD_OK(self, pids[w]);
	}
}

TEST_F_TIMEOUT(io, pipe_buf_atomic_blocking, 120)
{
	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);
	rec_run(_metadata, self, false);
}

TEST_F_TIMEOUT(io, pipe_buf_atomic_nonblock, 120)
{
	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);
	rec_run(_metadata, self, true);
}

/*
 * 256 MiB from a child to the parent, compared byte for byte: blocking
 * writes of odd sizes far above the capacity, 1 MiB reads.  Each 1 MiB
 * block is an xorshift stream seeded by its index, so a lost, repeated or
 * misplaced block cannot compare equal.  The guest is emulated (about
 * 0.1 GB/s), hence the time limit.
 */
#define BULK_BLOCK	(1 << 20)
#define BULK_BLOCKS	256
#define BULK_WATCHDOG	580

static void bulk_block(uint64_t k, uint64_t *w)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * (k + 1);
	size_t i;

	for (i = 0; i < BULK_BLOCK / sizeof(*w); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

TEST_F_TIMEOUT(io, bulk_256m_checksum, 600)
{
	uint64_t *got, *want;
	size_t off, split;
	uint64_t k;
	pid_t pid;
	ssize_t n;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	got = malloc(BULK_BLOCK);
	want = malloc(BULK_BLOCK);
	ASSERT_TRUE(got && want);

	pid = spawn(self, BULK_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p = (char *)want;

		close(self->c.rfd);
		for (k = 0; k < BULK_BLOCKS; k++) {
			bulk_block(k, want);
			/* Two writes per block, split at a varying place. */
			split = 1 + (k * 7919 * 2) % (BULK_BLOCK - 1);
			CHILD_CHECK(write(self->c.wfd, p, split) == split);
			CHILD_CHECK(write(self->c.wfd, p + split,
					  BULK_BLOCK - split) ==
				    BULK_BLOCK - split);
		}
		_exit(0);
	}
	ASSERT_EQ(0, close_fd(&self->c.wfd));

	for (k = 0; k < BULK_BLOCKS; k++) {
		for (off = 0; off < BULK_BLOCK; off += n) {
			n = take(self, (char *)got + off,
				 BULK_BLOCK - off);
			ASSERT_LT(0, n) TH_LOG("block %llu at %zu: %zd (%s)",
					       (unsigned long long)k, off, n,
					       n ? strerror(errno) : "EOF");
		}
		bulk_block(k, want);
		ASSERT_EQ(0, memcmp(got, want, BULK_BLOCK))
			TH_LOG("block %llu differs", (unsigned long long)k);
	}
	EXPECT_EQ(0, take(self, got, BULK_BLOCK));
	ASSERT_CHILD_OK(self, pid);
	free(got);
	free(want);
}

/* LTP pipe14's blocking twin: the last writer's close wakes a reader with 0. */
TEST_F(io, last_writer_close_wakes_reader)
{
	char buf[16];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->c.wfd);
		CHILD_CHECK(read(self->c.rfd, buf, sizeof(buf)) == 0);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_read));
	ASSERT_EQ(0, close_writer(self));
	ASSERT_CHILD_OK(self, pid);
}

/*
 * LTP pipe13: readers sleep exclusively, so the last writer's close must
 * wake all of them, not one (commit 6551d5c56eb0).
 */

TEST_F(io, last_writer_close_wakes_all_readers)
{
	pid_t pids[NR_READERS];
	char buf[16];
	int i;

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	for (i = 0; i < NR_READERS; i++) {
		pids[i] = spawn(self, CHILD_WATCHDOG);
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(self->c.wfd);
			CHILD_CHECK(read(self->c.rfd, buf, sizeof(buf)) == 0);
			_exit(0);
		}
	}
	for (i = 0; i < NR_READERS; i++)
		ASSERT_TRUE(task_sleeps_in(pids[i], SYS_read));
	ASSERT_EQ(0, close_writer(self));
	for (i = 0; i < NR_READERS; i++)
		ASSERT_CHILD_OK(self, pids[i]);
}

/*
 * A writer asleep on a full channel is woken by the last reader's close:
 * nothing of its PIPE_BUF write went in, so EPIPE, with SIGPIPE.
 */
TEST_F(io, last_reader_close_wakes_writer)
{
	char buf[PIPE_BUF] = { 0 };
	struct report r;
	int rep[2];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(CAP, fill(self));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));

	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		ssize_t ret;

		close(self->c.rfd);
		CHILD_CHECK(!catch_signal(SIGPIPE, 0));
		ret = write(self->c.wfd, buf, sizeof(buf));
		child_report(rep[1], ret, errno, sig_count);
		_exit(0);
	}
	close(rep[1]);
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	ASSERT_EQ(0, close_reader(self));

	ASSERT_TRUE(read_full(rep[0], &r, sizeof(r)));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPIPE, r.err);
	EXPECT_EQ(1, r.sigs);
	ASSERT_CHILD_OK(self, pid);
	close(rep[0]);
}

struct thread_write {
	int fd;
	pthread_barrier_t go;
	ssize_t ret;
	int err;
	pid_t tid;
	int sigs_on_return;
};

static void *thread_write_fn(void *arg)
{
	struct thread_write *t = arg;

	t->tid = gettid();
	pthread_barrier_wait(&t->go);
	t->ret = write(t->fd, "x", 1);
	t->err = errno;
	/* Thread-directed: handled on the way out of this very write(). */
	t->sigs_on_return = sig_count;
	return NULL;
}

/*
 * LTP pipe08 and more: SIGPIPE goes to the thread that wrote, not to the
 * process.  The main thread leaves SIGPIPE unblocked, so a process-directed
 * signal would be handled there: complete_signal() offers it to the group
 * leader first.  The barrier holds the write back until pthread_create()
 * has returned, because glibc blocks every signal in the creating thread
 * until then, which would steer even a process-directed signal to the
 * writer and hide the bug.
 */
TEST_F(io, sigpipe_to_writing_thread)
{
	struct thread_write t = { .fd = self->c.wfd };
	pthread_t th;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(0, catch_signal(SIGPIPE, 0));
	ASSERT_EQ(0, close_reader(self));
	ASSERT_EQ(0, pthread_barrier_init(&t.go, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_write_fn, &t));
	pthread_barrier_wait(&t.go);
	ASSERT_EQ(0, pthread_join(th, NULL));
	pthread_barrier_destroy(&t.go);

	EXPECT_EQ(-1, t.ret);
	EXPECT_EQ(EPIPE, t.err);
	EXPECT_EQ(1, sig_count);
	EXPECT_EQ(1, t.sigs_on_return);
	EXPECT_NE(gettid(), t.tid);
	EXPECT_EQ(t.tid, sig_tid);
}

/* LTP pipe02: with SIGPIPE at its default, the writer dies of it. */
TEST_F(io, sigpipe_default_kills_writer)
{
	pid_t pid;
	int st;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(0, close_reader(self));
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
		write(self->c.wfd, digits, 1);
		_exit(0);
	}
	st = reap(self, pid);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE)
		TH_LOG("child status %#x", st);
}

/* SIGPIPE ignored: EPIPE, and nothing left pending. */
TEST_F(io, sigpipe_ignored_epipe)
{
	static char buf[2 * CAP];
	sigset_t pending;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	ASSERT_EQ(0, close_reader(self));

	errno = 0;
	EXPECT_EQ(-1, write(self->c.wfd, buf, 1));
	EXPECT_EQ(EPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->c.wfd, buf, sizeof(buf)));
	EXPECT_EQ(EPIPE, errno);

	ASSERT_EQ(0, sigpending(&pending));
	EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

/* Is @sig set in the "@field:" mask of /proc/thread-self/status? */
static int status_has_signal(const char *field, int sig)
{
	char line[256];
	size_t len = strlen(field);
	unsigned long long mask;
	int ret = -1;
	FILE *f;

	f = fopen("/proc/thread-self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':' &&
		    sscanf(line + len + 1, "%llx", &mask) == 1) {
			ret = !!(mask & (1ULL << (sig - 1)));
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * SIGPIPE blocked: EPIPE, and the signal waits on the writing thread's own
 * pending set (SigPnd), not the process's (ShdPnd).
 */
TEST_F(io, sigpipe_blocked_pending_on_thread)
{
	struct timespec zero = { 0 };
	sigset_t set;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, close_reader(self));

	errno = 0;
	EXPECT_EQ(-1, write(self->c.wfd, digits, 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, status_has_signal("SigPnd", SIGPIPE));
	EXPECT_EQ(0, status_has_signal("ShdPnd", SIGPIPE));
	EXPECT_EQ(SIGPIPE, sigtimedwait(&set, NULL, &zero));
}

/*
 * Readers vanish in the middle of a large blocking write: the write
 * returns what it wrote, and SIGPIPE is still sent.  The parent reads
 * 32 KiB (8 whole slots) once the channel is full, waits for the writer to
 * fill it again, and closes: the count must be exactly what was read plus
 * what is queued.
 */
TEST_F(io, write_partial_then_sigpipe)
{
	static char buf[4 * CAP], out[CAP / 2];
	struct report r;
	ssize_t queued;
	int rep[2];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		ssize_t ret;

		close(self->c.rfd);
		CHILD_CHECK(!catch_signal(SIGPIPE, 0));
		ret = write(self->c.wfd, buf, sizeof(buf));
		child_report(rep[1], ret, errno, sig_count);
		_exit(0);
	}
	close(rep[1]);

	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	ASSERT_EQ(CAP, fd_queued(self->c.rfd));
	ASSERT_EQ(sizeof(out), take(self, out, sizeof(out)));
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	queued = fd_queued(self->c.rfd);
	EXPECT_EQ(CAP, queued);
	ASSERT_EQ(0, close_reader(self));

	ASSERT_TRUE(read_full(rep[0], &r, sizeof(r)));
	EXPECT_EQ(sizeof(out) + queued, r.ret);
	EXPECT_EQ(1, r.sigs);
	ASSERT_CHILD_OK(self, pid);
	close(rep[0]);
}

/*
 * Signals before any progress.  Without SA_RESTART a sleeping read or
 * write fails with EINTR; with it, the syscall restarts and completes.
 */
TEST_F(io, read_eintr)
{
	char buf[16];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!catch_signal(SIGUSR1, 0));
		errno = 0;
		CHILD_CHECK(read(self->c.rfd, buf, sizeof(buf)) == -1);
		CHILD_CHECK(errno == EINTR);
		CHILD_CHECK(sig_count == 1);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_read));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_CHILD_OK(self, pid);
}

/* The restarted read gets data written only after the signal. */
TEST_F(io, read_sa_restart)
{
	int *sigs = map_shared_counter();
	char buf[100];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	ASSERT_NE(NULL, sigs);
	shared_sigs = sigs;
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!catch_signal(SIGUSR1, SA_RESTART));
		CHILD_CHECK(read(self->c.rfd, buf, sizeof(buf)) == 10);
		CHILD_CHECK(!memcmp(buf, digits, 10));
		CHILD_CHECK(sig_count == 1);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_read));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(wait_for_count(sigs, 1));
	/* The handler has run: this is the restarted read, asleep again. */
	ASSERT_TRUE(task_sleeps_in(pid, SYS_read));
	ASSERT_EQ(10, put(self, digits, 10));
	ASSERT_CHILD_OK(self, pid);
}

/*
 * A blocked write, of PIPE_BUF bytes and then of several times the
 * capacity, on a full channel: EINTR, and not a byte written.
 */
TEST_F(io, write_eintr)
{
	int *sigs = map_shared_counter();
	static char buf[4 * CAP];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_NE(NULL, sigs);
	shared_sigs = sigs;
	ASSERT_EQ(CAP, fill(self));
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!catch_signal(SIGUSR1, 0));
		errno = 0;
		CHILD_CHECK(write(self->c.wfd, buf, PIPE_BUF) == -1);
		CHILD_CHECK(errno == EINTR);
		errno = 0;
		CHILD_CHECK(write(self->c.wfd, buf, sizeof(buf)) == -1);
		CHILD_CHECK(errno == EINTR);
		CHILD_CHECK(sig_count == 2);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(wait_for_count(sigs, 1));
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_CHILD_OK(self, pid);
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

/* The restarted write completes once the reader makes room. */
TEST_F(io, write_sa_restart)
{
	int *sigs = map_shared_counter();
	char buf[PIPE_BUF];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_NE(NULL, sigs);
	shared_sigs = sigs;
	ASSERT_EQ(CAP, fill(self));
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		memset(buf, 'r', sizeof(buf));
		CHILD_CHECK(!catch_signal(SIGUSR1, SA_RESTART));
		CHILD_CHECK(write(self->c.wfd, buf, sizeof(buf)) == sizeof(buf));
		CHILD_CHECK(sig_count == 1);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(wait_for_count(sigs, 1));
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));

	ASSERT_EQ(PIPE_BUF, take(self, buf, PIPE_BUF));
	ASSERT_CHILD_OK(self, pid);
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

/*
 * A signal after partial progress of a large blocking write: the partial
 * count, not EINTR (and no restart, which would write the buffer twice).
 */
TEST_F(io, write_partial_on_signal)
{
	static char buf[4 * CAP];
	struct report r;
	ssize_t queued;
	int rep[2];
	pid_t pid;

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	pid = spawn(self, CHILD_WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		ssize_t ret;

		CHILD_CHECK(!catch_signal(SIGUSR1, 0));
		ret = write(self->c.wfd, buf, sizeof(buf));
		child_report(rep[1], ret, errno, sig_count);
		_exit(0);
	}
	close(rep[1]);
	ASSERT_TRUE(task_sleeps_in(pid, SYS_write));
	queued = fd_queued(self->c.rfd);
	EXPECT_EQ(CAP, queued);
	ASSERT_EQ(0, kill(pid, SIGUSR1));

	ASSERT_TRUE(read_full(rep[0], &r, sizeof(r)));
	EXPECT_EQ(queued, r.ret) TH_LOG("errno %d", r.err);
	EXPECT_EQ(1, r.sigs);
	ASSERT_CHILD_OK(self, pid);
	EXPECT_EQ(queued, fd_queued(self->c.rfd));
	close(rep[0]);
}

/* Scatter and gather: empty iovecs count for nothing, order is kept. */
TEST_F(io, readv_writev)
{
	static char a[1], b[4095], c[3000], out[8000];
	struct iovec wv[] = {
		{ .iov_base = a, .iov_len = sizeof(a) },
		{ .iov_base = NULL, .iov_len = 0 },
		{ .iov_base = b, .iov_len = sizeof(b) },
		{ .iov_base = c, .iov_len = sizeof(c) },
	};
	struct iovec rv[] = {
		{ .iov_base = out, .iov_len = 2000 },
		{ .iov_base = NULL, .iov_len = 0 },
		{ .iov_base = out + 2000, .iov_len = sizeof(out) - 2000 },
	};

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);
	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	ASSERT_EQ(7096, writev(self->c.wfd, wv, ARRAY_SIZE(wv)));
	EXPECT_EQ(7096, fd_queued(self->c.rfd));

	/* 8000 asked for, 7096 there: a short read, across the iovecs. */
	ASSERT_EQ(7096, readv(self->c.rfd, rv, ARRAY_SIZE(rv)));
	EXPECT_EQ(0, memcmp(out, a, 1));
	EXPECT_EQ(0, memcmp(out + 1, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(out + 1 + sizeof(b), c, sizeof(c)));

	/* Zero-length vectors: 0, like read(0) and write(0). */
	EXPECT_EQ(0, writev(self->c.wfd, &wv[1], 1));
	EXPECT_EQ(0, readv(self->c.rfd, &rv[1], 1));
	EXPECT_EQ(0, fd_queued(self->c.rfd));
}

/* LTP lseek02: a stream has no position; the data is untouched. */
TEST_F(io, lseek_pread_pwrite_espipe)
{
	char buf[16];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	int fds[2] = { self->c.rfd, self->c.wfd };
	int i;

	ASSERT_EQ(10, put(self, digits, 10));
	for (i = 0; i < 2; i++) {
		errno = 0;
		EXPECT_EQ(-1, lseek(fds[i], 0, SEEK_CUR));
		EXPECT_EQ(ESPIPE, errno);
		errno = 0;
		EXPECT_EQ(-1, lseek(fds[i], 0, SEEK_SET));
		EXPECT_EQ(ESPIPE, errno);
		errno = 0;
		EXPECT_EQ(-1, lseek(fds[i], 0, SEEK_END));
		EXPECT_EQ(ESPIPE, errno);
	}

	errno = 0;
	EXPECT_EQ(-1, pread(self->c.rfd, buf, sizeof(buf), 0));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, preadv(self->c.rfd, &iov, 1, 0));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(self->c.wfd, digits, 1, 0));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, pwritev(self->c.wfd, &iov, 1, 0));
	EXPECT_EQ(ESPIPE, errno);

	EXPECT_EQ(10, fd_queued(self->c.rfd));
	ASSERT_EQ(10, take(self, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, digits, 10));
}

/* LTP pipe03: each end does only its own job, even for zero bytes. */
TEST_F(io, wrong_end_ebadf)
{
	char buf[16];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	/* write() on a read end while the producer side is owned, say. */
	if (self->owned)
		SKIP(return, "EBADF or EBUSY first on an owned side: %s",
		     "not in the contract");

	ASSERT_EQ(10, write(self->c.wfd, digits, 10));

	errno = 0;
	EXPECT_EQ(-1, read(self->c.wfd, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->c.wfd, buf, 0));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, readv(self->c.wfd, &iov, 1));
	EXPECT_EQ(EBADF, errno);

	errno = 0;
	EXPECT_EQ(-1, write(self->c.rfd, digits, 1));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->c.rfd, digits, 0));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, writev(self->c.rfd, &iov, 1));
	EXPECT_EQ(EBADF, errno);

	EXPECT_EQ(10, fd_queued(self->c.rfd));
}

/*
 * A FIFO keeps its data while any fd is open and drops it with the last
 * one (pipe(7)); a kipc named channel does the same.  Pairs have no node
 * to reopen.
 */
TEST_F(io, last_close_discards_data)
{
	char buf[16];
	int fd;

	if (!chan_is_named(&self->c))
		SKIP(return, "a pair has no node to reopen");

	ASSERT_EQ(10, write(self->c.wfd, digits, 10));

	/* Another writer takes over: the data survives. */
	ASSERT_EQ(0, close_fd(&self->c.wfd));
	fd = chan_open_node(&self->c, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("reopen: %s", strerror(-fd));
	self->c.wfd = fd;
	EXPECT_EQ(10, fd_queued(self->c.rfd));

	/* The last fd goes: so does the data. */
	ASSERT_EQ(0, chan_close(&self->c));
	fd = chan_open_node(&self->c, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("reopen: %s", strerror(-fd));
	self->c.rfd = fd;
	EXPECT_EQ(0, fd_queued(self->c.rfd));
	/* No writer yet: EOF, even under O_NONBLOCK. */
	EXPECT_EQ(0, read(self->c.rfd, buf, sizeof(buf)));

	fd = chan_open_node(&self->c, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("reopen: %s", strerror(-fd));
	self->c.wfd = fd;
	errno = 0;
	EXPECT_EQ(-1, read(self->c.rfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/* FIONREAD: bytes queued, on either end, through EOF. */
TEST_F(io, fionread)
{
	static char buf[10000];

	EXPECT_EQ(0, fd_queued(self->c.rfd));
	EXPECT_EQ(0, fd_queued(self->c.wfd));

	ASSERT_EQ(1, put(self, buf, 1));
	EXPECT_EQ(1, fd_queued(self->c.rfd));
	ASSERT_EQ(PIPE_BUF, put(self, buf, PIPE_BUF));
	EXPECT_EQ(1 + PIPE_BUF, fd_queued(self->c.rfd));
	ASSERT_EQ(sizeof(buf), put(self, buf, sizeof(buf)));
	EXPECT_EQ(1 + PIPE_BUF + sizeof(buf), fd_queued(self->c.rfd));
	EXPECT_EQ(1 + PIPE_BUF + sizeof(buf), fd_queued(self->c.wfd));

	/* Partial reads, across a buffer's end. */
	ASSERT_EQ(97, take(self, buf, 97));
	EXPECT_EQ(PIPE_BUF + sizeof(buf) - 96, fd_queued(self->c.rfd));

	ASSERT_EQ(0, close_writer(self));
	EXPECT_EQ(PIPE_BUF + sizeof(buf) - 96, fd_queued(self->c.rfd));
	ASSERT_EQ(PIPE_BUF - 96, take(self, buf, PIPE_BUF - 96));
	ASSERT_EQ(sizeof(buf), take(self, buf, sizeof(buf)));
	EXPECT_EQ(0, fd_queued(self->c.rfd));
}

/*
 * RWF_NOWAIT needs FMODE_NOWAIT on the file, else preadv2() and pwritev2()
 * fail with EOPNOTSUPP before looking at the channel.  kipc sets it on
 * every fd (semantics.md 9.1, 10.6).  Kernel pipes from pipe2() have it
 * since 6.4 (c04fe8e32f90, afed6271f5b0): 6.1 gives EOPNOTSUPP, newer
 * kernels EAGAIN.  FIFOs never got it: fifo_open() does not set it, so they
 * give EOPNOTSUPP on every kernel (seen on 6.1, 6.12 and 6.18).
 */
static bool chan_takes_nowait(const struct chan *c)
{
	switch (c->kind) {
	case CHAN_PIPE:
		return kernel_at_least(6, 4);
	case CHAN_FIFO:
		return false;
	default:
		return true;
	}
}

TEST_F(io, rwf_nowait_read)
{
	bool nowait = chan_takes_nowait(&self->c);
	char buf[16];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	SKIP_IF_OWNS(self, KIPC_RING_READ, READ_IS_RING);

	/* Empty, a writer present, blocking fd: would sleep. */
	errno = 0;
	EXPECT_EQ(-1, preadv2(self->c.rfd, &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(nowait ? EAGAIN : EOPNOTSUPP, errno);

	ASSERT_EQ(10, put(self, digits, 10));
	errno = 0;
	if (nowait) {
		EXPECT_EQ(10, preadv2(self->c.rfd, &iov, 1, -1, RWF_NOWAIT));
		EXPECT_EQ(0, memcmp(buf, digits, 10));
	} else {
		EXPECT_EQ(-1, preadv2(self->c.rfd, &iov, 1, -1, RWF_NOWAIT));
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_EQ(10, read(self->c.rfd, buf, sizeof(buf)));
	}

	/* EOF comes before EAGAIN here too. */
	ASSERT_EQ(0, close_writer(self));
	errno = 0;
	EXPECT_EQ(nowait ? 0 : -1,
		  preadv2(self->c.rfd, &iov, 1, -1, RWF_NOWAIT));
	if (!nowait)
		EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(io, rwf_nowait_write)
{
	bool nowait = chan_takes_nowait(&self->c);
	char buf[PIPE_BUF] = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	SKIP_IF_OWNS(self, KIPC_RING_WRITE, WRITE_IS_RING);

	/* Room: written at once, or refused outright. */
	errno = 0;
	EXPECT_EQ(nowait ? PIPE_BUF : -1,
		  pwritev2(self->c.wfd, &iov, 1, -1, RWF_NOWAIT));
	if (!nowait)
		EXPECT_EQ(EOPNOTSUPP, errno);

	/* Full, blocking fd: would sleep. */
	ASSERT_LT(0, fill(self));
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
	errno = 0;
	EXPECT_EQ(-1, pwritev2(self->c.wfd, &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(nowait ? EAGAIN : EOPNOTSUPP, errno);
	EXPECT_EQ(CAP, fd_queued(self->c.rfd));
}

TEST_HARNESS_MAIN
