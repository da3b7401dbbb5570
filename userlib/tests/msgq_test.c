// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Messages: the same cases over every message backend.  kipc-msg runs
 * next to the kernel's own message mechanisms (POSIX and System V queues,
 * SOCK_SEQPACKET pairs), whose answers are the reference.  Where a
 * backend lacks a feature, the case checks that the call says -ENOTSUP
 * (or what the mechanism does instead) and skips, naming the cap.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "ktap.h"

static const enum kipc_backend msg_backends[] = {
	KIPC_BACKEND_KIPC_MSG, KIPC_BACKEND_POSIX_MQ,
	KIPC_BACKEND_SYSV_MSG, KIPC_BACKEND_SEQPACKET,
};

/* Larger than any queue's longest message here: POSIX mq needs that. */
#define BIG	65536

static unsigned char big[BIG];

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
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

/* A name of this process and case, for the named backends. */
static void case_name(const struct kt_case *tc, char *buf, size_t len)
{
	snprintf(buf, len, "%slibkipc-test-%d-%d",
		 tc->backend == KIPC_BACKEND_POSIX_MQ ? "/" : "",
		 (int)kt_runner_pid, tc->index);
}

/*
 * The queues a case made, so that a case that fails half-way leaves
 * nothing behind (System V queues outlive their processes).
 */
static struct kipc_msgq *live[8];

static int create_with(const struct kt_case *tc, struct kipc_msgq **q,
		       const struct kipc_msgq_opts *o)
{
	size_t i;
	int ret = kipc_msgq_create(q, tc->backend, o);

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(live); i++)
		if (!live[i]) {
			live[i] = *q;
			break;
		}
	return 0;
}

static int create(const struct kt_case *tc, struct kipc_msgq **q,
		  unsigned int flags)
{
	struct kipc_msgq_opts o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	return create_with(tc, q, &o);
}

static void destroy(struct kipc_msgq *q)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(live); i++)
		if (live[i] == q)
			live[i] = NULL;
	kipc_msgq_destroy(q);
}

static void destroy_all(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(live); i++)
		if (live[i])
			destroy(live[i]);
}

/* After each case, in its process, even one killed by the timeout. */
static void msgq_cleanup(const struct kt_case *tc)
{
	struct kipc_chan_name req;
	char name[64];
	int ctl;

	destroy_all();
	case_name(tc, name, sizeof(name));
	if (tc->backend == KIPC_BACKEND_POSIX_MQ) {
		mq_unlink(name);
	} else if (tc->backend == KIPC_BACKEND_KIPC_MSG) {
		ctl = open("/dev/kipc/control", O_RDWR | O_CLOEXEC);
		if (ctl < 0)
			return;
		memset(&req, 0, sizeof(req));
		snprintf(req.name, sizeof(req.name), "%s", name);
		ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &req);
		close(ctl);
	}
}

/* The backend lacks @cap, and the case has checked what it says. */
static __attribute__((noreturn)) void skip_without(const char *cap)
{
	destroy_all();
	kt_skip("no %s (checked: -ENOTSUP or the mechanism's own answer)",
		cap);
}

static int send_str(struct kipc_msgq *q, const char *s, unsigned int prio)
{
	return kipc_msgq_send(q, s, strlen(s), prio, 0);
}

/* Receive into big[], DONTWAIT, and compare with @want. */
static int recv_is(struct kipc_msgq *q, const char *want,
		   unsigned int prio)
{
	struct kipc_msgq_info info;
	int ret;

	memset(big, 0, 64);
	ret = kipc_msgq_recv(q, big, BIG, &info, KIPC_MSGQ_DONTWAIT);
	if (ret) {
		kt_diag("recv: %s, want \"%s\"", kipc_strerror(ret), want);
		return 0;
	}
	if (info.size != strlen(want) || memcmp(big, want, info.size) ||
	    info.priority != prio || info.flags) {
		kt_diag("got \"%.*s\" (%zu bytes, priority %u, flags %#x), "
			"want \"%s\" at %u", (int)(info.size < 64 ?
						   info.size : 64),
			big, info.size, info.priority, info.flags, want, prio);
		return 0;
	}
	return 1;
}

/* Send @len-byte messages, not waiting, until the queue is full. */
static long fill(struct kipc_msgq *q, size_t len)
{
	long n;
	int ret = 0;

	for (n = 0; n < 100000; n++) {
		ret = kipc_msgq_send(q, big, len, 0, KIPC_MSGQ_DONTWAIT);
		if (ret)
			break;
	}
	return ret == -EAGAIN ? n : -1;
}

static int queued_is(const struct kt_case *tc, struct kipc_msgq *q,
		     size_t want)
{
	size_t n = 12345;

	if (!(kt_caps(tc) & KIPC_CAP_MSG_QUEUED))
		return 1;
	if (kipc_msgq_get_queued(q, &n) || n != want) {
		kt_diag("queued %zu, want %zu", n, want);
		return 0;
	}
	return 1;
}

static int test_names_caps(const struct kt_case *tc)
{
	static const char *const names[] = {
		"kipc-msg", "posix-mq", "sysv-msg", "seqpacket",
	};
	unsigned int c, all = KIPC_CAP_MSG_PRIORITY | KIPC_CAP_MSG_PEEK |
		KIPC_CAP_MSG_TIMEOUT | KIPC_CAP_MSG_TOOBIG |
		KIPC_CAP_MSG_TRUNC | KIPC_CAP_MSG_EOF | KIPC_CAP_MSG_POLL |
		KIPC_CAP_MSG_QUEUED;
	struct kipc_msgq *q;
	struct kipc_chan *ch;
	size_t i;
	int b;

	(void)tc;
	for (i = 0; i < ARRAY_SIZE(msg_backends); i++) {
		b = msg_backends[i];
		CHECK(!strcmp(kipc_backend_name(b), names[i]), "name of %d", b);
		CHECK_EQ(kipc_backend_from_name(names[i]), b);
		c = kipc_backend_caps(b);
		CHECK((c & KIPC_CAP_MESSAGE) &&
		      !(c & (KIPC_CAP_CHANNEL | KIPC_CAP_SHM)),
		      "%s: caps %#x", names[i], c);
		CHECK(!!(c & KIPC_CAP_MODULE) == (b == KIPC_BACKEND_KIPC_MSG),
		      "%s: module", names[i]);
		/* Channels are not queues, nor the other way round. */
		CHECK_EQ(kipc_chan_create(&ch, b, NULL), -EINVAL);
	}
	CHECK_EQ(kipc_backend_caps(KIPC_BACKEND_KIPC_MSG) & all, all);
	for (b = KIPC_BACKEND_PIPE; b <= KIPC_BACKEND_KIPC_MAPPED; b++) {
		CHECK(!(kipc_backend_caps(b) & (KIPC_CAP_MESSAGE | all)),
		      "%d has message caps", b);
		CHECK_EQ(kipc_msgq_create(&q, b, NULL), -EINVAL);
	}
	CHECK_OK(kipc_backend_available(KIPC_BACKEND_SEQPACKET));
	return 0;
}

static int test_create_destroy(const struct kt_case *tc)
{
	int poll_cap = kt_caps(tc) & KIPC_CAP_MSG_POLL;
	struct kipc_msgq *q;
	char path[256] = "";
	int rfd, wfd;
	mqd_t m;

	CHECK_OK(create(tc, &q, 0));
	CHECK(kipc_msgq_backend(q) == tc->backend, "backend");
	rfd = kipc_msgq_get_fd(q, KIPC_CHAN_READ);
	wfd = kipc_msgq_get_fd(q, KIPC_CHAN_WRITE);
	if (poll_cap)
		CHECK(rfd >= 0 && wfd >= 0 && rfd != wfd, "fds %d %d", rfd,
		      wfd);
	else
		CHECK(rfd == -ENOTSUP && wfd == -ENOTSUP, "fds %d %d", rfd,
		      wfd);
	CHECK_EQ(kipc_msgq_get_fd(q, KIPC_CHAN_READ | KIPC_CHAN_WRITE),
		 -EINVAL);
	/* Only POSIX mq names an anonymous queue: it must. */
	if (tc->backend == KIPC_BACKEND_POSIX_MQ) {
		CHECK(kipc_msgq_path(q) && kipc_msgq_path(q)[0] == '/',
		      "path %s", kipc_msgq_path(q));
		snprintf(path, sizeof(path), "%s", kipc_msgq_path(q));
	} else {
		CHECK(!kipc_msgq_path(q), "path %s", kipc_msgq_path(q));
	}
	if (poll_cap)
		CHECK(fcntl(rfd, F_GETFD) & FD_CLOEXEC, "close-on-exec");
	destroy(q);
	if (path[0]) {
		m = mq_open(path, O_RDONLY);
		CHECK(m < 0 && errno == ENOENT, "%s still there", path);
	}
	return 0;
}

/* Each message whole, as sent, never merged or split. */
static int test_boundaries(const struct kt_case *tc)
{
	static unsigned char msg[1000];
	struct kipc_msgq_info info;
	struct kipc_msgq *q;

	CHECK_OK(create(tc, &q, 0));
	kt_fill_pattern(msg, sizeof(msg), 7);
	CHECK_OK(send_str(q, "a", 0));
	CHECK_OK(send_str(q, "bc", 0));
	CHECK_OK(kipc_msgq_send(q, msg, sizeof(msg), 0, 0));
	CHECK_OK(send_str(q, "def", 0));
	CHECK(queued_is(tc, q, 4), "queued");
	CHECK(recv_is(q, "a", 0), "first");
	CHECK(recv_is(q, "bc", 0), "second");
	CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
	CHECK_EQ(info.size, sizeof(msg));
	CHECK(kt_check_pattern(big, sizeof(msg), 7) == sizeof(msg), "data");
	CHECK(recv_is(q, "def", 0), "fourth");
	CHECK(queued_is(tc, q, 0), "queued");
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, KIPC_MSGQ_DONTWAIT),
		 -EAGAIN);
	destroy(q);
	return 0;
}

/* FIFO within one priority, over many messages. */
static int test_order(const struct kt_case *tc)
{
	struct kipc_msgq_info info;
	struct kipc_msgq *q;
	unsigned int i, v;

	CHECK_OK(create(tc, &q, 0));
	for (i = 0; i < 200; i++) {
		if (i >= 5) {
			CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
			CHECK_EQ(info.size, sizeof(v));
			memcpy(&v, big, sizeof(v));
			CHECK_EQ(v, i - 5);
		}
		CHECK_OK(kipc_msgq_send(q, &i, sizeof(i), 0, 0));
	}
	for (i = 195; i < 200; i++) {
		CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
		memcpy(&v, big, sizeof(v));
		CHECK_EQ(v, i);
	}
	destroy(q);
	return 0;
}

/* The highest priority first, FIFO within one, as POSIX mq does. */
static int test_priorities(const struct kt_case *tc)
{
	struct kipc_msgq *q;

	CHECK_OK(create(tc, &q, 0));
	CHECK_EQ(kipc_msgq_send(q, "x", 1, KIPC_MSG_PRIO_MAX, 0), -EINVAL);
	if (!(kt_caps(tc) & KIPC_CAP_MSG_PRIORITY)) {
		CHECK_EQ(send_str(q, "a1", 1), -ENOTSUP);
		CHECK_EQ(send_str(q, "a31", 31), -ENOTSUP);
		CHECK_OK(send_str(q, "e0", 0));
		CHECK(recv_is(q, "e0", 0), "priority 0 only");
		skip_without("KIPC_CAP_MSG_PRIORITY");
	}
	CHECK_OK(send_str(q, "a1", 1));
	CHECK_OK(send_str(q, "b5", 5));
	CHECK_OK(send_str(q, "c3", 3));
	CHECK_OK(send_str(q, "d5", 5));
	CHECK_OK(send_str(q, "e0", 0));
	CHECK_OK(send_str(q, "f31", 31));
	CHECK_OK(send_str(q, "g0", 0));
	CHECK(recv_is(q, "f31", 31), "1st");
	CHECK(recv_is(q, "b5", 5), "2nd");
	CHECK(recv_is(q, "d5", 5), "3rd");
	CHECK(recv_is(q, "c3", 3), "4th");
	CHECK(recv_is(q, "a1", 1), "5th");
	CHECK(recv_is(q, "e0", 0), "6th");
	CHECK(recv_is(q, "g0", 0), "7th");
	destroy(q);
	return 0;
}

/* A buffer shorter than the message: -EMSGSIZE, and the message stays. */
static int test_short_buffer(const struct kt_case *tc)
{
	unsigned int caps = kt_caps(tc);
	struct kipc_msgq_info info;
	unsigned char buf[200];
	struct kipc_msgq *q;
	struct mq_attr attr;

	CHECK_OK(create(tc, &q, 0));
	kt_fill_pattern(big, 100, 3);
	CHECK_OK(kipc_msgq_send(q, big, 100, 0, 0));
	CHECK_EQ(kipc_msgq_recv(q, buf, 99, &info, 0), -EMSGSIZE);
	CHECK_EQ(kipc_msgq_recv(q, NULL, 0, &info, 0), -EMSGSIZE);
	CHECK(queued_is(tc, q, 1), "kept");
	if (!(caps & KIPC_CAP_MSG_TOOBIG)) {
		/*
		 * POSIX mq: the test is the buffer against the queue's
		 * mq_msgsize, not against the message.
		 */
		CHECK_OK(mq_getattr(kipc_msgq_get_fd(q, KIPC_CHAN_READ),
				    &attr));
		CHECK_EQ(kipc_msgq_recv(q, buf, sizeof(buf), &info, 0),
			 -EMSGSIZE);
		CHECK_OK(kipc_msgq_recv(q, big, attr.mq_msgsize, &info, 0));
		CHECK_EQ(info.size, 100);
		skip_without("KIPC_CAP_MSG_TOOBIG");
	}
	if (caps & KIPC_CAP_MSG_PEEK)
		CHECK_EQ(kipc_msgq_recv(q, buf, 99, &info, KIPC_MSGQ_PEEK),
			 -EMSGSIZE);
	memset(buf, 0, sizeof(buf));
	CHECK_OK(kipc_msgq_recv(q, buf, 100, &info, 0));
	CHECK_EQ(info.size, 100);
	CHECK_EQ(info.flags, 0);
	CHECK(kt_check_pattern(buf, 100, 3) == 100, "data");
	/* An empty message fits any buffer. */
	CHECK_OK(kipc_msgq_send(q, NULL, 0, 0, 0));
	CHECK_OK(kipc_msgq_recv(q, NULL, 0, &info, 0));
	CHECK_EQ(info.size, 0);
	destroy(q);
	return 0;
}

/* Longer than the queue could ever hold: -EMSGSIZE, nothing queued. */
static int test_too_long(const struct kt_case *tc)
{
	const size_t len = 4 << 20;
	struct kipc_msgq *q;
	void *huge = calloc(1, len);

	CHECK(huge, "calloc");
	CHECK_OK(create(tc, &q, KIPC_MSGQ_NONBLOCK));
	CHECK_EQ(kipc_msgq_send(q, huge, len, 0, 0), -EMSGSIZE);
	CHECK(queued_is(tc, q, 0), "queued");
	CHECK_EQ(kipc_msgq_send(q, NULL, 1, 0, 0), -EFAULT);
	free(huge);
	destroy(q);
	return 0;
}

static int test_truncate(const struct kt_case *tc)
{
	struct kipc_msgq_info info;
	unsigned char buf[16];
	struct kipc_msgq *q;

	CHECK_OK(create(tc, &q, 0));
	kt_fill_pattern(big, 100, 5);
	CHECK_OK(kipc_msgq_send(q, big, 100, 0, 0));
	if (!(kt_caps(tc) & KIPC_CAP_MSG_TRUNC)) {
		CHECK_EQ(kipc_msgq_recv(q, buf, 10, &info, KIPC_MSGQ_TRUNC),
			 -ENOTSUP);
		CHECK(queued_is(tc, q, 1), "kept");
		skip_without("KIPC_CAP_MSG_TRUNC");
	}
	CHECK_OK(kipc_msgq_send(q, "short", 5, 0, 0));
	memset(buf, 0, sizeof(buf));
	CHECK_OK(kipc_msgq_recv(q, buf, 10, &info, KIPC_MSGQ_TRUNC));
	CHECK_EQ(info.size, 100);
	CHECK_EQ(info.flags, KIPC_MSGQ_TRUNCATED);
	CHECK(kt_check_pattern(buf, 10, 5) == 10, "the first bytes");
	CHECK_EQ(buf[10], 0);
	CHECK(queued_is(tc, q, 1), "consumed");
	/* A message that fits is not truncated. */
	CHECK_OK(kipc_msgq_recv(q, buf, 10, &info, KIPC_MSGQ_TRUNC));
	CHECK_EQ(info.size, 5);
	CHECK_EQ(info.flags, 0);
	CHECK(!memcmp(buf, "short", 5), "data");
	destroy(q);
	return 0;
}

static int test_peek(const struct kt_case *tc)
{
	struct kipc_msgq_info info;
	struct kipc_msgq *q;
	char buf[16];

	CHECK_OK(create(tc, &q, 0));
	CHECK_OK(send_str(q, "first", 0));
	if (!(kt_caps(tc) & KIPC_CAP_MSG_PEEK)) {
		CHECK_EQ(kipc_msgq_recv(q, big, BIG, &info, KIPC_MSGQ_PEEK),
			 -ENOTSUP);
		CHECK(recv_is(q, "first", 0), "kept");
		skip_without("KIPC_CAP_MSG_PEEK");
	}
	CHECK_OK(send_str(q, "second", 0));
	memset(buf, 0, sizeof(buf));
	CHECK_OK(kipc_msgq_recv(q, buf, sizeof(buf), &info, KIPC_MSGQ_PEEK));
	CHECK(info.size == 5 && !memcmp(buf, "first", 5), "peeked %s", buf);
	CHECK_OK(kipc_msgq_recv(q, buf, 2, &info,
				KIPC_MSGQ_PEEK | KIPC_MSGQ_TRUNC));
	CHECK_EQ(info.size, 5);
	CHECK_EQ(info.flags, KIPC_MSGQ_TRUNCATED);
	CHECK(queued_is(tc, q, 2), "nothing consumed");
	CHECK(recv_is(q, "first", 0), "then received");
	CHECK(recv_is(q, "second", 0), "then the next");
	CHECK_EQ(kipc_msgq_recv(q, buf, sizeof(buf), &info,
				KIPC_MSGQ_PEEK | KIPC_MSGQ_DONTWAIT), -EAGAIN);
	destroy(q);
	return 0;
}

static int test_timeouts(const struct kt_case *tc)
{
	struct kipc_msgq *q;
	long long t0, dt;
	long n;

	CHECK_OK(create(tc, &q, 0));
	CHECK_EQ(kipc_msgq_set_timeouts(q, -1, 0), -EINVAL);
	if (!(kt_caps(tc) & KIPC_CAP_MSG_TIMEOUT)) {
		CHECK_EQ(kipc_msgq_set_timeouts(q, 100000000, 100000000),
			 -ENOTSUP);
		skip_without("KIPC_CAP_MSG_TIMEOUT");
	}
	CHECK_OK(kipc_msgq_set_timeouts(q, 100000000, 100000000));
	t0 = now_ms();
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, 0), -EAGAIN);
	dt = now_ms() - t0;
	CHECK(dt >= 95 && dt < 20000, "receive gave up after %lld ms", dt);

	n = fill(q, 1000);
	CHECK(n > 0, "filled with %ld", n);
	t0 = now_ms();
	CHECK_EQ(kipc_msgq_send(q, big, 1000, 0, 0), -EAGAIN);
	dt = now_ms() - t0;
	CHECK(dt >= 95 && dt < 20000, "send gave up after %lld ms", dt);
	CHECK(queued_is(tc, q, (size_t)n), "queued");

	/* 0 is no bound again: a receive of what is there still works. */
	CHECK_OK(kipc_msgq_set_timeouts(q, 0, 0));
	CHECK_OK(kipc_msgq_recv(q, big, BIG, NULL, 0));
	destroy(q);
	return 0;
}

struct recv_thread {
	struct kipc_msgq *q;
	struct kipc_msgq_info info;
	int ret;
	volatile int finished;
};

static void *recv_once(void *arg)
{
	struct recv_thread *t = arg;
	static unsigned char buf[BIG];

	t->ret = kipc_msgq_recv(t->q, buf, BIG, &t->info, 0);
	t->finished = 1;
	return NULL;
}

/* Nonblocking: -EAGAIN both ways; blocking again: a receive waits. */
static int test_nonblock(const struct kt_case *tc)
{
	struct recv_thread t = { 0 };
	struct kipc_msgq *q;
	pthread_t th;
	long n;

	CHECK_OK(create(tc, &q, KIPC_MSGQ_NONBLOCK));
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, 0), -EAGAIN);
	n = fill(q, 100);
	CHECK(n > 0, "filled with %ld", n);
	CHECK_EQ(kipc_msgq_send(q, big, 100, 0, 0), -EAGAIN);
	while (n--)
		CHECK_OK(kipc_msgq_recv(q, big, BIG, NULL, 0));
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, 0), -EAGAIN);

	CHECK_OK(kipc_msgq_set_nonblock(q, 0));
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, KIPC_MSGQ_DONTWAIT),
		 -EAGAIN);
	t.q = q;
	CHECK_OK(pthread_create(&th, NULL, recv_once, &t));
	sleep_ms(200);
	CHECK(!t.finished, "a blocking receive returned %d", t.ret);
	CHECK_OK(send_str(q, "wake", 0));
	pthread_join(th, NULL);
	CHECK_EQ(t.ret, 0);
	CHECK_EQ(t.info.size, 4);
	destroy(q);
	return 0;
}

/* A blocked receive and a signal without SA_RESTART: -EINTR. */
static int test_eintr(const struct kt_case *tc)
{
	struct recv_thread t = { 0 };
	long waited;
	pthread_t th;

	catch_sigusr1();
	CHECK_OK(create(tc, &t.q, 0));
	CHECK_OK(pthread_create(&th, NULL, recv_once, &t));
	for (waited = 0; !t.finished && waited < 10000; waited += 5) {
		pthread_kill(th, SIGUSR1);
		sleep_ms(5);
	}
	CHECK(t.finished, "receive not interrupted");
	pthread_join(th, NULL);
	CHECK_EQ(t.ret, -EINTR);
	destroy(t.q);
	return 0;
}

/* No sender left: the messages, then end of file, told from an empty one. */
static int test_eof(const struct kt_case *tc)
{
	struct kipc_msgq_info info;
	struct kipc_msgq *q;

	CHECK_OK(create(tc, &q, 0));
	CHECK_OK(send_str(q, "x", 0));
	CHECK_OK(kipc_msgq_send(q, "", 0, 0, 0));
	CHECK_OK(kipc_msgq_close(q, KIPC_CHAN_WRITE));
	CHECK_EQ(send_str(q, "y", 0), -EBADF);
	CHECK(recv_is(q, "x", 0), "first");
	CHECK(recv_is(q, "", 0), "the empty message, not end of file");
	if (!(kt_caps(tc) & KIPC_CAP_MSG_EOF)) {
		/* The queue lives on: nothing to see, no end. */
		CHECK_EQ(kipc_msgq_recv(q, big, BIG, &info,
					KIPC_MSGQ_DONTWAIT), -EAGAIN);
		skip_without("KIPC_CAP_MSG_EOF");
	}
	memset(&info, 0xff, sizeof(info));
	CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
	CHECK_EQ(info.flags, KIPC_MSGQ_EOF);
	CHECK_EQ(info.size, 0);
	CHECK_EQ(info.priority, 0);
	CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, KIPC_MSGQ_DONTWAIT));
	CHECK_EQ(info.flags, KIPC_MSGQ_EOF);
	if (kt_caps(tc) & KIPC_CAP_MSG_PEEK) {
		CHECK_OK(kipc_msgq_recv(q, big, 0, &info, KIPC_MSGQ_PEEK));
		CHECK_EQ(info.flags, KIPC_MSGQ_EOF);
	}
	/* A short buffer at end of file is no error. */
	CHECK_OK(kipc_msgq_recv(q, NULL, 0, &info, 0));
	CHECK_EQ(info.flags, KIPC_MSGQ_EOF);
	destroy(q);
	return 0;
}

/*
 * No receiver left: -EPIPE.  A pipe also raises SIGPIPE, and kipc
 * follows it; an AF_UNIX SOCK_SEQPACKET socket sends on its datagram path,
 * which raises none: the kernel's own answer, reported as it is.
 */
static int test_epipe(const struct kt_case *tc)
{
	int sigpipe = tc->backend == KIPC_BACKEND_KIPC_MSG;
	struct kipc_msgq *q;
	int status;
	pid_t pid;

	CHECK_OK(create(tc, &q, 0));
	CHECK_OK(kipc_msgq_close(q, KIPC_CHAN_READ));
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, 0), -EBADF);
	if (!(kt_caps(tc) & KIPC_CAP_MSG_EOF)) {
		/* The queue lives on: the message is queued for nobody. */
		CHECK_OK(send_str(q, "x", 0));
		CHECK(queued_is(tc, q, 1), "queued");
		skip_without("KIPC_CAP_MSG_EOF");
	}
	CHECK_EQ(send_str(q, "x", 0), -EPIPE);
	CHECK_EQ(kipc_msgq_send(q, NULL, 0, 0, 0), -EPIPE);

	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		signal(SIGPIPE, SIG_DFL);
		_exit(send_str(q, "x", 0) == -EPIPE ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	if (sigpipe)
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
		      "status %#x, want SIGPIPE", status);
	else
		CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
		      "status %#x, want -EPIPE and no signal", status);
	destroy(q);
	return 0;
}

static int test_queued(const struct kt_case *tc)
{
	struct kipc_msgq *q;
	size_t n;

	CHECK_OK(create(tc, &q, 0));
	CHECK_EQ(kipc_msgq_get_queued(q, NULL), -EINVAL);
	if (!(kt_caps(tc) & KIPC_CAP_MSG_QUEUED)) {
		CHECK_EQ(kipc_msgq_get_queued(q, &n), -ENOTSUP);
		skip_without("KIPC_CAP_MSG_QUEUED");
	}
	CHECK_OK(kipc_msgq_get_queued(q, &n));
	CHECK_EQ(n, 0);
	CHECK_OK(send_str(q, "one", 0));
	CHECK_OK(kipc_msgq_send(q, NULL, 0, 0, 0));
	CHECK_OK(send_str(q, "three", 0));
	CHECK_OK(kipc_msgq_get_queued(q, &n));
	CHECK_EQ(n, 3);
	CHECK_OK(kipc_msgq_recv(q, big, BIG, NULL, 0));
	CHECK_OK(kipc_msgq_get_queued(q, &n));
	CHECK_EQ(n, 2);
	/* Either end answers. */
	CHECK_OK(kipc_msgq_close(q, KIPC_CHAN_READ));
	CHECK_OK(kipc_msgq_get_queued(q, &n));
	CHECK_EQ(n, 2);
	CHECK_OK(kipc_msgq_close(q, KIPC_CHAN_WRITE));
	CHECK_EQ(kipc_msgq_get_queued(q, &n), -EBADF);
	destroy(q);
	return 0;
}

/* An empty message is a message: queued, pollable, received as such. */
static int test_empty_message(const struct kt_case *tc)
{
	struct kipc_msgq_info info;
	struct kipc_msgq *q;
	struct pollfd p;

	CHECK_OK(create(tc, &q, 0));
	CHECK_OK(kipc_msgq_send(q, NULL, 0, 0, 0));
	CHECK(queued_is(tc, q, 1), "queued");
	if (kt_caps(tc) & KIPC_CAP_MSG_POLL) {
		p.fd = kipc_msgq_get_fd(q, KIPC_CHAN_READ);
		p.events = POLLIN;
		CHECK_EQ(poll(&p, 1, 1000), 1);
		CHECK(p.revents & POLLIN, "revents %#x", p.revents);
	}
	memset(&info, 0xff, sizeof(info));
	CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
	CHECK_EQ(info.size, 0);
	CHECK_EQ(info.flags, 0);
	CHECK(queued_is(tc, q, 0), "consumed");
	destroy(q);
	return 0;
}

/* The fds poll: POLLIN with a message, POLLOUT with room, POLLHUP at EOF. */
static int test_poll(const struct kt_case *tc)
{
	struct kipc_msgq *q;
	struct pollfd p[2];
	long n;

	CHECK_OK(create(tc, &q, 0));
	if (!(kt_caps(tc) & KIPC_CAP_MSG_POLL)) {
		CHECK_EQ(kipc_msgq_get_fd(q, KIPC_CHAN_READ), -ENOTSUP);
		CHECK_EQ(kipc_msgq_get_fd(q, KIPC_CHAN_WRITE), -ENOTSUP);
		skip_without("KIPC_CAP_MSG_POLL");
	}
	p[0].fd = kipc_msgq_get_fd(q, KIPC_CHAN_READ);
	p[0].events = POLLIN;
	p[1].fd = kipc_msgq_get_fd(q, KIPC_CHAN_WRITE);
	p[1].events = POLLOUT;
	CHECK_EQ(poll(p, 2, 0), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK(p[1].revents & POLLOUT, "revents %#x", p[1].revents);
	CHECK_OK(send_str(q, "z", 0));
	CHECK_EQ(poll(p, 1, 1000), 1);
	CHECK(p[0].revents & POLLIN, "revents %#x", p[0].revents);
	CHECK_OK(kipc_msgq_recv(q, big, BIG, NULL, 0));
	CHECK_EQ(poll(p, 1, 0), 0);

	n = fill(q, 1000);
	CHECK(n > 0, "filled with %ld", n);
	CHECK_EQ(poll(&p[1], 1, 0), 0);
	CHECK_OK(kipc_msgq_recv(q, big, BIG, NULL, 0));
	while (--n > 0)
		CHECK_OK(kipc_msgq_recv(q, big, BIG, NULL, 0));
	CHECK_EQ(poll(&p[1], 1, 1000), 1);
	CHECK(p[1].revents & POLLOUT, "revents %#x", p[1].revents);

	if (kt_caps(tc) & KIPC_CAP_MSG_EOF) {
		CHECK_OK(kipc_msgq_close(q, KIPC_CHAN_WRITE));
		CHECK_EQ(poll(p, 1, 1000), 1);
		CHECK(p[0].revents & POLLHUP, "revents %#x", p[0].revents);
	}
	destroy(q);
	return 0;
}

/*
 * Two processes: the child sends and exits, the parent receives every
 * message in order (then end of file, where there is one).  The child's
 * destroy must leave the parent's queue alone.
 */
static int test_fork(const struct kt_case *tc)
{
	const unsigned int count = 300;
	struct kipc_msgq_info info;
	struct kipc_msgq *q;
	unsigned int i;
	int status;
	pid_t pid;

	CHECK_OK(create(tc, &q, 0));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		kipc_msgq_close(q, KIPC_CHAN_READ);
		for (i = 0; i < count; i++) {
			kt_fill_pattern(big, i * 7, i);
			if (kipc_msgq_send(q, big, i * 7, 0, 0))
				_exit(1);
		}
		kipc_msgq_destroy(q);
		_exit(0);
	}
	CHECK_OK(kipc_msgq_close(q, KIPC_CHAN_WRITE));
	for (i = 0; i < count; i++) {
		CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
		CHECK_EQ(info.size, i * 7);
		CHECK(kt_check_pattern(big, info.size, i) == info.size,
		      "message %u", i);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child %#x", status);
	if (kt_caps(tc) & KIPC_CAP_MSG_EOF) {
		CHECK_OK(kipc_msgq_recv(q, big, BIG, &info, 0));
		CHECK_EQ(info.flags, KIPC_MSGQ_EOF);
	} else {
		CHECK_EQ(kipc_msgq_recv(q, big, BIG, &info,
					KIPC_MSGQ_DONTWAIT), -EAGAIN);
	}
	if (kipc_msgq_path(q)) {
		mqd_t m = mq_open(kipc_msgq_path(q), O_RDONLY);

		CHECK(m >= 0, "the child removed %s", kipc_msgq_path(q));
		mq_close(m);
	}
	destroy(q);
	return 0;
}

/*
 * Capacity, each mechanism's way: kipc counts each message's bytes plus
 * KIPC_MSG_OVERHEAD, System V the bytes alone (msg_qbytes), POSIX mq has
 * none but mq_maxmsg and mq_msgsize, and a socket's SO_SNDBUF counts the
 * kernel's buffers too.
 */
static int test_capacity(const struct kt_case *tc)
{
	struct kipc_msgq_opts o;
	struct kipc_msgq *q;
	long n, dflt;

	CHECK_OK(create(tc, &q, KIPC_MSGQ_NONBLOCK));
	dflt = fill(q, 1000);
	CHECK(dflt > 0, "default: %ld", dflt);
	destroy(q);

	memset(&o, 0, sizeof(o));
	o.flags = KIPC_MSGQ_NONBLOCK;
	o.capacity = 8000;
	if (tc->backend == KIPC_BACKEND_POSIX_MQ) {
		CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
		o.capacity = 0;
		o.max_msgs = 3;
		o.max_msg = 1000;
		CHECK_OK(create_with(tc, &q, &o));
		CHECK_EQ(fill(q, 1000), 3);
		CHECK_EQ(kipc_msgq_send(q, big, 1001, 0, 0), -EMSGSIZE);
		destroy(q);
		return 0;
	}
	if (tc->backend == KIPC_BACKEND_KIPC_MSG)
		o.capacity = 8192;	/* the module's floor is 4096 */
	CHECK_OK(create_with(tc, &q, &o));
	n = fill(q, 1000);
	switch (tc->backend) {
	case KIPC_BACKEND_KIPC_MSG:
		CHECK_EQ(n, 8192 / (1000 + KIPC_MSG_OVERHEAD));
		break;
	case KIPC_BACKEND_SYSV_MSG:
		CHECK_EQ(n, 8);
		CHECK_EQ(kipc_msgq_send(q, big, 8001, 0, 0), -EMSGSIZE);
		break;
	default:
		CHECK(n > 0 && n < dflt, "%ld fit, %ld by default", n, dflt);
		break;
	}
	destroy(q);
	return 0;
}

/* A queue at a name the caller chose: made, used, removed by its maker. */
static int test_named(const struct kt_case *tc)
{
	struct kipc_msgq *q, *dup;
	struct kipc_msgq_opts o;
	char name[64], node[128];
	struct stat st;
	mode_t um;
	mqd_t m;

	case_name(tc, name, sizeof(name));
	memset(&o, 0, sizeof(o));
	o.flags = KIPC_MSGQ_NONBLOCK;
	o.path = name;
	o.mode = 0640;
	if (!(kt_caps(tc) & KIPC_CAP_NAMED)) {
		CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
		kt_skip("no KIPC_CAP_NAMED (checked: -EINVAL for a path)");
	}
	um = umask(0);
	umask(um);
	CHECK_OK(create_with(tc, &q, &o));
	CHECK(!strcmp(kipc_msgq_path(q), name), "path %s", kipc_msgq_path(q));
	CHECK_EQ(create_with(tc, &dup, &o), -EEXIST);
	if (tc->backend == KIPC_BACKEND_POSIX_MQ) {
		CHECK_OK(fstat(kipc_msgq_get_fd(q, KIPC_CHAN_READ), &st));
	} else {
		snprintf(node, sizeof(node), "/dev/kipc/%s", name);
		CHECK_OK(stat(node, &st));
	}
	CHECK_EQ(st.st_mode & 0777, 0640 & ~um);
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, 0), -EAGAIN);
	CHECK_OK(send_str(q, "named", 2));
	CHECK(recv_is(q, "named", 2), "through the name");
	destroy(q);
	if (tc->backend == KIPC_BACKEND_POSIX_MQ) {
		m = mq_open(name, O_RDONLY);
		CHECK(m < 0 && errno == ENOENT, "%s still there", name);
	} else {
		CHECK(stat(node, &st) < 0 && errno == ENOENT,
		      "%s still there", node);
	}

	/* Made again, blocking this time: a receive waits. */
	o.flags = 0;
	CHECK_OK(create_with(tc, &q, &o));
	CHECK(!(fcntl(kipc_msgq_get_fd(q, KIPC_CHAN_READ), F_GETFL) &
		O_NONBLOCK), "blocking read end");
	CHECK(!(fcntl(kipc_msgq_get_fd(q, KIPC_CHAN_WRITE), F_GETFL) &
		O_NONBLOCK), "blocking write end");
	destroy(q);
	if (tc->backend == KIPC_BACKEND_POSIX_MQ) {
		m = mq_open(name, O_RDONLY);
		CHECK(m < 0 && errno == ENOENT, "%s still there", name);
	} else {
		CHECK(stat(node, &st) < 0 && errno == ENOENT,
		      "%s still there", node);
	}
	return 0;
}

/* Arguments that no backend takes, and those only some do. */
static int test_invalid(const struct kt_case *tc)
{
	enum kipc_backend b = tc->backend;
	struct kipc_msgq_opts o;
	struct kipc_msgq *q;

	memset(&o, 0, sizeof(o));
	o.reserved[3] = 1;
	CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
	CHECK(q == NULL, "handle on failure");
	memset(&o, 0, sizeof(o));
	o.flags = 1u << 7;
	CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
	memset(&o, 0, sizeof(o));
	o.max_msgs = -1;
	CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
	CHECK_EQ(kipc_msgq_create(NULL, b, NULL), -EINVAL);
	if (b != KIPC_BACKEND_POSIX_MQ) {
		memset(&o, 0, sizeof(o));
		o.max_msg = 100;
		CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
	}
	if (!(kt_caps(tc) & KIPC_CAP_NAMED)) {
		memset(&o, 0, sizeof(o));
		o.path = "/x";
		CHECK_EQ(create_with(tc, &q, &o), -EINVAL);
	}

	CHECK_OK(create(tc, &q, 0));
	CHECK_EQ(kipc_msgq_send(q, "x", 1, 0, KIPC_MSGQ_PEEK), -EINVAL);
	CHECK_EQ(kipc_msgq_send(q, "x", 1, 0, 1u << 9), -EINVAL);
	CHECK_EQ(kipc_msgq_recv(q, big, BIG, NULL, 1u << 9), -EINVAL);
	CHECK_EQ(kipc_msgq_recv(q, NULL, 10, NULL, 0), -EFAULT);
	CHECK_EQ(kipc_msgq_close(q, 0), -EINVAL);
	CHECK_EQ(kipc_msgq_close(q, 4), -EINVAL);
	CHECK_EQ(kipc_msgq_send(NULL, "x", 1, 0, 0), -EINVAL);
	CHECK_EQ(kipc_msgq_recv(NULL, big, BIG, NULL, 0), -EINVAL);
	CHECK(kipc_msgq_path(NULL) == NULL, "path of NULL");
	destroy(q);
	kipc_msgq_destroy(NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_suite s;
	static const struct {
		const char *name;
		kt_fn fn;
	} cases[] = {
		{ "create and destroy", test_create_destroy },
		{ "boundaries", test_boundaries },
		{ "order", test_order },
		{ "priorities", test_priorities },
		{ "short buffer: EMSGSIZE", test_short_buffer },
		{ "too long to send: EMSGSIZE", test_too_long },
		{ "truncation", test_truncate },
		{ "peek", test_peek },
		{ "timeouts", test_timeouts },
		{ "nonblocking: EAGAIN", test_nonblock },
		{ "EINTR from a blocked receive", test_eintr },
		{ "EOF after the last sender", test_eof },
		{ "EPIPE and SIGPIPE without a receiver", test_epipe },
		{ "queued count", test_queued },
		{ "zero-length message", test_empty_message },
		{ "poll", test_poll },
		{ "two processes", test_fork },
		{ "capacity", test_capacity },
		{ "queue at a caller's name", test_named },
		{ "invalid arguments", test_invalid },
	};
	size_t i, b;

	kt_add(&s, 0, "message backends: names and caps", test_names_caps);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (b = 0; b < ARRAY_SIZE(msg_backends); b++)
			kt_add(&s, msg_backends[b], cases[i].name,
			       cases[i].fn);
	s.cleanup = msgq_cleanup;
	return kt_run(&s, argc, argv);
}
