// SPDX-License-Identifier: GPL-2.0
/*
 * What only kipc's message channels have, and so no kernel mechanism can be
 * the reference for: the cost of a message in the channel's capacity
 * (its length plus KIPC_MSG_OVERHEAD), the exact rules of read() and
 * write() at the edges (a zero-length read, a message of the capacity, the
 * check order), KIPC_IOC_MSG_SEND and KIPC_IOC_MSG_RECV with their
 * arguments, KIPC_IOC_PEEK on a message, statistics and fdinfo, the
 * creation flags, and KIPC_IOC_SET_CAPACITY (with a pipe's F_SETPIPE_SZ as
 * the reference for EBUSY).  The behaviours the kernel's message
 * mechanisms share are in kipc_msg_test.c.
 *
 * TEST_F(kmsg, ...) runs over a kipc pair, a named channel opened as
 * /dev/kipc/NAME and one opened with KIPC_IOC_CHAN_OPEN, each of
 * KIPC_CAPACITY_MIN bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "msg_backend.h"
#include "proc_util.h"

#define CAP		KIPC_CAPACITY_MIN
#define COST(len)	((len) + KIPC_MSG_OVERHEAD)

/*
 * An address no test maps: a copy from or to it faults.  Through a
 * volatile, so that the compiler does not see the bad access coming.
 */
static volatile uintptr_t bad_addr = 8;
#define BAD_PTR		((void *)bad_addr)

FIXTURE(kmsg) {
	struct msgchan m;
	pid_t kid;
};

FIXTURE_VARIANT(kmsg) {
	enum msgchan_kind kind;
};

FIXTURE_VARIANT_ADD(kmsg, pair) { .kind = MSGCHAN_KIPC_PAIR };
FIXTURE_VARIANT_ADD(kmsg, named) { .kind = MSGCHAN_KIPC_NAMED };
FIXTURE_VARIANT_ADD(kmsg, open) { .kind = MSGCHAN_KIPC_OPEN };

FIXTURE_SETUP(kmsg)
{
	int err;

	close(open_control_or_skip(_metadata));
	err = msgchan_init(&self->m, variant->kind, CAP);
	if (err)
		msgchan_fini(&self->m);
	ASSERT_EQ(0, err) TH_LOG("message channel setup: %s", strerror(-err));
}

FIXTURE_TEARDOWN(kmsg)
{
	if (self->kid > 0) {
		kill(self->kid, SIGKILL);
		waitpid(self->kid, NULL, 0);
	}
	msgchan_fini(&self->m);
}

static struct kipc_chan_stats stats_of(int fd)
{
	struct kipc_chan_stats st;

	memset(&st, 0xff, sizeof(st));
	if (ioctl(fd, KIPC_IOC_CHAN_STATS, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

static int fionread(int fd)
{
	int n;

	return ioctl(fd, FIONREAD, &n) ? -errno : n;
}

static int set_opts(int fd, unsigned int flags, unsigned int prio)
{
	struct kipc_end_opts o = { .flags = flags, .priority = prio };

	return ioctl(fd, KIPC_IOC_SET_OPTS, &o) ? -errno : 0;
}

/* The SIGPIPE pending now, taken off: true if there was one. */
static bool take_sigpipe(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return sigtimedwait(&set, NULL, &zero) == SIGPIPE;
}

static int block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

/*
 * Each queued message costs its length plus KIPC_MSG_OVERHEAD of the
 * capacity: 31 messages of 100 bytes take 4092 of 4096 bytes, and no
 * further message fits, an empty one (32) included.  queued and high_water
 * count the cost, bytes_written and bytes_read the payload.  A message
 * that fills the room to the byte fits (<=).
 */
TEST_F(kmsg, cost_of_a_message)
{
	struct msgchan *m = &self->m;
	struct kipc_chan_stats st;
	char buf[128] = "";
	int i;

	for (i = 0; i < 31; i++)
		ASSERT_EQ(100, write(m->wfd, buf, 100)) TH_LOG("message %d", i);
	ASSERT_EQ(0, msgchan_nonblock(m, true));
	EXPECT_EQ(-EAGAIN, ERRNO_OF(write(m->wfd, buf, 100)));
	EXPECT_EQ(-EAGAIN, ERRNO_OF(write(m->wfd, buf, 0)));
	st = stats_of(m->rfd);
	EXPECT_EQ(CAP, st.capacity);
	EXPECT_EQ(31 * COST(100), st.queued);
	EXPECT_EQ(31, st.messages);
	EXPECT_EQ(31 * 100, st.bytes_written);
	EXPECT_EQ(0, st.bytes_read);
	EXPECT_EQ(31 * COST(100), st.high_water);

	ASSERT_EQ(100, read(m->rfd, buf, sizeof(buf)));
	st = stats_of(m->wfd);
	EXPECT_EQ(30 * COST(100), st.queued);
	EXPECT_EQ(30, st.messages);
	EXPECT_EQ(100, st.bytes_read);
	EXPECT_EQ(31 * COST(100), st.high_water);

	/* 4096 - 3960 = 136 = COST(104): to the byte. */
	EXPECT_EQ(104, write(m->wfd, buf, 104));
	EXPECT_EQ(CAP, stats_of(m->rfd).queued);
	EXPECT_EQ(-EAGAIN, ERRNO_OF(write(m->wfd, buf, 0)));
}

/*
 * An empty channel takes a message of any length up to the capacity, its
 * overhead beyond the capacity notwithstanding; then nothing else fits.
 * One byte more than the capacity never fits: EMSGSIZE at once, from a
 * blocking write, a nonblocking one, writev() and KIPC_IOC_MSG_SEND.
 */
TEST_F(kmsg, message_of_the_capacity)
{
	struct msgchan *m = &self->m;
	static char big[CAP + 1], in[CAP + 1];
	struct kipc_msg msg = { .buf = (uintptr_t)big, .len = CAP + 1 };
	struct iovec iov[2] = {
		{ .iov_base = big, .iov_len = CAP },
		{ .iov_base = big, .iov_len = 1 },
	};
	struct kipc_chan_stats st;

	memset(big, 'c', sizeof(big));
	ASSERT_EQ(CAP, write(m->wfd, big, CAP));
	st = stats_of(m->rfd);
	EXPECT_EQ(COST(CAP), st.queued);
	EXPECT_EQ(COST(CAP), st.high_water);
	EXPECT_EQ(1, st.messages);
	ASSERT_EQ(0, fd_change_flags(m->wfd, O_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, ERRNO_OF(write(m->wfd, big, 0)));
	EXPECT_EQ(CAP, read(m->rfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(big, in, CAP));

	ASSERT_EQ(0, fd_change_flags(m->wfd, 0, O_NONBLOCK));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(write(m->wfd, big, CAP + 1)));
	ASSERT_EQ(1, write(m->wfd, "x", 1));
	ASSERT_EQ(0, fd_change_flags(m->wfd, O_NONBLOCK, 0));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(write(m->wfd, big, CAP + 1)));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(writev(m->wfd, iov, 2)));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
}

/*
 * write()'s checks, in order: EBADF (a read end), EMSGSIZE, then EPIPE
 * with SIGPIPE, and only once the message has room, EFAULT (nothing
 * queued): a pipe's order too, since the room is reserved before the copy
 * so that a blocked writer holds no memory.  EMSGSIZE raises no SIGPIPE.
 */
TEST_F(kmsg, write_check_order)
{
	struct msgchan *m = &self->m;
	static char big[CAP + 1];
	int p[2];

	ASSERT_EQ(0, block_sigpipe());
	EXPECT_EQ(-EBADF, ERRNO_OF(write(m->rfd, "x", 1)));
	EXPECT_EQ(-EFAULT, ERRNO_OF(write(m->wfd, BAD_PTR, 10)));
	EXPECT_EQ(0, stats_of(m->rfd).messages);
	EXPECT_EQ(0, stats_of(m->rfd).bytes_written);

	ASSERT_EQ(0, close_fd(&m->rfd));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(write(m->wfd, big, CAP + 1)));
	EXPECT_FALSE(take_sigpipe());
	EXPECT_EQ(-EPIPE, ERRNO_OF(write(m->wfd, BAD_PTR, 10)));
	EXPECT_TRUE(take_sigpipe());
	EXPECT_EQ(-EPIPE, ERRNO_OF(write(m->wfd, "x", 1)));
	EXPECT_TRUE(take_sigpipe());

	/* The reference: a pipe without a reader says EPIPE, not EFAULT. */
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, close(p[0]));
	EXPECT_EQ(-EPIPE, ERRNO_OF(write(p[1], BAD_PTR, 10)));
	EXPECT_TRUE(take_sigpipe());
	ASSERT_EQ(0, close(p[1]));
}

/*
 * read() of n bytes: EBADF on a write end; a message longer than n is
 * EMSGSIZE and stays, n == 0 included; an empty message reads as 0 and is
 * consumed; with KIPC_END_TRUNC a longer message gives n bytes and is
 * consumed, n == 0 included.
 */
TEST_F(kmsg, read_rules)
{
	struct msgchan *m = &self->m;
	char buf[8] = "";

	EXPECT_EQ(-EBADF, ERRNO_OF(read(m->wfd, buf, 1)));
	ASSERT_EQ(0, fd_change_flags(m->rfd, O_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, ERRNO_OF(read(m->rfd, buf, 0)));

	ASSERT_EQ(5, write(m->wfd, "hello", 5));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(read(m->rfd, buf, 0)));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(read(m->rfd, buf, 4)));
	EXPECT_EQ(5, fionread(m->rfd));
	EXPECT_EQ(5, read(m->rfd, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));

	ASSERT_EQ(0, write(m->wfd, "", 0));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
	EXPECT_EQ(0, read(m->rfd, buf, 0));
	EXPECT_EQ(0, stats_of(m->rfd).messages);

	ASSERT_EQ(0, set_opts(m->rfd, KIPC_END_TRUNC, 0));
	ASSERT_EQ(5, write(m->wfd, "world", 5));
	ASSERT_EQ(2, write(m->wfd, "ab", 2));
	EXPECT_EQ(3, read(m->rfd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "wor", 3));
	EXPECT_EQ(0, read(m->rfd, buf, 0));
	EXPECT_EQ(0, stats_of(m->rfd).messages);
}

/* A blocking read() of 0 bytes waits for a message, as any read(). */
TEST_F(kmsg, zero_length_read_waits)
{
	struct msgchan *m = &self->m;

	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid) {
		char b;

		CHILD_CHECK(read(m->rfd, &b, 0) == 0);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(self->kid, SYS_read));
	ASSERT_EQ(0, write(m->wfd, "", 0));
	EXPECT_EQ(0, reap_child(self->kid));
	self->kid = 0;
	EXPECT_EQ(0, stats_of(m->rfd).messages);
}

/* A KIPC_IOC_MSG_RECV of @len bytes into @buf with @flags: 0, or -errno. */
static int msg_recv(int fd, char *buf, size_t len, unsigned int flags,
		    struct kipc_msg *msg)
{
	*msg = (struct kipc_msg){
		.buf = (uintptr_t)buf, .len = len, .flags = flags,
	};
	return ioctl(fd, KIPC_IOC_MSG_RECV, msg) ? -errno : 0;
}

/*
 * KIPC_IOC_MSG_RECV reports the message's whole length and priority, and
 * KIPC_MSG_TRUNCATED; without KIPC_MSG_TRUNC a short buffer is EMSGSIZE,
 * KIPC_MSG_PEEK included, and the message stays.  An empty message is a
 * size of 0 with no result flag; end of file is KIPC_MSG_EOF.  Each call
 * here has a fresh struct: the outputs must be 0 on input
 * (out_fields_on_input).
 */
TEST_F(kmsg, msg_recv_reports)
{
	struct msgchan *m = &self->m;
	struct kipc_msg snd = { .buf = (uintptr_t)"hello", .len = 5,
				.priority = 4 };
	struct kipc_msg msg;
	char buf[64];

	ASSERT_EQ(0, ioctl(m->wfd, KIPC_IOC_MSG_SEND, &snd));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, msg_recv(m->rfd, buf, sizeof(buf), 0, &msg));
	EXPECT_EQ(5, msg.size);
	EXPECT_EQ(4, msg.priority);
	EXPECT_EQ(0, msg.result);
	EXPECT_STREQ("hello", buf);

	ASSERT_EQ(10, write(m->wfd, "0123456789", 10));
	EXPECT_EQ(-EMSGSIZE, msg_recv(m->rfd, buf, 4, 0, &msg));
	EXPECT_EQ(-EMSGSIZE, msg_recv(m->rfd, buf, 4, KIPC_MSG_PEEK, &msg));
	EXPECT_EQ(10, fionread(m->rfd));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, msg_recv(m->rfd, buf, 4, KIPC_MSG_PEEK | KIPC_MSG_TRUNC,
			      &msg));
	EXPECT_EQ(10, msg.size);
	EXPECT_EQ(0, msg.priority);
	EXPECT_EQ(KIPC_MSG_TRUNCATED, msg.result);
	EXPECT_STREQ("0123", buf);
	EXPECT_EQ(10, fionread(m->rfd));
	/* No room at all: the length and priority alone. */
	ASSERT_EQ(0, msg_recv(m->rfd, NULL, 0, KIPC_MSG_PEEK | KIPC_MSG_TRUNC,
			      &msg));
	EXPECT_EQ(10, msg.size);
	EXPECT_EQ(KIPC_MSG_TRUNCATED, msg.result);
	EXPECT_EQ(10, fionread(m->rfd));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, msg_recv(m->rfd, buf, 4, KIPC_MSG_TRUNC, &msg));
	EXPECT_EQ(10, msg.size);
	EXPECT_EQ(KIPC_MSG_TRUNCATED, msg.result);
	EXPECT_STREQ("0123", buf);
	EXPECT_EQ(0, stats_of(m->rfd).messages);

	/* Nothing queued: DONTWAIT, or O_NONBLOCK on the file. */
	EXPECT_EQ(-EAGAIN, msg_recv(m->rfd, buf, sizeof(buf),
				    KIPC_MSG_DONTWAIT, &msg));
	ASSERT_EQ(0, fd_change_flags(m->rfd, O_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, msg_recv(m->rfd, buf, sizeof(buf), 0, &msg));

	ASSERT_EQ(0, write(m->wfd, "", 0));
	ASSERT_EQ(0, msg_recv(m->rfd, buf, sizeof(buf), 0, &msg));
	EXPECT_EQ(0, msg.size);
	EXPECT_EQ(0, msg.result);

	ASSERT_EQ(0, close_fd(&m->wfd));
	ASSERT_EQ(0, msg_recv(m->rfd, buf, sizeof(buf), 0, &msg));
	EXPECT_EQ(0, msg.size);
	EXPECT_EQ(KIPC_MSG_EOF, msg.result);
}

/*
 * The receive's output fields (size, priority, result) are overwritten,
 * not checked, so that a loop may reuse its struct as it came back; the
 * send has no output, and a non-zero size or result there is EINVAL.
 */
TEST_F(kmsg, out_fields_on_input)
{
	struct msgchan *m = &self->m;
	struct kipc_msg snd = { .buf = (uintptr_t)"a", .len = 1 };
	char buf[8];
	struct kipc_msg msg = { .buf = (uintptr_t)buf, .len = sizeof(buf) };

	ASSERT_EQ(1, write(m->wfd, "z", 1));
	ASSERT_EQ(0, ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg));
	EXPECT_EQ(1, msg.size);
	ASSERT_EQ(2, write(m->wfd, "yy", 2));
	/* Reused as it came back, with junk in every output. */
	msg.priority = 7;
	msg.result = KIPC_MSG_EOF;
	ASSERT_EQ(0, ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg));
	EXPECT_EQ(2, msg.size);
	EXPECT_EQ(0, msg.priority);
	EXPECT_EQ(0, msg.result);
	EXPECT_EQ(0, stats_of(m->rfd).messages);

	snd.size = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &snd)));
	snd.size = 0;
	snd.result = KIPC_MSG_TRUNCATED;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &snd)));
	EXPECT_EQ(0, stats_of(m->rfd).messages);
}

/*
 * KIPC_IOC_MSG_SEND: EINVAL for a priority from KIPC_MSG_PRIO_MAX up, for
 * a flag other than KIPC_MSG_DONTWAIT (PEEK and TRUNC are the receive's)
 * and for a non-zero reserved field; EFAULT for a bad buffer.  None of
 * them queues anything; the highest priority, KIPC_MSG_PRIO_MAX - 1, is
 * taken and received as sent.
 */
TEST_F(kmsg, msg_send_arguments)
{
	static const unsigned int bad_flags[] = {
		KIPC_MSG_PEEK, KIPC_MSG_TRUNC, 0x8, 0x80000000,
	};
	struct msgchan *m = &self->m;
	struct kipc_msg msg;
	unsigned int prio;
	char buf[4];
	size_t i;

#define FRESH() (msg = (struct kipc_msg){ .buf = (uintptr_t)"x", .len = 1 })
	FRESH();
	msg.priority = KIPC_MSG_PRIO_MAX;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	msg.priority = ~0u;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		FRESH();
		msg.flags = bad_flags[i];
		EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND,
						  &msg)))
			TH_LOG("flags %#x", bad_flags[i]);
	}
	FRESH();
	msg.__reserved0 = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	FRESH();
	msg.__reserved[0] = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	FRESH();
	msg.__reserved[1] = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	FRESH();
	msg.buf = (uintptr_t)BAD_PTR;
	EXPECT_EQ(-EFAULT, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg)));
	EXPECT_EQ(0, stats_of(m->rfd).messages);
	EXPECT_EQ(-EFAULT, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_SEND, NULL)));

	FRESH();
	msg.priority = KIPC_MSG_PRIO_MAX - 1;
	msg.flags = KIPC_MSG_DONTWAIT;
	EXPECT_EQ(0, ioctl(m->wfd, KIPC_IOC_MSG_SEND, &msg));
	EXPECT_EQ(1, msgchan_recv(m, buf, sizeof(buf), &prio));
	EXPECT_EQ(KIPC_MSG_PRIO_MAX - 1, prio);
#undef FRESH
}

/*
 * KIPC_IOC_MSG_RECV: EINVAL for an unknown flag and a non-zero reserved
 * field, EFAULT for a bad argument pointer; the message stays queued.
 */
TEST_F(kmsg, msg_recv_arguments)
{
	struct msgchan *m = &self->m;
	char buf[8];
	struct kipc_msg msg;

#define FRESH() (msg = (struct kipc_msg){ .buf = (uintptr_t)buf,	\
					   .len = sizeof(buf) })
	ASSERT_EQ(1, write(m->wfd, "x", 1));
	FRESH();
	msg.flags = 0x8;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg)));
	FRESH();
	msg.__reserved0 = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg)));
	FRESH();
	msg.__reserved[0] = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg)));
	FRESH();
	msg.__reserved[1] = 1;
	EXPECT_EQ(-EINVAL, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg)));
	EXPECT_EQ(-EFAULT, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_MSG_RECV, NULL)));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
	FRESH();
	EXPECT_EQ(0, ioctl(m->rfd, KIPC_IOC_MSG_RECV, &msg));
	EXPECT_EQ(1, msg.size);
#undef FRESH
}

/* The message ioctls and the peek are each one end's: EBADF on the other. */
TEST_F(kmsg, wrong_end_is_ebadf)
{
	struct msgchan *m = &self->m;
	char buf[8];
	struct kipc_msg msg = { .buf = (uintptr_t)buf, .len = 1 };
	struct kipc_peek pk = { .buf = (uintptr_t)buf, .len = sizeof(buf) };

	ASSERT_EQ(1, write(m->wfd, "x", 1));
	EXPECT_EQ(-EBADF, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_MSG_SEND, &msg)));
	msg.len = sizeof(buf);
	EXPECT_EQ(-EBADF, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_MSG_RECV, &msg)));
	EXPECT_EQ(-EBADF, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_PEEK, &pk)));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
}

/*
 * KIPC_IOC_PEEK on a message channel copies from the next message only,
 * from @offset on: 0 past its end (not the next message's bytes), EAGAIN
 * with nothing queued and a writer left, 0 at end of file.
 */
TEST_F(kmsg, peek_ioctl_one_message)
{
	struct msgchan *m = &self->m;
	char buf[64];
	struct kipc_peek pk = { .buf = (uintptr_t)buf, .len = sizeof(buf) };

	ASSERT_EQ(11, write(m->wfd, "hello world", 11));
	ASSERT_EQ(4, write(m->wfd, "next", 4));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(11, ioctl(m->rfd, KIPC_IOC_PEEK, &pk));
	EXPECT_STREQ("hello world", buf);
	pk.offset = 6;
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, ioctl(m->rfd, KIPC_IOC_PEEK, &pk));
	EXPECT_STREQ("world", buf);
	pk.offset = 11;
	EXPECT_EQ(0, ioctl(m->rfd, KIPC_IOC_PEEK, &pk));
	pk.offset = 100;
	EXPECT_EQ(0, ioctl(m->rfd, KIPC_IOC_PEEK, &pk));
	EXPECT_EQ(2, stats_of(m->rfd).messages);

	ASSERT_EQ(11, read(m->rfd, buf, sizeof(buf)));
	ASSERT_EQ(4, read(m->rfd, buf, sizeof(buf)));
	pk.offset = 0;
	EXPECT_EQ(-EAGAIN, ERRNO_OF(ioctl(m->rfd, KIPC_IOC_PEEK, &pk)));
	ASSERT_EQ(0, close_fd(&m->wfd));
	EXPECT_EQ(0, ioctl(m->rfd, KIPC_IOC_PEEK, &pk));
}

/*
 * write() sends with the end's kipc_end_opts.priority, shared by the
 * file's dup()s; KIPC_IOC_MSG_SEND with its own.  FIONREAD is the length
 * of the message a read would take: the highest priority's.
 */
TEST_F(kmsg, end_priority_for_write)
{
	struct msgchan *m = &self->m;
	struct kipc_msg snd = { .buf = (uintptr_t)"send", .len = 4 };
	unsigned int prio;
	char buf[8];
	int dupfd;

	ASSERT_EQ(2, write(m->wfd, "lo", 2));
	ASSERT_EQ(0, set_opts(m->wfd, 0, 7));
	ASSERT_EQ(3, write(m->wfd, "hi!", 3));
	EXPECT_EQ(3, fionread(m->rfd));
	dupfd = dup(m->wfd);
	ASSERT_LE(0, dupfd);
	ASSERT_EQ(0, set_opts(dupfd, 0, 9));
	close(dupfd);
	ASSERT_EQ(0, ioctl(m->wfd, KIPC_IOC_MSG_SEND, &snd));
	ASSERT_EQ(4, write(m->wfd, "nine", 4));
	EXPECT_EQ(4, fionread(m->rfd));

	EXPECT_EQ(4, msgchan_recv(m, buf, sizeof(buf), &prio));
	EXPECT_EQ(9, prio);
	EXPECT_EQ(0, memcmp(buf, "nine", 4));
	EXPECT_EQ(3, msgchan_recv(m, buf, sizeof(buf), &prio));
	EXPECT_EQ(7, prio);
	EXPECT_EQ(2, msgchan_recv(m, buf, sizeof(buf), &prio));
	EXPECT_EQ(0, prio);
	EXPECT_EQ(4, msgchan_recv(m, buf, sizeof(buf), &prio));
	EXPECT_EQ(0, prio);
	EXPECT_EQ(0, memcmp(buf, "send", 4));
}

/*
 * SET_CAPACITY below the queued cost is EBUSY, as F_SETPIPE_SZ below what
 * a pipe holds; equal to it is allowed.  The pipe: 5 pages in 16 slots,
 * shrunk to 4 slots.
 */
TEST_F(kmsg, set_capacity_below_queued_cost)
{
	struct msgchan *m = &self->m;
	struct kipc_capacity c = { .capacity = 2 * CAP };
	static char buf[4096];
	int pipefd[2], i;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(4096, write(pipefd[1], buf, 4096));
	EXPECT_EQ(-EBUSY, ERRNO_OF(fcntl(pipefd[1], F_SETPIPE_SZ, 16384)));
	close(pipefd[0]);
	close(pipefd[1]);

	ASSERT_EQ(0, ioctl(m->wfd, KIPC_IOC_SET_CAPACITY, &c));
	ASSERT_EQ(2 * CAP, c.capacity);
	/* Five messages of 992 cost 5 * 1024: more than CAP. */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(992, write(m->wfd, buf, 992));
	c.capacity = CAP;
	EXPECT_EQ(-EBUSY, ERRNO_OF(ioctl(m->wfd, KIPC_IOC_SET_CAPACITY, &c)));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, ioctl(m->rfd, KIPC_IOC_GET_CAPACITY, &c));
	EXPECT_EQ(2 * CAP, c.capacity);
	ASSERT_EQ(992, read(m->rfd, buf, sizeof(buf)));
	c.capacity = CAP;
	EXPECT_EQ(0, ioctl(m->rfd, KIPC_IOC_SET_CAPACITY, &c));
	EXPECT_EQ(CAP, c.capacity);
	EXPECT_EQ(CAP, stats_of(m->rfd).queued);
}

/* fdinfo says message channel and how many messages; kipc-queued, the cost. */
TEST_F(kmsg, fdinfo)
{
	struct msgchan *m = &self->m;
	char val[64];
	int fds[2], i;

	ASSERT_EQ(1, write(m->wfd, "a", 1));
	ASSERT_EQ(2, write(m->wfd, "bb", 2));
	ASSERT_EQ(3, write(m->wfd, "ccc", 3));
	fds[0] = m->rfd;
	fds[1] = m->wfd;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fdinfo_get(fds[i], "kipc-message", val, sizeof(val)));
		EXPECT_STREQ("1", val);
		ASSERT_EQ(0, fdinfo_get(fds[i], "kipc-messages", val, sizeof(val)));
		EXPECT_STREQ("3", val);
		ASSERT_EQ(0, fdinfo_get(fds[i], "kipc-queued", val, sizeof(val)));
		EXPECT_EQ(1 + 2 + 3 + 3 * KIPC_MSG_OVERHEAD, atoi(val));
	}
}

/*
 * KIPC_CHAN_F_MESSAGE: EINVAL with KIPC_CHAN_F_MAPPED, on a pair and on a
 * named channel (none is created), and with O_DIRECT on a pair (packets
 * are a byte channel's); the capacity floor is a byte channel's.  A byte
 * channel has no message ioctls: EOPNOTSUPP.
 */
TEST(creation_flags)
{
	int ctl = open_control_or_skip(_metadata), fds[2] = { -1, -1 };
	char name[64], path[PATH_MAX], buf[4];
	struct kipc_msg msg = { .buf = (uintptr_t)buf, .len = 1 };
	unsigned int i;

	EXPECT_EQ(-EINVAL, ctl_chan_pair(ctl, KIPC_CHAN_F_MESSAGE |
					 KIPC_CHAN_F_MAPPED, 0, fds));
	EXPECT_EQ(-EINVAL, ctl_chan_pair(ctl, KIPC_CHAN_F_MESSAGE | O_DIRECT,
					 0, fds));
	EXPECT_EQ(-EINVAL, ctl_chan_pair(ctl, KIPC_CHAN_F_MESSAGE,
					 KIPC_CAPACITY_MIN - 1, fds));
	snprintf(name, sizeof(name), "kipc_msg_test.%d.flags", (int)getpid());
	EXPECT_EQ(-EINVAL, ctl_chan_create_flags(ctl, name, 0600,
						 KIPC_CHAN_F_MESSAGE |
						 KIPC_CHAN_F_MAPPED, 0));
	node_path(path, sizeof(path), name);
	EXPECT_EQ(-ENOENT, ERRNO_OF(access(path, F_OK)));

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ctl_chan_pair(ctl, O_CLOEXEC | (i ?
					   KIPC_CHAN_F_MAPPED : 0), 0, fds));
		EXPECT_EQ(-EOPNOTSUPP,
			  ERRNO_OF(ioctl(fds[1], KIPC_IOC_MSG_SEND, &msg)))
			TH_LOG("mapped %u", i);
		EXPECT_EQ(-EOPNOTSUPP,
			  ERRNO_OF(ioctl(fds[0], KIPC_IOC_MSG_RECV, &msg)))
			TH_LOG("mapped %u", i);
		close(fds[0]);
		close(fds[1]);
	}
	close(ctl);
}

/*
 * O_DIRECT on an open of a named message channel, by its node or by
 * KIPC_IOC_CHAN_OPEN, is accepted and changes nothing: a short read is
 * still EMSGSIZE, where a packet would be cut to the buffer.
 */
TEST_F(kmsg, odirect_open_changes_nothing)
{
	struct msgchan *m = &self->m;
	char path[PATH_MAX], buf[8];
	int fd;

	if (m->kind == MSGCHAN_KIPC_PAIR)
		SKIP(return, "a pair's O_DIRECT is EINVAL (creation_flags)");
	if (m->kind == MSGCHAN_KIPC_NAMED) {
		node_path(path, sizeof(path), m->name);
		fd = ERRNO_OF(open(path, O_WRONLY | O_DIRECT | O_CLOEXEC));
	} else {
		fd = ctl_chan_open(m->ctl, m->name,
				   O_WRONLY | O_DIRECT | O_CLOEXEC, -1);
	}
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	ASSERT_EQ(4, write(fd, "abcd", 4));
	ASSERT_EQ(2, write(fd, "ef", 2));
	EXPECT_EQ(-EMSGSIZE, ERRNO_OF(read(m->rfd, buf, 2)));
	EXPECT_EQ(4, read(m->rfd, buf, sizeof(buf)));
	EXPECT_EQ(2, read(m->rfd, buf, sizeof(buf)));
	close(fd);
}

/*
 * A reader asleep on an empty channel is handed the next message
 * directly, not through the queue.  What it cannot take goes back whole:
 * a message longer than its buffer is EMSGSIZE for it and stays queued
 * for the next reader, which a second sleeping reader gets at once.
 */
static pid_t spawn_reader(struct msgchan *m, size_t room, long want)
{
	pid_t pid = spawn_child();

	if (pid == 0) {
		char buf[64];

		CHILD_CHECK(ERRNO_OF(read(m->rfd, buf, room)) == want);
		_exit(0);
	}
	return pid;
}

TEST_F(kmsg, handed_message_too_long_stays_queued)
{
	struct msgchan *m = &self->m;
	pid_t shorty, roomy;
	char buf[64];

	shorty = spawn_reader(m, 4, -EMSGSIZE);
	ASSERT_LE(0, shorty);
	ASSERT_TRUE(task_sleeps_in(shorty, __NR_read));
	ASSERT_EQ(10, write(m->wfd, "0123456789", 10));
	EXPECT_EQ(0, reap_child(shorty));
	EXPECT_EQ(10, fionread(m->rfd));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
	EXPECT_EQ(COST(10), stats_of(m->rfd).queued);
	ASSERT_EQ(10, read(m->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));

	/* Two asleep: the short one is handed it first, the other gets it. */
	shorty = spawn_reader(m, 4, -EMSGSIZE);
	ASSERT_LE(0, shorty);
	ASSERT_TRUE(task_sleeps_in(shorty, __NR_read));
	roomy = spawn_reader(m, sizeof(buf), 10);
	ASSERT_LE(0, roomy);
	ASSERT_TRUE(task_sleeps_in(roomy, __NR_read));
	ASSERT_EQ(10, write(m->wfd, "abcdefghij", 10));
	EXPECT_EQ(0, reap_child(shorty));
	EXPECT_EQ(0, reap_child(roomy));
	EXPECT_EQ(0, stats_of(m->rfd).messages);
	EXPECT_EQ(0, stats_of(m->rfd).queued);
}

static void ignore_signal(int sig)
{
	(void)sig;
}

/*
 * A sleeping reader that leaves, by a signal or its receive timeout, is no
 * longer there to be handed anything: the next message is queued, not
 * lost.
 */
TEST_F(kmsg, reader_gone_from_its_wait_loses_nothing)
{
	struct msgchan *m = &self->m;
	struct sigaction sa = { .sa_handler = ignore_signal };
	struct kipc_end_opts o = { .rcvtimeo_ns = 50 * 1000 * 1000 };
	char buf[64];
	pid_t kid;

	kid = spawn_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		/* No SA_RESTART: the read ends with EINTR. */
		CHILD_CHECK(!sigaction(SIGUSR1, &sa, NULL));
		CHILD_CHECK(ERRNO_OF(read(m->rfd, buf, sizeof(buf))) ==
			    -EINTR);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(kid, __NR_read));
	ASSERT_EQ(0, kill(kid, SIGUSR1));
	EXPECT_EQ(0, reap_child(kid));
	ASSERT_EQ(3, write(m->wfd, "one", 3));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
	ASSERT_EQ(3, read(m->rfd, buf, sizeof(buf)));

	kid = spawn_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		CHILD_CHECK(!ioctl(m->rfd, KIPC_IOC_SET_OPTS, &o));
		CHILD_CHECK(ERRNO_OF(read(m->rfd, buf, sizeof(buf))) ==
			    -EAGAIN);
		_exit(0);
	}
	EXPECT_EQ(0, reap_child(kid));
	ASSERT_EQ(3, write(m->wfd, "two", 3));
	EXPECT_EQ(1, stats_of(m->rfd).messages);
	ASSERT_EQ(3, read(m->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "two", 3));
}

TEST_HARNESS_MAIN
