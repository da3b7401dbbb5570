/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-fuzz: what the files of the fuzzer share.
 *
 * This header owns the types every part works on: the record all workers
 * write to (struct shared), the generator every choice comes from (struct
 * rng), and the state of one fuzzing thread (struct ctx, with its tracked
 * channels and regions and its untracked fds).  It declares what each file
 * offers the others.  The files, by concern:
 *
 *	main.c		options, setup, the watch over the workers, summary
 *	driver.c	workers, threads, forked children, the operation loop,
 *			the timer that ends blocking calls
 *	model.c		what the kernel must answer: certainty, channel
 *			queues and poll bits, capacities, mappings
 *	check.c		reporting: the operation log, violations, errno sets
 *	args.c		what the kernel is handed: good and bad pointers, I/O
 *			vectors, sizes and capacities to ask for
 *	model-msg.c	what the kernel must answer for message channels:
 *			the per-priority queues, the fit rule
 *	chan.c		channels: create, open, remove, close, dup, fcntl
 *	chan-io.c	channels: write, read, splice; the timeouts of waits
 *	chan-ctl.c	channels: poll and the channel ioctls
 *	chan-open.c	KIPC_IOC_CHAN_OPEN: tracked, unknown and invalid names
 *	chan-opts.c	every channel: KIPC_IOC_GET_OPTS and SET_OPTS, the
 *			low-water marks through poll
 *	chan-msg.c	message channels: create and open, flags valid or not
 *	chan-msg-io.c	message channels: write and read
 *	chan-msg-ctl.c	message channels: KIPC_IOC_MSG_SEND and MSG_RECV,
 *			PEEK, FIONREAD, fdinfo
 *	chan-map.c	mapped channels: create, open, close, dup, remove
 *	chan-mmap.c	mapped channels: mmap, munmap, mremap, mprotect
 *	chan-ring.c	mapped channels from user space: the pages checked,
 *			commits, releases and hostile values
 *	chan-ring-race.c a peer in another process racing a mapped channel
 *	chan-map-io.c	mapped channels: read, write, peek, fcntl
 *	chan-map-ctl.c	mapped channels: poll and the ioctls
 *	region.c	regions: get, open, stat, set, remove
 *	region-map.c	regions: mmap, munmap, mprotect, touch, madvise
 *	region-fd.c	regions: the doorbell and the seals
 *	ctl.c		fuzzed control ioctls, unknown commands
 *	query.c		module-wide queries, the /proc, /sys and debugfs readers
 *	race.c		names and keys all threads share, and untracked fds
 *	smoke.c		--smoke: every kind of object once
 *
 * Every .c file includes this header first: _GNU_SOURCE must come before
 * any system header for pwritev2(), splice() and the timer's SIGEV_THREAD_ID.
 */
#ifndef KIPC_FUZZ_H
#define KIPC_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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

#define CONTROL			"/dev/kipc/control"
#define PG			4096UL
#define PIPE_BUF_SZ		4096UL
#define IOBUF			(256 * 1024)

/*
 * Fixed limits: they size the arrays of struct ctx, which the worker maps
 * before it starts its threads.  So a thread allocates nothing while it
 * fuzzes, and (as say() keeps off stdio) a child forked from one of several
 * threads never needs a lock that another thread held at the fork.
 */
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
#define MAX_MCHAN		3	/* tracked mapped channels per thread */
#define MAX_RMAP		8	/* mappings per mapped channel */
#define MAX_QMSG		4096	/* messages a tracked channel's model holds */
/*
 * End options (struct kipc_end_opts): a timeout up to this is short, and a
 * call that must wait runs without the 10 ms timer, to end by the timeout.
 */
#define SHORT_TIMEO_NS		(20 * 1000 * 1000ULL)
/* The slack of a timeout ended early: one jiffy at HZ=100. */
#define JIFFY_NS		(10 * 1000 * 1000ULL)

/* --smoke --leave leaves these for the module's unload to free. */
#define SMOKE_LEFT_NAME		"kcyc-left"
#define SMOKE_LEFT_KEY		0x6b637963LL

/* ---------------------------------------------------------------- */
/* What all processes share: counts, violations, the last operations. */

/* The order is the summary's, and op_weight[] and op_fns[] follow it. */
enum op_kind {
	OP_PAIR, OP_NAMED, OP_NAMED_OPEN, OP_NAMED_REMOVE, OP_WRITE, OP_READ,
	OP_POLL, OP_CHAN_IOCTL, OP_CLOSE, OP_DUP, OP_FCNTL, OP_SPLICE,
	OP_FORK, OP_SHM_GET, OP_SHM_OPEN, OP_SHM_STAT, OP_SHM_SET,
	OP_SHM_RMID, OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_TOUCH, OP_MADVISE,
	OP_DOORBELL, OP_SEALS, OP_SHM_LIST, OP_STATS, OP_CTL_FUZZ,
	OP_RAND_IOCTL, OP_PROC, OP_RACE_CHAN, OP_RACE_SHM, OP_UFD, OP_KILL,
	OP_MCHAN, OP_RING_MAP, OP_RING_UNMAP, OP_RING_USE, OP_RING_HOSTILE,
	OP_MCHAN_IO, OP_MCHAN_CTL, OP_RING_RACE,
	OP_MSG_CHAN, OP_MSG_WRITE, OP_MSG_READ, OP_MSG_CTL, OP_CHAN_OPEN,
	OP_CHAN_OPTS,
	NR_OPS
};

/*
 * In a MAP_SHARED mapping made before the first fork, so that workers and
 * their children all count into it; hence atomics, and fixed-size text.
 */
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

extern struct shared *sh;
extern const char *const op_names[NR_OPS];

/* ---------------------------------------------------------------- */
/*
 * The generator: xoshiro256**, seeded through splitmix64.  Our own rather
 * than random(3), so that a seed means the same run on every libc.  Each
 * draw moves the state, so the order of the draws is the run: where two
 * draws meet in one expression, the compiler's order was the one recorded
 * (arguments last to first, the right-hand side of an assignment before
 * its left), and code keeps it by drawing into variables in that order.
 */

struct rng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnd(struct rng *r)
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

/* Modulo bias is harmless here: replayability matters, not uniformity. */
static inline uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* ---------------------------------------------------------------- */
/* Per-thread state. */

/*
 * One open file description of a tracked channel (dups share it).  It
 * lives while an fd (@refs) or a mapping of a mapped channel (@maps)
 * holds it.
 */
struct ofd {
	int refs;
	int maps;
	bool rd, wr, nonblock, direct;
	unsigned int w_seen;	/* fs/pipe.c's f_version, for POLLHUP */
	bool w_seen_unknown;	/* opened while a child held copies */
	struct kipc_end_opts opts;	/* KIPC_IOC_SET_OPTS: all 0 at open */
};

struct pfd {
	int fd;
	int ofd;
};

/* A run of bytes, or one packet (O_DIRECT), in a channel's queue. */
struct seg {
	uint32_t len;
	bool pkt;
};

/* A queued message: @len bytes of the channel's stream from @off. */
struct qmsg {
	uint64_t off;
	uint32_t len;
	uint16_t next;		/* the next of its priority; 0: none */
	uint8_t prio;
};

/*
 * The messages of a message channel, one FIFO list per priority, as the
 * kernel keeps them.  Slots are 1-based, so that a zeroed queue is empty.
 */
struct msgq {
	struct qmsg slot[MAX_QMSG + 1];
	uint16_t head[KIPC_MSG_PRIO_MAX], tail[KIPC_MSG_PRIO_MAX];
	uint32_t nonempty;	/* bit p: priority p has messages */
	uint16_t free;		/* slots given back, linked by next */
	uint16_t fresh;		/* slots 1..fresh were ever used */
	unsigned int n;
};

/*
 * A tracked channel.  On a message channel (@msg) @queued counts each
 * message's cost, its length plus KIPC_MSG_OVERHEAD, and @wr_off gives
 * each message bytes of its own in the stream; @segs is unused.
 */
struct pchan {
	bool used, named, removed;
	bool msg;
	char name[64];
	struct ofd ofds[MAX_PFD];
	struct pfd fds[MAX_PFD];
	int nfds;
	uint64_t cap, queued;
	uint64_t wr_off, rd_off;	/* offsets in the data stream */
	uint32_t key;			/* of the data stream */
	struct seg segs[MAX_SEGS];	/* a ring: seg_head, nseg */
	int seg_head, nseg;
	unsigned int npkts, nr_pkts;
	bool pkts_alloc;
	struct msgq mq;
	unsigned int w_counter;
	uint64_t st_read, st_written;
	unsigned int mode;		/* a named one's permission bits */
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
	uint64_t bell_seen;	/* the doorbell when this fd last looked */
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
	uint64_t stamp[STAMP_PAGES];	/* first 8 bytes of each page */
};

/* The areas of a mapped channel's ring, in page offsets (kipc_mring.c). */
enum ring_area { RA_STATE, RA_PROD, RA_CONS, RA_DATA, RA_BAD = -1 };

/* A mapping of a mapped channel's ring. */
struct rmap {
	char *p;
	size_t len;
	uint64_t pgoff;		/* from the start of the ring's offsets */
	enum ring_area area;
	int prot;
	int ofd;		/* the open file it holds */
	bool owner;		/* it owns its side (kipcm_mring_vma_owner()) */
	bool maywrite;		/* mprotect() may make it writable */
};

/*
 * A tracked mapped channel.  The model holds what the shared pages hold:
 * both positions and both waiting words, whoever wrote them, and whether
 * the kernel found the positions out of range (broken).  Byte p of the
 * ring is byte p + @delta of the channel's stream if @known_from <= p <
 * @known_to: below, a position moved without its bytes; above, nothing
 * was ever written.
 */
struct mchan {
	bool used, named, removed;
	char name[64];
	struct ofd ofds[MAX_PFD];
	struct pfd fds[MAX_PFD];
	int nfds;
	struct rmap maps[MAX_RMAP];
	int nmaps;
	uint64_t cap;
	uint64_t prod, cons;
	uint32_t prod_waiting, cons_waiting;
	uint32_t prod_unknown, cons_unknown;	/* bits of them not known */
	bool broken;
	bool pos_unknown;	/* broken while a read() or write() was in flight */
	bool polled;		/* poll_used: sticky for the channel */
	uint32_t key;
	uint64_t delta, known_from, known_to;
	uint64_t st_read, st_written;
	unsigned int w_counter;
	unsigned int mode;	/* a named one's permission bits */
	bool ghost;		/* as pchan's */
	unsigned int ghost_epoch;
	char hist[8][120];	/* its last operations, for a report */
	unsigned int nhist;
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
	struct mchan mc[MAX_MCHAN];
	struct mchan *cur_mc;	/* the mapped channel the operation is on */
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
	uint64_t wait_t0, waited_ns;	/* arm_wait(), disarm_wait() */
	char *buf;		/* IOBUF, RW */
	char *vbuf;		/* IOBUF, RW: what we read back */
	char *rw_edge;		/* last RW page; the next page is PROT_NONE */
	char *none;		/* PROT_NONE pages */
	char *ro;		/* a read-only page */
	char arg[1024] __attribute__((aligned(64)));
};

/* ---------------------------------------------------------------- */
/* Arguments (args.c). */

enum ptr_kind {
	P_VALID, P_MISALIGNED, P_NULL, P_LOW, P_NONE, P_KERNEL, P_NONCANON,
	P_STRADDLE, P_RDONLY, NR_PTR
};

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

/* An I/O vector over c->buf (writes) or c->vbuf (reads), maybe bad. */
struct iovplan {
	struct iovec iov[8];
	int n;
	uint64_t total;
	uint64_t valid;		/* accessible prefix of the iterator */
	bool early_fault;	/* access_ok() fails: nothing happens */
	enum ptr_kind kind;
};

/* A flag and the chance, in percent, that it is set (draw_bits()). */
struct maybe_bit {
	unsigned int pct;
	uint32_t bit;
};

/* A stretch of the data stream that a read delivered (model.c). */
struct piece {
	uint64_t off;
	uint64_t len;
};

/* How a channel is read or written: one buffer, a vector, RWF_NOWAIT. */
enum io_how { IO_PLAIN, IO_VEC, IO_NOWAIT };

/* Which tracked channels an operation may pick (ch_pick_kind()). */
enum ch_kind { CK_ANY, CK_BYTES, CK_MSG };

/* What receiving a message must give now (msg_recv_predict()). */
struct msg_recv {
	struct qmsg m;		/* the next message, if @any */
	bool any;
	bool eof;		/* nothing queued and no writer: 0 */
	bool waits;		/* nothing queued, writers left */
	int err;		/* EMSGSIZE or EFAULT: the message stays */
	uint64_t size;		/* its whole length */
	uint64_t copy;		/* the bytes delivered */
	bool truncated;
};

/* Errno sets: zero-terminated lists. */
#define ERRS(...)	((const int[]){ __VA_ARGS__, 0 })

/* ---------------------------------------------------------------- */
/* Parameters of the run (main.c) and of the module (model.c). */

extern int opt_threads;
extern bool opt_verbose;
extern bool deterministic;	/* one worker of one thread: replays */
extern uint64_t mod_default_cap;
extern uint64_t mod_max_cap;

/* Per worker process (driver.c): forked children alive, forks ever done. */
extern _Atomic int kids_alive;
extern _Atomic unsigned int fork_gen;
/* Times kids_alive came back to 0: every child alive before is gone. */
extern _Atomic unsigned int kids_gone_epoch;
/* Kernels without CONFIG_ADVISE_SYSCALLS (the debug kernel): ENOSYS. */
extern bool no_madvise;

/* ---------------------------------------------------------------- */
/* The data stream of tracked channels: byte @off of stream @key. */

static inline uint8_t gen_byte(uint32_t key, uint64_t off)
{
	uint64_t x = (off + ((uint64_t)key << 32)) * 0x9e3779b97f4a7c15ULL;

	return (uint8_t)(x >> 56) ^ (uint8_t)off;
}

/*
 * A mapped ring's positions and waiting words, as kipc(4)'s protocol
 * reads and publishes them.
 */
static inline uint64_t load_acq(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_rel(__u64 *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint32_t load_word(const __u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- */
/* check.c */

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void violation(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void note_op(struct ctx *c, enum op_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int check_errno(struct ctx *c, enum op_kind k, const char *what, long ret,
		int err, const int *set);

/* model.c */
void certainty_begin(struct ctx *c);
bool certain(const struct ctx *c);
bool ch_certain(const struct ctx *c, struct pchan *ch);
bool nowait_contended(const struct ctx *c, int how, long ret, int err);
void gen_fill(char *dst, uint32_t key, uint64_t off, size_t len);
bool stream_differs(uint32_t key, const char *buf, const struct piece *pieces,
		    int np, uint64_t *at, uint64_t *off);
uint64_t default_cap(void);
int cap_errno(struct ctx *c, uint64_t cap, uint64_t now);
int fifo_open_errno(const struct ctx *c, bool removed, unsigned int mode,
		    bool mapped, int readers, int writers, int flags);
int ch_readers(struct pchan *ch);
int ch_writers(struct pchan *ch);
unsigned int nr_pkts_for(uint64_t cap);
void ch_ring_freed(struct pchan *ch);
uint64_t ch_write_amount(struct pchan *ch, bool direct, uint64_t total);
void ch_apply_write(struct pchan *ch, bool direct, uint64_t n);
uint64_t ch_read_sim(struct pchan *ch, uint64_t want, uint64_t valid,
		     struct piece *pieces, int *npieces, bool apply,
		     bool *efault);
short ch_poll_mask(struct pchan *ch, struct ofd *o);
uint64_t end_timeo(const struct ofd *o, bool wr);
uint64_t rcvlowat_of(const struct ofd *o, uint64_t cap);
uint64_t sndlowat_of(const struct ofd *o, uint64_t cap);
bool rg_shared_vma(struct preg *g);
void rg_maybe_gone(struct preg *g);
void vma_split(struct preg *g, struct vma *m, uintptr_t a, size_t len,
	       bool drop_middle, int newprot);

/* model-msg.c */
bool msg_fits(const struct pchan *ch, uint64_t len);
bool msg_model_full(const struct pchan *ch);
const struct qmsg *msg_next(const struct pchan *ch);
void msg_clear(struct msgq *q);
void msg_push(struct pchan *ch, uint32_t len, uint8_t prio);
void msg_pop(struct pchan *ch, uint64_t copied);
int msg_send_errno(struct pchan *ch, uint64_t len, uint64_t valid);
void msg_recv_predict(struct pchan *ch, uint64_t len, uint64_t valid,
		      bool trunc, struct msg_recv *r);
bool msg_differs(const struct pchan *ch, const struct qmsg *m,
		 const char *buf, uint64_t n, uint64_t *at);
bool msg_writable(const struct pchan *ch, const struct ofd *o);

/* args.c */
enum ptr_kind pick_ptr(struct ctx *c, unsigned int bad_pct);
bool ptr_faults_early(enum ptr_kind k);
struct argp arg_ptr(struct ctx *c, size_t size, enum ptr_kind k);
void arg_commit(struct argp *a, const void *data);
void arg_fetch(struct argp *a, void *data);
bool arg_in_faults(struct argp *a);
bool arg_out_faults(struct argp *a);
int arg_errno(struct argp *a, bool bad);
bool arg_unreadable(struct ctx *c, struct argp *a, const char *what, int err);
bool arg_reserved(struct ctx *c, bool set, const char *what, int err);
bool arg_unwritable(struct ctx *c, struct argp *a, const char *what,
		    long ret, int err);
uint32_t draw_bits(struct ctx *c, const struct maybe_bit *bits, int n);
void plan_iov(struct ctx *c, struct iovplan *v, char *base, uint64_t total,
	      bool vec, bool allow_bad);
void iov_fill(struct iovplan *v, uint32_t key, uint64_t off);
void iov_gather(struct iovplan *v, char *dst, uint64_t n);
uint64_t choose_len(struct ctx *c);
uint64_t choose_cap(struct ctx *c, bool tracked);
uint64_t choose_size(struct ctx *c);

/* chan.c */
int lowest_free_fd(void);
bool fd_open(int fd);
struct ofd *ch_pick_end(struct ctx *c, struct pchan *ch, bool want_rd,
			bool want_wr, int *fd);
struct pchan *ch_pick_kind(struct ctx *c, enum ch_kind kind, bool want_rd,
			   bool want_wr, int *fdi);
struct pchan *ch_pick(struct ctx *c, bool want_rd, bool want_wr, int *fdi);
struct pchan *ch_pick_named(struct ctx *c, enum ch_kind kind);
void ch_opened(struct ctx *c, struct pchan *ch, int fd, int flags);
int ch_open_errno(struct ctx *c, struct pchan *ch, int flags);
void ch_close_fd(struct ctx *c, struct pchan *ch, int i);
void ch_drop(struct ctx *c, struct pchan *ch);
void ch_describe(struct ctx *c, struct pchan *ch, int fd);
void ch_named_open(struct ctx *c, struct pchan *ch);
void ch_pair(struct ctx *c, enum op_kind k, uint32_t flags, uint64_t cap,
	     int want);
void ch_create(struct ctx *c, enum op_kind k, uint32_t flags,
	       unsigned int mode, bool bad_flags);
void op_pair(struct ctx *c);
void op_named(struct ctx *c);
void op_named_open(struct ctx *c);
void op_named_remove(struct ctx *c);
void op_dup(struct ctx *c);
void op_fcntl(struct ctx *c);

/* chan-io.c */
long chan_io(struct ctx *c, int fd, struct iovplan *v, int how,
	     const struct ofd *o, bool wr, int *err);
void op_write(struct ctx *c);
void op_read(struct ctx *c);
void op_splice(struct ctx *c);

/* chan-ctl.c */
bool ch_poll_differs(struct ctx *c, struct pchan *ch, struct ofd *o,
		     const struct pollfd *p);
void chan_fionread(struct ctx *c, struct pchan *ch, int fd);
void chan_set_capacity(struct ctx *c, struct pchan *ch, int fd);
void chan_stats(struct ctx *c, struct pchan *ch, int fd);
void op_poll(struct ctx *c);
void op_chan_ioctl(struct ctx *c);

/* chan-open.c */
void op_chan_open(struct ctx *c);

/* chan-opts.c */
void op_chan_opts(struct ctx *c);

/* chan-msg.c */
void op_msg_chan(struct ctx *c);

/* chan-msg-io.c */
void msg_lost(struct ctx *c, struct pchan *ch, int fd);
uint64_t msg_choose_len(struct ctx *c, const struct pchan *ch);
void op_msg_write(struct ctx *c);
void op_msg_read(struct ctx *c);

/* chan-msg-ctl.c */
void op_msg_ctl(struct ctx *c);

/* model.c, mapped channels */
bool ofd_alive(const struct ofd *o);
int mc_readers(struct mchan *m);
int mc_writers(struct mchan *m);
bool mc_certain(const struct ctx *c, struct mchan *m);
bool mc_owned(const struct mchan *m, enum ring_area side);
bool mc_in_range(const struct mchan *m);
bool mc_pull(struct mchan *m);
uint32_t mc_state_flags(struct mchan *m);
uint64_t mc_default_cap(void);
int mc_cap_errno(struct ctx *c, uint64_t cap, uint64_t now);
void mc_ring_fresh(struct mchan *m);
void mc_ring_moved(struct mchan *m, uint64_t cap);
void mc_side_touched(struct mchan *m, enum ring_area side, uint32_t set);
void mc_prod_moved(struct mchan *m, uint64_t prod, bool with_bytes);
bool mc_bytes_differ(const struct mchan *m, const char *buf, uint64_t pos,
		     uint64_t n, uint64_t *at);
short mc_poll_mask(struct mchan *m, struct ofd *o);

/* chan-map.c */
struct mchan *mc_pick(struct ctx *c);
int mc_pick_fd(struct ctx *c, struct mchan *m, bool want_rd, bool want_wr);
void mc_unmap(struct ctx *c, struct mchan *m, int i);
void mc_drop(struct ctx *c, struct mchan *m);
void mc_forget(struct ctx *c);
void mc_cleanup(struct ctx *c);
void mc_describe(struct mchan *m, int fd);
void mc_pair(struct ctx *c);
struct mchan *mc_pick_named(struct ctx *c);
int mc_open_errno(struct ctx *c, struct mchan *m, int flags);
void mc_opened(struct mchan *m, int fd, int flags, bool fresh, bool sure);
bool mc_all_gone(const struct mchan *m);
bool mc_ofd_room(const struct mchan *m);
void op_mchan(struct ctx *c);

/* chan-mmap.c */
struct rmap *mc_map_side(struct ctx *c, struct mchan *m, enum ring_area side);
void op_ring_map(struct ctx *c);
void op_ring_unmap(struct ctx *c);

/* chan-ring.c */
struct rmap *mc_map_of(struct ctx *c, struct mchan *m, enum ring_area area,
		       bool owner, int prot);
void mc_check_pages(struct ctx *c, struct mchan *m, bool data);
void mc_wake(struct ctx *c, struct mchan *m, int fd);
void op_ring_use(struct ctx *c);
void op_ring_hostile(struct ctx *c);

/* chan-ring-race.c */
void op_ring_race(struct ctx *c);

/* chan-map-io.c */
void mc_lost(struct ctx *c, struct mchan *m, int fd);
void op_mchan_io(struct ctx *c);

/* chan-map-ctl.c */
void mc_polled(struct ctx *c, struct mchan *m, struct ofd *o,
	       const struct pollfd *p, int ret);
void mc_fionread(struct ctx *c, struct mchan *m, int fdi);
void op_mchan_ctl(struct ctx *c);

/* region.c */
struct preg *rg_pick(struct ctx *c, bool with_fd);
void rg_drop(struct ctx *c, struct preg *g);
void op_shm_get(struct ctx *c);
void op_shm_open(struct ctx *c);
void op_shm_stat(struct ctx *c);
void op_shm_set(struct ctx *c);
void op_shm_rmid(struct ctx *c);

/* region-fd.c */
void op_doorbell(struct ctx *c);
void op_seals(struct ctx *c);

/* region-map.c */
void op_mmap(struct ctx *c);
void op_munmap(struct ctx *c);
void op_mprotect(struct ctx *c);
void op_touch(struct ctx *c);
void op_madvise(struct ctx *c);

/* ctl.c */
void random_name(struct ctx *c, char *name, bool *valid);
void op_ctl_fuzz(struct ctx *c);
void op_rand_ioctl(struct ctx *c);

/* query.c */
void op_shm_list(struct ctx *c);
void op_stats(struct ctx *c);
void op_proc(struct ctx *c);

/* race.c */
void ufd_add(struct ctx *c, int fd, enum ufd_kind kind);
void op_race_chan(struct ctx *c);
void op_race_shm(struct ctx *c);
void op_ufd(struct ctx *c);

/* driver.c */
void signals_setup(void);
void arm(struct ctx *c);
void disarm(struct ctx *c);
void arm_wait(struct ctx *c, uint64_t timeo_ns);
void disarm_wait(struct ctx *c);
int wait_end(uint64_t timeo_ns, int timeout_err);
int io_wait_errno(bool blocking, uint64_t timeo_ns, bool *waits);
int wait_result(struct ctx *c, uint64_t timeo_ns, int timeout_err, int err);
void remove_chan_names(int ctl, const char *prefix);
void op_close(struct ctx *c);
void op_fork(struct ctx *c);
void op_kill(struct ctx *c);
int worker(int w, uint64_t seed, uint64_t quota);

/* smoke.c */
int smoke(int ctl, bool leave);

#endif /* KIPC_FUZZ_H */
