// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a channel's bytes without consuming them: KIPC_IOC_PEEK on kipc,
 * side by side with what tee(2) gives on a kernel pipe, which is how a
 * program peeks at a pipe today (tee into a scratch pipe, read that).
 * Both never wait here: SPLICE_F_NONBLOCK for tee, always for the peek.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

FIXTURE(peek) {
	int ctl;
	int fds[2];		/* the channel or pipe under test */
	int scratch[2];		/* a kernel pipe for tee's copy */
};

FIXTURE_VARIANT(peek) {
	bool kipc;
};

FIXTURE_VARIANT_ADD(peek, pipe) { .kipc = false };
FIXTURE_VARIANT_ADD(peek, kipc_pair) { .kipc = true };

FIXTURE_SETUP(peek)
{
	self->ctl = -1;
	ASSERT_EQ(0, pipe2(self->scratch, O_CLOEXEC | O_NONBLOCK));
	if (variant->kipc) {
		struct kipc_chan_pair p = { .flags = O_CLOEXEC };

		self->ctl = open_control_or_skip(_metadata);
		ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &p));
		self->fds[0] = p.rfd;
		self->fds[1] = p.wfd;
	} else {
		ASSERT_EQ(0, pipe2(self->fds, O_CLOEXEC));
	}
}

FIXTURE_TEARDOWN(peek)
{
	close(self->fds[0]);
	if (self->fds[1] >= 0)
		close(self->fds[1]);
	close(self->scratch[0]);
	close(self->scratch[1]);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Copy up to @len queued bytes into @buf without consuming: n or -errno. */
static long peek(const FIXTURE_DATA(peek) *self, bool kipc, char *buf,
		 size_t len)
{
	struct kipc_peek req = { .buf = (uintptr_t)buf, .len = len };
	ssize_t n;

	if (kipc) {
		n = ioctl(self->fds[0], KIPC_IOC_PEEK, &req);
		return n < 0 ? -errno : n;
	}
	n = tee(self->fds[0], self->scratch[1], len, SPLICE_F_NONBLOCK);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	return read(self->scratch[0], buf, n);
}

TEST_F(peek, copies_without_consuming)
{
	char buf[16] = "";

	ASSERT_EQ(11, write(self->fds[1], "hello world", 11));
	EXPECT_EQ(5, peek(self, variant->kipc, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* All of it is still there, for peeks and reads alike. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(11, peek(self, variant->kipc, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello world", 11));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(11, read(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello world", 11));
}

TEST_F(peek, empty_with_writers_is_eagain)
{
	char buf[4];

	EXPECT_EQ(-EAGAIN, peek(self, variant->kipc, buf, sizeof(buf)));
}

TEST_F(peek, empty_without_writers_is_eof)
{
	char buf[4];

	close(self->fds[1]);
	self->fds[1] = -1;
	EXPECT_EQ(0, peek(self, variant->kipc, buf, sizeof(buf)));
}

TEST_F(peek, data_before_eof)
{
	char buf[8] = "";

	ASSERT_EQ(3, write(self->fds[1], "abc", 3));
	close(self->fds[1]);
	self->fds[1] = -1;
	EXPECT_EQ(3, peek(self, variant->kipc, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(3, read(self->fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->fds[0], buf, sizeof(buf)));
}

/* What only the ioctl has: an offset, and its own argument checks. */
FIXTURE(kipc_peek) {
	int ctl;
	struct kipc_chan_pair p;
};

FIXTURE_SETUP(kipc_peek)
{
	self->ctl = open_control_or_skip(_metadata);
	self->p.flags = O_CLOEXEC;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &self->p));
}

FIXTURE_TEARDOWN(kipc_peek)
{
	close(self->p.rfd);
	close(self->p.wfd);
	close(self->ctl);
}

TEST_F(kipc_peek, offset_skips_queued_bytes)
{
	char buf[8] = "";
	struct kipc_peek req = {
		.buf = (uintptr_t)buf, .len = sizeof(buf), .offset = 6,
	};

	ASSERT_EQ(11, write(self->p.wfd, "hello world", 11));
	EXPECT_EQ(5, ioctl(self->p.rfd, KIPC_IOC_PEEK, &req));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	/* Nothing past the end yet, but a writer may add some. */
	req.offset = 11;
	EXPECT_EQ(-1, ioctl(self->p.rfd, KIPC_IOC_PEEK, &req));
	EXPECT_EQ(EAGAIN, errno);
}

/* Wrapped in the ring: a peek copies both pieces. */
TEST_F(kipc_peek, across_the_end_of_the_ring)
{
	struct kipc_capacity c = { .capacity = 4096 };
	static char big[4096], buf[200];
	struct kipc_peek req = { .buf = (uintptr_t)buf, .len = 200 };
	int i;

	ASSERT_EQ(0, ioctl(self->p.rfd, KIPC_IOC_SET_CAPACITY, &c));
	ASSERT_EQ(4000, write(self->p.wfd, big, 4000));
	ASSERT_EQ(4000, read(self->p.rfd, big, 4000));
	for (i = 0; i < 200; i++)
		buf[i] = i;
	ASSERT_EQ(200, write(self->p.wfd, buf, 200));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(200, ioctl(self->p.rfd, KIPC_IOC_PEEK, &req));
	for (i = 0; i < 200; i++)
		ASSERT_EQ((char)i, buf[i]);
}

TEST_F(kipc_peek, write_end_is_ebadf)
{
	char buf[4];
	struct kipc_peek req = { .buf = (uintptr_t)buf, .len = 4 };

	EXPECT_EQ(-1, ioctl(self->p.wfd, KIPC_IOC_PEEK, &req));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(kipc_peek, bad_arguments)
{
	char buf[4];
	struct kipc_peek req = { .buf = (uintptr_t)buf, .len = 4 };

	ASSERT_EQ(1, write(self->p.wfd, "x", 1));
	req.__reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->p.rfd, KIPC_IOC_PEEK, &req));
	EXPECT_EQ(EINVAL, errno);
	req.__reserved[1] = 0;
	req.buf = 8;	/* unmapped */
	EXPECT_EQ(-1, ioctl(self->p.rfd, KIPC_IOC_PEEK, &req));
	EXPECT_EQ(EFAULT, errno);
	/* A zero length copies nothing, and is no fault. */
	req.buf = (uintptr_t)buf;
	req.len = 0;
	EXPECT_EQ(0, ioctl(self->p.rfd, KIPC_IOC_PEEK, &req));
	/* Nothing was consumed by any. */
	EXPECT_EQ(1, read(self->p.rfd, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
