// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped channels (KIPC_CHAN_F_MAPPED, ABI 4): the ring a producer and a
 * consumer share through mmap(), and the kernel that keeps them honest.
 *
 * TEST_F(stream, ...) moves checksummed bytes between two processes, over
 * four variants: a kernel pipe (the reference: write() to read()), and a
 * mapped pair used ring to ring, ring to read(), and write() to ring.  The
 * ring side speaks the raw protocol of mapped_ring.h.  A killed writer must
 * leave every committed byte and then EOF, a killed reader EPIPE and
 * SIGPIPE, and a one-page ring where both sides sleep all the time must
 * never lose a wake-up (every child has an alarm() watchdog: a lost wake-up
 * is a hang, and the hang a failure).
 *
 * TEST_F(ring, ...) holds one mapped pair to the rules of mapping it: areas,
 * protections per role, one owner per side (EBUSY for read() and write()
 * while a side is mapped), munmap and mremap, fork, named channels and
 * their permissions, poll computed from the shared positions, KIPC_IOC_RING_*
 * arguments, and a hostile peer's positions (EIO, KIPC_RING_BROKEN,
 * EPOLLERR, and no other channel affected).
 *
 * The module pinned by a mapping is kipc_module_test's (it unloads kipc).
 * The channel suites run their read()/write() tests over mapped channels
 * too (kipc_chan_io_test, kipc_chan_api_test).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "chan_backend.h"
#include "mapped_ring.h"

#define CAP		65536
#define TINY_CAP	4096		/* one page */
#define NOBODY		65534
#define WATCHDOG	100		/* seconds a child may live */
#define LONG_MS		10000

#define STREAM_BYTES	(24ULL << 20)
#define TINY_BYTES	(8ULL << 20)
#define KILL_AFTER	(1ULL << 20)	/* bytes read before the writer dies */
#define FOREVER		UINT64_MAX

/* Children: forked with a watchdog, checked with CHILD_CHECK(), _exit(). */

static pid_t kids[8];

static pid_t spawn(unsigned int watchdog)
{
	pid_t pid;
	size_t i;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(watchdog);
		return 0;
	}
	for (i = 0; pid > 0 && i < ARRAY_SIZE(kids); i++) {
		if (!kids[i]) {
			kids[i] = pid;
			break;
		}
	}
	return pid;
}

/* The raw wait status of @pid, or -1. */
static int reap(pid_t pid)
{
	size_t i;
	int st;

	for (i = 0; i < ARRAY_SIZE(kids); i++)
		if (kids[i] == pid)
			kids[i] = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void kill_kids(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kids); i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
		kids[i] = 0;
	}
}

static bool exited_ok(int st)
{
	return st != -1 && WIFEXITED(st) && !WEXITSTATUS(st);
}

static bool killed_by(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

#define ASSERT_CHILD_OK(pid) do {					\
	int __st = reap(pid);						\
	ASSERT_TRUE(exited_ok(__st))					\
		TH_LOG("child: status %#x (exit %d, signal %d)", __st,	\
		       WIFEXITED(__st) ? WEXITSTATUS(__st) : -1,	\
		       WIFSIGNALED(__st) ? WTERMSIG(__st) : 0);		\
} while (0)

#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: child %d: %s (errno %d: %s)\n",\
			__FILE__, __LINE__, (int)getpid(), #cond, errno,\
			strerror(errno));				\
		_exit(1);						\
	}								\
} while (0)

/* What a child hands back through a report pipe. */
struct report {
	long long ret;
	int err;
	int sigs;
	unsigned int flags;
	long long ret2;
	int err2;
	int sigs2;
	unsigned long waits, wakes, wake_errors;
};

static void child_report(int fd, const struct report *r)
{
	CHILD_CHECK(write(fd, r, sizeof(*r)) == sizeof(*r));
}

static bool get_report(int fd, struct report *r)
{
	return read(fd, r, sizeof(*r)) == sizeof(*r);
}

/* Where a ring side sleeps (KIPC_IOC_RING_WAIT), and where a kernel one. */
static long sleep_call(bool ring, bool writer)
{
	return ring ? SYS_ioctl : writer ? SYS_write : SYS_read;
}

/* Signals, counted. */

static volatile sig_atomic_t sig_count;

static void on_signal(int sig)
{
	sig_count++;
}

static int catch_signal(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sig_count = 0;
	return sigaction(sig, &sa, NULL);
}

/*
 * The stream: byte k of every test stream is pattern_at(k), so any
 * prefix can be checked without state, and a lost, repeated or shifted
 * byte cannot match.
 */
static unsigned char pattern_at(uint64_t k)
{
	uint64_t x = (k >> 3) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return x >> ((k & 7) * 8);
}

static void pattern_fill(unsigned char *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern_at(off + i);
}

/* The index of the first wrong byte, or -1. */
static long long pattern_check(const unsigned char *buf, uint64_t off,
			       size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pattern_at(off + i))
			return i;
	return -1;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* 1..@max */
static size_t rnd_size(uint64_t *s, size_t max)
{
	return 1 + rnd(s) % max;
}

/*
 * One side of a channel in the process that moves its bytes: the kernel's
 * read() or write(), or the ring (mapped here, after fork(), since a ring
 * mapping is never inherited).
 */
struct end {
	int fd;
	bool ring;
	struct mring r;
};

static int end_start(struct end *e, int fd, unsigned int role, bool ring)
{
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->ring = ring;
	return ring ? mring_map(&e->r, fd, role) : 0;
}

/* All of @buf, as a blocking write() does: @n, or -errno. */
static ssize_t end_put(struct end *e, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t ret;

	if (e->ring && n <= e->r.size)	/* at once, like n <= PIPE_BUF */
		return mring_write(&e->r, buf, n, MRING_WHOLE);
	if (e->ring)
		return mring_write_all(&e->r, buf, n);
	while (done < n) {
		ret = write(e->fd, p + done, n - done);
		if (ret < 0)
			return -errno;
		done += ret;
	}
	return n;
}

/* Up to @n bytes, as a blocking read(): the count, 0 at EOF, or -errno. */
static ssize_t end_get(struct end *e, void *buf, size_t n)
{
	ssize_t ret;

	if (e->ring)
		return mring_read(&e->r, buf, n, 0);
	ret = read(e->fd, buf, n);
	return ret < 0 ? -errno : ret;
}

static void end_stop(struct end *e)
{
	if (e->ring)
		mring_unmap(&e->r);
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

/* An io_uring read or write of @fd: the CQE's result. */
static int uring_rw(bool write, int fd, void *buf, size_t len)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_queue_init(2, &ring, 0);
	if (ret)
		return ret;
	sqe = io_uring_get_sqe(&ring);
	if (write)
		io_uring_prep_write(sqe, fd, buf, len, (__u64)-1);
	else
		io_uring_prep_read(sqe, fd, buf, len, (__u64)-1);
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret >= 0) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (!ret) {
			ret = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/* poll() one fd for everything, without waiting: revents, or -errno. */
static int revents(int fd)
{
	struct pollfd p = {
		.fd = fd,
		.events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
	};

	return poll(&p, 1, 0) < 0 ? -errno : p.revents;
}

/* ================= stream: two processes, one channel ================= */

FIXTURE(stream) {
	struct chan c;
	struct end cons;	/* the test process is the consumer */
};

FIXTURE_VARIANT(stream) {
	enum chan_kind kind;
	bool prod_ring;
	bool cons_ring;
};

/* The kernel's answer: write() to read() on a pipe. */
FIXTURE_VARIANT_ADD(stream, pipe) {
	.kind = CHAN_PIPE,
};

FIXTURE_VARIANT_ADD(stream, ring) {
	.kind = CHAN_KIPC_MAPPED,
	.prod_ring = true,
	.cons_ring = true,
};

FIXTURE_VARIANT_ADD(stream, ring_to_read) {
	.kind = CHAN_KIPC_MAPPED,
	.prod_ring = true,
};

FIXTURE_VARIANT_ADD(stream, write_to_ring) {
	.kind = CHAN_KIPC_MAPPED,
	.cons_ring = true,
};

FIXTURE_SETUP(stream)
{
	long long cap;
	int err;

	if (chan_kind_is_kipc(variant->kind))
		close(open_control_or_skip(_metadata));
	self->cons.fd = -1;
	err = chan_init(&self->c, variant->kind);
	if (!err)
		err = chan_open(&self->c, O_CLOEXEC);
	ASSERT_EQ(0, err) TH_LOG("channel: %s", strerror(-err));
	cap = chan_set_capacity(&self->c, self->c.wfd, CAP);
	ASSERT_EQ(CAP, cap);
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(stream)
{
	kill_kids();
	if (self->cons.ring)
		mring_unmap(&self->cons.r);
	chan_fini(&self->c);
}

/*
 * The producer child: @total bytes of the stream (FOREVER: until killed)
 * in chunks of 1..@max_chunk, then its statistics on @rep (if >= 0).
 */
static void __attribute__((noreturn))
produce(struct chan *c, bool ring, uint64_t total, size_t max_chunk,
	uint64_t seed, int rep)
{
	static unsigned char buf[4 * CAP];
	struct report r = { 0 };
	uint64_t off = 0;
	struct end e;
	size_t n;

	close(c->rfd);
	CHILD_CHECK(max_chunk <= sizeof(buf));
	CHILD_CHECK(!end_start(&e, c->wfd, KIPC_RING_WRITE, ring));
	while (off < total) {
		n = rnd_size(&seed, max_chunk);
		if (n > total - off)
			n = total - off;
		pattern_fill(buf, off, n);
		CHILD_CHECK(end_put(&e, buf, n) == (ssize_t)n);
		off += n;
		if (!(rnd(&seed) & 15))
			sched_yield();
	}
	r.ret = off;
	r.waits = e.r.waits;
	r.wakes = e.r.wakes;
	r.wake_errors = e.r.wake_errors;
	end_stop(&e);
	if (rep >= 0)
		child_report(rep, &r);
	_exit(0);
}

/*
 * The test process's side: read (in chunks of 1..@max_read) and check
 * until EOF, or until @stop bytes: the bytes read, or -1 after a failed
 * assertion.
 */
static long long consume(struct __test_metadata *_metadata,
			 FIXTURE_DATA(stream) *self, uint64_t from,
			 uint64_t stop, size_t max_read, uint64_t seed)
{
	static unsigned char buf[4 * CAP];
	uint64_t got = from;
	long long bad;
	ssize_t n;

	while (got < stop) {
		n = end_get(&self->cons, buf, rnd_size(&seed, max_read));
		EXPECT_LE(0, n) TH_LOG("at byte %llu: %s",
				       (unsigned long long)got, strerror(-n));
		if (n < 0)
			return -1;
		if (!n)
			break;
		bad = pattern_check(buf, got, n);
		EXPECT_EQ(-1, bad) TH_LOG("byte %llu of the stream",
					  (unsigned long long)(got + bad));
		if (bad >= 0)
			return -1;
		got += n;
		if (!(rnd(&seed) & 15))
			sched_yield();
	}
	return got;
}

static void start_consumer(struct __test_metadata *_metadata,
			   FIXTURE_DATA(stream) *self,
			   const FIXTURE_VARIANT(stream) *variant)
{
	int err;

	ASSERT_EQ(0, close_fd(&self->c.wfd));
	err = end_start(&self->cons, self->c.rfd, KIPC_RING_READ,
			variant->cons_ring);
	ASSERT_EQ(0, err) TH_LOG("map the consumer: %s", strerror(-err));
}

/*
 * 24 MiB in chunks of up to 2.5 times the capacity, read in pieces of up
 * to that: nearly every chunk and read crosses the ring's end, which the
 * double map must make seamless.
 */
TEST_F_TIMEOUT(stream, checksum_random_sizes_across_wrap, 600)
{
	long long got;
	pid_t pid;

	pid = spawn(580);
	ASSERT_LE(0, pid);
	if (!pid)
		produce(&self->c, variant->prod_ring, STREAM_BYTES,
			CAP * 5 / 2, 0x5eed1, -1);
	start_consumer(_metadata, self, variant);
	got = consume(_metadata, self, 0, FOREVER, CAP * 5 / 2, 0xc0ffee);
	EXPECT_EQ(STREAM_BYTES, got);
	ASSERT_CHILD_OK(pid);
	if (variant->cons_ring) {
		EXPECT_TRUE(mring_flags(&self->cons.r) &
			    KIPC_RING_WRITERS_GONE);
		EXPECT_EQ(STREAM_BYTES, mring_load(&self->cons.r.prod->pos));
		EXPECT_EQ(0, self->cons.r.wake_errors);
	}
	EXPECT_EQ(0, fd_queued(self->c.rfd));
}

/*
 * A one-page ring: every chunk (1..4096 bytes) waits for room for all of
 * it, every read empties what it can, so both sides sleep in the kernel
 * over and over, and each wake-up depends on the other side seeing the
 * @waiting bit.  A lost one hangs a side; the watchdog and the harness's
 * timeout turn that into a failure.
 */
TEST_F_TIMEOUT(stream, tiny_ring_no_lost_wakeup, 300)
{
	struct report r;
	long long got;
	int rep[2];
	pid_t pid;

	ASSERT_EQ(TINY_CAP, chan_set_capacity(&self->c, self->c.wfd,
					      TINY_CAP));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	pid = spawn(280);
	ASSERT_LE(0, pid);
	if (!pid) {
		close(rep[0]);
		produce(&self->c, variant->prod_ring, TINY_BYTES, TINY_CAP,
			0x7117, rep[1]);
	}
	close(rep[1]);
	start_consumer(_metadata, self, variant);
	got = consume(_metadata, self, 0, FOREVER, TINY_CAP, 0xfeed);
	EXPECT_EQ(TINY_BYTES, got);
	ASSERT_TRUE(get_report(rep[0], &r));
	EXPECT_EQ(TINY_BYTES, r.ret);
	ASSERT_CHILD_OK(pid);
	close(rep[0]);
	EXPECT_EQ(0, r.wake_errors);
	EXPECT_EQ(0, self->cons.r.wake_errors);
	if (variant->prod_ring && variant->cons_ring) {
		/* Neither side can have got through without sleeping. */
		EXPECT_LT(0, r.waits + self->cons.r.waits);
		EXPECT_LT(0, r.wakes + self->cons.r.wakes);
	}
	TH_LOG("producer: %lu waits, %lu wakes; consumer: %lu waits, %lu wakes",
	       r.waits, r.wakes, self->cons.r.waits, self->cons.r.wakes);
}

/*
 * PIPE_BUF atomicity of write() holds for a mapped consumer: two writers'
 * records of PIPE_BUF bytes never interleave in what the ring delivers.
 */
#define REC_SIZE	PIPE_BUF
#define REC_WRITERS	2
#define REC_COUNT	512
#define REC_MAGIC	0x6b697063	/* "kipc" */
#define REC_READ	5000		/* no multiple of the record size */

static void rec_make(unsigned char *rec, uint32_t writer, uint32_t seq)
{
	uint32_t hdr[3] = { REC_MAGIC, writer, seq };
	size_t i;

	for (i = 0; i < REC_SIZE; i++)
		rec[i] = writer * 67 + seq * 13 + i * 7 + (i >> 8);
	memcpy(rec, hdr, sizeof(hdr));
	memcpy(rec + REC_SIZE - sizeof(hdr), hdr, sizeof(hdr));
}

TEST_F_TIMEOUT(stream, pipe_buf_atomic_two_writers, 120)
{
	static unsigned char stream[REC_SIZE + REC_READ];
	uint32_t next[REC_WRITERS] = { 0 }, hdr[3], w, seq;
	unsigned char want[REC_SIZE];
	pid_t pids[REC_WRITERS];
	size_t len = 0;
	ssize_t n;

	if (variant->prod_ring)
		SKIP(return, "one producer per ring: a second write() is %s",
		     "EBUSY (ring.write_ebusy_while_prod_mapped)");
	/* Records straddle the ring's end. */
	ASSERT_EQ(100, write(self->c.wfd, stream, 100));
	ASSERT_EQ(100, read(self->c.rfd, stream, 100));
	for (w = 0; w < REC_WRITERS; w++) {
		pids[w] = spawn(WATCHDOG);
		ASSERT_LE(0, pids[w]);
		if (!pids[w]) {
			close(self->c.rfd);
			for (seq = 0; seq < REC_COUNT; seq++) {
				rec_make(want, w, seq);
				CHILD_CHECK(write(self->c.wfd, want, REC_SIZE) ==
					    REC_SIZE);
			}
			_exit(0);
		}
	}
	start_consumer(_metadata, self, variant);
	for (;;) {
		n = end_get(&self->cons, stream + len, REC_READ);
		ASSERT_LE(0, n) TH_LOG("read: %s", strerror(-n));
		if (!n)
			break;
		len += n;
		while (len >= REC_SIZE) {
			memcpy(hdr, stream, sizeof(hdr));
			ASSERT_EQ(REC_MAGIC, hdr[0])
				TH_LOG("not a record start: a write() split");
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
		ASSERT_CHILD_OK(pids[w]);
	}
}

/*
 * A writer SIGKILLed asleep on a full channel: all it committed is still
 * there, byte for byte, and then EOF.  Its ring mapping dies with it, and
 * with the mapping its hold on the write end.  (Full: a pipe's pages are
 * partly used by chunks that did not merge; kipc's ring lacks less than
 * the chunk that waits for room.)
 */
TEST_F(stream, writer_killed_keeps_committed_bytes)
{
	long long got;
	int queued;
	pid_t pid;

	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid)
		produce(&self->c, variant->prod_ring, FOREVER, 3000, 0xdead, -1);
	ASSERT_EQ(0, close_fd(&self->c.wfd));
	ASSERT_TRUE(task_sleeps_in(pid, sleep_call(variant->prod_ring, true)));
	queued = fd_queued(self->c.rfd);
	if (chan_is_kipc(&self->c))
		EXPECT_LT(CAP - 3000, queued);
	ASSERT_LT(0, queued);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_TRUE(killed_by(reap(pid), SIGKILL));

	EXPECT_EQ(queued, fd_queued(self->c.rfd));
	ASSERT_EQ(0, end_start(&self->cons, self->c.rfd, KIPC_RING_READ,
			       variant->cons_ring));
	got = consume(_metadata, self, 0, FOREVER, 7000, 0xbeef);
	EXPECT_EQ(queued, got);
	if (variant->cons_ring)
		EXPECT_TRUE(mring_flags(&self->cons.r) &
			    KIPC_RING_WRITERS_GONE);
}

/*
 * A reader asleep on an empty channel is woken by its writer's death, and
 * gets EOF after every byte the writer committed.
 */
#define WAKE_BYTES	10000

TEST_F(stream, writer_killed_wakes_reader)
{
	struct report r;
	int rep[2], done[2];
	pid_t writer, reader;
	char b;

	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	writer = spawn(WATCHDOG);
	ASSERT_LE(0, writer);
	if (!writer) {
		unsigned char buf[WAKE_BYTES];
		struct end e;

		close(self->c.rfd);
		CHILD_CHECK(!end_start(&e, self->c.wfd, KIPC_RING_WRITE,
				       variant->prod_ring));
		pattern_fill(buf, 0, sizeof(buf));
		CHILD_CHECK(end_put(&e, buf, 3000) == 3000);
		CHILD_CHECK(end_put(&e, buf + 3000, WAKE_BYTES - 3000) ==
			    WAKE_BYTES - 3000);
		CHILD_CHECK(write(done[1], "w", 1) == 1);
		pause();
		_exit(1);
	}
	reader = spawn(WATCHDOG);
	ASSERT_LE(0, reader);
	if (!reader) {
		unsigned char buf[WAKE_BYTES + 1];
		struct report mine = { 0 };
		struct end e;
		ssize_t n;

		close(self->c.wfd);
		CHILD_CHECK(!end_start(&e, self->c.rfd, KIPC_RING_READ,
				       variant->cons_ring));
		while ((n = end_get(&e, buf, sizeof(buf) - mine.ret)) > 0) {
			CHILD_CHECK(pattern_check(buf, mine.ret, n) == -1);
			mine.ret += n;
			CHILD_CHECK(mine.ret <= WAKE_BYTES);
		}
		mine.err = n < 0 ? -n : 0;
		child_report(rep[1], &mine);
		_exit(0);
	}
	close(rep[1]);
	close(done[1]);
	ASSERT_EQ(0, chan_close(&self->c));

	ASSERT_EQ(1, read(done[0], &b, 1));
	ASSERT_TRUE(task_sleeps_in(reader, sleep_call(variant->cons_ring, false)));
	ASSERT_EQ(0, kill(writer, SIGKILL));
	ASSERT_TRUE(killed_by(reap(writer), SIGKILL));

	ASSERT_TRUE(get_report(rep[0], &r));
	EXPECT_EQ(WAKE_BYTES, r.ret);
	EXPECT_EQ(0, r.err) TH_LOG("%s", strerror(r.err));
	ASSERT_CHILD_OK(reader);
	close(rep[0]);
	close(done[0]);
}

/*
 * Killed in mid-stream, not asleep: whatever it had committed when it
 * died is read, intact, and then EOF.  A ring consumer sees the producer's
 * last position equal its own at the end: nothing committed was lost.
 */
TEST_F_TIMEOUT(stream, writer_killed_mid_stream, 120)
{
	long long got, more;
	pid_t pid;

	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid)
		produce(&self->c, variant->prod_ring, FOREVER, 3000, 0x31d, -1);
	start_consumer(_metadata, self, variant);
	got = consume(_metadata, self, 0, KILL_AFTER, 5000, 0x5eed2);
	ASSERT_LE(KILL_AFTER, got);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	more = consume(_metadata, self, got, FOREVER, 5000, 0x5eed3);
	ASSERT_LE(got, more);
	ASSERT_TRUE(killed_by(reap(pid), SIGKILL));
	EXPECT_EQ(0, fd_queued(self->c.rfd));
	if (variant->cons_ring) {
		EXPECT_EQ(more, mring_load(&self->cons.r.prod->pos));
		EXPECT_EQ(more, mring_load(&self->cons.r.cons->pos));
	}
	TH_LOG("%lld bytes before the kill, %lld after", got, more - got);
}

/*
 * The reader SIGKILLed while the producer sleeps on a full channel: the
 * producer gets EPIPE and one SIGPIPE, from KIPC_IOC_RING_WAIT as from
 * write(); a ring producer finds KIPC_RING_READERS_GONE set, and once
 * unmapped, write() says EPIPE again, with a second SIGPIPE.  Chunks of
 * at most PIPE_BUF bytes keep write() atomic: no partial count first.
 */
TEST_F(stream, reader_killed_epipe_sigpipe)
{
	struct report r;
	int rep[2], ready[2];
	pid_t writer, reader;
	char b;

	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	writer = spawn(WATCHDOG);
	ASSERT_LE(0, writer);
	if (!writer) {
		unsigned char buf[PIPE_BUF];
		struct report mine = { 0 };
		uint64_t off = 0, seed = 0x91;
		struct end e;
		ssize_t n;

		close(self->c.rfd);
		CHILD_CHECK(!catch_signal(SIGPIPE));
		CHILD_CHECK(!end_start(&e, self->c.wfd, KIPC_RING_WRITE,
				       variant->prod_ring));
		for (;;) {
			size_t len = rnd_size(&seed, PIPE_BUF);

			pattern_fill(buf, off, len);
			n = end_put(&e, buf, len);
			if (n < 0)
				break;
			CHILD_CHECK(n == (ssize_t)len);
			off += n;
		}
		mine.ret = n;
		mine.sigs = sig_count;
		if (e.ring) {
			mine.flags = mring_flags(&e.r);
			CHILD_CHECK(!mring_unmap(&e.r));
		}
		mine.ret2 = write(self->c.wfd, "x", 1);
		mine.err2 = errno;
		mine.sigs2 = sig_count;
		child_report(rep[1], &mine);
		_exit(0);
	}
	reader = spawn(WATCHDOG);
	ASSERT_LE(0, reader);
	if (!reader) {
		unsigned char buf[1000];
		struct end e;

		close(self->c.wfd);
		CHILD_CHECK(!end_start(&e, self->c.rfd, KIPC_RING_READ,
				       variant->cons_ring));
		CHILD_CHECK(end_get(&e, buf, sizeof(buf)) > 0);
		CHILD_CHECK(pattern_check(buf, 0, 1) == -1);
		CHILD_CHECK(write(ready[1], "r", 1) == 1);
		pause();
		_exit(1);
	}
	close(rep[1]);
	close(ready[1]);
	ASSERT_EQ(0, chan_close(&self->c));

	ASSERT_EQ(1, read(ready[0], &b, 1));
	ASSERT_TRUE(task_sleeps_in(writer, sleep_call(variant->prod_ring, true)));
	ASSERT_EQ(0, kill(reader, SIGKILL));
	ASSERT_TRUE(killed_by(reap(reader), SIGKILL));

	ASSERT_TRUE(get_report(rep[0], &r));
	ASSERT_CHILD_OK(writer);
	EXPECT_EQ(-EPIPE, r.ret) TH_LOG("%s", strerror(-r.ret));
	EXPECT_EQ(1, r.sigs);
	if (variant->prod_ring)
		EXPECT_TRUE(r.flags & KIPC_RING_READERS_GONE);
	EXPECT_EQ(-1, r.ret2);
	EXPECT_EQ(EPIPE, r.err2);
	EXPECT_EQ(2, r.sigs2);
	close(rep[0]);
	close(ready[0]);
}

/* ================= ring: the rules of one mapped pair ================= */

FIXTURE(ring) {
	int ctl;
	int rfd, wfd;
	struct mring prod, cons;	/* this process's sides, if mapped */
	size_t pg;
	char names[4][KIPC_NAME_MAX + 1];	/* named channels to remove */
};

FIXTURE_SETUP(ring)
{
	int fds[2] = { -1, -1 }, err;

	self->rfd = self->wfd = -1;
	self->ctl = open_control_or_skip(_metadata);
	self->pg = sysconf(_SC_PAGESIZE);
	err = ctl_chan_pair(self->ctl, O_CLOEXEC | KIPC_CHAN_F_MAPPED, CAP,
			    fds);
	ASSERT_EQ(0, err) TH_LOG("mapped pair: %s", strerror(-err));
	self->rfd = fds[0];
	self->wfd = fds[1];
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(ring)
{
	size_t i;

	kill_kids();
	if (self->prod.state)
		mring_unmap(&self->prod);
	if (self->cons.state)
		mring_unmap(&self->cons);
	close_fd(&self->rfd);
	close_fd(&self->wfd);
	for (i = 0; i < ARRAY_SIZE(self->names); i++)
		if (self->names[i][0])
			ctl_chan_remove(self->ctl, self->names[i]);
	close_fd(&self->ctl);
}

/*
 * A named channel of this test's, removed in the teardown.  @path is set
 * whether or not the creation worked.
 */
static int named_create(FIXTURE_DATA(ring) *self, const char *tag,
			mode_t mode, unsigned int flags,
			unsigned long long capacity, char *path, size_t len)
{
	char name[KIPC_NAME_MAX + 1];
	size_t i;
	int err;

	snprintf(name, sizeof(name), "kipc_mapped_test.%d.%s", (int)getpid(),
		 tag);
	node_path(path, len, name);
	err = ctl_chan_create_flags(self->ctl, name, mode, flags, capacity);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(self->names); i++) {
		if (!self->names[i][0]) {
			strcpy(self->names[i], name);
			break;
		}
	}
	return 0;
}

static long long capacity_of(int fd)
{
	struct kipc_capacity cap = { 0 };

	return ioctl(fd, KIPC_IOC_GET_CAPACITY, &cap) ? -errno :
	       (long long)cap.capacity;
}

/* mmap() and, if that worked, munmap() at once: 0, or -errno. */
static int try_mmap(int fd, uint64_t off, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

static int map_prod(FIXTURE_DATA(ring) *self)
{
	return mring_map(&self->prod, self->wfd, KIPC_RING_WRITE);
}

static int map_cons(FIXTURE_DATA(ring) *self)
{
	return mring_map(&self->cons, self->rfd, KIPC_RING_READ);
}

/* Some bytes both ways through another channel: it still works. */
static void expect_channel_works(struct __test_metadata *_metadata, int ctl,
				 bool mapped)
{
	struct mring p, c;
	char buf[8];
	int fds[2] = { -1, -1 };

	ASSERT_EQ(0, ctl_chan_pair(ctl, O_CLOEXEC |
				   (mapped ? KIPC_CHAN_F_MAPPED : 0), 0, fds));
	EXPECT_EQ(3, write(fds[1], "abc", 3));
	EXPECT_EQ(3, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	if (mapped) {
		ASSERT_EQ(0, mring_map(&p, fds[1], KIPC_RING_WRITE));
		ASSERT_EQ(0, mring_map(&c, fds[0], KIPC_RING_READ));
		EXPECT_EQ(5, mring_write(&p, "rings", 5, 0));
		EXPECT_EQ(5, mring_read(&c, buf, sizeof(buf), 0));
		EXPECT_EQ(0, memcmp(buf, "rings", 5));
		EXPECT_EQ(0, mring_flags(&c));
		mring_unmap(&p);
		mring_unmap(&c);
	}
	close(fds[0]);
	close(fds[1]);
}

/* KIPC_IOC_RING_INFO: page-aligned areas that do not overlap; the role. */
TEST_F(ring, info)
{
	struct kipc_ring_info ri, wi;
	uint64_t offs[3];
	int plain[2];
	size_t i, j;

	ASSERT_EQ(0, mring_info(self->rfd, &ri));
	ASSERT_EQ(0, mring_info(self->wfd, &wi));
	EXPECT_EQ(self->pg, ri.page_size);
	EXPECT_EQ(CAP, ri.data_size);
	EXPECT_EQ(KIPC_RING_READ, ri.role);
	EXPECT_EQ(KIPC_RING_WRITE, wi.role);
	EXPECT_EQ(0, ri.__reserved0);
	for (i = 0; i < ARRAY_SIZE(ri.__reserved); i++)
		EXPECT_EQ(0, ri.__reserved[i]);
	/* Both ends see one ring. */
	EXPECT_EQ(ri.state_off, wi.state_off);
	EXPECT_EQ(ri.prod_off, wi.prod_off);
	EXPECT_EQ(ri.cons_off, wi.cons_off);
	EXPECT_EQ(ri.data_off, wi.data_off);

	offs[0] = ri.state_off;
	offs[1] = ri.prod_off;
	offs[2] = ri.cons_off;
	EXPECT_EQ(0, ri.data_off % self->pg);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, offs[i] % self->pg);
		/* Outside the data, and apart from each other. */
		EXPECT_TRUE(offs[i] + self->pg <= ri.data_off ||
			    offs[i] >= ri.data_off + 2 * ri.data_size);
		for (j = 0; j < i; j++)
			EXPECT_NE(offs[i], offs[j]);
	}

	/* The state page says the same. */
	ASSERT_EQ(0, map_cons(self));
	EXPECT_EQ(KIPC_RING_MAGIC, self->cons.state->magic);
	EXPECT_EQ(CAP, self->cons.state->data_size);
	EXPECT_EQ(0, self->cons.state->flags);
	EXPECT_EQ(0, mring_queued(&self->cons));

	/*
	 * A channel made without KIPC_CHAN_F_MAPPED has no ring to map:
	 * ENODEV.  Its write end never gets that far: mmap() of a file not
	 * open for reading is EACCES in the VFS, before the module is asked
	 * (only a mapped channel's ends are given FMODE_READ).
	 */
	ASSERT_EQ(0, ctl_chan_pair(self->ctl, O_CLOEXEC, CAP, plain));
	EXPECT_EQ(-EINVAL, mring_info(plain[0], &ri));
	EXPECT_EQ(-EINVAL, mring_info(plain[1], &ri));
	EXPECT_EQ(-ENODEV, try_mmap(plain[0], 0, self->pg, PROT_READ,
				    MAP_SHARED));
	EXPECT_EQ(-EACCES, try_mmap(plain[1], 0, self->pg, PROT_READ,
				    MAP_SHARED));
	close(plain[0]);
	close(plain[1]);
}

/*
 * Capacity: a power of two number of pages, else EINVAL; 0 is the
 * module's default rounded up to one.  O_DIRECT never goes with a ring.
 */
TEST_F(ring, capacity_and_flags_at_creation)
{
	static const unsigned long long bad[] = {
		4095, 4097, 3 * 4096, 10000, 5 * 4096, CAP + 4096,
	};
	long long def = -1, want = 4096;
	char path[PATH_MAX], param[32];
	struct kipc_ring_info info;
	struct stat st;
	int fds[2] = { -1, -1 }, fd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, ctl_chan_pair(self->ctl, O_CLOEXEC |
						 KIPC_CHAN_F_MAPPED, bad[i],
						 fds))
			TH_LOG("capacity %llu", bad[i]);
	}
	EXPECT_EQ(-EINVAL, named_create(self, "odd", 0600, KIPC_CHAN_F_MAPPED,
					12288, path, sizeof(path)));
	errno = 0;
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);

	fd = open("/sys/module/kipc/parameters/default_capacity",
		  O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, param, sizeof(param) - 1);

		if (n > 0) {
			param[n] = '\0';
			def = strtoll(param, NULL, 10);
		}
		close(fd);
	}
	ASSERT_LT(0, def);
	while (want < def)
		want <<= 1;
	ASSERT_EQ(0, ctl_chan_pair(self->ctl, O_CLOEXEC | KIPC_CHAN_F_MAPPED,
				   0, fds));
	ASSERT_EQ(0, mring_info(fds[0], &info));
	EXPECT_EQ(want, info.data_size);
	EXPECT_EQ(want, capacity_of(fds[1]));
	close(fds[0]);
	close(fds[1]);

	ASSERT_EQ(0, ctl_chan_pair(self->ctl, O_CLOEXEC | KIPC_CHAN_F_MAPPED,
				   4096, fds));
	ASSERT_EQ(0, mring_info(fds[1], &info));
	EXPECT_EQ(4096, info.data_size);
	close(fds[0]);
	close(fds[1]);

	/* No packets on a ring. */
	EXPECT_EQ(-EINVAL, ctl_chan_pair(self->ctl, O_CLOEXEC | O_DIRECT |
					 KIPC_CHAN_F_MAPPED, CAP, fds));
	ASSERT_EQ(0, named_create(self, "direct", 0600, KIPC_CHAN_F_MAPPED,
				  CAP, path, sizeof(path)));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, open(path, O_WRONLY | O_DIRECT | O_CLOEXEC));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* Each mmap() covers part of one area, MAP_SHARED, or it is EINVAL. */
TEST_F(ring, map_areas_and_sharing)
{
	struct kipc_ring_info i;
	uint64_t end;

	ASSERT_EQ(0, mring_info(self->rfd, &i));
	end = i.data_off + 2 * i.data_size;
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.state_off, self->pg,
				    PROT_READ, MAP_PRIVATE));
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.data_off, 2 * i.data_size,
				    PROT_READ, MAP_PRIVATE));
	EXPECT_EQ(-EINVAL, try_mmap(self->wfd, i.prod_off, self->pg,
				    PROT_READ | PROT_WRITE, MAP_PRIVATE));

	/* Two pages from each single-page area: into the next, or a gap. */
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.state_off, 2 * self->pg,
				    PROT_READ, MAP_SHARED));
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.prod_off, 2 * self->pg,
				    PROT_READ, MAP_SHARED));
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.cons_off, 2 * self->pg,
				    PROT_READ, MAP_SHARED));
	/* The data and a page more; a page past everything. */
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.data_off,
				    2 * i.data_size + self->pg, PROT_READ,
				    MAP_SHARED));
	if (i.data_off >= self->pg)
		EXPECT_EQ(-EINVAL, try_mmap(self->rfd, i.data_off - self->pg,
					    2 * self->pg, PROT_READ,
					    MAP_SHARED));
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, end, self->pg, PROT_READ,
				    MAP_SHARED));
	EXPECT_EQ(-EINVAL, try_mmap(self->rfd, end + 16 * self->pg, self->pg,
				    PROT_READ, MAP_SHARED));

	/* Each area alone, read-only, from either end. */
	EXPECT_EQ(0, try_mmap(self->rfd, i.state_off, self->pg, PROT_READ,
			      MAP_SHARED));
	EXPECT_EQ(0, try_mmap(self->wfd, i.cons_off, self->pg, PROT_READ,
			      MAP_SHARED));
	EXPECT_EQ(0, try_mmap(self->rfd, i.data_off, 2 * i.data_size,
			      PROT_READ, MAP_SHARED));
	EXPECT_EQ(0, try_mmap(self->wfd, i.data_off, 2 * i.data_size,
			      PROT_READ, MAP_SHARED));
}

/*
 * Who may write what: state nobody; prod and data a write end; cons a read
 * end.  EACCES for the rest, and no mprotect() upgrade of a read-only map.
 */
TEST_F(ring, protections_per_role)
{
	int rw = PROT_READ | PROT_WRITE;
	struct kipc_ring_info i;
	void *p;

	ASSERT_EQ(0, mring_info(self->rfd, &i));
	EXPECT_EQ(-EACCES, try_mmap(self->rfd, i.state_off, self->pg, rw,
				    MAP_SHARED));
	EXPECT_EQ(-EACCES, try_mmap(self->wfd, i.state_off, self->pg, rw,
				    MAP_SHARED));
	EXPECT_EQ(-EACCES, try_mmap(self->rfd, i.prod_off, self->pg, rw,
				    MAP_SHARED));
	EXPECT_EQ(-EACCES, try_mmap(self->rfd, i.data_off, 2 * i.data_size, rw,
				    MAP_SHARED));
	EXPECT_EQ(-EACCES, try_mmap(self->wfd, i.cons_off, self->pg, rw,
				    MAP_SHARED));
	EXPECT_EQ(0, try_mmap(self->wfd, i.prod_off, self->pg, rw,
			      MAP_SHARED));
	EXPECT_EQ(0, try_mmap(self->wfd, i.data_off, 2 * i.data_size, rw,
			      MAP_SHARED));
	EXPECT_EQ(0, try_mmap(self->rfd, i.cons_off, self->pg, rw,
			      MAP_SHARED));

	/* Read-only stays read-only. */
	p = mring_mmap(self->rfd, i.data_off, 2 * i.data_size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, mprotect(p, 2 * i.data_size, rw));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 2 * i.data_size);
	p = mring_mmap(self->wfd, i.state_off, self->pg, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, mprotect(p, self->pg, rw));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->pg);
	p = mring_mmap(self->rfd, i.prod_off, self->pg, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, mprotect(p, self->pg, rw));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->pg);

	/* And a read-only view of the peer's page takes no side. */
	p = mring_mmap(self->rfd, i.prod_off, self->pg, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(2, write(self->wfd, "ok", 2));
	munmap(p, self->pg);
}

/*
 * mprotect() may make writable only what the end may write: a write end's
 * read-only view of the data (it could have mapped it writable, and what
 * it writes shows through the read end's view), never a read end's, as a
 * read-only SysV attach cannot be made writable either.
 */
TEST_F(ring, mprotect_writable_only_where_the_end_may_write)
{
	struct kipc_ring_info i;
	char *w, *r;

	ASSERT_EQ(0, mring_info(self->wfd, &i));
	w = mring_mmap(self->wfd, i.data_off, 2 * i.data_size, PROT_READ);
	ASSERT_NE(MAP_FAILED, w);
	r = mring_mmap(self->rfd, i.data_off, 2 * i.data_size, PROT_READ);
	ASSERT_NE(MAP_FAILED, r);
	EXPECT_EQ(0, mprotect(w, 2 * i.data_size, PROT_READ | PROT_WRITE));
	w[1] = 'k';
	EXPECT_EQ('k', r[1]);
	EXPECT_EQ('k', r[i.data_size + 1]);
	errno = 0;
	EXPECT_EQ(-1, mprotect(r, 2 * i.data_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(w, 2 * i.data_size);
	munmap(r, 2 * i.data_size);
}

/*
 * One owner per side: a second writable mapping of prod (or cons) is
 * EBUSY, from the same end or another; once the first goes, it works.
 */
TEST_F(ring, one_mapping_per_side)
{
	struct kipc_ring_info i;
	char path[PATH_MAX];
	int r2, w2, r3;

	ASSERT_EQ(0, mring_info(self->rfd, &i));
	ASSERT_EQ(0, map_prod(self));
	ASSERT_EQ(0, map_cons(self));
	EXPECT_EQ(-EBUSY, try_mmap(self->wfd, i.prod_off, self->pg,
				   PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(-EBUSY, try_mmap(self->rfd, i.cons_off, self->pg,
				   PROT_READ | PROT_WRITE, MAP_SHARED));
	w2 = dup(self->wfd);
	ASSERT_LE(0, w2);
	EXPECT_EQ(-EBUSY, try_mmap(w2, i.prod_off, self->pg,
				   PROT_READ | PROT_WRITE, MAP_SHARED));
	close(w2);

	ASSERT_EQ(0, mring_unmap(&self->prod));
	EXPECT_EQ(0, try_mmap(self->wfd, i.prod_off, self->pg,
			      PROT_READ | PROT_WRITE, MAP_SHARED));

	/* Another open file of a named channel: still one owner. */
	ASSERT_EQ(0, named_create(self, "owner", 0600, KIPC_CHAN_F_MAPPED, CAP,
				  path, sizeof(path)));
	r2 = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, r2);
	w2 = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, w2);
	r3 = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, r3);
	ASSERT_EQ(0, mring_unmap(&self->cons));
	ASSERT_EQ(0, mring_map(&self->cons, r2, KIPC_RING_READ));
	ASSERT_EQ(0, mring_info(r3, &i));
	EXPECT_EQ(-EBUSY, try_mmap(r3, i.cons_off, self->pg,
				   PROT_READ | PROT_WRITE, MAP_SHARED));
	ASSERT_EQ(0, mring_unmap(&self->cons));
	EXPECT_EQ(0, try_mmap(r3, i.cons_off, self->pg,
			      PROT_READ | PROT_WRITE, MAP_SHARED));
	close(r2);
	close(r3);
	close(w2);
}

/*
 * While the producer side is mapped, every kernel write path is EBUSY
 * (from any process), and nothing goes in; read() works.  munmap() gives
 * the side back: write() then continues at the ring's position.
 */
TEST_F(ring, write_ebusy_while_prod_mapped)
{
	struct iovec iov = { .iov_base = "v", .iov_len = 1 };
	char buf[32];
	pid_t pid;
	int p[2];

	ASSERT_EQ(0, map_prod(self));
	errno = 0;
	EXPECT_EQ(-1, write(self->wfd, "x", 1));
	EXPECT_EQ(EBUSY, errno);
	errno = 0;
	EXPECT_EQ(-1, writev(self->wfd, &iov, 1));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(1, write(p[1], "s", 1));
	errno = 0;
	EXPECT_EQ(-1, splice(p[0], NULL, self->wfd, NULL, 1, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(1, fd_queued(p[0]));
	EXPECT_EQ(-EBUSY, uring_rw(true, self->wfd, "u", 1));
	EXPECT_EQ(0, fd_queued(self->rfd));

	/* The side is the mapping's, not the process's. */
	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(write(self->wfd, "c", 1) == -1 && errno == EBUSY);
		_exit(0);
	}
	ASSERT_CHILD_OK(pid);

	EXPECT_EQ(4, mring_write(&self->prod, "ring", 4, 0));
	ASSERT_EQ(0, mring_unmap(&self->prod));
	EXPECT_EQ(6, write(self->wfd, "kernel", 6));
	EXPECT_EQ(1, splice(p[0], NULL, self->wfd, NULL, 1, 0));
	EXPECT_EQ(1, uring_rw(true, self->wfd, "u", 1));
	ASSERT_EQ(0, map_prod(self));
	EXPECT_EQ(5, mring_write(&self->prod, "again", 5, 0));
	EXPECT_EQ(17, fd_queued(self->rfd));
	ASSERT_EQ(17, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ringkernelsuagain", 17));
	close(p[0]);
	close(p[1]);
}

#define RACE_BYTES	(4u << 20)

/*
 * Several writers, as kipc chooses to serve them: one owner per side.
 * Processes calling write() while another process's mapping commits get
 * EBUSY every time, never a byte in: the reader sees exactly the owner's
 * stream.  Once the owner is gone (it exits: the kernel takes the side
 * back at its last position), write() works again, after the stream.
 */
TEST_F_TIMEOUT(ring, writers_racing_ring_commits, 300)
{
	static unsigned char got[4096];
	volatile unsigned long *shared;
	pid_t owner, racer[2];
	uint64_t total = 0;
	int go[2], i;
	ssize_t n;

	shared = mmap(NULL, self->pg, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));

	/* The owner: maps prod, commits RACE_BYTES, then waits to exit. */
	owner = spawn(WATCHDOG);
	ASSERT_LE(0, owner);
	if (!owner) {
		struct mring r;
		unsigned char buf[777];
		uint64_t sent = 0;
		size_t k, len;
		char c;

		CHILD_CHECK(!mring_map(&r, self->wfd, KIPC_RING_WRITE));
		__atomic_store_n(&shared[0], 1, __ATOMIC_SEQ_CST);
		while (sent < RACE_BYTES) {
			len = 1 + (sent * 7) % sizeof(buf);
			if (len > RACE_BYTES - sent)
				len = RACE_BYTES - sent;
			for (k = 0; k < len; k++)
				buf[k] = (unsigned char)((sent + k) * 31 + 7);
			CHILD_CHECK(mring_write_all(&r, buf, len) ==
				    (ssize_t)len);
			sent += len;
		}
		CHILD_CHECK(read(go[0], &c, 1) == 1);
		_exit(0);
	}
	while (!__atomic_load_n(&shared[0], __ATOMIC_SEQ_CST))
		usleep(1000);

	/* Two racers: write() until told to stop, counting the answers. */
	for (i = 0; i < 2; i++) {
		racer[i] = spawn(WATCHDOG);
		ASSERT_LE(0, racer[i]);
		if (!racer[i]) {
			unsigned long busy = 0, other = 0;

			while (!__atomic_load_n(&shared[1], __ATOMIC_SEQ_CST)) {
				if (write(self->wfd, "XX", 2) == -1 &&
				    errno == EBUSY)
					busy++;
				else
					other++;
			}
			__atomic_fetch_add(&shared[2], busy, __ATOMIC_SEQ_CST);
			__atomic_fetch_add(&shared[3], other, __ATOMIC_SEQ_CST);
			_exit(0);
		}
	}

	while (total < RACE_BYTES) {
		n = read(self->rfd, got, sizeof(got));
		ASSERT_LT(0, n) TH_LOG("read: %s", strerror(errno));
		for (i = 0; i < n; i++, total++)
			ASSERT_EQ((unsigned char)(total * 31 + 7), got[i])
				TH_LOG("byte %llu", (unsigned long long)total);
	}
	__atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
	ASSERT_CHILD_OK(racer[0]);
	ASSERT_CHILD_OK(racer[1]);
	EXPECT_LT(0UL, shared[2]);
	EXPECT_EQ(0UL, shared[3]);
	EXPECT_EQ(0, fd_queued(self->rfd));

	/* The owner goes: write() takes up after its last byte. */
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_CHILD_OK(owner);
	EXPECT_EQ(2, write(self->wfd, "ok", 2));
	ASSERT_EQ(2, read(self->rfd, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, "ok", 2));
	close(go[0]);
	close(go[1]);
	munmap((void *)shared, self->pg);
}

/* The same for the consumer side and read, readv, splice, peek, io_uring. */
TEST_F(ring, read_ebusy_while_cons_mapped)
{
	char buf[32] = { 0 }, v;
	struct iovec iov = { .iov_base = &v, .iov_len = 1 };
	struct kipc_peek pk = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	int p[2];

	ASSERT_EQ(6, write(self->wfd, "abcdef", 6));
	ASSERT_EQ(0, map_cons(self));
	errno = 0;
	EXPECT_EQ(-1, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	errno = 0;
	EXPECT_EQ(-1, readv(self->rfd, &iov, 1));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	errno = 0;
	EXPECT_EQ(-1, splice(self->rfd, NULL, p[1], NULL, 1, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, fd_queued(p[0]));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->rfd, KIPC_IOC_PEEK, &pk));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-EBUSY, uring_rw(false, self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(6, fd_queued(self->rfd));

	/* write() is the other side's: it works. */
	EXPECT_EQ(2, write(self->wfd, "gh", 2));
	EXPECT_EQ(2, mring_read(&self->cons, buf, 2, 0));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_EQ(0, mring_unmap(&self->cons));
	EXPECT_EQ(1, splice(self->rfd, NULL, p[1], NULL, 1, 0));
	EXPECT_EQ(1, uring_rw(false, self->rfd, buf, 1));
	EXPECT_EQ('d', buf[0]);
	EXPECT_EQ(4, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "efgh", 4));
	ASSERT_EQ(1, read(p[0], buf, 1));
	EXPECT_EQ('c', buf[0]);
	close(p[0]);
	close(p[1]);
}

/* Byte i and byte i + size of the data area are one byte. */
TEST_F(ring, data_mapped_twice)
{
	uint64_t size;
	char out[8];

	ASSERT_EQ(0, map_prod(self));
	ASSERT_EQ(0, map_cons(self));
	size = self->prod.size;
	self->prod.data[5] = 'x';
	self->prod.data[size + 7] = 'y';
	EXPECT_EQ('x', self->prod.data[size + 5]);
	EXPECT_EQ('x', self->cons.data[size + 5]);
	EXPECT_EQ('y', self->prod.data[7]);
	EXPECT_EQ('y', self->cons.data[7]);

	/*
	 * Both positions moved (validly) to 3 bytes before the end: a
	 * commit across it is one memcpy, and read() returns it whole.
	 */
	__atomic_store_n(&self->prod.prod->pos, size - 3, __ATOMIC_RELEASE);
	__atomic_store_n(&self->cons.cons->pos, size - 3, __ATOMIC_RELEASE);
	ASSERT_EQ(0, mring_unmap(&self->cons));
	EXPECT_EQ(0, fd_queued(self->rfd));
	EXPECT_EQ(6, mring_write(&self->prod, "wraps!", 6, 0));
	EXPECT_EQ(0, memcmp(self->prod.data + size - 3, "wraps!", 6));
	EXPECT_EQ(0, memcmp(self->prod.data, "ps!", 3));
	ASSERT_EQ(6, read(self->rfd, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, "wraps!", 6));
	EXPECT_EQ(size + 3, self->prod.cons->pos);
}

/* KIPC_IOC_SET_CAPACITY: EBUSY while any mapping lives; pages after. */
TEST_F(ring, set_capacity_with_mapping)
{
	static char big[3 * 8192];
	struct kipc_capacity cap = { .capacity = 8192 };
	struct kipc_ring_info i;
	void *p;

	ASSERT_EQ(0, mring_info(self->rfd, &i));
	p = mring_mmap(self->rfd, i.state_off, self->pg, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->wfd, KIPC_IOC_SET_CAPACITY, &cap));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, munmap(p, self->pg));

	ASSERT_EQ(0, map_prod(self));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->rfd, KIPC_IOC_SET_CAPACITY, &cap));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, mring_unmap(&self->prod));

	cap.capacity = 12288;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->wfd, KIPC_IOC_SET_CAPACITY, &cap));
	EXPECT_EQ(EINVAL, errno);
	cap.capacity = 8192;
	ASSERT_EQ(0, ioctl(self->wfd, KIPC_IOC_SET_CAPACITY, &cap));
	EXPECT_EQ(8192, cap.capacity);
	ASSERT_EQ(0, mring_info(self->rfd, &i));
	EXPECT_EQ(8192, i.data_size);

	/* The resized ring, mapped: 8192 bytes fill it, not one more. */
	ASSERT_EQ(0, map_prod(self));
	EXPECT_EQ(8192, self->prod.size);
	EXPECT_EQ(8192, self->prod.state->data_size);
	EXPECT_EQ(8192, mring_write(&self->prod, big, sizeof(big),
				    MRING_NONBLOCK));
	EXPECT_EQ(-EAGAIN, mring_write(&self->prod, big, 1, MRING_NONBLOCK));
	EXPECT_EQ(8192, fd_queued(self->rfd));
}

/*
 * munmap() of part of a ring mapping is EINVAL (a side has one mapping,
 * whole); of all of it, fine.  mremap() may move a mapping, never grow it.
 */
TEST_F(ring, munmap_and_mremap)
{
	struct kipc_ring_info i;
	char *p, *spot, *moved, buf[8];
	uint64_t size;

	ASSERT_EQ(0, map_prod(self));
	size = self->prod.size;
	errno = 0;
	EXPECT_EQ(-1, munmap(self->prod.data, self->pg));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, munmap(self->prod.data + size, size));
	EXPECT_EQ(EINVAL, errno);
	/* Still whole and working. */
	EXPECT_EQ(3, mring_write(&self->prod, "one", 3, 0));
	EXPECT_EQ(3, fd_queued(self->rfd));

	errno = 0;
	EXPECT_EQ(MAP_FAILED, mremap(self->prod.prod, self->pg, 2 * self->pg,
				     MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mremap(self->prod.data, 2 * size, 4 * size,
				     MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);

	/* Moved, the producer's page is still the producer's. */
	spot = mmap(NULL, self->pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, spot);
	moved = mremap(self->prod.prod, self->pg, self->pg,
		       MREMAP_MAYMOVE | MREMAP_FIXED, spot);
	ASSERT_EQ(spot, moved);
	self->prod.prod = (struct kipc_ring_pos *)moved;
	EXPECT_EQ(3, self->prod.prod->pos);
	errno = 0;
	EXPECT_EQ(-1, write(self->wfd, "x", 1));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(3, mring_write(&self->prod, "two", 3, 0));
	EXPECT_EQ(6, fd_queued(self->rfd));
	ASSERT_EQ(6, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "onetwo", 6));

	/* The whole of it unmapped: the side is back with the kernel. */
	ASSERT_EQ(0, mring_unmap(&self->prod));
	EXPECT_EQ(1, write(self->wfd, "k", 1));

	/* A mapping of the data alone splits no more than the rest. */
	ASSERT_EQ(0, mring_info(self->rfd, &i));
	p = mring_mmap(self->rfd, i.data_off, 2 * i.data_size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, munmap(p + i.data_size, self->pg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, munmap(p, 2 * i.data_size));
}

/*
 * fork() copies no ring mapping: the child faults on the parent's address.
 * It can map a side the parent does not hold, and gets EBUSY for the one
 * it does.
 */
TEST_F(ring, fork_does_not_copy_mappings)
{
	volatile const char *state;
	char buf[8];
	pid_t pid;

	ASSERT_EQ(0, map_prod(self));
	ASSERT_EQ(4, mring_write(&self->prod, "fork", 4, 0));
	state = (volatile const char *)self->prod.state;
	EXPECT_EQ((char)(KIPC_RING_MAGIC & 0xff), state[0]);
	/*
	 * Nor can the owner's mapping be made inheritable again (a kernel
	 * built without madvise() has no way to try: ENOSYS).
	 */
	errno = 0;
	EXPECT_EQ(-1, madvise((void *)self->prod.prod,
			      (size_t)sysconf(_SC_PAGESIZE), MADV_DOFORK));
	EXPECT_TRUE(errno == EINVAL || errno == ENOSYS)
		TH_LOG("errno %d", errno);

	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		signal(SIGSEGV, SIG_DFL);
		(void)state[0];
		_exit(0);
	}
	EXPECT_TRUE(killed_by(reap(pid), SIGSEGV));

	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mring c, p;

		CHILD_CHECK(mring_map(&c, self->rfd, KIPC_RING_READ) == 0);
		CHILD_CHECK(mring_read(&c, buf, sizeof(buf), 0) == 4);
		CHILD_CHECK(!memcmp(buf, "fork", 4));
		CHILD_CHECK(mring_map(&p, self->wfd, KIPC_RING_WRITE) ==
			    -EBUSY);
		CHILD_CHECK(write(self->wfd, "x", 1) == -1 && errno == EBUSY);
		_exit(0);
	}
	ASSERT_CHILD_OK(pid);
	/* The child's consumer mapping went with it: read() works again. */
	EXPECT_EQ(4, self->prod.cons->pos);
	EXPECT_EQ(2, mring_write(&self->prod, "ok", 2, 0));
	EXPECT_EQ(2, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
}

/*
 * An O_WRONLY write end can map (the module lets every end of a ring map
 * it) and stays a write end for everything else.
 */
TEST_F(ring, wronly_end_maps)
{
	char path[PATH_MAX], buf[8];
	struct mring p, c;
	int r, w;

	EXPECT_EQ(O_WRONLY, fcntl(self->wfd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, named_create(self, "wronly", 0600, KIPC_CHAN_F_MAPPED,
				  CAP, path, sizeof(path)));
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, r);
	w = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, mring_map(&p, w, KIPC_RING_WRITE));
	EXPECT_EQ(O_WRONLY, fcntl(w, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(O_RDONLY, fcntl(r, F_GETFL) & O_ACCMODE);
	errno = 0;
	EXPECT_EQ(-1, read(w, buf, 1));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, write(r, "x", 1));
	EXPECT_EQ(EBADF, errno);
	/* Nor can either wait as the other. */
	EXPECT_EQ(-EBADF, mring_wait(w, KIPC_RING_READ, 0));
	EXPECT_EQ(-EBADF, mring_wait(r, KIPC_RING_WRITE, 1));

	EXPECT_EQ(5, mring_write(&p, "named", 5, 0));
	ASSERT_EQ(5, read(r, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "named", 5));
	ASSERT_EQ(0, mring_map(&c, r, KIPC_RING_READ));
	EXPECT_EQ(3, mring_write(&p, "rrr", 3, 0));
	EXPECT_EQ(3, mring_read(&c, buf, sizeof(buf), 0));
	mring_unmap(&p);
	mring_unmap(&c);
	close(r);
	close(w);
}

/* Removing the node leaves the mapped ring working, as an open fd would. */
TEST_F(ring, named_removed_while_mapped)
{
	char path[PATH_MAX], buf[16], name[KIPC_NAME_MAX + 1];
	struct mring p, c;
	struct stat st;
	int r, w;
	size_t i;

	ASSERT_EQ(0, named_create(self, "removed", 0600, KIPC_CHAN_F_MAPPED,
				  CAP, path, sizeof(path)));
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, r);
	w = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, mring_map(&p, w, KIPC_RING_WRITE));
	ASSERT_EQ(0, mring_map(&c, r, KIPC_RING_READ));
	snprintf(name, sizeof(name), "%s", strrchr(path, '/') + 1);
	ASSERT_EQ(0, ctl_chan_remove(self->ctl, name));
	for (i = 0; i < ARRAY_SIZE(self->names); i++)
		if (!strcmp(self->names[i], name))
			self->names[i][0] = '\0';
	errno = 0;
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);

	EXPECT_EQ(7, mring_write(&p, "removed", 7, 0));
	EXPECT_EQ(7, mring_read(&c, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "removed", 7));
	/* And closing the fds leaves it to the mappings. */
	close(r);
	close(w);
	EXPECT_EQ(4, mring_write(&p, "maps", 4, 0));
	EXPECT_EQ(4, mring_read(&c, buf, sizeof(buf), 0));
	EXPECT_EQ(0, mring_flags(&c));
	mring_unmap(&p);
	EXPECT_TRUE(mring_flags(&c) & KIPC_RING_WRITERS_GONE);
	EXPECT_EQ(0, mring_read(&c, buf, sizeof(buf), 0));
	mring_unmap(&c);
}

/*
 * A write end of a ring maps the data and so sees it: opening a named
 * mapped channel O_WRONLY needs read permission as well.  A FIFO and an
 * unmapped kipc node of the same mode let nobody in.
 */
struct perm_case {
	const char *path;
	int expect;	/* 0 or an errno */
};

static int open_wronly_as_nobody(const struct perm_case *pc)
{
	int fd;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 100;
	fd = open(pc->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return pc->expect ? 1 : 0;
	}
	fprintf(stderr, "# open %s: %s\n", pc->path, strerror(errno));
	return errno == pc->expect ? 0 : 2;
}

TEST_F(ring, named_wronly_needs_read_permission)
{
	char mapped[PATH_MAX], plain[PATH_MAX], open_map[PATH_MAX];
	char dir[] = "/tmp/kipc_mapped_test.XXXXXX", fifo[PATH_MAX];
	struct perm_case cases[4];
	int readers[4], i;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to become another user");
	umask(0);
	ASSERT_EQ(0, named_create(self, "wonly", 0622, KIPC_CHAN_F_MAPPED,
				  CAP, mapped, sizeof(mapped)));
	ASSERT_EQ(0, named_create(self, "wplain", 0622, 0, CAP, plain,
				  sizeof(plain)));
	ASSERT_EQ(0, named_create(self, "wopen", 0666, KIPC_CHAN_F_MAPPED,
				  CAP, open_map, sizeof(open_map)));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, chmod(dir, 0755));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(fifo, 0622));
	ASSERT_EQ(0, chmod(fifo, 0622));

	cases[0] = (struct perm_case){ mapped, EACCES };
	cases[1] = (struct perm_case){ plain, 0 };
	cases[2] = (struct perm_case){ open_map, 0 };
	cases[3] = (struct perm_case){ fifo, 0 };
	/* A reader on each, so that O_NONBLOCK is no ENXIO. */
	for (i = 0; i < 4; i++) {
		readers[i] = open(cases[i].path, O_RDONLY | O_NONBLOCK |
				  O_CLOEXEC);
		ASSERT_LE(0, readers[i]) TH_LOG("%s", cases[i].path);
	}
	for (i = 0; i < 4; i++) {
		pid = spawn(WATCHDOG);
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(open_wronly_as_nobody(&cases[i]));
		EXPECT_EQ(0, WEXITSTATUS(reap(pid)))
			TH_LOG("%s: expected %s", cases[i].path,
			       cases[i].expect ? strerror(cases[i].expect) :
			       "success");
	}
	for (i = 0; i < 4; i++)
		close(readers[i]);
	unlink(fifo);
	rmdir(dir);
}

/*
 * poll() and epoll compute readiness from the shared positions: a commit
 * made with no syscall at all is POLLIN at once.  Polling marks the side
 * KIPC_RING_POLLED, after which the peer wakes on every move.
 */
TEST_F(ring, poll_from_positions)
{
	static char big[2 * CAP];
	struct kipc_chan_stats st;
	char b;

	ASSERT_EQ(0, map_prod(self));
	ASSERT_EQ(0, map_cons(self));
	EXPECT_EQ(0, self->prod.prod->waiting);
	EXPECT_EQ(0, self->prod.cons->waiting);

	/* A commit nobody was told of. */
	EXPECT_EQ(1, mring_write(&self->prod, "a", 1, 0));
	EXPECT_EQ(0, self->prod.wakes);
	EXPECT_EQ(POLLIN | POLLRDNORM, revents(self->rfd));
	EXPECT_EQ(1, fd_queued(self->rfd));
	ASSERT_EQ(0, fd_chan_stats(self->wfd, &st));
	EXPECT_EQ(1, st.queued);
	EXPECT_TRUE(self->prod.cons->waiting & KIPC_RING_POLLED);

	EXPECT_EQ(1, mring_read(&self->cons, &b, 1, 0));
	EXPECT_EQ(0, revents(self->rfd));
	EXPECT_EQ(0, fd_queued(self->rfd));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(self->wfd));
	EXPECT_TRUE(self->cons.prod->waiting & KIPC_RING_POLLED);

	/* Full: no POLLOUT until PIPE_BUF bytes fit again. */
	EXPECT_EQ(CAP, mring_write(&self->prod, big, sizeof(big),
				   MRING_NONBLOCK));
	EXPECT_EQ(0, revents(self->wfd));
	EXPECT_EQ(POLLIN | POLLRDNORM, revents(self->rfd));
	EXPECT_EQ(PIPE_BUF - 1, mring_read(&self->cons, big, PIPE_BUF - 1, 0));
	EXPECT_EQ(0, revents(self->wfd));
	EXPECT_EQ(1, mring_read(&self->cons, big, 1, 0));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(self->wfd));

	/* The mapping holds the write end: no POLLHUP until it goes too. */
	ASSERT_EQ(0, close_fd(&self->wfd));
	EXPECT_EQ(POLLIN | POLLRDNORM, revents(self->rfd));
	ASSERT_EQ(0, mring_unmap(&self->prod));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLHUP, revents(self->rfd));
	while (mring_read(&self->cons, big, sizeof(big), 0) > 0)
		;
	EXPECT_EQ(POLLHUP, revents(self->rfd));
}

/* POLLERR on the write end once the reader, fd and mapping, is gone. */
TEST_F(ring, pollerr_readers_gone)
{
	ASSERT_EQ(0, map_prod(self));
	ASSERT_EQ(0, map_cons(self));
	EXPECT_EQ(2, mring_write(&self->prod, "ab", 2, 0));
	ASSERT_EQ(0, close_fd(&self->rfd));
	EXPECT_EQ(POLLOUT | POLLWRNORM, revents(self->wfd));
	EXPECT_FALSE(mring_flags(&self->prod) & KIPC_RING_READERS_GONE);
	ASSERT_EQ(0, mring_unmap(&self->cons));
	EXPECT_EQ(POLLOUT | POLLWRNORM | POLLERR, revents(self->wfd));
	EXPECT_TRUE(mring_flags(&self->prod) & KIPC_RING_READERS_GONE);
	EXPECT_EQ(-EPIPE, mring_write(&self->prod, "c", 1, 0));
	EXPECT_EQ(-EPIPE, mring_wait(self->wfd, KIPC_RING_WRITE, 1));
}

static int epoll_one(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return ep;
}

static void epoll_drain(int ep)
{
	struct epoll_event ev;

	while (epoll_wait(ep, &ev, 1, 0) > 0)
		;
}

/*
 * An edge-triggered epoll waiter gets an edge from every ring commit (the
 * read end's KIPC_RING_POLLED makes the producer call KIPC_IOC_RING_WAKE),
 * also while blocked in epoll_wait(); and one waiting for room, from a
 * ring release.
 */
TEST_F(ring, epoll_woken_by_ring_moves)
{
	static char big[CAP];
	struct epoll_event ev;
	int epr, epw;
	pid_t pid;

	ASSERT_EQ(0, map_prod(self));
	ASSERT_EQ(0, map_cons(self));
	epr = epoll_one(self->rfd, EPOLLIN | EPOLLET);
	ASSERT_LE(0, epr);
	epw = epoll_one(self->wfd, EPOLLOUT | EPOLLET);
	ASSERT_LE(0, epw);
	EXPECT_TRUE(self->prod.cons->waiting & KIPC_RING_POLLED);
	EXPECT_TRUE(self->cons.prod->waiting & KIPC_RING_POLLED);
	ASSERT_EQ(1, epoll_wait(epw, &ev, 1, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	EXPECT_EQ(0, epoll_wait(epr, &ev, 1, 0));

	/* Every commit is an edge, not only the first into an empty ring. */
	EXPECT_EQ(1, mring_write(&self->prod, "a", 1, 0));
	ASSERT_EQ(1, epoll_wait(epr, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(1, mring_write(&self->prod, "b", 1, 0));
	ASSERT_EQ(1, epoll_wait(epr, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, epoll_wait(epr, &ev, 1, 0));
	EXPECT_EQ(2, self->prod.wakes);
	EXPECT_EQ(0, self->prod.wake_errors);

	/* A waiter blocked in epoll_wait(), woken by a commit. */
	EXPECT_EQ(2, mring_read(&self->cons, big, 2, 0));
	epoll_drain(epr);
	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(epoll_wait(epr, &ev, 1, LONG_MS) == 1);
		_exit(ev.data.fd == self->rfd && ev.events == EPOLLIN ? 0 : 2);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_epoll_wait));
	EXPECT_EQ(1, mring_write(&self->prod, "c", 1, 0));
	ASSERT_CHILD_OK(pid);

	/* And one waiting for room, woken by a release. */
	EXPECT_EQ(CAP - 1, mring_write(&self->prod, big, CAP, MRING_NONBLOCK));
	epoll_drain(epw);
	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(epoll_wait(epw, &ev, 1, LONG_MS) == 1);
		_exit(ev.data.fd == self->wfd && ev.events == EPOLLOUT ? 0 : 2);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_epoll_wait));
	EXPECT_EQ(PIPE_BUF, mring_read(&self->cons, big, PIPE_BUF, 0));
	ASSERT_CHILD_OK(pid);
	close(epr);
	close(epw);
}

/* KIPC_IOC_RING_WAIT: its arguments, and what ends it. */
TEST_F(ring, ring_wait_args)
{
	struct kipc_ring_wait w;
	size_t i;

	memset(&w, 0, sizeof(w));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->rfd, KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, mring_wait(self->rfd,
				      KIPC_RING_READ | KIPC_RING_WRITE, 1));
	EXPECT_EQ(-EINVAL, mring_wait(self->wfd, 0x4, 1));
	EXPECT_EQ(-EINVAL, mring_wait(self->wfd, KIPC_RING_WRITE, 0));
	EXPECT_EQ(-EINVAL, mring_wait(self->wfd, KIPC_RING_WRITE, CAP + 1));
	w = (struct kipc_ring_wait){ .flags = KIPC_RING_WRITE, .need = 1,
				     .__reserved0 = 1 };
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->wfd, KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < ARRAY_SIZE(w.__reserved); i++) {
		w = (struct kipc_ring_wait){ .flags = KIPC_RING_WRITE,
					     .need = 1 };
		w.__reserved[i] = 1;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->wfd, KIPC_IOC_RING_WAIT, &w));
		EXPECT_EQ(EINVAL, errno);
	}
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->wfd, KIPC_IOC_RING_WAIT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* The wrong role. */
	EXPECT_EQ(-EBADF, mring_wait(self->wfd, KIPC_RING_READ, 0));
	EXPECT_EQ(-EBADF, mring_wait(self->rfd, KIPC_RING_WRITE, 1));

	/* Conditions that hold return at once, consuming nothing. */
	EXPECT_EQ(0, mring_wait(self->wfd, KIPC_RING_WRITE, CAP));
	ASSERT_EQ(1, write(self->wfd, "x", 1));
	EXPECT_EQ(0, mring_wait(self->rfd, KIPC_RING_READ, 0));
	EXPECT_EQ(1, fd_queued(self->rfd));
	EXPECT_EQ(0, mring_wait(self->wfd, KIPC_RING_WRITE, CAP - 1));
	EXPECT_EQ(0, mring_wake(self->rfd));
	EXPECT_EQ(0, mring_wake(self->wfd));
	/* No writer left: the reader's wait is over (EOF). */
	ASSERT_EQ(0, close_fd(&self->wfd));
	EXPECT_EQ(0, mring_wait(self->rfd, KIPC_RING_READ, 0));
}

/*
 * A sleeping KIPC_IOC_RING_WAIT ends when the kernel's read() or write()
 * moves the ring far enough (@need bytes of room, not one), and with
 * EINTR on a signal.
 */
TEST_F(ring, ring_wait_wakes)
{
	static char big[CAP];
	pid_t pid;

	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(mring_wait(self->rfd, KIPC_RING_READ, 0) == 0);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_ioctl));
	ASSERT_EQ(1, write(self->wfd, "x", 1));
	ASSERT_CHILD_OK(pid);
	ASSERT_EQ(1, read(self->rfd, big, 1));

	ASSERT_EQ(CAP, chan_fill(self->wfd));
	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(mring_wait(self->wfd, KIPC_RING_WRITE,
				       PIPE_BUF) == 0);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_ioctl));
	ASSERT_EQ(1, read(self->rfd, big, 1));
	ASSERT_TRUE(task_sleeps_in(pid, SYS_ioctl));
	ASSERT_EQ(PIPE_BUF - 1, read(self->rfd, big, PIPE_BUF - 1));
	ASSERT_CHILD_OK(pid);

	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_CHECK(!catch_signal(SIGUSR1));
		CHILD_CHECK(mring_wait(self->wfd, KIPC_RING_WRITE, CAP) ==
			    -EINTR);
		CHILD_CHECK(sig_count == 1);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(pid, SYS_ioctl));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_CHILD_OK(pid);
}

/*
 * cat(1) of a named mapped channel: open() and read() to EOF, fed by a
 * ring producer that opened the node O_WRONLY.
 */
#define CAT_BYTES	(1 << 20)

TEST_F_TIMEOUT(ring, cat_reads_named_ring, 120)
{
	static unsigned char buf[3 * CAP];
	char path[PATH_MAX];
	uint64_t off = 0, seed = 0xca7;
	struct mring p;
	pid_t pid;
	size_t n;
	int w;

	ASSERT_EQ(0, named_create(self, "cat", 0600, KIPC_CHAN_F_MAPPED, CAP,
				  path, sizeof(path)));
	pid = spawn(WATCHDOG);
	ASSERT_LE(0, pid);
	if (!pid) {
		uint64_t got = 0;
		ssize_t r;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		CHILD_CHECK(fd >= 0);
		while ((r = read(fd, buf, sizeof(buf))) > 0) {
			CHILD_CHECK(pattern_check(buf, got, r) == -1);
			got += r;
		}
		CHILD_CHECK(r == 0);
		CHILD_CHECK(got == CAT_BYTES);
		_exit(0);
	}
	w = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, mring_map(&p, w, KIPC_RING_WRITE));
	while (off < CAT_BYTES) {
		n = rnd_size(&seed, sizeof(buf));
		if (n > CAT_BYTES - off)
			n = CAT_BYTES - off;
		pattern_fill(buf, off, n);
		ASSERT_EQ(n, mring_write_all(&p, buf, n));
		off += n;
	}
	EXPECT_EQ(0, p.wake_errors);
	mring_unmap(&p);
	close(w);
	ASSERT_CHILD_OK(pid);
}

/*
 * A hostile peer: a position out of range (0 <= prod - cons <= size
 * broken) breaks this ring, and only it.  From then read(), write() and
 * KIPC_IOC_RING_WAIT say EIO, poll says POLLERR, and the state page says
 * KIPC_RING_BROKEN.
 */
enum hostility { PROD_AHEAD, PROD_BACKWARDS, CONS_AHEAD };

static void hostile(struct __test_metadata *_metadata,
		    FIXTURE_DATA(ring) *self, enum hostility how)
{
	struct mring *own;
	char buf[128];

	expect_channel_works(_metadata, self->ctl, true);
	memset(buf, 'h', sizeof(buf));
	if (how == CONS_AHEAD) {
		ASSERT_EQ(0, map_cons(self));
		own = &self->cons;
		ASSERT_EQ(100, write(self->wfd, buf, 100));
		ASSERT_EQ(100, mring_read(own, buf, sizeof(buf), 0));
		__atomic_store_n(&own->cons->pos, own->prod->pos + 1,
				 __ATOMIC_RELEASE);
		errno = 0;
		EXPECT_EQ(-1, write(self->wfd, "x", 1));
		EXPECT_EQ(EIO, errno);
	} else {
		ASSERT_EQ(0, map_prod(self));
		own = &self->prod;
		ASSERT_EQ(100, mring_write(own, buf, 100, 0));
		ASSERT_EQ(100, read(self->rfd, buf, sizeof(buf)));
		__atomic_store_n(&own->prod->pos, how == PROD_AHEAD ?
				 own->cons->pos + own->size + 1 :
				 own->cons->pos - 1, __ATOMIC_RELEASE);
		errno = 0;
		EXPECT_EQ(-1, read(self->rfd, buf, 1));
		EXPECT_EQ(EIO, errno);
	}
	EXPECT_TRUE(mring_flags(own) & KIPC_RING_BROKEN);
	EXPECT_TRUE(revents(self->rfd) & POLLERR);
	EXPECT_TRUE(revents(self->wfd) & POLLERR);
	EXPECT_EQ(-EIO, mring_wait(self->rfd, KIPC_RING_READ, 0));
	EXPECT_EQ(-EIO, mring_wait(self->wfd, KIPC_RING_WRITE, 1));
	/* The ring's own protocol says the same. */
	if (how == CONS_AHEAD) {
		EXPECT_EQ(-EIO, mring_read(own, buf, 1, 0));
	} else {
		EXPECT_EQ(-EIO, mring_write(own, "y", 1, 0));
	}

	/* Gone back to the kernel, the side is still broken. */
	ASSERT_EQ(0, mring_unmap(own));
	errno = 0;
	EXPECT_EQ(-1, read(self->rfd, buf, 1));
	EXPECT_EQ(EIO, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->wfd, "z", 1));
	EXPECT_EQ(EIO, errno);

	/* Channels made before (above) and after are none the worse. */
	expect_channel_works(_metadata, self->ctl, true);
	expect_channel_works(_metadata, self->ctl, false);
}

TEST_F(ring, hostile_producer_ahead)
{
	hostile(_metadata, self, PROD_AHEAD);
}

TEST_F(ring, hostile_producer_backwards)
{
	hostile(_metadata, self, PROD_BACKWARDS);
}

TEST_F(ring, hostile_consumer_ahead)
{
	hostile(_metadata, self, CONS_AHEAD);
}

TEST_HARNESS_MAIN
