// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: every IPC mechanism libkipc drives, measured in one run on
 * one machine, each against the kernel's pipe measured in the same run.
 *
 *	kipc-bench [--quick] [--json FILE] [--csv FILE] [--plot FILE.svg]
 *	kipc-bench --from FILE.json --plot FILE.svg	(on the host: no gnuplot
 *							 in the guest)
 *	kipc-bench --check-json FILE [--strict]		(CI: structure only)
 *
 * Three kinds of rows:
 *   throughput	one writer process, one reader process, messages of each
 *		size, over every channel (read/write, and io_uring through
 *		kipc_aio) and over an SPSC ring in each kind of shared memory
 *		(signalled by a futex, or by the kipc region's doorbell);
 *   latency	1-byte ping-pong between two processes: p50, p99, p99.9;
 *   scaling	N independent pairs at once, aggregate throughput.
 *
 * How a figure is made, and why (tools/bench/kipc-bench.1): all workers are forked per row
 * and pinned, both ends of a pair on one CPU by default, because under
 * TCG cross-vCPU timings swing by 40x.  A repetition moves a fixed count
 * of messages, calibrated first so that it lasts at least --min-time;
 * only its start and end are timed (the clock costs ~1 us in a guest on
 * hpet), except ping-pong round trips, whose percentiles need each one
 * timed.  A figure is the median of --reps repetitions, with min, max
 * and quartiles.  Workers and the main process meet through futexes on a
 * shared page; the main process only starts repetitions and collects.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <liburing.h>
#include <kipc.h>

#define KIPC_BENCH_VERSION	"0.1.0"
#define SCHEMA			"kipc-bench/1"

#define KIB			((uint64_t)1024)
#define MIB			(KIB * 1024)

#define MAX_SIZES		32
#define MAX_PAIRS		64
#define MAX_WORKERS		(2 * MAX_PAIRS)
#define MAX_CPUS		1024
#define MAX_RTTS		2000000ULL	/* samples kept per repetition */
#define ERRMSG_LEN		200

static const char *prog = "kipc-bench";

/* ------------------------------------------------------------------ */
/* Messages and small helpers                                          */

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
errx_(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

static void usage_short(FILE *f)
{
	fprintf(f, "Usage:\n"
		" %1$s [options]\n"
		" %1$s --from FILE.json [--plot FILE.svg] [--csv FILE] [--json FILE]\n"
		" %1$s --check-json FILE [--strict]\n", prog);
}

static void __attribute__((noreturn)) usage_fail(void)
{
	usage_short(stderr);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	usage_fail();
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* Shared (not private) futexes: the words live in MAP_SHARED memory. */
static long futex_wait(_Atomic uint32_t *w, uint32_t val,
		       const struct timespec *ts)
{
	return syscall(SYS_futex, (void *)w, FUTEX_WAIT, val, ts, NULL, 0);
}

static long futex_wake(_Atomic uint32_t *w, int n)
{
	return syscall(SYS_futex, (void *)w, FUTEX_WAKE, n, NULL, NULL, 0);
}

/* "64", "4K", "4KiB", "1M", "2G": binary multiples. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 65536 -> "64K"; sizes that are not whole KiB/MiB stay in bytes. */
static const char *fmt_size(char *buf, size_t len, uint64_t v)
{
	if (v && !(v % (1024 * MIB)))
		snprintf(buf, len, "%" PRIu64 "G", v / (1024 * MIB));
	else if (v && !(v % MIB))
		snprintf(buf, len, "%" PRIu64 "M", v / MIB);
	else if (v && !(v % KIB))
		snprintf(buf, len, "%" PRIu64 "K", v / KIB);
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* Four significant-ish digits without exponents: 5160, 412.3, 0.0055. */
static const char *fmt_num(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (v >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 100)
		snprintf(buf, len, "%.1f", v);
	else if (v >= 10)
		snprintf(buf, len, "%.2f", v);
	else if (v >= 1)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.4f", v);
	return buf;
}

static char *read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static void read_loadavg(double la[3])
{
	char buf[128];

	la[0] = la[1] = la[2] = NAN;
	if (read_first_line("/proc/loadavg", buf, sizeof(buf)))
		sscanf(buf, "%lf %lf %lf", &la[0], &la[1], &la[2]);
}

/* ------------------------------------------------------------------ */
/* What is measured                                                    */

enum mech {
	MECH_PIPE, MECH_FIFO, MECH_UNIX, MECH_KIPC_PAIR, MECH_KIPC_NAMED,
	MECH_SYSV_SHM, MECH_POSIX_SHM, MECH_KIPC_SHM,
};

static const char *const mech_names[] = {
	"pipe", "fifo", "unix", "kipc-pair", "kipc-named",
	"sysv-shm", "posix-shm", "kipc-shm",
};

enum xport { XP_RW, XP_URING, XP_FUTEX, XP_DOORBELL };

static const char *const xport_names[] = {
	"rw", "io_uring", "futex", "doorbell",
};

#define SEC_THR		(1u << 0)
#define SEC_LAT		(1u << 1)
#define SEC_SCALE	(1u << 2)
#define SEC_ALL		(SEC_THR | SEC_LAT | SEC_SCALE)

static const char *const sec_names[] = { "throughput", "latency", "scaling" };

static int sec_index(unsigned int sec)
{
	return sec == SEC_THR ? 0 : sec == SEC_LAT ? 1 : 2;
}

struct series {
	const char *name;
	enum mech mech;
	enum xport xp;
	uint64_t capacity;	/* 0: the mechanism's default */
	unsigned int secs;	/* SEC_* it has rows in */
	const char *what;
};

/*
 * Row order is table and plot order.  "pipe" is the baseline of every
 * ratio and is always measured.  Unix sockets are a reference only: not a
 * libkipc channel, so no io_uring row through kipc_aio.
 */
static const struct series series_tab[] = {
	{ "pipe", MECH_PIPE, XP_RW, 0, SEC_ALL,
	  "pipe2(), default capacity (the baseline)" },
	{ "pipe-1m", MECH_PIPE, XP_RW, MIB, SEC_THR,
	  "pipe2(), F_SETPIPE_SZ 1 MiB" },
	{ "fifo", MECH_FIFO, XP_RW, 0, SEC_THR | SEC_LAT,
	  "mkfifo() in $TMPDIR or /tmp, default capacity" },
	{ "unix", MECH_UNIX, XP_RW, 0, SEC_THR | SEC_LAT,
	  "socketpair(AF_UNIX, SOCK_STREAM), reference, not libkipc" },
	{ "kipc-pair", MECH_KIPC_PAIR, XP_RW, 0, SEC_ALL,
	  "kipc anonymous pair, default capacity" },
	{ "kipc-pair-1m", MECH_KIPC_PAIR, XP_RW, MIB, SEC_THR,
	  "kipc anonymous pair, 1 MiB" },
	{ "kipc-named", MECH_KIPC_NAMED, XP_RW, 0, SEC_THR | SEC_LAT,
	  "kipc named channel /dev/kipc/NAME, default capacity" },
	{ "kipc-named-1m", MECH_KIPC_NAMED, XP_RW, MIB, SEC_THR,
	  "kipc named channel, 1 MiB" },
	{ "pipe+uring", MECH_PIPE, XP_URING, 0, SEC_THR | SEC_LAT,
	  "pipe through io_uring (kipc_aio, queue depth 1)" },
	{ "pipe-1m+uring", MECH_PIPE, XP_URING, MIB, SEC_THR,
	  "pipe 1 MiB through io_uring" },
	{ "fifo+uring", MECH_FIFO, XP_URING, 0, SEC_THR | SEC_LAT,
	  "FIFO through io_uring" },
	{ "kipc-pair+uring", MECH_KIPC_PAIR, XP_URING, 0, SEC_THR | SEC_LAT,
	  "kipc pair through io_uring" },
	{ "kipc-pair-1m+uring", MECH_KIPC_PAIR, XP_URING, MIB, SEC_THR,
	  "kipc pair 1 MiB through io_uring" },
	{ "kipc-named+uring", MECH_KIPC_NAMED, XP_URING, 0, SEC_THR | SEC_LAT,
	  "kipc named channel through io_uring" },
	{ "kipc-named-1m+uring", MECH_KIPC_NAMED, XP_URING, MIB, SEC_THR,
	  "kipc named channel 1 MiB through io_uring" },
	{ "sysv-shm+futex", MECH_SYSV_SHM, XP_FUTEX, 0, SEC_THR | SEC_LAT,
	  "SPSC ring in a SysV segment, futex wake-ups" },
	{ "posix-shm+futex", MECH_POSIX_SHM, XP_FUTEX, 0, SEC_THR | SEC_LAT,
	  "SPSC ring in a POSIX shm object, futex wake-ups" },
	{ "kipc-shm+futex", MECH_KIPC_SHM, XP_FUTEX, 0, SEC_THR | SEC_LAT,
	  "SPSC ring in a kipc region, futex wake-ups" },
	{ "kipc-shm+doorbell", MECH_KIPC_SHM, XP_DOORBELL, 0, SEC_THR | SEC_LAT,
	  "SPSC ring in a kipc region, doorbell wake-ups" },
};

#define NSERIES		((int)(sizeof(series_tab) / sizeof(series_tab[0])))

static int series_find(const char *name)
{
	int i;

	for (i = 0; i < NSERIES; i++)
		if (!strcmp(series_tab[i].name, name))
			return i;
	return -1;
}

static bool mech_is_shm(enum mech m)
{
	return m == MECH_SYSV_SHM || m == MECH_POSIX_SHM || m == MECH_KIPC_SHM;
}

static enum kipc_backend mech_backend(enum mech m)
{
	switch (m) {
	case MECH_PIPE: return KIPC_BACKEND_PIPE;
	case MECH_FIFO: return KIPC_BACKEND_FIFO;
	case MECH_KIPC_PAIR: return KIPC_BACKEND_KIPC_PAIR;
	case MECH_KIPC_NAMED: return KIPC_BACKEND_KIPC_NAMED;
	case MECH_SYSV_SHM: return KIPC_BACKEND_SYSV_SHM;
	case MECH_POSIX_SHM: return KIPC_BACKEND_POSIX_SHM;
	case MECH_KIPC_SHM: return KIPC_BACKEND_KIPC_SHM;
	case MECH_UNIX: break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

struct config {
	bool quick, verify, split, pin, strict, no_table, quiet;
	unsigned int reps;
	double min_time;		/* seconds per repetition, at least */
	uint64_t min_rtts;		/* round trips per latency repetition */
	uint64_t sizes[MAX_SIZES];
	unsigned int nsizes;
	unsigned int pairs[MAX_SIZES];
	unsigned int npairs;
	uint64_t scale_size;
	uint64_t ring_bytes;
	unsigned int spin;
	int cpus[MAX_CPUS];
	unsigned int ncpus;
	char cpus_arg[64];
	bool selected[NSERIES];
	unsigned int tests;		/* SEC_* */
	const char *json, *csv, *plot, *from, *check, *label;
};

static struct config cfg;

/* ------------------------------------------------------------------ */
/* Results                                                             */

struct stat5 {
	double med, min, max, q1, q3;
};

enum { ST_OK, ST_SKIPPED, ST_ERROR };
static const char *const status_names[] = { "ok", "skipped", "error" };

struct row {
	unsigned int sec;		/* SEC_THR, SEC_LAT or SEC_SCALE */
	char backend[40];
	char mech[24];
	char xport[16];
	int64_t capacity;		/* bytes, -1: none or unknown */
	uint64_t size;			/* message bytes */
	unsigned int pairs;
	int status;
	char reason[ERRMSG_LEN];
	unsigned int reps;
	uint64_t ops;			/* messages or round trips per rep */
	double load1;			/* 1-minute load when the row began */
	struct stat5 v;			/* B/s, or round-trip p50 in ns */
	struct stat5 p99, p999;		/* latency only, ns */
	double ratio;			/* to pipe, same size/pairs; NAN: none */
	double speedup;			/* scaling: to the same backend, 1 pair */
};

struct meta {
	char version[32];
	char time[40];
	char kernel[160];
	char machine[72];
	char cpu_model[128];
	char clocksource[32];
	char kipc_module[64];		/* "" when not loaded */
	char kipc_reason[ERRMSG_LEN];
	char io_uring[ERRMSG_LEN];	/* "ok" or why not */
	char label[256];
	bool kipc_vm;
	int ncpus;
	double load_start[3], load_end[3];
	/* config as recorded (or loaded) */
	unsigned int reps;
	double min_time;
	uint64_t min_rtts;
	char cpus[64];
	bool split, quick, verify;
	uint64_t sizes[MAX_SIZES];
	unsigned int nsizes;
	unsigned int pairs[MAX_SIZES];
	unsigned int npairs;
	uint64_t scale_size, ring_bytes;
	unsigned int spin;
	char backends[NSERIES][40];
	unsigned int nbackends;
	unsigned int tests;
};

struct results {
	struct meta m;
	struct row *rows;
	size_t n, cap;
	unsigned int errors, skipped;
};

static struct row *row_new(struct results *R, unsigned int sec,
			   const struct series *s, uint64_t size,
			   unsigned int pairs)
{
	struct row *r;

	if (R->n == R->cap) {
		R->cap = R->cap ? 2 * R->cap : 64;
		R->rows = realloc(R->rows, R->cap * sizeof(*R->rows));
		if (!R->rows)
			errx_(1, "out of memory");
	}
	r = &R->rows[R->n++];
	memset(r, 0, sizeof(*r));
	r->sec = sec;
	if (s) {
		snprintf(r->backend, sizeof(r->backend), "%s", s->name);
		snprintf(r->mech, sizeof(r->mech), "%s", mech_names[s->mech]);
		snprintf(r->xport, sizeof(r->xport), "%s", xport_names[s->xp]);
	}
	r->capacity = -1;
	r->size = size;
	r->pairs = pairs;
	r->ratio = NAN;
	r->speedup = NAN;
	r->v.med = r->v.min = r->v.max = r->v.q1 = r->v.q3 = NAN;
	r->p99 = r->p999 = r->v;
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile by linear interpolation between order statistics (R type 7). */
static double quantile(const double *sorted, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

static struct stat5 stat5_of(double *v, unsigned int n)
{
	struct stat5 s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = quantile(v, n, 0.5);
	s.q1 = quantile(v, n, 0.25);
	s.q3 = quantile(v, n, 0.75);
	return s;
}

/* ------------------------------------------------------------------ */
/* Progress line                                                       */

static bool progress_on;
static unsigned int progress_done, progress_total;

static void progress(const struct row *r, const char *what)
{
	char sz[16];

	if (!progress_on)
		return;
	fprintf(stderr, "\r%s: [%3u/%u] %-10s %-20s", prog, progress_done,
		progress_total, sec_names[sec_index(r->sec)], r->backend);
	if (r->sec == SEC_THR)
		fprintf(stderr, " %5s", fmt_size(sz, sizeof(sz), r->size));
	else if (r->sec == SEC_SCALE)
		fprintf(stderr, " x%-4u", r->pairs);
	else
		fprintf(stderr, " %5s", "1");
	fprintf(stderr, " %s\033[K", what);
}

static void progress_clear(void)
{
	if (progress_on)
		fprintf(stderr, "\r\033[K");
}

/* ------------------------------------------------------------------ */
/* Shared memory ring                                                  */

/*
 * The header page of a region used as an SPSC byte ring; the data follow
 * at RING_DATA_OFF.  Each side owns one cache line; the waiting flags tell
 * the other side that a wake-up is needed, so that a side that keeps up
 * makes no system call at all.
 */
struct ring_hdr {
	_Alignas(64) _Atomic uint64_t tail;	/* bytes produced (writer) */
	_Atomic uint32_t data_seq;		/* futex: data was added */
	_Atomic uint32_t reader_waiting;
	_Alignas(64) _Atomic uint64_t head;	/* bytes consumed (reader) */
	_Atomic uint32_t space_seq;		/* futex: room was made */
	_Atomic uint32_t writer_waiting;
	/* Last doorbell value a waker saw: a lower bound of the counter. */
	_Alignas(64) _Atomic uint64_t db_mirror;
	/* Ping-pong: the client bumps ping, the server copies it to pong. */
	_Alignas(64) _Atomic uint32_t ping;
	_Alignas(64) _Atomic uint32_t pong;
};

#define RING_DATA_OFF	4096

/* ------------------------------------------------------------------ */
/* Workers                                                             */

struct slot {
	int64_t t0, t1;			/* monotonic ns: start, end */
	int32_t err;			/* -errno, 0 */
	uint32_t pad;
	double p50, p99, p999;		/* latency client: ns */
	char msg[ERRMSG_LEN];
};

/* One page (or a few) of MAP_SHARED memory between main and workers. */
struct ctl {
	_Atomic uint32_t gen;		/* futex: bumped to start a rep */
	_Atomic uint32_t done;		/* futex: workers finished */
	uint64_t n;			/* messages or round trips this rep */
	uint32_t quit;
	struct slot slot[MAX_WORKERS];
};

/* One pair's channel(s) or region. */
struct link {
	struct kipc_chan *ch[2];	/* [0]: a->b; [1]: b->a (latency) */
	int fd[2][2];			/* unix: [dir][0 read, 1 write] */
	struct kipc_shm *shm;
	struct ring_hdr *hdr;
	uint8_t *data;
	uint64_t ring_cap;
};

enum { JOB_STREAM, JOB_PINGPONG };

struct job {
	const struct series *s;
	int kind;			/* JOB_* */
	uint64_t size;
	unsigned int pairs;
	struct link lk[MAX_PAIRS];
	pid_t pid[MAX_WORKERS];
	unsigned int nworkers;
	struct ctl *ctl;
	size_t ctl_len;
	int64_t capacity;
	bool capacity_denied;		/* set-capacity EPERM: a limit, skip */
};

struct wctx {
	struct job *j;
	unsigned int idx, role, pair;	/* role 0: writer/client */
	struct link *lk;
	struct io_uring ring;
	struct kipc_aio *aio;
	bool uring;
	uint8_t *buf, *pattern;
	uint64_t pos;			/* ring: local tail or head */
	uint64_t db_seen;		/* doorbell: a lower bound */
	uint64_t vpos;			/* --verify: stream offset */
};

static void wfail(struct wctx *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void wfail(struct wctx *w, int err, const char *fmt, ...)
{
	struct slot *sl = &w->j->ctl->slot[w->idx];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sl->msg, sizeof(sl->msg), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(sl->msg))
		snprintf(sl->msg + n, sizeof(sl->msg) - n, ": %s",
			 kipc_strerror(err));
	sl->err = err ? err : -EIO;
	atomic_fetch_add(&w->j->ctl->done, 1);
	futex_wake(&w->j->ctl->done, 1);
	_exit(3);
}

/* The same bytes for writer and reader: a message is a xorshift stream. */
static void fill_pattern(uint8_t *p, size_t len)
{
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* --verify: the chunk at stream offset w->vpos matches the pattern. */
static void verify_chunk(struct wctx *w, const uint8_t *p, size_t len)
{
	uint64_t size = w->j->size;

	while (len) {
		uint64_t off = w->vpos % size;
		size_t n = len < size - off ? len : (size_t)(size - off);

		if (memcmp(p, w->pattern + off, n))
			wfail(w, -EBADMSG, "data mismatch near stream offset %" PRIu64,
			      w->vpos);
		p += n;
		len -= n;
		w->vpos += n;
	}
}

/* --- rings ---------------------------------------------------------- */

static bool ring_ready(struct wctx *w, bool for_data, uint64_t pos)
{
	struct ring_hdr *h = w->lk->hdr;

	if (for_data)
		return atomic_load_explicit(&h->tail, memory_order_acquire) != pos;
	return pos - atomic_load_explicit(&h->head, memory_order_acquire) <
	       w->lk->ring_cap;
}

/*
 * Sleep until the ring has data (reader) or room (writer).  The order
 * makes wake-ups impossible to lose: take the wait token (futex value or
 * doorbell bound), then raise the flag, then a full fence, then look
 * again; the other side publishes, fences, and wakes only if it sees the
 * flag.  With the doorbell, one counter serves both directions and the
 * token is only a lower bound, so a wait may return at once: harmless.
 */
static void ring_wait(struct wctx *w, bool for_data, uint64_t pos)
{
	struct ring_hdr *h = w->lk->hdr;
	_Atomic uint32_t *seq = for_data ? &h->data_seq : &h->space_seq;
	_Atomic uint32_t *flag = for_data ? &h->reader_waiting :
					    &h->writer_waiting;
	bool bell = w->j->s->xp == XP_DOORBELL;
	unsigned int i;
	uint64_t tok;
	int ret;

	for (;;) {
		for (i = 0; i < cfg.spin; i++) {
			if (ring_ready(w, for_data, pos))
				return;
			cpu_relax();
		}
		if (bell) {
			tok = atomic_load(&h->db_mirror);
			if (tok < w->db_seen)
				tok = w->db_seen;
		} else {
			tok = atomic_load(seq);
		}
		atomic_store(flag, 1);
		atomic_thread_fence(memory_order_seq_cst);
		if (ring_ready(w, for_data, pos)) {
			atomic_store(flag, 0);
			return;
		}
		if (bell) {
			ret = kipc_shm_wait(w->lk->shm, &tok, -1);
			if (ret && ret != -EINTR)
				wfail(w, ret, "kipc_shm_wait");
			if (!ret)
				w->db_seen = tok;
		} else if (futex_wait(seq, (uint32_t)tok, NULL) &&
			   errno != EAGAIN && errno != EINTR) {
			wfail(w, -errno, "futex wait");
		}
		atomic_store(flag, 0);
		if (ring_ready(w, for_data, pos))
			return;
	}
}

static void ring_notify(struct wctx *w, bool data)
{
	struct ring_hdr *h = w->lk->hdr;
	_Atomic uint32_t *flag = data ? &h->reader_waiting : &h->writer_waiting;
	uint64_t seq;
	int ret;

	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(flag, memory_order_relaxed) ||
	    !atomic_exchange(flag, 0))
		return;
	if (w->j->s->xp == XP_DOORBELL) {
		ret = kipc_shm_wake(w->lk->shm, &seq);
		if (ret)
			wfail(w, ret, "kipc_shm_wake");
		atomic_store(&h->db_mirror, seq);
		w->db_seen = seq;
	} else {
		_Atomic uint32_t *sq = data ? &h->data_seq : &h->space_seq;

		atomic_fetch_add(sq, 1);
		futex_wake(sq, 1);
	}
}

static void ring_send(struct wctx *w, const uint8_t *buf, size_t len)
{
	struct link *lk = w->lk;
	uint64_t cap = lk->ring_cap, space, off;
	size_t chunk;

	while (len) {
		space = cap - (w->pos - atomic_load_explicit(&lk->hdr->head,
						memory_order_acquire));
		if (!space) {
			ring_wait(w, false, w->pos);
			continue;
		}
		off = w->pos & (cap - 1);
		chunk = len;
		if (chunk > space)
			chunk = space;
		if (chunk > cap - off)
			chunk = cap - off;
		memcpy(lk->data + off, buf, chunk);
		w->pos += chunk;
		atomic_store_explicit(&lk->hdr->tail, w->pos,
				      memory_order_release);
		ring_notify(w, true);
		buf += chunk;
		len -= chunk;
	}
}

static size_t ring_recv_some(struct wctx *w, uint8_t *buf, size_t len)
{
	struct link *lk = w->lk;
	uint64_t cap = lk->ring_cap, avail, off;
	size_t chunk;

	for (;;) {
		avail = atomic_load_explicit(&lk->hdr->tail,
					     memory_order_acquire) - w->pos;
		if (avail)
			break;
		ring_wait(w, true, w->pos);
	}
	off = w->pos & (cap - 1);
	chunk = len;
	if (chunk > avail)
		chunk = avail;
	if (chunk > cap - off)
		chunk = cap - off;
	memcpy(buf, lk->data + off, chunk);
	w->pos += chunk;
	atomic_store_explicit(&lk->hdr->head, w->pos, memory_order_release);
	ring_notify(w, false);
	return chunk;
}

/* --- channels ------------------------------------------------------- */

static void chan_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	struct kipc_aio_result res;
	size_t done = 0;
	ssize_t n;
	int ret;

	if (w->j->s->mech == MECH_UNIX) {
		while (done < len) {
			n = write(w->lk->fd[dir][1], buf + done, len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				wfail(w, n < 0 ? -errno : -EIO, "write");
			done += n;
		}
		return;
	}
	if (!w->uring) {
		ret = kipc_chan_write_all(w->lk->ch[dir], buf, len, NULL);
		if (ret)
			wfail(w, ret, "kipc_chan_write_all");
		return;
	}
	while (done < len) {
		ret = kipc_aio_write(w->aio, w->lk->ch[dir], buf + done,
				     (unsigned int)(len - done), 0);
		if (ret)
			wfail(w, ret, "kipc_aio_write");
		ret = kipc_aio_wait(w->aio, &res, 1, 1);
		if (ret == -EINTR)
			ret = kipc_aio_wait(w->aio, &res, 1, 1);
		if (ret != 1)
			wfail(w, ret < 0 ? ret : -EIO, "kipc_aio_wait");
		if (res.res == -EINTR || res.res == -EAGAIN)
			continue;
		if (res.res <= 0)
			wfail(w, res.res ? res.res : -EIO, "io_uring write");
		done += res.res;
	}
}

static size_t chan_recv_some(struct wctx *w, int dir, uint8_t *buf, size_t len)
{
	struct kipc_aio_result res;
	ssize_t n;
	int ret;

	for (;;) {
		if (w->j->s->mech == MECH_UNIX) {
			n = read(w->lk->fd[dir][0], buf, len);
			if (n < 0)
				n = -errno;
		} else if (!w->uring) {
			n = kipc_chan_read(w->lk->ch[dir], buf, len);
		} else {
			ret = kipc_aio_read(w->aio, w->lk->ch[dir], buf,
					    (unsigned int)len, 0);
			if (ret)
				wfail(w, ret, "kipc_aio_read");
			do
				ret = kipc_aio_wait(w->aio, &res, 1, 1);
			while (ret == -EINTR);
			if (ret != 1)
				wfail(w, ret < 0 ? ret : -EIO, "kipc_aio_wait");
			n = res.res;
		}
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n < 0)
			wfail(w, (int)n, "read");
		if (n == 0)
			wfail(w, -ENODATA, "read: end of file");
		return (size_t)n;
	}
}

static void ep_send(struct wctx *w, int dir, const uint8_t *buf, size_t len)
{
	if (mech_is_shm(w->j->s->mech))
		ring_send(w, buf, len);
	else
		chan_send(w, dir, buf, len);
}

static size_t ep_recv_some(struct wctx *w, int dir, uint8_t *buf, size_t len)
{
	if (mech_is_shm(w->j->s->mech))
		return ring_recv_some(w, buf, len);
	return chan_recv_some(w, dir, buf, len);
}

/* --- the repetitions ------------------------------------------------ */

static void stream_rep(struct wctx *w, uint64_t n, struct slot *sl)
{
	uint64_t size = w->j->size, total = n * size, got = 0, i;
	size_t r;

	sl->t0 = now_ns();
	if (w->role == 0) {
		for (i = 0; i < n; i++)
			ep_send(w, 0, w->buf, size);
	} else {
		while (got < total) {
			r = ep_recv_some(w, 0, w->buf,
					 total - got < size ? total - got : size);
			if (cfg.verify)
				verify_chunk(w, w->buf, r);
			got += r;
		}
	}
	sl->t1 = now_ns();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least q of them at or below. */
static double pct(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t k = (uint64_t)ceil(q * (double)n);

	return (double)sorted[k ? k - 1 : 0];
}

/* Shared-memory ping-pong: a sequence number is the 1-byte message. */
static void shm_ping(struct wctx *w, uint32_t k)
{
	struct ring_hdr *h = w->lk->hdr;
	bool bell = w->j->s->xp == XP_DOORBELL;
	uint64_t seq;
	uint32_t v;
	int ret;

	atomic_store(&h->ping, k);
	if (bell) {
		ret = kipc_shm_wake(w->lk->shm, &seq);
		if (ret)
			wfail(w, ret, "kipc_shm_wake");
		w->db_seen = seq;
	} else {
		futex_wake(&h->ping, 1);
	}
	for (;;) {
		v = atomic_load(&h->pong);
		if (v == k)
			return;
		if (bell) {
			seq = w->db_seen;
			ret = kipc_shm_wait(w->lk->shm, &seq, -1);
			if (ret && ret != -EINTR)
				wfail(w, ret, "kipc_shm_wait");
			if (!ret)
				w->db_seen = seq;
		} else if (futex_wait(&h->pong, v, NULL) && errno != EAGAIN &&
			   errno != EINTR) {
			wfail(w, -errno, "futex wait");
		}
	}
}

static void shm_pong(struct wctx *w, uint32_t last)
{
	struct ring_hdr *h = w->lk->hdr;
	bool bell = w->j->s->xp == XP_DOORBELL;
	uint64_t seq;
	uint32_t v;
	int ret;

	for (;;) {
		v = atomic_load(&h->ping);
		if (v != last)
			break;
		if (bell) {
			seq = w->db_seen;
			ret = kipc_shm_wait(w->lk->shm, &seq, -1);
			if (ret && ret != -EINTR)
				wfail(w, ret, "kipc_shm_wait");
			if (!ret)
				w->db_seen = seq;
		} else if (futex_wait(&h->ping, v, NULL) && errno != EAGAIN &&
			   errno != EINTR) {
			wfail(w, -errno, "futex wait");
		}
	}
	atomic_store(&h->pong, v);
	if (bell) {
		ret = kipc_shm_wake(w->lk->shm, &seq);
		if (ret)
			wfail(w, ret, "kipc_shm_wake");
		w->db_seen = seq;
	} else {
		futex_wake(&h->pong, 1);
	}
}

static void pingpong_rep(struct wctx *w, uint64_t n, struct slot *sl)
{
	bool shm = mech_is_shm(w->j->s->mech);
	uint64_t *samples = NULL, keep = n < MAX_RTTS ? n : MAX_RTTS, i;
	uint8_t b;
	int64_t t;

	if (w->role == 0) {
		samples = malloc(keep * sizeof(*samples));
		if (!samples)
			wfail(w, -ENOMEM, "samples");
	}
	sl->t0 = now_ns();
	for (i = 0; i < n; i++) {
		/* The shm sequence number keeps going across repetitions. */
		uint32_t k = (uint32_t)(w->pos + i + 1);

		if (w->role == 0) {
			t = now_ns();
			if (shm) {
				shm_ping(w, k);
			} else {
				b = (uint8_t)k;
				ep_send(w, 0, &b, 1);
				ep_recv_some(w, 1, &b, 1);
				if (b != (uint8_t)k)
					wfail(w, -EBADMSG, "ping-pong: got %u, sent %u",
					      b, (uint8_t)k);
			}
			if (i < keep)
				samples[i] = (uint64_t)(now_ns() - t);
		} else if (shm) {
			shm_pong(w, k - 1);
		} else {
			ep_recv_some(w, 0, &b, 1);
			ep_send(w, 1, &b, 1);
		}
	}
	sl->t1 = now_ns();
	w->pos += n;
	if (w->role == 0) {
		qsort(samples, keep, sizeof(*samples), cmp_u64);
		sl->p50 = pct(samples, keep, 0.50);
		sl->p99 = pct(samples, keep, 0.99);
		sl->p999 = pct(samples, keep, 0.999);
		free(samples);
	}
}

static int worker_cpu(unsigned int idx)
{
	unsigned int pair = idx / 2, role = idx % 2;

	if (cfg.split)
		return cfg.cpus[(2 * pair + role) % cfg.ncpus];
	return cfg.cpus[pair % cfg.ncpus];
}

static pid_t main_pid;

static void __attribute__((noreturn)) worker_main(struct job *j,
						  unsigned int idx)
{
	struct ctl *ctl = j->ctl;
	struct wctx w;
	uint32_t gen = 0;
	size_t bufsz;
	cpu_set_t set;
	int ret;

	memset(&w, 0, sizeof(w));
	w.j = j;
	w.idx = idx;
	w.role = idx % 2;
	w.pair = idx / 2;
	w.lk = &j->lk[w.pair];
	/* The main process cleans up and kills us; if it dies, so do we. */
	signal(SIGINT, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != main_pid)
		_exit(1);

	if (cfg.pin) {
		CPU_ZERO(&set);
		CPU_SET(worker_cpu(idx), &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			wfail(&w, -errno, "sched_setaffinity(CPU %d)",
			      worker_cpu(idx));
	}
	bufsz = j->kind == JOB_STREAM ? j->size : 64;
	w.buf = aligned_alloc(4096, (bufsz + 4095) & ~(size_t)4095);
	if (!w.buf)
		wfail(&w, -ENOMEM, "buffer");
	fill_pattern(w.buf, bufsz);
	if (cfg.verify && j->kind == JOB_STREAM && w.role == 1) {
		w.pattern = malloc(bufsz);
		if (!w.pattern)
			wfail(&w, -ENOMEM, "buffer");
		fill_pattern(w.pattern, bufsz);
	}
	if (j->s->xp == XP_URING) {
		ret = io_uring_queue_init(8, &w.ring, 0);
		if (ret)
			wfail(&w, ret, "io_uring_queue_init");
		/*
		 * What io_uring cannot complete inline goes to io-wq worker
		 * threads, which may run anywhere: keep them on our CPU too.
		 */
		if (cfg.pin) {
			ret = io_uring_register_iowq_aff(&w.ring, sizeof(set), &set);
			if (ret && ret != -EINVAL && ret != -ENOSYS)
				wfail(&w, ret, "io_uring_register_iowq_aff");
		}
		ret = kipc_aio_create(&w.aio, &w.ring);
		if (ret)
			wfail(&w, ret, "kipc_aio_create");
		w.uring = true;
	}

	for (;;) {
		uint32_t g;

		while ((g = atomic_load(&ctl->gen)) == gen)
			futex_wait(&ctl->gen, gen, NULL);
		gen = g;
		if (ctl->quit)
			_exit(0);
		if (j->kind == JOB_STREAM)
			stream_rep(&w, ctl->n, &ctl->slot[idx]);
		else
			pingpong_rep(&w, ctl->n, &ctl->slot[idx]);
		atomic_fetch_add(&ctl->done, 1);
		futex_wake(&ctl->done, 1);
	}
}

/* ------------------------------------------------------------------ */
/* Jobs: set up in the main process, run by forked workers             */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	if (sig == SIGINT || sig == SIGTERM)
		interrupted = sig;
}

static int link_chan(struct job *j, struct link *lk, int dir, char *why,
		     size_t whylen)
{
	const struct series *s = j->s;
	struct kipc_chan_opts o;
	size_t cap;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = kipc_chan_create(&lk->ch[dir], mech_backend(s->mech), &o);
	if (ret) {
		snprintf(why, whylen, "kipc_chan_create(%s): %s",
			 mech_names[s->mech], kipc_strerror(ret));
		return ret;
	}
	/*
	 * Resize after creation, the same way for every backend, so that a
	 * refusal is told apart from a failure to create.
	 */
	if (s->capacity) {
		ret = kipc_chan_set_capacity(lk->ch[dir], s->capacity, NULL);
		if (ret) {
			snprintf(why, whylen, "capacity %" PRIu64 ": %s",
				 s->capacity, kipc_strerror(ret));
			if (ret == -EPERM)
				j->capacity_denied = true;
			return ret;
		}
	}
	if (!kipc_chan_get_capacity(lk->ch[dir], &cap))
		j->capacity = (int64_t)cap;
	return 0;
}

static int link_unix(struct job *j, struct link *lk, char *why, size_t whylen)
{
	int sv[2], sz;
	socklen_t len = sizeof(sz);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(why, whylen, "socketpair: %s", strerror(errno));
		return -errno;
	}
	lk->fd[0][1] = sv[0];
	lk->fd[0][0] = sv[1];
	lk->fd[1][1] = sv[1];
	lk->fd[1][0] = sv[0];
	if (!getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, &len))
		j->capacity = sz;
	return 0;
}

static int link_shm(struct job *j, struct link *lk, char *why, size_t whylen)
{
	struct kipc_shm_opts o;
	void *addr;
	int ret;

	memset(&o, 0, sizeof(o));
	o.size = RING_DATA_OFF + cfg.ring_bytes;
	o.flags = O_CREAT | O_EXCL;
	ret = kipc_shm_create(&lk->shm, mech_backend(j->s->mech), &o);
	if (ret) {
		snprintf(why, whylen, "kipc_shm_create(%s): %s",
			 mech_names[j->s->mech], kipc_strerror(ret));
		return ret;
	}
	ret = kipc_shm_attach(lk->shm, O_RDWR, &addr);
	if (ret) {
		snprintf(why, whylen, "kipc_shm_attach: %s", kipc_strerror(ret));
		return ret;
	}
	/*
	 * Remove the key or name at once: the mapping (inherited by the
	 * workers) keeps the memory, and nothing is left behind if we die.
	 */
	ret = kipc_shm_remove(lk->shm);
	if (ret) {
		snprintf(why, whylen, "kipc_shm_remove: %s", kipc_strerror(ret));
		return ret;
	}
	lk->hdr = addr;
	lk->data = (uint8_t *)addr + RING_DATA_OFF;
	lk->ring_cap = cfg.ring_bytes;
	memset(addr, 0, RING_DATA_OFF);
	j->capacity = (int64_t)cfg.ring_bytes;
	return 0;
}

static void job_teardown(struct job *j)
{
	unsigned int i, p;
	int st;

	if (j->ctl) {
		j->ctl->quit = 1;
		atomic_fetch_add(&j->ctl->gen, 1);
		futex_wake(&j->ctl->gen, INT_MAX);
	}
	for (i = 0; i < j->nworkers; i++) {
		if (j->pid[i] <= 0)
			continue;
		/* A worker blocked in I/O does not see quit: kill it. */
		for (p = 0; p < 50; p++) {
			if (waitpid(j->pid[i], &st, WNOHANG) == j->pid[i])
				break;
			if (p == 10)
				kill(j->pid[i], SIGKILL);
			usleep(p < 10 ? 1000 : 20000);
		}
		if (p == 50)
			waitpid(j->pid[i], &st, 0);
		j->pid[i] = 0;
	}
	for (p = 0; p < j->pairs; p++) {
		struct link *lk = &j->lk[p];

		kipc_chan_destroy(lk->ch[0]);
		kipc_chan_destroy(lk->ch[1]);
		if (lk->fd[0][0] > 0)
			close(lk->fd[0][0]);
		if (lk->fd[0][1] > 0)
			close(lk->fd[0][1]);
		kipc_shm_destroy(lk->shm);
		memset(lk, 0, sizeof(*lk));
	}
	if (j->ctl)
		munmap(j->ctl, j->ctl_len);
	j->ctl = NULL;
}

/*
 * Make the channels or regions and fork the workers.  0, or -errno with
 * the reason in @why.
 */
static int job_setup(struct job *j, char *why, size_t whylen)
{
	unsigned int p, i;
	int ret = 0;
	pid_t pid;

	j->capacity = -1;
	j->ctl_len = (sizeof(struct ctl) + 4095) & ~(size_t)4095;
	j->ctl = mmap(NULL, j->ctl_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j->ctl == MAP_FAILED) {
		j->ctl = NULL;
		snprintf(why, whylen, "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	for (p = 0; p < j->pairs && !ret; p++) {
		struct link *lk = &j->lk[p];

		if (mech_is_shm(j->s->mech))
			ret = link_shm(j, lk, why, whylen);
		else if (j->s->mech == MECH_UNIX)
			ret = link_unix(j, lk, why, whylen);
		else {
			ret = link_chan(j, lk, 0, why, whylen);
			if (!ret && j->kind == JOB_PINGPONG)
				ret = link_chan(j, lk, 1, why, whylen);
		}
	}
	if (ret)
		return ret;

	fflush(NULL);
	main_pid = getpid();
	j->nworkers = 2 * j->pairs;
	for (i = 0; i < j->nworkers; i++) {
		pid = fork();
		if (pid < 0) {
			ret = -errno;
			snprintf(why, whylen, "fork: %s", strerror(errno));
			return ret;
		}
		if (!pid)
			worker_main(j, i);
		j->pid[i] = pid;
	}
	return 0;
}

/*
 * One repetition: every worker moves @n messages (or round trips).  The
 * elapsed time runs from the first worker's start to the last one's end.
 */
static int job_rep(struct job *j, uint64_t n, double *elapsed, char *why,
		   size_t whylen)
{
	struct ctl *ctl = j->ctl;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	int64_t deadline = now_ns() + (int64_t)(fmax(300, 100 * cfg.min_time) * 1e9);
	struct timespec ts = { 1, 0 };
	unsigned int i;
	uint32_t d;
	int st;

	memset(ctl->slot, 0, sizeof(ctl->slot));
	ctl->n = n;
	atomic_store(&ctl->done, 0);
	atomic_fetch_add(&ctl->gen, 1);
	futex_wake(&ctl->gen, INT_MAX);

	while ((d = atomic_load(&ctl->done)) < j->nworkers) {
		/* SIGCHLD or SIGINT interrupts the wait. */
		futex_wait(&ctl->done, d, &ts);
		if (interrupted) {
			snprintf(why, whylen, "interrupted");
			return -EINTR;
		}
		for (i = 0; i < j->nworkers; i++) {
			if (waitpid(j->pid[i], &st, WNOHANG) != j->pid[i])
				continue;
			j->pid[i] = 0;
			if (ctl->slot[i].err)
				snprintf(why, whylen, "%s", ctl->slot[i].msg);
			else if (WIFSIGNALED(st))
				snprintf(why, whylen, "worker %u killed by signal %d",
					 i, WTERMSIG(st));
			else
				snprintf(why, whylen, "worker %u exited with %d",
					 i, WEXITSTATUS(st));
			return ctl->slot[i].err ? ctl->slot[i].err : -ECHILD;
		}
		if (now_ns() > deadline) {
			snprintf(why, whylen, "repetition timed out");
			return -ETIMEDOUT;
		}
	}
	for (i = 0; i < j->nworkers; i++) {
		if (ctl->slot[i].err) {
			snprintf(why, whylen, "%s", ctl->slot[i].msg);
			return ctl->slot[i].err;
		}
		if (ctl->slot[i].t0 < t0)
			t0 = ctl->slot[i].t0;
		if (ctl->slot[i].t1 > t1)
			t1 = ctl->slot[i].t1;
	}
	*elapsed = (double)(t1 - t0 > 0 ? t1 - t0 : 1) / 1e9;
	return 0;
}

/*
 * Find a message count whose repetition lasts at least --min-time.  The
 * calibration runs double as the warm-up.
 */
static int job_calibrate(struct job *j, uint64_t n, uint64_t floor_n,
			 uint64_t *out, char *why, size_t whylen)
{
	double el = 0, f;
	int ret, i;

	for (i = 0; i < 30; i++) {
		ret = job_rep(j, n, &el, why, whylen);
		if (ret)
			return ret;
		if (el >= cfg.min_time * 0.5)
			break;
		f = el > 0 ? cfg.min_time / el : 16;
		f = f > 16 ? 16 : f < 2 ? 2 : f;
		n = (uint64_t)ceil((double)n * f);
	}
	n = (uint64_t)ceil((double)n * cfg.min_time * 1.05 / el);
	*out = n > floor_n ? n : floor_n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

static char uring_reason[ERRMSG_LEN];	/* "": io_uring works here */

static bool series_unavailable(const struct series *s, char *why, size_t len)
{
	enum kipc_backend b = mech_backend(s->mech);
	int ret;

	if (s->mech != MECH_UNIX) {
		ret = kipc_backend_available(b);
		if (ret) {
			snprintf(why, len, "%s: %s", kipc_backend_name(b),
				 kipc_strerror(ret));
			return true;
		}
	}
	if (s->xp == XP_URING && uring_reason[0]) {
		snprintf(why, len, "%s", uring_reason);
		return true;
	}
	return false;
}


static void row_skip(struct results *R, struct row *r, const char *why)
{
	r->status = ST_SKIPPED;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
	R->skipped++;
}

static void row_fail(struct results *R, struct row *r, const struct job *j,
		     const char *why)
{
	/* A capacity the system refuses (pipe-max-size...) is a limit. */
	if (j && j->capacity_denied) {
		row_skip(R, r, why);
		return;
	}
	r->status = ST_ERROR;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
	R->errors++;
}

/* Throughput and scaling rows: @pairs writer/reader pairs of @size. */
static void measure_stream(struct results *R, const struct series *s,
			   unsigned int sec, uint64_t size, unsigned int pairs)
{
	struct row *r = row_new(R, sec, s, size, pairs);
	double v[64], el, la[3];
	char why[ERRMSG_LEN], what[32];
	struct job j;
	uint64_t n;
	unsigned int i;
	int ret;

	read_loadavg(la);
	r->load1 = la[0];
	progress(r, "setup");
	if (series_unavailable(s, why, sizeof(why))) {
		row_skip(R, r, why);
		goto out;
	}
	memset(&j, 0, sizeof(j));
	j.s = s;
	j.kind = JOB_STREAM;
	j.size = size;
	j.pairs = pairs;
	ret = job_setup(&j, why, sizeof(why));
	if (!ret) {
		r->capacity = j.capacity;
		progress(r, "calibrating");
		/*
		 * Start small: some rows (io_uring in a TCG guest) move
		 * a few KB/s, and the first calibration run is not cut short.
		 */
		ret = job_calibrate(&j, size >= 64 * KIB ? 2 : 8, 2, &n, why,
				    sizeof(why));
	}
	for (i = 0; !ret && i < cfg.reps; i++) {
		snprintf(what, sizeof(what), "rep %u/%u", i + 1, cfg.reps);
		progress(r, what);
		ret = job_rep(&j, n, &el, why, sizeof(why));
		v[i] = (double)pairs * (double)n * (double)size / el;
	}
	if (ret) {
		row_fail(R, r, &j, why);
	} else {
		r->v = stat5_of(v, cfg.reps);
		r->reps = cfg.reps;
		r->ops = n;
	}
	job_teardown(&j);
out:
	progress_done++;
}

/* Latency rows: one client, one server, 1-byte round trips. */
static void measure_latency(struct results *R, const struct series *s)
{
	struct row *r = row_new(R, SEC_LAT, s, 1, 1);
	double p50[64], p99[64], p999[64], el, la[3];
	char why[ERRMSG_LEN], what[32];
	struct job j;
	uint64_t n;
	unsigned int i;
	int ret;

	read_loadavg(la);
	r->load1 = la[0];
	progress(r, "setup");
	if (series_unavailable(s, why, sizeof(why))) {
		row_skip(R, r, why);
		goto out;
	}
	memset(&j, 0, sizeof(j));
	j.s = s;
	j.kind = JOB_PINGPONG;
	j.size = 1;
	j.pairs = 1;
	ret = job_setup(&j, why, sizeof(why));
	if (!ret) {
		r->capacity = j.capacity;
		progress(r, "calibrating");
		ret = job_calibrate(&j, 16, cfg.min_rtts, &n, why, sizeof(why));
	}
	for (i = 0; !ret && i < cfg.reps; i++) {
		snprintf(what, sizeof(what), "rep %u/%u", i + 1, cfg.reps);
		progress(r, what);
		ret = job_rep(&j, n, &el, why, sizeof(why));
		p50[i] = j.ctl->slot[0].p50;
		p99[i] = j.ctl->slot[0].p99;
		p999[i] = j.ctl->slot[0].p999;
	}
	if (ret) {
		row_fail(R, r, &j, why);
	} else {
		r->v = stat5_of(p50, cfg.reps);
		r->p99 = stat5_of(p99, cfg.reps);
		r->p999 = stat5_of(p999, cfg.reps);
		r->reps = cfg.reps;
		r->ops = n;
	}
	job_teardown(&j);
out:
	progress_done++;
}

static const struct row *find_row(const struct results *R, unsigned int sec,
				  const char *backend, uint64_t size,
				  unsigned int pairs)
{
	size_t i;

	for (i = 0; i < R->n; i++) {
		const struct row *b = &R->rows[i];

		if (b->sec == sec && b->status == ST_OK &&
		    !strcmp(b->backend, backend) &&
		    (sec == SEC_LAT || b->size == size) &&
		    (sec != SEC_SCALE || b->pairs == pairs))
			return b;
	}
	return NULL;
}

/* Ratios to "pipe" measured in the same run; scaling also to 1 pair. */
static void compute_ratios(struct results *R)
{
	const struct row *b;
	size_t i;

	for (i = 0; i < R->n; i++) {
		struct row *r = &R->rows[i];

		r->ratio = r->speedup = NAN;
		if (r->status != ST_OK)
			continue;
		b = find_row(R, r->sec, "pipe", r->size, r->pairs);
		if (b)
			r->ratio = r->v.med / b->v.med;
		if (r->sec == SEC_SCALE) {
			b = find_row(R, SEC_SCALE, r->backend, r->size, 1);
			if (b)
				r->speedup = r->v.med / b->v.med;
		}
	}
}

static int row_order(const struct row *r)
{
	int i = series_find(r->backend);

	return i < 0 ? NSERIES : i;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (row_order(a) != row_order(b))
		return row_order(a) < row_order(b) ? -1 : 1;
	if (row_order(a) == NSERIES && strcmp(a->backend, b->backend))
		return strcmp(a->backend, b->backend);
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->pairs != b->pairs)
		return a->pairs < b->pairs ? -1 : 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Host description                                                    */

static void collect_meta(struct meta *m)
{
	struct kipc_module_version kv;
	struct io_uring ring;
	struct utsname u;
	char line[512];
	time_t t = time(NULL);
	struct tm tm;
	FILE *f;
	int ret, i;

	snprintf(m->version, sizeof(m->version), "%s", KIPC_BENCH_VERSION);
	gmtime_r(&t, &tm);
	strftime(m->time, sizeof(m->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!uname(&u)) {
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname,
			 u.release);
		snprintf(m->machine, sizeof(m->machine), "%s", u.machine);
	}
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !c)
			continue;
		c++;
		c += strspn(c, " \t");
		c[strcspn(c, "\n")] = 0;
		snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", c);
		break;
	}
	if (f)
		fclose(f);
	if (!read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			     m->clocksource, sizeof(m->clocksource)))
		snprintf(m->clocksource, sizeof(m->clocksource), "unknown");
	m->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	m->kipc_vm = getenv("KIPC_VM") != NULL;

	ret = kipc_module_get_version(&kv);
	if (!ret)
		snprintf(m->kipc_module, sizeof(m->kipc_module),
			 "%u.%u.%u (ABI %u)", kv.major, kv.minor, kv.patch,
			 kv.abi);
	else
		snprintf(m->kipc_reason, sizeof(m->kipc_reason), "%s",
			 kipc_strerror(ret));

	ret = io_uring_queue_init(2, &ring, 0);
	if (ret) {
		snprintf(m->io_uring, sizeof(m->io_uring), "io_uring_setup: %s",
			 strerror(-ret));
		snprintf(uring_reason, sizeof(uring_reason), "%s", m->io_uring);
	} else {
		io_uring_queue_exit(&ring);
		snprintf(m->io_uring, sizeof(m->io_uring), "ok");
	}
	if (cfg.label)
		snprintf(m->label, sizeof(m->label), "%s", cfg.label);

	m->reps = cfg.reps;
	m->min_time = cfg.min_time;
	m->min_rtts = cfg.min_rtts;
	snprintf(m->cpus, sizeof(m->cpus), "%s", cfg.cpus_arg);
	m->split = cfg.split;
	m->quick = cfg.quick;
	m->verify = cfg.verify;
	memcpy(m->sizes, cfg.sizes, sizeof(m->sizes));
	m->nsizes = cfg.nsizes;
	memcpy(m->pairs, cfg.pairs, sizeof(m->pairs));
	m->npairs = cfg.npairs;
	m->scale_size = cfg.scale_size;
	m->ring_bytes = cfg.ring_bytes;
	m->spin = cfg.spin;
	m->nbackends = 0;
	for (i = 0; i < NSERIES; i++)
		if (cfg.selected[i])
			snprintf(m->backends[m->nbackends++], sizeof(m->backends[0]),
				 "%s", series_tab[i].name);
	m->tests = cfg.tests;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static void fmt_load(char *buf, size_t len, const double la[3])
{
	if (isfinite(la[0]))
		snprintf(buf, len, "%.2f %.2f %.2f", la[0], la[1], la[2]);
	else
		snprintf(buf, len, "unknown");
}

static bool same_skip(const struct row *a, const struct row *b)
{
	return a && a->sec == b->sec && a->status != ST_OK &&
	       a->status == b->status && !strcmp(a->backend, b->backend) &&
	       !strcmp(a->reason, b->reason);
}

static void print_not_ok(FILE *f, const struct row *r)
{
	fprintf(f, "%-20s %s: %s\n", r->backend,
		r->status == ST_SKIPPED ? "skipped" : "ERROR", r->reason);
}

static void print_table(FILE *f, const struct results *R)
{
	const struct meta *m = &R->m;
	const struct row *prev = NULL;
	char a[32], b[32], c[32], d[32], e[32], g[32], l0[48], l1[48];
	unsigned int sec;
	size_t i;

	fmt_load(l0, sizeof(l0), m->load_start);
	fmt_load(l1, sizeof(l1), m->load_end);
	fprintf(f, "kipc-bench %s: %s %s, %d CPUs (%s), clocksource %s, %s\n",
		m->version, m->kernel, m->machine, m->ncpus,
		m->cpu_model[0] ? m->cpu_model : "unknown CPU", m->clocksource,
		m->time);
	if (m->label[0])
		fprintf(f, "label: %s\n", m->label);
	fprintf(f, "kipc module: %s; io_uring: %s\n",
		m->kipc_module[0] ? m->kipc_module : m->kipc_reason,
		m->io_uring);
	if (!strcmp(m->cpus, "none"))
		fputs("not pinned", f);
	else
		fprintf(f, "pinned to CPU %s, %s", m->cpus,
			m->split ? "the ends of a pair on different CPUs" :
				   "both ends of a pair on one CPU");
	fprintf(f, "; %u reps of >= %.3g s each (latency: >= %" PRIu64
		" round trips); load %s -> %s\n", m->reps, m->min_time,
		m->min_rtts, l0, l1);

	for (sec = SEC_THR; sec <= SEC_SCALE; sec <<= 1) {
		if (!(m->tests & sec))
			continue;
		fputc('\n', f);
		if (sec == SEC_THR) {
			fprintf(f, "Throughput, one writer and one reader: MB/s (10^6 B/s), median [min-max];\n"
				   "x pipe: ratio to pipe at the same message size\n");
			fprintf(f, "%-20s %8s %6s %10s  %-21s %7s\n", "backend",
				"capacity", "size", "MB/s", "min-max", "x pipe");
		} else if (sec == SEC_LAT) {
			fprintf(f, "Latency, 1-byte ping-pong round trip: us, median over reps of each percentile;\n"
				   "x pipe: ratio of p50 to pipe's (above 1: slower)\n");
			fprintf(f, "%-20s %10s  %-21s %10s %10s %7s\n", "backend",
				"p50", "p50 min-max", "p99", "p99.9", "x pipe");
		} else {
			fprintf(f, "Scaling, N independent pairs at once, %s messages: aggregate MB/s;\n"
				   "x pipe: ratio to pipe with as many pairs; x 1: to the same backend with 1 pair\n",
				fmt_size(a, sizeof(a), m->scale_size));
			fprintf(f, "%-20s %5s %10s  %-21s %7s %6s\n", "backend",
				"pairs", "MB/s", "min-max", "x pipe", "x 1");
		}
		prev = NULL;
		for (i = 0; i < R->n; i++) {
			const struct row *r = &R->rows[i];

			if (r->sec != sec)
				continue;
			if (r->status != ST_OK) {
				if (!same_skip(prev, r))
					print_not_ok(f, r);
				prev = r;
				continue;
			}
			prev = r;
			if (sec == SEC_THR) {
				snprintf(e, sizeof(e), "%s-%s",
					 fmt_num(c, sizeof(c), r->v.min / 1e6),
					 fmt_num(d, sizeof(d), r->v.max / 1e6));
				fprintf(f, "%-20s %8s %6s %10s  %-21s %7.2f\n",
					r->backend,
					r->capacity >= 0 ?
					fmt_size(a, sizeof(a), (uint64_t)r->capacity) : "-",
					fmt_size(b, sizeof(b), r->size),
					fmt_num(g, sizeof(g), r->v.med / 1e6), e,
					r->ratio);
			} else if (sec == SEC_LAT) {
				snprintf(e, sizeof(e), "%s-%s",
					 fmt_num(c, sizeof(c), r->v.min / 1e3),
					 fmt_num(d, sizeof(d), r->v.max / 1e3));
				fprintf(f, "%-20s %10s  %-21s %10s %10s %7.2f\n",
					r->backend,
					fmt_num(g, sizeof(g), r->v.med / 1e3), e,
					fmt_num(a, sizeof(a), r->p99.med / 1e3),
					fmt_num(b, sizeof(b), r->p999.med / 1e3),
					r->ratio);
			} else {
				snprintf(e, sizeof(e), "%s-%s",
					 fmt_num(c, sizeof(c), r->v.min / 1e6),
					 fmt_num(d, sizeof(d), r->v.max / 1e6));
				fprintf(f, "%-20s %5u %10s  %-21s %7.2f %6.2f\n",
					r->backend, r->pairs,
					fmt_num(g, sizeof(g), r->v.med / 1e6), e,
					r->ratio, r->speedup);
			}
		}
	}
	fprintf(f, "\n%zu rows: %u skipped, %u failed\n", R->n, R->skipped,
		R->errors);
}

/* ------------------------------------------------------------------ */
/* JSON and CSV out                                                    */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_str_or_null(FILE *f, const char *s)
{
	if (s && *s)
		json_str(f, s);
	else
		fputs("null", f);
}

static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

static void json_stat(FILE *f, const struct stat5 *s, bool ok)
{
	if (!ok) {
		fputs("null", f);
		return;
	}
	fputs("{\"median\": ", f);
	json_num(f, s->med);
	fputs(", \"min\": ", f);
	json_num(f, s->min);
	fputs(", \"max\": ", f);
	json_num(f, s->max);
	fputs(", \"q1\": ", f);
	json_num(f, s->q1);
	fputs(", \"q3\": ", f);
	json_num(f, s->q3);
	fputc('}', f);
}

static void json_load(FILE *f, const double la[3])
{
	if (!isfinite(la[0])) {
		fputs("null", f);
		return;
	}
	fprintf(f, "[%.2f, %.2f, %.2f]", la[0], la[1], la[2]);
}

static void json_row(FILE *f, const struct row *r)
{
	bool ok = r->status == ST_OK;

	fputs("    {\"backend\": ", f);
	json_str(f, r->backend);
	fputs(", \"mechanism\": ", f);
	json_str(f, r->mech);
	fputs(", \"transport\": ", f);
	json_str(f, r->xport);
	fputs(", \"status\": ", f);
	json_str(f, status_names[r->status]);
	fputs(", \"reason\": ", f);
	json_str_or_null(f, ok ? NULL : r->reason);
	fputs(", \"capacity\": ", f);
	json_num(f, r->capacity >= 0 ? (double)r->capacity : NAN);
	if (r->sec != SEC_LAT)
		fprintf(f, ", \"size\": %" PRIu64, r->size);
	if (r->sec == SEC_SCALE)
		fprintf(f, ", \"pairs\": %u", r->pairs);
	fprintf(f, ", \"reps\": %u, \"%s\": %" PRIu64 ", \"load1\": ",
		ok ? r->reps : 0,
		r->sec == SEC_LAT ? "round_trips" : "msgs_per_rep",
		ok ? r->ops : 0);
	json_num(f, r->load1);
	if (r->sec == SEC_LAT) {
		fputs(",\n     \"rtt_ns\": ", f);
		if (ok) {
			fputs("{\"p50\": ", f);
			json_stat(f, &r->v, ok);
			fputs(",\n                \"p99\": ", f);
			json_stat(f, &r->p99, ok);
			fputs(",\n                \"p999\": ", f);
			json_stat(f, &r->p999, ok);
			fputc('}', f);
		} else {
			fputs("null", f);
		}
	} else {
		fputs(",\n     \"bytes_per_s\": ", f);
		json_stat(f, &r->v, ok);
	}
	fputs(", \"ratio_to_pipe\": ", f);
	json_num(f, r->ratio);
	if (r->sec == SEC_SCALE) {
		fputs(", \"speedup_vs_1_pair\": ", f);
		json_num(f, r->speedup);
	}
	fputc('}', f);
}

static void write_json(FILE *f, const struct results *R)
{
	const struct meta *m = &R->m;
	unsigned int sec, i;
	bool first;
	size_t k;

	fprintf(f, "{\n  \"schema\": \"%s\",\n  \"version\": ", SCHEMA);
	json_str(f, m->version);
	fputs(",\n  \"host\": {\"kernel\": ", f);
	json_str(f, m->kernel);
	fputs(", \"machine\": ", f);
	json_str(f, m->machine);
	fprintf(f, ", \"cpus\": %d, \"cpu_model\": ", m->ncpus);
	json_str(f, m->cpu_model);
	fputs(",\n           \"clocksource\": ", f);
	json_str(f, m->clocksource);
	fputs(", \"kipc_module\": ", f);
	json_str_or_null(f, m->kipc_module);
	fputs(", \"kipc_reason\": ", f);
	json_str_or_null(f, m->kipc_module[0] ? NULL : m->kipc_reason);
	fputs(",\n           \"io_uring\": ", f);
	json_str(f, m->io_uring);
	fputs(", \"kipc_vm\": ", f);
	fputs(m->kipc_vm ? "true" : "false", f);
	fputs(", \"label\": ", f);
	json_str(f, m->label);
	fputs(", \"time\": ", f);
	json_str(f, m->time);
	fputs(",\n           \"loadavg_start\": ", f);
	json_load(f, m->load_start);
	fputs(", \"loadavg_end\": ", f);
	json_load(f, m->load_end);
	fprintf(f, "},\n  \"config\": {\"reps\": %u, \"min_time_s\": ", m->reps);
	json_num(f, m->min_time);
	fprintf(f, ", \"min_rtts\": %" PRIu64 ", \"cpus\": ", m->min_rtts);
	json_str(f, m->cpus);
	fprintf(f, ", \"split\": %s, \"quick\": %s, \"verify\": %s,\n             \"sizes\": [",
		m->split ? "true" : "false", m->quick ? "true" : "false",
		m->verify ? "true" : "false");
	for (i = 0; i < m->nsizes; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", m->sizes[i]);
	fputs("], \"pairs\": [", f);
	for (i = 0; i < m->npairs; i++)
		fprintf(f, "%s%u", i ? ", " : "", m->pairs[i]);
	fprintf(f, "], \"scale_size\": %" PRIu64 ", \"ring_bytes\": %" PRIu64
		", \"spin\": %u,\n             \"backends\": [",
		m->scale_size, m->ring_bytes, m->spin);
	for (i = 0; i < m->nbackends; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, m->backends[i]);
	}
	fputs("],\n             \"tests\": [", f);
	first = true;
	for (sec = SEC_THR; sec <= SEC_SCALE; sec <<= 1) {
		if (!(m->tests & sec))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ", ", sec_names[sec_index(sec)]);
		first = false;
	}
	fprintf(f, "]},\n  \"summary\": {\"rows\": %zu, \"ok\": %zu, \"skipped\": %u, \"errors\": %u}",
		R->n, R->n - R->skipped - R->errors, R->skipped, R->errors);
	for (sec = SEC_THR; sec <= SEC_SCALE; sec <<= 1) {
		fprintf(f, ",\n  \"%s\": [", sec_names[sec_index(sec)]);
		first = true;
		for (k = 0; k < R->n; k++) {
			if (R->rows[k].sec != sec)
				continue;
			fputs(first ? "\n" : ",\n", f);
			json_row(f, &R->rows[k]);
			first = false;
		}
		fputs(first ? "]" : "\n  ]", f);
	}
	fputs("\n}\n", f);
}

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
}

static void csv_line(FILE *f, const struct row *r, const char *metric,
		     const char *unit, const struct stat5 *s, double ratio)
{
	bool ok = r->status == ST_OK;

	fprintf(f, "%s,", sec_names[sec_index(r->sec)]);
	csv_str(f, r->backend);
	fprintf(f, ",%s,%s,", r->mech, r->xport);
	if (r->capacity >= 0)
		fprintf(f, "%" PRId64, r->capacity);
	fprintf(f, ",%" PRIu64 ",%u,%s,", r->size, r->pairs,
		status_names[r->status]);
	csv_str(f, ok ? "" : r->reason);
	fprintf(f, ",%u,%" PRIu64 ",%s,%s,", ok ? r->reps : 0, ok ? r->ops : 0,
		metric, unit);
	if (ok) {
		csv_num(f, s->med);
		fputc(',', f);
		csv_num(f, s->min);
		fputc(',', f);
		csv_num(f, s->max);
		fputc(',', f);
		csv_num(f, s->q1);
		fputc(',', f);
		csv_num(f, s->q3);
		fputc(',', f);
		csv_num(f, ratio);
	} else {
		fputs(",,,,,", f);
	}
	fputc(',', f);
	csv_num(f, r->load1);
	fputc('\n', f);
}

static void write_csv(FILE *f, const struct results *R)
{
	const struct row *pipe;
	size_t i;

	fputs("section,backend,mechanism,transport,capacity,size,pairs,status,reason,"
	      "reps,ops,metric,unit,median,min,max,q1,q3,ratio_to_pipe,load1\n", f);
	for (i = 0; i < R->n; i++) {
		const struct row *r = &R->rows[i];

		if (r->sec != SEC_LAT) {
			csv_line(f, r, "throughput", "B/s", &r->v, r->ratio);
			continue;
		}
		pipe = find_row(R, SEC_LAT, "pipe", 1, 1);
		csv_line(f, r, "rtt_p50", "ns", &r->v, r->ratio);
		csv_line(f, r, "rtt_p99", "ns", &r->p99,
			 pipe ? r->p99.med / pipe->p99.med : NAN);
		csv_line(f, r, "rtt_p999", "ns", &r->p999,
			 pipe ? r->p999.med / pipe->p999.med : NAN);
	}
}

/* ------------------------------------------------------------------ */
/* JSON in: a small parser, enough for our own files                   */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

#define JT(t)		(1u << (t))
#define JT_STAT		(JT(J_OBJ) | JT(J_NULL))

struct jval {
	enum jtype t;
	bool b;
	double num;
	char *str;
	struct jval **items;
	char **keys;		/* J_OBJ */
	size_t n;
};

struct jparser {
	const char *p, *end, *start;
	char err[160];
	int depth;
};

static void jfree(struct jval *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		jfree(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

static void jskip(struct jparser *P)
{
	while (P->p < P->end && strchr(" \t\r\n", *P->p))
		P->p++;
}

static struct jval *jerr(struct jparser *P, const char *what)
{
	if (!P->err[0])
		snprintf(P->err, sizeof(P->err), "%s at byte %zu", what,
			 (size_t)(P->p - P->start));
	return NULL;
}

static char *jparse_string(struct jparser *P)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);
	unsigned int u;

	if (!s)
		return NULL;
	P->p++;		/* the opening quote */
	while (P->p < P->end && *P->p != '"') {
		char c = *P->p++;

		if ((unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			if (P->p >= P->end)
				goto bad;
			c = *P->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '"': case '\\': case '/': break;
			case 'u':
				if (P->end - P->p < 4 ||
				    sscanf(P->p, "%4x", &u) != 1)
					goto bad;
				P->p += 4;
				/* Our files only escape control characters. */
				c = u < 0x80 ? (char)u : '?';
				break;
			default:
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				goto bad;
			s = t;
		}
		s[n++] = c;
	}
	if (P->p >= P->end)
		goto bad;
	P->p++;
	s[n] = 0;
	return s;
bad:
	free(s);
	jerr(P, "bad string");
	return NULL;
}

static struct jval *jparse_value(struct jparser *P);

static bool jpush(struct jval *v, struct jval *item, char *key)
{
	struct jval **it = realloc(v->items, (v->n + 1) * sizeof(*it));

	if (!it)
		return false;
	v->items = it;
	if (v->t == J_OBJ) {
		char **k = realloc(v->keys, (v->n + 1) * sizeof(*k));

		if (!k)
			return false;
		v->keys = k;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

static struct jval *jparse_container(struct jparser *P, struct jval *v)
{
	char close = v->t == J_OBJ ? '}' : ']';
	struct jval *item;
	char *key = NULL;

	P->p++;
	jskip(P);
	if (P->p < P->end && *P->p == close) {
		P->p++;
		return v;
	}
	for (;;) {
		jskip(P);
		if (v->t == J_OBJ) {
			if (P->p >= P->end || *P->p != '"')
				goto bad;
			key = jparse_string(P);
			if (!key)
				goto bad;
			jskip(P);
			if (P->p >= P->end || *P->p != ':')
				goto bad;
			P->p++;
		}
		item = jparse_value(P);
		if (!item || !jpush(v, item, key)) {
			jfree(item);
			goto bad;
		}
		key = NULL;
		jskip(P);
		if (P->p < P->end && *P->p == ',') {
			P->p++;
			continue;
		}
		if (P->p < P->end && *P->p == close) {
			P->p++;
			return v;
		}
		goto bad;
	}
bad:
	free(key);
	jerr(P, v->t == J_OBJ ? "bad object" : "bad array");
	jfree(v);
	return NULL;
}

static struct jval *jparse_value(struct jparser *P)
{
	struct jval *v;
	char *end;

	jskip(P);
	if (P->p >= P->end)
		return jerr(P, "unexpected end");
	if (++P->depth > 64)
		return jerr(P, "nested too deep");
	v = calloc(1, sizeof(*v));
	if (!v)
		return jerr(P, "out of memory");
	switch (*P->p) {
	case '{':
		v->t = J_OBJ;
		v = jparse_container(P, v);
		break;
	case '[':
		v->t = J_ARR;
		v = jparse_container(P, v);
		break;
	case '"':
		v->t = J_STR;
		v->str = jparse_string(P);
		if (!v->str) {
			free(v);
			v = NULL;
		}
		break;
	default:
		if (!strncmp(P->p, "true", 4) || !strncmp(P->p, "false", 5)) {
			v->t = J_BOOL;
			v->b = *P->p == 't';
			P->p += v->b ? 4 : 5;
		} else if (!strncmp(P->p, "null", 4)) {
			v->t = J_NULL;
			P->p += 4;
		} else {
			v->t = J_NUM;
			v->num = strtod(P->p, &end);
			if (end == P->p) {
				free(v);
				v = jerr(P, "unexpected character");
			} else {
				P->p = end;
			}
		}
	}
	P->depth--;
	return v;
}

static struct jval *jload(const char *path, char *err, size_t errlen)
{
	struct jparser P;
	struct jval *v;
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap);
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;

	if (!f || !buf) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(buf);
		return NULL;
	}
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *t = realloc(buf, cap *= 2);

			if (!t)
				break;
			buf = t;
		}
	}
	if (f != stdin)
		fclose(f);
	memset(&P, 0, sizeof(P));
	P.p = P.start = buf;
	P.end = buf + n;
	v = jparse_value(&P);
	if (v) {
		jskip(&P);
		if (P.p != P.end) {
			jfree(v);
			v = jerr(&P, "trailing characters");
		}
	}
	if (!v)
		snprintf(err, errlen, "not JSON: %s", P.err);
	free(buf);
	return v;
}

static const struct jval *jget(const struct jval *o, const char *key)
{
	size_t i;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

static double jnum(const struct jval *o, const char *key, double def)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_NUM ? v->num : def;
}

static const char *jstr(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_STR ? v->str : "";
}

static bool jbool(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_BOOL && v->b;
}

/* ------------------------------------------------------------------ */
/* --check-json: every field of every row, every backend, every size   */

struct chk {
	const char *file;
	unsigned int errs;
};

static void __attribute__((format(printf, 2, 3)))
cerr(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errs++ >= 50) {
		if (c->errs == 51)
			warnx_("%s: more problems not shown", c->file);
		return;
	}
	fprintf(stderr, "%s: %s: ", prog, c->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *const jtype_names[] = {
	"null", "boolean", "number", "string", "array", "object",
};

static const struct jval *need(struct chk *c, const struct jval *o,
			       const char *ctx, const char *key,
			       unsigned int types)
{
	const struct jval *v = jget(o, key);

	if (!v) {
		cerr(c, "%s.%s: missing", ctx, key);
		return NULL;
	}
	if (!(JT(v->t) & types)) {
		cerr(c, "%s.%s: is %s", ctx, key, jtype_names[v->t]);
		return NULL;
	}
	return v;
}

static bool finite_pos(double v)
{
	return isfinite(v) && v > 0;
}

static void check_stat(struct chk *c, const struct jval *s, const char *ctx,
		       bool ok)
{
	static const char *const k[] = { "min", "q1", "median", "q3", "max" };
	const struct jval *v;
	double prev = 0;
	unsigned int i;

	if (!s)
		return;
	if (!ok) {
		if (s->t != J_NULL)
			cerr(c, "%s: not null in a row that is not ok", ctx);
		return;
	}
	if (s->t != J_OBJ) {
		cerr(c, "%s: null in an ok row", ctx);
		return;
	}
	for (i = 0; i < 5; i++) {
		v = need(c, s, ctx, k[i], JT(J_NUM));
		if (!v)
			continue;
		if (!finite_pos(v->num))
			cerr(c, "%s.%s: %g is not a positive number", ctx, k[i],
			     v->num);
		else if (v->num < prev * (1 - 1e-9))
			cerr(c, "%s.%s: %g is below %s", ctx, k[i], v->num,
			     k[i - 1]);
		else
			prev = v->num;
	}
}

static bool num_in(const struct jval *arr, double x)
{
	size_t i;

	for (i = 0; arr && i < arr->n; i++)
		if (arr->items[i]->t == J_NUM && arr->items[i]->num == x)
			return true;
	return false;
}

static bool str_in(const struct jval *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && i < arr->n; i++)
		if (arr->items[i]->t == J_STR && !strcmp(arr->items[i]->str, s))
			return true;
	return false;
}

static void check_row(struct chk *c, const struct jval *e, unsigned int sec,
		      const char *ctx, double reps, bool strict,
		      unsigned int *nok, unsigned int *nskip, unsigned int *nerr)
{
	const struct jval *st, *rs, *v;
	bool ok = false;

	if (e->t != J_OBJ) {
		cerr(c, "%s: not an object", ctx);
		return;
	}
	need(c, e, ctx, "backend", JT(J_STR));
	need(c, e, ctx, "mechanism", JT(J_STR));
	need(c, e, ctx, "transport", JT(J_STR));
	st = need(c, e, ctx, "status", JT(J_STR));
	rs = need(c, e, ctx, "reason", JT(J_STR) | JT(J_NULL));
	need(c, e, ctx, "capacity", JT(J_NUM) | JT(J_NULL));
	need(c, e, ctx, "load1", JT(J_NUM) | JT(J_NULL));
	if (st) {
		ok = !strcmp(st->str, "ok");
		if (ok)
			(*nok)++;
		else if (!strcmp(st->str, "skipped"))
			(*nskip)++;
		else if (!strcmp(st->str, "error"))
			(*nerr)++;
		else
			cerr(c, "%s.status: \"%s\" is not ok, skipped or error",
			     ctx, st->str);
		if (!ok && strict)
			cerr(c, "%s: %s (%s)", ctx, st->str,
			     rs && rs->t == J_STR ? rs->str : "no reason");
	}
	if (rs && !ok && (rs->t != J_STR || !rs->str[0]))
		cerr(c, "%s.reason: a row that is not ok needs a reason", ctx);
	if (rs && ok && rs->t != J_NULL)
		cerr(c, "%s.reason: not null in an ok row", ctx);
	if (sec != SEC_LAT)
		need(c, e, ctx, "size", JT(J_NUM));
	if (sec == SEC_SCALE)
		need(c, e, ctx, "pairs", JT(J_NUM));
	v = need(c, e, ctx, "reps", JT(J_NUM));
	if (v && ok && v->num != reps)
		cerr(c, "%s.reps: %g, config says %g", ctx, v->num, reps);
	v = need(c, e, ctx, sec == SEC_LAT ? "round_trips" : "msgs_per_rep",
		 JT(J_NUM));
	if (v && ok && !(v->num >= 1))
		cerr(c, "%s: no messages in an ok row", ctx);
	if (sec == SEC_LAT) {
		char sub[128];

		v = need(c, e, ctx, "rtt_ns", JT_STAT);
		if (v && ok && v->t == J_OBJ) {
			snprintf(sub, sizeof(sub), "%s.rtt_ns", ctx);
			check_stat(c, need(c, v, sub, "p50", JT_STAT), sub, ok);
			check_stat(c, need(c, v, sub, "p99", JT_STAT), sub, ok);
			check_stat(c, need(c, v, sub, "p999", JT_STAT), sub, ok);
		} else if (v) {
			snprintf(sub, sizeof(sub), "%s.rtt_ns", ctx);
			check_stat(c, v, sub, ok);
		}
	} else {
		char sub[128];

		snprintf(sub, sizeof(sub), "%s.bytes_per_s", ctx);
		check_stat(c, need(c, e, ctx, "bytes_per_s", JT_STAT), sub, ok);
	}
	v = need(c, e, ctx, "ratio_to_pipe", JT(J_NUM) | JT(J_NULL));
	if (v && v->t == J_NUM && !finite_pos(v->num))
		cerr(c, "%s.ratio_to_pipe: %g", ctx, v->num);
	if (v && !ok && v->t != J_NULL)
		cerr(c, "%s.ratio_to_pipe: not null in a row that is not ok", ctx);
	if (v && ok && strict && v->t != J_NUM)
		cerr(c, "%s.ratio_to_pipe: null", ctx);
	if (sec == SEC_SCALE)
		need(c, e, ctx, "speedup_vs_1_pair", JT(J_NUM) | JT(J_NULL));
}

/*
 * Structure only, never speed: what a CI test can demand of a run on a
 * loaded machine.  --strict: every known backend selected, nothing
 * skipped or failed (where kipc is loaded).
 */
static int check_json(const char *file, bool strict)
{
	static const char *const hstr[] = { "kernel", "machine", "cpu_model",
		"clocksource", "io_uring", "label", "time" };
	struct chk c = { file, 0 };
	const struct jval *root, *h, *cf, *sizes, *pairs, *bk, *tests, *v, *sm;
	unsigned int nok = 0, nskip = 0, nerr = 0, nrows = 0, sec, i;
	char err[200], ctx[96];
	double reps = 0;
	size_t k, x;
	struct jval *doc;

	doc = jload(file, err, sizeof(err));
	if (!doc) {
		warnx_("%s: %s", file, err);
		return 1;
	}
	root = doc;
	if (root->t != J_OBJ) {
		cerr(&c, "top level is not an object");
		goto out;
	}
	v = need(&c, root, "$", "schema", JT(J_STR));
	if (v && strcmp(v->str, SCHEMA))
		cerr(&c, "$.schema: \"%s\", expected \"%s\"", v->str, SCHEMA);
	need(&c, root, "$", "version", JT(J_STR));
	h = need(&c, root, "$", "host", JT(J_OBJ));
	if (h) {
		for (i = 0; i < sizeof(hstr) / sizeof(hstr[0]); i++)
			need(&c, h, "host", hstr[i], JT(J_STR));
		need(&c, h, "host", "cpus", JT(J_NUM));
		need(&c, h, "host", "kipc_module", JT(J_STR) | JT(J_NULL));
		need(&c, h, "host", "kipc_reason", JT(J_STR) | JT(J_NULL));
		need(&c, h, "host", "kipc_vm", JT(J_BOOL));
		v = need(&c, h, "host", "loadavg_start", JT(J_ARR) | JT(J_NULL));
		if (v && v->t == J_ARR && v->n != 3)
			cerr(&c, "host.loadavg_start: not 3 numbers");
		v = need(&c, h, "host", "loadavg_end", JT(J_ARR) | JT(J_NULL));
		if (v && v->t == J_ARR && v->n != 3)
			cerr(&c, "host.loadavg_end: not 3 numbers");
	}
	cf = need(&c, root, "$", "config", JT(J_OBJ));
	if (!cf)
		goto out;
	v = need(&c, cf, "config", "reps", JT(J_NUM));
	reps = v ? v->num : 0;
	if (v && !(reps >= 1))
		cerr(&c, "config.reps: %g", reps);
	need(&c, cf, "config", "min_time_s", JT(J_NUM));
	need(&c, cf, "config", "min_rtts", JT(J_NUM));
	need(&c, cf, "config", "cpus", JT(J_STR));
	need(&c, cf, "config", "split", JT(J_BOOL));
	need(&c, cf, "config", "quick", JT(J_BOOL));
	need(&c, cf, "config", "verify", JT(J_BOOL));
	need(&c, cf, "config", "scale_size", JT(J_NUM));
	need(&c, cf, "config", "ring_bytes", JT(J_NUM));
	need(&c, cf, "config", "spin", JT(J_NUM));
	sizes = need(&c, cf, "config", "sizes", JT(J_ARR));
	pairs = need(&c, cf, "config", "pairs", JT(J_ARR));
	bk = need(&c, cf, "config", "backends", JT(J_ARR));
	tests = need(&c, cf, "config", "tests", JT(J_ARR));
	if (!sizes || !pairs || !bk || !tests)
		goto out;
	for (k = 0; k < bk->n; k++)
		if (bk->items[k]->t != J_STR || series_find(bk->items[k]->str) < 0)
			cerr(&c, "config.backends[%zu]: not a known backend", k);
	if (strict) {
		for (i = 0; i < (unsigned int)NSERIES; i++)
			if (!str_in(bk, series_tab[i].name))
				cerr(&c, "config.backends: %s not selected",
				     series_tab[i].name);
		for (i = 0; i < 3; i++)
			if (!str_in(tests, sec_names[i]))
				cerr(&c, "config.tests: %s not run", sec_names[i]);
	}

	for (sec = SEC_THR; sec <= SEC_SCALE; sec <<= 1) {
		const char *sname = sec_names[sec_index(sec)];
		const struct jval *arr = need(&c, root, "$", sname, JT(J_ARR));
		bool run = str_in(tests, sname);
		const struct jval *keys = sec == SEC_THR ? sizes :
					  sec == SEC_SCALE ? pairs : NULL;
		const char *kname = sec == SEC_THR ? "size" : "pairs";

		if (!arr)
			continue;
		nrows += arr->n;
		for (k = 0; k < arr->n; k++) {
			const struct jval *e = arr->items[k];
			const char *b;
			int si;

			snprintf(ctx, sizeof(ctx), "%s[%zu]", sname, k);
			check_row(&c, e, sec, ctx, reps, strict, &nok, &nskip,
				  &nerr);
			b = jstr(e, "backend");
			si = series_find(b);
			if (!run)
				cerr(&c, "%s: %s was not run", ctx, sname);
			else if (si < 0 || !(series_tab[si].secs & sec) ||
				 !str_in(bk, b))
				cerr(&c, "%s: unexpected backend \"%s\"", ctx, b);
			else if (keys && !num_in(keys, jnum(e, kname, -1)))
				cerr(&c, "%s: unexpected %s %g", ctx, kname,
				     jnum(e, kname, -1));
			/* Each (backend, size or pairs) once. */
			for (x = 0; x < k; x++)
				if (!strcmp(jstr(arr->items[x], "backend"), b) &&
				    (!keys || jnum(arr->items[x], kname, -1) ==
					      jnum(e, kname, -2)))
					cerr(&c, "%s: duplicate of %s[%zu]", ctx,
					     sname, x);
		}
		if (!run)
			continue;
		/* Every selected backend of this section, every size. */
		for (i = 0; i < (unsigned int)NSERIES; i++) {
			const struct series *s = &series_tab[i];
			size_t kk, nk = keys ? keys->n : 1;

			if (!(s->secs & sec) || !str_in(bk, s->name))
				continue;
			for (kk = 0; kk < nk; kk++) {
				double want = keys ? keys->items[kk]->num : 0;
				bool found = false;

				for (x = 0; x < arr->n && !found; x++)
					found = !strcmp(jstr(arr->items[x], "backend"),
							s->name) &&
						(!keys || jnum(arr->items[x], kname, -1) == want);
				if (found)
					continue;
				if (keys)
					cerr(&c, "%s: no row for %s, %s %g", sname,
					     s->name, kname, want);
				else
					cerr(&c, "%s: no row for %s", sname, s->name);
			}
		}
	}
	sm = need(&c, root, "$", "summary", JT(J_OBJ));
	if (sm && (jnum(sm, "rows", -1) != nrows || jnum(sm, "ok", -1) != nok ||
		   jnum(sm, "skipped", -1) != nskip ||
		   jnum(sm, "errors", -1) != nerr))
		cerr(&c, "summary: does not match the rows (%u rows, %u ok, %u skipped, %u errors)",
		     nrows, nok, nskip, nerr);
out:
	jfree(doc);
	if (c.errs) {
		warnx_("%s: %u problem%s", file, c.errs, c.errs == 1 ? "" : "s");
		return 1;
	}
	printf("%s: valid %s: %u rows, %u ok, %u skipped, %u errors%s\n", file,
	       SCHEMA, nrows, nok, nskip, nerr, strict ? " (strict)" : "");
	return 0;
}

/* ------------------------------------------------------------------ */
/* --from: results back from a JSON file                               */

static void load_stat(const struct jval *o, struct stat5 *s)
{
	s->med = jnum(o, "median", NAN);
	s->min = jnum(o, "min", NAN);
	s->max = jnum(o, "max", NAN);
	s->q1 = jnum(o, "q1", NAN);
	s->q3 = jnum(o, "q3", NAN);
}

static void load_loadavg(const struct jval *a, double la[3])
{
	int i;

	for (i = 0; i < 3; i++)
		la[i] = a && a->t == J_ARR && a->n == 3 &&
			a->items[i]->t == J_NUM ? a->items[i]->num : NAN;
}

static int load_results(const char *file, struct results *R)
{
	const struct jval *h, *cf, *v;
	struct meta *m = &R->m;
	struct jval *doc;
	char err[200];
	unsigned int sec;
	size_t k;

	doc = jload(file, err, sizeof(err));
	if (!doc) {
		warnx_("%s: %s", file, err);
		return -1;
	}
	if (strcmp(jstr(doc, "schema"), SCHEMA)) {
		warnx_("%s: not a %s file (try --check-json)", file, SCHEMA);
		jfree(doc);
		return -1;
	}
	h = jget(doc, "host");
	cf = jget(doc, "config");
	snprintf(m->version, sizeof(m->version), "%s", jstr(doc, "version"));
	snprintf(m->kernel, sizeof(m->kernel), "%s", jstr(h, "kernel"));
	snprintf(m->machine, sizeof(m->machine), "%s", jstr(h, "machine"));
	snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", jstr(h, "cpu_model"));
	snprintf(m->clocksource, sizeof(m->clocksource), "%s",
		 jstr(h, "clocksource"));
	snprintf(m->kipc_module, sizeof(m->kipc_module), "%s",
		 jstr(h, "kipc_module"));
	snprintf(m->kipc_reason, sizeof(m->kipc_reason), "%s",
		 jstr(h, "kipc_reason"));
	snprintf(m->io_uring, sizeof(m->io_uring), "%s", jstr(h, "io_uring"));
	snprintf(m->label, sizeof(m->label), "%s", jstr(h, "label"));
	snprintf(m->time, sizeof(m->time), "%s", jstr(h, "time"));
	m->kipc_vm = jbool(h, "kipc_vm");
	m->ncpus = (int)jnum(h, "cpus", 0);
	load_loadavg(jget(h, "loadavg_start"), m->load_start);
	load_loadavg(jget(h, "loadavg_end"), m->load_end);
	m->reps = (unsigned int)jnum(cf, "reps", 0);
	m->min_time = jnum(cf, "min_time_s", 0);
	m->min_rtts = (uint64_t)jnum(cf, "min_rtts", 0);
	snprintf(m->cpus, sizeof(m->cpus), "%s", jstr(cf, "cpus"));
	m->split = jbool(cf, "split");
	m->quick = jbool(cf, "quick");
	m->verify = jbool(cf, "verify");
	m->scale_size = (uint64_t)jnum(cf, "scale_size", 0);
	m->ring_bytes = (uint64_t)jnum(cf, "ring_bytes", 0);
	m->spin = (unsigned int)jnum(cf, "spin", 0);
	v = jget(cf, "sizes");
	for (k = 0; v && v->t == J_ARR && k < v->n && k < MAX_SIZES; k++)
		m->sizes[m->nsizes++] = (uint64_t)v->items[k]->num;
	v = jget(cf, "pairs");
	for (k = 0; v && v->t == J_ARR && k < v->n && k < MAX_SIZES; k++)
		m->pairs[m->npairs++] = (unsigned int)v->items[k]->num;
	v = jget(cf, "backends");
	for (k = 0; v && v->t == J_ARR && k < v->n && k < NSERIES; k++)
		if (v->items[k]->t == J_STR)
			snprintf(m->backends[m->nbackends++],
				 sizeof(m->backends[0]), "%s", v->items[k]->str);
	v = jget(cf, "tests");
	for (sec = SEC_THR; sec <= SEC_SCALE; sec <<= 1)
		if (str_in(v, sec_names[sec_index(sec)]))
			m->tests |= sec;

	for (sec = SEC_THR; sec <= SEC_SCALE; sec <<= 1) {
		const struct jval *arr = jget(doc, sec_names[sec_index(sec)]);

		for (k = 0; arr && arr->t == J_ARR && k < arr->n; k++) {
			const struct jval *e = arr->items[k], *t;
			struct row *r = row_new(R, sec, NULL,
						(uint64_t)jnum(e, "size", 1),
						(unsigned int)jnum(e, "pairs", 1));
			const char *st = jstr(e, "status");

			snprintf(r->backend, sizeof(r->backend), "%s",
				 jstr(e, "backend"));
			snprintf(r->mech, sizeof(r->mech), "%s",
				 jstr(e, "mechanism"));
			snprintf(r->xport, sizeof(r->xport), "%s",
				 jstr(e, "transport"));
			snprintf(r->reason, sizeof(r->reason), "%s",
				 jstr(e, "reason"));
			r->status = !strcmp(st, "ok") ? ST_OK :
				    !strcmp(st, "skipped") ? ST_SKIPPED : ST_ERROR;
			if (r->status == ST_SKIPPED)
				R->skipped++;
			else if (r->status == ST_ERROR)
				R->errors++;
			r->capacity = (int64_t)jnum(e, "capacity", -1);
			r->reps = (unsigned int)jnum(e, "reps", 0);
			r->ops = (uint64_t)jnum(e, sec == SEC_LAT ? "round_trips" :
						"msgs_per_rep", 0);
			r->load1 = jnum(e, "load1", NAN);
			if (sec == SEC_LAT) {
				t = jget(e, "rtt_ns");
				load_stat(jget(t, "p50"), &r->v);
				load_stat(jget(t, "p99"), &r->p99);
				load_stat(jget(t, "p999"), &r->p999);
			} else {
				load_stat(jget(e, "bytes_per_s"), &r->v);
			}
		}
	}
	jfree(doc);
	return 0;
}

/* ------------------------------------------------------------------ */
/* --plot: gnuplot, SVG                                                */

static const char *const colors[] = {
	"#000000", "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728", "#9467bd",
	"#e377c2", "#8c564b", "#2ca02c", "#17becf", "#bcbd22", "#ff9896",
	"#c5b0d5", "#f7b6d2", "#98df8a", "#aec7e8", "#ffbb78", "#393b79",
	"#637939",
};

static const char *row_color(const struct row *r)
{
	int i = series_find(r->backend);

	return colors[(i < 0 ? NSERIES : i) % (int)(sizeof(colors) / sizeof(colors[0]))];
}

/* gnuplot strings in single quotes: only the quote itself is special. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void gp_size_tics(FILE *f, const struct results *R, unsigned int sec)
{
	uint64_t seen[64];
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int n = 0, i;
	char b[16];
	size_t k;

	fputs("set xtics (", f);
	for (k = 0; k < R->n; k++) {
		const struct row *r = &R->rows[k];
		uint64_t x = sec == SEC_THR ? r->size : r->pairs;

		if (r->sec != sec || r->status != ST_OK)
			continue;
		for (i = 0; i < n && seen[i] != x; i++)
			;
		if (i < n || n == 64)
			continue;
		seen[n++] = x;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
		fprintf(f, "%s\"%s\" %" PRIu64, n > 1 ? ", " : "",
			sec == SEC_THR ? fmt_size(b, sizeof(b), x) :
			(snprintf(b, sizeof(b), "%" PRIu64, x), b), x);
	}
	fputs(")\n", f);
	/* gnuplot's log autoscale may cut the last point off. */
	if (n)
		fprintf(f, "set xrange [%g:%g]\n", lo / 1.3, hi * 1.3);
	else
		fputs("set xrange [*:*]\n", f);
}

/*
 * One block per backend ("index N" in gnuplot) of the rows of @sec for
 * which @want() holds; returns the number of blocks, and appends the
 * plot clauses to @cmd.
 */
static unsigned int gp_blocks(FILE *dat, const char *datpath, char *cmd,
			      size_t cmdlen, const struct results *R,
			      unsigned int sec, bool (*want)(const struct row *),
			      unsigned int *block)
{
	const char *cur = NULL;
	unsigned int nb = 0;
	size_t k, len;

	for (k = 0; k < R->n; k++) {
		const struct row *r = &R->rows[k];
		bool kipc, base;

		if (r->sec != sec || r->status != ST_OK || !want(r))
			continue;
		if (!cur || strcmp(cur, r->backend)) {
			if (cur)
				fputs("\n\n", dat);
			cur = r->backend;
			kipc = !strncmp(r->backend, "kipc", 4);
			base = !strcmp(r->backend, "pipe");
			len = strlen(cmd);
			snprintf(cmd + len, cmdlen - len,
				 "%s'%s' index %u using 1:($2/1e6):($3/1e6):($4/1e6) "
				 "with yerrorlines lc rgb '%s' lw %s pt %u dt %u title '%s'",
				 nb ? ", \\\n     " : "", datpath, *block,
				 row_color(r), kipc ? "2.5" : base ? "2" : "1.2",
				 (*block % 12) + 1, kipc || base ? 1 : 2, r->backend);
			(*block)++;
			nb++;
		}
		fprintf(dat, "%" PRIu64 " %.9g %.9g %.9g\n",
			sec == SEC_THR ? r->size : r->pairs, r->v.med, r->v.min,
			r->v.max);
	}
	if (cur)
		fputs("\n\n", dat);
	return nb;
}

static bool want_plain(const struct row *r)
{
	return strcmp(r->xport, "io_uring");
}

static bool want_uring(const struct row *r)
{
	return !strcmp(r->xport, "io_uring") || !strcmp(r->backend, "pipe");
}

static bool want_any(const struct row *r)
{
	(void)r;
	return true;
}

static void gp_empty(FILE *f, const char *why)
{
	fprintf(f, "unset logscale\nset xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
		   "set label 1 '%s' at graph 0.5,0.5 center\nplot NaN notitle\n"
		   "unset label 1\nset xrange [*:*]\nset yrange [*:*]\nset xtics\nset ytics\n",
		why);
}

static int write_plot(const char *out, const struct results *R)
{
	char dir[256], thr[300], lat[300], scl[300], gp[300], cmd[16384], l0[48];
	const char *tmp = getenv("TMPDIR");
	unsigned int block = 0, n, nlat = 0;
	FILE *ft, *fl, *fs, *f;
	int st, ret = -1;
	pid_t pid;
	size_t k;

	snprintf(dir, sizeof(dir), "%s/kipc-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		warnx_("mkdtemp %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(thr, sizeof(thr), "%s/thr.dat", dir);
	snprintf(lat, sizeof(lat), "%s/lat.dat", dir);
	snprintf(scl, sizeof(scl), "%s/scale.dat", dir);
	snprintf(gp, sizeof(gp), "%s/plot.gp", dir);
	ft = fopen(thr, "w");
	fl = fopen(lat, "w");
	fs = fopen(scl, "w");
	f = fopen(gp, "w");
	if (!ft || !fl || !fs || !f) {
		warnx_("%s: %s", dir, strerror(errno));
		goto out_close;
	}

	fmt_load(l0, sizeof(l0), R->m.load_start);
	k = strlen(out);
	fprintf(f, "set encoding utf8\nset terminal %s\nset output ",
		/* PNG for a quick look; SVG is the product. */
		k > 4 && !strcmp(out + k - 4, ".png") ?
		"pngcairo size 1600,1200 noenhanced font 'sans,10' background rgb 'white'" :
		"svg size 1600,1200 dynamic noenhanced font 'sans,11' background rgb 'white'");
	gp_str(f, out);
	fputs("\nset multiplot layout 2,2 title ", f);
	{
		char t[1024];

		snprintf(t, sizeof(t), "kipc-bench %s%s%s: %s, %d CPUs, clocksource %s, load %s, %s; median of %u reps, bars: min-max",
			 R->m.version, R->m.label[0] ? " - " : "", R->m.label,
			 R->m.kernel, R->m.ncpus, R->m.clocksource, l0, R->m.time,
			 R->m.reps);
		gp_str(f, t);
	}
	/* Throughput rises with the message size: the key goes low right. */
	fputs("\nset grid\nset key bottom right font ',9' box opaque\n", f);

	/* Throughput: read/write and shared memory. */
	fputs("set title 'Throughput: read/write channels and shared-memory rings'\n"
	      "set xlabel 'message size (bytes)'\nset ylabel 'MB/s (10^6 B/s)'\n"
	      "set logscale x 2\nset logscale y 10\n", f);
	gp_size_tics(f, R, SEC_THR);
	cmd[0] = 0;
	n = gp_blocks(ft, thr, cmd, sizeof(cmd), R, SEC_THR, want_plain, &block);
	if (n)
		fprintf(f, "plot %s\n", cmd);
	else
		gp_empty(f, "no throughput rows");

	/* Throughput: io_uring, with the pipe again as the yardstick. */
	fputs("set title 'Throughput: io_uring (kipc_aio, queue depth 1), pipe read/write for reference'\n"
	      "set logscale x 2\nset logscale y 10\n", f);
	gp_size_tics(f, R, SEC_THR);
	cmd[0] = 0;
	n = gp_blocks(ft, thr, cmd, sizeof(cmd), R, SEC_THR, want_uring, &block);
	if (n)
		fprintf(f, "plot %s\n", cmd);
	else
		gp_empty(f, "no io_uring rows (skipped)");

	/* Latency: p50, p99, p99.9 per backend. */
	for (k = 0; k < R->n; k++) {
		const struct row *r = &R->rows[k];

		if (r->sec != SEC_LAT || r->status != ST_OK)
			continue;
		fprintf(fl, "\"%s\" %.6g %.6g %.6g\n", r->backend, r->v.med / 1e3,
			r->p99.med / 1e3, r->p999.med / 1e3);
		nlat++;
	}
	fputs("set title 'Ping-pong latency, 1-byte messages (round trip)'\n"
	      "unset logscale x\nset xrange [*:*]\nset logscale y 10\nset xlabel ''\nset ylabel 'microseconds'\n"
	      "set style data histograms\nset style histogram clustered gap 1\n"
	      "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
	      "set xtics auto rotate by 35 right font ',9'\nset key top right\nset bmargin 7\n", f);
	if (nlat)
		fprintf(f, "plot '%s' using 2:xtic(1) title 'p50' lc rgb '#1f77b4', "
			   "'' using 3 title 'p99' lc rgb '#ff7f0e', "
			   "'' using 4 title 'p99.9' lc rgb '#d62728'\n", lat);
	else
		gp_empty(f, "no latency rows");
	fputs("set style data lines\nset xtics norotate font ',11'\nset key bottom left\nunset bmargin\n", f);

	/* Scaling. */
	{
		char b[16];

		fprintf(f, "set title 'Scaling: N independent pairs at once, %s messages (aggregate)'\n"
			   "set xlabel 'pairs'\nset ylabel 'MB/s (10^6 B/s)'\n"
			   "set logscale x 2\nset logscale y 10\n",
			fmt_size(b, sizeof(b), R->m.scale_size));
	}
	gp_size_tics(f, R, SEC_SCALE);
	cmd[0] = 0;
	block = 0;
	n = gp_blocks(fs, scl, cmd, sizeof(cmd), R, SEC_SCALE, want_any, &block);
	if (n)
		fprintf(f, "plot %s\n", cmd);
	else
		gp_empty(f, "no scaling rows");
	fputs("unset multiplot\n", f);

out_close:
	if (ft)
		fclose(ft);
	if (fl)
		fclose(fl);
	if (fs)
		fclose(fs);
	if (f && fclose(f) == 0 && ft && fl && fs) {
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			execlp("gnuplot", "gnuplot", gp, (char *)NULL);
			fprintf(stderr, "%s: gnuplot: %s\n", prog, strerror(errno));
			_exit(127);
		}
		while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (pid < 0)
			warnx_("fork: %s", strerror(errno));
		else if (!WIFEXITED(st) || WEXITSTATUS(st))
			warnx_("gnuplot failed (script kept in %s)", gp);
		else
			ret = 0;
	}
	if (!ret && getenv("KIPC_BENCH_KEEP_PLOT")) {
		warnx_("gnuplot script and data kept in %s", dir);
	} else if (!ret) {
		unlink(thr);
		unlink(lat);
		unlink(scl);
		unlink(gp);
		rmdir(dir);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* The run                                                             */

static void run_all(struct results *R)
{
	unsigned int i, k, nthr = 0, nlat = 0, nscale = 0;

	for (i = 0; i < (unsigned int)NSERIES; i++) {
		if (!cfg.selected[i])
			continue;
		nthr += !!(series_tab[i].secs & SEC_THR);
		nlat += !!(series_tab[i].secs & SEC_LAT);
		nscale += !!(series_tab[i].secs & SEC_SCALE);
	}
	progress_total = (cfg.tests & SEC_THR ? nthr * cfg.nsizes : 0) +
			 (cfg.tests & SEC_LAT ? nlat : 0) +
			 (cfg.tests & SEC_SCALE ? nscale * cfg.npairs : 0);

	read_loadavg(R->m.load_start);
	/*
	 * Size by size, every backend in turn, so that a change of load
	 * hits the pipe baseline and the rows compared with it alike.
	 */
	for (k = 0; (cfg.tests & SEC_THR) && k < cfg.nsizes; k++)
		for (i = 0; i < (unsigned int)NSERIES && !interrupted; i++)
			if (cfg.selected[i] && series_tab[i].secs & SEC_THR)
				measure_stream(R, &series_tab[i], SEC_THR,
					       cfg.sizes[k], 1);
	for (i = 0; (cfg.tests & SEC_LAT) && i < (unsigned int)NSERIES &&
		    !interrupted; i++)
		if (cfg.selected[i] && series_tab[i].secs & SEC_LAT)
			measure_latency(R, &series_tab[i]);
	for (k = 0; (cfg.tests & SEC_SCALE) && k < cfg.npairs; k++)
		for (i = 0; i < (unsigned int)NSERIES && !interrupted; i++)
			if (cfg.selected[i] && series_tab[i].secs & SEC_SCALE)
				measure_stream(R, &series_tab[i], SEC_SCALE,
					       cfg.scale_size, cfg.pairs[k]);
	read_loadavg(R->m.load_end);
	progress_clear();
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

static void usage(void)
{
	usage_short(stdout);
	printf("\n"
	       "Measure every IPC mechanism of libkipc in one run: throughput of pipes,\n"
	       "FIFOs, kipc channels (read/write and io_uring), a unix socketpair and\n"
	       "shared-memory rings; 1-byte ping-pong latency; N pairs at once.  Every\n"
	       "figure is the median of several repetitions, with its spread and its\n"
	       "ratio to the kernel pipe measured in the same run.\n"
	       "\n"
	       "Selection:\n"
	       " -b, --backends LIST    backends or shell patterns, comma-separated\n"
	       "                          (default: all; see --list); pipe is always\n"
	       "                          measured: it is the baseline\n"
	       " -t, --tests LIST       throughput,latency,scaling (default: all three)\n"
	       " -s, --sizes LIST       throughput message sizes (default:\n"
	       "                          64,256,1K,4K,16K,64K,256K,1M)\n"
	       " -P, --pairs LIST       scaling: pairs at once (default: 1,2,4,8)\n"
	       "     --scale-size SIZE  scaling: message size (default: 64K)\n"
	       " -Q, --quick            a run of seconds: sizes 64,4K,64K,1M, 3 reps\n"
	       "                          of >= 0.02 s\n"
	       " -l, --list             list the backends and whether they are here\n"
	       "\n"
	       "Timing:\n"
	       " -r, --reps N           repetitions per figure (default: 5; quick: 3)\n"
	       " -T, --min-time SECS    each repetition lasts at least this (default:\n"
	       "                          0.1; quick: 0.02)\n"
	       "     --min-rtts N       latency: round trips per repetition, at least\n"
	       "                          (default: 1000)\n"
	       " -c, --cpus LIST        pin to these CPUs: 0 (default), 0,1, 0-3, all,\n"
	       "                          or none; both ends of a pair share a CPU, pairs\n"
	       "                          take the CPUs in turn\n"
	       "     --split            put the two ends of a pair on different CPUs\n"
	       "     --ring SIZE        shared-memory ring size, a power of two\n"
	       "                          (default: 1M)\n"
	       "     --spin N           shared-memory ring: polls before sleeping\n"
	       "                          (default: 0)\n"
	       "     --verify           check every byte received (slower)\n"
	       "\n"
	       "Output (the table goes to stdout, or to stderr if --json or --csv do):\n"
	       " -j, --json FILE        results as JSON (- for stdout)\n"
	       "     --csv FILE         results as CSV, one line per figure (- for stdout)\n"
	       " -p, --plot FILE.svg    throughput, latency and scaling charts (gnuplot)\n"
	       "     --from FILE.json   measure nothing: load results (alias: --plot-from)\n"
	       "     --check-json FILE  check a results file for every field, backend and\n"
	       "                          size; exit 1 if anything is missing\n"
	       "     --strict           with --check-json: all backends selected, none\n"
	       "                          skipped or failed\n"
	       "     --label TEXT       stored with the results (e.g. how the VM booted)\n"
	       "     --no-table         do not print the table\n"
	       " -q, --quiet            no progress line on stderr\n"
	       " -h, --help             display this help and exit\n"
	       " -V, --version          display version and exit\n"
	       "\n"
	       "Exit status: 0 ok (skipped rows included), 1 a row failed or an output\n"
	       "could not be written, 2 bad usage.  See kipc-bench(1).\n");
}

static void list_backends(void)
{
	char why[ERRMSG_LEN];
	int i;

	collect_meta(&(struct meta){ 0 });
	printf("%-20s %-28s %s\n", "BACKEND", "ROWS", "DESCRIPTION");
	for (i = 0; i < NSERIES; i++) {
		const struct series *s = &series_tab[i];
		char secs[40];

		snprintf(secs, sizeof(secs), "%s%s%s",
			 s->secs & SEC_THR ? "throughput " : "",
			 s->secs & SEC_LAT ? "latency " : "",
			 s->secs & SEC_SCALE ? "scaling" : "");
		printf("%-20s %-28s %s", s->name, secs, s->what);
		if (series_unavailable(s, why, sizeof(why)))
			printf(" [unavailable: %s]", why);
		putchar('\n');
	}
}

static void parse_backends(const char *arg)
{
	char *list = strdup(arg), *tok, *save = NULL;
	bool hit;
	int i;

	if (!list)
		errx_(1, "out of memory");
	memset(cfg.selected, 0, sizeof(cfg.selected));
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		hit = false;
		for (i = 0; i < NSERIES; i++)
			if (!fnmatch(tok, series_tab[i].name, 0)) {
				cfg.selected[i] = true;
				hit = true;
			}
		if (!hit)
			usage_error("unknown backend '%s' (see --list)", tok);
	}
	free(list);
	cfg.selected[0] = true;		/* the baseline */
}

static void parse_tests(const char *arg)
{
	char *list = strdup(arg), *tok, *save = NULL;

	if (!list)
		errx_(1, "out of memory");
	cfg.tests = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "throughput") || !strcmp(tok, "thr"))
			cfg.tests |= SEC_THR;
		else if (!strcmp(tok, "latency") || !strcmp(tok, "lat"))
			cfg.tests |= SEC_LAT;
		else if (!strcmp(tok, "scaling") || !strcmp(tok, "scale"))
			cfg.tests |= SEC_SCALE;
		else
			usage_error("unknown test '%s' (throughput, latency, scaling)", tok);
	}
	free(list);
	if (!cfg.tests)
		usage_error("--tests: nothing selected");
}

static void parse_sizes(const char *arg, const char *opt)
{
	char *list = strdup(arg), *tok, *save = NULL;
	uint64_t v;

	if (!list)
		errx_(1, "out of memory");
	cfg.nsizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (parse_size(tok, &v) || !v || v > 64 * MIB)
			usage_error("%s: bad size '%s' (1 to 64M)", opt, tok);
		if (cfg.nsizes == MAX_SIZES)
			usage_error("%s: more than %d sizes", opt, MAX_SIZES);
		cfg.sizes[cfg.nsizes++] = v;
	}
	free(list);
	if (!cfg.nsizes)
		usage_error("%s: no size", opt);
}

static void parse_pairs(const char *arg)
{
	char *list = strdup(arg), *tok, *save = NULL;
	unsigned long long v;

	if (!list)
		errx_(1, "out of memory");
	cfg.npairs = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (parse_uint(tok, MAX_PAIRS, &v) || !v)
			usage_error("--pairs: bad count '%s' (1 to %d)", tok, MAX_PAIRS);
		if (cfg.npairs == MAX_SIZES)
			usage_error("--pairs: more than %d counts", MAX_SIZES);
		cfg.pairs[cfg.npairs++] = (unsigned int)v;
	}
	free(list);
	if (!cfg.npairs)
		usage_error("--pairs: no count");
}

static void parse_cpus(const char *arg)
{
	char *list, *tok, *save = NULL, *dash;
	unsigned long long a, b, c;
	cpu_set_t allowed;

	snprintf(cfg.cpus_arg, sizeof(cfg.cpus_arg), "%s", arg);
	cfg.ncpus = 0;
	cfg.pin = true;
	if (!strcmp(arg, "none")) {
		cfg.pin = false;
		return;
	}
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		errx_(1, "sched_getaffinity: %s", strerror(errno));
	if (!strcmp(arg, "all")) {
		for (c = 0; c < CPU_SETSIZE && c < MAX_CPUS; c++)
			if (CPU_ISSET(c, &allowed))
				cfg.cpus[cfg.ncpus++] = (int)c;
		return;
	}
	list = strdup(arg);
	if (!list)
		errx_(1, "out of memory");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash++ = 0;
		if (parse_uint(tok, CPU_SETSIZE - 1, &a) ||
		    (dash && parse_uint(dash, CPU_SETSIZE - 1, &b)))
			usage_error("--cpus: bad list '%s'", arg);
		if (!dash)
			b = a;
		if (b < a)
			usage_error("--cpus: bad range in '%s'", arg);
		for (c = a; c <= b; c++) {
			if (!CPU_ISSET(c, &allowed))
				errx_(1, "--cpus: CPU %llu is not available here", c);
			if (cfg.ncpus == MAX_CPUS)
				usage_error("--cpus: too many CPUs");
			cfg.cpus[cfg.ncpus++] = (int)c;
		}
	}
	free(list);
	if (!cfg.ncpus)
		usage_error("--cpus: no CPU");
}

static FILE *open_out(const char *path)
{
	FILE *f;

	if (!strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		warnx_("cannot open %s: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (f == stdout)
		bad |= fflush(f) != 0;
	else
		bad |= fclose(f) != 0;
	if (bad) {
		warnx_("write error on %s", path);
		return -1;
	}
	return 0;
}

enum {
	OPT_SCALE_SIZE = 256, OPT_MIN_RTTS, OPT_SPLIT, OPT_RING, OPT_SPIN,
	OPT_VERIFY, OPT_CSV, OPT_FROM, OPT_CHECK, OPT_STRICT, OPT_LABEL,
	OPT_NO_TABLE,
};

static const struct option longopts[] = {
	{ "backends",	required_argument, NULL, 'b' },
	{ "tests",	required_argument, NULL, 't' },
	{ "sizes",	required_argument, NULL, 's' },
	{ "pairs",	required_argument, NULL, 'P' },
	{ "scale-size",	required_argument, NULL, OPT_SCALE_SIZE },
	{ "quick",	no_argument,	   NULL, 'Q' },
	{ "list",	no_argument,	   NULL, 'l' },
	{ "reps",	required_argument, NULL, 'r' },
	{ "min-time",	required_argument, NULL, 'T' },
	{ "min-rtts",	required_argument, NULL, OPT_MIN_RTTS },
	{ "cpus",	required_argument, NULL, 'c' },
	{ "split",	no_argument,	   NULL, OPT_SPLIT },
	{ "ring",	required_argument, NULL, OPT_RING },
	{ "spin",	required_argument, NULL, OPT_SPIN },
	{ "verify",	no_argument,	   NULL, OPT_VERIFY },
	{ "json",	required_argument, NULL, 'j' },
	{ "csv",	required_argument, NULL, OPT_CSV },
	{ "plot",	required_argument, NULL, 'p' },
	{ "from",	required_argument, NULL, OPT_FROM },
	{ "plot-from",	required_argument, NULL, OPT_FROM },
	{ "check-json",	required_argument, NULL, OPT_CHECK },
	{ "strict",	no_argument,	   NULL, OPT_STRICT },
	{ "label",	required_argument, NULL, OPT_LABEL },
	{ "no-table",	no_argument,	   NULL, OPT_NO_TABLE },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	bool reps_set = false, time_set = false, sizes_set = false, list = false;
	struct results R;
	unsigned long long u;
	struct sigaction sa;
	uint64_t v;
	FILE *f;
	char *end;
	int c, rc = 0;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.reps = 5;
	cfg.min_time = 0.1;
	cfg.min_rtts = 1000;
	cfg.scale_size = 64 * KIB;
	cfg.ring_bytes = MIB;
	cfg.tests = SEC_ALL;
	for (i = 0; i < NSERIES; i++)
		cfg.selected[i] = true;
	parse_sizes("64,256,1K,4K,16K,64K,256K,1M", "sizes");
	parse_pairs("1,2,4,8");

	while ((c = getopt_long(argc, argv, "b:t:s:P:Qlr:T:c:j:p:qhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'b':
			parse_backends(optarg);
			break;
		case 't':
			parse_tests(optarg);
			break;
		case 's':
			parse_sizes(optarg, "--sizes");
			sizes_set = true;
			break;
		case 'P':
			parse_pairs(optarg);
			break;
		case OPT_SCALE_SIZE:
			if (parse_size(optarg, &v) || !v || v > 64 * MIB)
				usage_error("--scale-size: bad size '%s'", optarg);
			cfg.scale_size = v;
			break;
		case 'Q':
			cfg.quick = true;
			break;
		case 'l':
			list = true;
			break;
		case 'r':
			if (parse_uint(optarg, 64, &u) || !u)
				usage_error("--reps: '%s' is not 1 to 64", optarg);
			cfg.reps = (unsigned int)u;
			reps_set = true;
			break;
		case 'T':
			errno = 0;
			cfg.min_time = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(cfg.min_time >= 0.001) ||
			    cfg.min_time > 60)
				usage_error("--min-time: '%s' is not 0.001 to 60 seconds",
					    optarg);
			time_set = true;
			break;
		case OPT_MIN_RTTS:
			if (parse_uint(optarg, MAX_RTTS, &u) || !u)
				usage_error("--min-rtts: '%s' is not 1 to %llu", optarg,
					    (unsigned long long)MAX_RTTS);
			cfg.min_rtts = u;
			break;
		case 'c':
			parse_cpus(optarg);
			break;
		case OPT_SPLIT:
			cfg.split = true;
			break;
		case OPT_RING:
			if (parse_size(optarg, &v) || v < 4096 || v > 1024 * MIB ||
			    (v & (v - 1)))
				usage_error("--ring: '%s' is not a power of two from 4K to 1G",
					    optarg);
			cfg.ring_bytes = v;
			break;
		case OPT_SPIN:
			if (parse_uint(optarg, 100000000, &u))
				usage_error("--spin: bad count '%s'", optarg);
			cfg.spin = (unsigned int)u;
			break;
		case OPT_VERIFY:
			cfg.verify = true;
			break;
		case 'j':
			cfg.json = optarg;
			break;
		case OPT_CSV:
			cfg.csv = optarg;
			break;
		case 'p':
			cfg.plot = optarg;
			break;
		case OPT_FROM:
			cfg.from = optarg;
			break;
		case OPT_CHECK:
			cfg.check = optarg;
			break;
		case OPT_STRICT:
			cfg.strict = true;
			break;
		case OPT_LABEL:
			cfg.label = optarg;
			break;
		case OPT_NO_TABLE:
			cfg.no_table = true;
			break;
		case 'q':
			cfg.quiet = true;
			break;
		case 'h':
			usage();
			return 0;
		case 'V':
			printf("%s %s (libkipc %d.%d.%d, results %s)\n", prog,
			       KIPC_BENCH_VERSION, KIPC_LIB_VERSION_MAJOR,
			       KIPC_LIB_VERSION_MINOR, KIPC_LIB_VERSION_PATCH,
			       SCHEMA);
			return 0;
		default:
			usage_fail();
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (cfg.json && cfg.csv && !strcmp(cfg.json, "-") && !strcmp(cfg.csv, "-"))
		usage_error("--json and --csv cannot both go to stdout");
	if (cfg.check && (cfg.from || cfg.json || cfg.csv || cfg.plot))
		usage_error("--check-json takes no other output");
	if (cfg.strict && !cfg.check)
		usage_error("--strict goes with --check-json");
	if (!cfg.ncpus && !cfg.cpus_arg[0])
		parse_cpus("0");
	if (cfg.quick) {
		if (!reps_set)
			cfg.reps = 3;
		if (!time_set)
			cfg.min_time = 0.02;
		if (!sizes_set)
			parse_sizes("64,4K,64K,1M", "sizes");
	}

	if (cfg.check)
		return check_json(cfg.check, cfg.strict);
	if (list) {
		list_backends();
		return 0;
	}

	memset(&R, 0, sizeof(R));
	if (cfg.from) {
		if (load_results(cfg.from, &R))
			return 1;
	} else {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		/* No SA_RESTART: a child's exit or ^C ends the futex wait. */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGCHLD, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		/* A serial console (the guest's) is a tty, but a log really. */
		progress_on = !cfg.quiet && isatty(STDERR_FILENO) &&
			      getenv("TERM") && strcmp(getenv("TERM"), "dumb") &&
			      (!ttyname(STDERR_FILENO) ||
			       strncmp(ttyname(STDERR_FILENO), "/dev/ttyS", 9));
		collect_meta(&R.m);
		run_all(&R);
		if (interrupted) {
			warnx_("interrupted");
			return 128 + interrupted;
		}
		rc = R.errors ? 1 : 0;
	}
	qsort(R.rows, R.n, sizeof(*R.rows), cmp_rows);
	compute_ratios(&R);

	if (!cfg.no_table) {
		bool busy = (cfg.json && !strcmp(cfg.json, "-")) ||
			    (cfg.csv && !strcmp(cfg.csv, "-"));

		print_table(busy ? stderr : stdout, &R);
		fflush(busy ? stderr : stdout);
	}
	if (cfg.json) {
		f = open_out(cfg.json);
		if (!f)
			rc = 1;
		else {
			write_json(f, &R);
			if (close_out(f, cfg.json))
				rc = 1;
		}
	}
	if (cfg.csv) {
		f = open_out(cfg.csv);
		if (!f)
			rc = 1;
		else {
			write_csv(f, &R);
			if (close_out(f, cfg.csv))
				rc = 1;
		}
	}
	if (cfg.plot && write_plot(cfg.plot, &R))
		rc = 1;
	if (R.errors && !cfg.from)
		warnx_("%u row%s failed", R.errors, R.errors == 1 ? "" : "s");
	free(R.rows);
	return rc;
}
