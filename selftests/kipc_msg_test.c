// SPDX-License-Identifier: GPL-2.0
/*
 * Message channels (KIPC_CHAN_F_MESSAGE), held to the kernel's own message
 * mechanisms: an AF_UNIX SOCK_SEQPACKET socket pair, a POSIX message queue
 * and a System V message queue (msg_backend.h).  Each TEST_F(msg, ...) is
 * one body over six variants: a kipc pair, a kipc named channel opened as
 * /dev/kipc/NAME, the same opened with KIPC_IOC_CHAN_OPEN, and the three
 * kernel mechanisms.  The kernel's answer is the reference: a body that
 * passes on them and fails on kipc has found a kipc bug.  A mechanism that
 * lacks a behaviour altogether (a System V queue has no fd to poll, a
 * socket no priorities) skips, with the reason msgchan_lacks() gives; where
 * the mechanisms agree on the behaviour but not on the errno, the errno is
 * the backend's, named for the case (msgchan.empty_errno, ...).
 *
 * What only kipc has (the cost of a message in the capacity, the ioctls'
 * arguments, statistics, fdinfo) is in kipc_msg_kipc_test.c.
 *
 * Blocking is read from /proc (task_sleeps_in()), never from elapsed time;
 * children carry a watchdog and report through their exit status
 * (proc_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "msg_backend.h"
#include "proc_util.h"

/* The size of the messages that fill a channel in these tests. */
#define FILL_LEN	100

FIXTURE(msg) {
	struct msgchan m;
	pid_t kid;		/* a forked child not yet reaped, or 0 */
};

FIXTURE_VARIANT(msg) {
	enum msgchan_kind kind;
};

FIXTURE_VARIANT_ADD(msg, kipc_pair) { .kind = MSGCHAN_KIPC_PAIR };
FIXTURE_VARIANT_ADD(msg, kipc_named) { .kind = MSGCHAN_KIPC_NAMED };
FIXTURE_VARIANT_ADD(msg, kipc_open) { .kind = MSGCHAN_KIPC_OPEN };
FIXTURE_VARIANT_ADD(msg, seqpacket) { .kind = MSGCHAN_SEQPACKET };
FIXTURE_VARIANT_ADD(msg, posix_mq) { .kind = MSGCHAN_POSIX_MQ };
FIXTURE_VARIANT_ADD(msg, sysv) { .kind = MSGCHAN_SYSV };

FIXTURE_SETUP(msg)
{
	int err;

	/* Skips, or fails under KIPC_REQUIRE=1, without the module. */
	if (msgchan_kind_is_kipc(variant->kind))
		close(open_control_or_skip(_metadata));
	err = msgchan_init(&self->m, variant->kind, 0);
	if (err)
		msgchan_fini(&self->m);
	ASSERT_EQ(0, err) TH_LOG("message channel setup: %s", strerror(-err));
}

FIXTURE_TEARDOWN(msg)
{
	if (self->kid > 0) {
		kill(self->kid, SIGKILL);
		waitpid(self->kid, NULL, 0);
	}
	msgchan_fini(&self->m);
}

/* Skip unless the mechanism has all of @what, naming the first it lacks. */
#define NEEDS(self, what) do {						\
	unsigned int __miss = (what) & ~(self)->m.has;			\
									\
	if (__miss)							\
		SKIP(return, "%s", msgchan_lacks((self)->m.kind,	\
						 __miss & -__miss));	\
} while (0)

/* Reap the fixture's child: its exit status (proc_util.h's reap_child()). */
static int reap_kid(FIXTURE_DATA(msg) *self)
{
	int st = reap_child(self->kid);

	self->kid = 0;
	return st;
}

/* poll() @fd for @events without waiting: revents, or -errno. */
static int revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) < 0 ? -errno : p.revents;
}

static void fill_pattern(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)((i * 7 + seed) % 251);
}

static ssize_t send_str(struct msgchan *m, const char *s)
{
	return msgchan_send(m, s, strlen(s), 0);
}

/* Messages arrive one per receive, as sent: never merged. */
TEST_F(msg, boundaries_kept)
{
	static const char *const sent[] = { "a", "bc", "", "def", "ghij" };
	struct msgchan *m = &self->m;
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sent); i++)
		ASSERT_EQ(strlen(sent[i]), send_str(m, sent[i]));
	for (i = 0; i < ARRAY_SIZE(sent); i++) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(strlen(sent[i]), msgchan_recv(m, buf, sizeof(buf),
							NULL));
		EXPECT_STREQ(sent[i], buf);
	}
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-m->empty_errno, msgchan_recv(m, buf, sizeof(buf), NULL));
}

/*
 * The longest message a send takes (kipc: the capacity; the socket:
 * SO_SNDBUF - 32; POSIX: mq_msgsize; System V: msgmax) goes into an empty
 * channel and arrives whole: never split.  One byte more is refused at
 * once, even from a blocking send, and queues nothing.
 */
TEST_F(msg, longest_message_whole_one_more_refused)
{
	struct msgchan *m = &self->m;
	size_t len = m->max_len;
	char *out = malloc(len + 1), *in = malloc(len + 16);

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	fill_pattern(out, len + 1, 3);
	ASSERT_EQ(len, msgchan_send(m, out, len, 0));
	EXPECT_EQ(len, msgchan_recv(m, in, len + 16, NULL));
	EXPECT_EQ(0, memcmp(out, in, len));

	EXPECT_EQ(-m->too_long_errno, msgchan_send(m, out, len + 1, 0));
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-m->empty_errno, msgchan_recv(m, in, len + 16, NULL));
	free(out);
	free(in);
}

/* writev() gathers its vectors into one message. */
TEST_F(msg, writev_is_one_message)
{
	struct msgchan *m = &self->m;
	struct iovec iov[3] = {
		{ .iov_base = "ab", .iov_len = 2 },
		{ .iov_base = "cde", .iov_len = 3 },
		{ .iov_base = "f", .iov_len = 1 },
	};
	char buf[64] = "";

	NEEDS(self, MSGCHAN_HAS_RW);
	ASSERT_EQ(6, writev(m->wfd, iov, 3));
	ASSERT_EQ(1, write(m->wfd, "g", 1));
	EXPECT_EQ(6, read(m->rfd, buf, sizeof(buf)));
	EXPECT_STREQ("abcdef", buf);
	EXPECT_EQ(1, read(m->rfd, buf, sizeof(buf)));
	EXPECT_EQ('g', buf[0]);
}

/* readv() scatters one message, and the next readv() gets the next one. */
TEST_F(msg, readv_takes_one_message)
{
	struct msgchan *m = &self->m;
	char a[3], b[16];
	struct iovec iov[2] = {
		{ .iov_base = a, .iov_len = sizeof(a) },
		{ .iov_base = b, .iov_len = sizeof(b) },
	};

	NEEDS(self, MSGCHAN_HAS_RW);
	ASSERT_EQ(5, send_str(m, "hello"));
	ASSERT_EQ(6, send_str(m, "world!"));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(5, readv(m->rfd, iov, 2));
	EXPECT_EQ(0, memcmp(a, "hel", 3));
	EXPECT_STREQ("lo", b);
	memset(b, 0, sizeof(b));
	EXPECT_EQ(6, readv(m->rfd, iov, 2));
	EXPECT_EQ(0, memcmp(a, "wor", 3));
	EXPECT_STREQ("ld!", b);
}

/* One priority: first in, first out, whatever the lengths. */
TEST_F(msg, fifo_order)
{
	struct msgchan *m = &self->m;
	char out[64], in[64];
	unsigned int i;

	/* MSGCHAN_MQ_MAXMSG: what the smallest of the queues holds. */
	for (i = 0; i < MSGCHAN_MQ_MAXMSG; i++) {
		fill_pattern(out, sizeof(out), i);
		ASSERT_EQ(i * 5 + 1, msgchan_send(m, out, i * 5 + 1, 0));
	}
	for (i = 0; i < MSGCHAN_MQ_MAXMSG; i++) {
		fill_pattern(out, sizeof(out), i);
		ASSERT_EQ(i * 5 + 1, msgchan_recv(m, in, sizeof(in), NULL))
			TH_LOG("message %u", i);
		EXPECT_EQ(0, memcmp(out, in, i * 5 + 1)) TH_LOG("message %u", i);
	}
}

/*
 * The highest priority first, FIFO within one: as mq_receive(), and as
 * msgrcv() with msgtyp -32 and type 32 - priority.  Both ends of the range
 * (0 and KIPC_MSG_PRIO_MAX - 1) are used.
 */
TEST_F(msg, priority_order)
{
	static const struct {
		unsigned int prio;
		const char *text;
	} sent[] = {
		{ 0, "a" }, { 5, "b" }, { 0, "c" },
		{ KIPC_MSG_PRIO_MAX - 1, "d" }, { 5, "e" }, { 1, "f" },
	};
	static const char order[] = "dbefac";
	struct msgchan *m = &self->m;
	unsigned int prio;
	char buf[8];
	size_t i, j;

	NEEDS(self, MSGCHAN_HAS_PRIO);
	for (i = 0; i < ARRAY_SIZE(sent); i++)
		ASSERT_EQ(1, msgchan_send(m, sent[i].text, 1, sent[i].prio));
	for (i = 0; i < ARRAY_SIZE(sent); i++) {
		for (j = 0; sent[j].text[0] != order[i]; j++)
			;
		prio = ~0u;
		ASSERT_EQ(1, msgchan_recv(m, buf, sizeof(buf), &prio));
		EXPECT_EQ(order[i], buf[0]) TH_LOG("receive %zu", i);
		EXPECT_EQ(sent[j].prio, prio) TH_LOG("receive %zu", i);
	}
}

/*
 * A buffer shorter than the message is refused (kipc: EMSGSIZE; System V
 * without MSG_NOERROR: E2BIG), the message stays queued, and a buffer that
 * is long enough then gets it whole.  A zero-length buffer too.
 */
TEST_F(msg, short_buffer_refused_message_kept)
{
	struct msgchan *m = &self->m;
	char out[100], in[100];

	NEEDS(self, MSGCHAN_HAS_TOOBIG);
	fill_pattern(out, sizeof(out), 1);
	ASSERT_EQ(100, msgchan_send(m, out, 100, 0));
	ASSERT_EQ(1, send_str(m, "z"));
	EXPECT_EQ(-m->too_short_errno, msgchan_recv(m, in, 99, NULL));
	EXPECT_EQ(-m->too_short_errno, msgchan_recv(m, in, 0, NULL));
	EXPECT_EQ(100, msgchan_recv(m, in, 100, NULL));
	EXPECT_EQ(0, memcmp(out, in, 100));
	EXPECT_EQ(1, msgchan_recv(m, in, 100, NULL));
	EXPECT_EQ('z', in[0]);
}

/*
 * A truncating receive (kipc: KIPC_MSG_TRUNC; the socket: MSG_TRUNC;
 * System V: MSG_NOERROR) copies what fits and consumes the message: the
 * rest is gone, and the next receive gets the next message.  kipc and the
 * socket also say how long the message was.
 */
TEST_F(msg, truncating_receive_drops_the_rest)
{
	struct msgchan *m = &self->m;
	long long whole;
	char buf[16];

	NEEDS(self, MSGCHAN_HAS_TRUNC);
	ASSERT_EQ(10, send_str(m, "0123456789"));
	ASSERT_EQ(4, send_str(m, "next"));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, msgchan_recv_trunc(m, buf, 4, &whole));
	EXPECT_STREQ("0123", buf);
	if (msgchan_has(m, MSGCHAN_HAS_TRUNC_SIZE))
		EXPECT_EQ(10, whole);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_STREQ("next", buf);
}

/*
 * read(2) of a socket truncates; a kipc end does so with KIPC_END_TRUNC
 * (without it: EMSGSIZE, short_buffer_refused_message_kept).  recvmsg()
 * of the socket flags the loss with MSG_TRUNC, which read() cannot say.
 */
TEST_F(msg, truncating_read)
{
	struct kipc_end_opts opts = { .flags = KIPC_END_TRUNC };
	struct msgchan *m = &self->m;
	char buf[16] = "";

	NEEDS(self, MSGCHAN_HAS_RW | MSGCHAN_HAS_TRUNC);
	if (msgchan_is_kipc(m))
		ASSERT_EQ(0, ioctl(m->rfd, KIPC_IOC_SET_OPTS, &opts));
	ASSERT_EQ(10, send_str(m, "0123456789"));
	ASSERT_EQ(4, send_str(m, "next"));
	ASSERT_EQ(2, send_str(m, "ab"));
	EXPECT_EQ(4, read(m->rfd, buf, 4));
	EXPECT_STREQ("0123", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(m->rfd, buf, sizeof(buf)));
	EXPECT_STREQ("next", buf);
	EXPECT_EQ(1, read(m->rfd, buf, 1));
	EXPECT_EQ('a', buf[0]);
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-1, read(m->rfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * A peek copies the next message (truncated to the buffer) and leaves it
 * queued; the receive that follows gets it, then the next one.
 */
TEST_F(msg, peek_leaves_message_queued)
{
	struct msgchan *m = &self->m;
	char buf[16];

	NEEDS(self, MSGCHAN_HAS_PEEK);
	ASSERT_EQ(5, send_str(m, "hello"));
	ASSERT_EQ(1, send_str(m, "x"));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, msgchan_peek(m, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, msgchan_peek(m, buf, 2));
	EXPECT_STREQ("he", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_STREQ("hello", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(1, msgchan_peek(m, buf, sizeof(buf)));
	EXPECT_EQ(1, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ('x', buf[0]);
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-EAGAIN, msgchan_peek(m, buf, sizeof(buf)));
}

/*
 * An empty message is a message: the send returns 0 and queues it (a
 * pipe's write of 0 bytes does nothing), poll says POLLIN, FIONREAD 0,
 * and a receive returns 0 and consumes it.
 */
TEST_F(msg, zero_length_message)
{
	struct msgchan *m = &self->m;
	char buf[8];
	int n = -1;

	ASSERT_EQ(0, msgchan_send(m, "", 0, 0));
	if (msgchan_has(m, MSGCHAN_HAS_POLL))
		EXPECT_EQ(POLLIN, revents(m->rfd, POLLIN));
	if (msgchan_has(m, MSGCHAN_HAS_FIONREAD)) {
		ASSERT_EQ(0, ioctl(m->rfd, FIONREAD, &n));
		EXPECT_EQ(0, n);
	}
	EXPECT_EQ(0, msgchan_recv(m, buf, sizeof(buf), NULL));
	if (msgchan_has(m, MSGCHAN_HAS_POLL))
		EXPECT_EQ(0, revents(m->rfd, POLLIN));

	ASSERT_EQ(1, send_str(m, "a"));
	ASSERT_EQ(0, send_str(m, ""));
	ASSERT_EQ(1, send_str(m, "b"));
	EXPECT_EQ(1, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(1, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ('b', buf[0]);
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-m->empty_errno, msgchan_recv(m, buf, sizeof(buf), NULL));
}

/*
 * Once the senders are gone the receiver gets what is queued, then 0 for
 * ever; EOF comes before EAGAIN, so a nonblocking receive returns 0 too.
 */
TEST_F(msg, eof_after_the_queued_messages)
{
	struct msgchan *m = &self->m;
	char buf[8];

	NEEDS(self, MSGCHAN_HAS_ENDS);
	ASSERT_EQ(3, send_str(m, "one"));
	ASSERT_EQ(3, send_str(m, "two"));
	ASSERT_EQ(0, close_fd(&m->wfd));
	EXPECT_EQ(3, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(3, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, msgchan_recv(m, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, fd_change_flags(m->rfd, O_NONBLOCK, 0));
	EXPECT_EQ(0, msgchan_recv(m, buf, sizeof(buf), NULL));
}

/* The signal SIGPIPE pending now, taken off so that the next test starts clean. */
static bool take_sigpipe(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return sigtimedwait(&set, NULL, &zero) == SIGPIPE;
}

/*
 * With no receiver left a send fails with EPIPE, an empty message too (a
 * pipe's write of 0 bytes returns 0 there: this is a message).  kipc
 * raises SIGPIPE as a pipe's write(2) does, from write() and from
 * KIPC_IOC_MSG_SEND; the socket does not.
 */
TEST_F(msg, epipe_without_receiver)
{
	struct msgchan *m = &self->m;
	bool sigpipe = msgchan_has(m, MSGCHAN_HAS_SIGPIPE);
	sigset_t set;

	NEEDS(self, MSGCHAN_HAS_ENDS);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, close_fd(&m->rfd));

	EXPECT_EQ(-EPIPE, send_str(m, "x"));
	EXPECT_EQ(sigpipe, take_sigpipe());
	EXPECT_EQ(-EPIPE, send_str(m, ""));
	EXPECT_EQ(sigpipe, take_sigpipe());
	if (msgchan_has(m, MSGCHAN_HAS_PRIO)) {
		/* kipc: KIPC_IOC_MSG_SEND, as write() */
		EXPECT_EQ(-EPIPE, msgchan_send(m, "x", 1, 3));
		EXPECT_EQ(sigpipe, take_sigpipe());
	}
}

/*
 * A sender blocked on a full channel wakes when the receiver goes.  kipc
 * says EPIPE, as a pipe does; the socket says ECONNRESET first, because
 * its receiver went with messages unread, then EPIPE.
 */
TEST_F(msg, blocked_send_fails_when_receiver_goes)
{
	struct msgchan *m = &self->m;
	int first = msgchan_is_kipc(m) ? EPIPE : ECONNRESET;
	char buf[FILL_LEN] = "";
	sigset_t set;

	NEEDS(self, MSGCHAN_HAS_ENDS);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_LT(0, msgchan_fill(m, FILL_LEN));
	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid) {
		CHILD_CHECK(!close_fd(&m->rfd));
		CHILD_CHECK(msgchan_send(m, buf, FILL_LEN, 0) == -first);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(self->kid, msgchan_send_syscall(m)));
	ASSERT_EQ(0, close_fd(&m->rfd));
	EXPECT_EQ(0, reap_kid(self));
	EXPECT_EQ(-EPIPE, msgchan_send(m, buf, FILL_LEN, 0));
}

/*
 * POLLIN while a message is queued, POLLOUT while one fits: none once the
 * channel is full (of FILL_LEN-byte messages), again once it is drained.
 */
TEST_F(msg, poll_in_and_out)
{
	struct msgchan *m = &self->m;
	char buf[8];
	long n;

	NEEDS(self, MSGCHAN_HAS_POLL);
	EXPECT_EQ(0, revents(m->rfd, POLLIN));
	EXPECT_EQ(POLLOUT, revents(m->wfd, POLLOUT));
	ASSERT_EQ(2, send_str(m, "hi"));
	EXPECT_EQ(POLLIN, revents(m->rfd, POLLIN));
	ASSERT_EQ(2, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, revents(m->rfd, POLLIN));

	n = msgchan_fill(m, FILL_LEN);
	ASSERT_LT(0, n);
	EXPECT_EQ(0, revents(m->wfd, POLLOUT));
	EXPECT_EQ(POLLIN, revents(m->rfd, POLLIN));
	EXPECT_EQ(n, msgchan_drain(m, FILL_LEN));
	EXPECT_EQ(POLLOUT, revents(m->wfd, POLLOUT));
	EXPECT_EQ(0, revents(m->rfd, POLLIN));
}

/*
 * The senders gone, the receiver polls POLLHUP, with POLLIN while messages
 * are queued.  Drained, kipc says POLLHUP alone, as a pipe's read end; the
 * socket keeps POLLIN (its shut-down receive side reads 0 at once).
 */
TEST_F(msg, poll_hangup_when_senders_go)
{
	struct msgchan *m = &self->m;
	short seen = POLLIN | POLLHUP;
	char buf[8];

	NEEDS(self, MSGCHAN_HAS_ENDS);
	ASSERT_EQ(1, send_str(m, "x"));
	ASSERT_EQ(0, close_fd(&m->wfd));
	EXPECT_EQ(POLLIN | POLLHUP, revents(m->rfd, POLLIN) & seen);
	ASSERT_EQ(1, msgchan_recv(m, buf, sizeof(buf), NULL));
	if (msgchan_is_kipc(m)) {
		EXPECT_EQ(POLLHUP, revents(m->rfd, POLLIN) & seen);
	} else {
		EXPECT_EQ(POLLIN | POLLHUP, revents(m->rfd, POLLIN) & seen);
	}
}

/*
 * The receiver gone, the sender polls POLLERR on kipc, as a pipe's write
 * end does (never POLLHUP), and POLLHUP on the socket, whose peer shut
 * both directions.
 */
TEST_F(msg, poll_when_receiver_goes)
{
	struct msgchan *m = &self->m;

	NEEDS(self, MSGCHAN_HAS_ENDS);
	ASSERT_EQ(0, close_fd(&m->rfd));
	if (msgchan_is_kipc(m)) {
		EXPECT_EQ(POLLOUT | POLLERR, revents(m->wfd, POLLIN | POLLOUT));
	} else {
		EXPECT_EQ(POLLHUP, revents(m->wfd, POLLIN | POLLOUT) &
			  (POLLHUP | POLLERR));
	}
}

/* Without waiting: an empty channel is EAGAIN (System V: ENOMSG). */
TEST_F(msg, nonblocking_receive_empty)
{
	struct msgchan *m = &self->m;
	char buf[8];

	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-m->empty_errno, msgchan_recv(m, buf, sizeof(buf), NULL));
	ASSERT_EQ(1, send_str(m, "x"));
	EXPECT_EQ(1, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(-m->empty_errno, msgchan_recv(m, buf, sizeof(buf), NULL));
}

/*
 * Without waiting: a full channel is EAGAIN, and one message received
 * makes room for one more of the same length.
 */
TEST_F(msg, nonblocking_send_full)
{
	struct msgchan *m = &self->m;
	char buf[FILL_LEN] = "";
	long n;

	n = msgchan_fill(m, FILL_LEN);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-EAGAIN, msgchan_send(m, buf, FILL_LEN, 0));
	EXPECT_EQ(FILL_LEN, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ(FILL_LEN, msgchan_send(m, buf, FILL_LEN, 0));
	EXPECT_EQ(-EAGAIN, msgchan_send(m, buf, FILL_LEN, 0));
	EXPECT_EQ(n, msgchan_drain(m, FILL_LEN));
}

/* A receiver sleeping on an empty channel wakes with the message sent. */
TEST_F(msg, blocked_receive_wakes_on_send)
{
	struct msgchan *m = &self->m;

	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid) {
		char buf[16] = "";

		CHILD_CHECK(msgchan_recv(m, buf, sizeof(buf), NULL) == 5);
		CHILD_CHECK(!strcmp(buf, "hello"));
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(self->kid, msgchan_recv_syscall(m)));
	ASSERT_EQ(5, send_str(m, "hello"));
	EXPECT_EQ(0, reap_kid(self));
}

/*
 * A sender sleeping on a full channel wakes once a receive makes room for
 * its message.  A socket wakes its senders only once three quarters of
 * the send buffer are free again (unix_writable()), so there the test
 * receives on until the sender's message comes.
 */
TEST_F(msg, blocked_send_wakes_on_receive)
{
	struct msgchan *m = &self->m;
	char buf[FILL_LEN];
	long n, i;

	n = msgchan_fill(m, FILL_LEN);
	ASSERT_LT(0, n);
	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid) {
		memset(buf, 'k', sizeof(buf));
		CHILD_CHECK(msgchan_send(m, buf, FILL_LEN, 0) == FILL_LEN);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(self->kid, msgchan_send_syscall(m)));
	ASSERT_EQ(FILL_LEN, msgchan_recv(m, buf, sizeof(buf), NULL));
	if (m->kind != MSGCHAN_SEQPACKET)
		EXPECT_EQ(0, reap_kid(self));
	/* The rest, then the sender's message, last. */
	for (i = 1; i < n; i++)
		ASSERT_EQ(FILL_LEN, msgchan_recv(m, buf, sizeof(buf), NULL));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(FILL_LEN, msgchan_recv(m, buf, sizeof(buf), NULL));
	EXPECT_EQ('k', buf[0]);
	if (self->kid)
		EXPECT_EQ(0, reap_kid(self));
}

/*
 * FIONREAD on a message channel is the length of the next message, 0 when
 * none (or an empty one) is next: what an AF_UNIX SOCK_DGRAM socket says,
 * checked here beside it.  SOCK_SEQPACKET, whose queue is otherwise the
 * closest to kipc's, sums every queued message (unix_inq_len()), and the
 * test asserts that too, as the socket's answer.
 */
TEST_F(msg, fionread)
{
	static const char *const sent[] = { "abc", "defgh", "", "ij" };
	struct msgchan *m = &self->m;
	int dgram[2], n, ref, sum = 0;
	size_t i;
	char buf[8];

	NEEDS(self, MSGCHAN_HAS_FIONREAD);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dgram));
	ASSERT_EQ(0, ioctl(m->rfd, FIONREAD, &n));
	EXPECT_EQ(0, n);
	for (i = 0; i < ARRAY_SIZE(sent); i++) {
		ASSERT_EQ(strlen(sent[i]), send_str(m, sent[i]));
		ASSERT_EQ(strlen(sent[i]), send(dgram[1], sent[i],
						strlen(sent[i]), 0));
		sum += strlen(sent[i]);
	}
	for (i = 0; i < ARRAY_SIZE(sent); i++) {
		ASSERT_EQ(0, ioctl(m->rfd, FIONREAD, &n));
		ASSERT_EQ(0, ioctl(dgram[0], FIONREAD, &ref));
		EXPECT_EQ(strlen(sent[i]), ref);
		if (m->kind == MSGCHAN_SEQPACKET) {
			EXPECT_EQ(sum, n) TH_LOG("before message %zu", i);
		} else {
			EXPECT_EQ(ref, n) TH_LOG("before message %zu", i);
		}
		sum -= strlen(sent[i]);
		ASSERT_EQ(strlen(sent[i]), msgchan_recv(m, buf, sizeof(buf),
							NULL));
		ASSERT_EQ(strlen(sent[i]), recv(dgram[0], buf, sizeof(buf), 0));
	}
	ASSERT_EQ(0, ioctl(m->rfd, FIONREAD, &n));
	EXPECT_EQ(0, n);
	close(dgram[0]);
	close(dgram[1]);
}

TEST_HARNESS_MAIN
