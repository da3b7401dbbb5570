// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Mapped channels through kipc_ring(3): the API's rules, long streams
 * between two processes across the ring's end, sleeping and waking on a
 * tiny ring, end of file, EPIPE, a peer that writes a bad position,
 * fork(), the kernel's read() and write() on the same ring, and the
 * kipc-mapped backend of kipc_chan(3).  Without the module only the
 * argument checks run; the rest skip (or fail with KIPC_REQUIRE=1).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/kipc.h>

#include "ktap.h"

#define MAPPED		KIPC_BACKEND_KIPC_MAPPED

/* Counters a child shares with the case that forked it. */
struct shared {
	unsigned long waits[2];		/* kipc_ring_wait() calls: [role - 1] */
	unsigned long wraps;		/* peeks that ran across the ring's end */
};

static struct shared *shared_map(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return sh == MAP_FAILED ? NULL : sh;
}

/* A mapped pair of @capacity bytes (0: the default): fds[0] reads. */
static int mapped_pair(uint64_t capacity, int fds[2])
{
	struct kipc_chan_pair p;
	int ctl, ret = 0;

	ctl = open("/dev/kipc/control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	memset(&p, 0, sizeof(p));
	p.flags = O_CLOEXEC | KIPC_CHAN_F_MAPPED;
	p.capacity = capacity;
	if (ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p) < 0)
		ret = -errno;
	close(ctl);
	fds[0] = p.rfd;
	fds[1] = p.wfd;
	return ret;
}

/* Byte @i of every test stream: any shift or repeat shows. */
static unsigned char stream_byte(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL;

	return (unsigned char)((x ^ (x >> 29)) >> 24);
}

static void stream_fill(unsigned char *p, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = stream_byte(off + i);
}

/* The first byte of @p that is not the stream's at @off, or @len. */
static size_t stream_check(const unsigned char *p, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != stream_byte(off + i))
			return i;
	return len;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A piece length in 1..@max: mostly single bytes and small odd sizes,
 * which leave positions at every alignment, sometimes anything, and
 * sometimes the whole ring or one byte less.
 */
static size_t pick_len(uint64_t *s, size_t max)
{
	size_t len;

	switch (rnd(s) % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		len = 1;
		break;
	case 6: case 7: case 8: case 9:
		len = (rnd(s) % 32) | 1;
		break;
	case 10: case 11:
		len = (rnd(s) % 512) | 1;
		break;
	case 12:
		len = max;
		break;
	case 13:
		len = max - 1;
		break;
	default:
		len = 1 + rnd(s) % max;
		break;
	}
	return len < 1 ? 1 : len > max ? max : len;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A stream between two processes; @pause_one_in 0 never pauses. */
struct stream {
	uint64_t total;
	uint64_t seed;
	unsigned int pause_one_in;
	long pause_us;
};

static void maybe_pause(const struct stream *st, uint64_t *s)
{
	if (st->pause_one_in && rnd(s) % st->pause_one_in == 0)
		sleep_us(1 + (long)(rnd(s) % (uint64_t)st->pause_us));
}

/*
 * The producer: reserve, fill, commit (sometimes less than reserved: the
 * rest is reserved again), sleeping whenever the ring is too full.
 */
static int produce(struct kipc_ring *w, const struct stream *st,
		   struct shared *sh)
{
	size_t size = kipc_ring_size(w), len;
	uint64_t s = st->seed, off = 0;
	void *dst;
	int ret;

	while (off < st->total) {
		len = pick_len(&s, size);
		if (len > st->total - off)
			len = st->total - off;
		while ((ret = kipc_ring_reserve(w, len, &dst)) == -EAGAIN) {
			sh->waits[KIPC_RING_WRITE - 1]++;
			ret = kipc_ring_wait(w, len);
			CHECK(!ret || ret == -EINTR, "wait(%zu) at %llu: %s",
			      len, (unsigned long long)off, kipc_strerror(ret));
		}
		CHECK(!ret, "reserve(%zu) at %llu: %s", len,
		      (unsigned long long)off, kipc_strerror(ret));
		stream_fill(dst, len, off);
		if (len > 1 && rnd(&s) % 4 == 0)
			len = 1 + rnd(&s) % len;
		CHECK_OK(kipc_ring_commit(w, len));
		off += len;
		maybe_pause(st, &s);
	}
	return 0;
}

/* The consumer: peek, check, release a random part, to end of file. */
static int consume(struct kipc_ring *r, const struct stream *st,
		   struct shared *sh)
{
	size_t size = kipc_ring_size(r), take, bad;
	uint64_t s = st->seed ^ 0x5bd1e995, off = 0;
	const void *src;
	ssize_t n;
	int ret;

	for (;;) {
		n = kipc_ring_peek(r, &src);
		if (n == -EAGAIN) {
			sh->waits[KIPC_RING_READ - 1]++;
			ret = kipc_ring_wait(r, 0);
			CHECK(!ret || ret == -EINTR, "wait at %llu: %s",
			      (unsigned long long)off, kipc_strerror(ret));
			continue;
		}
		if (n == 0)
			break;
		CHECK(n > 0 && (size_t)n <= size, "peek at %llu: %zd (%s)",
		      (unsigned long long)off, n,
		      n < 0 ? kipc_strerror((int)n) : "too many");
		/* The ring is mapped twice: a span may run past its end. */
		if ((off & (size - 1)) + (size_t)n > size)
			sh->wraps++;
		take = pick_len(&s, (size_t)n);
		bad = stream_check(src, take, off);
		CHECK(bad == take, "byte %llu is wrong",
		      (unsigned long long)(off + bad));
		CHECK_OK(kipc_ring_release(r, take));
		off += take;
		maybe_pause(st, &s);
	}
	CHECK_EQ(off, st->total);
	return 0;
}

static int wait_child(pid_t pid)
{
	int status;

	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
	      "child status %#x", status);
	return 0;
}

/*
 * A producer child and a consumer parent over a fresh pair; the child
 * exits when done, which is the parent's end of file.
 */
static int run_stream(uint64_t capacity, const struct stream *st,
		      struct shared *sh)
{
	struct kipc_ring *r, *w;
	int fds[2], ret;
	pid_t pid;

	CHECK_OK(mapped_pair(capacity, fds));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		alarm(KT_TIMEOUT);
		close(fds[0]);
		ret = kipc_ring_map(fds[1], KIPC_RING_WRITE, &w);
		if (ret) {
			kt_diag("child: map: %s", kipc_strerror(ret));
			_exit(1);
		}
		_exit(produce(w, st, sh));
	}
	close(fds[1]);
	CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &r));
	CHECK_EQ(kipc_ring_size(r), capacity);
	ret = consume(r, st, sh);
	if (ret)
		kill(pid, SIGKILL);
	CHECK_OK(wait_child(pid));
	kipc_ring_unmap(r);
	close(fds[0]);
	return ret;
}

/* Without the module too: what the library itself refuses. */
static int test_args(const struct kt_case *tc)
{
	struct kipc_ring *ring = (struct kipc_ring *)1;
	const void *cbuf;
	void *buf;
	int p[2];

	(void)tc;
	CHECK_EQ(kipc_ring_map(0, KIPC_RING_READ, NULL), -EINVAL);
	CHECK_EQ(kipc_ring_map(-1, KIPC_RING_READ, &ring), -EBADF);
	CHECK(!ring, "handle on failure");
	CHECK_EQ(kipc_ring_map(0, 0, &ring), -EINVAL);
	CHECK_EQ(kipc_ring_map(0, KIPC_RING_READ | KIPC_RING_WRITE, &ring),
		 -EINVAL);
	CHECK_OK(pipe(p));
	/* Not a kipc channel: its ioctl is unknown there. */
	CHECK_EQ(kipc_ring_map(p[0], KIPC_RING_READ, &ring), -ENOTTY);
	kipc_ring_unmap(NULL);
	CHECK_EQ(kipc_ring_fd(NULL), -EINVAL);
	CHECK_EQ(kipc_ring_size(NULL), 0);
	CHECK_EQ(kipc_ring_reserve(NULL, 1, &buf), -EINVAL);
	CHECK_EQ(kipc_ring_commit(NULL, 1), -EINVAL);
	CHECK_EQ(kipc_ring_peek(NULL, &cbuf), -EINVAL);
	CHECK_EQ(kipc_ring_release(NULL, 1), -EINVAL);
	CHECK_EQ(kipc_ring_wait(NULL, 1), -EINVAL);
	CHECK_EQ(kipc_ring_read(NULL, &cbuf, 1), -EINVAL);
	CHECK_EQ(kipc_ring_write(NULL, "x", 1), -EINVAL);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* The rules of each call, on one process's two rings. */
static int test_rules(const struct kt_case *tc)
{
	const size_t size = 8192;
	unsigned char *dst, buf[256];
	const unsigned char *src, *src2;
	struct kipc_ring *r, *w, *x;
	struct kipc_chan *c;
	struct pollfd pfd;
	int fds[2];

	(void)tc;
	CHECK_OK(mapped_pair(size, fds));
	CHECK_EQ(kipc_ring_map(fds[0], KIPC_RING_WRITE, &x), -EBADF);
	CHECK_OK(kipc_ring_map(fds[1], KIPC_RING_WRITE, &w));
	CHECK_EQ(kipc_ring_size(w), size);
	CHECK_EQ(kipc_ring_fd(w), fds[1]);
	/* One producer: a second mapping, and write(), are refused. */
	CHECK_EQ(kipc_ring_map(fds[1], KIPC_RING_WRITE, &x), -EBUSY);
	CHECK(write(fds[1], "a", 1) < 0 && errno == EBUSY, "write()");
	CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &r));
	CHECK_EQ(kipc_ring_map(fds[0], KIPC_RING_READ, &x), -EBUSY);
	CHECK(read(fds[0], buf, 1) < 0 && errno == EBUSY, "read()");

	CHECK_EQ(kipc_ring_peek(r, (const void **)&src), -EAGAIN);
	CHECK_EQ(kipc_ring_reserve(r, 1, (void **)&dst), -EBADF);
	CHECK_EQ(kipc_ring_peek(w, (const void **)&src), -EBADF);
	CHECK_EQ(kipc_ring_reserve(w, 0, (void **)&dst), -EINVAL);
	CHECK_EQ(kipc_ring_reserve(w, size + 1, (void **)&dst), -EINVAL);
	CHECK_EQ(kipc_ring_commit(w, 1), -EINVAL);
	CHECK_EQ(kipc_ring_wait(w, size + 1), -EINVAL);
	CHECK_EQ(kipc_ring_wait(r, 2), -EINVAL);

	/* The whole ring in one reservation, committed in two parts. */
	CHECK_OK(kipc_ring_reserve(w, size, (void **)&dst));
	stream_fill(dst, size, 0);
	CHECK_EQ(kipc_ring_commit(w, size + 1), -EINVAL);
	CHECK_OK(kipc_ring_commit(w, size - 192));
	CHECK_OK(kipc_ring_commit(w, 192));
	CHECK_EQ(kipc_ring_commit(w, 1), -EINVAL);
	CHECK_EQ(kipc_ring_reserve(w, 1, (void **)&dst), -EAGAIN);
	pfd.fd = fds[1];
	pfd.events = POLLOUT;
	CHECK_EQ(poll(&pfd, 1, 0), 0);

	/* Data queued: the consumer's wait returns at once. */
	CHECK_OK(kipc_ring_wait(r, 0));
	CHECK_EQ(kipc_ring_peek(r, (const void **)&src), size);
	CHECK_EQ(stream_check(src, size, 0), size);
	CHECK_EQ(kipc_ring_release(r, size + 1), -EINVAL);
	CHECK_OK(kipc_ring_release(r, 100));

	/* 100 bytes at the ring's start: the queue now runs past its end. */
	CHECK_OK(kipc_ring_reserve(w, 100, (void **)&dst));
	stream_fill(dst, 100, size);
	CHECK_OK(kipc_ring_commit(w, 100));
	CHECK_EQ(kipc_ring_peek(r, (const void **)&src2), size);
	CHECK(src2 == src + 100, "the queue moved in the mapping");
	CHECK_EQ(stream_check(src2, size, 100), size);
	CHECK_OK(kipc_ring_release(r, size - 56));

	/* Unmapped, the kernel's read() and write() take over the positions. */
	kipc_ring_unmap(r);
	kipc_ring_unmap(w);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 56);
	CHECK_EQ(stream_check(buf, 56, size + 44), 56);
	stream_fill(buf, 10, 7);
	CHECK_EQ(write(fds[1], buf, 10), 10);
	CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &r));
	CHECK_EQ(kipc_ring_peek(r, (const void **)&src), 10);
	CHECK_EQ(stream_check(src, 10, 7), 10);
	kipc_ring_unmap(r);
	close(fds[0]);
	close(fds[1]);

	/* A kipc channel made without KIPC_CHAN_F_MAPPED has no ring. */
	CHECK_OK(kipc_chan_create(&c, KIPC_BACKEND_KIPC_PAIR, NULL));
	CHECK_EQ(kipc_ring_map(kipc_chan_get_fd(c, KIPC_CHAN_READ),
			       KIPC_RING_READ, &x), -EINVAL);
	kipc_chan_destroy(c);
	return 0;
}

/* Megabytes in pieces of every size through a 2-page ring. */
static int test_stream(const struct kt_case *tc)
{
	struct stream st = { .total = 8 << 20, .seed = 0x1234567 };
	struct shared *sh = shared_map();

	(void)tc;
	CHECK(sh, "mmap");
	CHECK_OK(run_stream(8192, &st, sh));
	kt_diag("waits: producer %lu, consumer %lu; spans past the end %lu",
		sh->waits[1], sh->waits[0], sh->wraps);
	CHECK(sh->wraps > 0, "no peek ran past the ring's end");
	return 0;
}

/*
 * A lost wake-up leaves a side asleep for good.  On a one-page ring, a
 * reservation of the whole ring (one in sixteen) waits until the consumer,
 * releasing a byte or a few at a time, has emptied it and gone to sleep
 * itself; short pauses on both sides move the race everywhere else.  A
 * hang is the harness's timeout: a failure.
 */
static int test_wakeups(const struct kt_case *tc)
{
	struct stream st = {
		.total = 4 << 20, .seed = 0x9abcdef, .pause_one_in = 16,
		.pause_us = 100,
	};
	struct shared *sh = shared_map();

	(void)tc;
	CHECK(sh, "mmap");
	CHECK_OK(run_stream(4096, &st, sh));
	kt_diag("waits: producer %lu, consumer %lu", sh->waits[1],
		sh->waits[0]);
	CHECK(sh->waits[0] >= 20 && sh->waits[1] >= 20,
	      "the sides did not sleep often enough to test waking");
	return 0;
}

/*
 * One byte one way and one back, over two rings, many times: each byte is
 * published just as the other side goes to sleep for it, which is where
 * a wake-up gets lost.  @in and @out are this side's rings; the side
 * that starts sends 2n and gets 2n + 1 back.
 */
static int pingpong(struct kipc_ring *in, struct kipc_ring *out,
		    unsigned int rounds, int starts)
{
	unsigned char b, want;
	unsigned int i;

	for (i = 0; i < rounds; i++) {
		want = (unsigned char)(2 * i + !!starts);
		if (starts) {
			b = (unsigned char)(2 * i);
			CHECK_EQ(kipc_ring_write(out, &b, 1), 1);
		}
		CHECK_EQ(kipc_ring_read(in, &b, 1), 1);
		CHECK(b == want, "round %u: got %u, want %u", i, b, want);
		if (!starts) {
			b++;
			CHECK_EQ(kipc_ring_write(out, &b, 1), 1);
		}
	}
	return 0;
}

static int test_pingpong(const struct kt_case *tc)
{
	const unsigned int rounds = 3000;
	struct kipc_ring *in, *out;
	int ab[2], ba[2];
	pid_t pid;

	(void)tc;
	CHECK_OK(mapped_pair(0, ab));
	CHECK_OK(mapped_pair(0, ba));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		alarm(KT_TIMEOUT);
		close(ab[1]);
		close(ba[0]);
		if (kipc_ring_map(ab[0], KIPC_RING_READ, &in) ||
		    kipc_ring_map(ba[1], KIPC_RING_WRITE, &out))
			_exit(1);
		_exit(pingpong(in, out, rounds, 0));
	}
	close(ab[0]);
	close(ba[1]);
	CHECK_OK(kipc_ring_map(ba[0], KIPC_RING_READ, &in));
	CHECK_OK(kipc_ring_map(ab[1], KIPC_RING_WRITE, &out));
	CHECK_OK(pingpong(in, out, rounds, 1));
	CHECK_OK(wait_child(pid));
	kipc_ring_unmap(in);
	kipc_ring_unmap(out);
	return 0;
}

/* All the bytes, then 0, whether the writer closed or exited. */
static int test_eof(const struct kt_case *tc)
{
	static unsigned char buf[20000];
	struct kipc_ring *r, *w;
	int fds[2], gate[2], exits;
	const void *src;
	size_t got;
	ssize_t n;
	pid_t pid;
	char b;

	(void)tc;
	for (exits = 0; exits <= 1; exits++) {
		CHECK_OK(mapped_pair(0, fds));
		CHECK_OK(pipe(gate));
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (!pid) {
			alarm(KT_TIMEOUT);
			close(fds[0]);
			close(gate[1]);
			stream_fill(buf, 10000, 0);
			if (kipc_ring_map(fds[1], KIPC_RING_WRITE, &w) ||
			    kipc_ring_write(w, buf, 10000) != 10000)
				_exit(1);
			if (exits) {
				/* The parent sleeps on the empty ring now. */
				sleep_us(300000);
				_exit(0);
			}
			/* EOF must come from the close: stay alive. */
			kipc_ring_unmap(w);
			close(fds[1]);
			if (read(gate[0], &b, 1) < 0)
				_exit(2);
			_exit(0);
		}
		close(fds[1]);
		close(gate[0]);
		CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &r));
		memset(buf, 0, sizeof(buf));
		got = 0;
		while ((n = kipc_ring_read(r, buf + got, sizeof(buf) - got)) > 0)
			got += (size_t)n;
		CHECK_EQ(n, 0);
		CHECK_EQ(got, 10000);
		CHECK_EQ(stream_check(buf, got, 0), got);
		CHECK_EQ(kipc_ring_peek(r, &src), 0);
		close(gate[1]);
		CHECK_OK(wait_child(pid));
		kipc_ring_unmap(r);
		close(fds[0]);
	}
	return 0;
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* The reader's child exits; fds[0] is closed here. */
static pid_t fork_reader(int fds[2], size_t len, long linger_us)
{
	static unsigned char buf[4096];
	struct kipc_ring *r;
	pid_t pid = fork();

	if (pid)
		return pid;
	alarm(KT_TIMEOUT);
	close(fds[1]);
	if (len && (kipc_ring_map(fds[0], KIPC_RING_READ, &r) ||
		    kipc_ring_read(r, buf, len) != (ssize_t)len))
		_exit(1);
	sleep_us(linger_us);
	_exit(0);
}

/* EPIPE, and SIGPIPE with it, whether the producer sleeps or not. */
static int test_epipe(const struct kt_case *tc)
{
	static unsigned char buf[4096];
	struct sigaction sa;
	struct kipc_ring *w;
	int fds[2];
	void *dst;
	pid_t pid;

	(void)tc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigpipe;
	sigaction(SIGPIPE, &sa, NULL);

	CHECK_OK(mapped_pair(4096, fds));
	CHECK_OK(kipc_ring_map(fds[1], KIPC_RING_WRITE, &w));
	pid = fork_reader(fds, 10, 0);
	CHECK(pid > 0, "fork");
	close(fds[0]);
	CHECK_EQ(kipc_ring_write(w, "0123456789", 10), 10);
	CHECK_OK(wait_child(pid));
	CHECK_EQ(sigpipes, 0);
	CHECK_EQ(kipc_ring_reserve(w, 1, &dst), -EPIPE);
	CHECK_EQ(sigpipes, 1);
	CHECK_EQ(kipc_ring_write(w, "x", 1), -EPIPE);
	CHECK_EQ(sigpipes, 2);
	CHECK_EQ(kipc_ring_wait(w, 1), -EPIPE);
	CHECK_EQ(sigpipes, 3);
	kipc_ring_unmap(w);
	close(fds[1]);

	/* A producer asleep on a full ring is woken by the reader's exit. */
	CHECK_OK(mapped_pair(4096, fds));
	CHECK_OK(kipc_ring_map(fds[1], KIPC_RING_WRITE, &w));
	CHECK_EQ(kipc_ring_write(w, buf, sizeof(buf)), sizeof(buf));
	pid = fork_reader(fds, 0, 300000);
	CHECK(pid > 0, "fork");
	close(fds[0]);
	CHECK_EQ(kipc_ring_write(w, buf, 100), -EPIPE);
	CHECK_EQ(sigpipes, 4);
	CHECK_OK(wait_child(pid));
	kipc_ring_unmap(w);
	close(fds[1]);
	return 0;
}

/*
 * A side mapped by hand, as a program that does not use libkipc would:
 * its position page writable, so that the test can write anything there.
 */
struct raw_side {
	struct kipc_ring_info info;
	const struct kipc_ring_state *state;
	struct kipc_ring_pos *pos;
	unsigned char *data;	/* producer only */
};

static int raw_map(int fd, unsigned int role, struct raw_side *rs)
{
	size_t pg;
	void *p;

	memset(rs, 0, sizeof(*rs));
	CHECK(!ioctl(fd, KIPC_IOC_RING_INFO, &rs->info),
	      "KIPC_IOC_RING_INFO: %s", strerror(errno));
	pg = rs->info.page_size;
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, rs->info.state_off);
	CHECK(p != MAP_FAILED, "mmap state: %s", strerror(errno));
	rs->state = p;
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 role == KIPC_RING_WRITE ? rs->info.prod_off :
					   rs->info.cons_off);
	CHECK(p != MAP_FAILED, "mmap position: %s", strerror(errno));
	rs->pos = p;
	if (role == KIPC_RING_WRITE) {
		p = mmap(NULL, 2 * rs->info.data_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, rs->info.data_off);
		CHECK(p != MAP_FAILED, "mmap data: %s", strerror(errno));
		rs->data = p;
	}
	return 0;
}

static void raw_set_pos(struct raw_side *rs, uint64_t pos)
{
	__atomic_store_n(&rs->pos->pos, pos, __ATOMIC_RELEASE);
}

/* The kernel's own verdict on a broken ring: EIO, and POLLERR. */
static int kernel_says_broken(int fd, unsigned int role,
			      const struct raw_side *rs)
{
	struct kipc_ring_wait wt;
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	memset(&wt, 0, sizeof(wt));
	wt.flags = role;
	wt.need = role == KIPC_RING_WRITE ? 1 : 0;
	CHECK(ioctl(fd, KIPC_IOC_RING_WAIT, &wt) < 0 && errno == EIO,
	      "KIPC_IOC_RING_WAIT: %s", strerror(errno));
	CHECK(rs->state->flags & KIPC_RING_BROKEN, "flags %#x",
	      rs->state->flags);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLERR, "revents %#x", pfd.revents);
	return 0;
}

/* A producer that writes nonsense into its position: -EIO, never a fault. */
static int test_bad_prod(const struct kt_case *tc)
{
	const uint64_t size = 4096;
	struct raw_side prod;
	struct kipc_ring *r;
	const void *src;
	int fds[2], ahead;

	(void)tc;
	for (ahead = 1; ahead >= 0; ahead--) {
		CHECK_OK(mapped_pair(size, fds));
		CHECK_OK(raw_map(fds[1], KIPC_RING_WRITE, &prod));
		CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &r));
		/* First by the rules: the hand-made producer works. */
		memcpy(prod.data, "by hand", 7);
		raw_set_pos(&prod, 7);
		CHECK_EQ(kipc_ring_peek(r, &src), 7);
		CHECK(!memcmp(src, "by hand", 7), "data");
		CHECK_OK(kipc_ring_release(r, 5));
		/* More queued than the ring holds, or less than nothing. */
		raw_set_pos(&prod, ahead ? 5 + size + 1 : 4);
		CHECK_EQ(kipc_ring_peek(r, &src), -EIO);
		/* Set right again: the library keeps the ring broken. */
		raw_set_pos(&prod, 7);
		CHECK_EQ(kipc_ring_release(r, 0), -EIO);
		CHECK_EQ(kipc_ring_read(r, (void *)&src, 1), -EIO);
		CHECK_EQ(kipc_ring_wait(r, 0), -EIO);
		raw_set_pos(&prod, ahead ? ~0ULL : 0);
		CHECK_OK(kernel_says_broken(fds[0], KIPC_RING_READ, &prod));
		kipc_ring_unmap(r);
		close(fds[0]);
		close(fds[1]);
	}
	return 0;
}

/* A consumer that claims to have read more than was written. */
static int test_bad_cons(const struct kt_case *tc)
{
	struct raw_side cons;
	struct kipc_ring *w;
	int fds[2];
	void *dst;

	(void)tc;
	CHECK_OK(mapped_pair(4096, fds));
	CHECK_OK(raw_map(fds[0], KIPC_RING_READ, &cons));
	CHECK_OK(kipc_ring_map(fds[1], KIPC_RING_WRITE, &w));
	CHECK_EQ(kipc_ring_write(w, "abc", 3), 3);
	CHECK_EQ(kipc_ring_reserve(w, 4096, &dst), -EAGAIN);
	raw_set_pos(&cons, 3);
	CHECK_OK(kipc_ring_reserve(w, 4096, &dst));
	raw_set_pos(&cons, 4);
	CHECK_EQ(kipc_ring_reserve(w, 1, &dst), -EIO);
	CHECK_EQ(kipc_ring_commit(w, 1), -EIO);
	CHECK_EQ(kipc_ring_write(w, "d", 1), -EIO);
	CHECK_OK(kernel_says_broken(fds[1], KIPC_RING_WRITE, &cons));
	kipc_ring_unmap(w);
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static int fork_child_checks(int fds[2], struct kipc_ring *w)
{
	struct kipc_ring *x;
	const void *src;
	void *dst;

	/* The inherited handle points at nothing here: it says so. */
	CHECK_EQ(kipc_ring_reserve(w, 1, &dst), -EFAULT);
	CHECK_EQ(kipc_ring_commit(w, 1), -EFAULT);
	CHECK_EQ(kipc_ring_wait(w, 1), -EFAULT);
	CHECK_EQ(kipc_ring_write(w, "x", 1), -EFAULT);
	CHECK_EQ(kipc_ring_fd(w), -EFAULT);
	CHECK_EQ(kipc_ring_size(w), 0);
	kipc_ring_unmap(w);
	/* The parent still owns the producer's side. */
	CHECK_EQ(kipc_ring_map(fds[1], KIPC_RING_WRITE, &x), -EBUSY);
	CHECK(write(fds[1], "x", 1) < 0 && errno == EBUSY, "write()");
	/* The consumer's is free. */
	CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &x));
	CHECK_EQ(kipc_ring_peek(x, &src), 3);
	CHECK(!memcmp(src, "abc", 3), "data");
	CHECK_OK(kipc_ring_release(x, 3));
	kipc_ring_unmap(x);
	return 0;
}

/* Whether this kernel can wipe a page on fork (madvise() may be absent). */
static bool wipeonfork_works(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok;

	if (p == MAP_FAILED)
		return false;
	ok = !madvise(p, pg, MADV_WIPEONFORK);
	munmap(p, pg);
	return ok;
}

static int test_fork(const struct kt_case *tc)
{
	struct kipc_ring *w;
	int fds[2], queued;
	pid_t pid;

	(void)tc;
	if (!wipeonfork_works())
		kt_skip("no MADV_WIPEONFORK here: a child's copy of a handle "
			"is not detected (kipc_ring(3), BUGS)");
	CHECK_OK(mapped_pair(0, fds));
	CHECK_OK(kipc_ring_map(fds[1], KIPC_RING_WRITE, &w));
	CHECK_EQ(kipc_ring_write(w, "abc", 3), 3);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		alarm(KT_TIMEOUT);
		_exit(fork_child_checks(fds, w));
	}
	CHECK_OK(wait_child(pid));
	/* The child's unmap left the parent's ring alone. */
	CHECK_EQ(kipc_ring_write(w, "yz", 2), 2);
	CHECK_OK(ioctl(fds[0], FIONREAD, &queued));
	CHECK_EQ(queued, 2);
	kipc_ring_unmap(w);
	close(fds[0]);
	close(fds[1]);
	return 0;
}

/* Plain write() in pieces, the child's way of producing. */
static int write_plain(int fd, uint64_t total)
{
	static unsigned char buf[3000];
	uint64_t off = 0;
	size_t len;
	ssize_t n;

	while (off < total) {
		len = total - off < 2999 ? (size_t)(total - off) : 2999;
		stream_fill(buf, len, off);
		n = write(fd, buf, len);
		CHECK(n > 0, "write at %llu: %s", (unsigned long long)off,
		      strerror(errno));
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * A mapped side and a side that uses read() or write(): the kernel's
 * sleeper must be woken by the ring's stores, and the ring's sleeper by
 * the kernel's copies.
 */
static int test_interop(const struct kt_case *tc)
{
	const uint64_t total = 300000;
	struct stream st = { .total = total, .seed = 77 };
	static unsigned char buf[4096];
	struct shared *sh = shared_map();
	struct kipc_ring *r, *w;
	uint64_t off = 0;
	size_t bad;
	int fds[2];
	ssize_t n;
	pid_t pid;

	(void)tc;
	CHECK(sh, "mmap");
	/* A ring producer, read() in the parent. */
	CHECK_OK(mapped_pair(4096, fds));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		alarm(KT_TIMEOUT);
		close(fds[0]);
		if (kipc_ring_map(fds[1], KIPC_RING_WRITE, &w))
			_exit(1);
		_exit(produce(w, &st, sh));
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
		bad = stream_check(buf, (size_t)n, off);
		CHECK(bad == (size_t)n, "byte %llu is wrong",
		      (unsigned long long)(off + bad));
		off += (uint64_t)n;
	}
	CHECK(n == 0, "read: %s", strerror(errno));
	CHECK_EQ(off, total);
	CHECK_OK(wait_child(pid));
	close(fds[0]);

	/* write() in a child, a ring consumer in the parent. */
	CHECK_OK(mapped_pair(4096, fds));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		alarm(KT_TIMEOUT);
		close(fds[0]);
		_exit(write_plain(fds[1], total));
	}
	close(fds[1]);
	CHECK_OK(kipc_ring_map(fds[0], KIPC_RING_READ, &r));
	CHECK_OK(consume(r, &st, sh));
	CHECK_OK(wait_child(pid));
	kipc_ring_unmap(r);
	close(fds[0]);
	return 0;
}

/* @up tells the parent, @down waits for it. */
static int chan_child(struct kipc_chan *c, int up, int down)
{
	char b;

	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_READ));
	/*
	 * The parent's ring came with the handle but is not mapped here;
	 * the parent owns the side, so the write fails, and nothing faults.
	 */
	CHECK_EQ(kipc_chan_write(c, "x", 1), -EBUSY);
	CHECK_EQ(write(up, "c", 1), 1);
	CHECK_EQ(read(down, &b, 1), 1);
	CHECK_EQ(kipc_chan_write(c, "child", 5), 5);
	kipc_chan_destroy(c);
	return 0;
}

/* kipc_chan over a mapped pair: the ring when it can, the fd for poll. */
static int test_chan_backend(const struct kt_case *tc)
{
	struct kipc_chan_opts o = { .capacity = 10000 };
	struct kipc_chan *c;
	int rfd, wfd, up[2], down[2];
	struct pollfd pfd;
	size_t cap, q;
	char buf[16];
	pid_t pid;

	if (!wipeonfork_works())
		kt_skip("no MADV_WIPEONFORK here: kipc_chan keeps to the "
			"system calls (kipc_ring(3), BUGS)");
	CHECK_OK(kipc_chan_create(&c, tc->backend, &o));
	CHECK_OK(kipc_chan_get_capacity(c, &cap));
	CHECK_EQ(cap, 16384);
	rfd = kipc_chan_get_fd(c, KIPC_CHAN_READ);
	wfd = kipc_chan_get_fd(c, KIPC_CHAN_WRITE);
	CHECK_EQ(kipc_chan_write(c, "hello", 5), 5);
	/* It went through the ring: the producer's side is mapped. */
	CHECK(write(wfd, "x", 1) < 0 && errno == EBUSY, "write()");
	pfd.fd = rfd;
	pfd.events = POLLIN;
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	CHECK_OK(kipc_chan_get_queued(c, &q));
	CHECK_EQ(q, 5);
	CHECK_EQ(kipc_chan_read(c, buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "hello", 5), "data");
	CHECK(read(rfd, buf, 1) < 0 && errno == EBUSY, "read()");

	/* Resizing lets the rings go; the fds work as before. */
	CHECK_OK(kipc_chan_set_capacity(c, 20000, &cap));
	CHECK_EQ(cap, 32768);
	CHECK_EQ(write(wfd, "y", 1), 1);
	CHECK_EQ(kipc_chan_read(c, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'y');

	/* The write end changes hands across fork(). */
	CHECK_EQ(kipc_chan_write(c, "p", 1), 1);
	CHECK_OK(pipe(up));
	CHECK_OK(pipe(down));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		alarm(KT_TIMEOUT);
		_exit(chan_child(c, up[1], down[0]));
	}
	CHECK_EQ(read(up[0], buf, 1), 1);
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_WRITE));
	CHECK_EQ(write(down[1], "g", 1), 1);
	CHECK_OK(kipc_chan_read_exact(c, buf, 6, NULL));
	CHECK(!memcmp(buf, "pchild", 6), "data %.6s", buf);
	CHECK_EQ(kipc_chan_read(c, buf, 1), 0);
	CHECK_OK(wait_child(pid));
	kipc_chan_destroy(c);
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_suite s;

	kt_add(&s, 0, "ring API arguments, no module needed", test_args);
	kt_add(&s, MAPPED, "map, reserve, commit, peek, release: the rules",
	       test_rules);
	kt_add(&s, MAPPED, "8 MiB in random pieces across the ring's end",
	       test_stream);
	kt_add(&s, MAPPED, "no lost wake-up: one page, odd sizes, both sleep",
	       test_wakeups);
	kt_add(&s, MAPPED, "no lost wake-up: 3000 one-byte round trips",
	       test_pingpong);
	kt_add(&s, MAPPED, "EOF after the writer closes, and exits",
	       test_eof);
	kt_add(&s, MAPPED, "EPIPE and SIGPIPE after the reader goes",
	       test_epipe);
	kt_add(&s, MAPPED, "EIO from a producer's bad position",
	       test_bad_prod);
	kt_add(&s, MAPPED, "EIO from a consumer's bad position",
	       test_bad_cons);
	kt_add(&s, MAPPED, "fork: the child's copy is dead, the side is not",
	       test_fork);
	kt_add(&s, MAPPED, "the kernel's read() and write() meet the ring",
	       test_interop);
	kt_add(&s, MAPPED, "kipc_chan through the ring", test_chan_backend);
	return kt_run(&s, argc, argv);
}
