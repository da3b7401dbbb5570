// SPDX-License-Identifier: GPL-2.0
/*
 * kipc regions against System V shared memory.
 *
 * Where the two share semantics, one test body runs twice, as the variants
 * shm.sysv (shmget/shmat/shmdt/shmctl: the reference) and shm.kipc (the
 * region ioctls of /dev/kipc/control plus mmap of a region fd), through the
 * small backend below.  A body that passes on sysv and fails on kipc has
 * found a kipc bug.  What only kipc has (mmap rules of a region fd, the
 * doorbell, seals, the ioctl ABI) is tested on the kipc variant alone; the
 * sysv variant skips it and says why.
 *
 * The backend returns -errno, so EXPECT_EQ(-EEXIST, be_get(...)) asserts
 * the return value and errno at once; direct syscalls are checked for -1
 * and errno by EXPECT_FAIL().
 *
 * Behaviour checked first on the host kernel's SysV shm, and asserted for
 * both here: a partial munmap() or mprotect() splits a mapping and each
 * piece counts in nattch; fork()'s copy counts and is counted in the
 * parent's context (lpid = parent), its exit in the child's (lpid =
 * child); after RMID with mappings IPC_STAT shows __key 0 and the 01000
 * bit; once the last mapping goes, IPC_STAT fails with EINVAL;
 * remap_file_pages() of an attachment counts its new piece.
 *
 * Needs root for the unprivileged-user and limit tests (they skip without
 * it).  The kipc variant needs kipc.ko loaded: a skip with a hint, or a
 * failure with KIPC_REQUIRE=1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

#define NOBODY		65534	/* uid and gid of the unprivileged user */
#define MAX_IDS		64	/* regions one test may create */
#define NR_RACERS	8

/* The exec'd peer is this binary with this variable set (see shm_peer). */
#define SHM_PEER_ENV	"KIPC_SHM_PEER"

#define KIPC_DEBUGFS	"/sys/kernel/debug"
#define KIPC_SHM_TABLE	KIPC_DEBUGFS "/kipc/shm"
#define SYSV_SHM_TABLE	"/proc/sysvipc/shm"

/* What a task blocked in poll() shows in /proc/PID/syscall. */
#ifndef SYS_poll
#define SYS_poll	SYS_ppoll
#endif

/* A call that must fail: -1 (or MAP_FAILED) and errno @err. */
#define EXPECT_FAIL(err, call) do {					\
	long __ret;							\
	int __err;							\
	errno = 0;							\
	__ret = (long)(call);						\
	__err = errno;							\
	EXPECT_EQ(-1, __ret) TH_LOG("%s succeeded", #call);		\
	EXPECT_EQ(err, __err) TH_LOG("%s: %s", #call, strerror(__err)); \
} while (0)

static long pg;	/* page size */

static size_t page_round(size_t size)
{
	return (size + pg - 1) / pg * pg;
}

/* ---- The backend: SysV shm or kipc regions behind one interface ---- */

enum shm_kind { SHM_SYSV, SHM_KIPC };

struct shm_be {
	enum shm_kind kind;
	int ctl;		/* kipc: /dev/kipc/control; sysv: -1 */
	int ids[MAX_IDS];	/* every id handed out: removed in teardown */
	int nr_ids;
};

/* What IPC_STAT and KIPC_IOC_SHM_STAT have in common. */
struct region_stat {
	long long key;
	unsigned int mode;	/* permission bits and 01000 (SHM_DEST) */
	unsigned long long size;
	unsigned long long nattch;
	pid_t cpid;
	pid_t lpid;
	uid_t uid;
	gid_t gid;
	uid_t cuid;
	gid_t cgid;
	long long atime;
	long long dtime;
	long long ctime;
};

static void be_track(struct shm_be *be, int id)
{
	int i;

	for (i = 0; i < be->nr_ids; i++)
		if (be->ids[i] == id)
			return;
	if (be->nr_ids < MAX_IDS)
		be->ids[be->nr_ids++] = id;
}

/* shmget(): the id, or -errno.  @flags are KIPC_SHM_CREAT/KIPC_SHM_EXCL. */
static int be_get(struct shm_be *be, long long key, size_t size,
		  unsigned int flags, unsigned int mode)
{
	int id;

	if (be->kind == SHM_SYSV) {
		int shmflg = mode;

		if (flags & KIPC_SHM_CREAT)
			shmflg |= IPC_CREAT;
		if (flags & KIPC_SHM_EXCL)
			shmflg |= IPC_EXCL;
		id = shmget((key_t)key, size, shmflg);
		if (id < 0)
			return -errno;
	} else {
		struct kipc_shm_get get = {
			.key = key, .size = size, .flags = flags, .mode = mode,
		};

		if (ioctl(be->ctl, KIPC_IOC_SHM_GET, &get))
			return -errno;
		id = get.id;
	}
	be_track(be, id);
	return id;
}

static int be_stat(struct shm_be *be, int id, struct region_stat *st)
{
	memset(st, 0, sizeof(*st));
	if (be->kind == SHM_SYSV) {
		struct shmid_ds ds;

		if (shmctl(id, IPC_STAT, &ds) < 0)
			return -errno;
		st->key = ds.shm_perm.__key;
		st->mode = ds.shm_perm.mode;
		st->size = ds.shm_segsz;
		st->nattch = ds.shm_nattch;
		st->cpid = ds.shm_cpid;
		st->lpid = ds.shm_lpid;
		st->uid = ds.shm_perm.uid;
		st->gid = ds.shm_perm.gid;
		st->cuid = ds.shm_perm.cuid;
		st->cgid = ds.shm_perm.cgid;
		st->atime = ds.shm_atime;
		st->dtime = ds.shm_dtime;
		st->ctime = ds.shm_ctime;
	} else {
		struct kipc_shm_stat ks = { .id = id };

		if (ioctl(be->ctl, KIPC_IOC_SHM_STAT, &ks))
			return -errno;
		st->key = ks.key;
		st->mode = ks.mode;
		st->size = ks.size;
		st->nattch = ks.nattch;
		st->cpid = ks.cpid;
		st->lpid = ks.lpid;
		st->uid = ks.uid;
		st->gid = ks.gid;
		st->cuid = ks.cuid;
		st->cgid = ks.cgid;
		st->atime = ks.atime;
		st->dtime = ks.dtime;
		st->ctime = ks.ctime;
	}
	return 0;
}

/*
 * shmat(): map the whole region, shared, read-only or read-write.  kipc:
 * open an fd, map it, close it; the mapping alone keeps the region, as a
 * SysV attach does.
 */
static int be_attach(struct shm_be *be, int id, bool rdonly, char **addr)
{
	struct kipc_shm_open op = {
		.id = id, .flags = (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC,
	};
	struct region_stat st;
	void *p;
	int ret;

	if (be->kind == SHM_SYSV) {
		p = shmat(id, NULL, rdonly ? SHM_RDONLY : 0);
		if (p == (void *)-1)
			return -errno;
		*addr = p;
		return 0;
	}

	if (ioctl(be->ctl, KIPC_IOC_SHM_OPEN, &op))
		return -errno;
	ret = be_stat(be, id, &st);
	if (!ret) {
		p = mmap(NULL, page_round(st.size),
			 PROT_READ | (rdonly ? 0 : PROT_WRITE), MAP_SHARED,
			 op.fd, 0);
		if (p == MAP_FAILED)
			ret = -errno;
		else
			*addr = p;
	}
	close(op.fd);
	return ret;
}

/* shmdt(): @size is the region's, for munmap(). */
static int be_detach(struct shm_be *be, char *addr, size_t size)
{
	int ret;

	if (be->kind == SHM_SYSV)
		ret = shmdt(addr);
	else
		ret = munmap(addr, page_round(size));
	return ret ? -errno : 0;
}

/* IPC_SET: uid, gid and the permission bits. */
static int be_set(struct shm_be *be, int id, uid_t uid, gid_t gid,
		  unsigned int mode)
{
	if (be->kind == SHM_SYSV) {
		struct shmid_ds ds;

		/* No IPC_STAT first: IPC_SET must not need read access. */
		memset(&ds, 0, sizeof(ds));
		ds.shm_perm.uid = uid;
		ds.shm_perm.gid = gid;
		ds.shm_perm.mode = mode;
		return shmctl(id, IPC_SET, &ds) < 0 ? -errno : 0;
	} else {
		struct kipc_shm_set set = {
			.id = id, .mode = mode, .uid = uid, .gid = gid,
		};

		return ioctl(be->ctl, KIPC_IOC_SHM_SET, &set) ? -errno : 0;
	}
}

static int be_rmid(struct shm_be *be, int id)
{
	if (be->kind == SHM_SYSV)
		return shmctl(id, IPC_RMID, NULL) < 0 ? -errno : 0;
	else {
		struct kipc_shm_id rm = { .id = id };

		return ioctl(be->ctl, KIPC_IOC_SHM_RMID, &rm) ? -errno : 0;
	}
}

/* SHM_INFO's used_ids and shm_tot: regions, and their pages, now. */
static int be_usage(struct shm_be *be, unsigned int *count,
		    unsigned long long *pages)
{
	struct kipc_shm_list list = { 0 };
	struct region_stat st;
	int *ids, ret = 0;
	unsigned int i;

	if (be->kind == SHM_SYSV) {
		struct shm_info info;

		if (shmctl(0, SHM_INFO, (struct shmid_ds *)&info) < 0)
			return -errno;
		*count = info.used_ids;
		*pages = info.shm_tot;
		return 0;
	}

	if (ioctl(be->ctl, KIPC_IOC_SHM_LIST, &list))
		return -errno;
	list.nr_ids = list.count + 16;
	ids = calloc(list.nr_ids, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	list.ids = (unsigned long)ids;
	if (ioctl(be->ctl, KIPC_IOC_SHM_LIST, &list)) {
		ret = -errno;
		goto out;
	}
	*count = list.count;
	*pages = 0;
	for (i = 0; i < list.count && i < list.nr_ids; i++)
		if (!be_stat(be, ids[i], &st))
			*pages += page_round(st.size) / pg;
out:
	free(ids);
	return ret;
}

static const char *be_table(struct shm_be *be)
{
	return be->kind == SHM_SYSV ? SYSV_SHM_TABLE : KIPC_SHM_TABLE;
}

/* The limits: kernel.shm* sysctls, and the module's twins. */
enum shm_limit { LIMIT_MNI, LIMIT_MAX, LIMIT_ALL, NR_LIMITS };

static const char *const limit_path[][NR_LIMITS] = {
	[SHM_SYSV] = {
		"/proc/sys/kernel/shmmni",
		"/proc/sys/kernel/shmmax",
		"/proc/sys/kernel/shmall",
	},
	[SHM_KIPC] = {
		"/sys/module/kipc/parameters/shm_mni",
		"/sys/module/kipc/parameters/shm_max",
		"/sys/module/kipc/parameters/shm_all",
	},
};

/* ---- Small helpers, safe in forked children (no asserts) ---- */

/* A key of this test process: tests in other processes never share it. */
static int test_key(int n)
{
	return 0x6b000000 | (getpid() & 0xfffff) << 4 | (n & 0xf);
}

/* Wait for @pid: its exit status, 128 + the signal that killed it, or -1. */
static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Become uid and gid NOBODY, with no supplementary groups and no caps. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n < 0 ? n : 0;
}

static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

/*
 * Wait until @pid sleeps in system call @nr or @nr2 (/proc/PID/syscall
 * names it while the task is blocked): true, or false after 10 s.
 */
static bool wait_blocked_in(pid_t pid, long nr, long nr2)
{
	char path[64], buf[256], *end;
	long cur;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 1000; i++) {
		if (!read_file(path, buf, sizeof(buf))) {
			cur = strtol(buf, &end, 10);
			if (end != buf && (cur == nr || cur == nr2))
				return true;
		}
		usleep(10000);
	}
	return false;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * One row of /proc/sysvipc/shm or of kipc's debugfs table, which has the
 * same columns.
 */
struct table_row {
	long long key;
	int id;
	unsigned int perms;
	unsigned long long size;
	int cpid, lpid;
	unsigned long long nattch;
	unsigned int uid, gid, cuid, cgid;
	long long atime, dtime, ctime;
	unsigned long long rss, swap;
};

/* The first line of @path, the table's header. */
static int table_header(const char *path, char *hdr, size_t size)
{
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(hdr, size, f))
		ret = -ENODATA;
	fclose(f);
	return ret;
}

/* The header line of @path in @hdr, and the row of region @id in @row. */
static int table_find(const char *path, int id, char *hdr, size_t hdr_size,
		      struct table_row *row)
{
	char line[512];
	int ret = -ENOENT;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -ENODATA;
	}
	if (hdr)
		snprintf(hdr, hdr_size, "%s", line);
	while (fgets(line, sizeof(line), f)) {
		struct table_row r;

		if (sscanf(line, "%lld %d %o %llu %d %d %llu %u %u %u %u %lld %lld %lld %llu %llu",
			   &r.key, &r.id, &r.perms, &r.size, &r.cpid, &r.lpid,
			   &r.nattch, &r.uid, &r.gid, &r.cuid, &r.cgid,
			   &r.atime, &r.dtime, &r.ctime, &r.rss,
			   &r.swap) != 16) {
			ret = -EBADMSG;
			break;
		}
		if (r.id == id) {
			*row = r;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* kipc region fd helpers: 0, a value, or -errno. */

static int ctl_region_open(int ctl, int id, unsigned int flags)
{
	struct kipc_shm_open op = { .id = id, .flags = flags };

	return ioctl(ctl, KIPC_IOC_SHM_OPEN, &op) ? -errno : op.fd;
}

static int region_bell(int fd, unsigned long cmd, __u64 *seq, __s64 timeout)
{
	struct kipc_shm_doorbell db = { .seq = *seq, .timeout_ns = timeout };

	if (ioctl(fd, cmd, &db))
		return -errno;
	*seq = db.seq;
	return 0;
}

static int region_add_seals(int fd, __u32 seals)
{
	struct kipc_shm_seals s = { .seals = seals };

	return ioctl(fd, KIPC_IOC_SHM_ADD_SEALS, &s) ? -errno : 0;
}

static int region_get_seals(int fd)
{
	struct kipc_shm_seals s = { 0 };

	return ioctl(fd, KIPC_IOC_SHM_GET_SEALS, &s) ? -errno : (int)s.seals;
}

/* ---- The exec'd peer ---- */

/*
 * A fresh program image that shares nothing with the test but the key:
 * this binary, exec'd with KIPC_SHM_PEER=KIND:WHAT:KEY set.  WHAT is
 *	attach	find the region by key, check that offset 0 holds "parent",
 *		write "peer" at offset one page, detach: exit 0, or the
 *		number of the step that failed
 *	nattch	find the region by key, exit with its nattch
 * It runs from a constructor, before the harness's main().
 */
static int shm_peer_run(const char *spec)
{
	struct shm_be be = { .ctl = -1 };
	struct region_stat st;
	char kind[8], what[8];
	long long key;
	char *p;
	int id;

	if (sscanf(spec, "%7[a-z]:%7[a-z]:%lld", kind, what, &key) != 3)
		return 100;
	pg = sysconf(_SC_PAGESIZE);
	be.kind = strcmp(kind, "kipc") ? SHM_SYSV : SHM_KIPC;
	if (be.kind == SHM_KIPC) {
		be.ctl = open(KIPC_CONTROL, O_RDWR | O_CLOEXEC);
		if (be.ctl < 0)
			return 101;
	}
	id = be_get(&be, key, 0, 0, 0600);
	if (id < 0)
		return 102;
	if (be_stat(&be, id, &st))
		return 103;
	if (!strcmp(what, "nattch"))
		return st.nattch < 100 ? (int)st.nattch : 104;
	if (be_attach(&be, id, false, &p))
		return 105;
	if (strcmp(p, "parent"))
		return 106;
	strcpy(p + pg, "peer");
	if (be_detach(&be, p, st.size))
		return 107;
	return 0;
}

static void __attribute__((constructor)) shm_peer(void)
{
	const char *spec = getenv(SHM_PEER_ENV);

	if (spec)
		_exit(shm_peer_run(spec));
}

/* Fork and exec the peer; its exit status. */
static int run_peer(enum shm_kind kind, const char *what, int key)
{
	char env[64];
	char *const argv[] = { "kipc_shm_test-peer", NULL };
	char *const envp[] = { env, NULL };
	pid_t pid;

	snprintf(env, sizeof(env), SHM_PEER_ENV "=%s:%s:%d",
		 kind == SHM_KIPC ? "kipc" : "sysv", what, key);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	return wait_status(pid);
}

/* ---- Racers: children that call be_get() at the same moment ---- */

struct racers {
	pid_t pid[NR_RACERS];
	int release;	/* closing it lets the racers exit */
};

/*
 * Start NR_RACERS children, wait until each is blocked at the start line,
 * let them all call be_get(@key, @flags) at once, and return when each has
 * stored its result in @out[i].  They stay alive (a creator alive keeps a
 * SysV segment even under kernel.shm_rmid_forced) until racers_finish().
 */
static int racers_start(struct shm_be *be, long *out, int key,
			unsigned int flags, struct racers *r)
{
	int go[2], done[2], release[2];
	char c;
	int i;

	if (pipe2(go, O_CLOEXEC) || pipe2(done, O_CLOEXEC) ||
	    pipe2(release, O_CLOEXEC))
		return -errno;
	for (i = 0; i < NR_RACERS; i++) {
		r->pid[i] = fork();
		if (r->pid[i] < 0)
			return -errno;
		if (!r->pid[i]) {
			close(go[1]);
			close(release[1]);
			/* EOF once the parent closes go[1]: all start at once. */
			if (read(go[0], &c, 1) != 0)
				_exit(1);
			out[i] = be_get(be, key, pg, flags, 0600);
			if (write(done[1], "", 1) != 1)
				_exit(2);
			if (read(release[0], &c, 1) != 0)
				_exit(3);
			_exit(0);
		}
	}
	close(go[0]);
	close(done[1]);
	close(release[0]);
	for (i = 0; i < NR_RACERS; i++)
		if (!wait_blocked_in(r->pid[i], SYS_read, SYS_read))
			return -ETIMEDOUT;
	close(go[1]);
	for (i = 0; i < NR_RACERS; i++)
		if (read(done[0], &c, 1) != 1)
			return -EPIPE;
	close(done[0]);
	r->release = release[1];
	return 0;
}

/* Let the racers go: how many did not exit 0. */
static int racers_finish(struct racers *r)
{
	int i, bad = 0;

	close(r->release);
	for (i = 0; i < NR_RACERS; i++)
		if (wait_status(r->pid[i]))
			bad++;
	return bad;
}

/* ---- The fixture ---- */

FIXTURE(shm) {
	struct shm_be be;
	long *out;			/* results of forked children */
	char saved[NR_LIMITS][64];	/* limits to restore, or "" */
};

FIXTURE_VARIANT(shm) {
	enum shm_kind kind;
};

FIXTURE_VARIANT_ADD(shm, sysv) {
	.kind = SHM_SYSV,
};

FIXTURE_VARIANT_ADD(shm, kipc) {
	.kind = SHM_KIPC,
};

FIXTURE_SETUP(shm)
{
	struct shminfo info;

	pg = sysconf(_SC_PAGESIZE);
	self->be.kind = variant->kind;
	self->be.ctl = -1;
	if (variant->kind == SHM_KIPC) {
		self->be.ctl = open_control_or_skip(_metadata);
	} else if (shmctl(0, IPC_INFO, (struct shmid_ds *)&info) < 0 &&
		   errno == ENOSYS) {
		SKIP(_exit(KIPC_SKIP_EXIT),
		     "this kernel has no SysV IPC (CONFIG_SYSVIPC)");
	}
	self->out = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->out);
}

FIXTURE_TEARDOWN(shm)
{
	int i, id;

	for (i = 0; i < NR_LIMITS; i++)
		if (self->saved[i][0] &&
		    write_file(limit_path[variant->kind][i], self->saved[i]))
			TH_LOG("could not restore %s to %s",
			       limit_path[variant->kind][i], self->saved[i]);
	for (i = 0; i < self->be.nr_ids; i++)
		be_rmid(&self->be, self->be.ids[i]);
	/* And what children created under this test's keys. */
	for (i = 0; i < 16; i++)
		while ((id = be_get(&self->be, test_key(i), 0, 0, 0)) >= 0 &&
		       !be_rmid(&self->be, id))
			;
	if (self->be.ctl >= 0)
		close(self->be.ctl);
	munmap(self->out, pg);
}

#define KIPC_ONLY(why) do {						\
	if (variant->kind != SHM_KIPC)					\
		SKIP(return, "kipc only: %s", why);			\
} while (0)

#define NEED_ROOT(why) do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root: %s", why);			\
} while (0)

/* Lower a limit for this test; the teardown puts the old value back. */
static int set_limit(FIXTURE_DATA(shm) *self, enum shm_limit lim,
		     unsigned long long val)
{
	const char *path = limit_path[self->be.kind][lim];
	char buf[64];
	int ret;

	if (!self->saved[lim][0]) {
		ret = read_file(path, self->saved[lim], sizeof(self->saved[lim]));
		if (ret) {
			self->saved[lim][0] = '\0';
			return ret;
		}
	}
	snprintf(buf, sizeof(buf), "%llu", val);
	return write_file(path, buf);
}

/* ---- Creating and finding: shmget()'s contract ---- */

TEST_F(shm, create_and_stat)
{
	struct region_stat st;
	long long t0, t1;
	int id;

	/* No umask: a region gets the mode asked for. */
	umask(077);
	t0 = time(NULL);
	id = be_get(&self->be, test_key(0), 10000, KIPC_SHM_CREAT, 0664);
	t1 = time(NULL);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(test_key(0), st.key);
	EXPECT_EQ(0664, st.mode);
	/* Byte-exact, not rounded to pages. */
	EXPECT_EQ(10000, st.size);
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(getpid(), st.cpid);
	EXPECT_EQ(0, st.lpid);
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.gid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(0, st.atime);
	EXPECT_EQ(0, st.dtime);
	EXPECT_LE(t0, st.ctime);
	EXPECT_GE(t1, st.ctime);
}

TEST_F(shm, get_existing)
{
	int key = test_key(0), id;

	id = be_get(&self->be, key, 10000, KIPC_SHM_CREAT | KIPC_SHM_EXCL,
		    0600);
	ASSERT_LE(0, id);
	/* By key alone, with any size up to the region's, CREAT or not. */
	EXPECT_EQ(id, be_get(&self->be, key, 0, 0, 0));
	EXPECT_EQ(id, be_get(&self->be, key, 1, 0, 0600));
	EXPECT_EQ(id, be_get(&self->be, key, 10000, 0, 0400));
	EXPECT_EQ(id, be_get(&self->be, key, 10000, KIPC_SHM_CREAT, 0600));
	EXPECT_EQ(id, be_get(&self->be, key, 0, KIPC_SHM_CREAT, 0));
	/* The mode of a get is the access asked for, not a new mode. */
	EXPECT_EQ(id, be_get(&self->be, key, 0, KIPC_SHM_CREAT, 0644));
}

TEST_F(shm, create_exclusive_eexist)
{
	int key = test_key(0), id;

	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600);
	ASSERT_LE(0, id);
	EXPECT_EQ(-EEXIST, be_get(&self->be, key, pg,
				  KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600));
	/* EEXIST comes before the size check: ipcget_public()'s order. */
	EXPECT_EQ(-EEXIST, be_get(&self->be, key, 100 * pg,
				  KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600));
	EXPECT_EQ(-EEXIST, be_get(&self->be, key, 0,
				  KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600));
}

TEST_F(shm, get_missing_enoent)
{
	int key = test_key(0);

	EXPECT_EQ(-ENOENT, be_get(&self->be, key, pg, 0, 0600));
	/* EXCL without CREAT creates nothing either. */
	EXPECT_EQ(-ENOENT, be_get(&self->be, key, pg, KIPC_SHM_EXCL, 0600));
	EXPECT_EQ(-ENOENT, be_get(&self->be, key, 0, 0, 0));
}

TEST_F(shm, size_einval)
{
	int key = test_key(0), id;

	/* Size 0 never creates. */
	EXPECT_EQ(-EINVAL, be_get(&self->be, key, 0, KIPC_SHM_CREAT, 0600));
	EXPECT_EQ(-EINVAL, be_get(&self->be, KIPC_SHM_PRIVATE, 0,
				  KIPC_SHM_CREAT, 0600));
	/* Nothing was left behind by the refusals. */
	EXPECT_EQ(-ENOENT, be_get(&self->be, key, pg, 0, 0600));

	id = be_get(&self->be, key, 10000, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	/* The exact size counts, not the pages that hold it. */
	EXPECT_EQ(-EINVAL, be_get(&self->be, key, 10001, 0, 0600));
	EXPECT_EQ(-EINVAL, be_get(&self->be, key, 10001, KIPC_SHM_CREAT,
				  0600));
	EXPECT_EQ(-EINVAL, be_get(&self->be, key, page_round(10000), 0, 0));
	EXPECT_EQ(id, be_get(&self->be, key, 10000, 0, 0600));
}

TEST_F(shm, private_key_always_new)
{
	struct region_stat st;
	int a, b, c;

	a = be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600);
	b = be_get(&self->be, KIPC_SHM_PRIVATE, pg, KIPC_SHM_CREAT, 0600);
	c = be_get(&self->be, KIPC_SHM_PRIVATE, pg,
		   KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	EXPECT_NE(a, b);
	EXPECT_NE(b, c);
	EXPECT_NE(a, c);
	ASSERT_EQ(0, be_stat(&self->be, a, &st));
	EXPECT_EQ(KIPC_SHM_PRIVATE, st.key);
	EXPECT_EQ(0600, st.mode);
}

/* Racers for one key with CREAT|EXCL: exactly one creates it. */
TEST_F(shm, create_exclusive_race)
{
	int key = test_key(0), i, winner = -1, lost = 0;
	struct region_stat st;
	struct racers r;

	for (i = 0; i < NR_RACERS; i++)
		self->out[i] = 1;
	ASSERT_EQ(0, racers_start(&self->be, self->out, key,
				  KIPC_SHM_CREAT | KIPC_SHM_EXCL, &r));
	for (i = 0; i < NR_RACERS; i++) {
		if (self->out[i] >= 0) {
			EXPECT_EQ(-1, winner) TH_LOG("racers %d and %d both created",
						      winner, i);
			winner = i;
		} else {
			EXPECT_EQ(-EEXIST, self->out[i]);
			lost++;
		}
	}
	EXPECT_EQ(NR_RACERS - 1, lost);
	ASSERT_LE(0, winner);
	EXPECT_EQ(self->out[winner], be_get(&self->be, key, 0, 0, 0600));
	ASSERT_EQ(0, be_stat(&self->be, self->out[winner], &st));
	/* The creator is the racer that was told it won. */
	EXPECT_EQ(r.pid[winner], st.cpid);
	EXPECT_EQ(0, racers_finish(&r));
}

/* Racers with CREAT alone: one creates, all get the same region. */
TEST_F(shm, create_race_same_id)
{
	int key = test_key(0), i;
	struct region_stat st;
	struct racers r;
	bool creator = false;

	ASSERT_EQ(0, racers_start(&self->be, self->out, key, KIPC_SHM_CREAT,
				  &r));
	ASSERT_LE(0, self->out[0]);
	for (i = 1; i < NR_RACERS; i++)
		EXPECT_EQ(self->out[0], self->out[i]);
	EXPECT_EQ(self->out[0], be_get(&self->be, key, 0, 0, 0600));
	ASSERT_EQ(0, be_stat(&self->be, self->out[0], &st));
	for (i = 0; i < NR_RACERS; i++)
		creator |= st.cpid == r.pid[i];
	EXPECT_TRUE(creator);
	EXPECT_EQ(0, racers_finish(&r));
}

/* ---- Sharing data ---- */

TEST_F(shm, shared_across_fork)
{
	pid_t pid;
	char *p;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, 3 * pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	strcpy(p, "parent");

	/* The inherited mapping, both ways. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (strcmp(p, "parent"))
			_exit(1);
		strcpy(p + pg, "child");
		_exit(0);
	}
	ASSERT_EQ(0, wait_status(pid));
	EXPECT_STREQ("child", p + pg);

	/* A mapping the child makes itself, by id. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *q;

		if (be_attach(&self->be, id, false, &q))
			_exit(1);
		if (q == p || strcmp(q, "parent") || strcmp(q + pg, "child"))
			_exit(2);
		strcpy(q + 2 * pg, "own");
		_exit(be_detach(&self->be, q, 3 * pg) ? 3 : 0);
	}
	ASSERT_EQ(0, wait_status(pid));
	EXPECT_STREQ("own", p + 2 * pg);
	EXPECT_EQ(0, be_detach(&self->be, p, 3 * pg));
}

/* An unrelated program, exec'd, that knows only the key. */
TEST_F(shm, shared_with_exec_by_key)
{
	int key = test_key(0), id;
	char *p;

	id = be_get(&self->be, key, 2 * pg, KIPC_SHM_CREAT | KIPC_SHM_EXCL,
		    0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	strcpy(p, "parent");
	EXPECT_EQ(0, run_peer(variant->kind, "attach", key));
	EXPECT_STREQ("peer", p + pg);
	EXPECT_EQ(0, be_detach(&self->be, p, 2 * pg));
}

/* ---- nattch, pids and times ---- */

#define EXPECT_NATTCH(n) do {						\
	struct region_stat __st;					\
	ASSERT_EQ(0, be_stat(&self->be, id, &__st));			\
	EXPECT_EQ(n, __st.nattch);					\
} while (0)

/* nattch counts mappings (VMAs), as SysV's does: split pieces count. */
TEST_F(shm, nattch_attach_split_detach)
{
	char *p1, *p2;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, 4 * pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	EXPECT_NATTCH(0);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p1));
	EXPECT_NATTCH(1);
	ASSERT_EQ(0, be_attach(&self->be, id, true, &p2));
	EXPECT_NATTCH(2);

	/* A hole in the middle: two pieces remain, each counted. */
	ASSERT_EQ(0, munmap(p1 + pg, pg));
	EXPECT_NATTCH(3);
	/* The tail of a piece: a split and a close, no change. */
	ASSERT_EQ(0, munmap(p1 + 3 * pg, pg));
	EXPECT_NATTCH(3);
	/* A whole piece. */
	ASSERT_EQ(0, munmap(p1, pg));
	EXPECT_NATTCH(2);
	/* The data of the remaining piece is still the region's. */
	p1[2 * pg] = 'x';
	EXPECT_EQ('x', p2[2 * pg]);
	ASSERT_EQ(0, be_detach(&self->be, p2, 4 * pg));
	EXPECT_NATTCH(1);
	ASSERT_EQ(0, munmap(p1, 4 * pg));
	EXPECT_NATTCH(0);
}

/* mprotect() splits too, and the pieces do not merge back (LTP shmat04). */
TEST_F(shm, nattch_mprotect_split)
{
	char *p;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, 4 * pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ));
	EXPECT_NATTCH(3);
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
	EXPECT_NATTCH(3);
	p[pg] = 'y';
	/* One detach of the whole range takes every piece: no leak. */
	ASSERT_EQ(0, be_detach(&self->be, p, 4 * pg));
	EXPECT_NATTCH(0);
}

/*
 * remap_file_pages() re-maps through the mapping's file: SysV's shm file
 * sees it and counts the new piece (LTP shmctl05 works this path).
 */
TEST_F(shm, nattch_remap_file_pages)
{
	struct region_stat st;
	char *p;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, 4 * pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	strcpy(p + pg, "one");
	ASSERT_EQ(0, remap_file_pages(p, 2 * pg, 0, 1, 0));
	EXPECT_STREQ("one", p);
	EXPECT_NATTCH(2);
	/* Removed, the region lives as long as the remapped piece does. */
	ASSERT_EQ(0, be_rmid(&self->be, id));
	ASSERT_EQ(0, munmap(p + 2 * pg, 2 * pg));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ(KIPC_SHM_DEST | 0600, st.mode);
	ASSERT_EQ(0, munmap(p, 2 * pg));
	EXPECT_EQ(-EINVAL, be_stat(&self->be, id, &st));
}

/* fork() copies attachments; exit and exec drop them. */
TEST_F(shm, nattch_fork_exec_exit)
{
	int key = test_key(0), id, ready[2];
	pid_t pid;
	char c, *p;

	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	EXPECT_NATTCH(1);

	/* The child's copy counts while the child lives. */
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct region_stat st;

		close(ready[1]);
		self->out[0] = be_stat(&self->be, id, &st) ? -1 : st.nattch;
		/* Wait for the parent to look too. */
		_exit(read(ready[0], &c, 1) == 0 ? 0 : 1);
	}
	close(ready[0]);
	EXPECT_NATTCH(2);
	close(ready[1]);
	ASSERT_EQ(0, wait_status(pid));
	EXPECT_EQ(2, self->out[0]);
	EXPECT_NATTCH(1);

	/* exec drops the inherited copy: the peer sees the parent's only. */
	EXPECT_EQ(1, run_peer(variant->kind, "nattch", key));
	EXPECT_NATTCH(1);

	/* A child that attaches and exits without detaching. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *q;

		_exit(be_attach(&self->be, id, false, &q) ? 1 : 0);
	}
	ASSERT_EQ(0, wait_status(pid));
	EXPECT_NATTCH(1);
	EXPECT_EQ(0, be_detach(&self->be, p, pg));
	EXPECT_NATTCH(0);
}

TEST_F(shm, pids_and_times)
{
	struct region_stat st, before;
	long long t0, t1;
	pid_t pid;
	char *p;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);

	/* Attach and detach in a child: both stamp the child's pid. */
	t0 = time(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *q;

		if (be_attach(&self->be, id, false, &q))
			_exit(1);
		_exit(be_detach(&self->be, q, pg) ? 2 : 0);
	}
	ASSERT_EQ(0, wait_status(pid));
	t1 = time(NULL);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(getpid(), st.cpid);
	EXPECT_EQ(pid, st.lpid);
	EXPECT_LE(t0, st.atime);
	EXPECT_GE(t1, st.atime);
	EXPECT_LE(st.atime, st.dtime);
	EXPECT_GE(t1, st.dtime);

	/* Our attach stamps us. */
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(getpid(), st.lpid);

	/*
	 * fork() duplicates the mapping in the parent's context, so lpid
	 * stays the parent's; the child's exit detaches in the child's.
	 */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct region_stat cst;

		self->out[0] = be_stat(&self->be, id, &cst) ? -1 : cst.lpid;
		_exit(0);
	}
	ASSERT_EQ(0, wait_status(pid));
	EXPECT_EQ(getpid(), self->out[0]);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(pid, st.lpid);
	/* The creator stays the creator. */
	EXPECT_EQ(getpid(), st.cpid);

	/* SET moves ctime only; wait for the next second to see it move. */
	before = st;
	while (time(NULL) <= before.ctime)
		usleep(20000);
	t0 = time(NULL);
	ASSERT_EQ(0, be_set(&self->be, id, geteuid(), getegid(), 0640));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_LE(t0, st.ctime);
	EXPECT_LT(before.ctime, st.ctime);
	EXPECT_EQ(before.atime, st.atime);
	EXPECT_EQ(before.dtime, st.dtime);
	EXPECT_EQ(before.lpid, st.lpid);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, be_detach(&self->be, p, pg));
}

/* ---- SET and RMID ---- */

TEST_F(shm, set_owner_group_mode)
{
	struct region_stat st;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_set(&self->be, id, NOBODY, NOBODY, 0444));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(NOBODY, st.uid);
	EXPECT_EQ(NOBODY, st.gid);
	/* The creator does not change. */
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(0444, st.mode);
	/* An id with no mapping in this namespace is refused. */
	EXPECT_EQ(-EINVAL, be_set(&self->be, id, (uid_t)-1, NOBODY, 0600));
	EXPECT_EQ(-EINVAL, be_set(&self->be, id, NOBODY, (gid_t)-1, 0600));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(NOBODY, st.uid);
	EXPECT_EQ(0444, st.mode);
}

TEST_F(shm, rmid_unmapped_destroys_at_once)
{
	struct region_stat st;
	int key = test_key(0), id;
	char *p;

	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_rmid(&self->be, id));
	EXPECT_EQ(-EINVAL, be_stat(&self->be, id, &st));
	EXPECT_EQ(-EINVAL, be_attach(&self->be, id, false, &p));
	EXPECT_EQ(-EINVAL, be_rmid(&self->be, id));
	EXPECT_EQ(-EINVAL, be_set(&self->be, id, 0, 0, 0600));
	EXPECT_EQ(-ENOENT, be_get(&self->be, key, pg, 0, 0600));
}

TEST_F(shm, rmid_with_mappings)
{
	int key = test_key(0), id, id2;
	struct region_stat st;
	char *p, *q;

	id = be_get(&self->be, key, 2 * pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	strcpy(p, "before");
	ASSERT_EQ(0, be_rmid(&self->be, id));

	/* The mapping works on. */
	EXPECT_STREQ("before", p);
	strcpy(p + pg, "after");
	EXPECT_STREQ("after", p + pg);

	/* Marked for destruction, and the key turned private. */
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(KIPC_SHM_DEST | 0600, st.mode);
	EXPECT_EQ(0, st.key);
	EXPECT_EQ(1, st.nattch);

	/* The key is free: nothing found, and a new region on create. */
	EXPECT_EQ(-ENOENT, be_get(&self->be, key, pg, 0, 0600));
	id2 = be_get(&self->be, key, pg, KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600);
	ASSERT_LE(0, id2);
	EXPECT_NE(id, id2);

	/* Linux allows attaching a removed region. */
	ASSERT_EQ(0, be_attach(&self->be, id, false, &q));
	EXPECT_STREQ("after", q + pg);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(2, st.nattch);

	/* SET keeps the mark; RMID again is no error. */
	EXPECT_EQ(0, be_set(&self->be, id, geteuid(), getegid(), 0640));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(KIPC_SHM_DEST | 0640, st.mode);
	EXPECT_EQ(0, be_rmid(&self->be, id));

	/* Destroyed with the last mapping. */
	ASSERT_EQ(0, be_detach(&self->be, q, 2 * pg));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(1, st.nattch);
	ASSERT_EQ(0, be_detach(&self->be, p, 2 * pg));
	EXPECT_EQ(-EINVAL, be_stat(&self->be, id, &st));
	EXPECT_EQ(-EINVAL, be_attach(&self->be, id, false, &p));
	EXPECT_EQ(-EINVAL, be_rmid(&self->be, id));
	/* The new region of the key is untouched. */
	EXPECT_EQ(id2, be_get(&self->be, key, pg, 0, 0600));
}

/* A child's mapping alone keeps a removed region alive. */
TEST_F(shm, rmid_child_mapping_keeps_region)
{
	struct region_stat st;
	int ready[2], id;
	pid_t pid;
	char c, *p;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(ready[1]);
		if (read(ready[0], &c, 1) != 0)
			_exit(1);
		_exit(strcmp(p, "late") ? 2 : 0);
	}
	close(ready[0]);
	ASSERT_EQ(0, be_rmid(&self->be, id));
	ASSERT_EQ(0, be_detach(&self->be, p, pg));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ(KIPC_SHM_DEST | 0600, st.mode);
	/* The child's copy sees what a new attach writes. */
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	strcpy(p, "late");
	ASSERT_EQ(0, be_detach(&self->be, p, pg));
	close(ready[1]);
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_EQ(-EINVAL, be_stat(&self->be, id, &st));
}

/* ---- Permissions ---- */

/*
 * Results of an unprivileged child, in self->out: each call's return value,
 * in order; -1000 if the child could not drop its privileges.
 */
enum {
	R_GET_RW, R_GET_RD, R_GET_NONE, R_GET_EXCL, R_GET_BIG, R_ATTACH_RD,
	R_ATTACH_RW, R_STAT, R_SET, R_RMID, NR_RESULTS
};

static void probe_as_nobody(struct shm_be *be, long *out, int key, int id,
			    size_t size)
{
	struct region_stat st;
	char *p;
	int i;

	for (i = 0; i < NR_RESULTS; i++)
		out[i] = -1000;
	if (become_nobody())
		return;
	out[R_GET_RW] = be_get(be, key, 0, 0, 0600);
	out[R_GET_RD] = be_get(be, key, 0, 0, 0400);
	out[R_GET_NONE] = be_get(be, key, 0, 0, 0);
	out[R_GET_EXCL] = be_get(be, key, size,
				 KIPC_SHM_CREAT | KIPC_SHM_EXCL, 0600);
	out[R_GET_BIG] = be_get(be, key, size + 1, 0, 0600);
	out[R_ATTACH_RD] = be_attach(be, id, true, &p);
	out[R_ATTACH_RW] = be_attach(be, id, false, &p);
	out[R_STAT] = be_stat(be, id, &st);
	out[R_SET] = be_set(be, id, NOBODY, NOBODY, 0666);
	out[R_RMID] = be_rmid(be, id);
}

static int run_as_nobody(FIXTURE_DATA(shm) *self, int key, int id,
			 size_t size)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		probe_as_nobody(&self->be, self->out, key, id, size);
		_exit(0);
	}
	return wait_status(pid);
}

TEST_F(shm, perm_other_denied)
{
	int key = test_key(0), id;
	struct region_stat st;

	NEED_ROOT("to become another user");
	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, run_as_nobody(self, key, id, pg));
	EXPECT_EQ(-EACCES, self->out[R_GET_RW]);
	EXPECT_EQ(-EACCES, self->out[R_GET_RD]);
	/* Asking for no access is no denial. */
	EXPECT_EQ(id, self->out[R_GET_NONE]);
	/* EEXIST and EINVAL come before the permission check. */
	EXPECT_EQ(-EEXIST, self->out[R_GET_EXCL]);
	EXPECT_EQ(-EINVAL, self->out[R_GET_BIG]);
	EXPECT_EQ(-EACCES, self->out[R_ATTACH_RD]);
	EXPECT_EQ(-EACCES, self->out[R_ATTACH_RW]);
	EXPECT_EQ(-EACCES, self->out[R_STAT]);
	EXPECT_EQ(-EPERM, self->out[R_SET]);
	EXPECT_EQ(-EPERM, self->out[R_RMID]);
	/* Nothing changed. */
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(0, st.uid);
	EXPECT_EQ(0, st.nattch);
}

TEST_F(shm, perm_other_read_only)
{
	int key = test_key(0), id;

	NEED_ROOT("to become another user");
	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0604);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, run_as_nobody(self, key, id, pg));
	EXPECT_EQ(-EACCES, self->out[R_GET_RW]);
	EXPECT_EQ(id, self->out[R_GET_RD]);
	EXPECT_EQ(0, self->out[R_ATTACH_RD]);
	EXPECT_EQ(-EACCES, self->out[R_ATTACH_RW]);
	EXPECT_EQ(0, self->out[R_STAT]);
	EXPECT_EQ(-EPERM, self->out[R_SET]);
	EXPECT_EQ(-EPERM, self->out[R_RMID]);
}

/* The group class: the caller is in the region's group (set by SET). */
TEST_F(shm, perm_group)
{
	int key = test_key(0), id;

	NEED_ROOT("to become another user");
	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_set(&self->be, id, 0, NOBODY, 0660));
	ASSERT_EQ(0, run_as_nobody(self, key, id, pg));
	EXPECT_EQ(id, self->out[R_GET_RW]);
	EXPECT_EQ(0, self->out[R_ATTACH_RD]);
	EXPECT_EQ(0, self->out[R_ATTACH_RW]);
	EXPECT_EQ(0, self->out[R_STAT]);
	/* Group members may not change or remove it. */
	EXPECT_EQ(-EPERM, self->out[R_SET]);
	EXPECT_EQ(-EPERM, self->out[R_RMID]);
}

/* The owner (set by SET), not the creator, may SET and RMID. */
TEST_F(shm, perm_owner_may_set_and_rmid)
{
	int key = test_key(0), id;
	struct region_stat st;

	NEED_ROOT("to become another user");
	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_set(&self->be, id, NOBODY, 0, 0600));
	ASSERT_EQ(0, run_as_nobody(self, key, id, pg));
	EXPECT_EQ(id, self->out[R_GET_RW]);
	EXPECT_EQ(0, self->out[R_ATTACH_RW]);
	EXPECT_EQ(0, self->out[R_SET]);
	EXPECT_EQ(0, self->out[R_RMID]);
	EXPECT_EQ(-EINVAL, be_stat(&self->be, id, &st));
}

/*
 * Root passes the checks of a region that is neither its own nor its
 * creation, mode 0: CAP_IPC_OWNER for access, CAP_SYS_ADMIN for SET/RMID.
 */
TEST_F(shm, perm_capabilities_override)
{
	struct region_stat st;
	int key = test_key(0), id;
	pid_t pid;
	char *p;

	NEED_ROOT("to hold CAP_IPC_OWNER and CAP_SYS_ADMIN");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (become_nobody())
			_exit(1);
		if (be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0000) < 0)
			_exit(2);
		/* Mode 0 denies even its creator (LTP shmget04). */
		_exit(be_get(&self->be, key, 0, 0, 0400) == -EACCES ? 0 : 3);
	}
	ASSERT_EQ(0, wait_status(pid));
	id = be_get(&self->be, key, 0, 0, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(NOBODY, st.cuid);
	EXPECT_EQ(NOBODY, st.uid);
	EXPECT_EQ(0, st.mode);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	p[0] = 1;
	EXPECT_EQ(0, be_detach(&self->be, p, pg));
	EXPECT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(0, be_set(&self->be, id, NOBODY, NOBODY, 0000));
	EXPECT_EQ(0, be_rmid(&self->be, id));
}

/* A read-only attachment can never be made writable. */
TEST_F(shm, readonly_attach)
{
	pid_t pid;
	char *p, *w;
	int id;

	id = be_get(&self->be, KIPC_SHM_PRIVATE, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, true, &p));
	ASSERT_EQ(0, be_attach(&self->be, id, false, &w));
	strcpy(w, "seen");
	EXPECT_STREQ("seen", p);
	EXPECT_FAIL(EACCES, mprotect(p, pg, PROT_READ | PROT_WRITE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		p[0] = 'x';
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, wait_status(pid));
	EXPECT_STREQ("seen", p);
	EXPECT_EQ(0, be_detach(&self->be, p, pg));
	EXPECT_EQ(0, be_detach(&self->be, w, pg));
}

/* ---- Limits: shmmni, shmmax, shmall and their kipc twins ---- */

TEST_F(shm, limit_mni)
{
	unsigned long long pages;
	unsigned int count;
	int key = test_key(0), id;
	char *p;

	NEED_ROOT("to change the limits");
	ASSERT_EQ(0, be_usage(&self->be, &count, &pages));
	id = be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, set_limit(self, LIMIT_MNI, count + 2));
	ASSERT_LE(0, be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600));
	EXPECT_EQ(-ENOSPC, be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600));
	EXPECT_EQ(-ENOSPC, be_get(&self->be, test_key(1), pg,
				  KIPC_SHM_CREAT, 0600));
	/* The size is checked first: EINVAL, not ENOSPC. */
	EXPECT_EQ(-EINVAL, be_get(&self->be, KIPC_SHM_PRIVATE, 0, 0, 0600));
	/* Finding an existing region needs no room. */
	EXPECT_EQ(id, be_get(&self->be, key, pg, KIPC_SHM_CREAT, 0600));
	/* A removed region with a mapping still counts. */
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	ASSERT_EQ(0, be_rmid(&self->be, id));
	EXPECT_EQ(-ENOSPC, be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600));
	ASSERT_EQ(0, be_detach(&self->be, p, pg));
	/* Its last detach frees the slot. */
	EXPECT_LE(0, be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600));
}

TEST_F(shm, limit_max)
{
	int key = test_key(0);

	NEED_ROOT("to change the limits");
	ASSERT_EQ(0, set_limit(self, LIMIT_MAX, 2 * pg));
	EXPECT_EQ(-EINVAL, be_get(&self->be, KIPC_SHM_PRIVATE, 2 * pg + 1,
				  0, 0600));
	EXPECT_EQ(-EINVAL, be_get(&self->be, key, 2 * pg + 1,
				  KIPC_SHM_CREAT, 0600));
	EXPECT_LE(0, be_get(&self->be, KIPC_SHM_PRIVATE, 2 * pg, 0, 0600));
	EXPECT_LE(0, be_get(&self->be, key, 1, KIPC_SHM_CREAT, 0600));
}

TEST_F(shm, limit_all)
{
	unsigned long long pages;
	unsigned int count;

	NEED_ROOT("to change the limits");
	ASSERT_EQ(0, be_usage(&self->be, &count, &pages));
	ASSERT_EQ(0, set_limit(self, LIMIT_ALL, pages + 3));
	EXPECT_EQ(-ENOSPC, be_get(&self->be, KIPC_SHM_PRIVATE, 3 * pg + 1,
				  0, 0600));
	EXPECT_LE(0, be_get(&self->be, KIPC_SHM_PRIVATE, pg + 1, 0, 0600));
	/* Two pages are taken, by a region of one page and a byte. */
	EXPECT_EQ(-ENOSPC, be_get(&self->be, KIPC_SHM_PRIVATE, 2 * pg,
				  0, 0600));
	EXPECT_LE(0, be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600));
	EXPECT_EQ(-ENOSPC, be_get(&self->be, KIPC_SHM_PRIVATE, 1, 0, 0600));
	/* EINVAL for the size still comes first. */
	ASSERT_EQ(0, set_limit(self, LIMIT_MAX, pg));
	EXPECT_EQ(-EINVAL, be_get(&self->be, KIPC_SHM_PRIVATE, pg + 1, 0,
				  0600));
}

/* ---- The table: /proc/sysvipc/shm, and kipc's copy in debugfs ---- */

static void mount_debugfs(void)
{
	struct stat st;

	if (stat(KIPC_SHM_TABLE, &st))
		mount("debugfs", KIPC_DEBUGFS, "debugfs", 0, NULL);
}

TEST_F(shm, table_row)
{
	char hdr[512], sysv_hdr[512];
	struct region_stat st;
	struct table_row row;
	int key = test_key(0), id;
	char *p;

	if (variant->kind == SHM_KIPC)
		mount_debugfs();
	id = be_get(&self->be, key, 3 * pg + 1, KIPC_SHM_CREAT, 0640);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, be_attach(&self->be, id, false, &p));
	/* Two pages in memory. */
	p[0] = 1;
	p[2 * pg] = 1;
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	ASSERT_EQ(0, table_find(be_table(&self->be), id, hdr, sizeof(hdr),
				&row)) TH_LOG("no row for %d in %s", id,
					      be_table(&self->be));
	EXPECT_EQ(key, row.key);
	EXPECT_EQ(id, row.id);
	EXPECT_EQ(0640, row.perms);
	EXPECT_EQ(3 * pg + 1, row.size);
	EXPECT_EQ(st.cpid, row.cpid);
	EXPECT_EQ(st.lpid, row.lpid);
	EXPECT_EQ(1, row.nattch);
	EXPECT_EQ(st.uid, row.uid);
	EXPECT_EQ(st.gid, row.gid);
	EXPECT_EQ(st.cuid, row.cuid);
	EXPECT_EQ(st.cgid, row.cgid);
	EXPECT_EQ(st.atime, row.atime);
	EXPECT_EQ(st.dtime, row.dtime);
	EXPECT_EQ(st.ctime, row.ctime);
	EXPECT_EQ(2 * pg, row.rss);
	EXPECT_EQ(0, row.swap);

	/* The same columns as /proc/sysvipc/shm, so ipcs-like tools work. */
	if (variant->kind == SHM_KIPC &&
	    !table_header(SYSV_SHM_TABLE, sysv_hdr, sizeof(sysv_hdr)))
		EXPECT_STREQ(sysv_hdr, hdr);

	/* Removed with a mapping: key 0, the 01000 bit. */
	ASSERT_EQ(0, be_rmid(&self->be, id));
	ASSERT_EQ(0, table_find(be_table(&self->be), id, NULL, 0, &row));
	EXPECT_EQ(0, row.key);
	EXPECT_EQ(KIPC_SHM_DEST | 0640, row.perms);
	ASSERT_EQ(0, be_detach(&self->be, p, 3 * pg + 1));
	EXPECT_EQ(-ENOENT, table_find(be_table(&self->be), id, NULL, 0, &row));
}

/* ---- kipc only: mmap of a region fd ---- */

/* A private region of @size and an fd on it, opened with @flags. */
static int region_fd(FIXTURE_DATA(shm) *self, size_t size,
			  unsigned int flags, int *id)
{
	*id = be_get(&self->be, KIPC_SHM_PRIVATE, size, KIPC_SHM_CREAT, 0600);
	if (*id < 0)
		return *id;
	return ctl_region_open(self->be.ctl, *id, flags);
}

TEST_F(shm, mmap_private_einval)
{
	int fd, id;

	KIPC_ONLY("shmat() always maps shared");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	EXPECT_FAIL(EINVAL, mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_FAIL(EINVAL, mmap(NULL, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE, fd, 0));
	close(fd);
}

TEST_F(shm, mmap_beyond_size_einval)
{
	struct region_stat st;
	int fd, id;
	char *p, *q;

	KIPC_ONLY("shmat() always maps the whole segment");
	/* Three pages hold 2 pages and a byte: they may all be mapped. */
	fd = region_fd(self, 2 * pg + 1, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	EXPECT_FAIL(EINVAL, mmap(NULL, 4 * pg, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_FAIL(EINVAL, mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 3 * pg));
	EXPECT_FAIL(EINVAL, mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd,
				 2 * pg));
	EXPECT_FAIL(EINVAL, mmap(NULL, pg, PROT_READ, MAP_SHARED, fd,
				 1000 * pg));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(0, st.nattch);

	/* Any window inside works, at its offset. */
	p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[2 * pg + 5] = 'z';
	q = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 2 * pg);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ('z', q[5]);
	/* Beyond the size, inside its last page: zeroes, as SysV. */
	EXPECT_EQ(0, q[pg - 1]);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(2, st.nattch);
	munmap(q, pg);
	munmap(p, 3 * pg);
	close(fd);
}

TEST_F(shm, mmap_readonly_fd)
{
	int ro, rw, id;
	pid_t pid;
	char *p;

	KIPC_ONLY("SysV has no fd (see readonly_attach for SHM_RDONLY)");
	rw = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, rw);
	ro = ctl_region_open(self->be.ctl, id, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	EXPECT_EQ(O_RDONLY, fcntl(ro, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(O_RDWR, fcntl(rw, F_GETFL) & O_ACCMODE);
	EXPECT_FAIL(EACCES, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				 ro, 0));
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_FAIL(EACCES, mprotect(p, pg, PROT_READ | PROT_WRITE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		p[0] = 'x';
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, wait_status(pid));
	EXPECT_EQ(0, p[0]);
	munmap(p, pg);
	close(ro);
	close(rw);
}

/* kipc's region fd keeps a removed region too, not only its mappings. */
TEST_F(shm, rmid_open_fd_keeps_region)
{
	struct region_stat st;
	int fd, id;
	char *p;

	KIPC_ONLY("SysV has no region fd");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, be_rmid(&self->be, id));
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(KIPC_SHM_DEST | 0600, st.mode);
	EXPECT_EQ(0, st.nattch);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	ASSERT_EQ(0, be_stat(&self->be, id, &st));
	EXPECT_EQ(1, st.nattch);
	munmap(p, pg);
	EXPECT_EQ(-EINVAL, be_stat(&self->be, id, &st));
}

TEST_F(shm, open_flags_and_fdinfo)
{
	char path[64], buf[1024], want[64];
	int fd, fd2, id;

	KIPC_ONLY("SysV has no region fd");
	fd = region_fd(self, 5000, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fd2 = ctl_region_open(self->be.ctl, id, O_RDONLY);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	ASSERT_EQ(0, read_file(path, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "kipc-shm-id:\t%d\n", id);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "kipc-shm-size:\t5000\n")) TH_LOG("%s", buf);
	close(fd2);
	close(fd);
}

TEST_F(shm, list)
{
	struct kipc_shm_list list = { 0 };
	int ids[3], got[MAX_IDS], i, j, found;

	KIPC_ONLY("SysV lists through /proc/sysvipc/shm");
	for (i = 0; i < 3; i++) {
		ids[i] = be_get(&self->be, KIPC_SHM_PRIVATE, pg, 0, 0600);
		ASSERT_LE(0, ids[i]);
	}
	ASSERT_EQ(0, ioctl(self->be.ctl, KIPC_IOC_SHM_LIST, &list));
	ASSERT_LE(3, list.count);
	ASSERT_GE(MAX_IDS, list.count) TH_LOG("other regions exist");

	list.ids = (unsigned long)got;
	list.nr_ids = MAX_IDS;
	ASSERT_EQ(0, ioctl(self->be.ctl, KIPC_IOC_SHM_LIST, &list));
	for (i = 0; i < 3; i++) {
		found = 0;
		for (j = 0; j < list.count; j++)
			found += got[j] == ids[i];
		EXPECT_EQ(1, found) TH_LOG("id %d listed %d times", ids[i],
					   found);
	}

	/* Room for one: one written, the count is still all of them. */
	got[0] = got[1] = -7;
	list.nr_ids = 1;
	ASSERT_EQ(0, ioctl(self->be.ctl, KIPC_IOC_SHM_LIST, &list));
	EXPECT_LE(3, list.count);
	EXPECT_NE(-7, got[0]);
	EXPECT_EQ(-7, got[1]);
}

/* ---- kipc only: the doorbell ---- */

/* The counter now, as WAKE and STAT report it. */
static long long region_doorbell_now(struct shm_be *be, int id)
{
	struct kipc_shm_stat ks = { .id = id };

	return ioctl(be->ctl, KIPC_IOC_SHM_STAT, &ks) ? -errno : ks.doorbell;
}

TEST_F(shm, doorbell_wakes_waiters)
{
	long long start;
	pid_t pid[2];
	__u64 seq = 0;
	int fd, id, i;

	KIPC_ONLY("SysV shm has no doorbell");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	start = region_doorbell_now(&self->be, id);
	ASSERT_LE(0, start);

	/* Two sleepers in WAIT, forever: one WAKE wakes them both. */
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			__u64 s = start;

			self->out[i] = region_bell(fd, KIPC_IOC_SHM_WAIT, &s, -1);
			self->out[2 + i] = s;
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++)
		ASSERT_TRUE(wait_blocked_in(pid[i], SYS_ioctl, SYS_ioctl));
	/* Sleeping, not returned: asleep 50 ms more, still no result. */
	usleep(50000);
	ASSERT_EQ(0, waitpid(pid[0], NULL, WNOHANG));
	ASSERT_EQ(0, region_bell(fd, KIPC_IOC_SHM_WAKE, &seq, 0));
	EXPECT_EQ(start + 1, seq);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, wait_status(pid[i]));
		EXPECT_EQ(0, self->out[i]);
		EXPECT_EQ(start + 1, self->out[2 + i]);
	}
	EXPECT_EQ(start + 1, region_doorbell_now(&self->be, id));

	/* A WAIT for a value already gone returns at once, with the now. */
	seq = start;
	EXPECT_EQ(0, region_bell(fd, KIPC_IOC_SHM_WAIT, &seq, 0));
	EXPECT_EQ(start + 1, seq);
	close(fd);
}

TEST_F(shm, doorbell_wakes_poll)
{
	struct pollfd pfd;
	long long t0, dt;
	int fd, fd2, id;
	__u64 seq = 0;
	pid_t pid;

	KIPC_ONLY("SysV shm has no doorbell");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	/* Nothing rang since this fd was opened. */
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Its own fd, so that what it has seen is its own. */
		struct pollfd cp = { .events = POLLIN };

		cp.fd = ctl_region_open(self->be.ctl, id, O_RDONLY);
		if (cp.fd < 0)
			_exit(1);
		self->out[0] = poll(&cp, 1, 20000);
		self->out[1] = cp.revents;
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_poll, SYS_ppoll));
	usleep(50000);
	ASSERT_EQ(0, waitpid(pid, NULL, WNOHANG));
	t0 = now_ns();
	ASSERT_EQ(0, region_bell(fd, KIPC_IOC_SHM_WAKE, &seq, 0));
	EXPECT_EQ(0, wait_status(pid));
	/*
	 * Woken by the ring, not by its timeout: poll() looks at the fds
	 * once more when it times out, and would find POLLIN 20 s late.
	 */
	dt = now_ns() - t0;
	EXPECT_GT(10000000000LL, dt);
	EXPECT_EQ(1, self->out[0]);
	EXPECT_EQ(POLLIN, self->out[1] & (POLLIN | POLLERR | POLLHUP));

	/* Our fd saw the ring too; a fd opened after it did not. */
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents & POLLIN);
	fd2 = ctl_region_open(self->be.ctl, id, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	pfd.fd = fd2;
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* A WAIT consumes it on its fd: no POLLIN until the next WAKE. */
	pfd.fd = fd;
	seq = seq - 1;
	EXPECT_EQ(0, region_bell(fd, KIPC_IOC_SHM_WAIT, &seq, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, region_bell(fd2, KIPC_IOC_SHM_WAKE, &seq, 0));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	pfd.fd = fd2;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	close(fd2);
	close(fd);
}

static void on_alarm(int sig)
{
}

TEST_F(shm, doorbell_wait_timeout_and_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value.tv_usec = 100000 };
	long long t0, dt;
	__u64 seq;
	int fd, id;

	KIPC_ONLY("SysV shm has no doorbell");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	seq = region_doorbell_now(&self->be, id);

	/* Nothing rings: ETIMEDOUT after the timeout, not before. */
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, region_bell(fd, KIPC_IOC_SHM_WAIT, &seq, 100000000));
	dt = now_ns() - t0;
	EXPECT_LE(100000000, dt);
	EXPECT_GT(10000000000LL, dt);
	/* A zero timeout only looks. */
	EXPECT_EQ(-ETIMEDOUT, region_bell(fd, KIPC_IOC_SHM_WAIT, &seq, 0));

	/* A signal ends an endless wait with EINTR (handler, no SA_RESTART). */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, region_bell(fd, KIPC_IOC_SHM_WAIT, &seq, -1));

	/* A timed wait is not restarted even with SA_RESTART. */
	sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	t0 = now_ns();
	EXPECT_EQ(-EINTR, region_bell(fd, KIPC_IOC_SHM_WAIT, &seq,
				    20000000000LL));
	EXPECT_GT(10000000000LL, now_ns() - t0);
	signal(SIGALRM, SIG_DFL);
	close(fd);
}

/* ---- kipc only: seals ---- */

TEST_F(shm, seal_write)
{
	struct kipc_shm_stat ks = { 0 };
	int rw, ro, id;
	char *p, *r;
	pid_t pid;
	int ready[2];
	char c;

	KIPC_ONLY("SysV shm has no seals");
	rw = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, rw);
	ro = ctl_region_open(self->be.ctl, id, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, region_get_seals(rw));

	/* A writable shared mapping refuses the seal. */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "data");
	EXPECT_EQ(-EBUSY, region_add_seals(rw, KIPC_SEAL_WRITE));
	ASSERT_EQ(0, munmap(p, pg));
	/* So does a read-only shared mapping of a writable fd (VM_MAYWRITE). */
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, rw, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EBUSY, region_add_seals(rw, KIPC_SEAL_WRITE));
	ASSERT_EQ(0, munmap(p, pg));
	/* And a child's copy of a writable mapping. */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(ready[1]);
		_exit(read(ready[0], &c, 1) == 0 ? 0 : 1);
	}
	close(ready[0]);
	ASSERT_EQ(0, munmap(p, pg));
	EXPECT_EQ(-EBUSY, region_add_seals(rw, KIPC_SEAL_WRITE));
	close(ready[1]);
	ASSERT_EQ(0, wait_status(pid));
	EXPECT_EQ(0, region_get_seals(rw));

	/* A mapping of a read-only fd does not stand in the way. */
	r = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, r);
	ASSERT_EQ(0, region_add_seals(rw, KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_WRITE, region_get_seals(rw));
	EXPECT_EQ(KIPC_SEAL_WRITE, region_get_seals(ro));
	EXPECT_STREQ("data", r);
	/* Adding it again is a no-op. */
	EXPECT_EQ(0, region_add_seals(rw, KIPC_SEAL_WRITE));

	/* Sealed: no writable mapping, and no read-only one turned writable. */
	EXPECT_FAIL(EPERM, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				rw, 0));
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, rw, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("data", p);
	EXPECT_FAIL(EACCES, mprotect(p, pg, PROT_READ | PROT_WRITE));
	/* A fresh fd is no way around it. */
	close(rw);
	rw = ctl_region_open(self->be.ctl, id, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, rw);
	EXPECT_FAIL(EPERM, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				rw, 0));
	ks.id = id;
	ASSERT_EQ(0, ioctl(self->be.ctl, KIPC_IOC_SHM_STAT, &ks));
	EXPECT_EQ(KIPC_SEAL_WRITE, ks.seals);
	munmap(p, pg);
	munmap(r, pg);
	close(ro);
	close(rw);
}

/* A thread that adds KIPC_SEAL_WRITE until it sticks, or is told to stop. */
struct sealer {
	int fd;
	atomic_bool stop;
	atomic_bool sealed;
};

static void *sealer_run(void *arg)
{
	struct kipc_shm_seals s = { .seals = KIPC_SEAL_WRITE };
	struct sealer *sl = arg;

	while (!sl->stop)
		if (!ioctl(sl->fd, KIPC_IOC_SHM_ADD_SEALS, &s)) {
			sl->sealed = true;
			break;
		}
	return NULL;
}

/*
 * No writable mapping may come to exist beside the write seal, even when
 * the seal is added while the mapping is being made: memfd's mmap holds
 * the mapping's writable count from before ->mmap() to the end, so that
 * F_ADD_SEALS either sees it (EBUSY) or wins (EPERM for the mmap).  Each
 * trial races one mmap()/munmap() loop against one sealer, on a new region.
 */
TEST_F(shm, seal_write_races_mmap)
{
	struct sealer sl = { 0 };
	int trials, bad = 0, id;
	long long t0 = now_ns();	/* the harness gives us 30 s */
	pthread_t thread;
	char *p;

	KIPC_ONLY("SysV shm has no seals");
	for (trials = 0; trials < 500 && now_ns() - t0 < 8000000000LL;
	     trials++) {
		sl.fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
		ASSERT_LE(0, sl.fd);
		sl.stop = false;
		sl.sealed = false;
		ASSERT_EQ(0, pthread_create(&thread, NULL, sealer_run, &sl));
		/* Until the seal sticks; bounded, should it never stick. */
		while (now_ns() - t0 < 16000000000LL) {
			p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				 sl.fd, 0);
			if (p == MAP_FAILED)
				break;
			/* Mapped writable, yet sealed: the seal lost. */
			if (region_get_seals(sl.fd) & KIPC_SEAL_WRITE) {
				p[0] = 1;
				bad++;
				munmap(p, pg);
				break;
			}
			munmap(p, pg);
		}
		sl.stop = true;
		pthread_join(thread, NULL);
		EXPECT_TRUE(sl.sealed);
		close(sl.fd);
		ASSERT_EQ(0, be_rmid(&self->be, id));
		if (bad)
			break;
	}
	EXPECT_EQ(0, bad) TH_LOG("trial %d: a writable mapping beside KIPC_SEAL_WRITE",
				 trials);
}

TEST_F(shm, seal_future_write)
{
	char *p, *q;
	int fd, id;

	KIPC_ONLY("SysV shm has no seals");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Existing writable mappings are no obstacle, and keep working. */
	ASSERT_EQ(0, region_add_seals(fd, KIPC_SEAL_FUTURE_WRITE));
	EXPECT_EQ(KIPC_SEAL_FUTURE_WRITE, region_get_seals(fd));
	strcpy(p, "still");

	EXPECT_FAIL(EPERM, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, 0));
	q = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("still", q);
	EXPECT_FAIL(EACCES, mprotect(q, pg, PROT_READ | PROT_WRITE));
	/* The write seal proper is still refused while p exists. */
	EXPECT_EQ(-EBUSY, region_add_seals(fd, KIPC_SEAL_WRITE));
	munmap(p, pg);
	/* q, made under the seal, does not count as writable. */
	EXPECT_EQ(0, region_add_seals(fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_FUTURE_WRITE | KIPC_SEAL_WRITE,
		  region_get_seals(fd));
	munmap(q, pg);
	close(fd);
}

TEST_F(shm, seal_seal_and_bad_seals)
{
	int rw, ro, id;
	char *p;

	KIPC_ONLY("SysV shm has no seals");
	rw = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, rw);
	ro = ctl_region_open(self->be.ctl, id, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);

	/* Bits memfd has but kipc does not (SHRINK, GROW, EXEC), and more. */
	EXPECT_EQ(-EINVAL, region_add_seals(rw, 0x0002));
	EXPECT_EQ(-EINVAL, region_add_seals(rw, 0x0004));
	EXPECT_EQ(-EINVAL, region_add_seals(rw, 0x0020));
	EXPECT_EQ(-EINVAL, region_add_seals(rw, 0x80000000u));
	EXPECT_EQ(-EINVAL, region_add_seals(rw, KIPC_SEAL_SEAL | 0x0002));
	EXPECT_EQ(0, region_get_seals(rw));
	/* A read-only fd may not seal: EPERM before the bits are looked at. */
	EXPECT_EQ(-EPERM, region_add_seals(ro, KIPC_SEAL_SEAL));
	EXPECT_EQ(-EPERM, region_add_seals(ro, 0x0002));
	EXPECT_EQ(0, region_get_seals(ro));
	/* Nothing to add is fine. */
	EXPECT_EQ(0, region_add_seals(rw, 0));

	ASSERT_EQ(0, region_add_seals(rw, KIPC_SEAL_SEAL));
	EXPECT_EQ(KIPC_SEAL_SEAL, region_get_seals(rw));
	EXPECT_EQ(-EPERM, region_add_seals(rw, KIPC_SEAL_WRITE));
	EXPECT_EQ(-EPERM, region_add_seals(rw, KIPC_SEAL_FUTURE_WRITE));
	EXPECT_EQ(-EPERM, region_add_seals(rw, KIPC_SEAL_SEAL));
	EXPECT_EQ(-EPERM, region_add_seals(rw, 0));
	EXPECT_EQ(KIPC_SEAL_SEAL, region_get_seals(ro));
	/* SEAL alone forbids no mapping. */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, pg);
	close(ro);
	close(rw);
}

/* ---- kipc only: the ioctl ABI's refusals ---- */

TEST_F(shm, bad_ioctl_args)
{
	struct kipc_shm_get get;
	struct kipc_shm_open op;
	struct kipc_shm_stat st;
	struct kipc_shm_set set;
	struct kipc_shm_id rm;
	struct kipc_shm_list list;
	struct kipc_shm_doorbell db;
	struct kipc_shm_seals seals;
	struct region_stat rs;
	void *kernel = (void *)-4096L;
	int ctl = self->be.ctl, fd, id, i;
	char *ro_page;

	KIPC_ONLY("the ioctl ABI");
	fd = region_fd(self, pg, O_RDWR | O_CLOEXEC, &id);
	ASSERT_LE(0, fd);
	/* A valid STAT request in a page the kernel may read, not write. */
	ro_page = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro_page);
	((struct kipc_shm_stat *)ro_page)->id = id;
	ASSERT_EQ(0, mprotect(ro_page, pg, PROT_READ));

	/* Bad pointers. */
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_GET, NULL));
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_GET, kernel));
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_OPEN, NULL));
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_STAT, NULL));
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_SET, NULL));
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_RMID, NULL));
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_LIST, NULL));
	EXPECT_FAIL(EFAULT, ioctl(fd, KIPC_IOC_SHM_WAKE, NULL));
	EXPECT_FAIL(EFAULT, ioctl(fd, KIPC_IOC_SHM_WAIT, NULL));
	EXPECT_FAIL(EFAULT, ioctl(fd, KIPC_IOC_SHM_ADD_SEALS, NULL));
	EXPECT_FAIL(EFAULT, ioctl(fd, KIPC_IOC_SHM_GET_SEALS, NULL));
	/* Readable but not writable: the results cannot be stored. */
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_STAT, ro_page));
	EXPECT_FAIL(EFAULT, ioctl(fd, KIPC_IOC_SHM_GET_SEALS, ro_page));
	/* The id array of LIST. */
	memset(&list, 0, sizeof(list));
	list.ids = (unsigned long)kernel;
	list.nr_ids = 4;
	EXPECT_FAIL(EFAULT, ioctl(ctl, KIPC_IOC_SHM_LIST, &list));

	/* Reserved fields and unknown flags. */
	memset(&get, 0, sizeof(get));
	get.size = pg;
	get.__reserved0 = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_GET, &get));
	for (i = 0; i < 2; i++) {
		memset(&get, 0, sizeof(get));
		get.size = pg;
		get.__reserved[i] = 1ULL << 63;
		EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_GET, &get));
	}
	memset(&get, 0, sizeof(get));
	get.size = pg;
	get.flags = 0x4;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_GET, &get));
	get.flags = 0;
	/* Only permission bits: shmget's IPC_CREAT-in-mode is no mode. */
	get.mode = 01600;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_GET, &get));

	memset(&op, 0, sizeof(op));
	op.id = id;
	op.flags = O_WRONLY;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.flags = O_ACCMODE;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.flags = O_RDWR | O_NONBLOCK;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.flags = O_RDWR | O_TRUNC;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.flags = O_RDWR;
	op.__reserved0 = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.__reserved0 = 0;
	op.__reserved[1] = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.__reserved[1] = 0;
	/* No such region. */
	op.id = -1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));
	op.id = 0x7ffffff0;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_OPEN, &op));

	memset(&st, 0, sizeof(st));
	st.id = id;
	st.__reserved0 = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_STAT, &st));
	memset(&st, 0, sizeof(st));
	st.id = id;
	st.__reserved[0] = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_STAT, &st));
	memset(&st, 0, sizeof(st));
	st.id = -1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_STAT, &st));

	memset(&set, 0, sizeof(set));
	set.id = id;
	set.mode = 01600;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_SET, &set));
	set.mode = 0600;
	set.__reserved[1] = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_SET, &set));

	memset(&rm, 0, sizeof(rm));
	rm.id = id;
	rm.__reserved0 = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_RMID, &rm));
	rm.__reserved0 = 0;
	rm.__reserved[0] = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_RMID, &rm));
	rm.__reserved[0] = 0;
	rm.id = -1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_RMID, &rm));

	memset(&list, 0, sizeof(list));
	list.__reserved[1] = 1;
	EXPECT_FAIL(EINVAL, ioctl(ctl, KIPC_IOC_SHM_LIST, &list));

	memset(&db, 0, sizeof(db));
	db.__reserved[0] = 1;
	EXPECT_FAIL(EINVAL, ioctl(fd, KIPC_IOC_SHM_WAKE, &db));
	EXPECT_FAIL(EINVAL, ioctl(fd, KIPC_IOC_SHM_WAIT, &db));
	memset(&seals, 0, sizeof(seals));
	seals.__reserved0 = 1;
	EXPECT_FAIL(EINVAL, ioctl(fd, KIPC_IOC_SHM_ADD_SEALS, &seals));
	seals.__reserved0 = 0;
	seals.__reserved[1] = 1;
	EXPECT_FAIL(EINVAL, ioctl(fd, KIPC_IOC_SHM_ADD_SEALS, &seals));
	/* None of the refused calls did anything. */
	EXPECT_EQ(0, region_get_seals(fd));
	EXPECT_EQ(0, region_doorbell_now(&self->be, id));
	ASSERT_EQ(0, be_stat(&self->be, id, &rs));
	EXPECT_EQ(0600, rs.mode);

	/* Unknown commands, and commands of the other kind of fd. */
	EXPECT_FAIL(ENOTTY, ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x3f)));
	EXPECT_FAIL(ENOTTY, ioctl(fd, _IOWR(KIPC_IOC_MAGIC, 0x30, __u64), &db));
	EXPECT_FAIL(ENOTTY, ioctl(fd, KIPC_IOC_SHM_STAT, &st));
	EXPECT_FAIL(ENOTTY, ioctl(fd, KIPC_IOC_VERSION, &st));
	EXPECT_FAIL(ENOTTY, ioctl(fd, KIPC_IOC_GET_CAPACITY, &st));
	EXPECT_FAIL(ENOTTY, ioctl(ctl, KIPC_IOC_SHM_WAKE, &db));
	EXPECT_FAIL(ENOTTY, ioctl(ctl, KIPC_IOC_SHM_GET_SEALS, &seals));

	munmap(ro_page, pg);
	close(fd);
}

TEST_HARNESS_MAIN
