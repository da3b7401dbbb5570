// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Channels: the same cases over every channel backend.  Where backends
 * differ, the case says how, from kipc_backend_caps(): that is the
 * library's promise, and these tests hold it to it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "ktap.h"

static const enum kipc_backend chan_backends[] = {
	KIPC_BACKEND_PIPE, KIPC_BACKEND_FIFO,
	KIPC_BACKEND_KIPC_PAIR, KIPC_BACKEND_KIPC_NAMED,
	KIPC_BACKEND_KIPC_MAPPED,
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A handler without SA_RESTART: blocked calls fail with EINTR. */
static volatile sig_atomic_t sigusr1_count;

static void on_sigusr1(int sig)
{
	(void)sig;
	sigusr1_count++;
}

static void catch_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sigaction(SIGUSR1, &sa, NULL);
}

static int create(const struct kt_case *tc, struct kipc_chan **c,
		  unsigned int flags)
{
	struct kipc_chan_opts o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	return kipc_chan_create(c, tc->backend, &o);
}

static int test_create_destroy(const struct kt_case *tc)
{
	unsigned int caps = kt_caps(tc);
	struct kipc_chan *c;
	char path[4096] = "";
	struct stat st;
	int rfd, wfd;

	CHECK_OK(create(tc, &c, 0));
	CHECK(kipc_chan_backend(c) == tc->backend, "backend");
	rfd = kipc_chan_get_fd(c, KIPC_CHAN_READ);
	wfd = kipc_chan_get_fd(c, KIPC_CHAN_WRITE);
	CHECK(rfd >= 0 && wfd >= 0 && rfd != wfd, "fds %d %d", rfd, wfd);
	CHECK_EQ(kipc_chan_get_fd(c, KIPC_CHAN_READ | KIPC_CHAN_WRITE),
		 -EINVAL);
	CHECK(!!(caps & KIPC_CAP_NAMED) == !!kipc_chan_path(c), "path");

	/* The one difference fstat() shows. */
	CHECK_OK(fstat(rfd, &st));
	CHECK(!!S_ISFIFO(st.st_mode) == !!(caps & KIPC_CAP_S_ISFIFO),
	      "S_ISFIFO %d, caps say %d", S_ISFIFO(st.st_mode),
	      !!(caps & KIPC_CAP_S_ISFIFO));

	if (kipc_chan_path(c)) {
		snprintf(path, sizeof(path), "%s", kipc_chan_path(c));
		CHECK_OK(stat(path, &st));
	}
	kipc_chan_destroy(c);
	/* The creator removes its node (and private directory). */
	if (path[0]) {
		CHECK(stat(path, &st) < 0 && errno == ENOENT,
		      "%s still there", path);
		if (tc->backend == KIPC_BACKEND_FIFO) {
			*strrchr(path, '/') = '\0';
			CHECK(stat(path, &st) < 0 && errno == ENOENT,
			      "%s still there", path);
		}
	}
	return 0;
}

static int test_roundtrip(const struct kt_case *tc)
{
	struct kipc_chan *c;
	char buf[16];
	size_t q;

	CHECK_OK(create(tc, &c, 0));
	CHECK_EQ(kipc_chan_write(c, "hello", 5), 5);
	CHECK_OK(kipc_chan_get_queued(c, &q));
	CHECK_EQ(q, 5);
	/* A read takes what is there, not what was asked for. */
	CHECK_EQ(kipc_chan_read(c, buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "hello", 5), "data");
	CHECK_OK(kipc_chan_get_queued(c, &q));
	CHECK_EQ(q, 0);
	CHECK_EQ(kipc_chan_write(c, "", 0), 0);
	kipc_chan_destroy(c);
	return 0;
}

/* A nonblocking write of more than fits: a partial count, then EAGAIN. */
static int test_partial_nonblock(const struct kt_case *tc)
{
	struct kipc_chan *c;
	unsigned char *buf;
	size_t cap, done, q;

	CHECK_OK(create(tc, &c, KIPC_CHAN_NONBLOCK));
	CHECK_OK(kipc_chan_get_capacity(c, &cap));
	buf = malloc(4 * cap);
	CHECK(buf, "malloc");
	kt_fill_pattern(buf, 4 * cap, 0);

	CHECK_EQ(kipc_chan_write_all(c, buf, 4 * cap, &done), -EAGAIN);
	CHECK_EQ(done, cap);
	CHECK_OK(kipc_chan_get_queued(c, &q));
	CHECK_EQ(q, cap);
	CHECK_EQ(kipc_chan_write(c, buf, 1), -EAGAIN);

	/* Partial reads: less than is there, then more than is there. */
	memset(buf, 0, 4 * cap);
	CHECK_EQ(kipc_chan_read(c, buf, 100), 100);
	CHECK_EQ(kipc_chan_read(c, buf + 100, 4 * cap), cap - 100);
	CHECK_EQ(kt_check_pattern(buf, cap, 0), cap);
	CHECK_EQ(kipc_chan_read(c, buf, 1), -EAGAIN);
	CHECK_EQ(kipc_chan_read_exact(c, buf, 10, &done), -EAGAIN);
	CHECK_EQ(done, 0);
	free(buf);
	kipc_chan_destroy(c);
	return 0;
}

static int test_nonblock_toggle(const struct kt_case *tc)
{
	struct kipc_chan *c;
	char b;
	int rfl, wfl;

	CHECK_OK(create(tc, &c, 0));
	CHECK_OK(kipc_chan_set_nonblock(c, 1));
	rfl = fcntl(kipc_chan_get_fd(c, KIPC_CHAN_READ), F_GETFL);
	wfl = fcntl(kipc_chan_get_fd(c, KIPC_CHAN_WRITE), F_GETFL);
	CHECK((rfl & O_NONBLOCK) && (wfl & O_NONBLOCK), "flags %#x %#x",
	      rfl, wfl);
	CHECK_EQ(kipc_chan_read(c, &b, 1), -EAGAIN);
	CHECK_OK(kipc_chan_set_nonblock(c, 0));
	rfl = fcntl(kipc_chan_get_fd(c, KIPC_CHAN_READ), F_GETFL);
	wfl = fcntl(kipc_chan_get_fd(c, KIPC_CHAN_WRITE), F_GETFL);
	CHECK(!(rfl & O_NONBLOCK) && !(wfl & O_NONBLOCK), "flags %#x %#x",
	      rfl, wfl);
	kipc_chan_destroy(c);
	return 0;
}

/* No writer left: the data, then 0, even in nonblocking mode. */
static int test_eof(const struct kt_case *tc)
{
	struct kipc_chan *c;
	char buf[32];
	size_t done;

	CHECK_OK(create(tc, &c, 0));
	CHECK_EQ(kipc_chan_write(c, "0123456789", 10), 10);
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_WRITE));
	CHECK_EQ(kipc_chan_write(c, "x", 1), -EBADF);
	CHECK_EQ(kipc_chan_read_exact(c, buf, 20, &done), -ENODATA);
	CHECK_EQ(done, 10);
	CHECK(!memcmp(buf, "0123456789", 10), "data");
	CHECK_EQ(kipc_chan_read(c, buf, 1), 0);
	CHECK_OK(kipc_chan_set_nonblock(c, 1));
	CHECK_EQ(kipc_chan_read(c, buf, 1), 0);
	kipc_chan_destroy(c);
	return 0;
}

/* No reader left: EPIPE (SIGPIPE is ignored by the harness). */
static int test_epipe(const struct kt_case *tc)
{
	struct kipc_chan *c;
	size_t done = 1;

	CHECK_OK(create(tc, &c, 0));
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_READ));
	CHECK_EQ(kipc_chan_write(c, "x", 1), -EPIPE);
	CHECK_EQ(kipc_chan_write_all(c, "xyz", 3, &done), -EPIPE);
	CHECK_EQ(done, 0);
	/* A zero-length write is 0 before the reader check. */
	CHECK_EQ(kipc_chan_write(c, "", 0), 0);
	kipc_chan_destroy(c);
	return 0;
}

struct io_thread {
	struct kipc_chan *chan;
	unsigned char *buf;
	size_t len;
	size_t done;
	long ret;
	volatile int finished;
};

static void *read_once(void *arg)
{
	struct io_thread *t = arg;

	t->ret = kipc_chan_read(t->chan, t->buf, t->len);
	t->finished = 1;
	return NULL;
}

static void *read_exact(void *arg)
{
	struct io_thread *t = arg;

	t->ret = kipc_chan_read_exact(t->chan, t->buf, t->len, &t->done);
	t->finished = 1;
	return NULL;
}

static void *write_all(void *arg)
{
	struct io_thread *t = arg;

	t->ret = kipc_chan_write_all(t->chan, t->buf, t->len, &t->done);
	t->finished = 1;
	return NULL;
}

/* Signal @th until it finishes, at most @ms milliseconds. */
static int pester(pthread_t th, struct io_thread *t, long ms)
{
	long waited;

	for (waited = 0; !t->finished && waited < ms; waited += 5) {
		pthread_kill(th, SIGUSR1);
		sleep_ms(5);
	}
	return t->finished;
}

/* A bare read is interrupted: -EINTR, the caller decides. */
static int test_eintr_read(const struct kt_case *tc)
{
	struct io_thread t = { 0 };
	unsigned char b;
	pthread_t th;

	catch_sigusr1();
	CHECK_OK(create(tc, &t.chan, 0));
	t.buf = &b;
	t.len = 1;
	CHECK_OK(pthread_create(&th, NULL, read_once, &t));
	CHECK(pester(th, &t, 10000), "read not interrupted");
	pthread_join(th, NULL);
	CHECK_EQ(t.ret, -EINTR);
	kipc_chan_destroy(t.chan);
	return 0;
}

/* read_exact() goes on through signals and pieces. */
static int test_eintr_read_exact(const struct kt_case *tc)
{
	unsigned char src[3000], dst[3000];
	struct io_thread t = { 0 };
	pthread_t th;
	size_t off;

	catch_sigusr1();
	kt_fill_pattern(src, sizeof(src), 0);
	CHECK_OK(create(tc, &t.chan, 0));
	t.buf = dst;
	t.len = sizeof(dst);
	CHECK_OK(pthread_create(&th, NULL, read_exact, &t));
	for (off = 0; off < sizeof(src); off += 500) {
		pester(th, &t, 20);
		CHECK_EQ(kipc_chan_write(t.chan, src + off, 500), 500);
	}
	CHECK(pester(th, &t, 10000), "read_exact did not finish");
	pthread_join(th, NULL);
	CHECK_EQ(t.ret, 0);
	CHECK_EQ(t.done, sizeof(dst));
	CHECK(!memcmp(src, dst, sizeof(src)), "data");
	CHECK(sigusr1_count > 0, "no signal was delivered");
	kipc_chan_destroy(t.chan);
	return 0;
}

/*
 * write_all() of far more than the capacity while signals keep coming:
 * a blocking write then returns short after partial progress, and the
 * helper must go on from there without losing or repeating a byte.
 */
static int test_eintr_write_all(const struct kt_case *tc)
{
	const size_t total = 1 << 20;
	struct io_thread t = { 0 };
	unsigned char *rd;
	size_t got = 0, n;
	pthread_t th;

	catch_sigusr1();
	CHECK_OK(create(tc, &t.chan, 0));
	t.buf = malloc(total);
	rd = malloc(total);
	CHECK(t.buf && rd, "malloc");
	kt_fill_pattern(t.buf, total, 0);
	t.len = total;
	CHECK_OK(pthread_create(&th, NULL, write_all, &t));
	while (got < total) {
		pthread_kill(th, SIGUSR1);
		n = total - got < 24576 ? total - got : 24576;
		CHECK_OK(kipc_chan_read_exact(t.chan, rd + got, n, NULL));
		got += n;
	}
	pthread_join(th, NULL);
	CHECK_EQ(t.ret, 0);
	CHECK_EQ(t.done, total);
	CHECK_EQ(kt_check_pattern(rd, total, 0), total);
	free(t.buf);
	free(rd);
	kipc_chan_destroy(t.chan);
	return 0;
}

/* Capacity: exact for kipc, a power of two pages for kernel pipes. */
static int test_capacity(const struct kt_case *tc)
{
	int exact = kt_caps(tc) & KIPC_CAP_EXACT_CAPACITY;
	unsigned char buf[20000] = { 0 };
	size_t cap, actual, done;
	struct kipc_chan *c;

	CHECK_OK(create(tc, &c, KIPC_CHAN_NONBLOCK));
	CHECK_OK(kipc_chan_get_capacity(c, &cap));
	CHECK_EQ(cap, 65536);	/* both defaults, as shipped */

	CHECK_OK(kipc_chan_set_capacity(c, 10000, &actual));
	CHECK_EQ(actual, exact ? 10000 : 16384);
	CHECK_OK(kipc_chan_get_capacity(c, &cap));
	CHECK_EQ(cap, actual);
	CHECK_EQ(kipc_chan_write_all(c, buf, sizeof(buf), &done), -EAGAIN);
	CHECK_EQ(done, actual);

	/* Below what is queued: EBUSY for both. */
	CHECK_EQ(kipc_chan_set_capacity(c, 4096, NULL), -EBUSY);
	CHECK_OK(kipc_chan_read_exact(c, buf, actual, NULL));

	/* Below the floor: pipes round up, kipc refuses. */
	if (exact) {
		CHECK_EQ(kipc_chan_set_capacity(c, 1, NULL), -EINVAL);
		CHECK_OK(kipc_chan_set_capacity(c, 4096, &actual));
		CHECK_EQ(actual, 4096);
	} else {
		CHECK_OK(kipc_chan_set_capacity(c, 1, &actual));
		CHECK_EQ(actual, 4096);
	}
	/* Beyond what any backend takes. */
	CHECK_EQ(kipc_chan_set_capacity(c, (size_t)1 << 32, NULL), -EINVAL);
	kipc_chan_destroy(c);
	return 0;
}

/* A named channel's capacity after its last close: kipc keeps it. */
static int test_capacity_reopen(const struct kt_case *tc)
{
	int keeps = kt_caps(tc) & KIPC_CAP_KEEPS_CAPACITY;
	struct kipc_chan *c, *o;
	size_t cap;

	CHECK_OK(create(tc, &c, 0));
	CHECK_OK(kipc_chan_set_capacity(c, 32768, NULL));
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_READ | KIPC_CHAN_WRITE));
	CHECK_EQ(kipc_chan_get_capacity(c, &cap), -EBADF);
	CHECK_OK(kipc_chan_open(&o, tc->backend, kipc_chan_path(c), O_RDWR));
	CHECK_OK(kipc_chan_get_capacity(o, &cap));
	CHECK_EQ(cap, keeps ? 32768 : 65536);
	kipc_chan_destroy(o);
	kipc_chan_destroy(c);
	return 0;
}

/* fifo(7)'s open rules, for FIFOs and kipc named channels alike. */
static int test_open_rules(const struct kt_case *tc)
{
	struct kipc_chan *node, *r, *w;
	struct kipc_chan_opts o;
	char b = 0;
	int status;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	o.flags = KIPC_CHAN_NODE_ONLY;
	CHECK_OK(kipc_chan_create(&node, tc->backend, &o));
	CHECK_EQ(kipc_chan_get_fd(node, KIPC_CHAN_READ), -EBADF);

	CHECK_EQ(kipc_chan_open(&w, tc->backend, kipc_chan_path(node),
				O_WRONLY | O_NONBLOCK), -ENXIO);
	CHECK_OK(kipc_chan_open(&r, tc->backend, kipc_chan_path(node),
				O_RDONLY | O_NONBLOCK));
	CHECK_EQ(kipc_chan_get_fd(r, KIPC_CHAN_WRITE), -EBADF);
	CHECK_OK(kipc_chan_open(&w, tc->backend, kipc_chan_path(node),
				O_WRONLY | O_NONBLOCK));
	CHECK_EQ(kipc_chan_write(w, "a", 1), 1);
	CHECK_EQ(kipc_chan_read(r, &b, 1), 1);
	CHECK_EQ(b, 'a');
	kipc_chan_destroy(w);
	kipc_chan_destroy(r);

	/* A blocking read-only open waits for a writer. */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		sleep_ms(200);
		if (kipc_chan_open(&w, tc->backend, kipc_chan_path(node),
				   O_WRONLY) ||
		    kipc_chan_write(w, "b", 1) != 1)
			_exit(1);
		kipc_chan_destroy(w);
		_exit(0);
	}
	CHECK_OK(kipc_chan_open(&r, tc->backend, kipc_chan_path(node),
				O_RDONLY));
	CHECK_OK(kipc_chan_read_exact(r, &b, 1, NULL));
	CHECK_EQ(b, 'b');
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	kipc_chan_destroy(r);

	/* O_RDWR never waits, and is one fd for both ends. */
	CHECK_OK(kipc_chan_open(&r, tc->backend, kipc_chan_path(node), O_RDWR));
	CHECK_EQ(kipc_chan_get_fd(r, KIPC_CHAN_READ),
		 kipc_chan_get_fd(r, KIPC_CHAN_WRITE));
	CHECK_EQ(kipc_chan_close(r, KIPC_CHAN_READ), -EINVAL);
	kipc_chan_destroy(r);

	CHECK_EQ(kipc_chan_open(&r, tc->backend, "/nonexistent/kipc", O_RDONLY),
		 -ENOENT);
	/* A character device that is no kipc channel, and no FIFO either. */
	CHECK_EQ(kipc_chan_open(&r, tc->backend, "/dev/null", O_RDONLY),
		 -EINVAL);
	kipc_chan_destroy(node);
	return 0;
}

struct open_thread {
	enum kipc_backend backend;
	const char *path;
	int ret;
	volatile int finished;
};

static void *open_reader(void *arg)
{
	struct open_thread *t = arg;
	struct kipc_chan *r;

	t->ret = kipc_chan_open(&r, t->backend, t->path, O_RDONLY);
	if (!t->ret)
		kipc_chan_destroy(r);
	t->finished = 1;
	return NULL;
}

/* A blocking open with no partner is interrupted: -EINTR. */
static int test_open_eintr(const struct kt_case *tc)
{
	struct open_thread t = { .backend = tc->backend };
	struct kipc_chan_opts o;
	struct kipc_chan *node;
	long waited;
	pthread_t th;

	catch_sigusr1();
	memset(&o, 0, sizeof(o));
	o.flags = KIPC_CHAN_NODE_ONLY;
	CHECK_OK(kipc_chan_create(&node, tc->backend, &o));
	t.path = kipc_chan_path(node);
	CHECK_OK(pthread_create(&th, NULL, open_reader, &t));
	for (waited = 0; !t.finished && waited < 10000; waited += 5) {
		pthread_kill(th, SIGUSR1);
		sleep_ms(5);
	}
	CHECK(t.finished, "open not interrupted");
	pthread_join(th, NULL);
	CHECK_EQ(t.ret, -EINTR);
	kipc_chan_destroy(node);
	return 0;
}

/*
 * Two processes: the child writes and exits, the parent reads to EOF.
 * The child's destroy must leave the parent's node alone.
 */
static int test_fork_transfer(const struct kt_case *tc)
{
	const size_t total = 300000;
	unsigned char *buf;
	struct kipc_chan *c;
	size_t got = 0;
	struct stat st;
	int status;
	ssize_t n;
	pid_t pid;

	CHECK_OK(create(tc, &c, 0));
	buf = malloc(total + 1);
	CHECK(buf, "malloc");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		kt_fill_pattern(buf, total, 0);
		kipc_chan_close(c, KIPC_CHAN_READ);
		if (kipc_chan_write_all(c, buf, total, NULL))
			_exit(1);
		kipc_chan_destroy(c);
		_exit(0);
	}
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_WRITE));
	while ((n = kipc_chan_read(c, buf + got, total + 1 - got)) > 0)
		got += n;
	CHECK_EQ(n, 0);
	CHECK_EQ(got, total);
	CHECK_EQ(kt_check_pattern(buf, total, 0), total);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	if (kipc_chan_path(c))
		CHECK_OK(stat(kipc_chan_path(c), &st));
	free(buf);
	kipc_chan_destroy(c);
	return 0;
}

/* The fds for poll(): POLLIN with data, POLLOUT with room, POLLHUP at EOF. */
static int test_poll(const struct kt_case *tc)
{
	struct pollfd p[2];
	struct kipc_chan *c;
	char b;

	CHECK_OK(create(tc, &c, 0));
	p[0].fd = kipc_chan_get_fd(c, KIPC_CHAN_READ);
	p[0].events = POLLIN;
	p[1].fd = kipc_chan_get_fd(c, KIPC_CHAN_WRITE);
	p[1].events = POLLOUT;
	CHECK_EQ(poll(p, 2, 0), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLOUT);
	CHECK_EQ(kipc_chan_write(c, "z", 1), 1);
	CHECK_EQ(poll(p, 1, 1000), 1);
	CHECK_EQ(p[0].revents, POLLIN);
	CHECK_OK(kipc_chan_close(c, KIPC_CHAN_WRITE));
	CHECK_EQ(poll(p, 1, 1000), 1);
	CHECK_EQ(p[0].revents, POLLIN | POLLHUP);
	CHECK_EQ(kipc_chan_read(c, &b, 1), 1);
	CHECK_EQ(poll(p, 1, 1000), 1);
	CHECK_EQ(p[0].revents, POLLHUP);
	kipc_chan_destroy(c);
	return 0;
}

/* A FIFO at a path the caller chose: made, used, removed by the creator. */
static int test_caller_path(const struct kt_case *tc)
{
	struct kipc_chan *c, *dup;
	struct kipc_chan_opts o;
	char path[256];
	struct stat st;
	mode_t um;

	memset(&o, 0, sizeof(o));
	if (tc->backend == KIPC_BACKEND_FIFO) {
		snprintf(path, sizeof(path), "%s/libkipc-test-%d.fifo",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (int)getpid());
		o.path = path;
	} else {
		snprintf(path, sizeof(path), "libkipc-test-%d", (int)getpid());
		o.path = path;
	}
	o.mode = 0640;
	um = umask(0);
	umask(um);
	CHECK_OK(kipc_chan_create(&c, tc->backend, &o));
	CHECK_EQ(kipc_chan_create(&dup, tc->backend, &o), -EEXIST);
	CHECK_OK(stat(kipc_chan_path(c), &st));
	/* Both backends mask the mode with the umask (KIPC_CAP_UMASK). */
	CHECK_EQ(st.st_mode & 0777, 0640 & ~um);
	snprintf(path, sizeof(path), "%s", kipc_chan_path(c));
	kipc_chan_destroy(c);
	CHECK(stat(path, &st) < 0 && errno == ENOENT, "%s still there", path);
	return 0;
}

/* Arguments that no backend takes. */
static int test_invalid(const struct kt_case *tc)
{
	struct kipc_chan_opts o;
	struct kipc_chan *c;

	memset(&o, 0, sizeof(o));
	o.reserved[1] = 1;
	CHECK_EQ(kipc_chan_create(&c, tc->backend, &o), -EINVAL);
	CHECK(c == NULL, "handle on failure");
	memset(&o, 0, sizeof(o));
	o.flags = 1u << 7;
	CHECK_EQ(kipc_chan_create(&c, tc->backend, &o), -EINVAL);
	if (!(kt_caps(tc) & KIPC_CAP_NAMED)) {
		memset(&o, 0, sizeof(o));
		o.flags = KIPC_CHAN_NODE_ONLY;
		CHECK_EQ(kipc_chan_create(&c, tc->backend, &o), -EINVAL);
		CHECK_EQ(kipc_chan_open(&c, tc->backend, "/tmp/x", O_RDONLY),
			 -EINVAL);
	}
	CHECK_OK(create(tc, &c, 0));
	CHECK_EQ(kipc_chan_close(c, 0), -EINVAL);
	CHECK_EQ(kipc_chan_close(c, 4), -EINVAL);
	kipc_chan_destroy(c);
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_suite s;
	static const struct {
		const char *name;
		kt_fn fn;
		int named_only;
	} cases[] = {
		{ "create and destroy", test_create_destroy, 0 },
		{ "write, queued, read", test_roundtrip, 0 },
		{ "partial transfers, nonblocking", test_partial_nonblock, 0 },
		{ "nonblocking mode on and off", test_nonblock_toggle, 0 },
		{ "EOF after the last writer", test_eof, 0 },
		{ "EPIPE without a reader", test_epipe, 0 },
		{ "EINTR from a bare read", test_eintr_read, 0 },
		{ "read_exact through EINTR", test_eintr_read_exact, 0 },
		{ "write_all through EINTR and short writes",
		  test_eintr_write_all, 0 },
		{ "capacity get and set", test_capacity, 0 },
		{ "two processes, EOF", test_fork_transfer, 0 },
		{ "poll", test_poll, 0 },
		{ "invalid arguments", test_invalid, 0 },
		{ "capacity after reopen", test_capacity_reopen, 1 },
		{ "FIFO open rules", test_open_rules, 1 },
		{ "EINTR from a blocking open", test_open_eintr, 1 },
		{ "node at a caller's path", test_caller_path, 1 },
	};
	size_t i, b;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (b = 0; b < ARRAY_SIZE(chan_backends); b++) {
			if (cases[i].named_only &&
			    !(kipc_backend_caps(chan_backends[b]) & KIPC_CAP_NAMED))
				continue;
			kt_add(&s, chan_backends[b], cases[i].name, cases[i].fn);
		}
	return kt_run(&s, argc, argv);
}
