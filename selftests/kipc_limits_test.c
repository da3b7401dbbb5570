// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user channel memory, the pipe-user-pages-hard of kipc: the
 * user_max_bytes module parameter.  Over it an unprivileged user gets what
 * a pipe gives over its hard limit: ENFILE from pipe() (here: the pair
 * ioctl), ENOMEM from a FIFO open (here: a named node's first open), and
 * EPERM when growing a capacity.  Privileged tasks are exempt.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

#define PARAM	"/sys/module/kipc/parameters/user_max_bytes"
#define NODE	"kipc-limits-test"
#define NOBODY	65534

static int write_param(unsigned long v)
{
	char buf[32];
	int fd, n, ret;

	fd = open(PARAM, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lu", v);
	ret = write(fd, buf, n) == n ? 0 : -errno;
	close(fd);
	return ret;
}

static int pair(int ctl, __u64 capacity, struct kipc_chan_pair *p)
{
	memset(p, 0, sizeof(*p));
	p->flags = O_CLOEXEC;
	p->capacity = capacity;
	return ioctl(ctl, KIPC_IOC_CHAN_PAIR, p) ? -errno : 0;
}

/* Become nobody, with no capabilities left. */
static int drop_privileges(void)
{
	if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY,
							  NOBODY))
		return -errno;
	return 0;
}

FIXTURE(limits) {
	int ctl;
};

FIXTURE_SETUP(limits)
{
	struct kipc_chan_name req = { .name = NODE, .mode = 0666 };

	self->ctl = kipc_open_control(_metadata);
	/* Room for exactly three 64 KiB channels per user. */
	ASSERT_EQ(0, write_param(3 * 65536));
	umask(0);
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, &req));
}

FIXTURE_TEARDOWN(limits)
{
	struct kipc_chan_name req = { .name = NODE };

	ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, &req);
	write_param(0);
	close(self->ctl);
}

/*
 * Each check runs in a child that is nobody: its exit status is the
 * number of the first expectation that failed, 0 if none.
 */
static int run_as_nobody(int (*fn)(int ctl), int ctl)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (drop_privileges())
			_exit(100);
		_exit(fn(ctl));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static int pairs_until_enfile(int ctl)
{
	struct kipc_chan_pair p[3], q;
	int i;

	for (i = 0; i < 3; i++)
		if (pair(ctl, 0, &p[i]))
			return 1 + i;
	if (pair(ctl, 0, &q) != -ENFILE)
		return 4;
	/* Small enough to fit nowhere either: the limit is in bytes. */
	if (pair(ctl, 4096, &q) != -ENFILE)
		return 5;
	/* Freeing one makes room for one again. */
	close(p[0].rfd);
	close(p[0].wfd);
	if (pair(ctl, 0, &q))
		return 6;
	return 0;
}

TEST_F(limits, pair_over_user_limit_is_enfile)
{
	EXPECT_EQ(0, run_as_nobody(pairs_until_enfile, self->ctl));
}

static int named_open_over_limit(int ctl)
{
	struct kipc_chan_pair p[3];
	int i, fd;

	for (i = 0; i < 3; i++)
		if (pair(ctl, 0, &p[i]))
			return 1 + i;
	/* The ring of a named channel is allocated by its first open. */
	fd = open("/dev/kipc/" NODE, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != ENOMEM)
		return 4;
	close(p[2].rfd);
	close(p[2].wfd);
	fd = open("/dev/kipc/" NODE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 5;
	return 0;
}

TEST_F(limits, named_open_over_user_limit_is_enomem)
{
	EXPECT_EQ(0, run_as_nobody(named_open_over_limit, self->ctl));
}

static int grow_over_limit(int ctl)
{
	struct kipc_capacity c = { .capacity = 3 * 65536 };
	struct kipc_chan_pair p;

	if (pair(ctl, 0, &p))
		return 1;
	/* 192 KiB would make 192 KiB in all: still within the limit. */
	if (ioctl(p.rfd, KIPC_IOC_SET_CAPACITY, &c))
		return 2;
	c.capacity = 3 * 65536 + 1;
	if (!ioctl(p.rfd, KIPC_IOC_SET_CAPACITY, &c) || errno != EPERM)
		return 3;
	/* Shrinking is always allowed, and gives the memory back. */
	c.capacity = 4096;
	if (ioctl(p.rfd, KIPC_IOC_SET_CAPACITY, &c))
		return 4;
	if (pair(ctl, 0, &p) || pair(ctl, 0, &p))
		return 5;
	return 0;
}

TEST_F(limits, grow_over_user_limit_is_eperm)
{
	EXPECT_EQ(0, run_as_nobody(grow_over_limit, self->ctl));
}

/* Root (CAP_SYS_RESOURCE) is not held to the limit, as for pipes. */
TEST_F(limits, privileged_user_is_exempt)
{
	struct kipc_chan_pair p[5];
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, pair(self->ctl, 0, &p[i]));
	for (i = 0; i < 5; i++) {
		close(p[i].rfd);
		close(p[i].wfd);
	}
}

/* The limit is per user: nobody's use does not count against root's. */
TEST_F(limits, limit_is_per_user)
{
	EXPECT_EQ(0, run_as_nobody(pairs_until_enfile, self->ctl));
	EXPECT_EQ(0, run_as_nobody(pairs_until_enfile, self->ctl));
}

TEST_HARNESS_MAIN
