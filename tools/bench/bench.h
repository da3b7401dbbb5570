/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: what every file of kipc-bench shares: the configuration the
 * command line makes, the table of backends, the rows of results with the
 * host they were measured on, and the small helpers (messages, number
 * parsing and formatting, futexes).
 *
 * The measuring machinery (jobs, workers, backend families) is in job.h;
 * the JSON reader's helpers are in jsonio.h.  The files, by concern:
 *
 *	main.c		what a run does: list, check, load or measure, write
 *	opts.c		the command line into cfg
 *	backends.c	the table of backends, which drives every run
 *	run.c		sections x points x backends: one row each
 *	job.c		a row's channels and worker processes, its repetitions
 *	worker.c	a worker process: stream and ping-pong repetitions
 *	chan.c		byte channels: libkipc read/write, and the unix socket
 *	msg.c		message queues: libkipc's kipc_msgq, and their limits
 *	uring.c		byte channels through io_uring (kipc_aio)
 *	ring.c		shared-memory rings, futex or doorbell
 *	stats.c		medians, quartiles, percentiles, ratios to the baseline
 *	summary.c	which rows are reliable, and what the run says: each
 *			mechanism against its baseline, family by family
 *	results.c	rows: making, failing, finding, sorting
 *	host.c		the host description stored with the results
 *	table.c, csv.c, json_write.c		the outputs
 *	plot.c, plot_charts.c			--plot: the page, the charts
 *	json_read.c				--from
 *	json_check.c, json_check_summary.c	--check-json
 *	util.c		messages, sizes, numbers, clock and futex helpers
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

/* Every file includes this first: glibc's CPU_* and friends need it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libkipc.h>

#define SCHEMA			"kipc-bench/3"
/*
 * --from still reads files of the older schemas: the first lacks only
 * what summary.c computes again from the rows, the second the message
 * sections.
 */
#define SCHEMA_V1		"kipc-bench/1"
#define SCHEMA_V2		"kipc-bench/2"

#define KIB			((uint64_t)1024)
#define MIB			(KIB * 1024)

#define MAX_SIZES		32
#define MAX_PAIRS		64
#define MAX_WORKERS		(2 * MAX_PAIRS)
#define MAX_CPUS		1024
#define MAX_RTTS		2000000ULL	/* samples kept per repetition */
#define MAX_REPS		64
#define ERRMSG_LEN		200

/* ------------------------------------------------------------------ */
/* Backends                                                            */

/*
 * How the two ends of a backend move data, or wake each other: read and
 * write, io_uring, a ring woken by a futex or by a kipc doorbell, or a
 * queue's send and receive of whole messages.
 */
enum xport { XP_RW, XP_URING, XP_FUTEX, XP_DOORBELL, XP_MSG };

/*
 * The bytes every message queue is given, so that none holds more than
 * another (kipc-bench(1) says what each makes of them); a message larger
 * than this gets a queue of its own size.  A pipe's default capacity.
 */
#define MSG_CAPACITY	(64 * KIB)

/*
 * The kinds of rows (sections), as bits so that a backend can list its
 * own: byte streams, 1-byte round trips and pairs at once over the byte
 * mechanisms; streams and round trips of whole messages over the message
 * queues.
 */
#define SEC_THR		(1u << 0)
#define SEC_LAT		(1u << 1)
#define SEC_SCALE	(1u << 2)
#define SEC_MSG		(1u << 3)
#define SEC_MSG_LAT	(1u << 4)
#define NSECS		5
#define SEC_EVERY	((1u << NSECS) - 1)

struct family;			/* job.h: how a backend is driven */

/* One entry of the table of backends (backends.c). */
struct backend {
	const char *name;
	const char *mech;		/* JSON "mechanism" */
	enum kipc_backend lib;		/* libkipc's; 0 for the unix socket */
	enum xport xp;
	uint64_t capacity;		/* 0: the mechanism's default */
	unsigned int secs;		/* SEC_* it has rows in */
	const struct family *fam;
	const char *what;
};

#define NBACKENDS	25

extern const struct backend backends[NBACKENDS];
extern const char *const xport_names[];
extern const char *const sec_names[NSECS];	/* JSON's and --tests' */

int sec_index(unsigned int sec);
/* Rows keyed by a message size (not 1 byte, not a pair count). */
bool sec_sized(unsigned int sec);
/* Rows of round trips (p50, p99, p99.9) rather than of a rate. */
bool sec_rtt(unsigned int sec);
/* The backend every row of @sec is set against, and the JSON's key. */
const char *sec_baseline(unsigned int sec);
const char *sec_ratio_key(unsigned int sec);
int backend_find(const char *name);
bool backend_unavailable(const struct backend *b, char *why, size_t len);
void list_backends(void);

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/*
 * What the clock measures, as the caller says (--mode): real time, or
 * qemu's -icount, where guest time counts instructions.
 */
enum { MODE_WALL_CLOCK, MODE_ICOUNT, NMODES };

extern const char *const mode_names[NMODES];

int mode_find(const char *name);

struct config {
	bool quick, verify, split, pin, strict, no_table, quiet, list;
	unsigned int reps;
	double min_time;		/* seconds per repetition, at least */
	uint64_t min_rtts;		/* round trips per latency repetition */
	uint64_t sizes[MAX_SIZES];
	unsigned int nsizes;
	uint64_t msg_sizes[MAX_SIZES];	/* the message sections' */
	unsigned int nmsg_sizes;
	unsigned int pairs[MAX_SIZES];
	unsigned int npairs;
	uint64_t scale_size;
	uint64_t ring_bytes;
	unsigned int spin;
	int cpus[MAX_CPUS];
	unsigned int ncpus;
	char cpus_arg[64];
	bool selected[NBACKENDS];
	unsigned int tests;		/* SEC_* */
	/* CPUs the scaling pairs may use: below 2 they only take turns. */
	unsigned int scaling_cpus;
	int mode;			/* MODE_*: how the clock runs */
	const char *json, *csv, *plot, *from, *check, *label;
};

extern struct config cfg;

/* opts.c: fills cfg, or exits 0 (--help, --version) or 2 (bad usage). */
void parse_args(int argc, char **argv);

/* ------------------------------------------------------------------ */
/* Results                                                             */

/* A figure over the repetitions: median, extremes, quartiles. */
struct stat5 {
	double med, min, max, q1, q3;
};

enum { ST_OK, ST_SKIPPED, ST_ERROR };

extern const char *const status_names[];

struct row {
	unsigned int sec;		/* SEC_* */
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
	struct stat5 p99, p999;		/* round trips only, ns */
	double ratio;			/* to the baseline; NAN: none */
	double speedup;			/* scaling: to the same backend, 1 pair */
	double spread;			/* (max - min) / median of v; NAN: none */
	bool unreliable;		/* too wide or too few reps to rank */
};

/* The host and the configuration, as measured or as loaded. */
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
	bool tcg;			/* qemu's emulator: not native speeds */
	int ncpus;
	double load_start[3], load_end[3];
	unsigned int reps;
	double min_time;
	uint64_t min_rtts;
	char cpus[64];
	bool split, quick, verify;
	uint64_t sizes[MAX_SIZES];
	unsigned int nsizes;
	uint64_t msg_sizes[MAX_SIZES];
	unsigned int nmsg_sizes;
	unsigned int pairs[MAX_SIZES];
	unsigned int npairs;
	uint64_t scale_size, ring_bytes;
	unsigned int spin;
	char backends[NBACKENDS][40];
	unsigned int nbackends;
	unsigned int tests;
	unsigned int scaling_cpus;	/* 0: unknown (an older file) */
	int mode;			/* MODE_* */
	double max_spread;		/* summary.c's rule, as applied */
	unsigned int min_reps;
};

/* ------------------------------------------------------------------ */
/* The summary (summary.c)                                             */

/*
 * A row is unreliable when its figure's spread over the repetitions,
 * (max - min) / median, is above MAX_SPREAD, or when it has fewer than
 * MIN_REPS repetitions; kipc-bench(1) gives the reasons.
 */
#define MAX_SPREAD		0.25
#define MIN_REPS		3

enum verdict { V_NONE, V_FASTER, V_SLOWER, V_SAME, V_MIXED, NVERDICTS };

extern const char *const verdict_names[NVERDICTS];	/* JSON's words */

/* A backend against its baseline at one size or pair count. */
struct point {
	uint64_t size;
	unsigned int pairs;
	double ratio;			/* of the medians */
	double lo, hi;			/* the worst and best min-max ratios */
	bool unreliable;		/* either row: then no verdict */
	enum verdict v;
};

/*
 * The lines of the summary: the six families of byte mechanisms, one
 * line each, then "messages", a line for each message queue against
 * POSIX mq, in streams and in round trips.
 */
#define NFAMILIES		12

/* One line of the summary: a backend against its baseline's. */
struct family_sum {
	const char *name;		/* "byte channels"... */
	unsigned int sec;
	const char *backend, *base;	/* NULL: none selected */
	const char *want, *want_base;	/* the first choices, for the text */
	struct point pts[MAX_SIZES];
	unsigned int npts;
	unsigned int ranked;		/* points with a verdict */
	enum verdict v;
	char note[ERRMSG_LEN + 64];	/* why points are missing; "" none */
};

struct summary {
	struct family_sum fam[NFAMILIES];
};

struct results {
	struct meta m;
	struct row *rows;
	size_t n, cap;
	unsigned int errors, skipped;
	struct summary sum;
};

/* results.c */
struct row *row_new(struct results *R, unsigned int sec,
		    const struct backend *b, uint64_t size, unsigned int pairs);
void row_skip(struct results *R, struct row *r, const char *why);
void row_error(struct results *R, struct row *r, const char *why);
const struct row *find_row(const struct results *R, unsigned int sec,
			   const char *backend, uint64_t size,
			   unsigned int pairs);
void sort_rows(struct results *R);

/* stats.c */
struct stat5 stat5_of(double *v, unsigned int n);
void rtt_percentiles(uint64_t *samples, uint64_t n, double *p50, double *p99,
		     double *p999);
void compute_ratios(struct results *R);

/* summary.c: judge every row, then sum up; after compute_ratios(). */
void summarize(struct results *R);
bool higher_is_better(unsigned int sec);
void print_summary(FILE *f, const struct results *R);

/* host.c */
extern char uring_reason[ERRMSG_LEN];
void probe_io_uring(char *out, size_t len);
void collect_meta(struct meta *m);

/* run.c */
void run_all(struct results *R);

/* A scaling row's reason where the pairs could use one CPU only. */
#define SCALING_ONE_CPU	"one CPU (--cpus, taskset): the pairs would only take turns on it"

/* The outputs: table.c, json_write.c, csv.c, plot.c; read: json_*.c */
void print_table(FILE *f, const struct results *R);
void write_json(FILE *f, const struct results *R);
void write_csv(FILE *f, const struct results *R);
int write_plot(const char *out, const struct results *R);
int load_results(const char *file, struct results *R);
int check_json(const char *file, bool strict);

/* ------------------------------------------------------------------ */
/* util.c                                                              */

extern const char *prog;

void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void errx_(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void usage_short(FILE *f);
void usage_fail(void) __attribute__((noreturn));
void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

int parse_size(const char *s, uint64_t *out);
int parse_uint(const char *s, unsigned long long max, unsigned long long *out);
const char *fmt_size(char *buf, size_t len, uint64_t v);
const char *fmt_num(char *buf, size_t len, double v);
void fmt_load(char *buf, size_t len, const double la[3]);
void fput_quoted(FILE *f, const char *s, char q);
char *read_first_line(const char *path, char *buf, size_t len);
void read_loadavg(double la[3]);

int64_t now_ns(void);
void cpu_relax(void);
long futex_wait(_Atomic uint32_t *w, uint32_t val, const struct timespec *ts);
long futex_wake(_Atomic uint32_t *w, int n);

#endif /* KIPC_BENCH_H */
