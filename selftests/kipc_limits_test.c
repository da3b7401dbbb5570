// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits.
 *
 * Channel memory: user_soft_bytes and user_max_bytes are the
 * pipe-user-pages-soft and -hard of kipc, in bytes.  Over the soft limit an
 * unprivileged user's new channels get two pages, as new pipes do, and may
 * not grow (EPERM, as F_SETPIPE_SZ); over the hard one a user gets what a
 * pipe gives: ENFILE from pipe() (here: the pair ioctl), ENOMEM from a FIFO
 * open (here: a named node's first open), and EPERM when growing.  The soft
 * cases run side by side with the kernel's pipe.
 *
 * Shares: user_max_channels and user_shm_mni keep one user from taking
 * all of max_channels or shm_mni.  Privileged tasks are exempt from all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

#define PARAM	"/sys/module/kipc/parameters/user_max_bytes"
#define NODE	"kipc-limits-test"
#define NOBODY	65534

#define PARAMS	"/sys/module/kipc/parameters/"
#define PIPE_SOFT "/proc/sys/fs/pipe-user-pages-soft"
#define PIPE_MAX "/proc/sys/fs/pipe-max-size"

static int write_file(const char *path, unsigned long v)
{
	char buf[32];
	int fd, n, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lu", v);
	ret = write(fd, buf, n) == n ? 0 : -errno;
	close(fd);
	return ret;
}

static long read_file(const char *path)
{
	char buf[32] = "";
	long v = -1;
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

static int write_param(unsigned long v)
{
	return write_file(PARAM, v);
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

	self->ctl = open_control_or_skip(_metadata);
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

/*
 * The soft limit, side by side with the pipe's.  Each variant makes new
 * "pipes" of the default size as one user and reports the size each got.
 */
struct soft_mech {
	/* 0 and the size in bytes, or -errno; fds in @fd[2]. */
	int (*make)(int ctl, int fd[2], long *size);
	int (*grow)(int fd, long size);
};

static int pipe_make(int ctl, int fd[2], long *size)
{
	if (pipe2(fd, O_CLOEXEC))
		return -errno;
	*size = fcntl(fd[0], F_GETPIPE_SZ);
	return *size < 0 ? -errno : 0;
}

static int pipe_grow(int fd, long size)
{
	return fcntl(fd, F_SETPIPE_SZ, size) < 0 ? -errno : 0;
}

static int kipc_make(int ctl, int fd[2], long *size)
{
	struct kipc_capacity c = { 0 };
	struct kipc_chan_pair p;
	int ret = pair(ctl, 0, &p);

	if (ret)
		return ret;
	fd[0] = p.rfd;
	fd[1] = p.wfd;
	if (ioctl(p.rfd, KIPC_IOC_GET_CAPACITY, &c))
		return -errno;
	/* The pair ioctl reports what the channel got, too. */
	if (p.capacity != c.capacity)
		return -EPROTO;
	*size = c.capacity;
	return 0;
}

static int kipc_grow(int fd, long size)
{
	struct kipc_capacity c = { .capacity = size };

	return ioctl(fd, KIPC_IOC_SET_CAPACITY, &c) ? -errno : 0;
}

FIXTURE(soft) {
	int ctl;
	long pipe_soft;
	long kipc_soft;
	long pipe_max;
	long kipc_max;
};

FIXTURE_VARIANT(soft) {
	const struct soft_mech *mech;
};

static const struct soft_mech pipe_mech = { pipe_make, pipe_grow };
static const struct soft_mech kipc_mech = { kipc_make, kipc_grow };

FIXTURE_VARIANT_ADD(soft, pipe) { .mech = &pipe_mech };
FIXTURE_VARIANT_ADD(soft, kipc) { .mech = &kipc_mech };

FIXTURE_SETUP(soft)
{
	self->ctl = open_control_or_skip(_metadata);
	self->pipe_soft = read_file(PIPE_SOFT);
	self->kipc_soft = read_file(PARAMS "user_soft_bytes");
	self->pipe_max = read_file(PIPE_MAX);
	self->kipc_max = read_file(PARAMS "max_capacity");
	ASSERT_LT(0, self->pipe_soft);
	if (variant->mech == &kipc_mech) {
		ASSERT_LE(0, self->kipc_soft);
	}
}

FIXTURE_TEARDOWN(soft)
{
	write_file(PIPE_SOFT, self->pipe_soft);
	if (self->kipc_soft >= 0)
		write_file(PARAMS "user_soft_bytes", self->kipc_soft);
	if (self->pipe_max > 0)
		write_file(PIPE_MAX, self->pipe_max);
	if (self->kipc_max > 0)
		write_file(PARAMS "max_capacity", self->kipc_max);
	close(self->ctl);
}

struct soft_run {
	const struct soft_mech *mech;
	int ctl;
	int n;		/* pipes to make */
	int full;	/* how many must get the default size */
	long dflt;	/* the default size */
};

/*
 * As nobody, make @n pipes: the first @full get the default size, the
 * rest two pages, and growing one of the small ones is EPERM.  The
 * exit status is the number of the first broken expectation.
 */
static int soft_run_as_nobody(const struct soft_run *run)
{
	struct rlimit rl = { 2 * run->n + 64, 2 * run->n + 64 };
	int status, i, fd[2] = { -1, -1 };
	pid_t pid = fork();

	if (pid == 0) {
		long size;

		if (setrlimit(RLIMIT_NOFILE, &rl) || drop_privileges())
			_exit(100);
		for (i = 0; i < run->n; i++) {
			if (run->mech->make(run->ctl, fd, &size))
				_exit(1);
			if (size != (i < run->full ? run->dflt : 8192)) {
				printf("# pipe %d of %d: %ld bytes\n", i,
				       run->n, size);
				_exit(2);
			}
		}
		/* F_SETPIPE_SZ's rule: no growing over the soft limit. */
		if (run->mech->grow(fd[0], 65536) != -EPERM)
			_exit(3);
		/* Shrinking stays allowed. */
		if (run->mech->grow(fd[0], 4096))
			_exit(4);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* The defaults agree: 16384 pages, in bytes for kipc. */
TEST_F(soft, default_is_the_pipes)
{
	long want = variant->mech == &kipc_mech ? 16384L * 4096 : 16384;

	EXPECT_EQ(want, variant->mech == &kipc_mech ? self->kipc_soft :
						       self->pipe_soft);
}

/* Set the variant's soft limit to @pages pages. */
static int set_soft(const FIXTURE_VARIANT(soft) *variant, long pages)
{
	if (variant->mech == &kipc_mech)
		return write_file(PARAMS "user_soft_bytes", pages * 4096);
	return write_file(PIPE_SOFT, pages);
}

/* Over the soft limit a new pipe gets two pages, and cannot grow. */
TEST_F(soft, over_soft_limit_gets_two_pages)
{
	struct soft_run run = {
		.mech = variant->mech, .ctl = self->ctl,
		.n = 5, .full = 3, .dflt = 65536,
	};

	/* Room for three default pipes: 48 pages, 192 KiB. */
	ASSERT_EQ(0, set_soft(variant, 48));
	EXPECT_EQ(0, soft_run_as_nobody(&run));
}

/*
 * The review's case at the default limit: 1100 default pipes pin no more
 * than the soft limit plus two pages for each past it.
 */
TEST_F(soft, default_soft_limit_holds)
{
	struct soft_run run = {
		.mech = variant->mech, .ctl = self->ctl,
		.n = 1100, .full = 1024, .dflt = 65536,
	};

	ASSERT_EQ(0, set_soft(variant, 16384));
	EXPECT_EQ(0, soft_run_as_nobody(&run));
}

/*
 * An administrator who lowers the maximum below the default lowers an
 * unprivileged user's new pipes to it, at creation, not only on resize
 * (alloc_pipe_info()); root still gets the default.
 */
static int lowered_max_as_nobody(const struct soft_mech *mech, int ctl)
{
	int status, fd[2];
	pid_t pid = fork();

	if (pid == 0) {
		long size;

		if (drop_privileges())
			_exit(100);
		if (mech->make(ctl, fd, &size))
			_exit(1);
		if (size != 4096) {
			printf("# a new pipe of nobody's: %ld bytes\n", size);
			_exit(2);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

TEST_F(soft, lowered_max_caps_new_pipes)
{
	int fd[2];
	long size;

	ASSERT_EQ(0, write_file(variant->mech == &kipc_mech ?
				PARAMS "max_capacity" : PIPE_MAX, 4096));
	EXPECT_EQ(0, lowered_max_as_nobody(variant->mech, self->ctl));
	ASSERT_EQ(0, variant->mech->make(self->ctl, fd, &size));
	EXPECT_EQ(65536, size);
	close(fd[0]);
	close(fd[1]);
}

/* Root is not held to it, for pipes or kipc. */
TEST_F(soft, privileged_user_is_exempt)
{
	long size;
	int fd[4][2], i;

	ASSERT_EQ(0, set_soft(variant, 16));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, variant->mech->make(self->ctl, fd[i], &size));
		EXPECT_EQ(65536, size);
	}
	for (i = 0; i < 4; i++) {
		close(fd[i][0]);
		close(fd[i][1]);
	}
}

/*
 * Shares of the global object limits: one user cannot take all named
 * channels or all regions; another user, and root, still can create.
 */
#define SHARE_PREFIX	"kipc-limits-share-"

FIXTURE(share) {
	int ctl;
	long max_channels, user_max_channels, shm_mni, user_shm_mni;
};

FIXTURE_SETUP(share)
{
	self->ctl = open_control_or_skip(_metadata);
	self->max_channels = read_file(PARAMS "max_channels");
	self->user_max_channels = read_file(PARAMS "user_max_channels");
	self->shm_mni = read_file(PARAMS "shm_mni");
	self->user_shm_mni = read_file(PARAMS "user_shm_mni");
	ASSERT_LT(0, self->max_channels);
	ASSERT_LE(0, self->user_max_channels);
	ASSERT_LT(0, self->shm_mni);
	ASSERT_LE(0, self->user_shm_mni);
	umask(0);
}

static void share_cleanup(int ctl)
{
	struct kipc_shm_list list = { 0 };
	struct kipc_chan_name req;
	int ids[64];
	__u32 i;
	int n;

	for (n = 0; n < 16; n++) {
		memset(&req, 0, sizeof(req));
		snprintf(req.name, sizeof(req.name), SHARE_PREFIX "%d", n);
		ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &req);
	}
	list.ids = (uintptr_t)ids;
	list.nr_ids = 64;
	if (ioctl(ctl, KIPC_IOC_SHM_LIST, &list))
		return;
	for (i = 0; i < list.count && i < 64; i++) {
		struct kipc_shm_stat st = { .id = ids[i] };
		struct kipc_shm_id rm = { .id = ids[i] };

		/* Only ours: keys 0x6b1000 and up. */
		if (!ioctl(ctl, KIPC_IOC_SHM_STAT, &st) &&
		    st.key >= 0x6b1000 && st.key < 0x6b1100)
			ioctl(ctl, KIPC_IOC_SHM_RMID, &rm);
	}
}

FIXTURE_TEARDOWN(share)
{
	share_cleanup(self->ctl);
	write_file(PARAMS "max_channels", self->max_channels);
	write_file(PARAMS "user_max_channels", self->user_max_channels);
	write_file(PARAMS "shm_mni", self->shm_mni);
	write_file(PARAMS "user_shm_mni", self->user_shm_mni);
	close(self->ctl);
}

static int make_chan(int ctl, int n)
{
	struct kipc_chan_name req = { .mode = 0600 };

	snprintf(req.name, sizeof(req.name), SHARE_PREFIX "%d", n);
	return ioctl(ctl, KIPC_IOC_CHAN_CREATE, &req) ? -errno : 0;
}

static int make_region(int ctl, int n)
{
	struct kipc_shm_get get = {
		.key = 0x6b1000 + n, .size = 4096,
		.flags = KIPC_SHM_CREAT | KIPC_SHM_EXCL, .mode = 0600,
	};

	return ioctl(ctl, KIPC_IOC_SHM_GET, &get) ? -errno : get.id;
}

/* As @uid: make objects @first.. until one fails; exit status: how many. */
static int count_as(uid_t uid, int ctl, int (*make)(int, int), int first)
{
	int status, n = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(255);
		while (n < 16 && make(ctl, first + n) >= 0)
			n++;
		/* The share and the global limit both say ENOSPC. */
		if (n < 16 && errno != ENOSPC)
			_exit(254);
		_exit(n);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 253;
}

TEST_F(share, defaults)
{
	EXPECT_EQ(256, self->user_max_channels);
	EXPECT_EQ(1024, self->user_shm_mni);
	/* A share, not the whole. */
	EXPECT_LT(self->user_max_channels, self->max_channels);
	EXPECT_LT(self->user_shm_mni, self->shm_mni);
}

TEST_F(share, one_user_cannot_take_all_named_channels)
{
	struct kipc_chan_name req = { .name = SHARE_PREFIX "0" };

	ASSERT_EQ(0, write_file(PARAMS "max_channels", 8));
	ASSERT_EQ(0, write_file(PARAMS "user_max_channels", 3));
	/* Existing channels of others count against the global 8. */
	share_cleanup(self->ctl);
	EXPECT_EQ(3, count_as(NOBODY, self->ctl, make_chan, 0));
	/* Nobody's share is used up; another user's is not. */
	EXPECT_EQ(3, count_as(NOBODY - 1, self->ctl, make_chan, 3));
	/* Root is held to the global limit only. */
	EXPECT_EQ(0, make_chan(self->ctl, 6));
	/* Removing one of nobody's gives nobody one back, and one only. */
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, &req));
	EXPECT_EQ(1, count_as(NOBODY, self->ctl, make_chan, 7));
}

#define NO_USERNS	251

/*
 * As a uid of a user namespace that @NOBODY made (kuid 100005, as a
 * container's subordinate uid would be): make channels @first.. until one
 * fails.  Exit status: how many, NO_USERNS without user namespaces, or
 * 250+ if the namespace could not be set up.
 */
static int count_in_userns(int ctl, int first)
{
	int ready[2], go[2], status, n = 0;
	char map[64], path[64], c = 0;
	pid_t pid;
	int fd;

	if (pipe(ready) || pipe(go))
		return 250;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(250);
		if (unshare(CLONE_NEWUSER))
			_exit(NO_USERNS);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(252);
		if (setresuid(5, 5, 5))
			_exit(253);
		while (n < 16 && make_chan(ctl, first + n) >= 0)
			n++;
		_exit(n < 16 && errno != ENOSPC ? 254 : n);
	}
	/* Only the child may hold these, or a child that died hangs us. */
	close(ready[1]);
	close(go[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		close(go[1]);
		if (pid > 0 && waitpid(pid, &status, 0) == pid &&
		    WIFEXITED(status))
			return WEXITSTATUS(status);
		return 250;
	}
	/* Root of the parent namespace may map any uids. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	snprintf(map, sizeof(map), "0 100000 10\n");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		kill(pid, SIGKILL);
	if (fd >= 0)
		close(fd);
	if (write(go[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	close(ready[0]);
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 249;
}

/*
 * The uids of a user namespace are the share of the user who made it, as
 * rlimits are counted: else each of a container's 65536 subordinate uids
 * would have a share of its own.
 */
TEST_F(share, user_namespace_uids_share_their_owners_share)
{
	int n;

	ASSERT_EQ(0, write_file(PARAMS "max_channels", 12));
	ASSERT_EQ(0, write_file(PARAMS "user_max_channels", 3));
	share_cleanup(self->ctl);
	EXPECT_EQ(3, count_as(NOBODY, self->ctl, make_chan, 0));
	/* Nobody has 3; its namespace's uid 5 gets none. */
	n = count_in_userns(self->ctl, 3);
	if (n == NO_USERNS)
		SKIP(return, "no user namespaces in this kernel (CONFIG_USER_NS)");
	EXPECT_EQ(0, n);
	share_cleanup(self->ctl);
	/* With nobody's share free, the namespace takes it, and only it. */
	EXPECT_EQ(3, count_in_userns(self->ctl, 3));
}

TEST_F(share, one_user_cannot_take_all_regions)
{
	struct kipc_shm_list list = { 0 };
	struct kipc_shm_get get = { 0 };
	struct kipc_shm_id rm = { 0 };

	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_LIST, &list));
	/* Room for 8 more regions than exist. */
	ASSERT_EQ(0, write_file(PARAMS "shm_mni", list.count + 8));
	ASSERT_EQ(0, write_file(PARAMS "user_shm_mni", 3));
	EXPECT_EQ(3, count_as(NOBODY, self->ctl, make_region, 0));
	EXPECT_EQ(3, count_as(NOBODY - 1, self->ctl, make_region, 3));
	EXPECT_LE(0, make_region(self->ctl, 6));
	/* A removed region is no longer nobody's: one more fits, one only. */
	get.key = 0x6b1000;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_GET, &get));
	rm.id = get.id;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_RMID, &rm));
	EXPECT_EQ(1, count_as(NOBODY, self->ctl, make_region, 7));
}

TEST_HARNESS_MAIN
