// SPDX-License-Identifier: GPL-2.0
/*
 * The end options (struct kipc_end_opts, KIPC_IOC_GET_OPTS and
 * KIPC_IOC_SET_OPTS), beside the socket options they are modelled on:
 *
 *	opts	the ioctls' arguments and scope: one open file's, shared by
 *		its dup()s as a socket's options are, not by the other end
 *		nor by another open of the same channel (kipc only)
 *	timeo	rcvtimeo_ns and sndtimeo_ns next to SO_RCVTIMEO and
 *		SO_SNDTIMEO: an AF_UNIX stream socket for the byte and
 *		mapped channels, a SOCK_SEQPACKET one for message channels
 *	lowat	rcvlowat next to TCP's SO_RCVLOWAT for poll() (AF_UNIX
 *		ignores it, as a message channel does); sndlowat, which
 *		Linux sockets do not have (SO_SNDLOWAT is ENOPROTOOPT), for
 *		POLLOUT, with a pipe's PIPE_BUF as its default
 *
 * Timing under TCG is slow and uneven: a timeout is asserted from below
 * only (it waited at least that long, less one jiffy), never from above;
 * an alarm() turns a wait that never ends into EINTR and a failure.
 * Opening by name (KIPC_IOC_CHAN_OPEN) is kipc_chan_open_test.c's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_util.h"
#include "msg_backend.h"
#include "proc_util.h"

#define CAP		8192ULL		/* every kipc channel here */
#define TIMEO_MS	300		/* the timeouts under test */
#define SLACK_MS	10		/* one jiffy at HZ=100: the rounding */
#define HANG_S		20		/* a wait this long never ends */
#define BIG		65536		/* a write larger than any buffer here */

static int get_opts(int fd, struct kipc_end_opts *o)
{
	memset(o, 0xa5, sizeof(*o));
	return ioctl(fd, KIPC_IOC_GET_OPTS, o) ? -errno : 0;
}

static int set_opts(int fd, const struct kipc_end_opts *o)
{
	return ioctl(fd, KIPC_IOC_SET_OPTS, o) ? -errno : 0;
}

/* Change one field of an end's options, keeping the others. */
#define SET_OPT(fd, field, value) ({					\
	struct kipc_end_opts __o;					\
	int __err = get_opts(fd, &__o);					\
	if (!__err) {							\
		__o.field = (value);					\
		__err = set_opts(fd, &__o);				\
	}								\
	__err;								\
})

/* poll() @fd for @events without waiting: revents, or -errno. */
static int revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) < 0 ? -errno : p.revents;
}

/* A no-op handler without SA_RESTART: an alarm ends a hung call (EINTR). */
static void on_alarm(int sig)
{
}

static int arm_hang_alarm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		return -errno;
	alarm(HANG_S);
	return 0;
}

/* Write without waiting until nothing fits: bytes written, or -errno. */
static long long fill_bytes(int fd)
{
	static char junk[BIG];
	long long total = 0;
	ssize_t n;
	int err = fd_change_flags(fd, O_NONBLOCK, 0);

	while (!err && (n = write(fd, junk, sizeof(junk))) > 0)
		total += n;
	if (!err && errno != EAGAIN)
		err = -errno;
	if (!err)
		err = fd_change_flags(fd, 0, O_NONBLOCK);
	return err ? err : total;
}

/* ---- opts: the arguments and the scope of the options ---- */

FIXTURE(opts) {
	int ctl;
	int fds[2];
};

FIXTURE_VARIANT(opts) {
	unsigned int flags;	/* KIPC_CHAN_F_* of the pair */
};

FIXTURE_VARIANT_ADD(opts, bytes) { .flags = 0 };
FIXTURE_VARIANT_ADD(opts, mapped) { .flags = KIPC_CHAN_F_MAPPED };
FIXTURE_VARIANT_ADD(opts, message) { .flags = KIPC_CHAN_F_MESSAGE };

FIXTURE_SETUP(opts)
{
	self->ctl = open_control_or_skip(_metadata);
	ASSERT_EQ(0, ctl_chan_pair(self->ctl, O_CLOEXEC | variant->flags,
				   CAP, self->fds));
}

FIXTURE_TEARDOWN(opts)
{
	close(self->fds[0]);
	close(self->fds[1]);
	close(self->ctl);
}

static const struct kipc_end_opts all_set = {
	.rcvtimeo_ns = 1500000000, .sndtimeo_ns = 2500000000ULL,
	.rcvlowat = 3, .sndlowat = 4, .priority = KIPC_MSG_PRIO_MAX - 1,
	.flags = KIPC_END_TRUNC,
};

/*
 * All zero at first, on either end; either end takes every field, even
 * one it does not use (a priority on a read end, KIPC_END_TRUNC on a byte
 * channel), and gives it back as set.
 */
TEST_F(opts, defaults_zero_every_field_settable)
{
	static const struct kipc_end_opts zero;
	struct kipc_end_opts o;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, get_opts(self->fds[i], &o));
		EXPECT_EQ(0, memcmp(&zero, &o, sizeof(o))) TH_LOG("end %d", i);
		ASSERT_EQ(0, set_opts(self->fds[i], &all_set));
		ASSERT_EQ(0, get_opts(self->fds[i], &o));
		EXPECT_EQ(0, memcmp(&all_set, &o, sizeof(o))) TH_LOG("end %d", i);
	}
}

/*
 * SET: EINVAL for a non-zero reserved field, an unknown flag and a
 * priority from KIPC_MSG_PRIO_MAX up, and the options stay as they were;
 * EFAULT for a bad pointer, GET too.
 */
TEST_F(opts, bad_arguments_change_nothing)
{
	struct kipc_end_opts o, bad;
	int fd = self->fds[1];

	ASSERT_EQ(0, set_opts(fd, &all_set));
	bad = all_set;
	bad.__reserved[0] = 1;
	EXPECT_EQ(-EINVAL, set_opts(fd, &bad));
	bad = all_set;
	bad.__reserved[1] = 1;
	EXPECT_EQ(-EINVAL, set_opts(fd, &bad));
	bad = all_set;
	bad.flags = 0x2;
	EXPECT_EQ(-EINVAL, set_opts(fd, &bad));
	bad.flags = 0x80000000;
	EXPECT_EQ(-EINVAL, set_opts(fd, &bad));
	bad = all_set;
	bad.priority = KIPC_MSG_PRIO_MAX;
	EXPECT_EQ(-EINVAL, set_opts(fd, &bad));
	bad.priority = ~0u;
	EXPECT_EQ(-EINVAL, set_opts(fd, &bad));
	ASSERT_EQ(0, get_opts(fd, &o));
	EXPECT_EQ(0, memcmp(&all_set, &o, sizeof(o)));

	EXPECT_EQ(-EFAULT, ERRNO_OF(ioctl(fd, KIPC_IOC_SET_OPTS, NULL)));
	EXPECT_EQ(-EFAULT, ERRNO_OF(ioctl(fd, KIPC_IOC_GET_OPTS, NULL)));
}

/* One open file's: its dup()s share them, the other end has its own. */
TEST_F(opts, dup_shares_other_end_does_not)
{
	struct kipc_end_opts o;
	int dupfd = dup(self->fds[0]);

	ASSERT_LE(0, dupfd);
	ASSERT_EQ(0, set_opts(dupfd, &all_set));
	ASSERT_EQ(0, get_opts(self->fds[0], &o));
	EXPECT_EQ(0, memcmp(&all_set, &o, sizeof(o)));
	ASSERT_EQ(0, get_opts(self->fds[1], &o));
	EXPECT_EQ(0, o.rcvtimeo_ns);
	EXPECT_EQ(0, o.flags);
	close(dupfd);
}

/*
 * Another open of the same named channel, by its node or by
 * KIPC_IOC_CHAN_OPEN, is another open file with options of its own.
 */
TEST(opts_another_open_has_its_own)
{
	int ctl = open_control_or_skip(_metadata);
	struct kipc_end_opts o;
	char name[64], path[PATH_MAX];
	int fds[3], i;

	snprintf(name, sizeof(name), "kipc_opts_test.%d", (int)getpid());
	ASSERT_EQ(0, ctl_chan_create(ctl, name, 0600, 0));
	node_path(path, sizeof(path), name);
	fds[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	fds[1] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	fds[2] = ctl_chan_open(ctl, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC,
			       -1);
	for (i = 0; i < 3; i++)
		EXPECT_LE(0, fds[i]) TH_LOG("open %d", i);
	if (fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0) {
		ASSERT_EQ(0, set_opts(fds[0], &all_set));
		for (i = 1; i < 3; i++) {
			ASSERT_EQ(0, get_opts(fds[i], &o));
			EXPECT_EQ(0, o.rcvtimeo_ns) TH_LOG("open %d", i);
			EXPECT_EQ(0, o.priority) TH_LOG("open %d", i);
		}
	}
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	EXPECT_EQ(0, ctl_chan_remove(ctl, name));
	close(ctl);
}

/* ---- timeo: rcvtimeo and sndtimeo beside SO_RCVTIMEO and SO_SNDTIMEO ---- */

enum timeo_kind { UNIX_STREAM, UNIX_SEQPACKET, KIPC_BYTES, KIPC_MAPPED,
		  KIPC_MESSAGE };

FIXTURE(timeo) {
	int ctl;
	int rfd, wfd;
	pid_t kid;
};

FIXTURE_VARIANT(timeo) {
	enum timeo_kind kind;
};

FIXTURE_VARIANT_ADD(timeo, unix_stream) { .kind = UNIX_STREAM };
FIXTURE_VARIANT_ADD(timeo, kipc_bytes) { .kind = KIPC_BYTES };
FIXTURE_VARIANT_ADD(timeo, kipc_mapped) { .kind = KIPC_MAPPED };
FIXTURE_VARIANT_ADD(timeo, unix_seqpacket) { .kind = UNIX_SEQPACKET };
FIXTURE_VARIANT_ADD(timeo, kipc_message) { .kind = KIPC_MESSAGE };

static bool timeo_is_kipc(enum timeo_kind kind)
{
	return kind >= KIPC_BYTES;
}

static bool timeo_is_message(enum timeo_kind kind)
{
	return kind == UNIX_SEQPACKET || kind == KIPC_MESSAGE;
}

FIXTURE_SETUP(timeo)
{
	static const unsigned int flags[] = {
		[KIPC_BYTES] = 0,
		[KIPC_MAPPED] = KIPC_CHAN_F_MAPPED,
		[KIPC_MESSAGE] = KIPC_CHAN_F_MESSAGE,
	};
	int fds[2], sndbuf = CAP;

	self->ctl = -1;
	if (timeo_is_kipc(variant->kind)) {
		self->ctl = open_control_or_skip(_metadata);
		ASSERT_EQ(0, ctl_chan_pair(self->ctl, O_CLOEXEC |
					   flags[variant->kind], CAP, fds));
	} else {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_CLOEXEC |
					(variant->kind == UNIX_STREAM ?
					 SOCK_STREAM : SOCK_SEQPACKET), 0, fds));
		ASSERT_EQ(0, setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf,
					sizeof(sndbuf)));
	}
	self->rfd = fds[0];
	self->wfd = fds[1];
	ASSERT_EQ(0, arm_hang_alarm());
}

FIXTURE_TEARDOWN(timeo)
{
	alarm(0);
	if (self->kid > 0) {
		kill(self->kid, SIGKILL);
		waitpid(self->kid, NULL, 0);
	}
	close(self->rfd);
	close(self->wfd);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Set a receive (@snd false) or send timeout of @ms on @fd. */
static int set_timeout(enum timeo_kind kind, int fd, bool snd, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };
	unsigned long long ns = ms * 1000000ULL;

	if (!timeo_is_kipc(kind))
		return setsockopt(fd, SOL_SOCKET, snd ? SO_SNDTIMEO :
				  SO_RCVTIMEO, &tv, sizeof(tv)) ? -errno : 0;
	return snd ? SET_OPT(fd, sndtimeo_ns, ns) : SET_OPT(fd, rcvtimeo_ns, ns);
}

/* Fill the channel: bytes, or 100-byte messages until the next does not fit. */
static long long timeo_fill(enum timeo_kind kind, int wfd)
{
	char msg[100] = "";
	long long n = 0;

	if (!timeo_is_message(kind))
		return fill_bytes(wfd);
	if (fd_change_flags(wfd, O_NONBLOCK, 0))
		return -errno;
	while (write(wfd, msg, sizeof(msg)) == sizeof(msg))
		n++;
	if (errno != EAGAIN)
		n = -errno;
	if (fd_change_flags(wfd, 0, O_NONBLOCK))
		return -errno;
	return n;
}

/*
 * A read of an empty channel with a writer fails with EAGAIN once the
 * timeout has passed; KIPC_IOC_MSG_RECV the same.
 */
TEST_F(timeo, read_times_out)
{
	char buf[128];
	struct kipc_msg msg = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	long long t0;

	ASSERT_EQ(0, set_timeout(variant->kind, self->rfd, false, TIMEO_MS));
	t0 = now_ms();
	EXPECT_EQ(-EAGAIN, ERRNO_OF(read(self->rfd, buf, sizeof(buf))));
	EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	if (variant->kind == KIPC_MESSAGE) {
		t0 = now_ms();
		EXPECT_EQ(-EAGAIN, ERRNO_OF(ioctl(self->rfd, KIPC_IOC_MSG_RECV,
						  &msg)));
		EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	}
}

/* A read sleeping under a long timeout still wakes on data. */
TEST_F(timeo, read_with_timeout_wakes_on_data)
{
	char buf[16] = "";

	ASSERT_EQ(0, set_timeout(variant->kind, self->rfd, false,
				 HANG_S * 1000 / 2));
	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid) {
		CHILD_CHECK(task_sleeps_in(getppid(), SYS_read));
		CHILD_CHECK(write(self->wfd, "abc", 3) == 3);
		_exit(0);
	}
	EXPECT_EQ(3, read(self->rfd, buf, sizeof(buf)));
	EXPECT_STREQ("abc", buf);
	EXPECT_EQ(0, reap_child(self->kid));
	self->kid = 0;
}

/*
 * A write into a full channel fails with EAGAIN once the timeout has
 * passed, having written nothing; KIPC_IOC_MSG_SEND the same.
 */
TEST_F(timeo, write_times_out)
{
	char buf[100] = "";
	struct kipc_msg msg = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	size_t len = timeo_is_message(variant->kind) ? sizeof(buf) : 1;
	long long t0;

	ASSERT_LT(0, timeo_fill(variant->kind, self->wfd));
	ASSERT_EQ(0, set_timeout(variant->kind, self->wfd, true, TIMEO_MS));
	t0 = now_ms();
	EXPECT_EQ(-EAGAIN, ERRNO_OF(write(self->wfd, buf, len)));
	EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	if (variant->kind == KIPC_MESSAGE) {
		t0 = now_ms();
		EXPECT_EQ(-EAGAIN, ERRNO_OF(ioctl(self->wfd, KIPC_IOC_MSG_SEND,
						  &msg)));
		EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	}
}

/*
 * A byte write larger than the room returns what it wrote once the
 * timeout has passed: kipc, exactly the capacity of the empty channel;
 * the socket, some bytes short of all (its buffer counts allocations).
 * A message is never split: there the write is all or EAGAIN.
 */
TEST_F(timeo, partial_write_returns_its_count)
{
	static char big[BIG];
	long long t0;
	ssize_t n;

	if (timeo_is_message(variant->kind))
		SKIP(return, "a message is written whole or not at all");
	ASSERT_EQ(0, set_timeout(variant->kind, self->wfd, true, TIMEO_MS));
	t0 = now_ms();
	n = write(self->wfd, big, sizeof(big));
	EXPECT_LE(TIMEO_MS - SLACK_MS, now_ms() - t0);
	EXPECT_LT(0, n) TH_LOG("write: %s", strerror(errno));
	EXPECT_GT(sizeof(big), n);
	if (timeo_is_kipc(variant->kind))
		EXPECT_EQ(CAP, n);
}

/*
 * KIPC_IOC_RING_WAIT does not honour rcvtimeo: still asleep well past the
 * timeout, then woken by data.  A mapped channel's own wait, which has no
 * socket counterpart.
 */
TEST_F(timeo, ring_wait_ignores_rcvtimeo)
{
	struct kipc_ring_wait w = { .flags = KIPC_RING_READ };

	if (variant->kind != KIPC_MAPPED)
		SKIP(return, "KIPC_IOC_RING_WAIT is a mapped channel's");
	ASSERT_EQ(0, set_timeout(variant->kind, self->rfd, false, 50));
	self->kid = spawn_child();
	ASSERT_LE(0, self->kid);
	if (!self->kid) {
		CHILD_CHECK(ioctl(self->rfd, KIPC_IOC_RING_WAIT, &w) == 0);
		_exit(0);
	}
	ASSERT_TRUE(task_sleeps_in(self->kid, SYS_ioctl));
	usleep(TIMEO_MS * 1000);
	EXPECT_TRUE(task_sleeps_in(self->kid, SYS_ioctl));
	ASSERT_EQ(1, write(self->wfd, "x", 1));
	EXPECT_EQ(0, reap_child(self->kid));
	self->kid = 0;
}

/* ---- lowat: rcvlowat beside TCP's SO_RCVLOWAT, and sndlowat ---- */

enum lowat_kind { TCP, SEQPACKET, LOWAT_KIPC_BYTES, LOWAT_KIPC_MAPPED,
		  LOWAT_KIPC_MESSAGE };

FIXTURE(lowat) {
	int ctl;
	int rfd, wfd;
};

FIXTURE_VARIANT(lowat) {
	enum lowat_kind kind;
};

FIXTURE_VARIANT_ADD(lowat, tcp) { .kind = TCP };
FIXTURE_VARIANT_ADD(lowat, kipc_bytes) { .kind = LOWAT_KIPC_BYTES };
FIXTURE_VARIANT_ADD(lowat, kipc_mapped) { .kind = LOWAT_KIPC_MAPPED };
FIXTURE_VARIANT_ADD(lowat, seqpacket) { .kind = SEQPACKET };
FIXTURE_VARIANT_ADD(lowat, kipc_message) { .kind = LOWAT_KIPC_MESSAGE };

static bool lowat_is_kipc(enum lowat_kind kind)
{
	return kind >= LOWAT_KIPC_BYTES;
}

static bool lowat_is_message(enum lowat_kind kind)
{
	return kind == SEQPACKET || kind == LOWAT_KIPC_MESSAGE;
}

/*
 * A private network namespace, where only this test's loopback is, up.
 * Without the rights to make one, the current namespace's loopback.
 */
static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s, err = 0;

	unshare(CLONE_NEWNET);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		err = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			err = -errno;
	}
	close(s);
	return err;
}

/* A connected TCP pair over loopback: fds[0] accepted, fds[1] connected. */
static int tcp_pair(int fds[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l, one = 1, err = loopback_up();

	if (err)
		return err;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	fds[0] = fds[1] = -1;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		goto fail;
	fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[1] < 0 || connect(fds[1], (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	fds[0] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (fds[0] < 0 ||
	    setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		goto fail;
	close(l);
	return 0;
fail:
	err = -errno;
	close(l);
	if (fds[1] >= 0)
		close(fds[1]);
	return err;
}

FIXTURE_SETUP(lowat)
{
	static const unsigned int flags[] = {
		[LOWAT_KIPC_BYTES] = 0,
		[LOWAT_KIPC_MAPPED] = KIPC_CHAN_F_MAPPED,
		[LOWAT_KIPC_MESSAGE] = KIPC_CHAN_F_MESSAGE,
	};
	int fds[2], err;

	self->ctl = -1;
	if (lowat_is_kipc(variant->kind)) {
		self->ctl = open_control_or_skip(_metadata);
		err = ctl_chan_pair(self->ctl, O_CLOEXEC | flags[variant->kind],
				    CAP, fds);
	} else if (variant->kind == TCP) {
		err = tcp_pair(fds);
		/* The debug kernel is built without INET: no reference. */
		if (err == -EAFNOSUPPORT)
			SKIP(_exit(KIPC_SKIP_EXIT),
			     "this kernel has no TCP, the reference for SO_RCVLOWAT");
	} else {
		err = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 fds) ? -errno : 0;
	}
	ASSERT_EQ(0, err) TH_LOG("setup: %s", strerror(-err));
	self->rfd = fds[0];
	self->wfd = fds[1];
}

FIXTURE_TEARDOWN(lowat)
{
	close(self->rfd);
	if (self->wfd >= 0)
		close(self->wfd);
	if (self->ctl >= 0)
		close(self->ctl);
}

static int set_rcvlowat(enum lowat_kind kind, int fd, int bytes)
{
	if (!lowat_is_kipc(kind))
		return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes,
				  sizeof(bytes)) ? -errno : 0;
	return SET_OPT(fd, rcvlowat, bytes);
}

/*
 * Wait until @n bytes are queued at @fd: TCP delivers over loopback in
 * a softirq, maybe after write() returned.  True once they are.
 */
static bool queued_reaches(int fd, int n)
{
	int i, q;

	for (i = 0; i < SLEEP_POLLS; i++) {
		if (!ioctl(fd, FIONREAD, &q) && q >= n)
			return true;
		usleep(1000);
	}
	return false;
}

/* Drain what is queued without waiting. */
static void drain(int fd)
{
	char buf[4096];

	fd_change_flags(fd, O_NONBLOCK, 0);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fd_change_flags(fd, 0, O_NONBLOCK);
}

/*
 * Bytes: POLLIN only from rcvlowat bytes queued (0 and 1: from one), and
 * at end of file with fewer.  Messages: rcvlowat does not apply, any
 * message is readable (AF_UNIX's poll ignores SO_RCVLOWAT as well).
 */
TEST_F(lowat, rcvlowat_poll)
{
	static char buf[100];
	struct pollfd p = { .fd = self->rfd, .events = POLLIN };
	int lowat;

	for (lowat = 0; lowat <= 1; lowat++) {
		ASSERT_EQ(0, set_rcvlowat(variant->kind, self->rfd, lowat));
		ASSERT_EQ(1, write(self->wfd, buf, 1));
		ASSERT_TRUE(queued_reaches(self->rfd, 1));
		EXPECT_EQ(POLLIN, revents(self->rfd, POLLIN))
			TH_LOG("rcvlowat %d", lowat);
		drain(self->rfd);
	}

	ASSERT_EQ(0, set_rcvlowat(variant->kind, self->rfd, 100));
	ASSERT_EQ(50, write(self->wfd, buf, 50));
	ASSERT_TRUE(queued_reaches(self->rfd, 50));
	if (lowat_is_message(variant->kind)) {
		EXPECT_EQ(POLLIN, revents(self->rfd, POLLIN));
		return;
	}
	EXPECT_EQ(0, revents(self->rfd, POLLIN));
	ASSERT_EQ(49, write(self->wfd, buf, 49));
	ASSERT_TRUE(queued_reaches(self->rfd, 99));
	EXPECT_EQ(0, revents(self->rfd, POLLIN));
	ASSERT_EQ(1, write(self->wfd, buf, 1));
	ASSERT_TRUE(queued_reaches(self->rfd, 100));
	EXPECT_EQ(POLLIN, revents(self->rfd, POLLIN));

	/* Below the mark again, then the writer goes: readable. */
	drain(self->rfd);
	ASSERT_EQ(50, write(self->wfd, buf, 50));
	ASSERT_TRUE(queued_reaches(self->rfd, 50));
	EXPECT_EQ(0, revents(self->rfd, POLLIN));
	ASSERT_EQ(0, close_fd(&self->wfd));
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
}

/*
 * kipc: rcvlowat above the capacity means the capacity (TCP caps it by
 * its own buffer, not comparable), and read() returns what is queued at
 * once, below the mark too (TCP's read() waits for SO_RCVLOWAT bytes).
 */
TEST_F(lowat, kipc_rcvlowat_capped_read_unchanged)
{
	char buf[16];

	if (lowat_is_message(variant->kind))
		SKIP(return, "a message is readable whatever the rcvlowat (rcvlowat_poll)");
	if (!lowat_is_kipc(variant->kind))
		SKIP(return, "TCP caps SO_RCVLOWAT by its buffer and its read() waits for the mark: kipc's rules differ");
	ASSERT_EQ(0, set_rcvlowat(variant->kind, self->rfd, 1 << 20));
	ASSERT_EQ(CAP, fill_bytes(self->wfd));
	EXPECT_EQ(POLLIN, revents(self->rfd, POLLIN));
	drain(self->rfd);
	ASSERT_EQ(3, write(self->wfd, "abc", 3));
	EXPECT_EQ(0, revents(self->rfd, POLLIN));
	EXPECT_EQ(3, read(self->rfd, buf, sizeof(buf)));
}

/*
 * sndlowat, kipc's own (Linux has no SO_SNDLOWAT: ENOPROTOOPT, asserted
 * on the sockets).  Bytes: POLLOUT once min(sndlowat ?: PIPE_BUF,
 * capacity) bytes are free.  Messages: once a message of that many bytes
 * would fit (its length + KIPC_MSG_OVERHEAD in the room left, or the
 * channel empty).
 */
TEST_F(lowat, sndlowat_pollout)
{
	static char buf[CAP];
	int one = 1;

	if (!lowat_is_kipc(variant->kind)) {
		EXPECT_EQ(-ENOPROTOOPT, ERRNO_OF(setsockopt(self->wfd,
			  SOL_SOCKET, SO_SNDLOWAT, &one, sizeof(one))));
		SKIP(return, "Linux sockets have no SO_SNDLOWAT");
	}
	EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
	if (variant->kind == LOWAT_KIPC_MESSAGE) {
		/* 4096 + 32 bytes of room for the PIPE_BUF default. */
		ASSERT_EQ(CAP - 4128 - 32, write(self->wfd, buf,
						 CAP - 4128 - 32));
		EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
		ASSERT_EQ(0, write(self->wfd, buf, 0));
		EXPECT_EQ(0, revents(self->wfd, POLLOUT));
		ASSERT_EQ(0, SET_OPT(self->wfd, sndlowat, 4064));
		EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
		ASSERT_EQ(0, SET_OPT(self->wfd, sndlowat, 4065));
		EXPECT_EQ(0, revents(self->wfd, POLLOUT));
		/* Capped at the capacity: fits only when empty. */
		ASSERT_EQ(0, SET_OPT(self->wfd, sndlowat, 1 << 20));
		EXPECT_EQ(0, revents(self->wfd, POLLOUT));
		drain(self->rfd);
		EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
		return;
	}
	ASSERT_EQ(CAP, fill_bytes(self->wfd));
	EXPECT_EQ(0, revents(self->wfd, POLLOUT));
	ASSERT_EQ(4095, read(self->rfd, buf, 4095));
	EXPECT_EQ(0, revents(self->wfd, POLLOUT));
	ASSERT_EQ(1, read(self->rfd, buf, 1));
	EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
	ASSERT_EQ(0, SET_OPT(self->wfd, sndlowat, 6000));
	EXPECT_EQ(0, revents(self->wfd, POLLOUT));
	ASSERT_EQ(1903, read(self->rfd, buf, 1903));
	EXPECT_EQ(0, revents(self->wfd, POLLOUT));
	ASSERT_EQ(1, read(self->rfd, buf, 1));
	EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
	ASSERT_EQ(0, SET_OPT(self->wfd, sndlowat, 1));
	ASSERT_EQ(6000, fill_bytes(self->wfd));
	EXPECT_EQ(0, revents(self->wfd, POLLOUT));
	ASSERT_EQ(1, read(self->rfd, buf, 1));
	EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
	/* Capped at the capacity: only an empty channel has that room. */
	ASSERT_EQ(0, SET_OPT(self->wfd, sndlowat, 1 << 20));
	EXPECT_EQ(0, revents(self->wfd, POLLOUT));
	drain(self->rfd);
	EXPECT_EQ(POLLOUT, revents(self->wfd, POLLOUT));
}

TEST_HARNESS_MAIN
