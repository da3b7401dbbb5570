// SPDX-License-Identifier: GPL-2.0
/*
 * Access control of what kipc hands out (issue 11, an outside review):
 *
 * 1. No fd may be reopened into more access than it grants.  Reopening
 *    /proc/PID/fd/N (or /proc/PID/map_files/...) does not go through kipc's
 *    ioctls but through the VFS, against the inode behind the fd:
 *    - a region fd is a file of a shmem inode of mode 0777, so a reopen
 *      would give a plain writable shmem file: it must fail with ENXIO;
 *    - a named channel is a node in /dev/kipc with the channel's mode, and
 *      reopens like a FIFO: the node's mode decides (the same body runs on
 *      a FIFO made by mkfifo());
 *    - an anonymous pair reopens into nothing at all.
 * 2. The counters of a named channel in /sys/class/kipc/NAME/ are readable
 *    only by a class (owner, group, other) that may open the node for
 *    reading or for writing, and by root.
 * 3. A node that was removed opens nothing, even once a channel of the same
 *    name (and, usually, the same minor) exists again.  For others than
 *    root the VFS already sees to that: devtmpfs sets a node it removes
 *    to mode 0000.
 *
 * Checks that need another uid run in a forked child that dropped its
 * privileges: its exit status is the number of the first check that
 * failed (0: none), and it says which as a KTAP comment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

#define NOBODY		65534	/* uid and gid of the unprivileged user */
#define STRANGER	65533	/* a uid and gid in no class of ours */
#define SECRET		"seventeen bytes!!"	/* 17 bytes */

/* 0 if @call succeeded, else -errno: one value to compare. */
#define ERRNO_OR_ZERO(call) ({						\
	errno = 0;							\
	(long)(call) == -1 ? -errno : 0;				\
})

/* In a child: if the check numbered @n fails, say so and end with @n. */
#define CHILD_EQ(n, expected, seen) do {				\
	long __e = (expected), __s = (seen);				\
	if (__e != __s) {						\
		fprintf(stderr, "# check %d: %s: expected %ld, got %ld\n", \
			n, #seen, __e, __s);				\
		return n;						\
	}								\
} while (0)

#define CHILD_TRUE(n, cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# check %d: %s is false (%s)\n", n,	\
			#cond, strerror(errno));			\
		return n;						\
	}								\
} while (0)

/*
 * Become @uid/@gid with no supplementary groups, hence no capabilities.
 * Changing the uid makes the process non-dumpable, and /proc/PID/ of a
 * non-dumpable process belongs to root: another process of the same uid
 * could not even look at /proc/PID/fd (EACCES), and a reopen by PID would
 * never reach the object whose open we mean to test.  Dumpable again, the
 * process is as reachable as any unprivileged one.
 */
static int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid) || prctl(PR_SET_DUMPABLE, 1))
		return -errno;
	return 0;
}

static pid_t spawn_as(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* A child of such a child already is @uid, and stays so. */
		if (geteuid() != uid && become(uid, gid))
			_exit(100);
		_exit(fn(arg));
	}
	return pid;
}

/* The child's exit status: the failed check, 100 or more if it broke. */
static int reap(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static int run_as(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	return reap(spawn_as(uid, gid, fn, arg));
}

/* open() and close at once: 0, or -errno. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Reopen @fd of process @pid (0: ourselves) through /proc. */
static int reopen(pid_t pid, int fd, int flags)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return try_open(path, flags);
}

/* Open the /proc/self/map_files/ entry of the mapping at @p. */
static int open_map_file(const void *p, size_t len, int flags)
{
	char path[80];

	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)p, (unsigned long)p + len);
	return try_open(path, flags);
}

static void fill_pattern(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(i % 251 + 1);
}

static bool pattern_ok(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (char)(i % 251 + 1))
			return false;
	return true;
}

/*
 * A read-only shared mapping, of a kipc region or of a SysV segment, seen
 * by nobody: it shows the pattern, mprotect() cannot make it writable (no
 * VM_MAYWRITE), and its /proc/self/map_files entry, which would open the
 * backing file itself, does not open: that needs CAP_SYS_ADMIN (EPERM),
 * or the directory is not ours (EACCES).  Check numbers from @n on.
 */
static int check_read_only_mapping(char *p, size_t len, int n)
{
	int ret;

	CHILD_TRUE(n, pattern_ok(p, len));
	CHILD_EQ(n + 1, -EACCES,
		 ERRNO_OR_ZERO(mprotect(p, len, PROT_READ | PROT_WRITE)));
	ret = open_map_file(p, len, O_RDWR);
	CHILD_TRUE(n + 2, ret == -EPERM || ret == -EACCES);
	ret = open_map_file(p, len, O_RDONLY);
	CHILD_TRUE(n + 3, ret == -EPERM || ret == -EACCES);
	return 0;
}

/* ---- 1a. Regions ---- */

static int region_open(int ctl, int id, int flags)
{
	struct kipc_shm_open op = { .id = id, .flags = flags | O_CLOEXEC };

	return ioctl(ctl, KIPC_IOC_SHM_OPEN, &op) ? -errno : op.fd;
}

/* Does region @id, or SysV segment @id, still hold the pattern? */
static bool region_intact(int ctl, int id, size_t len)
{
	int fd = region_open(ctl, id, O_RDONLY);
	bool ok = false;
	char *p;

	if (fd < 0)
		return false;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		ok = pattern_ok(p, len);
		munmap(p, len);
	}
	close(fd);
	return ok;
}

static bool sysv_intact(int id, size_t len)
{
	char *p = shmat(id, NULL, SHM_RDONLY);
	bool ok;

	if (p == (void *)-1)
		return false;
	ok = pattern_ok(p, len);
	shmdt(p);
	return ok;
}

FIXTURE(region) {
	int ctl;
	int id;		/* a 0644 region of root's, holding the pattern */
	int sysv_id;	/* a 0644 SysV segment, -1 until a test makes one */
	size_t len;
};

FIXTURE_SETUP(region)
{
	struct kipc_shm_get get = {
		.key = KIPC_SHM_PRIVATE, .flags = KIPC_SHM_CREAT, .mode = 0644,
	};
	char *p;
	int fd;

	self->id = -1;
	self->sysv_id = -1;
	self->ctl = open_control_or_skip(_metadata);
	self->len = 2 * sysconf(_SC_PAGESIZE);
	get.size = self->len;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_GET, &get));
	self->id = get.id;
	fd = region_open(self->ctl, self->id, O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Root keeps no fd or mapping that nobody would inherit. */
	fill_pattern(p, self->len);
	munmap(p, self->len);
	close(fd);
}

FIXTURE_TEARDOWN(region)
{
	struct kipc_shm_id rm = { .id = self->id };

	if (self->id >= 0)
		ioctl(self->ctl, KIPC_IOC_SHM_RMID, &rm);
	if (self->sysv_id >= 0)
		shmctl(self->sysv_id, IPC_RMID, NULL);
	close(self->ctl);
}

/* Nobody may read the region: the fd it gets reopens into nothing. */
static int nobody_reopens_region_fd(void *arg)
{
	FIXTURE_DATA(region) *self = arg;
	int fd = region_open(self->ctl, self->id, O_RDONLY);

	CHILD_TRUE(1, fd >= 0);
	CHILD_EQ(2, -ENXIO, reopen(0, fd, O_RDWR));
	CHILD_EQ(3, -ENXIO, reopen(0, fd, O_WRONLY));
	CHILD_EQ(4, -ENXIO, reopen(0, fd, O_RDONLY));
	return 0;
}

TEST_F(region, nobody_reopen_is_enxio)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, nobody_reopens_region_fd, self));
	EXPECT_TRUE(region_intact(self->ctl, self->id, self->len));
}

/* The same fd, by PID, from another process of nobody's (its child). */
static int reopen_parent_fd(void *arg)
{
	int fd = *(int *)arg;

	CHILD_EQ(2, -ENXIO, reopen(getppid(), fd, O_RDWR));
	CHILD_EQ(3, -ENXIO, reopen(getppid(), fd, O_RDONLY));
	return 0;
}

static int nobody_reopens_by_pid(void *arg)
{
	FIXTURE_DATA(region) *self = arg;
	int fd = region_open(self->ctl, self->id, O_RDONLY);

	CHILD_TRUE(1, fd >= 0);
	return run_as(NOBODY, NOBODY, reopen_parent_fd, &fd);
}

TEST_F(region, nobody_reopen_by_pid_is_enxio)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, nobody_reopens_by_pid, self));
	EXPECT_TRUE(region_intact(self->ctl, self->id, self->len));
}

/* Everything else nobody might write through a read-only region fd with. */
static int nobody_writes_read_only_fd(void *arg)
{
	FIXTURE_DATA(region) *self = arg;
	int fd = region_open(self->ctl, self->id, O_RDONLY);
	size_t len = self->len;
	char buf[16] = "overwritten";
	long ret;
	char *p;

	CHILD_TRUE(1, fd >= 0);
	CHILD_EQ(2, -EBADF, ERRNO_OR_ZERO(write(fd, buf, sizeof(buf))));
	/*
	 * A region fd is not positionable: pwrite() fails with ESPIPE before
	 * the access mode is looked at, which write() shows.
	 */
	ret = ERRNO_OR_ZERO(pwrite(fd, buf, sizeof(buf), 0));
	CHILD_TRUE(3, ret == -EBADF || ret == -ESPIPE);
	CHILD_EQ(4, -EBADF,
		 ERRNO_OR_ZERO(fallocate(fd, FALLOC_FL_PUNCH_HOLE |
				    FALLOC_FL_KEEP_SIZE, 0, len)));
	CHILD_EQ(5, -EACCES, ERRNO_OR_ZERO(mmap(NULL, len, PROT_READ | PROT_WRITE,
					   MAP_SHARED, fd, 0)));
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	CHILD_TRUE(6, p != MAP_FAILED);
	return check_read_only_mapping(p, len, 7);
}

TEST_F(region, nobody_cannot_write_read_only_fd)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, nobody_writes_read_only_fd, self));
	EXPECT_TRUE(region_intact(self->ctl, self->id, self->len));
}

/* The same steps on SysV shm, where there is no fd to reopen at all. */
static int nobody_writes_sysv(void *arg)
{
	FIXTURE_DATA(region) *self = arg;
	char *p;

	CHILD_EQ(1, -EACCES, ERRNO_OR_ZERO(shmat(self->sysv_id, NULL, 0)));
	p = shmat(self->sysv_id, NULL, SHM_RDONLY);
	CHILD_TRUE(2, p != (void *)-1);
	return check_read_only_mapping(p, self->len, 3);
}

TEST_F(region, sysv_nobody_cannot_write_read_only_attach)
{
	char *p;

	self->sysv_id = shmget(IPC_PRIVATE, self->len, IPC_CREAT | 0644);
	ASSERT_LE(0, self->sysv_id);
	p = shmat(self->sysv_id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	fill_pattern(p, self->len);
	shmdt(p);

	EXPECT_EQ(0, run_as(NOBODY, NOBODY, nobody_writes_sysv, self));
	EXPECT_TRUE(sysv_intact(self->sysv_id, self->len));
}

/* Not even root turns a read-only region fd into a writable file. */
TEST_F(region, root_reopen_read_only_fd_is_enxio)
{
	int fd = region_open(self->ctl, self->id, O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENXIO, reopen(0, fd, O_RDWR));
	close(fd);
}

/* Nor the map_files entry of its mapping, which root may open. */
TEST_F(region, root_map_files_is_enxio)
{
	int fd = region_open(self->ctl, self->id, O_RDONLY);
	char *p;

	ASSERT_LE(0, fd);
	p = mmap(NULL, self->len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-ENXIO, open_map_file(p, self->len, O_RDWR));
	EXPECT_EQ(-ENXIO, open_map_file(p, self->len, O_RDONLY));
	munmap(p, self->len);
	close(fd);
}

/* ---- 1b. Named channels, against FIFOs ---- */

/* KIPC_IOC_CHAN_CREATE or KIPC_IOC_CHAN_REMOVE (@mode 0): 0 or -errno */
static int chan_ioctl(int ctl, unsigned long cmd, const char *name,
		      unsigned int mode)
{
	struct kipc_chan_name req = { .mode = mode };

	snprintf(req.name, sizeof(req.name), "%s", name);
	return ioctl(ctl, cmd, &req) ? -errno : 0;
}

#define chan_create(ctl, name, mode) \
	chan_ioctl(ctl, KIPC_IOC_CHAN_CREATE, name, mode)
#define chan_remove(ctl, name)	chan_ioctl(ctl, KIPC_IOC_CHAN_REMOVE, name, 0)

#define NAMED_R644	"kipc-access-r644"
#define NAMED_W622	"kipc-access-w622"

FIXTURE(named) {
	int ctl;
	char dir[64];		/* the FIFOs' directory, "" for kipc */
	char r644[PATH_MAX];	/* mode 0644: nobody may only read */
	char w622[PATH_MAX];	/* mode 0622: nobody may only write */
	int reader;		/* root's reader, so that no open waits */
};

FIXTURE_VARIANT(named) {
	bool kipc;	/* a node in /dev/kipc, else a FIFO made by mkfifo() */
};

FIXTURE_VARIANT_ADD(named, fifo) { .kipc = false };
FIXTURE_VARIANT_ADD(named, kipc) { .kipc = true };

FIXTURE_SETUP(named)
{
	self->reader = -1;
	umask(0);
	if (variant->kipc) {
		self->ctl = open_control_or_skip(_metadata);
		ASSERT_EQ(0, chan_create(self->ctl, NAMED_R644, 0644));
		ASSERT_EQ(0, chan_create(self->ctl, NAMED_W622, 0622));
		strcpy(self->r644, "/dev/kipc/" NAMED_R644);
		strcpy(self->w622, "/dev/kipc/" NAMED_W622);
		return;
	}
	/* Root's, which nobody may search but not write, as /dev/kipc. */
	self->ctl = -1;
	strcpy(self->dir, "/dev/shm/kipc-access-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->r644, sizeof(self->r644), "%s/r644", self->dir);
	snprintf(self->w622, sizeof(self->w622), "%s/w622", self->dir);
	ASSERT_EQ(0, mkfifo(self->r644, 0644));
	ASSERT_EQ(0, mkfifo(self->w622, 0622));
}

FIXTURE_TEARDOWN(named)
{
	if (self->reader >= 0)
		close(self->reader);
	if (variant->kipc) {
		chan_remove(self->ctl, NAMED_R644);
		chan_remove(self->ctl, NAMED_W622);
		close(self->ctl);
	} else {
		unlink(self->r644);
		unlink(self->w622);
		rmdir(self->dir);
	}
}

/*
 * A reopen is an open of the node, checked against its mode: what nobody
 * could not open by name, it cannot open through its fd either.  O_NONBLOCK
 * everywhere: a wrong answer must fail the test, not hang it.
 */
static int reader_reopens(void *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	CHILD_TRUE(1, fd >= 0);
	CHILD_EQ(2, -EACCES, reopen(0, fd, O_RDWR | O_NONBLOCK));
	CHILD_EQ(3, -EACCES, reopen(0, fd, O_WRONLY | O_NONBLOCK));
	CHILD_EQ(4, 0, reopen(0, fd, O_RDONLY | O_NONBLOCK));
	return 0;
}

TEST_F(named, reader_cannot_reopen_for_writing)
{
	self->reader = open(self->r644, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->reader);
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, reader_reopens, self->r644));
}

static int writer_reopens(void *path)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	CHILD_TRUE(1, fd >= 0);
	CHILD_EQ(2, -EACCES, reopen(0, fd, O_RDONLY | O_NONBLOCK));
	CHILD_EQ(3, -EACCES, reopen(0, fd, O_RDWR | O_NONBLOCK));
	CHILD_EQ(4, 0, reopen(0, fd, O_WRONLY | O_NONBLOCK));
	return 0;
}

TEST_F(named, writer_cannot_reopen_for_reading)
{
	self->reader = open(self->w622, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->reader);
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, writer_reopens, self->w622));
}

/* ---- 1c. Anonymous pairs ---- */

static const int acc_modes[] = { O_RDONLY, O_WRONLY, O_RDWR };

FIXTURE(pair) {
	int ctl;
};

FIXTURE_SETUP(pair)
{
	self->ctl = open_control_or_skip(_metadata);
}

FIXTURE_TEARDOWN(pair)
{
	close(self->ctl);
}

static int make_pair(int ctl, int fds[2])
{
	struct kipc_chan_pair p = { .flags = O_CLOEXEC };

	if (ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p))
		return -errno;
	fds[0] = p.rfd;
	fds[1] = p.wfd;
	return 0;
}

/*
 * A pair has no node: its fds are anon-inode files, which open into
 * nothing (ENXIO), and whose inode, root's with mode 0600, other users may
 * not open at all (EACCES).  A kernel pipe, by contrast, reopens through
 * /proc/self/fd like a FIFO, either end in any mode, which the test
 * asserts as the contrast: a pair is meant to be exactly its two fds.
 */
TEST_F(pair, root_reopen_is_enxio)
{
	int fds[2], pipefd[2], i, m;

	ASSERT_EQ(0, make_pair(self->ctl, fds));
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	for (i = 0; i < 2; i++) {
		for (m = 0; m < 3; m++) {
			EXPECT_EQ(-ENXIO, reopen(0, fds[i],
						 acc_modes[m] | O_NONBLOCK))
				TH_LOG("end %d, access mode %d", i, m);
			EXPECT_EQ(0, reopen(0, pipefd[i],
					    acc_modes[m] | O_NONBLOCK))
				TH_LOG("pipe end %d, access mode %d", i, m);
		}
	}
}

static int nobody_reopens_pair(void *arg)
{
	int ctl = *(int *)arg, fds[2], i, m, ret;

	CHILD_EQ(1, 0, make_pair(ctl, fds));
	for (i = 0; i < 2; i++) {
		for (m = 0; m < 3; m++) {
			ret = reopen(0, fds[i], acc_modes[m] | O_NONBLOCK);
			CHILD_TRUE(2 + 3 * i + m,
				   ret == -EACCES || ret == -ENXIO);
		}
	}
	return 0;
}

TEST_F(pair, nobody_reopen_fails)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, nobody_reopens_pair, &self->ctl));
}

/* ---- 2. The counters in /sys/class/kipc/NAME/ ---- */

#define CNT_PRIVATE	"kipc-access-private"	/* root's, 0600 */
#define CNT_PUBLIC	"kipc-access-public"	/* root's, 0666 */
#define CNT_GROUP	"kipc-access-group"	/* group NOBODY's, 0060 */
#define CNT_GROUP_W	"kipc-access-group-w"	/* group NOBODY's, 0020 */

static const char *const counters[] = {
	"queued", "capacity", "readers", "writers", "bytes_read",
	"bytes_written", "read_waits", "write_waits", "high_water", NULL,
};

/* Read one counter: 0, or -errno of the open (or of the read). */
static int read_counter(const char *chan, const char *name,
			unsigned long long *val)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/kipc/%s/%s", chan, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n <= 0)
		return n ? n : -ENODATA;
	buf[n] = '\0';
	if (val)
		*val = strtoull(buf, NULL, 10);
	return 0;
}

static int counters_readable(void *chan)
{
	unsigned int i;

	for (i = 0; counters[i]; i++)
		CHILD_EQ(1 + i, 0, read_counter(chan, counters[i], NULL));
	return 0;
}

static int counters_denied(void *chan)
{
	unsigned int i;

	for (i = 0; counters[i]; i++)
		CHILD_EQ(1 + i, -EACCES, read_counter(chan, counters[i], NULL));
	return 0;
}

/* Root, in group NOBODY: the group of a new node is the creator's fsgid. */
static int create_group_chans(void *arg)
{
	int ctl = *(int *)arg;

	CHILD_EQ(1, 0, setresgid(NOBODY, NOBODY, NOBODY));
	CHILD_EQ(2, 0, chan_create(ctl, CNT_GROUP, 0060));
	CHILD_EQ(3, 0, chan_create(ctl, CNT_GROUP_W, 0020));
	return 0;
}

FIXTURE(counters) {
	int ctl;
	int fd;		/* root's O_RDWR fd of CNT_PRIVATE, the secret queued */
};

FIXTURE_SETUP(counters)
{
	pid_t pid;

	self->fd = -1;
	umask(0);
	self->ctl = open_control_or_skip(_metadata);
	ASSERT_EQ(0, chan_create(self->ctl, CNT_PRIVATE, 0600));
	ASSERT_EQ(0, chan_create(self->ctl, CNT_PUBLIC, 0666));
	/* Still root: only the gids change. */
	pid = fork();
	if (pid == 0)
		_exit(create_group_chans(&self->ctl));
	ASSERT_EQ(0, reap(pid));
	self->fd = open("/dev/kipc/" CNT_PRIVATE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(17, write(self->fd, SECRET, strlen(SECRET)));
}

FIXTURE_TEARDOWN(counters)
{
	if (self->fd >= 0)
		close(self->fd);
	chan_remove(self->ctl, CNT_PRIVATE);
	chan_remove(self->ctl, CNT_PUBLIC);
	chan_remove(self->ctl, CNT_GROUP);
	chan_remove(self->ctl, CNT_GROUP_W);
	close(self->ctl);
}

TEST_F(counters, root_reads_private_counters)
{
	unsigned long long val;

	EXPECT_EQ(0, counters_readable(CNT_PRIVATE));
	ASSERT_EQ(0, read_counter(CNT_PRIVATE, "high_water", &val));
	EXPECT_EQ(17, val);
	ASSERT_EQ(0, read_counter(CNT_PRIVATE, "queued", &val));
	EXPECT_EQ(17, val);
}

/* How much root's secret is, and when it is read, is root's business. */
TEST_F(counters, others_cannot_read_private_counters)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, counters_denied, CNT_PRIVATE));
}

TEST_F(counters, anyone_reads_public_counters)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, counters_readable, CNT_PUBLIC));
}

/* The group may open CNT_GROUP, and CNT_GROUP_W for writing: it may read. */
TEST_F(counters, group_reads_counters)
{
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, counters_readable, CNT_GROUP));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, counters_readable, CNT_GROUP_W));
}

/* Others may open neither: they may not read the counters either. */
TEST_F(counters, others_cannot_read_group_counters)
{
	EXPECT_EQ(0, run_as(STRANGER, STRANGER, counters_denied, CNT_GROUP));
	EXPECT_EQ(0, run_as(STRANGER, STRANGER, counters_denied, CNT_GROUP_W));
}

/*
 * The module-wide byte totals tell, on a quiet machine, what another user
 * wrote just as high_water did: only an administrator reads them.
 */
static int module_totals_hidden(void *arg)
{
	struct kipc_stats st;
	int ctl = *(int *)arg;

	memset(&st, 0xff, sizeof(st));
	CHILD_EQ(1, 0, ERRNO_OR_ZERO(ioctl(ctl, KIPC_IOC_STATS, &st)));
	CHILD_EQ(2, 0, (long)st.bytes_written);
	CHILD_EQ(3, 0, (long)st.bytes_read);
	/* The object counts are no secret: ipcs shows them too. */
	CHILD_TRUE(4, st.named_chans >= 4);
	return 0;
}

TEST_F(counters, module_byte_totals_are_root_only)
{
	struct kipc_stats st = { 0 };

	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_STATS, &st));
	EXPECT_LE(17, st.bytes_written);
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, module_totals_hidden, &self->ctl));
}

/*
 * Whoever may open a named channel may resize the ring it has now, as
 * F_SETPIPE_SZ on a FIFO; only the owner (or CAP_SYS_RESOURCE) sets what
 * the rings after the last close get.  Else any reader could shrink the
 * owner's channel for good.
 */
static int nobody_shrinks(void *arg)
{
	struct kipc_capacity c = { .capacity = 4096 };
	int fd = open("/dev/kipc/" CNT_PUBLIC, O_RDWR | O_CLOEXEC);

	CHILD_TRUE(1, fd >= 0);
	CHILD_EQ(2, 0, ERRNO_OR_ZERO(ioctl(fd, KIPC_IOC_SET_CAPACITY, &c)));
	CHILD_EQ(3, 0, ERRNO_OR_ZERO(ioctl(fd, KIPC_IOC_GET_CAPACITY, &c)));
	CHILD_EQ(4, 4096, (long)c.capacity);
	close(fd);
	return 0;
}

static long node_capacity(const char *name)
{
	struct kipc_capacity c = { 0 };
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/kipc/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, KIPC_IOC_GET_CAPACITY, &c))
		c.capacity = -errno;
	close(fd);
	return c.capacity;
}

TEST_F(counters, others_resize_only_the_open_ring)
{
	struct kipc_capacity c = { .capacity = 32768 };
	int fd;

	ASSERT_EQ(65536, node_capacity(CNT_PUBLIC));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, nobody_shrinks, NULL));
	/* The last close took nobody's ring, and its size, away. */
	EXPECT_EQ(65536, node_capacity(CNT_PUBLIC));
	/* The owner's size is kept. */
	fd = open("/dev/kipc/" CNT_PUBLIC, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, KIPC_IOC_SET_CAPACITY, &c));
	close(fd);
	EXPECT_EQ(32768, node_capacity(CNT_PUBLIC));
}

/* ---- 3. A removed node opens nothing ---- */

#define IDENT		"kipc-access-identity"
#define IDENT_NODE	"/dev/kipc/" IDENT

FIXTURE(identity) {
	int ctl;
	int old;	/* an fd of the first channel named IDENT */
};

FIXTURE_SETUP(identity)
{
	self->old = -1;
	umask(0);
	self->ctl = open_control_or_skip(_metadata);
	ASSERT_EQ(0, chan_create(self->ctl, IDENT, 0666));
}

FIXTURE_TEARDOWN(identity)
{
	if (self->old >= 0)
		close(self->old);
	chan_remove(self->ctl, IDENT);
	close(self->ctl);
}

/*
 * Open the first IDENT, remove it and create IDENT again, private now:
 * the new channel usually gets the freed minor, so the old node's inode
 * names the new channel's device number.
 */
static void recreate(struct __test_metadata *_metadata,
		     FIXTURE_DATA(identity) *self)
{
	self->old = open(IDENT_NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->old);
	ASSERT_EQ(0, chan_remove(self->ctl, IDENT));
	ASSERT_EQ(0, chan_create(self->ctl, IDENT, 0600));
}

/* The minor of a node, for a failure's message. */
static unsigned int minor_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? ~0U : minor(st.st_rdev);
}

TEST_F(identity, removed_node_reopen_is_enxio)
{
	char old[64];

	recreate(_metadata, self);
	snprintf(old, sizeof(old), "/proc/self/fd/%d", self->old);
	EXPECT_EQ(-ENXIO, try_open(old, O_RDWR))
		TH_LOG("old minor %u, new minor %u", minor_of(old),
		       minor_of(IDENT_NODE));
}

/* The old fd is still the old channel, which the new one knows nothing of. */
TEST_F(identity, old_fd_keeps_old_channel)
{
	char buf[8];
	int fd, queued = -1;

	recreate(_metadata, self);
	EXPECT_EQ(3, write(self->old, "old", 3));
	fd = open(IDENT_NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, FIONREAD, &queued));
	EXPECT_EQ(0, queued);
	close(fd);
	EXPECT_EQ(3, read(self->old, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "old", 3));
}

/* Nobody holds an fd of the public IDENT across its re-creation as 0600. */
static int nobody_holds_removed_node(void *arg)
{
	int fd = open(IDENT_NODE, O_RDWR | O_CLOEXEC), ret;

	CHILD_TRUE(1, fd >= 0);
	raise(SIGSTOP);		/* root removes and creates IDENT again */
	CHILD_EQ(2, -EACCES, try_open(IDENT_NODE, O_RDWR | O_NONBLOCK));
	/*
	 * Before it unlinks a removed node, devtmpfs makes it root's with
	 * mode 0000: the VFS refuses nobody's reopen with EACCES before
	 * kipc's open runs (whose answer is ENXIO).  Only a caller that
	 * overrides file modes, as root in removed_node_reopen_is_enxio,
	 * reaches kipc.
	 */
	ret = reopen(0, fd, O_RDWR);
	CHILD_TRUE(3, ret == -EACCES || ret == -ENXIO);
	return 0;
}

TEST_F(identity, nobody_removed_node_reopen_fails)
{
	pid_t pid = spawn_as(NOBODY, NOBODY, nobody_holds_removed_node, NULL);
	int status;

	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	if (!WIFSTOPPED(status)) {
		/* It failed before it stopped: its check or signal says why. */
		EXPECT_TRUE(WIFSTOPPED(status))
			TH_LOG("child status %#x", status);
		return;
	}
	EXPECT_EQ(0, chan_remove(self->ctl, IDENT));
	EXPECT_EQ(0, chan_create(self->ctl, IDENT, 0600));
	kill(pid, SIGCONT);
	EXPECT_EQ(0, reap(pid));
}

TEST_HARNESS_MAIN
