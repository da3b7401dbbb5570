// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: random but structured sequences of system calls against kipc,
 * checked against a model of what each one must do.
 *
 *	kipc-fuzz [--seed S] [--ops N] [--procs P] [--threads T]
 *
 * P worker processes of T threads each share N operations.  Every thread
 * draws its operations from its own generator, seeded from S, the worker
 * and the thread: `--seed S --procs 1 --threads 1` replays a run exactly
 * (forked children then run to completion before their parent goes on);
 * with more workers each thread replays its own sequence, but the
 * interleaving is the scheduler's.
 *
 * Each thread keeps objects of three kinds:
 *
 *  - tracked channels (anonymous pairs and named channels of its own): a
 *    model of the bytes and packets queued, so that every read is compared
 *    byte for byte with what was written, and every non-blocking result
 *    (count, EAGAIN, EPIPE, EOF, poll bits, FIONREAD, stats) is predicted;
 *  - tracked regions (private keys or keys of its own): a model of the
 *    mappings (VMAs) the thread made, so that nattch, the seals, the
 *    doorbell and the contents of the first pages are predicted;
 *  - untracked objects: named channels and regions whose names and keys
 *    all threads of all workers share and race on (create, remove, open,
 *    map), and fds handed out by fuzzed ioctls; only their errnos are
 *    checked.
 *
 * Every result must be a success or an errno of the documented set of that
 * call.  Where the model cannot know the truth, it does not predict: a
 * channel's counts while a live child may still hold an open file the
 * model has closed (a "ghost"), a region's nattch while any child of the
 * worker lives, and RWF_NOWAIT's EAGAIN while a child closing its copy may
 * hold the channel's lock.  Certainty must hold from the start of an
 * operation to its check, as another thread may reap a child meanwhile.
 * A crash of any worker or child (SIGSEGV, SIGBUS) is a failure too.
 *
 * Output is KTAP: "ok 1 kipc-fuzz seed=S ops=N", with the counts per kind
 * of operation as comments; "not ok" and the violations otherwise.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>

#ifndef FIGETBSZ
#define FIGETBSZ		_IO(0x00, 2)	/* <linux/fs.h> */
#endif

#define KIPC_FUZZ_VERSION	"1.0"
#define CONTROL			"/dev/kipc/control"
#define PG			4096UL
#define PIPE_BUF_SZ		4096UL
#define IOBUF			(256 * 1024)

#define MAX_WORKERS		64	/* procs * threads */
#define MAX_PCHAN		6	/* tracked channels per thread */
#define MAX_PFD			4	/* fds per tracked channel */
#define MAX_SEGS		1100	/* 2 * (2 MiB / PIPE_BUF) + slack */
#define MAX_REG			4	/* tracked regions per thread */
#define MAX_RFD			3	/* fds per tracked region */
#define MAX_VMA			24	/* tracked mappings per region */
#define STAMP_PAGES		64	/* pages of a region whose contents we know */
#define MAX_UFD			24	/* untracked fds per thread */
#define MAX_UMAP		8	/* untracked mappings per thread */
#define MAX_KIDS		4	/* forked children alive per thread */
#define MAX_MSGS		24	/* violations kept for the report */
#define RACE_NAMES		4	/* shared channel names and region keys */
#define RACE_KEY		0x6b667a00LL
#define TRACKED_CAP_MAX		(2UL << 20)
#define MAP_PAGES_MAX		32

/* ---------------------------------------------------------------- */
/* What all processes share: counts, violations, the last operations. */

enum op_kind {
	OP_PAIR, OP_NAMED, OP_NAMED_OPEN, OP_NAMED_REMOVE, OP_WRITE, OP_READ,
	OP_POLL, OP_CHAN_IOCTL, OP_CLOSE, OP_DUP, OP_FCNTL, OP_SPLICE,
	OP_FORK, OP_SHM_GET, OP_SHM_OPEN, OP_SHM_STAT, OP_SHM_SET,
	OP_SHM_RMID, OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_TOUCH, OP_MADVISE,
	OP_DOORBELL, OP_SEALS, OP_SHM_LIST, OP_STATS, OP_CTL_FUZZ,
	OP_RAND_IOCTL, OP_PROC, OP_RACE_CHAN, OP_RACE_SHM, OP_UFD, OP_KILL,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"pair", "named_create", "named_open", "named_remove", "write", "read",
	"poll", "chan_ioctl", "close", "dup", "fcntl", "splice",
	"fork", "shm_get", "shm_open", "shm_stat", "shm_set",
	"shm_rmid", "mmap", "munmap", "mprotect", "touch", "madvise",
	"doorbell", "seals", "shm_list", "stats", "ctl_fuzz",
	"rand_ioctl", "proc", "race_chan", "race_shm", "ufd", "kill",
};

/* Relative weights of the operations. */
static const unsigned int op_weight[NR_OPS] = {
	[OP_PAIR] = 4, [OP_NAMED] = 2, [OP_NAMED_OPEN] = 3,
	[OP_NAMED_REMOVE] = 1, [OP_WRITE] = 16, [OP_READ] = 16,
	[OP_POLL] = 5, [OP_CHAN_IOCTL] = 6, [OP_CLOSE] = 4, [OP_DUP] = 2,
	[OP_FCNTL] = 3, [OP_SPLICE] = 3, [OP_FORK] = 1, [OP_SHM_GET] = 3,
	[OP_SHM_OPEN] = 2, [OP_SHM_STAT] = 3, [OP_SHM_SET] = 1,
	[OP_SHM_RMID] = 1, [OP_MMAP] = 5, [OP_MUNMAP] = 3, [OP_MPROTECT] = 3,
	[OP_TOUCH] = 6, [OP_MADVISE] = 2, [OP_DOORBELL] = 4, [OP_SEALS] = 2,
	[OP_SHM_LIST] = 1, [OP_STATS] = 1, [OP_CTL_FUZZ] = 10,
	[OP_RAND_IOCTL] = 4, [OP_PROC] = 2, [OP_RACE_CHAN] = 5,
	[OP_RACE_SHM] = 5, [OP_UFD] = 8, [OP_KILL] = 1,
};

struct shared {
	_Atomic uint64_t count[NR_OPS];
	_Atomic uint64_t errs[NR_OPS];
	_Atomic uint64_t ns[NR_OPS];	/* time spent, for tuning */
	_Atomic uint64_t ops;		/* by workers: the budget */
	_Atomic uint64_t kid_ops;	/* by forked children */
	_Atomic uint64_t progress;
	_Atomic int violations;
	_Atomic int nmsg;
	char msg[MAX_MSGS][320];
	char last[MAX_WORKERS][160];	/* last operation of each thread */
};

static struct shared *sh;

/* ---------------------------------------------------------------- */
/* The generator: xoshiro256**, seeded through splitmix64. */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* ---------------------------------------------------------------- */
/* Per-thread state. */

/* One open file description of a tracked channel (dups share it). */
struct ofd {
	int refs;
	bool rd, wr, nonblock, direct;
	unsigned int w_seen;	/* fs/pipe.c's f_version, for POLLHUP */
	bool w_seen_unknown;	/* opened while a child held copies */
};

struct pfd {
	int fd;
	int ofd;
};

struct seg {
	uint32_t len;
	bool pkt;
};

struct pchan {
	bool used, named, removed;
	char name[64];
	struct ofd ofds[MAX_PFD];
	struct pfd fds[MAX_PFD];
	int nfds;
	uint64_t cap, queued;
	uint64_t wr_off, rd_off;	/* offsets in the data stream */
	uint32_t key;			/* of the data stream */
	struct seg segs[MAX_SEGS];
	int seg_head, nseg;
	unsigned int npkts, nr_pkts;
	bool pkts_alloc;
	unsigned int w_counter;
	uint64_t st_read, st_written;
	/*
	 * The model closed its last fd of an open file while a child of this
	 * worker was alive: the child's copy may still count for the kernel
	 * (a reader, a writer, the ring) until kids_gone_epoch passes
	 * ghost_epoch.
	 */
	bool ghost;
	unsigned int ghost_epoch;
};

struct rfd {
	int fd;
	bool rw;
	uint64_t bell_seen;
};

struct vma {
	uintptr_t start;
	size_t len;
	int prot;
	uint64_t pgoff;
	bool shared, maywrite;
};

struct preg {
	bool used, removed;
	int id;
	int64_t key;
	uint64_t size, pages;
	unsigned int mode;
	struct rfd fds[MAX_RFD];
	int nfds;
	struct vma vmas[MAX_VMA];
	int nvma;
	uint32_t seals;
	uint64_t bell;
	uint64_t stamp[STAMP_PAGES];
};

enum ufd_kind { U_CTL, U_CHAN, U_REGION, U_PIPE };

struct ufd {
	int fd;
	enum ufd_kind kind;
};

struct umap {
	char *p;
	size_t len;
	bool writable;
};

struct ctx {
	struct rng r;
	int slot;		/* in sh->last */
	int t;			/* thread index in the worker */
	int ctl;
	bool kid;		/* a forked child */
	bool unpriv;		/* no capabilities */
	bool sure;		/* no child alive when the operation began */
	unsigned int sure_gen;	/* fork_gen then */
	unsigned int gone_epoch; /* kids_gone_epoch then */
	struct pchan ch[MAX_PCHAN];
	struct preg rg[MAX_REG];
	struct ufd ufd[MAX_UFD];
	int nufd;
	struct umap umap[MAX_UMAP];
	int numap;
	int pipe_r, pipe_w;	/* a real pipe, for splice */
	pid_t kids[MAX_KIDS];
	int nkids;
	unsigned int seq;
	timer_t timer;
	bool have_timer;
	char *buf;		/* IOBUF, RW */
	char *vbuf;		/* IOBUF, RW: what we read back */
	char *rw_edge;		/* last RW page; the next page is PROT_NONE */
	char *none;		/* PROT_NONE pages */
	char *ro;		/* a read-only page */
	char arg[1024] __attribute__((aligned(64)));
};

/* Parameters of the run and of the module. */
static uint64_t opt_seed;
static uint64_t opt_ops = 100000;
static int opt_procs = 2;
static int opt_threads = 2;
static bool opt_verbose;
static bool opt_no_baseline;
static bool opt_smoke, opt_leave;
static bool deterministic;
static uint64_t mod_default_cap = 65536;
static uint64_t mod_max_cap = 1 << 20;

/* Per worker process: forked children alive, and forks ever done. */
static _Atomic int kids_alive;
/* Kernels without CONFIG_ADVISE_SYSCALLS (the debug kernel): ENOSYS. */
static bool no_madvise;
static _Atomic unsigned int fork_gen;
/* Times kids_alive came back to 0: every child alive before is gone. */
static _Atomic unsigned int kids_gone_epoch;

/* ---------------------------------------------------------------- */
/* Reporting. */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* write(2), not stdio: safe in a child forked from a thread. */
	if (write(STDOUT_FILENO, line, n) < 0)
		return;
}

static void violation(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void violation(struct ctx *c, const char *fmt, ...)
{
	char text[300];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&sh->violations, 1);
	i = atomic_fetch_add(&sh->nmsg, 1);
	if (i < MAX_MSGS)
		snprintf(sh->msg[i], sizeof(sh->msg[i]), "[%s%d] %s",
			 c->kid ? "child of " : "", c->slot, text);
	say("# violation: [%s%d] %s (last op: %s)", c->kid ? "child of " : "",
	    c->slot, text, sh->last[c->slot]);
}

static void note_op(struct ctx *c, enum op_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note_op(struct ctx *c, enum op_kind k, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&sh->count[k], 1);
	atomic_fetch_add(&sh->progress, 1);
	if (c->kid)
		return;		/* the parent's slot tells what forked it */
	va_start(ap, fmt);
	vsnprintf(sh->last[c->slot], sizeof(sh->last[c->slot]), fmt, ap);
	va_end(ap);
	if (opt_verbose)
		say("# op %d: %s", c->slot, sh->last[c->slot]);
}

/* Errno sets: zero-terminated lists. */
#define ERRS(...)	((const int[]){ __VA_ARGS__, 0 })

static bool in_set(int e, const int *set)
{
	for (; *set; set++)
		if (*set == e)
			return true;
	return false;
}

/* A failing call's errno must be one of @set; returns the errno or 0. */
static int check_errno(struct ctx *c, enum op_kind k, const char *what,
		       long ret, int err, const int *set)
{
	if (ret >= 0)
		return 0;
	atomic_fetch_add(&sh->errs[k], 1);
	if (!in_set(err, set))
		violation(c, "%s: errno %d (%s) is not in its documented set",
			  what, err, strerror(err));
	return err;
}

/*
 * Can the model be sure of the kernel's counts?  A child's copies of fds
 * the model has since closed still count, so only if no child of this
 * worker was alive at any time since the operation began: none then, and
 * no fork since.  One look at kids_alive after a call is not enough:
 * another thread may have reaped the child that held a copy during it.
 */
static void certainty_begin(struct ctx *c)
{
	c->gone_epoch = atomic_load(&kids_gone_epoch);
	c->sure_gen = atomic_load(&fork_gen);
	c->sure = atomic_load(&kids_alive) == 0;
}

static bool certain(const struct ctx *c)
{
	return c->sure && atomic_load(&fork_gen) == c->sure_gen;
}

/*
 * A channel's counts are finer: children hold copies of its open files,
 * but those count for the kernel only once the model has closed its own
 * (see pchan's ghost); a copy of an open file the model still holds
 * changes nothing, as readers and writers count open files, not fds.
 */
static bool ch_certain(const struct ctx *c, struct pchan *ch)
{
	if (ch->ghost && (int)(c->gone_epoch - ch->ghost_epoch) > 0)
		ch->ghost = false;
	return !ch->ghost;
}

/* ---------------------------------------------------------------- */
/* Signals: a per-thread timer interrupts what could block. */

static void on_timer(int sig)
{
	(void)sig;
}

static void on_crash(int sig)
{
	char line[256];
	int slot = -1, i, n;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	/* Best effort: the slot of this thread is not known here. */
	for (i = 0; i < MAX_WORKERS && sh; i++)
		if (sh->last[i][0])
			slot = i;
	n = snprintf(line, sizeof(line),
		     "# crash: signal %d in task %d (a last op: %s)\n", sig,
		     (int)tid, slot >= 0 ? sh->last[slot] : "?");
	if (write(STDOUT_FILENO, line, n) < 0)
		n = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void timer_setup(struct ctx *c)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	c->have_timer = !timer_create(CLOCK_MONOTONIC, &sev, &c->timer);
}

/*
 * Arm before a call that may sleep, disarm after.  The timer repeats: a
 * signal that lands before the call went to sleep (a busy machine) must
 * not leave it sleeping for good.
 */
static void arm(struct ctx *c)
{
	struct itimerspec its = { .it_value = { 0, 10 * 1000 * 1000 },
				  .it_interval = { 0, 10 * 1000 * 1000 } };

	if (c->have_timer)
		timer_settime(c->timer, 0, &its, NULL);
}

static void disarm(struct ctx *c)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (c->have_timer)
		timer_settime(c->timer, 0, &its, NULL);
}

/* ---------------------------------------------------------------- */
/* Pointers for the arguments of ioctls and for I/O buffers. */

enum ptr_kind {
	P_VALID, P_MISALIGNED, P_NULL, P_LOW, P_NONE, P_KERNEL, P_NONCANON,
	P_STRADDLE, P_RDONLY, NR_PTR
};

/* Mostly valid; the rest spread over the bad kinds. */
static enum ptr_kind pick_ptr(struct ctx *c, unsigned int bad_pct)
{
	if (!chance(&c->r, bad_pct))
		return chance(&c->r, 80) ? P_VALID : P_MISALIGNED;
	return (enum ptr_kind)(P_NULL + below(&c->r, NR_PTR - P_NULL));
}

static bool ptr_faults_early(enum ptr_kind k)
{
	/* access_ok() fails: the kernel touches nothing. */
	return k == P_KERNEL || k == P_NONCANON;
}

/*
 * Where an ioctl argument of @size bytes goes, for pointer kind @k.  The
 * caller fills *@fill (a staging copy) and calls arg_commit().
 */
struct argp {
	enum ptr_kind kind;
	char *p;		/* what the kernel gets */
	size_t valid;		/* bytes at p that are accessible */
	size_t size;
};

static struct argp arg_ptr(struct ctx *c, size_t size, enum ptr_kind k)
{
	struct argp a = { .kind = k, .size = size };

	switch (k) {
	case P_VALID:
		a.p = c->arg;
		a.valid = size;
		break;
	case P_MISALIGNED:
		a.p = c->arg + 1 + below(&c->r, 7);
		a.valid = size;
		break;
	case P_NULL:
		a.p = NULL;
		break;
	case P_LOW:
		a.p = (char *)(uintptr_t)(0x1000 + below(&c->r, 0x8000));
		break;
	case P_NONE:
		a.p = c->none + below(&c->r, PG - 64);
		break;
	case P_KERNEL:
		a.p = (char *)(uintptr_t)(chance(&c->r, 50) ?
			0xffffffff81000000ULL : 0xffff888000000000ULL +
			below(&c->r, 1 << 20));
		break;
	case P_NONCANON:
		a.p = (char *)(uintptr_t)0x0000800000000000ULL;
		break;
	case P_STRADDLE:
		a.valid = size > 1 ? 1 + below(&c->r, size - 1) : 0;
		a.p = c->rw_edge + PG - a.valid;
		break;
	case P_RDONLY:
		a.p = c->ro;
		a.valid = size;
		break;
	default:
		break;
	}
	return a;
}

/* Put the argument's bytes where the kernel will look for them. */
static void arg_commit(struct argp *a, const void *data)
{
	if (a->kind == P_RDONLY) {
		mprotect(a->p, PG, PROT_READ | PROT_WRITE);
		memcpy(a->p, data, a->size);
		mprotect(a->p, PG, PROT_READ);
	} else if (a->valid) {
		memcpy(a->p, data, a->valid);
	}
}

/* Read back what the kernel wrote (only for kinds where it could). */
static void arg_fetch(struct argp *a, void *data)
{
	if (a->kind == P_VALID || a->kind == P_MISALIGNED)
		memcpy(data, a->p, a->size);
}

/* The argument cannot even be read in full. */
static bool arg_in_faults(struct argp *a)
{
	return a->valid < a->size && a->kind != P_RDONLY;
}

/* It can be read but not written back. */
static bool arg_out_faults(struct argp *a)
{
	return a->kind != P_VALID && a->kind != P_MISALIGNED;
}

/* ---------------------------------------------------------------- */
/* The data stream of tracked channels. */

static inline uint8_t gen_byte(uint32_t key, uint64_t off)
{
	uint64_t x = (off + ((uint64_t)key << 32)) * 0x9e3779b97f4a7c15ULL;

	return (uint8_t)(x >> 56) ^ (uint8_t)off;
}

static void gen_fill(char *dst, uint32_t key, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = (char)gen_byte(key, off + i);
}

/* ---------------------------------------------------------------- */
/* Module parameters, and small helpers. */

static uint64_t read_u64_file(const char *path, uint64_t dflt)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dflt;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = 0;
	return strtoull(buf, NULL, 0);
}

static uint64_t default_cap(void)
{
	uint64_t c = mod_default_cap;

	if (c < KIPC_CAPACITY_MIN)
		c = KIPC_CAPACITY_MIN;
	if (c > KIPC_CAPACITY_CEILING)
		c = KIPC_CAPACITY_CEILING;
	return c;
}

/* kipc_capacity_check(): 0, EINVAL or EPERM for a capacity asked for. */
static int cap_errno(struct ctx *c, uint64_t cap, uint64_t now)
{
	if (cap < KIPC_CAPACITY_MIN || cap > KIPC_CAPACITY_CEILING)
		return EINVAL;
	if (cap > now && cap > mod_max_cap && c->unpriv)
		return EPERM;
	return 0;
}

/* A capacity to ask for: mostly sane, sometimes not. */
static uint64_t choose_cap(struct ctx *c, bool tracked)
{
	switch (below(&c->r, 20)) {
	case 0 ... 9:
		return 0;
	case 10 ... 14:
		return KIPC_CAPACITY_MIN + below(&c->r, 64 * 1024);
	case 15 ... 17:
		return KIPC_CAPACITY_MIN << below(&c->r, 7);
	case 18:
		if (tracked)
			return TRACKED_CAP_MAX - below(&c->r, 4096);
		return mod_max_cap + 1 + below(&c->r, 4096);
	default:
		switch (below(&c->r, 5)) {
		case 0:
			return below(&c->r, KIPC_CAPACITY_MIN);
		case 1:
			return KIPC_CAPACITY_CEILING + 1 + below(&c->r, 1000);
		case 2:
			return UINT64_MAX - below(&c->r, 3);
		case 3:
			return KIPC_CAPACITY_MIN - 1;
		default:
			return 1ULL << (32 + below(&c->r, 31));
		}
	}
}

/* The lowest free fd now: after a failed call, nothing must be there. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* ---------------------------------------------------------------- */
/* Tracked channels: the model. */

/* Open files (not fds: dups share one) that read, or write. */
static int ch_readers(struct pchan *ch)
{
	int i, n = 0;

	for (i = 0; i < MAX_PFD; i++)
		n += ch->ofds[i].refs && ch->ofds[i].rd;
	return n;
}

static int ch_writers(struct pchan *ch)
{
	int i, n = 0;

	for (i = 0; i < MAX_PFD; i++)
		n += ch->ofds[i].refs && ch->ofds[i].wr;
	return n;
}

static struct seg *seg_at(struct pchan *ch, int i)
{
	return &ch->segs[(ch->seg_head + i) % MAX_SEGS];
}

static void seg_push(struct pchan *ch, uint32_t len, bool pkt)
{
	struct seg *last = ch->nseg ? seg_at(ch, ch->nseg - 1) : NULL;

	if (!len)
		return;
	if (!pkt && last && !last->pkt) {
		last->len += len;
	} else {
		*seg_at(ch, ch->nseg) = (struct seg){ .len = len, .pkt = pkt };
		ch->nseg++;
		if (pkt)
			ch->npkts++;
	}
	ch->queued += len;
}

static void seg_pop(struct pchan *ch)
{
	struct seg *s = seg_at(ch, 0);

	if (s->pkt)
		ch->npkts--;
	ch->seg_head = (ch->seg_head + 1) % MAX_SEGS;
	ch->nseg--;
}

static unsigned int nr_pkts_for(uint64_t cap)
{
	return (unsigned int)((cap + PIPE_BUF_SZ - 1) / PIPE_BUF_SZ);
}

/* The ring went with the last fd: what was queued is gone. */
static void ch_ring_freed(struct pchan *ch)
{
	ch->rd_off = ch->wr_off;
	ch->queued = 0;
	ch->nseg = 0;
	ch->seg_head = 0;
	ch->npkts = 0;
	ch->pkts_alloc = false;
	ch->nr_pkts = 0;
}

/* Bytes a write of @total would queue now, without sleeping. */
static uint64_t ch_write_amount(struct pchan *ch, bool direct, uint64_t total)
{
	uint64_t room = ch->cap - ch->queued, done = 0;
	unsigned int pkts = ch->npkts;

	if (!direct) {
		if (total <= PIPE_BUF_SZ)
			return room >= total ? total : 0;
		return total < room ? total : room;
	}
	while (done < total) {
		uint64_t need = total - done;

		if (need > PIPE_BUF_SZ)
			need = PIPE_BUF_SZ;
		if (room < need || pkts >= ch->nr_pkts)
			break;
		room -= need;
		done += need;
		pkts++;
	}
	return done;
}

static void ch_apply_write(struct pchan *ch, bool direct, uint64_t n)
{
	ch->wr_off += n;
	ch->st_written += n;
	if (!direct) {
		seg_push(ch, (uint32_t)n, false);
		return;
	}
	while (n) {
		uint64_t k = n > PIPE_BUF_SZ ? PIPE_BUF_SZ : n;

		seg_push(ch, (uint32_t)k, true);
		n -= k;
	}
}

/*
 * A read of @want bytes into a buffer whose first @valid bytes are
 * accessible: fill @pieces with (stream offset, length) of what is
 * delivered, return the bytes delivered, and consume if @apply.
 * *@efault tells that the copy faulted before anything was delivered.
 */
struct piece {
	uint64_t off;
	uint64_t len;
};

static uint64_t ch_read_sim(struct pchan *ch, uint64_t want, uint64_t valid,
			    struct piece *pieces, int *npieces, bool apply,
			    bool *efault)
{
	uint64_t r = 0, rd_off = ch->rd_off, partial = 0, gone = 0;
	int i = 0, whole = 0, np = 0;

	*efault = false;
	while (want && i < ch->nseg) {
		struct seg *s = seg_at(ch, i);
		uint64_t n = s->len < want ? s->len : want;
		uint64_t d = valid - r < n ? valid - r : n;

		if (!s->pkt) {
			/* Bytes: what was copied is consumed, up to a fault. */
			if (d)
				pieces[np++] = (struct piece){ rd_off, d };
			r += d;
			rd_off += d;
			want -= d;
			if (d == s->len) {
				whole++;
				gone += d;
				i++;
				continue;
			}
			partial = d;
			if (d < n)
				*efault = !r;
			break;
		}
		/*
		 * A packet: read alone, the rest of it dropped.  One whose
		 * copy faults stays queued, whole, as in pipe_read().
		 */
		if (d < n) {
			*efault = !r;
			break;
		}
		pieces[np++] = (struct piece){ rd_off, d };
		r += d;
		rd_off += s->len;
		gone += s->len;
		whole++;
		break;
	}
	if (apply) {
		while (whole--)
			seg_pop(ch);
		if (partial)
			seg_at(ch, 0)->len -= (uint32_t)partial;
		ch->queued -= gone + partial;
		ch->rd_off = rd_off;
		ch->st_read += r;
	}
	*npieces = np;
	return r;
}

/* ---------------------------------------------------------------- */
/* Tracked channels: life cycle. */

static void ch_add_fd(struct pchan *ch, int fd, bool rd, bool wr,
		      bool nonblock, bool direct, unsigned int w_seen)
{
	int i;

	for (i = 0; i < MAX_PFD; i++)
		if (!ch->ofds[i].refs)
			break;
	ch->ofds[i] = (struct ofd){ .refs = 1, .rd = rd, .wr = wr,
				    .nonblock = nonblock, .direct = direct,
				    .w_seen = w_seen };
	ch->fds[ch->nfds++] = (struct pfd){ .fd = fd, .ofd = i };
}

static void ch_remove_name(struct ctx *c, struct pchan *ch);

static void ch_close_fd(struct ctx *c, struct pchan *ch, int i)
{
	struct pfd pf = ch->fds[i];

	if (close(pf.fd))
		violation(c, "close(%d) of a channel fd: %s", pf.fd,
			  strerror(errno));
	ch->fds[i] = ch->fds[--ch->nfds];
	if (!--ch->ofds[pf.ofd].refs) {
		/* After the close: a child forked later has no copy. */
		unsigned int epoch = atomic_load(&kids_gone_epoch);

		if (atomic_load(&kids_alive)) {
			ch->ghost = true;
			ch->ghost_epoch = epoch;
		}
	}
	if (!ch->nfds) {
		/*
		 * The ring goes with the last open file: a child's copies
		 * may keep it, and its bytes, alive.  Then stop tracking.
		 */
		if (ch->named && !ch->removed && !ch_certain(c, ch))
			ch_remove_name(c, ch);
		ch_ring_freed(ch);
		if (!ch->named || ch->removed)
			ch->used = false;
	}
}

static void ch_remove_name(struct ctx *c, struct pchan *ch)
{
	struct kipc_chan_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", ch->name);
	if (ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n))
		violation(c, "CHAN_REMOVE %s: %s", ch->name, strerror(errno));
	ch->removed = true;
	if (!ch->nfds)
		ch->used = false;
}

static void ch_drop(struct ctx *c, struct pchan *ch)
{
	while (ch->nfds)
		ch_close_fd(c, ch, 0);
	if (ch->used && ch->named && !ch->removed)
		ch_remove_name(c, ch);
	ch->used = false;
}

static struct pchan *ch_new_slot(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_PCHAN; i++)
		if (!c->ch[i].used)
			goto found;
	i = (int)below(&c->r, MAX_PCHAN);
	ch_drop(c, &c->ch[i]);
found:
	memset(&c->ch[i], 0, sizeof(c->ch[i]));
	c->ch[i].key = (uint32_t)rnd(&c->r);
	return &c->ch[i];
}

/* A tracked channel with an fd that can @want_rd / @want_wr. */
static struct pchan *ch_pick(struct ctx *c, bool want_rd, bool want_wr,
			     int *fdi)
{
	int i, j, start = (int)below(&c->r, MAX_PCHAN);

	for (i = 0; i < MAX_PCHAN; i++) {
		struct pchan *ch = &c->ch[(start + i) % MAX_PCHAN];
		int n = ch->nfds, s2;

		if (!ch->used || !n)
			continue;
		s2 = (int)below(&c->r, n);
		for (j = 0; j < n; j++) {
			struct ofd *o = &ch->ofds[ch->fds[(s2 + j) % n].ofd];

			if ((!want_rd || o->rd) && (!want_wr || o->wr)) {
				*fdi = (s2 + j) % n;
				return ch;
			}
		}
	}
	return NULL;
}


/* Model against the kernel, for a violation's report. */
static void ch_describe(struct ctx *c, struct pchan *ch, int fd)
{
	struct kipc_chan_stats st;
	char fds[64] = "";
	int n = 0;

	memset(&st, 0, sizeof(st));
	ioctl(fd, KIPC_IOC_CHAN_STATS, &st);
	for (int i = 0; i < ch->nfds && n < (int)sizeof(fds) - 8; i++)
		n += snprintf(fds + n, sizeof(fds) - n, " %d/%d%s%s",
			      ch->fds[i].fd, ch->fds[i].ofd,
			      ch->ofds[ch->fds[i].ofd].rd ? "r" : "",
			      ch->ofds[ch->fds[i].ofd].wr ? "w" : "");
	say("#   channel %s: fds%s; model q=%llu cap=%llu read=%llu "
	    "written=%llu r=%d w=%d; kernel q=%llu cap=%llu read=%llu "
	    "written=%llu r=%llu w=%llu; kids=%d",
	    ch->named ? ch->name : "(pair)", fds,
	    (unsigned long long)ch->queued, (unsigned long long)ch->cap,
	    (unsigned long long)ch->st_read, (unsigned long long)ch->st_written,
	    ch_readers(ch), ch_writers(ch), (unsigned long long)st.queued,
	    (unsigned long long)st.capacity,
	    (unsigned long long)st.bytes_read,
	    (unsigned long long)st.bytes_written,
	    (unsigned long long)st.readers, (unsigned long long)st.writers,
	    atomic_load(&kids_alive));
	(void)c;
}

/* ---------------------------------------------------------------- */
/* Untracked fds and mappings. */

static void ufd_add(struct ctx *c, int fd, enum ufd_kind kind)
{
	if (c->nufd == MAX_UFD) {
		int i = (int)below(&c->r, MAX_UFD);

		close(c->ufd[i].fd);
		c->ufd[i] = c->ufd[--c->nufd];
	}
	c->ufd[c->nufd++] = (struct ufd){ .fd = fd, .kind = kind };
}

static void umap_add(struct ctx *c, char *p, size_t len, bool writable)
{
	if (c->numap == MAX_UMAP) {
		int i = (int)below(&c->r, MAX_UMAP);

		munmap(c->umap[i].p, c->umap[i].len);
		c->umap[i] = c->umap[--c->numap];
	}
	c->umap[c->numap++] = (struct umap){ p, len, writable };
}

/* ---------------------------------------------------------------- */
/* Operations on tracked channels. */

static void op_pair(struct ctx *c)
{
	struct kipc_chan_pair p;
	struct pchan *ch;
	int flags = 0, want, err, low, fl;
	long ret;

	if (chance(&c->r, 75))
		flags |= O_NONBLOCK;
	if (chance(&c->r, 50))
		flags |= O_CLOEXEC;
	if (chance(&c->r, 30))
		flags |= O_DIRECT;
	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.capacity = choose_cap(c, true);
	want = p.capacity ? cap_errno(c, p.capacity, 0) : 0;
	note_op(c, OP_PAIR, "pair flags=%#x cap=%llu", flags,
		(unsigned long long)p.capacity);

	ch = ch_new_slot(c);
	low = c->t == 0 && opt_threads == 1 ? lowest_free_fd() : -1;
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_PAIR, &p);
	err = check_errno(c, OP_PAIR, "CHAN_PAIR", ret, errno,
			  ERRS(EINVAL, EPERM, ENOMEM, ENFILE, EMFILE));
	if (ret < 0) {
		if (want && err != want)
			violation(c, "CHAN_PAIR cap=%llu: %s, expected %s",
				  (unsigned long long)p.capacity,
				  strerror(err), strerror(want));
		else if (!want && (err == EINVAL || err == EPERM))
			violation(c, "CHAN_PAIR flags=%#x cap=%llu: %s",
				  flags, (unsigned long long)p.capacity,
				  strerror(err));
		if (low >= 0 && fd_open(low))
			violation(c, "CHAN_PAIR failed but fd %d appeared",
				  low);
		return;
	}
	if (ret != 0 || want) {
		violation(c, "CHAN_PAIR cap=%llu returned %ld, expected %s",
			  (unsigned long long)p.capacity, ret,
			  want ? strerror(want) : "0");
		if (p.rfd >= 0)
			close(p.rfd);
		if (p.wfd >= 0)
			close(p.wfd);
		return;
	}
	fl = fcntl(p.rfd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_RDONLY ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK))
		violation(c, "CHAN_PAIR read end: flags %#x (asked %#x)", fl,
			  flags);
	fl = fcntl(p.wfd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_WRONLY ||
	    !!(fl & O_NONBLOCK) != !!(flags & O_NONBLOCK) ||
	    !!(fl & O_DIRECT) != !!(flags & O_DIRECT))
		violation(c, "CHAN_PAIR write end: flags %#x (asked %#x)", fl,
			  flags);
	if (!!(fcntl(p.wfd, F_GETFD) & FD_CLOEXEC) != !!(flags & O_CLOEXEC))
		violation(c, "CHAN_PAIR: FD_CLOEXEC not as asked");
	ch->used = true;
	ch->cap = p.capacity ? p.capacity : default_cap();
	ch->w_counter = 1;
	ch_add_fd(ch, p.rfd, true, false, flags & O_NONBLOCK, false, 0);
	ch_add_fd(ch, p.wfd, false, true, flags & O_NONBLOCK,
		  flags & O_DIRECT, 0);
}

/* Open /dev/kipc/NAME of a tracked named channel, never blocking. */
static void ch_named_open(struct ctx *c, struct pchan *ch)
{
	char path[96];
	int mode, flags, fd, err;
	bool rd, wr, direct = chance(&c->r, 20);
	bool nonblock = chance(&c->r, 80);
	unsigned int w_seen = 0;

	if (ch->nfds == MAX_PFD)
		return;
	mode = (int)below(&c->r, 3);
	if (mode == O_WRONLY && !ch_readers(ch) && chance(&c->r, 70))
		mode = O_RDONLY;
	rd = mode != O_WRONLY;
	wr = mode != O_RDONLY;
	/* A lone reader or writer would wait for its partner. */
	if (mode != O_RDWR)
		nonblock = true;
	flags = mode | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0) |
		(direct ? O_DIRECT : 0);
	snprintf(path, sizeof(path), "/dev/kipc/%s", ch->name);
	note_op(c, OP_NAMED_OPEN, "open %s flags=%#x", path, flags);
	fd = open(path, flags);
	err = check_errno(c, OP_NAMED_OPEN, "open named", fd, errno,
			  ERRS(ENXIO, ENOMEM, ENOENT, EMFILE, ENFILE));
	if (fd < 0) {
		if (err == ENOENT && !ch->removed)
			violation(c, "open %s: ENOENT before removal", path);
		if (err == ENXIO && !(mode == O_WRONLY && !ch_readers(ch)) &&
		    ch_certain(c, ch))
			violation(c, "open %s flags %#x: ENXIO with readers",
				  path, flags);
		return;
	}
	if (ch->removed)
		violation(c, "open %s succeeded after removal", path);
	if (mode == O_WRONLY && !ch_readers(ch) && ch_certain(c, ch))
		violation(c, "open %s O_WRONLY|O_NONBLOCK without readers "
			  "succeeded", path);
	if (!ch->nfds)
		ch_ring_freed(ch);	/* a fresh ring */
	if (wr)
		ch->w_counter++;
	/* A non-blocking reader with no writer: no POLLHUP until one. */
	if (mode == O_RDONLY && !ch_writers(ch))
		w_seen = ch->w_counter;
	ch_add_fd(ch, fd, rd, wr, nonblock, direct, w_seen);
	/*
	 * A child's copy of a writer the model has closed still counts: the
	 * kernel then saw a writer and will report POLLHUP once the child is
	 * gone (a FIFO does the same), so this reader's POLLHUP is unknown.
	 */
	if (mode == O_RDONLY && !ch_writers(ch) && !ch_certain(c, ch))
		ch->ofds[ch->fds[ch->nfds - 1].ofd].w_seen_unknown = true;
}

static void op_named(struct ctx *c)
{
	struct kipc_chan_name n;
	struct pchan *ch;
	int want, err;
	long ret;

	ch = ch_new_slot(c);
	memset(&n, 0, sizeof(n));
	snprintf(ch->name, sizeof(ch->name), "kfz-%d-%d-%u", (int)getpid(),
		 c->t, c->seq++);
	snprintf(n.name, sizeof(n.name), "%s", ch->name);
	n.mode = 0600;
	n.capacity = choose_cap(c, true);
	want = n.capacity ? cap_errno(c, n.capacity, 0) : 0;
	note_op(c, OP_NAMED, "create %s cap=%llu", n.name,
		(unsigned long long)n.capacity);
	ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
	err = check_errno(c, OP_NAMED, "CHAN_CREATE", ret, errno,
			  ERRS(EINVAL, EPERM, ENOSPC, ENOMEM));
	if (ret < 0) {
		if (err != want && err != ENOSPC && err != ENOMEM)
			violation(c, "CHAN_CREATE %s cap=%llu: %s, expected %s",
				  n.name, (unsigned long long)n.capacity,
				  strerror(err), want ? strerror(want) : "0");
		return;
	}
	if (want) {
		violation(c, "CHAN_CREATE cap=%llu succeeded, expected %s",
			  (unsigned long long)n.capacity, strerror(want));
		n.capacity = 0;
		ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		return;
	}
	ch->used = true;
	ch->named = true;
	ch->cap = n.capacity ? n.capacity : default_cap();
	/* Same name again: EEXIST. */
	if (chance(&c->r, 10)) {
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
		if (ret != -1 || errno != EEXIST)
			violation(c, "CHAN_CREATE of an existing name: %ld %s",
				  ret, strerror(errno));
	}
	ch_named_open(c, ch);
	ch_named_open(c, ch);
}

static void op_named_open(struct ctx *c)
{
	int i, start = (int)below(&c->r, MAX_PCHAN);

	for (i = 0; i < MAX_PCHAN; i++) {
		struct pchan *ch = &c->ch[(start + i) % MAX_PCHAN];

		if (ch->used && ch->named) {
			ch_named_open(c, ch);
			return;
		}
	}
	op_named(c);
}

static void op_named_remove(struct ctx *c)
{
	int i, start = (int)below(&c->r, MAX_PCHAN);
	struct kipc_chan_name n;
	long ret;

	for (i = 0; i < MAX_PCHAN; i++) {
		struct pchan *ch = &c->ch[(start + i) % MAX_PCHAN];

		if (!ch->used || !ch->named)
			continue;
		note_op(c, OP_NAMED_REMOVE, "remove %s (removed=%d)", ch->name,
			ch->removed);
		memset(&n, 0, sizeof(n));
		snprintf(n.name, sizeof(n.name), "%s", ch->name);
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		if (ch->removed) {
			if (ret != -1 || errno != ENOENT)
				violation(c, "second CHAN_REMOVE %s: %ld %s",
					  n.name, ret, strerror(errno));
		} else if (ret) {
			violation(c, "CHAN_REMOVE %s: %s", n.name,
				  strerror(errno));
		}
		ch->removed = true;
		if (!ch->nfds)
			ch->used = false;
		return;
	}
}

/* An I/O vector over c->buf (writes) or c->vbuf (reads), maybe bad. */
struct iovplan {
	struct iovec iov[8];
	int n;
	uint64_t total;
	uint64_t valid;		/* accessible prefix of the iterator */
	bool early_fault;	/* access_ok() fails: nothing happens */
	enum ptr_kind kind;
};

static void plan_iov(struct ctx *c, struct iovplan *v, char *base,
		     uint64_t total, bool vec, bool allow_bad)
{
	uint64_t left = total, off = 0;
	enum ptr_kind bad = allow_bad ? pick_ptr(c, 12) : P_VALID;
	int badseg;

	memset(v, 0, sizeof(*v));
	v->total = total;
	v->kind = bad;
	if (bad == P_MISALIGNED)
		bad = P_VALID;
	v->n = vec ? 1 + (int)below(&c->r, 8) : 1;
	for (int i = 0; i < v->n; i++) {
		uint64_t len = i == v->n - 1 ? left : below(&c->r, left + 1);

		if (chance(&c->r, 10) && i != v->n - 1)
			len = 0;
		v->iov[i].iov_base = base + off;
		v->iov[i].iov_len = len;
		off += len;
		left -= len;
	}
	v->valid = total;
	if (bad == P_VALID || bad == P_RDONLY)
		return;
	/* One segment goes bad; what comes before it stays valid. */
	badseg = (int)below(&c->r, v->n);
	v->valid = 0;
	for (int i = 0; i < badseg; i++)
		v->valid += v->iov[i].iov_len;
	switch (bad) {
	case P_KERNEL:
	case P_NONCANON:
		v->iov[badseg].iov_base = (void *)(uintptr_t)(bad == P_KERNEL ?
				0xffffffff81000000ULL : 0x0000800000000000ULL);
		v->early_fault = true;
		break;
	case P_NULL:
		v->iov[badseg].iov_base = NULL;
		break;
	case P_LOW:
		v->iov[badseg].iov_base = (void *)(uintptr_t)0x2000;
		break;
	case P_NONE:
		v->iov[badseg].iov_base = c->none;
		if (v->iov[badseg].iov_len > 16 * PG)
			v->iov[badseg].iov_len = 16 * PG;
		break;
	case P_STRADDLE: {
		uint64_t len = v->iov[badseg].iov_len;
		uint64_t k = len ? below(&c->r, len < PG ? len : PG) : 0;

		/* k bytes before the PROT_NONE page, the rest in it. */
		v->iov[badseg].iov_base = c->rw_edge + PG - k;
		if (len - k > 16 * PG)
			v->iov[badseg].iov_len = k + 16 * PG;
		v->valid += k;
		break;
	}
	default:
		break;
	}
	/* A zero-length bad segment faults nothing (unless access_ok). */
	if (!v->iov[badseg].iov_len && !v->early_fault)
		v->valid = total;
	v->total = 0;
	for (int i = 0; i < v->n; i++)
		v->total += v->iov[i].iov_len;
	if (v->valid > v->total)
		v->valid = v->total;
}

/* Put the bytes the model expects into the accessible part of @v. */
static void iov_fill(struct iovplan *v, uint32_t key, uint64_t off)
{
	uint64_t done = 0;

	for (int i = 0; i < v->n && done < v->valid; i++) {
		uint64_t len = v->iov[i].iov_len;

		if (len > v->valid - done)
			len = v->valid - done;
		gen_fill(v->iov[i].iov_base, key, off + done, len);
		done += len;
	}
}

/* Gather the first @n bytes the kernel put into @v. */
static void iov_gather(struct iovplan *v, char *dst, uint64_t n)
{
	uint64_t done = 0;

	for (int i = 0; i < v->n && done < n; i++) {
		uint64_t len = v->iov[i].iov_len;

		if (len > n - done)
			len = n - done;
		memcpy(dst + done, v->iov[i].iov_base, len);
		done += len;
	}
}

static uint64_t choose_len(struct ctx *c)
{
	switch (below(&c->r, 12)) {
	case 0:
		return 0;
	case 1 ... 4:
		return 1 + below(&c->r, 64);
	case 5 ... 6:
		return 1 + below(&c->r, PIPE_BUF_SZ);
	case 7:
		return PIPE_BUF_SZ + below(&c->r, 2);
	case 8 ... 9:
		return 1 + below(&c->r, 3 * PIPE_BUF_SZ);
	default:
		return 1 + below(&c->r, IOBUF / 2);
	}
}

/*
 * RWF_NOWAIT gives EAGAIN when another task holds the channel's lock, as
 * it should: io_uring then retries from a worker.  Here that is a child
 * closing its copy of the channel, so it can only happen while one lives.
 */
static bool nowait_contended(const struct ctx *c, int how, long ret, int err)
{
	return how == 2 && ret < 0 && err == EAGAIN && !certain(c);
}

static void op_write(struct ctx *c)
{
	struct iovplan v;
	struct pchan *ch;
	struct ofd *o;
	uint64_t total, amount, expect;
	int fdi, fd, how, err, want_err = 0;
	bool rdrs, blocking, made_pkts;
	long ret;

	ch = ch_pick(c, false, true, &fdi);
	if (!ch)
		{ op_pair(c); return; }
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	total = choose_len(c);
	how = (int)below(&c->r, 3);	/* write, writev, pwritev2 NOWAIT */
	plan_iov(c, &v, c->buf, total, how != 0, true);
	total = v.total;
	iov_fill(&v, ch->key, ch->wr_off);
	blocking = !o->nonblock && how != 2;

	rdrs = ch_readers(ch) > 0;
	/* The first O_DIRECT write makes the packet table, room or not. */
	made_pkts = o->direct && total && !v.early_fault && !ch->pkts_alloc &&
		    (rdrs || !ch_certain(c, ch));
	if (made_pkts) {
		ch->pkts_alloc = true;
		ch->nr_pkts = nr_pkts_for(ch->cap);
	}
	if (!total || v.early_fault)
		amount = 0;
	else
		amount = ch_write_amount(ch, o->direct, total);
	expect = amount < v.valid ? amount : v.valid;
	if (v.early_fault)
		want_err = EFAULT;
	else if (!total)
		want_err = 0;
	else if (!rdrs)
		want_err = EPIPE;
	else if (!amount)
		want_err = blocking ? EINTR : EAGAIN;
	else if (!expect)
		want_err = EFAULT;

	note_op(c, OP_WRITE, "write%s fd=%d len=%llu q=%llu cap=%llu "
		"direct=%d nb=%d ptr=%d valid=%llu",
		how == 0 ? "" : how == 1 ? "v" : "v2", fd,
		(unsigned long long)total, (unsigned long long)ch->queued,
		(unsigned long long)ch->cap, o->direct, o->nonblock, v.kind,
		(unsigned long long)v.valid);
	if (blocking)
		arm(c);
	if (how == 0)
		ret = write(fd, v.iov[0].iov_base, v.iov[0].iov_len);
	else if (how == 1)
		ret = writev(fd, v.iov, v.n);
	else
		ret = pwritev2(fd, v.iov, v.n, -1, RWF_NOWAIT);
	err = errno;
	if (blocking)
		disarm(c);
	check_errno(c, OP_WRITE, "write", ret, err,
		    ERRS(EAGAIN, EFAULT, EPIPE, EINTR, ENOMEM));

	if (made_pkts && ret < 0 && (err == ENOMEM || err == EPIPE)) {
		ch->pkts_alloc = false;
		ch->nr_pkts = 0;
	}
	/*
	 * A packet table the model counts but the kernel did not make for a
	 * contended call is harmless: it holds no packet either way.
	 */
	if (nowait_contended(c, how, ret, err))
		return;
	if (!rdrs && !ch_certain(c, ch)) {
		/* A child may hold a copy of a read end: no telling. */
		if (ret > 0)
			ch_apply_write(ch, o->direct, (uint64_t)ret);
		return;
	}
	if (ret < 0) {
		if (err == ENOMEM)
			return;
		if (err != want_err)
			violation(c, "write len=%llu q=%llu cap=%llu direct=%d "
				  "valid=%llu: %s, expected %s (%llu bytes)",
				  (unsigned long long)total,
				  (unsigned long long)ch->queued,
				  (unsigned long long)ch->cap, o->direct,
				  (unsigned long long)v.valid, strerror(err),
				  want_err ? strerror(want_err) : "success",
				  (unsigned long long)expect);
		return;
	}
	if (want_err || (uint64_t)ret != expect) {
		violation(c, "write len=%llu q=%llu cap=%llu direct=%d "
			  "valid=%llu: wrote %ld, expected %llu%s%s",
			  (unsigned long long)total,
			  (unsigned long long)ch->queued,
			  (unsigned long long)ch->cap, o->direct,
			  (unsigned long long)v.valid, ret,
			  (unsigned long long)expect,
			  want_err ? " / " : "",
			  want_err ? strerror(want_err) : "");
		/* Keep the model in step with what happened. */
		if ((uint64_t)ret > v.valid)
			ret = (long)v.valid;
	}
	ch_apply_write(ch, o->direct, (uint64_t)ret);
}

static void op_read(struct ctx *c)
{
	struct piece pieces[MAX_SEGS];
	struct iovplan v;
	struct pchan *ch;
	struct ofd *o;
	uint64_t want, expect, got;
	int fdi, fd, how, err, np = 0, want_err = 0;
	bool blocking, efault, wrs;
	long ret;

	ch = ch_pick(c, true, false, &fdi);
	if (!ch)
		{ op_pair(c); return; }
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	want = choose_len(c);
	if (chance(&c->r, 30))
		want = ch->queued + below(&c->r, 100);
	if (want > IOBUF)
		want = IOBUF;
	how = (int)below(&c->r, 3);
	plan_iov(c, &v, c->vbuf, want, how != 0, true);
	want = v.total;
	blocking = !o->nonblock && how != 2;
	wrs = ch_writers(ch) > 0;

	expect = 0;
	efault = false;
	if (v.early_fault)
		want_err = EFAULT;
	else if (!want)
		want_err = 0;
	else if (!ch->queued)
		want_err = wrs ? (blocking ? EINTR : EAGAIN) : 0;
	else {
		expect = ch_read_sim(ch, want, v.valid, pieces, &np, false,
				     &efault);
		if (efault)
			want_err = EFAULT;
	}
	note_op(c, OP_READ, "read%s fd=%d len=%llu q=%llu nseg=%d nb=%d "
		"ptr=%d valid=%llu", how == 0 ? "" : how == 1 ? "v" : "v2",
		fd, (unsigned long long)want, (unsigned long long)ch->queued,
		ch->nseg, o->nonblock, v.kind, (unsigned long long)v.valid);
	if (blocking)
		arm(c);
	if (how == 0)
		ret = read(fd, v.iov[0].iov_base, v.iov[0].iov_len);
	else if (how == 1)
		ret = readv(fd, v.iov, v.n);
	else
		ret = preadv2(fd, v.iov, v.n, -1, RWF_NOWAIT);
	err = errno;
	if (blocking)
		disarm(c);
	check_errno(c, OP_READ, "read", ret, err,
		    ERRS(EAGAIN, EFAULT, EINTR));
	if (nowait_contended(c, how, ret, err))
		return;

	if (!ch->queued && !wrs && !ch_certain(c, ch)) {
		/* A child may hold a copy of a write end. */
		if (ret == 0 || (ret < 0 && (err == EAGAIN || err == EINTR)))
			return;
	}
	if (ret < 0) {
		if (err != want_err)
			violation(c, "read len=%llu q=%llu valid=%llu: %s, "
				  "expected %s (%llu bytes)",
				  (unsigned long long)want,
				  (unsigned long long)ch->queued,
				  (unsigned long long)v.valid, strerror(err),
				  want_err ? strerror(want_err) : "success",
				  (unsigned long long)expect);
		return;
	}
	if (want_err || (uint64_t)ret != expect) {
		violation(c, "read len=%llu q=%llu valid=%llu nseg=%d: got %ld,"
			  " expected %llu %s", (unsigned long long)want,
			  (unsigned long long)ch->queued,
			  (unsigned long long)v.valid, ch->nseg, ret,
			  (unsigned long long)expect,
			  want_err ? strerror(want_err) : "");
		ch_describe(c, ch, fd);
		return;
	}
	if (!ret)
		return;
	got = (uint64_t)ret;
	ch_read_sim(ch, want, v.valid, pieces, &np, true, &efault);
	iov_gather(&v, c->buf, got);
	{
		uint64_t at = 0;

		for (int i = 0; i < np; i++) {
			for (uint64_t j = 0; j < pieces[i].len; j++) {
				uint8_t e = gen_byte(ch->key,
						     pieces[i].off + j);

				if ((uint8_t)c->buf[at + j] != e) {
					violation(c, "read: byte %llu of %llu "
						  "(stream offset %llu) is "
						  "%#x, wrote %#x",
						  (unsigned long long)(at + j),
						  (unsigned long long)got,
						  (unsigned long long)
						  (pieces[i].off + j),
						  (uint8_t)c->buf[at + j], e);
					return;
				}
			}
			at += pieces[i].len;
		}
	}
}

/* What poll() must say of a tracked channel fd. */
static short ch_poll_mask(struct pchan *ch, struct ofd *o)
{
	short m = 0;

	if (o->rd) {
		if (ch->queued)
			m |= POLLIN | POLLRDNORM;
		if (!ch_writers(ch) && o->w_seen != ch->w_counter)
			m |= POLLHUP;
	}
	if (o->wr) {
		if (ch->cap - ch->queued >= PIPE_BUF_SZ &&
		    (!o->direct || !ch->pkts_alloc || ch->npkts < ch->nr_pkts))
			m |= POLLOUT | POLLWRNORM;
		if (!ch_readers(ch))
			m |= POLLERR;
	}
	return m;
}

static void op_poll(struct ctx *c)
{
	struct pollfd pfd[4];
	struct pchan *chs[4];
	struct ofd *os[4];
	int n = 0, i, ret;

	for (i = 0; i < 4; i++) {
		int fdi;
		struct pchan *ch = ch_pick(c, false, false, &fdi);

		if (!ch)
			break;
		chs[n] = ch;
		os[n] = &ch->ofds[ch->fds[fdi].ofd];
		pfd[n].fd = ch->fds[fdi].fd;
		pfd[n].events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM |
				(chance(&c->r, 20) ? POLLPRI : 0);
		pfd[n].revents = 0;
		n++;
		if (chance(&c->r, 50))
			break;
	}
	if (!n)
		{ op_pair(c); return; }
	note_op(c, OP_POLL, "poll %d fds, first %d", n, pfd[0].fd);
	ret = poll(pfd, n, 0);
	if (ret < 0) {
		check_errno(c, OP_POLL, "poll", ret, errno, ERRS(EINTR, ENOMEM));
		return;
	}
	for (i = 0; i < n; i++) {
		short want, got;

		if (!ch_certain(c, chs[i]))
			continue;
		want = ch_poll_mask(chs[i], os[i]) &
		       (pfd[i].events | POLLHUP | POLLERR);
		got = pfd[i].revents;

		if (os[i]->w_seen_unknown) {
			want &= ~POLLHUP;
			got &= ~POLLHUP;
		}
		if (got != want) {
			violation(c, "poll fd %d (rd=%d wr=%d direct=%d q=%llu "
				  "cap=%llu r=%d w=%d): revents %#x, expected "
				  "%#x", pfd[i].fd, os[i]->rd, os[i]->wr,
				  os[i]->direct,
				  (unsigned long long)chs[i]->queued,
				  (unsigned long long)chs[i]->cap,
				  ch_readers(chs[i]), ch_writers(chs[i]),
				  pfd[i].revents, want);
			ch_describe(c, chs[i], pfd[i].fd);
		}
	}
}

static void op_chan_ioctl(struct ctx *c)
{
	struct kipc_chan_stats st;
	struct kipc_capacity cap;
	struct pchan *ch;
	struct argp a;
	int fdi, fd, err, want, nread;
	long ret;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch)
		{ op_pair(c); return; }
	fd = ch->fds[fdi].fd;
	switch (below(&c->r, 5)) {
	case 0:
		note_op(c, OP_CHAN_IOCTL, "FIONREAD fd=%d", fd);
		ret = ioctl(fd, FIONREAD, &nread);
		if (ret || (uint64_t)nread != ch->queued) {
			violation(c, "FIONREAD: %ld, %d, expected %llu", ret,
				  nread, (unsigned long long)ch->queued);
			ch_describe(c, ch, fd);
		}
		return;
	case 1:
		a = arg_ptr(c, sizeof(cap), pick_ptr(c, 15));
		note_op(c, OP_CHAN_IOCTL, "GET_CAPACITY fd=%d ptr=%d", fd,
			a.kind);
		memset(&cap, 0xa5, sizeof(cap));
		arg_commit(&a, &cap);
		ret = ioctl(fd, KIPC_IOC_GET_CAPACITY, a.p);
		err = check_errno(c, OP_CHAN_IOCTL, "GET_CAPACITY", ret, errno,
				  ERRS(EFAULT));
		if (arg_out_faults(&a)) {
			if (err != EFAULT)
				violation(c, "GET_CAPACITY ptr kind %d: %ld",
					  a.kind, ret);
			return;
		}
		arg_fetch(&a, &cap);
		if (ret || cap.capacity != ch->cap || cap.__reserved[0] ||
		    cap.__reserved[1] || cap.__reserved[2])
			violation(c, "GET_CAPACITY: %ld, %llu, expected %llu",
				  ret, (unsigned long long)cap.capacity,
				  (unsigned long long)ch->cap);
		return;
	case 2: {
		uint64_t want_cap = choose_cap(c, true);
		bool junk = chance(&c->r, 5);

		if (chance(&c->r, 30))
			want_cap = ch->queued + below(&c->r, 8192);
		memset(&cap, 0, sizeof(cap));
		cap.capacity = want_cap;
		if (junk)
			cap.__reserved[below(&c->r, 3)] = 1 + below(&c->r, 9);
		a = arg_ptr(c, sizeof(cap), pick_ptr(c, 8));
		arg_commit(&a, &cap);
		want = junk ? EINVAL : cap_errno(c, want_cap, ch->cap);
		if (!want && want_cap < ch->queued)
			want = EBUSY;
		if (!want && want_cap != ch->cap && ch->pkts_alloc &&
		    ch->npkts > nr_pkts_for(want_cap))
			want = EBUSY;
		note_op(c, OP_CHAN_IOCTL, "SET_CAPACITY fd=%d %llu q=%llu "
			"ptr=%d", fd, (unsigned long long)want_cap,
			(unsigned long long)ch->queued, a.kind);
		ret = ioctl(fd, KIPC_IOC_SET_CAPACITY, a.p);
		err = check_errno(c, OP_CHAN_IOCTL, "SET_CAPACITY", ret, errno,
				  ERRS(EFAULT, EINVAL, EPERM, EBUSY, ENOMEM));
		if (ptr_faults_early(a.kind) || arg_in_faults(&a)) {
			if (err != EFAULT)
				violation(c, "SET_CAPACITY ptr %d: %ld %s",
					  a.kind, ret, strerror(err));
			return;
		}
		if (err == ENOMEM && !want)
			return;
		if (arg_out_faults(&a) && !want) {
			/* Changed, then the copy back faulted. */
			if (err != EFAULT)
				violation(c, "SET_CAPACITY to a read-only arg:"
					  " %ld %s", ret, strerror(err));
		} else if (err != want) {
			violation(c, "SET_CAPACITY %llu (q=%llu cap=%llu "
				  "pkts=%u): %s, expected %s",
				  (unsigned long long)want_cap,
				  (unsigned long long)ch->queued,
				  (unsigned long long)ch->cap, ch->npkts,
				  err ? strerror(err) : "success",
				  want ? strerror(want) : "success");
			return;
		}
		if (want)
			return;
		if (want_cap != ch->cap && ch->pkts_alloc)
			ch->nr_pkts = nr_pkts_for(want_cap);
		ch->cap = want_cap;
		if (!err) {
			arg_fetch(&a, &cap);
			if (cap.capacity != want_cap)
				violation(c, "SET_CAPACITY returned %llu, set "
					  "%llu",
					  (unsigned long long)cap.capacity,
					  (unsigned long long)want_cap);
		}
		return;
	}
	default:
		a = arg_ptr(c, sizeof(st), pick_ptr(c, 10));
		note_op(c, OP_CHAN_IOCTL, "CHAN_STATS fd=%d ptr=%d", fd,
			a.kind);
		ret = ioctl(fd, KIPC_IOC_CHAN_STATS, a.p);
		err = check_errno(c, OP_CHAN_IOCTL, "CHAN_STATS", ret, errno,
				  ERRS(EFAULT));
		if (arg_out_faults(&a)) {
			if (err != EFAULT)
				violation(c, "CHAN_STATS ptr %d: %ld", a.kind,
					  ret);
			return;
		}
		arg_fetch(&a, &st);
		if (ret || st.queued != ch->queued || st.capacity != ch->cap ||
		    st.bytes_read != ch->st_read ||
		    st.bytes_written != ch->st_written ||
		    st.high_water < st.queued || st.__reserved[0] ||
		    st.__reserved[1] || st.__reserved[2])
			violation(c, "CHAN_STATS: q=%llu cap=%llu read=%llu "
				  "written=%llu hw=%llu; expected q=%llu "
				  "cap=%llu read=%llu written=%llu",
				  (unsigned long long)st.queued,
				  (unsigned long long)st.capacity,
				  (unsigned long long)st.bytes_read,
				  (unsigned long long)st.bytes_written,
				  (unsigned long long)st.high_water,
				  (unsigned long long)ch->queued,
				  (unsigned long long)ch->cap,
				  (unsigned long long)ch->st_read,
				  (unsigned long long)ch->st_written);
		if (ch_certain(c, ch) &&
		    (st.readers != (uint64_t)ch_readers(ch) ||
		     st.writers != (uint64_t)ch_writers(ch)))
			violation(c, "CHAN_STATS: readers %llu writers %llu, "
				  "expected %d %d",
				  (unsigned long long)st.readers,
				  (unsigned long long)st.writers,
				  ch_readers(ch), ch_writers(ch));
		return;
	}
}

static void op_dup(struct ctx *c)
{
	struct pchan *ch;
	int fdi, fd;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch || ch->nfds == MAX_PFD)
		return;
	note_op(c, OP_DUP, "dup %d", ch->fds[fdi].fd);
	fd = chance(&c->r, 50) ? dup(ch->fds[fdi].fd) :
	     fcntl(ch->fds[fdi].fd, F_DUPFD_CLOEXEC, 3 + below(&c->r, 200));
	if (fd < 0) {
		check_errno(c, OP_DUP, "dup", fd, errno, ERRS(EMFILE, EINVAL));
		return;
	}
	ch->ofds[ch->fds[fdi].ofd].refs++;
	ch->fds[ch->nfds++] = (struct pfd){ .fd = fd, .ofd = ch->fds[fdi].ofd };
}

static void op_fcntl(struct ctx *c)
{
	struct pchan *ch;
	struct ofd *o;
	int fdi, fd, fl, nfl, ret;

	ch = ch_pick(c, false, false, &fdi);
	if (!ch)
		return;
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	fl = fcntl(fd, F_GETFL);
	note_op(c, OP_FCNTL, "fcntl fd=%d fl=%#x", fd, fl);
	if (fl < 0 || !!(fl & O_NONBLOCK) != o->nonblock ||
	    !!(fl & O_DIRECT) != o->direct) {
		violation(c, "F_GETFL %d: %#x, model nonblock=%d direct=%d",
			  fd, fl, o->nonblock, o->direct);
		return;
	}
	switch (below(&c->r, 4)) {
	case 0:
		nfl = fl ^ O_NONBLOCK;
		break;
	case 1:
		/* Packet mode on the fly: mixes packets with bytes. */
		nfl = fl ^ O_DIRECT;
		break;
	case 2:
		ret = fcntl(fd, F_SETPIPE_SZ, 1 << 16);
		if (ret != -1 || errno != EBADF)
			violation(c, "F_SETPIPE_SZ on a kipc fd: %d %s", ret,
				  strerror(errno));
		return;
	default:
		/* O_ASYNC: SIGIO is ignored, fasync still runs. */
		nfl = fl ^ O_ASYNC;
		if (!(fl & O_ASYNC))
			fcntl(fd, F_SETOWN, getpid());
		break;
	}
	ret = fcntl(fd, F_SETFL, nfl);
	if (ret) {
		violation(c, "F_SETFL %#x on %d: %s", nfl, fd,
			  strerror(errno));
		return;
	}
	o->nonblock = nfl & O_NONBLOCK;
	o->direct = nfl & O_DIRECT;
}

/* Between a tracked channel and a real pipe, both ways. */
static void op_splice(struct ctx *c)
{
	struct pchan *ch;
	struct ofd *o;
	int fdi, fd, err;
	uint64_t len;
	long ret, n;

	if (c->pipe_r < 0)
		return;
	if (chance(&c->r, 50)) {
		/* channel -> pipe: as a read of len bytes */
		struct piece pieces[MAX_SEGS];
		uint64_t expect;
		bool efault;
		int np;

		ch = ch_pick(c, true, false, &fdi);
		if (!ch || !ch->queued)
			return;
		fd = ch->fds[fdi].fd;
		len = 1 + below(&c->r, 16 * PG);
		expect = ch_read_sim(ch, len, len, pieces, &np, false, &efault);
		note_op(c, OP_SPLICE, "splice chan %d -> pipe len=%llu q=%llu",
			fd, (unsigned long long)len,
			(unsigned long long)ch->queued);
		ret = splice(fd, NULL, c->pipe_w, NULL, len,
			     SPLICE_F_NONBLOCK);
		err = errno;
		check_errno(c, OP_SPLICE, "splice from channel", ret, err,
			    ERRS(EAGAIN, EINTR, ENOMEM));
		if (ret < 0)
			return;
		if ((uint64_t)ret != expect) {
			violation(c, "splice from channel len=%llu: %ld, "
				  "expected %llu", (unsigned long long)len,
				  ret, (unsigned long long)expect);
			/* Drain and lose track of this channel's bytes. */
		}
		n = read(c->pipe_r, c->buf, IOBUF);
		if (n != ret) {
			violation(c, "splice: the pipe holds %ld, spliced %ld",
				  n, ret);
			return;
		}
		ch_read_sim(ch, len, len, pieces, &np, true, &efault);
		{
			uint64_t at = 0;

			for (int i = 0; i < np; i++) {
				for (uint64_t j = 0; j < pieces[i].len; j++)
					if ((uint8_t)c->buf[at + j] !=
					    gen_byte(ch->key,
						     pieces[i].off + j)) {
						violation(c, "splice: byte %llu"
							  " differs",
							  (unsigned long long)
							  (at + j));
						return;
					}
				at += pieces[i].len;
			}
		}
		return;
	}
	/* pipe -> channel: as a write of what the pipe holds */
	ch = ch_pick(c, false, true, &fdi);
	if (!ch || !ch_readers(ch))
		return;
	fd = ch->fds[fdi].fd;
	o = &ch->ofds[ch->fds[fdi].ofd];
	if (!o->nonblock)
		return;		/* a blocking splice would wait */
	len = 1 + below(&c->r, 8 * PG);
	gen_fill(c->buf, ch->key, ch->wr_off, len);
	if (write(c->pipe_w, c->buf, len) != (ssize_t)len)
		return;
	note_op(c, OP_SPLICE, "splice pipe -> chan %d len=%llu q=%llu cap=%llu"
		" direct=%d", fd, (unsigned long long)len,
		(unsigned long long)ch->queued, (unsigned long long)ch->cap,
		o->direct);
	if (o->direct && !ch->pkts_alloc) {
		ch->pkts_alloc = true;
		ch->nr_pkts = nr_pkts_for(ch->cap);
	}
	ret = splice(c->pipe_r, NULL, fd, NULL, len, SPLICE_F_NONBLOCK);
	err = errno;
	check_errno(c, OP_SPLICE, "splice to channel", ret, err,
		    ERRS(EAGAIN, EINTR, ENOMEM));
	/* Whatever stayed in the pipe goes. */
	while (read(c->pipe_r, c->vbuf, IOBUF) > 0)
		;
	if (ret < 0) {
		if (err == EAGAIN && ch_write_amount(ch, o->direct, len) &&
		    ch_certain(c, ch))
			violation(c, "splice to channel: EAGAIN with room for "
				  "%llu", (unsigned long long)
				  ch_write_amount(ch, o->direct, len));
		return;
	}
	if ((uint64_t)ret != ch_write_amount(ch, o->direct, len) &&
	    ch_certain(c, ch))
		violation(c, "splice to channel: %ld bytes, expected %llu", ret,
			  (unsigned long long)ch_write_amount(ch, o->direct,
							      len));
	ch_apply_write(ch, o->direct, (uint64_t)ret);
}

/* ---------------------------------------------------------------- */
/* Tracked regions. */

static int64_t reg_key(struct ctx *c)
{
	return ((int64_t)getpid() << 24) | ((int64_t)c->t << 16) |
	       (c->seq++ & 0xffff);
}

static struct preg *rg_pick(struct ctx *c, bool with_fd)
{
	int i, start = (int)below(&c->r, MAX_REG);

	for (i = 0; i < MAX_REG; i++) {
		struct preg *g = &c->rg[(start + i) % MAX_REG];

		if (g->used && (!with_fd || g->nfds))
			return g;
	}
	return NULL;
}

static bool rg_shared_vma(struct preg *g)
{
	for (int i = 0; i < g->nvma; i++)
		if (g->vmas[i].shared)
			return true;
	return false;
}

/* The last fd and mapping of a removed region are gone: so is it. */
static void rg_maybe_gone(struct preg *g)
{
	if (g->removed && !g->nfds && !g->nvma)
		g->used = false;
}

static void rg_unmap_all(struct ctx *c, struct preg *g)
{
	while (g->nvma) {
		struct vma *m = &g->vmas[--g->nvma];

		if (munmap((void *)m->start, m->len))
			violation(c, "munmap: %s", strerror(errno));
	}
}

static void rg_drop(struct ctx *c, struct preg *g)
{
	struct kipc_shm_id id;

	rg_unmap_all(c, g);
	while (g->nfds)
		close(g->fds[--g->nfds].fd);
	if (!g->removed) {
		memset(&id, 0, sizeof(id));
		id.id = g->id;
		if (ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id))
			violation(c, "SHM_RMID %d: %s", g->id, strerror(errno));
	}
	g->used = false;
}

static void rg_open_fd(struct ctx *c, struct preg *g, bool rw)
{
	struct kipc_shm_open op;
	long ret;
	int err;

	if (g->nfds == MAX_RFD)
		return;
	memset(&op, 0, sizeof(op));
	op.id = g->id;
	op.flags = (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	ret = ioctl(c->ctl, KIPC_IOC_SHM_OPEN, &op);
	err = check_errno(c, OP_SHM_OPEN, "SHM_OPEN", ret, errno,
			  ERRS(ENOMEM, EMFILE, ENFILE, EINVAL));
	if (ret < 0) {
		/* A removed region with nothing left is gone: EINVAL. */
		if (err == EINVAL && !(g->removed && !g->nfds && !g->nvma))
			violation(c, "SHM_OPEN %d: EINVAL", g->id);
		return;
	}
	if (g->removed && !g->nfds && !g->nvma && certain(c))
		violation(c, "SHM_OPEN %d: a removed region with no fd and no "
			  "mapping still opens", g->id);
	g->fds[g->nfds++] = (struct rfd){ .fd = op.fd, .rw = rw,
					  .bell_seen = g->bell };
}

static uint64_t choose_size(struct ctx *c)
{
	switch (below(&c->r, 10)) {
	case 0 ... 4:
		return PG * (1 + below(&c->r, 16));
	case 5 ... 7:
		return 1 + below(&c->r, 16 * PG);
	case 8:
		return PG * (1 + below(&c->r, 256));
	default:
		return 1ULL << (30 + below(&c->r, 10));	/* sparse */
	}
}

static void op_shm_get(struct ctx *c)
{
	struct kipc_shm_get get;
	struct preg *g;
	long ret;
	int i, err;

	for (i = 0; i < MAX_REG; i++)
		if (!c->rg[i].used)
			break;
	if (i == MAX_REG) {
		i = (int)below(&c->r, MAX_REG);
		/* Sometimes look the key up again before it goes. */
		g = &c->rg[i];
		if (!g->removed && g->key != KIPC_SHM_PRIVATE &&
		    chance(&c->r, 50)) {
			memset(&get, 0, sizeof(get));
			get.key = g->key;
			get.size = below(&c->r, g->size + 2);
			get.flags = (uint32_t)below(&c->r, 4);
			note_op(c, OP_SHM_GET, "SHM_GET existing key=%lld "
				"size=%llu flags=%u", (long long)get.key,
				(unsigned long long)get.size, get.flags);
			ret = ioctl(c->ctl, KIPC_IOC_SHM_GET, &get);
			err = ret ? errno : 0;
			if (get.flags == (KIPC_SHM_CREAT | KIPC_SHM_EXCL))
				i = EEXIST;
			else if (get.size > g->size)
				i = EINVAL;
			else
				i = 0;
			if (err != i || (!ret && get.id != g->id))
				violation(c, "SHM_GET existing key %lld size "
					  "%llu flags %u: %s id %d, expected "
					  "%s id %d", (long long)get.key,
					  (unsigned long long)get.size,
					  get.flags, strerror(err), get.id,
					  strerror(i), g->id);
			return;
		}
		rg_drop(c, g);
		i = (int)(g - c->rg);
	}
	g = &c->rg[i];
	memset(g, 0, sizeof(*g));
	memset(&get, 0, sizeof(get));
	get.key = chance(&c->r, 50) ? KIPC_SHM_PRIVATE : reg_key(c);
	get.size = choose_size(c);
	get.flags = KIPC_SHM_CREAT | (chance(&c->r, 50) ? KIPC_SHM_EXCL : 0);
	get.mode = chance(&c->r, 80) ? 0600 : (uint32_t)below(&c->r, 01000);
	/* Without CAP_IPC_OWNER the owner needs its own bits. */
	if (c->unpriv)
		get.mode |= 0600;
	note_op(c, OP_SHM_GET, "SHM_GET key=%lld size=%llu mode=%o",
		(long long)get.key, (unsigned long long)get.size, get.mode);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_GET, &get);
	err = check_errno(c, OP_SHM_GET, "SHM_GET", ret, errno,
			  ERRS(ENOMEM, ENOSPC, ENFILE));
	if (ret < 0)
		return;
	if (ret || get.id < 0) {
		violation(c, "SHM_GET: %ld id %d", ret, get.id);
		return;
	}
	g->used = true;
	g->id = get.id;
	g->key = get.key;
	g->size = get.size;
	g->pages = (get.size + PG - 1) / PG;
	g->mode = get.mode;
	rg_open_fd(c, g, true);
	if (chance(&c->r, 30))
		rg_open_fd(c, g, false);
}

static void op_shm_open(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);

	if (!g)
		{ op_shm_get(c); return; }
	note_op(c, OP_SHM_OPEN, "SHM_OPEN id=%d removed=%d", g->id,
		g->removed);
	if (g->nfds == MAX_RFD) {
		struct rfd *f = &g->fds[below(&c->r, g->nfds)];

		close(f->fd);
		*f = g->fds[--g->nfds];
		rg_maybe_gone(g);
		return;
	}
	rg_open_fd(c, g, chance(&c->r, 70));
	rg_maybe_gone(g);
}

static void op_shm_stat(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);
	struct kipc_shm_stat st;
	struct argp a;
	long ret;
	int err;

	if (!g)
		{ op_shm_get(c); return; }
	memset(&st, 0, sizeof(st));
	st.id = g->id;
	if (chance(&c->r, 4))
		st.__reserved[below(&c->r, 2)] = 1;
	a = arg_ptr(c, sizeof(st), pick_ptr(c, 8));
	arg_commit(&a, &st);
	note_op(c, OP_SHM_STAT, "SHM_STAT id=%d ptr=%d", g->id, a.kind);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_STAT, a.p);
	err = check_errno(c, OP_SHM_STAT, "SHM_STAT", ret, errno,
			  ERRS(EFAULT, EINVAL));
	if (ptr_faults_early(a.kind) || arg_in_faults(&a) ||
	    arg_out_faults(&a)) {
		if (err != EFAULT && !(err == EINVAL && !arg_in_faults(&a) &&
				       !ptr_faults_early(a.kind)))
			violation(c, "SHM_STAT ptr %d: %ld %s", a.kind, ret,
				  strerror(err));
		return;
	}
	if (st.__reserved[0] || st.__reserved[1]) {
		if (err != EINVAL)
			violation(c, "SHM_STAT with reserved set: %ld", ret);
		return;
	}
	if (err) {
		violation(c, "SHM_STAT %d: %s", g->id, strerror(err));
		return;
	}
	arg_fetch(&a, &st);
	if (st.id != g->id || st.size != g->size ||
	    st.mode != (g->mode | (g->removed ? KIPC_SHM_DEST : 0)) ||
	    st.key != (g->removed ? KIPC_SHM_PRIVATE : g->key) ||
	    st.seals != g->seals || st.doorbell != g->bell ||
	    st.cpid != getpid() || st.__reserved0 || st.__reserved[0])
		violation(c, "SHM_STAT %d: size %llu mode %o key %lld seals %#x"
			  " bell %llu cpid %d; expected %llu %o %lld %#x %llu "
			  "%d", g->id, (unsigned long long)st.size, st.mode,
			  (long long)st.key, st.seals,
			  (unsigned long long)st.doorbell, st.cpid,
			  (unsigned long long)g->size,
			  g->mode | (g->removed ? KIPC_SHM_DEST : 0),
			  (long long)(g->removed ? 0 : g->key), g->seals,
			  (unsigned long long)g->bell, (int)getpid());
	/* No child existed around the call: the mappings are ours. */
	if (certain(c) && st.nattch != (uint64_t)g->nvma)
		violation(c, "SHM_STAT %d: nattch %llu, this thread has %d "
			  "mappings of it", g->id,
			  (unsigned long long)st.nattch, g->nvma);
}

static void op_shm_set(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);
	struct kipc_shm_set set;
	long ret;
	int err, want = 0;

	if (!g)
		{ op_shm_get(c); return; }
	memset(&set, 0, sizeof(set));
	set.id = g->id;
	set.mode = (uint32_t)below(&c->r, 01000);
	if (c->unpriv)
		set.mode |= 0600;
	set.uid = geteuid();
	set.gid = getegid();
	if (chance(&c->r, 5)) {
		set.mode |= 01000;
		want = EINVAL;
	} else if (chance(&c->r, 5)) {
		set.uid = (uint32_t)-1;
		want = EINVAL;
	} else if (chance(&c->r, 5)) {
		set.__reserved[1] = 7;
		want = EINVAL;
	}
	note_op(c, OP_SHM_SET, "SHM_SET id=%d mode=%o", g->id, set.mode);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_SET, &set);
	err = check_errno(c, OP_SHM_SET, "SHM_SET", ret, errno, ERRS(EINVAL));
	if (err != want) {
		violation(c, "SHM_SET %d mode %o uid %u: %s, expected %s",
			  g->id, set.mode, set.uid, strerror(err),
			  strerror(want));
		return;
	}
	if (!err)
		g->mode = set.mode;
}

static void op_shm_rmid(struct ctx *c)
{
	struct preg *g = rg_pick(c, false);
	struct kipc_shm_id id;
	long ret;

	if (!g)
		{ op_shm_get(c); return; }
	memset(&id, 0, sizeof(id));
	id.id = g->id;
	note_op(c, OP_SHM_RMID, "SHM_RMID id=%d removed=%d", g->id,
		g->removed);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
	if (ret)
		violation(c, "SHM_RMID %d (removed=%d fds=%d maps=%d): %s",
			  g->id, g->removed, g->nfds, g->nvma,
			  strerror(errno));
	g->removed = true;
	rg_maybe_gone(g);
}

static void op_mmap(struct ctx *c)
{
	struct preg *g = rg_pick(c, true);
	struct rfd *f;
	uint64_t pgoff, npages;
	int prot, flags, want = 0, err;
	bool sealed;
	void *p;

	if (!g)
		{ op_shm_get(c); return; }
	if (g->nvma >= MAX_VMA - 2)
		return;
	f = &g->fds[below(&c->r, g->nfds)];
	pgoff = g->pages > 1 ? below(&c->r, g->pages) : 0;
	npages = 1 + below(&c->r, g->pages - pgoff < MAP_PAGES_MAX ?
			   g->pages - pgoff : MAP_PAGES_MAX);
	if (chance(&c->r, 8))
		pgoff = g->pages + below(&c->r, 3);
	else if (chance(&c->r, 8))
		npages = g->pages - pgoff + 1;
	if (npages > MAP_PAGES_MAX + 1)
		npages = MAP_PAGES_MAX + 1;
	prot = PROT_READ | (chance(&c->r, 60) ? PROT_WRITE : 0);
	flags = chance(&c->r, 95) ? MAP_SHARED : MAP_PRIVATE;
	sealed = g->seals & (KIPC_SEAL_WRITE | KIPC_SEAL_FUTURE_WRITE);

	if ((prot & PROT_WRITE) && flags == MAP_SHARED && !f->rw)
		want = EACCES;
	else if (flags != MAP_SHARED)
		want = EINVAL;
	else if (pgoff >= g->pages || npages > g->pages - pgoff)
		want = EINVAL;
	else if (sealed && (prot & PROT_WRITE))
		want = EPERM;
	note_op(c, OP_MMAP, "mmap id=%d pgoff=%llu pages=%llu prot=%d "
		"flags=%d rw=%d seals=%#x", g->id, (unsigned long long)pgoff,
		(unsigned long long)npages, prot, flags, f->rw, g->seals);
	p = mmap(NULL, npages * PG, prot, flags, f->fd, pgoff * PG);
	err = p == MAP_FAILED ? errno : 0;
	check_errno(c, OP_MMAP, "mmap", p == MAP_FAILED ? -1 : 0, err,
		    ERRS(EINVAL, EACCES, EPERM, ENOMEM));
	if (err == ENOMEM && !want)
		return;
	/*
	 * A write-sealed region's shared writable mapping out of bounds:
	 * core checks the seal (i_mmap_writable, the shmem seals) before or
	 * after ->mmap checks the bounds, depending on the kernel: either
	 * errno is right.
	 */
	if (want == EINVAL && err == EPERM && sealed && flags == MAP_SHARED &&
	    (prot & PROT_WRITE))
		want = EPERM;
	if (err != want) {
		violation(c, "mmap region %d (%llu pages) pgoff %llu pages "
			  "%llu prot %d flags %d rw=%d seals %#x: %s, "
			  "expected %s", g->id, (unsigned long long)g->pages,
			  (unsigned long long)pgoff,
			  (unsigned long long)npages, prot, flags, f->rw,
			  g->seals, err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (!err)
			munmap(p, npages * PG);
		return;
	}
	if (err)
		return;
	g->vmas[g->nvma++] = (struct vma){
		.start = (uintptr_t)p, .len = npages * PG, .prot = prot,
		.pgoff = pgoff, .shared = f->rw && !sealed,
		.maywrite = f->rw && !sealed,
	};
}

/* A page-aligned sub-range of a tracked mapping. */
static struct vma *vma_pick(struct ctx *c, struct preg **gp,
			    uintptr_t *a, size_t *len)
{
	int i, start = (int)below(&c->r, MAX_REG);
	struct preg *g = NULL;
	struct vma *m;
	uint64_t pages, first, n;

	for (i = 0; i < MAX_REG; i++) {
		g = &c->rg[(start + i) % MAX_REG];
		if (g->used && g->nvma)
			break;
	}
	if (i == MAX_REG)
		return NULL;
	m = &g->vmas[below(&c->r, g->nvma)];
	pages = m->len / PG;
	first = chance(&c->r, 50) ? 0 : below(&c->r, pages);
	n = chance(&c->r, 50) ? pages - first : 1 + below(&c->r, pages - first);
	*a = m->start + first * PG;
	*len = n * PG;
	*gp = g;
	return m;
}

/* Split @m around [a, a+len): keep the outer pieces, return the middle. */
static void vma_split(struct preg *g, struct vma *m, uintptr_t a, size_t len,
		      bool drop_middle, int newprot)
{
	struct vma old = *m;
	uintptr_t end = a + len, oend = old.start + old.len;
	int idx = (int)(m - g->vmas);

	g->vmas[idx] = g->vmas[--g->nvma];
	if (a > old.start) {
		struct vma left = old;

		left.len = a - old.start;
		g->vmas[g->nvma++] = left;
	}
	if (!drop_middle) {
		struct vma mid = old;

		mid.start = a;
		mid.len = len;
		mid.pgoff = old.pgoff + (a - old.start) / PG;
		mid.prot = newprot;
		g->vmas[g->nvma++] = mid;
	}
	if (end < oend) {
		struct vma right = old;

		right.start = end;
		right.len = oend - end;
		right.pgoff = old.pgoff + (end - old.start) / PG;
		g->vmas[g->nvma++] = right;
	}
}

static void op_munmap(struct ctx *c)
{
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;

	m = vma_pick(c, &g, &a, &len);
	if (!m)
		{ op_mmap(c); return; }
	note_op(c, OP_MUNMAP, "munmap id=%d %#lx+%zu of %#lx+%zu", g->id,
		(unsigned long)a, len, (unsigned long)m->start, m->len);
	if (munmap((void *)a, len)) {
		violation(c, "munmap: %s", strerror(errno));
		return;
	}
	vma_split(g, m, a, len, true, 0);
	rg_maybe_gone(g);
}

static void op_mprotect(struct ctx *c)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;
	int prot, ret, err, want = 0;

	m = vma_pick(c, &g, &a, &len);
	if (!m)
		{ op_mmap(c); return; }
	if (g->nvma >= MAX_VMA - 2)
		return;
	prot = prots[below(&c->r, 3)];
	if ((prot & PROT_WRITE) && !m->maywrite)
		want = EACCES;
	note_op(c, OP_MPROTECT, "mprotect id=%d %#lx+%zu prot %d->%d may=%d",
		g->id, (unsigned long)a, len, m->prot, prot, m->maywrite);
	ret = mprotect((void *)a, len, prot);
	err = ret ? errno : 0;
	check_errno(c, OP_MPROTECT, "mprotect", ret, err,
		    ERRS(EACCES, ENOMEM));
	if (err == ENOMEM)
		return;
	if (err != want) {
		violation(c, "mprotect to %d of a mapping with maywrite=%d "
			  "(region %d seals %#x): %s, expected %s", prot,
			  m->maywrite, g->id, g->seals,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (err)
			return;
	}
	if (err || prot == m->prot)
		return;
	vma_split(g, m, a, len, false, prot);
}

static void op_touch(struct ctx *c)
{
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;
	uint64_t pg, v;

	m = vma_pick(c, &g, &a, &len);
	if (!m)
		{ op_mmap(c); return; }
	pg = m->pgoff + (a - m->start) / PG;
	if (!(m->prot & PROT_READ) || pg >= STAMP_PAGES ||
	    pg * PG + 8 > g->size)
		return;
	if ((m->prot & PROT_WRITE) && chance(&c->r, 50)) {
		v = rnd(&c->r) | 1;
		note_op(c, OP_TOUCH, "store id=%d page %llu", g->id,
			(unsigned long long)pg);
		memcpy((void *)a, &v, sizeof(v));
		g->stamp[pg] = v;
		return;
	}
	note_op(c, OP_TOUCH, "load id=%d page %llu", g->id,
		(unsigned long long)pg);
	memcpy(&v, (void *)a, sizeof(v));
	if (v != g->stamp[pg])
		violation(c, "region %d page %llu holds %#llx, stored %#llx",
			  g->id, (unsigned long long)pg, (unsigned long long)v,
			  (unsigned long long)g->stamp[pg]);
}

static void op_madvise(struct ctx *c)
{
	struct preg *g;
	struct vma *m;
	uintptr_t a;
	size_t len;
	int adv, ret, err, want = 0;

	m = vma_pick(c, &g, &a, &len);
	if (!m)
		{ op_mmap(c); return; }
	switch (below(&c->r, 4)) {
	case 0:
		adv = MADV_DONTNEED;
		break;
	case 1:
		adv = MADV_WILLNEED;
		break;
	case 2:
		adv = MADV_COLD;
		break;
	default:
		adv = MADV_REMOVE;
		if (!m->shared || !(m->prot & PROT_WRITE))
			want = EACCES;
		break;
	}
	note_op(c, OP_MADVISE, "madvise id=%d %#lx+%zu %d", g->id,
		(unsigned long)a, len, adv);
	ret = madvise((void *)a, len, adv);
	err = ret ? errno : 0;
	if (err == ENOSYS) {
		no_madvise = true;
		return;
	}
	check_errno(c, OP_MADVISE, "madvise", ret, err, ERRS(EACCES, ENOMEM,
							     EINVAL));
	if (err != want) {
		violation(c, "madvise %d: %s, expected %s", adv,
			  err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		return;
	}
	if (!err && adv == MADV_REMOVE) {
		uint64_t pg = m->pgoff + (a - m->start) / PG;

		for (uint64_t i = 0; i < len / PG; i++)
			if (pg + i < STAMP_PAGES)
				g->stamp[pg + i] = 0;
	}
}

static void op_doorbell(struct ctx *c)
{
	struct preg *g = rg_pick(c, true);
	struct kipc_shm_doorbell db;
	struct rfd *f;
	struct pollfd pfd;
	struct argp a;
	long ret;
	int err, want = 0;

	if (!g)
		{ op_shm_get(c); return; }
	f = &g->fds[below(&c->r, g->nfds)];
	memset(&db, 0, sizeof(db));
	switch (below(&c->r, 5)) {
	case 0:
	case 1:
		if (chance(&c->r, 4))
			db.__reserved[0] = 1;
		a = arg_ptr(c, sizeof(db), pick_ptr(c, 5));
		arg_commit(&a, &db);
		note_op(c, OP_DOORBELL, "WAKE id=%d ptr=%d", g->id, a.kind);
		ret = ioctl(f->fd, KIPC_IOC_SHM_WAKE, a.p);
		err = check_errno(c, OP_DOORBELL, "SHM_WAKE", ret, errno,
				  ERRS(EFAULT, EINVAL));
		if (ptr_faults_early(a.kind) || arg_in_faults(&a)) {
			if (err != EFAULT)
				violation(c, "SHM_WAKE ptr %d: %s", a.kind,
					  strerror(err));
			return;
		}
		if (db.__reserved[0]) {
			if (err != EINVAL)
				violation(c, "SHM_WAKE reserved: %s",
					  strerror(err));
			return;
		}
		g->bell++;
		if (arg_out_faults(&a)) {
			if (err != EFAULT)
				violation(c, "SHM_WAKE ro arg: %s",
					  strerror(err));
			return;
		}
		arg_fetch(&a, &db);
		if (err || db.seq != g->bell)
			violation(c, "SHM_WAKE: %s seq %llu, expected %llu",
				  strerror(err), (unsigned long long)db.seq,
				  (unsigned long long)g->bell);
		return;
	case 2:
	case 3: {
		bool same = chance(&c->r, 50);

		db.seq = same ? g->bell : g->bell - 1 - below(&c->r, 5);
		db.timeout_ns = chance(&c->r, 30) ? -1 :
				(int64_t)below(&c->r, 2000000);
		if (chance(&c->r, 20))
			db.timeout_ns = 50 * 1000 * 1000;
		if (same)
			want = db.timeout_ns >= 0 && db.timeout_ns < 5000000 ?
			       ETIMEDOUT : EINTR;
		note_op(c, OP_DOORBELL, "WAIT id=%d seq=%llu (bell %llu) "
			"timeout=%lld", g->id, (unsigned long long)db.seq,
			(unsigned long long)g->bell,
			(long long)db.timeout_ns);
		arm(c);
		ret = ioctl(f->fd, KIPC_IOC_SHM_WAIT, &db);
		err = ret ? errno : 0;
		disarm(c);
		check_errno(c, OP_DOORBELL, "SHM_WAIT", ret, err,
			    ERRS(ETIMEDOUT, EINTR));
		/* A short timeout may beat the timer or lose to it. */
		if (same && (err == ETIMEDOUT || err == EINTR) &&
		    db.timeout_ns >= 0)
			return;
		if (err != want || (!err && db.seq != g->bell)) {
			violation(c, "SHM_WAIT seq %llu bell %llu timeout %lld:"
				  " %s seq %llu, expected %s",
				  (unsigned long long)(same ? g->bell : 0),
				  (unsigned long long)g->bell,
				  (long long)db.timeout_ns,
				  err ? strerror(err) : "success",
				  (unsigned long long)db.seq,
				  want ? strerror(want) : "success");
			return;
		}
		if (!err)
			f->bell_seen = g->bell;
		return;
	}
	default:
		pfd = (struct pollfd){ .fd = f->fd, .events = POLLIN };
		note_op(c, OP_DOORBELL, "poll region id=%d", g->id);
		ret = poll(&pfd, 1, 0);
		if (ret < 0 ||
		    !!(pfd.revents & POLLIN) != (g->bell != f->bell_seen))
			violation(c, "poll region %d: %ld revents %#x, bell %llu"
				  " seen %llu", g->id, ret, pfd.revents,
				  (unsigned long long)g->bell,
				  (unsigned long long)f->bell_seen);
		return;
	}
}

static void op_seals(struct ctx *c)
{
	struct preg *g = rg_pick(c, true);
	struct kipc_shm_seals s;
	struct rfd *f;
	uint32_t add;
	long ret;
	int err, want = 0;

	if (!g)
		{ op_shm_get(c); return; }
	f = &g->fds[below(&c->r, g->nfds)];
	memset(&s, 0, sizeof(s));
	if (chance(&c->r, 40)) {
		note_op(c, OP_SEALS, "GET_SEALS id=%d", g->id);
		ret = ioctl(f->fd, KIPC_IOC_SHM_GET_SEALS, &s);
		if (ret || s.seals != g->seals)
			violation(c, "GET_SEALS: %ld %#x, expected %#x", ret,
				  s.seals, g->seals);
		return;
	}
	add = 0;
	if (chance(&c->r, 40))
		add |= KIPC_SEAL_WRITE;
	if (chance(&c->r, 40))
		add |= KIPC_SEAL_FUTURE_WRITE;
	if (chance(&c->r, 15))
		add |= KIPC_SEAL_SEAL;
	if (chance(&c->r, 5))
		add |= 1u << (5 + below(&c->r, 27));
	s.seals = add;
	if (!f->rw)
		want = EPERM;
	else if (add & ~(KIPC_SEAL_SEAL | KIPC_SEAL_WRITE |
			 KIPC_SEAL_FUTURE_WRITE))
		want = EINVAL;
	else if (g->seals & KIPC_SEAL_SEAL)
		want = EPERM;
	else if ((add & KIPC_SEAL_WRITE) && !(g->seals & KIPC_SEAL_WRITE) &&
		 rg_shared_vma(g))
		want = EBUSY;
	note_op(c, OP_SEALS, "ADD_SEALS id=%d %#x (has %#x) rw=%d", g->id,
		add, g->seals, f->rw);
	ret = ioctl(f->fd, KIPC_IOC_SHM_ADD_SEALS, &s);
	err = ret ? errno : 0;
	check_errno(c, OP_SEALS, "ADD_SEALS", ret, err,
		    ERRS(EPERM, EINVAL, EBUSY));
	if (err == EBUSY && !want && !certain(c))
		return;		/* a child holds a writable mapping */
	if (err != want) {
		violation(c, "ADD_SEALS %#x on %#x (rw fd=%d, shared maps=%d):"
			  " %s, expected %s", add, g->seals, f->rw,
			  rg_shared_vma(g), err ? strerror(err) : "success",
			  want ? strerror(want) : "success");
		if (err)
			return;
	}
	if (!err)
		g->seals |= add;
}

/* ---------------------------------------------------------------- */
/* Module-wide queries. */

static void op_shm_list(struct ctx *c)
{
	struct kipc_shm_list l;
	int32_t *ids = (int32_t *)c->vbuf;
	struct argp a;
	uint32_t nr = (uint32_t)below(&c->r, 300);
	enum ptr_kind ik = pick_ptr(c, 10);
	long ret;
	int err;

	memset(&l, 0, sizeof(l));
	l.nr_ids = nr;
	switch (ik) {
	case P_VALID:
	case P_MISALIGNED:
		l.ids = (uintptr_t)ids + (ik == P_MISALIGNED);
		break;
	case P_STRADDLE:
		l.ids = (uintptr_t)(c->rw_edge + PG - 8);
		break;
	case P_RDONLY:
		l.ids = (uintptr_t)c->ro;
		break;
	case P_KERNEL:
		l.ids = 0xffffffff81000000ULL;
		break;
	default:
		l.ids = 0;
		break;
	}
	if (chance(&c->r, 3))
		l.__reserved[0] = 1;
	a = arg_ptr(c, sizeof(l), pick_ptr(c, 5));
	arg_commit(&a, &l);
	note_op(c, OP_SHM_LIST, "SHM_LIST nr=%u ids-ptr=%d ptr=%d", nr, ik,
		a.kind);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_LIST, a.p);
	err = check_errno(c, OP_SHM_LIST, "SHM_LIST", ret, errno,
			  ERRS(EFAULT, EINVAL, ENOMEM));
	if (ptr_faults_early(a.kind) || arg_in_faults(&a)) {
		if (err != EFAULT)
			violation(c, "SHM_LIST ptr %d: %s", a.kind,
				  strerror(err));
		return;
	}
	if (l.__reserved[0]) {
		if (err != EINVAL)
			violation(c, "SHM_LIST reserved: %s", strerror(err));
		return;
	}
	if (err || arg_out_faults(&a))
		return;
	arg_fetch(&a, &l);
	/* Our own regions (not removed) must all be there. */
	if (ik == P_VALID && l.count <= nr) {
		for (int i = 0; i < MAX_REG; i++) {
			struct preg *g = &c->rg[i];
			bool found = false;

			if (!g->used)
				continue;
			for (uint32_t j = 0; j < l.count; j++)
				found |= ids[j] == g->id;
			if (!found)
				violation(c, "SHM_LIST: region %d missing", g->id);
		}
	}
}

static void op_stats(struct ctx *c)
{
	struct kipc_stats st;
	struct argp a = arg_ptr(c, sizeof(st), pick_ptr(c, 10));
	long ret;
	int err;

	note_op(c, OP_STATS, "STATS ptr=%d", a.kind);
	ret = ioctl(c->ctl, KIPC_IOC_STATS, a.p);
	err = check_errno(c, OP_STATS, "STATS", ret, errno, ERRS(EFAULT));
	if (arg_out_faults(&a)) {
		if (err != EFAULT)
			violation(c, "STATS ptr %d: %ld", a.kind, ret);
		return;
	}
	arg_fetch(&a, &st);
	if (ret || st.named_chans > st.chans || st.chans > st.chans_created ||
	    st.bytes_read > st.bytes_written)
		violation(c, "STATS: chans %llu named %llu created %llu read "
			  "%llu written %llu", (unsigned long long)st.chans,
			  (unsigned long long)st.named_chans,
			  (unsigned long long)st.chans_created,
			  (unsigned long long)st.bytes_read,
			  (unsigned long long)st.bytes_written);
}

/* ---------------------------------------------------------------- */
/* Fuzzed control ioctls: garbage in, an errno of the set out. */

static void random_name(struct ctx *c, char *name, bool *valid)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
				 "RSTUVWXYZ0123456789._-";
	size_t len;

	*valid = true;
	switch (below(&c->r, 12)) {
	case 0:
		strcpy(name, "");
		*valid = false;
		return;
	case 1:
		strcpy(name, chance(&c->r, 50) ? "." : "..");
		*valid = false;
		return;
	case 2:
		strcpy(name, "control");
		*valid = false;
		return;
	case 3:
		/* 255 valid chars: the longest name */
		memset(name, 'z', KIPC_NAME_MAX);
		memcpy(name, "kfzg-", 5);
		name[5] = ok[below(&c->r, sizeof(ok) - 1)];
		name[KIPC_NAME_MAX] = 0;
		return;
	case 4:
		/* no NUL at all */
		memset(name, 'k', KIPC_NAME_MAX + 1);
		*valid = false;
		return;
	default:
		break;
	}
	snprintf(name, 32, "kfzg-%u", (unsigned int)below(&c->r, 64));
	len = strlen(name);
	if (chance(&c->r, 30)) {
		static const char bad[] = "/\\ \t\n*?:\xe9\x80\xff~!@";

		name[below(&c->r, len + 1)] = bad[below(&c->r, sizeof(bad) -
							1)];
		name[len + 1] = 0;
		*valid = strchr(name, '/') == NULL && 0;
		/* Either a bad byte went in, or it landed on the NUL. */
		for (size_t i = 0; name[i]; i++)
			if (!strchr(ok, name[i]))
				return;
		*valid = strcmp(name, "control") != 0;
	}
}

static void op_ctl_fuzz(struct ctx *c)
{
	union {
		struct kipc_version v;
		struct kipc_chan_pair p;
		struct kipc_chan_name n;
		struct kipc_stats st;
		struct kipc_shm_get g;
		struct kipc_shm_open o;
		struct kipc_shm_stat s;
		struct kipc_shm_set set;
		struct kipc_shm_id id;
		struct kipc_shm_list l;
		char raw[512];
	} u;
	const struct {
		unsigned long cmd;
		const char *name;
		const int *errs;
	} cmds[] = {
		{ KIPC_IOC_VERSION, "VERSION", ERRS(EFAULT, EINVAL) },
		{ KIPC_IOC_CHAN_PAIR, "CHAN_PAIR",
		  ERRS(EFAULT, EINVAL, EPERM, ENOMEM, ENFILE, EMFILE) },
		{ KIPC_IOC_CHAN_CREATE, "CHAN_CREATE",
		  ERRS(EFAULT, EINVAL, EPERM, EEXIST, ENOSPC, ENOMEM) },
		{ KIPC_IOC_CHAN_REMOVE, "CHAN_REMOVE",
		  ERRS(EFAULT, EINVAL, ENOENT, EPERM) },
		{ KIPC_IOC_STATS, "STATS", ERRS(EFAULT) },
		{ KIPC_IOC_SHM_GET, "SHM_GET",
		  ERRS(EFAULT, EINVAL, ENOENT, EEXIST, EACCES, ENOSPC, ENOMEM,
		       ENFILE) },
		{ KIPC_IOC_SHM_OPEN, "SHM_OPEN",
		  ERRS(EFAULT, EINVAL, EACCES, ENOMEM, EMFILE, ENFILE) },
		{ KIPC_IOC_SHM_STAT, "SHM_STAT", ERRS(EFAULT, EINVAL, EACCES) },
		{ KIPC_IOC_SHM_SET, "SHM_SET", ERRS(EFAULT, EINVAL, EPERM) },
		{ KIPC_IOC_SHM_RMID, "SHM_RMID", ERRS(EFAULT, EINVAL, EPERM) },
		{ KIPC_IOC_SHM_LIST, "SHM_LIST", ERRS(EFAULT, EINVAL, ENOMEM) },
	};
	int which = (int)below(&c->r, sizeof(cmds) / sizeof(cmds[0]));
	size_t size = _IOC_SIZE(cmds[which].cmd);
	bool name_valid = true, junk = false;
	struct argp a;
	long ret;
	int err;

	memset(&u, 0, sizeof(u));
	switch (which) {
	case 1:
		u.p.flags = chance(&c->r, 70) ? (uint32_t)(rnd(&c->r) &
			(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) :
			(uint32_t)rnd(&c->r);
		u.p.capacity = choose_cap(c, false);
		break;
	case 2:
	case 3:
		random_name(c, u.n.name, &name_valid);
		u.n.mode = chance(&c->r, 80) ? 0600 : (uint32_t)rnd(&c->r);
		if (which == 3)
			u.n.mode = chance(&c->r, 90) ? 0 : 1;
		u.n.capacity = which == 2 ? choose_cap(c, false) :
			       (chance(&c->r, 90) ? 0 : 4096);
		break;
	case 5:
		u.g.key = chance(&c->r, 50) ? KIPC_SHM_PRIVATE :
			  (int64_t)(RACE_KEY + 16 + below(&c->r, 4));
		u.g.size = chance(&c->r, 80) ? choose_size(c) : rnd(&c->r);
		u.g.flags = (uint32_t)below(&c->r, 8);
		u.g.mode = chance(&c->r, 80) ? 0600 : (uint32_t)below(&c->r,
								      04000);
		break;
	case 6:
		u.o.id = (int32_t)(chance(&c->r, 50) ? below(&c->r, 64) :
				   rnd(&c->r));
		u.o.flags = chance(&c->r, 70) ? (uint32_t)below(&c->r, 3) :
			    (uint32_t)rnd(&c->r);
		break;
	case 7:
		u.s.id = (int32_t)(chance(&c->r, 50) ? below(&c->r, 64) :
				   rnd(&c->r));
		break;
	case 8:
	case 9:
		/* Never the ids of other threads' tracked regions. */
		u.set.id = chance(&c->r, 50) ? -1 - (int32_t)below(&c->r, 9) :
			   INT32_MAX - (int32_t)below(&c->r, 9);
		u.set.mode = (uint32_t)rnd(&c->r);
		break;
	case 10:
		u.l.ids = (uintptr_t)c->vbuf;
		u.l.nr_ids = (uint32_t)(chance(&c->r, 80) ? below(&c->r, 100) :
					rnd(&c->r));
		if (u.l.nr_ids > 4096 && chance(&c->r, 80))
			u.l.nr_ids = 4096;
		break;
	default:
		break;
	}
	/* Reserved fields and random bytes. */
	if (chance(&c->r, 15)) {
		junk = true;
		u.raw[size - 1 - below(&c->r, 16)] ^= (char)(1 + below(&c->r,
									255));
	}
	if (chance(&c->r, 5)) {
		junk = true;
		for (size_t i = 0; i < size; i++)
			u.raw[i] = (char)rnd(&c->r);
	}
	if (which == 8 || which == 9)
		u.set.id = -1 - (int32_t)below(&c->r, 9);
	a = arg_ptr(c, size, pick_ptr(c, 20));
	arg_commit(&a, &u);
	note_op(c, OP_CTL_FUZZ, "%s ptr=%d junk=%d name_valid=%d",
		cmds[which].name, a.kind, junk, name_valid);
	ret = ioctl(c->ctl, cmds[which].cmd, a.p);
	err = check_errno(c, OP_CTL_FUZZ, cmds[which].name, ret, errno,
			  cmds[which].errs);
	if ((ptr_faults_early(a.kind) || arg_in_faults(&a)) && err != EFAULT)
		violation(c, "%s with an unreadable argument (ptr %d, %zu of "
			  "%zu bytes): %ld %s", cmds[which].name, a.kind,
			  a.valid, size, ret, strerror(err));
	if (!junk && !name_valid && (which == 2 || which == 3) &&
	    !ptr_faults_early(a.kind) && !arg_in_faults(&a) && err != EINVAL)
		violation(c, "%s of an invalid name: %s", cmds[which].name,
			  err ? strerror(err) : "success");
	if (ret)
		return;
	/* Undo what succeeded. */
	if (arg_out_faults(&a)) {
		if (which == 0 || which == 1 || which == 4 || which == 5 ||
		    which == 6 || which == 7 || which == 10)
			violation(c, "%s succeeded with an output it could not"
				  " write (ptr %d)", cmds[which].name, a.kind);
		return;
	}
	arg_fetch(&a, &u);
	switch (which) {
	case 0:
		if (u.v.abi != KIPC_ABI_VERSION)
			violation(c, "VERSION: abi %u", u.v.abi);
		break;
	case 1:
		if (u.p.rfd < 0 || u.p.wfd < 0 || u.p.rfd == u.p.wfd)
			violation(c, "CHAN_PAIR fds %d %d", u.p.rfd, u.p.wfd);
		ufd_add(c, u.p.rfd, U_CHAN);
		ufd_add(c, u.p.wfd, U_CHAN);
		break;
	case 2:
		if (!name_valid && !junk)
			violation(c, "CHAN_CREATE of invalid name succeeded");
		memset(&u.n.mode, 0, sizeof(u.n) - sizeof(u.n.name));
		u.n.name[KIPC_NAME_MAX] = 0;
		/* kfzg-* names are everyone's: another thread may have won. */
		if (ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &u.n) && errno != ENOENT)
			violation(c, "CHAN_REMOVE of what CHAN_CREATE made: %s",
				  strerror(errno));
		break;
	case 5: {
		struct kipc_shm_id id = { .id = u.g.id };

		/* Shared keys are the race ops' business. */
		if (u.g.key == KIPC_SHM_PRIVATE)
			ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
		break;
	}
	case 6:
		/* It may be another thread's region: do nothing with it. */
		close(u.o.fd);
		break;
	default:
		break;
	}
}

/* A random command on a random fd: ENOTTY for all that are not kipc's. */
static bool generic_vfs_ioctl(unsigned long cmd)
{
	/* do_vfs_ioctl(): FIFREEZE, FS_IOC_*XATTR, FICLONE* and friends. */
	switch (_IOC_TYPE(cmd)) {
	case 'X':
	case 'f':
	case 0x94:
		return true;
	}
	switch (cmd) {
	case FIOCLEX: case FIONCLEX: case FIONBIO: case FIOASYNC:
	case FIOQSIZE: case FIGETBSZ: case FIONREAD:
		return true;
	}
	return false;
}

static bool kipc_cmd(unsigned long cmd)
{
	static const unsigned long all[] = {
		KIPC_IOC_VERSION, KIPC_IOC_CHAN_PAIR, KIPC_IOC_CHAN_CREATE,
		KIPC_IOC_CHAN_REMOVE, KIPC_IOC_SHM_GET, KIPC_IOC_SHM_OPEN,
		KIPC_IOC_SHM_STAT, KIPC_IOC_SHM_SET, KIPC_IOC_SHM_RMID,
		KIPC_IOC_SHM_LIST, KIPC_IOC_STATS, KIPC_IOC_GET_CAPACITY,
		KIPC_IOC_SET_CAPACITY, KIPC_IOC_CHAN_STATS, KIPC_IOC_SHM_WAKE,
		KIPC_IOC_SHM_WAIT, KIPC_IOC_SHM_ADD_SEALS,
		KIPC_IOC_SHM_GET_SEALS,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] == cmd)
			return true;
	return false;
}

static void op_rand_ioctl(struct ctx *c)
{
	unsigned long cmd;
	struct argp a;
	int fd, fdi, err;
	long ret;
	struct pchan *ch;
	struct preg *g;

	do {
		if (chance(&c->r, 60))
			cmd = _IOC((unsigned int)below(&c->r, 4), KIPC_IOC_MAGIC,
				   (unsigned int)below(&c->r, 0x40),
				   (unsigned int)below(&c->r, 600));
		else
			cmd = (unsigned int)rnd(&c->r);
	} while (kipc_cmd(cmd) || generic_vfs_ioctl(cmd));
	switch (below(&c->r, 3)) {
	case 0:
		fd = c->ctl;
		break;
	case 1:
		ch = ch_pick(c, false, false, &fdi);
		fd = ch ? ch->fds[fdi].fd : c->ctl;
		break;
	default:
		g = rg_pick(c, true);
		fd = g ? g->fds[0].fd : c->ctl;
		break;
	}
	a = arg_ptr(c, 600, pick_ptr(c, 30));
	if (a.valid)
		memset(c->arg, 0, sizeof(c->arg));
	note_op(c, OP_RAND_IOCTL, "ioctl fd=%d cmd=%#lx", fd, cmd);
	ret = ioctl(fd, cmd, a.p);
	err = ret ? errno : 0;
	check_errno(c, OP_RAND_IOCTL, "unknown ioctl", ret, err, ERRS(ENOTTY));
	if (err != ENOTTY)
		violation(c, "ioctl %#lx on fd %d: %ld %s, expected ENOTTY", cmd,
			  fd, ret, strerror(err));
}

/* fdinfo, sysfs attributes, the debugfs table: readers of the objects. */
static void op_proc(struct ctx *c)
{
	char path[128];
	int fd, fdi;
	struct pchan *ch;
	struct preg *g;

	switch (below(&c->r, 4)) {
	case 0:
		ch = ch_pick(c, false, false, &fdi);
		if (!ch)
			return;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 ch->fds[fdi].fd);
		break;
	case 1:
		g = rg_pick(c, true);
		if (!g)
			return;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 g->fds[0].fd);
		break;
	case 2: {
		static const char *const attrs[] = {
			"queued", "capacity", "readers", "writers", "bytes_read",
			"bytes_written", "read_waits", "write_waits",
			"high_water",
		};

		snprintf(path, sizeof(path), "/sys/class/kipc/kfzr-%u/%s",
			 (unsigned int)below(&c->r, RACE_NAMES),
			 attrs[below(&c->r, 9)]);
		break;
	}
	default:
		snprintf(path, sizeof(path), "/sys/kernel/debug/kipc/shm");
		break;
	}
	note_op(c, OP_PROC, "read %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (read(fd, c->vbuf, IOBUF) > 0)
		;
	close(fd);
}

/* ---------------------------------------------------------------- */
/* Races: names and keys every thread of every worker shares. */

static void op_race_chan(struct ctx *c)
{
	struct kipc_chan_name n;
	char path[64];
	unsigned int k = (unsigned int)below(&c->r, RACE_NAMES);
	int fd, err, flags;
	long ret;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "kfzr-%u", k);
	switch (below(&c->r, 5)) {
	case 0:
		n.mode = 0666;
		n.capacity = chance(&c->r, 70) ? 0 : KIPC_CAPACITY_MIN +
			     below(&c->r, 32768);
		note_op(c, OP_RACE_CHAN, "race create %s", n.name);
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_CREATE, &n);
		check_errno(c, OP_RACE_CHAN, "race CHAN_CREATE", ret, errno,
			    ERRS(EEXIST, ENOSPC, ENOMEM, EPERM));
		return;
	case 1:
		note_op(c, OP_RACE_CHAN, "race remove %s", n.name);
		ret = ioctl(c->ctl, KIPC_IOC_CHAN_REMOVE, &n);
		check_errno(c, OP_RACE_CHAN, "race CHAN_REMOVE", ret, errno,
			    ERRS(ENOENT, EPERM));
		return;
	default:
		break;
	}
	snprintf(path, sizeof(path), "/dev/kipc/kfzr-%u", k);
	flags = (int)below(&c->r, 3) | O_CLOEXEC;
	if (chance(&c->r, 80) || (flags & O_ACCMODE) != O_RDWR)
		flags |= O_NONBLOCK;
	if (chance(&c->r, 10))
		flags &= ~O_NONBLOCK;	/* waits: the timer ends it */
	if (chance(&c->r, 10))
		flags |= O_DIRECT;
	note_op(c, OP_RACE_CHAN, "race open %s %#x", path, flags);
	arm(c);
	fd = open(path, flags);
	err = errno;
	disarm(c);
	if (fd < 0) {
		check_errno(c, OP_RACE_CHAN, "race open", fd, err,
			    ERRS(ENOENT, ENXIO, EINTR, ENOMEM, EMFILE, ENFILE,
				 EACCES));
		return;
	}
	ufd_add(c, fd, U_CHAN);
}

static void op_race_shm(struct ctx *c)
{
	unsigned int k = (unsigned int)below(&c->r, RACE_NAMES);
	struct kipc_shm_get get;
	struct kipc_shm_open op;
	struct kipc_shm_id id;
	long ret;
	int err;

	memset(&get, 0, sizeof(get));
	get.key = RACE_KEY + k;
	get.size = PG * (1 + k);
	get.mode = 0666;
	get.flags = chance(&c->r, 70) ? KIPC_SHM_CREAT : 0;
	if (chance(&c->r, 20))
		get.flags |= KIPC_SHM_EXCL;
	note_op(c, OP_RACE_SHM, "race SHM_GET key %#llx flags %u",
		(unsigned long long)get.key, get.flags);
	ret = ioctl(c->ctl, KIPC_IOC_SHM_GET, &get);
	err = check_errno(c, OP_RACE_SHM, "race SHM_GET", ret, errno,
			  ERRS(ENOENT, EEXIST, ENOMEM, ENOSPC, ENFILE));
	if (ret)
		return;
	(void)err;
	switch (below(&c->r, 4)) {
	case 0:
		memset(&id, 0, sizeof(id));
		id.id = get.id;
		note_op(c, OP_RACE_SHM, "race SHM_RMID %d", get.id);
		ret = ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
		/* Another thread may have removed it and it is gone. */
		check_errno(c, OP_RACE_SHM, "race SHM_RMID", ret, errno,
			    ERRS(EINVAL, EPERM));
		return;
	default:
		memset(&op, 0, sizeof(op));
		op.id = get.id;
		op.flags = (chance(&c->r, 70) ? O_RDWR : O_RDONLY) | O_CLOEXEC;
		note_op(c, OP_RACE_SHM, "race SHM_OPEN %d", get.id);
		ret = ioctl(c->ctl, KIPC_IOC_SHM_OPEN, &op);
		err = check_errno(c, OP_RACE_SHM, "race SHM_OPEN", ret, errno,
				  ERRS(EINVAL, ENOMEM, EMFILE, ENFILE));
		if (ret)
			return;
		ufd_add(c, op.fd, U_REGION);
		if (chance(&c->r, 60)) {
			bool w = (op.flags & O_ACCMODE) == O_RDWR &&
				 chance(&c->r, 70);
			char *p = mmap(NULL, get.size, PROT_READ |
				       (w ? PROT_WRITE : 0), MAP_SHARED, op.fd,
				       0);

			if (p == MAP_FAILED) {
				check_errno(c, OP_RACE_SHM, "race mmap", -1,
					    errno, ERRS(EPERM, ENOMEM));
				return;
			}
			/* The whole of it must be there: no SIGBUS. */
			for (size_t i = 0; i < get.size; i += PG) {
				if (w)
					p[i] = (char)k;
				else
					(void)*(volatile char *)(p + i);
			}
			umap_add(c, p, get.size, w);
		}
		return;
	}
}

/* Untracked fds: anything goes, only the errnos are checked. */
static void op_ufd(struct ctx *c)
{
	struct ufd *u;
	struct iovplan v;
	struct pollfd pfd;
	int i, err;
	long ret;

	if (!c->nufd)
		{ op_race_chan(c); return; }
	i = (int)below(&c->r, c->nufd);
	u = &c->ufd[i];
	switch (below(&c->r, 9)) {
	case 0:
		note_op(c, OP_UFD, "ufd close %d", u->fd);
		close(u->fd);
		*u = c->ufd[--c->nufd];
		return;
	case 1:
	case 2:
		plan_iov(c, &v, c->buf, choose_len(c), chance(&c->r, 50), true);
		memset(c->buf, 'u', v.total < IOBUF ? v.total : IOBUF);
		note_op(c, OP_UFD, "ufd write %d len %llu ptr %d", u->fd,
			(unsigned long long)v.total, v.kind);
		arm(c);
		ret = writev(u->fd, v.iov, v.n);
		err = errno;
		disarm(c);
		check_errno(c, OP_UFD, "ufd write", ret, err,
			    ERRS(EAGAIN, EFAULT, EPIPE, EINTR, EBADF, EINVAL,
				 ENOMEM));
		return;
	case 3:
	case 4:
		plan_iov(c, &v, c->vbuf, choose_len(c), chance(&c->r, 50),
			 true);
		note_op(c, OP_UFD, "ufd read %d len %llu ptr %d", u->fd,
			(unsigned long long)v.total, v.kind);
		arm(c);
		ret = readv(u->fd, v.iov, v.n);
		err = errno;
		disarm(c);
		check_errno(c, OP_UFD, "ufd read", ret, err,
			    ERRS(EAGAIN, EFAULT, EINTR, EBADF, EINVAL));
		return;
	case 5:
		pfd = (struct pollfd){ .fd = u->fd, .events = POLLIN | POLLOUT };
		note_op(c, OP_UFD, "ufd poll %d", u->fd);
		ret = poll(&pfd, 1, chance(&c->r, 90) ? 0 : 1);
		check_errno(c, OP_UFD, "ufd poll", ret, errno, ERRS(EINTR));
		return;
	case 6: {
		static const unsigned long cmds[] = {
			KIPC_IOC_GET_CAPACITY, KIPC_IOC_SET_CAPACITY,
			KIPC_IOC_CHAN_STATS, FIONREAD, KIPC_IOC_SHM_WAKE,
			KIPC_IOC_SHM_WAIT, KIPC_IOC_SHM_ADD_SEALS,
			KIPC_IOC_SHM_GET_SEALS,
		};
		unsigned long cmd = cmds[below(&c->r, 8)];
		struct argp a = arg_ptr(c, 64, pick_ptr(c, 20));
		char junk[64];

		memset(junk, 0, sizeof(junk));
		if (cmd == KIPC_IOC_SET_CAPACITY) {
			uint64_t cap = choose_cap(c, false);

			if (cap > TRACKED_CAP_MAX && cap <= KIPC_CAPACITY_CEILING)
				cap = TRACKED_CAP_MAX;
			memcpy(junk, &cap, sizeof(cap));
		} else if (cmd == KIPC_IOC_SHM_WAIT) {
			int64_t t = (int64_t)below(&c->r, 3000000) - 1000;

			memcpy(junk + 8, &t, sizeof(t));
		} else {
			for (int j = 0; j < 8; j++)
				junk[j] = (char)rnd(&c->r);
		}
		if (chance(&c->r, 10))
			junk[16 + below(&c->r, 16)] = 1;
		arg_commit(&a, junk);
		note_op(c, OP_UFD, "ufd ioctl %d %#lx ptr %d", u->fd, cmd,
			a.kind);
		arm(c);
		ret = ioctl(u->fd, cmd, a.p);
		err = errno;
		disarm(c);
		check_errno(c, OP_UFD, "ufd ioctl", ret, err,
			    ERRS(EFAULT, EINVAL, ENOTTY, EPERM, EBUSY, ENOMEM,
				 ETIMEDOUT, EINTR));
		return;
	}
	case 7:
		note_op(c, OP_UFD, "ufd dup/fcntl %d", u->fd);
		if (chance(&c->r, 50)) {
			int fd = dup(u->fd);

			if (fd >= 0)
				ufd_add(c, fd, u->kind);
		} else {
			int fl = fcntl(u->fd, F_GETFL);

			if (fl >= 0)
				fcntl(u->fd, F_SETFL, fl ^ (chance(&c->r, 50) ?
				      O_NONBLOCK : O_DIRECT));
		}
		return;
	default:
		if (u->kind == U_REGION) {
			size_t len = PG * (1 + below(&c->r, 4));
			int prot = PROT_READ | (chance(&c->r, 50) ? PROT_WRITE :
						0);
			char *p;

			note_op(c, OP_UFD, "ufd mmap %d len %zu", u->fd, len);
			p = mmap(NULL, len, prot, MAP_SHARED, u->fd,
				 PG * below(&c->r, 3));
			if (p == MAP_FAILED) {
				check_errno(c, OP_UFD, "ufd mmap", -1, errno,
					    ERRS(EINVAL, EACCES, EPERM,
						 ENOMEM));
				return;
			}
			for (size_t j = 0; j < len; j += PG)
				(void)*(volatile char *)(p + j);
			munmap(p, len);
			return;
		}
		note_op(c, OP_UFD, "ufd splice %d", u->fd);
		if (c->pipe_r >= 0) {
			/* The fd may block (SPLICE_F_NONBLOCK is the pipe's). */
			arm(c);
			ret = splice(u->fd, NULL, c->pipe_w, NULL,
				     1 + below(&c->r, 8192), SPLICE_F_NONBLOCK);
			err = errno;
			disarm(c);
			check_errno(c, OP_UFD, "ufd splice", ret, err,
				    ERRS(EAGAIN, EINVAL, EBADF, EINTR, ENOMEM,
					 EFAULT));
			while (read(c->pipe_r, c->vbuf, IOBUF) > 0)
				;
		}
		return;
	}
}

/* ---------------------------------------------------------------- */
/* Closing, forking, killing. */

static void op_close(struct ctx *c)
{
	struct pchan *ch;
	struct preg *g;
	int fdi;

	switch (below(&c->r, 4)) {
	case 0:
		g = rg_pick(c, true);
		if (!g)
			return;
		note_op(c, OP_CLOSE, "close region fd %d", g->fds[0].fd);
		fdi = (int)below(&c->r, g->nfds);
		close(g->fds[fdi].fd);
		g->fds[fdi] = g->fds[--g->nfds];
		rg_maybe_gone(g);
		return;
	case 1:
		if (c->numap) {
			int i = (int)below(&c->r, c->numap);

			note_op(c, OP_CLOSE, "munmap untracked %p",
				(void *)c->umap[i].p);
			munmap(c->umap[i].p, c->umap[i].len);
			c->umap[i] = c->umap[--c->numap];
			return;
		}
		/* fall through */
	default:
		ch = ch_pick(c, false, false, &fdi);
		if (!ch)
			return;
		note_op(c, OP_CLOSE, "close channel fd %d", ch->fds[fdi].fd);
		ch_close_fd(c, ch, fdi);
		return;
	}
}

static void run_ops(struct ctx *c, uint64_t n);
static void ctx_cleanup(struct ctx *c);

/* Reap children that are done; a crash of one is a failure. */
static void reap(struct ctx *c, bool block)
{
	for (int i = 0; i < c->nkids; i++) {
		int st;
		pid_t p = waitpid(c->kids[i], &st, block ? 0 : WNOHANG);

		if (p == 0)
			continue;
		if (p == c->kids[i] && WIFSIGNALED(st) &&
		    WTERMSIG(st) != SIGKILL)
			violation(c, "child %d died of signal %d", (int)p,
				  WTERMSIG(st));
		else if (p == c->kids[i] && WIFEXITED(st) && WEXITSTATUS(st))
			violation(c, "child %d exited %d", (int)p,
				  WEXITSTATUS(st));
		c->kids[i] = c->kids[--c->nkids];
		if (atomic_fetch_sub(&kids_alive, 1) == 1)
			atomic_fetch_add(&kids_gone_epoch, 1);
		i--;
	}
}

static void op_fork(struct ctx *c)
{
	uint64_t seed = rnd(&c->r), n = 5 + below(&c->r, 40);
	bool drop = chance(&c->r, 25);
	pid_t pid;

	reap(c, false);
	if (c->kid || c->nkids == MAX_KIDS)
		return;
	note_op(c, OP_FORK, "fork: %llu ops%s", (unsigned long long)n,
		drop ? " unprivileged" : "");
	atomic_fetch_add(&kids_alive, 1);
	atomic_fetch_add(&fork_gen, 1);
	pid = fork();
	if (pid < 0) {
		if (atomic_fetch_sub(&kids_alive, 1) == 1)
			atomic_fetch_add(&kids_gone_epoch, 1);
		return;
	}
	if (pid == 0) {
		/* The child: its own objects; the inherited ones it closes. */
		for (int i = 0; i < MAX_PCHAN; i++) {
			struct pchan *ch = &c->ch[i];

			for (int j = 0; j < ch->nfds; j++)
				close(ch->fds[j].fd);
			ch->nfds = 0;
			ch->used = false;
		}
		for (int i = 0; i < MAX_REG; i++) {
			struct preg *g = &c->rg[i];

			for (int j = 0; j < g->nfds; j++)
				close(g->fds[j].fd);
			/* Unmap some of the copies, keep others to exit. */
			for (int j = 0; j < g->nvma; j++)
				if (seed & (1ULL << j))
					munmap((void *)g->vmas[j].start,
					       g->vmas[j].len);
			g->used = false;
		}
		/* The pipe for splice is the parent's: make our own. */
		if (c->pipe_r >= 0) {
			int p[2];

			close(c->pipe_r);
			close(c->pipe_w);
			c->pipe_r = c->pipe_w = -1;
			if (!pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
				c->pipe_r = p[0];
				c->pipe_w = p[1];
			}
		}
		c->kid = true;
		c->nkids = 0;
		atomic_store(&kids_alive, 0);
		rng_seed(&c->r, seed);
		timer_setup(c);
		if (drop) {
			if (setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(0);
			c->unpriv = true;
		}
		run_ops(c, n);
		ctx_cleanup(c);
		_exit(0);
	}
	c->kids[c->nkids++] = pid;
	if (deterministic)
		reap(c, true);
}

/* Remove every named channel whose name starts with @prefix. */
static void remove_chan_names(int ctl, const char *prefix)
{
	struct kipc_chan_name n;
	struct dirent *e;
	DIR *d = opendir("/sys/class/kipc");

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		memset(&n, 0, sizeof(n));
		snprintf(n.name, sizeof(n.name), "%s", e->d_name);
		ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &n);
	}
	closedir(d);
}

/*
 * A killed child never cleaned up: remove its named channels and its
 * private regions, or a long run fills max_channels and shm_mni with them
 * and then tests little but ENOSPC.  They were only ever the child's.
 */
static void forget_killed_child(struct ctx *c, pid_t pid)
{
	int32_t ids[512];
	struct kipc_shm_list l = { .ids = (uintptr_t)ids,
				   .nr_ids = sizeof(ids) / sizeof(ids[0]) };
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "kfz-%d-", (int)pid);
	remove_chan_names(c->ctl, prefix);
	if (ioctl(c->ctl, KIPC_IOC_SHM_LIST, &l))
		return;
	for (uint32_t i = 0; i < l.count && i < l.nr_ids; i++) {
		struct kipc_shm_stat st = { .id = ids[i] };
		struct kipc_shm_id id = { .id = ids[i] };

		if (!ioctl(c->ctl, KIPC_IOC_SHM_STAT, &st) &&
		    st.cpid == pid && st.key == KIPC_SHM_PRIVATE &&
		    !(st.mode & KIPC_SHM_DEST))
			ioctl(c->ctl, KIPC_IOC_SHM_RMID, &id);
	}
}

static void op_kill(struct ctx *c)
{
	pid_t pid;

	if (!c->nkids)
		{ op_fork(c); return; }
	pid = c->kids[0];
	note_op(c, OP_KILL, "kill child %d", (int)pid);
	kill(pid, SIGKILL);
	reap(c, true);
	forget_killed_child(c, pid);
}

/* ---------------------------------------------------------------- */
/* The loop. */

typedef void (*op_fn)(struct ctx *c);

static const op_fn op_fns[NR_OPS] = {
	[OP_PAIR] = op_pair, [OP_NAMED] = op_named,
	[OP_NAMED_OPEN] = op_named_open, [OP_NAMED_REMOVE] = op_named_remove,
	[OP_WRITE] = op_write, [OP_READ] = op_read, [OP_POLL] = op_poll,
	[OP_CHAN_IOCTL] = op_chan_ioctl, [OP_CLOSE] = op_close,
	[OP_DUP] = op_dup, [OP_FCNTL] = op_fcntl, [OP_SPLICE] = op_splice,
	[OP_FORK] = op_fork, [OP_SHM_GET] = op_shm_get,
	[OP_SHM_OPEN] = op_shm_open, [OP_SHM_STAT] = op_shm_stat,
	[OP_SHM_SET] = op_shm_set, [OP_SHM_RMID] = op_shm_rmid,
	[OP_MMAP] = op_mmap, [OP_MUNMAP] = op_munmap,
	[OP_MPROTECT] = op_mprotect, [OP_TOUCH] = op_touch,
	[OP_MADVISE] = op_madvise, [OP_DOORBELL] = op_doorbell,
	[OP_SEALS] = op_seals, [OP_SHM_LIST] = op_shm_list,
	[OP_STATS] = op_stats, [OP_CTL_FUZZ] = op_ctl_fuzz,
	[OP_RAND_IOCTL] = op_rand_ioctl, [OP_PROC] = op_proc,
	[OP_RACE_CHAN] = op_race_chan, [OP_RACE_SHM] = op_race_shm,
	[OP_UFD] = op_ufd, [OP_KILL] = op_kill,
};

static unsigned int weight_total;

static void run_ops(struct ctx *c, uint64_t n)
{
	struct timespec t0, t1;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t w = below(&c->r, weight_total);
		int k;

		for (k = 0; k < NR_OPS; k++) {
			if (w < op_weight[k])
				break;
			w -= op_weight[k];
		}
		if (c->kid && (k == OP_FORK || k == OP_KILL))
			k = OP_WRITE;
		if (k == OP_MADVISE && no_madvise)
			k = OP_TOUCH;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		certainty_begin(c);
		op_fns[k](c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		atomic_fetch_add(&sh->ns[k], (uint64_t)((t1.tv_sec - t0.tv_sec) *
			1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
		if (c->kid)
			atomic_fetch_add(&sh->kid_ops, 1);
		else
			atomic_fetch_add(&sh->ops, 1);
		if (!c->kid && (i & 15) == 0)
			reap(c, false);
	}
}

/* Everything this thread holds goes; its names and keys too. */
static void ctx_cleanup(struct ctx *c)
{
	while (c->nkids) {
		kill(c->kids[0], SIGKILL);
		reap(c, true);
	}
	certainty_begin(c);
	for (int i = 0; i < MAX_PCHAN; i++)
		if (c->ch[i].used)
			ch_drop(c, &c->ch[i]);
	for (int i = 0; i < MAX_REG; i++)
		if (c->rg[i].used)
			rg_drop(c, &c->rg[i]);
	while (c->nufd)
		close(c->ufd[--c->nufd].fd);
	while (c->numap) {
		c->numap--;
		munmap(c->umap[c->numap].p, c->umap[c->numap].len);
	}
}

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("kipc-fuzz: mmap");
		exit(2);
	}
	return p;
}

static void ctx_init_io(struct ctx *c)
{
	int p[2];
	char *edge;

	c->buf = map_or_die(IOBUF, PROT_READ | PROT_WRITE);
	c->vbuf = map_or_die(IOBUF, PROT_READ | PROT_WRITE);
	edge = map_or_die(3 * PG, PROT_READ | PROT_WRITE);
	mprotect(edge + PG, 2 * PG, PROT_NONE);
	c->rw_edge = edge;
	c->none = map_or_die(16 * PG + PG, PROT_NONE);
	c->ro = map_or_die(PG, PROT_READ);
	c->pipe_r = c->pipe_w = -1;
	if (!pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
		c->pipe_r = p[0];
		c->pipe_w = p[1];
	}
}

struct thread_arg {
	struct ctx *c;
	uint64_t n;
};

static void *thread_main(void *arg)
{
	struct thread_arg *ta = arg;
	struct ctx *c = ta->c;

	timer_setup(c);
	run_ops(c, ta->n);
	ctx_cleanup(c);
	return NULL;
}

static int worker(int w, uint64_t seed, uint64_t quota)
{
	struct thread_arg ta[MAX_WORKERS];
	pthread_t th[MAX_WORKERS];
	struct ctx *cs;
	int t;

	cs = map_or_die(sizeof(*cs) * opt_threads, PROT_READ | PROT_WRITE);
	for (t = 0; t < opt_threads; t++) {
		struct ctx *c = &cs[t];
		uint64_t s = seed ^ (0x1000193ULL * (uint64_t)(w + 1)) ^
			     (0x9e3779b1ULL * (uint64_t)(t + 1));
		uint64_t share = quota / opt_threads +
				 ((uint64_t)t < quota % opt_threads);

		rng_seed(&c->r, splitmix64(&s));
		c->slot = w * opt_threads + t;
		c->t = t;
		c->unpriv = geteuid() != 0;
		c->ctl = open(CONTROL, O_RDWR | O_CLOEXEC);
		if (c->ctl < 0) {
			say("# worker %d: %s: %s", w, CONTROL, strerror(errno));
			return 2;
		}
		ctx_init_io(c);
		ta[t] = (struct thread_arg){ c, share };
	}
	for (t = 1; t < opt_threads; t++)
		if (pthread_create(&th[t], NULL, thread_main, &ta[t])) {
			say("# worker %d: pthread_create failed", w);
			return 2;
		}
	thread_main(&ta[0]);
	for (t = 1; t < opt_threads; t++)
		pthread_join(th[t], NULL);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Before and after: the module's counts, and what is left to clean. */

static int list_regions(int ctl, int32_t *ids, uint32_t room)
{
	struct kipc_shm_list l = { .ids = (uintptr_t)ids, .nr_ids = room };

	if (ioctl(ctl, KIPC_IOC_SHM_LIST, &l))
		return -1;
	return (int)(l.count < room ? l.count : room);
}

/* Regions and names the run left behind (races, fuzzed creations). */
static void global_cleanup(int ctl, const int32_t *before, int nbefore)
{
	static int32_t ids[4096];
	int nids = list_regions(ctl, ids, 4096);

	for (int i = 0; i < nids; i++) {
		bool old = false;
		struct kipc_shm_id id = { .id = ids[i] };

		for (int j = 0; j < nbefore; j++)
			old |= before[j] == ids[i];
		if (!old)
			ioctl(ctl, KIPC_IOC_SHM_RMID, &id);
	}
	remove_chan_names(ctl, "kfz");
}

/* A stall: where is every task of ours in the kernel? */
static void dump_stacks(void)
{
	char path[600], buf[4096];
	struct dirent *pe, *te;
	DIR *pd = opendir("/proc"), *td;

	while (pd && (pe = readdir(pd))) {
		int fd;
		ssize_t n;

		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", pe->d_name);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0 || strncmp(buf, "kipc-fuzz", 9))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pe->d_name);
		td = opendir(path);
		while (td && (te = readdir(td))) {
			static const char *const files[] = { "wchan", "syscall",
							      "stack" };

			if (te->d_name[0] == '.')
				continue;
			for (int i = 0; i < 3; i++) {
				snprintf(path, sizeof(path),
					 "/proc/%s/task/%s/%s", pe->d_name,
					 te->d_name, files[i]);
				fd = open(path, O_RDONLY);
				n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) :
				    -1;
				if (fd >= 0)
					close(fd);
				if (n <= 0)
					continue;
				buf[n] = 0;
				for (char *l = strtok(buf, "\n"); l;
				     l = strtok(NULL, "\n"))
					printf("#   %s/%s %s: %s\n", pe->d_name,
					       te->d_name, files[i], l);
			}
		}
		if (td)
			closedir(td);
	}
	if (pd)
		closedir(pd);
}

/* ---------------------------------------------------------------- */
/* --smoke: every kind of object once, each result checked. */

#define SMOKE_LEFT_NAME	"kcyc-left"
#define SMOKE_LEFT_KEY	0x6b637963LL

static int smoke_fails;

#define SMOKE(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# smoke: %s:%d: %s failed (%s): ", __func__,	\
		       __LINE__, #cond, strerror(errno));		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		smoke_fails++;						\
	}								\
} while (0)

static void smoke_pair(int ctl)
{
	struct kipc_chan_pair p = { .flags = O_NONBLOCK | O_CLOEXEC };
	struct kipc_capacity cap = { .capacity = 8192 };
	struct kipc_chan_stats st;
	struct pollfd pfd;
	char buf[64];
	int n = -1, pp[2], d;

	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_PAIR, &p), "CHAN_PAIR");
	SMOKE(write(p.wfd, "hello", 5) == 5, "write");
	pfd = (struct pollfd){ .fd = p.rfd, .events = POLLIN };
	SMOKE(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "poll");
	SMOKE(!ioctl(p.rfd, FIONREAD, &n) && n == 5, "FIONREAD %d", n);
	SMOKE(!ioctl(p.wfd, KIPC_IOC_SET_CAPACITY, &cap), "SET_CAPACITY");
	memset(&cap, 0, sizeof(cap));
	SMOKE(!ioctl(p.rfd, KIPC_IOC_GET_CAPACITY, &cap) &&
	      cap.capacity == 8192, "GET_CAPACITY %llu",
	      (unsigned long long)cap.capacity);
	d = dup(p.rfd);
	SMOKE(read(d, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
	      "read");
	close(d);
	SMOKE(!pipe2(pp, O_NONBLOCK | O_CLOEXEC), "pipe2");
	SMOKE(write(pp[1], "spliced", 7) == 7, "pipe write");
	SMOKE(splice(pp[0], NULL, p.wfd, NULL, 7, 0) == 7, "splice in");
	SMOKE(splice(p.rfd, NULL, pp[1], NULL, 7, 0) == 7, "splice out");
	SMOKE(read(pp[0], buf, sizeof(buf)) == 7 && !memcmp(buf, "spliced", 7),
	      "pipe read");
	SMOKE(!ioctl(p.rfd, KIPC_IOC_CHAN_STATS, &st) &&
	      st.bytes_written == 12 && st.bytes_read == 12 && !st.queued,
	      "CHAN_STATS");
	close(pp[0]);
	close(pp[1]);
	close(p.wfd);
	SMOKE(read(p.rfd, buf, sizeof(buf)) == 0, "EOF");
	close(p.rfd);
}

static void smoke_named(int ctl, const char *name, bool leave)
{
	struct kipc_chan_name n;
	char path[300], buf[64];
	int r, w, fd;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	n.mode = 0600;
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_CREATE, &n), "CHAN_CREATE %s", name);
	snprintf(path, sizeof(path), "/dev/kipc/%s", name);
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	SMOKE(r >= 0 && w >= 0, "open %s", path);
	SMOKE(write(w, "fifo", 4) == 4, "write");
	snprintf(path, sizeof(path), "/sys/class/kipc/%s/queued", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	SMOKE(fd >= 0 && read(fd, buf, sizeof(buf)) == 2 && buf[0] == '4',
	      "%s", path);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", r);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	SMOKE(fd >= 0 && read(fd, buf, sizeof(buf)) > 0, "%s", path);
	if (fd >= 0)
		close(fd);
	SMOKE(read(r, buf, sizeof(buf)) == 4 && !memcmp(buf, "fifo", 4),
	      "read");
	close(r);
	close(w);
	if (leave)
		return;
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	SMOKE(!ioctl(ctl, KIPC_IOC_CHAN_REMOVE, &n), "CHAN_REMOVE");
}

static void smoke_region(int ctl, int64_t key, bool leave)
{
	struct kipc_shm_get g = { .key = key, .size = 2 * PG,
				  .flags = KIPC_SHM_CREAT | KIPC_SHM_EXCL,
				  .mode = 0600 };
	struct kipc_shm_open op = { .flags = O_RDWR | O_CLOEXEC };
	struct kipc_shm_doorbell db = { .timeout_ns = -1 };
	struct kipc_shm_seals seals = { .seals = KIPC_SEAL_FUTURE_WRITE };
	struct kipc_shm_stat st;
	struct kipc_shm_id id;
	struct pollfd pfd;
	char *rw, *ro;

	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_GET, &g), "SHM_GET");
	op.id = g.id;
	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_OPEN, &op), "SHM_OPEN");
	rw = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, op.fd, 0);
	ro = mmap(NULL, PG, PROT_READ, MAP_SHARED, op.fd, PG);
	SMOKE(rw != MAP_FAILED && ro != MAP_FAILED, "mmap");
	if (rw != MAP_FAILED && ro != MAP_FAILED) {
		strcpy(rw + PG, "shared");
		SMOKE(!strcmp(ro, "shared"), "coherent mappings");
	}
	memset(&st, 0, sizeof(st));
	st.id = g.id;
	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_STAT, &st) && st.nattch == 2,
	      "SHM_STAT nattch %llu", (unsigned long long)st.nattch);
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_WAKE, &db) && db.seq == 1, "WAKE");
	pfd = (struct pollfd){ .fd = op.fd, .events = POLLIN };
	SMOKE(poll(&pfd, 1, 0) == 1, "poll");
	db.seq = 0;
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_WAIT, &db) && db.seq == 1, "WAIT");
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_ADD_SEALS, &seals), "ADD_SEALS");
	SMOKE(mmap(NULL, PG, PROT_WRITE, MAP_SHARED, op.fd, 0) == MAP_FAILED &&
	      errno == EPERM, "sealed mmap");
	memset(&seals, 0, sizeof(seals));
	SMOKE(!ioctl(op.fd, KIPC_IOC_SHM_GET_SEALS, &seals) &&
	      seals.seals == KIPC_SEAL_FUTURE_WRITE, "GET_SEALS");
	if (rw != MAP_FAILED)
		munmap(rw, 2 * PG);
	if (ro != MAP_FAILED)
		munmap(ro, PG);
	close(op.fd);
	if (leave)
		return;
	memset(&id, 0, sizeof(id));
	id.id = g.id;
	SMOKE(!ioctl(ctl, KIPC_IOC_SHM_RMID, &id), "SHM_RMID");
}

/* Returns the failures; @leave keeps a named channel and a region. */
static int smoke(int ctl, bool leave)
{
	struct kipc_version v = { 0 };
	struct kipc_stats st;
	char name[64];

	smoke_fails = 0;
	SMOKE(!ioctl(ctl, KIPC_IOC_VERSION, &v) && v.abi == KIPC_ABI_VERSION,
	      "VERSION");
	smoke_pair(ctl);
	snprintf(name, sizeof(name), "kcyc-%d", (int)getpid());
	smoke_named(ctl, name, false);
	smoke_region(ctl, KIPC_SHM_PRIVATE, false);
	if (leave) {
		smoke_named(ctl, SMOKE_LEFT_NAME, true);
		smoke_region(ctl, SMOKE_LEFT_KEY, true);
	}
	SMOKE(!ioctl(ctl, KIPC_IOC_STATS, &st) &&
	      st.named_chans == (leave ? 1 : 0) &&
	      st.regions == (leave ? 1 : 0), "STATS: named %llu regions %llu",
	      (unsigned long long)st.named_chans,
	      (unsigned long long)st.regions);
	return smoke_fails;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kipc-fuzz [OPTION]...\n"
		"Drive kipc (/dev/kipc/control) with random but structured\n"
		"sequences of system calls and check every result.\n\n"
		"  -s, --seed S       seed (default: from the clock); printed\n"
		"  -n, --ops N        operations in all (default 100000)\n"
		"  -p, --procs P      worker processes (default 2)\n"
		"  -t, --threads T    threads per worker (default 2)\n"
		"      --no-baseline  do not require the module's counts to\n"
		"                     come back (kipc used by others too)\n"
		"      --smoke        first use every kind of object once\n"
		"                     (on a module with no objects yet)\n"
		"      --leave        with --smoke: leave the named channel\n"
		"                     " SMOKE_LEFT_NAME " and a region, for\n"
		"                     the module's unload to free\n"
		"  -v, --verbose      print every operation\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n\n"
		"--seed S --procs 1 --threads 1 replays a run exactly.\n"
		"Output is KTAP; exit status 0 when no violation was seen.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ "smoke", no_argument, NULL, 'S' },
		{ "leave", no_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static int32_t before[4096];
	struct kipc_stats st0, st1;
	struct sigaction sa;
	struct timespec t0, t1;
	bool seeded = false, ok;
	pid_t pids[MAX_WORKERS];
	uint64_t last_progress = 0, total;
	int ctl, nbefore, opt, alive, stall = 0, w, bad_exit = 0;

	while ((opt = getopt_long(argc, argv, "s:n:p:t:vhV", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			opt_ops = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			opt_procs = atoi(optarg);
			break;
		case 't':
			opt_threads = atoi(optarg);
			break;
		case 'B':
			opt_no_baseline = true;
			break;
		case 'S':
			opt_smoke = true;
			break;
		case 'L':
			opt_leave = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("kipc-fuzz %s\n", KIPC_FUZZ_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'kipc-fuzz --help'.\n");
			return 2;
		}
	}
	if (optind < argc || opt_procs < 1 || opt_threads < 1 ||
	    opt_procs * opt_threads > MAX_WORKERS) {
		fprintf(stderr, "kipc-fuzz: bad arguments (procs * threads at "
			"most %d)\nTry 'kipc-fuzz --help'.\n", MAX_WORKERS);
		return 2;
	}
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &t0);
		opt_seed = (uint64_t)t0.tv_nsec ^ ((uint64_t)t0.tv_sec << 20) ^
			   (uint64_t)getpid();
	}
	deterministic = opt_procs == 1 && opt_threads == 1;
	for (int k = 0; k < NR_OPS; k++)
		weight_total += op_weight[k];

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("TAP version 13\n1..1\n");
	printf("# kipc-fuzz seed=%llu ops=%llu procs=%d threads=%d "
	       "(replay: --seed %llu --ops %llu --procs %d --threads %d)\n",
	       (unsigned long long)opt_seed, (unsigned long long)opt_ops,
	       opt_procs, opt_threads, (unsigned long long)opt_seed,
	       (unsigned long long)opt_ops, opt_procs, opt_threads);

	ctl = open(CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		printf("not ok 1 kipc-fuzz seed=%llu ops=%llu # %s: %s\n",
		       (unsigned long long)opt_seed,
		       (unsigned long long)opt_ops, CONTROL, strerror(errno));
		return 1;
	}
	if (opt_smoke) {
		int fails = smoke(ctl, opt_leave);

		printf("# smoke: %d failures\n", fails);
		if (fails || !opt_ops) {
			printf("%sok 1 kipc-fuzz seed=%llu ops=0 # smoke\n",
			       fails ? "not " : "",
			       (unsigned long long)opt_seed);
			return fails ? 1 : 0;
		}
	}
	mod_default_cap = read_u64_file(
		"/sys/module/kipc/parameters/default_capacity", 65536);
	mod_max_cap = read_u64_file("/sys/module/kipc/parameters/max_capacity",
				    1 << 20);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("kipc-fuzz: mmap");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;	/* no SA_RESTART: sleepers see EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_crash;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);

	memset(&st0, 0, sizeof(st0));
	ioctl(ctl, KIPC_IOC_STATS, &st0);
	nbefore = list_regions(ctl, before, 4096);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (w = 0; w < opt_procs; w++) {
		uint64_t quota = opt_ops / opt_procs +
				 ((uint64_t)w < opt_ops % opt_procs);

		pids[w] = fork();
		if (pids[w] < 0) {
			perror("kipc-fuzz: fork");
			return 2;
		}
		if (!pids[w])
			_exit(worker(w, opt_seed, quota));
	}

	/* Wait, and watch for a worker that makes no progress. */
	alive = opt_procs;
	while (alive) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (w = 0; w < opt_procs; w++)
				if (pids[w] == p)
					break;
			if (w < opt_procs) {
				alive--;
				if (WIFSIGNALED(st)) {
					printf("# worker %d killed by signal "
					       "%d; its threads' last ops:\n",
					       w, WTERMSIG(st));
					for (int t = 0; t < opt_threads; t++)
						printf("#   %s\n",
						       sh->last[w * opt_threads
								+ t]);
					bad_exit++;
				} else if (WEXITSTATUS(st)) {
					printf("# worker %d exited %d\n", w,
					       WEXITSTATUS(st));
					bad_exit++;
				}
			}
			continue;
		}
		usleep(100 * 1000);
		total = atomic_load(&sh->progress);
		if (total != last_progress) {
			last_progress = total;
			stall = 0;
		} else if (++stall == 1200) {
			printf("# no progress for 120 s; last ops:\n");
			for (int i = 0; i < opt_procs * opt_threads; i++)
				printf("#   [%d] %s\n", i, sh->last[i]);
			dump_stacks();
			for (w = 0; w < opt_procs; w++)
				kill(pids[w], SIGKILL);
			bad_exit++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	global_cleanup(ctl, before, nbefore);
	/* Released files may take a moment (delayed fput): retry a bit. */
	for (int i = 0; i < 50; i++) {
		memset(&st1, 0, sizeof(st1));
		ioctl(ctl, KIPC_IOC_STATS, &st1);
		if (st1.chans == st0.chans &&
		    st1.named_chans == st0.named_chans &&
		    st1.regions == st0.regions &&
		    st1.region_pages == st0.region_pages)
			break;
		usleep(100 * 1000);
	}

	for (int k = 0; k < NR_OPS; k++)
		printf("# %-14s %10llu  (failed with an errno: %llu; %.1f s)\n",
		       op_names[k], (unsigned long long)sh->count[k],
		       (unsigned long long)sh->errs[k],
		       (double)sh->ns[k] / 1e9);
	printf("# operations: %llu by workers, %llu by forked children, in "
	       "%.1f s\n", (unsigned long long)sh->ops,
	       (unsigned long long)sh->kid_ops,
	       (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("# module: chans %llu -> %llu, named %llu -> %llu, regions "
	       "%llu -> %llu, region pages %llu -> %llu, chans created %llu\n",
	       (unsigned long long)st0.chans, (unsigned long long)st1.chans,
	       (unsigned long long)st0.named_chans,
	       (unsigned long long)st1.named_chans,
	       (unsigned long long)st0.regions,
	       (unsigned long long)st1.regions,
	       (unsigned long long)st0.region_pages,
	       (unsigned long long)st1.region_pages,
	       (unsigned long long)(st1.chans_created - st0.chans_created));
	if (!opt_no_baseline &&
	    (st1.chans != st0.chans || st1.named_chans != st0.named_chans ||
	     st1.regions != st0.regions ||
	     st1.region_pages != st0.region_pages)) {
		printf("# violation: the module's counts did not come back "
		       "once everything was closed and removed\n");
		atomic_fetch_add(&sh->violations, 1);
	}
	for (int i = 0; i < atomic_load(&sh->nmsg) && i < MAX_MSGS; i++)
		printf("# violation %d: %s\n", i + 1, sh->msg[i]);
	ok = !atomic_load(&sh->violations) && !bad_exit;
	printf("%sok 1 kipc-fuzz seed=%llu ops=%llu\n", ok ? "" : "not ",
	       (unsigned long long)opt_seed, (unsigned long long)opt_ops);
	if (!ok)
		printf("# %d violations, %d workers failed; replay with "
		       "--seed %llu --ops %llu --procs %d --threads %d\n",
		       atomic_load(&sh->violations), bad_exit,
		       (unsigned long long)opt_seed,
		       (unsigned long long)opt_ops, opt_procs, opt_threads);
	close(ctl);
	return ok ? 0 : 1;
}
