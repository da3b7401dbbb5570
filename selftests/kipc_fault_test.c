// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures on every path of kipc that creates something: each
 * must fail cleanly, with an errno and nothing half-built left behind.
 *
 * Systematic, with fail-nth (Documentation/fault-injection/
 * fault-injection.rst): writing N to /proc/thread-self/fail-nth makes the
 * N-th fault point this thread reaches fail, whatever the probability
 * settings say.  failslab and fail_page_alloc are told to count sleeping
 * allocations too (ignore-gfp-wait=N, and order-0 and highmem pages), and
 * to print nothing.  For one system call at a time, N = 1, 2, ...:
 *
 *	echo N > /proc/thread-self/fail-nth; the call; read fail-nth back
 *
 * A fail-nth left above 0 means the call ended before its N-th fault
 * point: every allocation it makes has been failed once, and the loop
 * ends.  A 0 means the fault was injected: the call either failed, with an
 * errno of the path's set and no trace (no new fd, no module reference,
 * no channel, region or node, the same counts in KIPC_IOC_STATS), or it
 * succeeded anyway (a fallback, such as kvmalloc()'s vmalloc(), took the
 * blow) and its object must then be whole.  After each path the module's
 * counts are back to where they started; leaks are kmemleak's business
 * (scripts/guest-debug.sh scans after the run).
 *
 * Needs root, debugfs and a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS,
 * CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC: kipc's debug kernel.  Debian's
 * kernels have none of them: the tests skip there, with a hint.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_util.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
#define MOD_REFCNT	"/sys/module/kipc/refcnt"
#define NAME		"kipc-fault"
#define NODE		"/dev/kipc/" NAME
#define SYSFS_NODE	"/sys/class/kipc/" NAME
#define MAX_N		5000	/* fault points one call may reach */

/* A call that ran with a fault injected, as the loop saw it. */
struct attempt {
	long ret;
	int err;
	bool injected;		/* fail-nth read back 0 */
};

/* What must not change when a call fails. */
struct snap {
	int fds;
	long refcnt;
	struct kipc_stats st;
	int regions;		/* KIPC_IOC_SHM_LIST count */
	bool node;		/* /dev/kipc/NAME */
	bool sysfs;		/* /sys/class/kipc/NAME */
};

/* Where failslab and fail_page_alloc were before we changed them. */
struct knob {
	const char *path;
	const char *value;
	char saved[32];
};

FIXTURE(fault) {
	int ctl;
	int nth;
	struct knob knobs[8];
	int nknobs;
	struct kipc_stats base;
	/* per path */
	int fd, fd2;
	int id;
	char *map;
	size_t size;
};

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own */
}

static long module_refcnt(void)
{
	char buf[32];

	return read_file(MOD_REFCNT, buf, sizeof(buf)) ? -1 : atol(buf);
}

static int region_count(int ctl)
{
	struct kipc_shm_list l = { 0 };

	return ioctl(ctl, KIPC_IOC_SHM_LIST, &l) ? -1 : (int)l.count;
}

static void take_snap(int ctl, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->fds = count_fds();
	s->refcnt = module_refcnt();
	ioctl(ctl, KIPC_IOC_STATS, &s->st);
	s->regions = region_count(ctl);
	s->node = !access(NODE, F_OK);
	s->sysfs = !access(SYSFS_NODE, F_OK);
}

/*
 * The one call under fail-nth = @n.  Nothing else runs between the write
 * and the call, nor between the call and the read back; then fail-nth is
 * reset.  The buffer is touched first: a page fault in between would take
 * the fault meant for the call.
 */
#define UNDER_FAULT(_self, _n, _a, _call) do {				\
	char __num[16], __back[16] = "";				\
	int __len = snprintf(__num, sizeof(__num), "%d", (_n));	\
	ASSERT_EQ(__len, pwrite((_self)->nth, __num, __len, 0));	\
	errno = 0;							\
	(_a)->ret = (long)(_call);					\
	(_a)->err = errno;						\
	pread((_self)->nth, __back, sizeof(__back) - 1, 0);		\
	pwrite((_self)->nth, "0", 1, 0);				\
	(_a)->injected = atoi(__back) == 0;				\
} while (0)

static bool in_set(int err, const int *set)
{
	for (; *set; set++)
		if (*set == err)
			return true;
	return false;
}

#define ERRS(...)	((const int[]){ __VA_ARGS__, 0 })

/* Nothing of a failed call may be left: the same fds, refs, objects. */
#define EXPECT_NO_TRACE(_what, _n, _before, _after) do {		\
	EXPECT_EQ((_before)->fds, (_after)->fds)			\
		TH_LOG("%s, fault %d: an fd was left", _what, _n);	\
	EXPECT_EQ((_before)->refcnt, (_after)->refcnt)			\
		TH_LOG("%s, fault %d: a module reference was left",	\
		       _what, _n);					\
	EXPECT_EQ((_before)->st.chans, (_after)->st.chans)		\
		TH_LOG("%s, fault %d: a channel was left", _what, _n);	\
	EXPECT_EQ((_before)->st.named_chans, (_after)->st.named_chans)	\
		TH_LOG("%s, fault %d: a named channel was left", _what,	\
		       _n);						\
	EXPECT_EQ((_before)->st.regions, (_after)->st.regions)		\
		TH_LOG("%s, fault %d: a region was left", _what, _n);	\
	EXPECT_EQ((_before)->st.region_pages, (_after)->st.region_pages) \
		TH_LOG("%s, fault %d: region pages were left", _what, _n); \
	EXPECT_EQ((_before)->regions, (_after)->regions)		\
		TH_LOG("%s, fault %d: SHM_LIST grew", _what, _n);	\
	EXPECT_EQ((_before)->node, (_after)->node)			\
		TH_LOG("%s, fault %d: %s %s", _what, _n, NODE,		\
		       (_after)->node ? "appeared" : "vanished");	\
	EXPECT_EQ((_before)->sysfs, (_after)->sysfs)			\
		TH_LOG("%s, fault %d: %s %s", _what, _n, SYSFS_NODE,	\
		       (_after)->sysfs ? "appeared" : "vanished");	\
} while (0)

static const struct {
	const char *path;
	const char *value;
} fault_knobs[] = {
	/* Sleeping allocations are what kipc makes: fail them too. */
	{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ DEBUGFS "/failslab/verbose", "0" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	{ DEBUGFS "/fail_page_alloc/verbose", "0" },
	/* fail-nth alone decides: no random failures elsewhere. */
	{ DEBUGFS "/failslab/probability", "0" },
	{ DEBUGFS "/fail_page_alloc/probability", "0" },
};

FIXTURE_SETUP(fault)
{
	size_t i;

	self->ctl = open_control_or_skip(_metadata);
	self->fd = self->fd2 = -1;
	self->id = -1;
	self->map = MAP_FAILED;
	self->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (self->nth < 0)
		SKIP(_exit(KIPC_SKIP_EXIT),
		     "%s: %s (needs CONFIG_FAULT_INJECTION: kipc's debug "
		     "kernel, make check-debug)", FAIL_NTH, strerror(errno));
	if (access(DEBUGFS "/failslab", F_OK) ||
	    access(DEBUGFS "/fail_page_alloc", F_OK))
		SKIP(_exit(KIPC_SKIP_EXIT),
		     "no %s/failslab or fail_page_alloc (needs debugfs, "
		     "CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and "
		     "CONFIG_FAULT_INJECTION_DEBUG_FS: make check-debug)",
		     DEBUGFS);
	for (i = 0; i < ARRAY_SIZE(fault_knobs); i++) {
		struct knob *k = &self->knobs[self->nknobs];

		k->path = fault_knobs[i].path;
		k->value = fault_knobs[i].value;
		if (read_file(k->path, k->saved, sizeof(k->saved)))
			SKIP(_exit(KIPC_SKIP_EXIT), "%s: %s (needs root)",
			     k->path, strerror(errno));
		ASSERT_EQ(0, write_file(k->path, k->value))
			TH_LOG("%s: %s", k->path, strerror(errno));
		self->nknobs++;
	}
	/* Leftovers of an earlier, interrupted run. */
	ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE,
	      &(struct kipc_chan_name){ .name = NAME });
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_STATS, &self->base));
}

FIXTURE_TEARDOWN(fault)
{
	struct kipc_stats st;
	int i;

	if (self->nth >= 0) {
		pwrite(self->nth, "0", 1, 0);
		close(self->nth);
	}
	for (i = 0; i < self->nknobs; i++)
		write_file(self->knobs[i].path, self->knobs[i].saved);
	/* Every path cleaned up after itself: the counts are back. */
	if (self->nknobs && !ioctl(self->ctl, KIPC_IOC_STATS, &st)) {
		EXPECT_EQ(self->base.chans, st.chans);
		EXPECT_EQ(self->base.named_chans, st.named_chans);
		EXPECT_EQ(self->base.regions, st.regions);
		EXPECT_EQ(self->base.region_pages, st.region_pages);
	}
	close(self->ctl);
}

/*
 * The loop around one path.  @setup runs before each attempt and @cleanup
 * after it, both without faults; @call is the one system call; @good
 * checks the object of a call that succeeded and undoes it.  All but
 * @call are blocks of statements; __a is the attempt.
 */
#define FAULT_LOOP(_what, _errs, _setup, _call, _good, _cleanup) do {	\
	struct snap __before, __after;					\
	struct attempt __a;						\
	int __n, __failed = 0, __swallowed = 0;				\
									\
	for (__n = 1; __n <= MAX_N; __n++) {				\
		_setup;							\
		take_snap(self->ctl, &__before);			\
		UNDER_FAULT(self, __n, &__a, _call);			\
		if (__a.ret < 0) {					\
			__failed++;					\
			EXPECT_TRUE(__a.injected)			\
				TH_LOG("%s failed without a fault: %s",	\
				       _what, strerror(__a.err));	\
			EXPECT_TRUE(in_set(__a.err, _errs))		\
				TH_LOG("%s, fault %d: errno %d (%s) is "\
				       "not in its set", _what, __n,	\
				       __a.err, strerror(__a.err));	\
			take_snap(self->ctl, &__after);			\
			EXPECT_NO_TRACE(_what, __n, &__before, &__after); \
		} else {						\
			__swallowed += __a.injected;			\
			_good;						\
		}							\
		_cleanup;						\
		if (__a.ret >= 0 && !__a.injected)			\
			break;						\
		if (!_metadata->passed)					\
			break;						\
	}								\
	EXPECT_LE(__n, MAX_N) TH_LOG("%s: no end to its faults", _what); \
	TH_LOG("%s: %d fault points, %d failed the call, %d absorbed",	\
	       _what, __n - 1, __failed, __swallowed);			\
} while (0)

/* ---- Anonymous pairs ---- */

static void check_pair(struct __test_metadata *_metadata,
		       struct kipc_chan_pair *p, unsigned long long cap)
{
	struct kipc_capacity c = { 0 };
	char buf[64];

	ASSERT_LE(0, p->rfd);
	ASSERT_LE(0, p->wfd);
	EXPECT_EQ(0, ioctl(p->rfd, KIPC_IOC_GET_CAPACITY, &c));
	EXPECT_EQ(cap, c.capacity);
	EXPECT_EQ(5, write(p->wfd, "kipc", 5));
	EXPECT_EQ(5, read(p->rfd, buf, sizeof(buf)));
	EXPECT_STREQ("kipc", buf);
	close(p->rfd);
	close(p->wfd);
}

/* A page-sized ring: kmalloc() only, no vmalloc() fallback. */
TEST_F_TIMEOUT(fault, chan_pair, 600)
{
	struct kipc_chan_pair p;

	FAULT_LOOP("CHAN_PAIR", ERRS(ENOMEM, ENFILE, EMFILE),
		   {
			   memset(&p, 0, sizeof(p));
			   p.flags = O_CLOEXEC;
			   p.capacity = KIPC_CAPACITY_MIN;
		   },
		   ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &p),
		   { check_pair(_metadata, &p, KIPC_CAPACITY_MIN); },
		   {});
}

/* The default capacity: kvmalloc() may fall back on vmalloc(). */
TEST_F_TIMEOUT(fault, chan_pair_default, 600)
{
	struct kipc_chan_pair p;
	unsigned long long cap = 65536;
	char buf[32];

	if (!read_file("/sys/module/kipc/parameters/default_capacity", buf,
		       sizeof(buf)))
		cap = strtoull(buf, NULL, 0);
	FAULT_LOOP("CHAN_PAIR default", ERRS(ENOMEM, ENFILE, EMFILE),
		   {
			   memset(&p, 0, sizeof(p));
			   p.flags = O_CLOEXEC;
		   },
		   ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &p),
		   { check_pair(_metadata, &p, cap); },
		   {});
}

/* The first O_DIRECT write makes the packet table. */
TEST_F_TIMEOUT(fault, packet_write, 600)
{
	struct kipc_chan_pair p;
	char buf[64];
	int q;

	FAULT_LOOP("O_DIRECT write", ERRS(ENOMEM),
		   {
			   memset(&p, 0, sizeof(p));
			   p.flags = O_CLOEXEC | O_DIRECT | O_NONBLOCK;
			   p.capacity = KIPC_CAPACITY_MIN;
			   ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_PAIR,
					      &p));
		   },
		   write(p.wfd, "packet", 7),
		   {
			   EXPECT_EQ(7, __a.ret);
			   EXPECT_EQ(7, read(p.rfd, buf, sizeof(buf)));
		   },
		   {
			   /* A failed write queued nothing. */
			   q = -1;
			   EXPECT_EQ(0, ioctl(p.rfd, FIONREAD, &q));
			   EXPECT_EQ(0, q);
			   close(p.rfd);
			   close(p.wfd);
		   });
}

/* ---- Capacity changes ---- */

/*
 * Queued bytes and packets survive a resize that fails, and one that
 * works.  Shrinking to a page: the new ring is one kmalloc() that can
 * fail (a larger one would fall back on vmalloc()), and so is the new
 * packet table.
 */
TEST_F_TIMEOUT(fault, set_capacity, 600)
{
	static const char data[] = "queued across the resize";
	struct kipc_capacity c;
	struct kipc_chan_pair p = { .flags = O_CLOEXEC | O_NONBLOCK | O_DIRECT,
				    .capacity = 2 * KIPC_CAPACITY_MIN };
	char buf[64];
	int i;

	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_PAIR, &p));
	/* Move the ring's start, so that the copy has two pieces. */
	for (i = 0; i < 3; i++) {
		memset(buf, 'x', sizeof(buf));
		ASSERT_EQ(40, write(p.wfd, buf, 40));
		ASSERT_EQ(40, read(p.rfd, buf, 40));
	}
	FAULT_LOOP("SET_CAPACITY", ERRS(ENOMEM),
		   {
			   ASSERT_EQ((ssize_t)sizeof(data),
				     write(p.wfd, data, sizeof(data)));
			   memset(&c, 0, sizeof(c));
			   c.capacity = KIPC_CAPACITY_MIN;
		   },
		   ioctl(p.wfd, KIPC_IOC_SET_CAPACITY, &c),
		   { EXPECT_EQ(KIPC_CAPACITY_MIN, c.capacity); },
		   {
			   /* The old or the new capacity, and the packet. */
			   memset(&c, 0, sizeof(c));
			   EXPECT_EQ(0, ioctl(p.rfd, KIPC_IOC_GET_CAPACITY,
					      &c));
			   EXPECT_EQ(__a.ret < 0 ? 2 * KIPC_CAPACITY_MIN :
				     KIPC_CAPACITY_MIN, c.capacity);
			   memset(buf, 0, sizeof(buf));
			   EXPECT_EQ((ssize_t)sizeof(data),
				     read(p.rfd, buf, sizeof(buf)));
			   EXPECT_STREQ(data, buf);
			   c.capacity = 2 * KIPC_CAPACITY_MIN;
			   EXPECT_EQ(0, ioctl(p.wfd, KIPC_IOC_SET_CAPACITY,
					      &c));
		   });
	close(p.rfd);
	close(p.wfd);
}

/* ---- Named channels ---- */

static void remove_named(int ctl)
{
	ioctl(ctl, KIPC_IOC_CHAN_REMOVE,
	      &(struct kipc_chan_name){ .name = NAME });
}

static void name_req(struct kipc_chan_name *n, bool create)
{
	memset(n, 0, sizeof(*n));
	strcpy(n->name, NAME);
	if (create) {
		n->mode = 0600;
		n->capacity = KIPC_CAPACITY_MIN;
	}
}

/* The channel, its node and its sysfs directory: all or nothing. */
TEST_F_TIMEOUT(fault, chan_create, 900)
{
	struct kipc_chan_name n;

	FAULT_LOOP("CHAN_CREATE", ERRS(ENOMEM, ENOSPC),
		   { name_req(&n, true); },
		   ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, &n),
		   {
			   EXPECT_EQ(0, access(NODE, F_OK))
				   TH_LOG("created, but no %s", NODE);
			   EXPECT_EQ(0, access(SYSFS_NODE, F_OK));
		   },
		   { remove_named(self->ctl); });
	EXPECT_NE(0, access(NODE, F_OK));
}

/* Removal under faults: the node must go with the channel. */
TEST_F_TIMEOUT(fault, chan_remove, 900)
{
	struct kipc_chan_name n;

	FAULT_LOOP("CHAN_REMOVE", ERRS(ENOMEM),
		   {
			   name_req(&n, true);
			   ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_CREATE,
					      &n));
			   name_req(&n, false);
		   },
		   ioctl(self->ctl, KIPC_IOC_CHAN_REMOVE, &n),
		   {
			   EXPECT_NE(0, access(NODE, F_OK))
				   TH_LOG("removed, but %s is still there",
					  NODE);
			   EXPECT_NE(0, access(SYSFS_NODE, F_OK));
		   },
		   { remove_named(self->ctl); });
}

/* The first open of a named channel allocates its ring. */
TEST_F_TIMEOUT(fault, chan_first_open, 600)
{
	struct kipc_chan_name n;
	char buf[16];

	name_req(&n, true);
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_CHAN_CREATE, &n));
	FAULT_LOOP("open " NODE, ERRS(ENOMEM, ENFILE, EMFILE),
		   {},
		   open(NODE, O_RDWR | O_CLOEXEC | O_NONBLOCK),
		   {
			   self->fd = (int)__a.ret;
			   EXPECT_EQ(3, write(self->fd, "ab", 3));
			   EXPECT_EQ(3, read(self->fd, buf, sizeof(buf)));
			   close(self->fd);
			   self->fd = -1;
		   },
		   {
			   /* No reader or writer was left counted. */
			   EXPECT_EQ(0, read_file(SYSFS_NODE "/readers", buf,
						  sizeof(buf)));
			   EXPECT_STREQ("0\n", buf);
			   EXPECT_EQ(0, read_file(SYSFS_NODE "/writers", buf,
						  sizeof(buf)));
			   EXPECT_STREQ("0\n", buf);
		   });
	remove_named(self->ctl);
}

/* ---- Regions ---- */

static void rmid(int ctl, int id)
{
	struct kipc_shm_id r = { .id = id };

	if (id >= 0)
		ioctl(ctl, KIPC_IOC_SHM_RMID, &r);
}

static void get_req(struct kipc_shm_get *g, long long key, size_t size,
		    unsigned int flags)
{
	memset(g, 0, sizeof(*g));
	g->key = key;
	g->size = size;
	g->flags = flags;
	g->mode = 0600;
	g->id = -1;
}

/* A new region: the registry entry, the id and its shmem file. */
TEST_F_TIMEOUT(fault, shm_get, 600)
{
	struct kipc_shm_get g;

	FAULT_LOOP("SHM_GET", ERRS(ENOMEM, ENOSPC, ENFILE),
		   { get_req(&g, KIPC_SHM_PRIVATE, 3 * 4096, KIPC_SHM_CREAT); },
		   ioctl(self->ctl, KIPC_IOC_SHM_GET, &g),
		   {
			   EXPECT_LE(0, g.id);
			   rmid(self->ctl, g.id);
		   },
		   {});
}

/* The same with a key: after a failure the key must still be free. */
TEST_F_TIMEOUT(fault, shm_get_key, 600)
{
	struct kipc_shm_get g, look;

	FAULT_LOOP("SHM_GET key", ERRS(ENOMEM, ENOSPC, ENFILE),
		   {
			   get_req(&g, 0x6b666c74, 4096,
				   KIPC_SHM_CREAT | KIPC_SHM_EXCL);
		   },
		   ioctl(self->ctl, KIPC_IOC_SHM_GET, &g),
		   {
			   EXPECT_LE(0, g.id);
			   rmid(self->ctl, g.id);
		   },
		   {
			   get_req(&look, 0x6b666c74, 0, 0);
			   EXPECT_EQ(-1, ioctl(self->ctl, KIPC_IOC_SHM_GET,
					       &look));
			   EXPECT_EQ(ENOENT, errno);
		   });
}

static int make_region(int ctl, size_t size)
{
	struct kipc_shm_get g;

	get_req(&g, KIPC_SHM_PRIVATE, size, KIPC_SHM_CREAT);
	return ioctl(ctl, KIPC_IOC_SHM_GET, &g) ? -1 : g.id;
}

static unsigned long long nattch(int ctl, int id)
{
	struct kipc_shm_stat st = { .id = id };

	return ioctl(ctl, KIPC_IOC_SHM_STAT, &st) ? ~0ULL : st.nattch;
}

/* An fd for a region: the file, and its reference on the region. */
TEST_F_TIMEOUT(fault, shm_open, 600)
{
	struct kipc_shm_open op;

	self->id = make_region(self->ctl, 4096);
	ASSERT_LE(0, self->id);
	FAULT_LOOP("SHM_OPEN", ERRS(ENOMEM, ENFILE, EMFILE),
		   {
			   memset(&op, 0, sizeof(op));
			   op.id = self->id;
			   op.flags = O_RDWR | O_CLOEXEC;
			   op.fd = -1;
		   },
		   ioctl(self->ctl, KIPC_IOC_SHM_OPEN, &op),
		   {
			   EXPECT_LE(0, op.fd);
			   close(op.fd);
		   },
		   {});
	/* RMID frees it at once: no fd kept a reference behind. */
	rmid(self->ctl, self->id);
	EXPECT_EQ(~0ULL, nattch(self->ctl, self->id));
	self->id = -1;
}

/* mmap() of a region fd: nattch and the fd's reference come back. */
TEST_F_TIMEOUT(fault, shm_mmap, 600)
{
	struct kipc_shm_open op = { .flags = O_RDWR | O_CLOEXEC };
	const size_t size = 2 * 4096;
	char *p = MAP_FAILED;

	self->id = make_region(self->ctl, size);
	ASSERT_LE(0, self->id);
	op.id = self->id;
	ASSERT_EQ(0, ioctl(self->ctl, KIPC_IOC_SHM_OPEN, &op));
	self->fd = op.fd;
	FAULT_LOOP("mmap region", ERRS(ENOMEM, EAGAIN),
		   {},
		   (p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			     self->fd, 0)) == MAP_FAILED ? -1 : 0,
		   {
			   EXPECT_EQ(1, nattch(self->ctl, self->id));
			   p[0] = 'k';
			   p[size - 1] = 'f';
			   EXPECT_EQ(0, munmap(p, size));
		   },
		   { EXPECT_EQ(0, nattch(self->ctl, self->id)); });
	/* What the mappings that were made wrote is there. */
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('k', p[0]);
	EXPECT_EQ('f', p[size - 1]);
	munmap(p, size);
	close(self->fd);
	self->fd = -1;
	rmid(self->ctl, self->id);
	self->id = -1;
}

TEST_HARNESS_MAIN
