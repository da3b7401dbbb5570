// SPDX-License-Identifier: GPL-2.0
/*
 * run.c: the run.  One loop drives every row: for each kind of row (a
 * section: throughput, latency, scaling, messages, message latency), for
 * each of its points (a message size, the one 1-byte point, a pair
 * count), for each selected backend of the table that has that section,
 * measure one row.  What differs between sections is data in the
 * sections table below, not a loop of its own.  Also the progress line
 * on a terminal.
 */
#include "job.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Progress line                                                       */

static bool progress_on;
static unsigned int progress_done, progress_total;

/* A serial console (the guest's) is a tty, but a log really. */
static bool want_progress(void)
{
	const char *term = getenv("TERM");
	const char *tty = ttyname(STDERR_FILENO);

	return !cfg.quiet && isatty(STDERR_FILENO) && term &&
	       strcmp(term, "dumb") && (!tty || strncmp(tty, "/dev/ttyS", 9));
}

static void progress(const struct row *r, const char *what)
{
	char sz[16];

	if (!progress_on)
		return;
	fprintf(stderr, "\r%s: [%3u/%u] %-10s %-20s", prog, progress_done,
		progress_total, sec_names[sec_index(r->sec)], r->backend);
	if (sec_sized(r->sec))
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
/* Sections                                                            */

/* Up to three figures per repetition: a rate, or p50, p99 and p99.9. */
#define MAX_FIGS	3

struct section {
	unsigned int sec;
	int kind;			/* JOB_* */
	unsigned int nfigs;
	/* The message count calibration starts from, and the least taken. */
	uint64_t (*first_n)(uint64_t size);
	uint64_t (*floor_n)(void);
	/* One repetition's figures, from the job and its elapsed time. */
	void (*figures)(const struct job *j, uint64_t n, double el,
			double fig[MAX_FIGS]);
};

/*
 * Start small: some rows (io_uring in a TCG guest) move a few KB/s, and
 * the first calibration run is not cut short.
 */
static uint64_t stream_first_n(uint64_t size)
{
	return size >= 64 * KIB ? 2 : 8;
}

static uint64_t stream_floor_n(void)
{
	return 2;
}

static void stream_figures(const struct job *j, uint64_t n, double el,
			   double fig[MAX_FIGS])
{
	fig[0] = (double)j->pairs * (double)n * (double)j->size / el;
}

static uint64_t pingpong_first_n(uint64_t size)
{
	(void)size;
	return 16;
}

/* p99.9 needs at least --min-rtts round trips, however fast they are. */
static uint64_t pingpong_floor_n(void)
{
	return cfg.min_rtts;
}

static void pingpong_figures(const struct job *j, uint64_t n, double el,
			     double fig[MAX_FIGS])
{
	const struct slot *client = &j->ctl->slot[0];

	(void)n;
	(void)el;
	fig[0] = client->p50;
	fig[1] = client->p99;
	fig[2] = client->p999;
}

static const struct section sections[] = {
	{ SEC_THR, JOB_STREAM, 1, stream_first_n, stream_floor_n,
	  stream_figures },
	{ SEC_LAT, JOB_PINGPONG, 3, pingpong_first_n, pingpong_floor_n,
	  pingpong_figures },
	{ SEC_SCALE, JOB_STREAM, 1, stream_first_n, stream_floor_n,
	  stream_figures },
	{ SEC_MSG, JOB_STREAM, 1, stream_first_n, stream_floor_n,
	  stream_figures },
	{ SEC_MSG_LAT, JOB_PINGPONG, 3, pingpong_first_n, pingpong_floor_n,
	  pingpong_figures },
};

#define NSECTIONS	(sizeof(sections) / sizeof(sections[0]))

/*
 * A section's points: its message sizes (--sizes, or --msg-sizes for
 * the message queues), the one 1-byte trip, or its pair counts.
 */
static unsigned int npoints(const struct section *sc)
{
	return sc->sec == SEC_THR ? cfg.nsizes :
	       sec_sized(sc->sec) ? cfg.nmsg_sizes :
	       sc->sec == SEC_SCALE ? cfg.npairs : 1;
}

static void point(const struct section *sc, unsigned int k, uint64_t *size,
		  unsigned int *pairs)
{
	*size = sc->sec == SEC_THR ? cfg.sizes[k] :
		sec_sized(sc->sec) ? cfg.msg_sizes[k] :
		sc->sec == SEC_SCALE ? cfg.scale_size : 1;
	*pairs = sc->sec == SEC_SCALE ? cfg.pairs[k] : 1;
}

static bool wanted(const struct backend *b, const struct section *sc)
{
	return cfg.selected[b - backends] && (b->secs & sc->sec);
}

/* ------------------------------------------------------------------ */
/* One row                                                             */

/* Repetitions after calibration; 0, or -errno with the reason in @why. */
static int measure_reps(struct job *j, const struct section *sc,
			struct row *r, double figs[MAX_FIGS][MAX_REPS],
			char *why, size_t len)
{
	double el, fig[MAX_FIGS];
	char what[32];
	unsigned int i, f;
	uint64_t n = 0;
	int ret;

	r->capacity = j->capacity;
	progress(r, "calibrating");
	ret = job_calibrate(j, sc->first_n(j->size), sc->floor_n(), &n, why,
			    len);
	for (i = 0; !ret && i < cfg.reps; i++) {
		snprintf(what, sizeof(what), "rep %u/%u", i + 1, cfg.reps);
		progress(r, what);
		ret = job_rep(j, n, &el, why, len);
		if (ret)
			break;
		sc->figures(j, n, el, fig);
		for (f = 0; f < sc->nfigs; f++)
			figs[f][i] = fig[f];
	}
	if (!ret)
		r->ops = n;
	return ret;
}

static void measure(struct results *R, const struct backend *b,
		    const struct section *sc, uint64_t size,
		    unsigned int pairs)
{
	struct row *r = row_new(R, sc->sec, b, size, pairs);
	struct stat5 *dst[MAX_FIGS] = { &r->v, &r->p99, &r->p999 };
	double figs[MAX_FIGS][MAX_REPS], la[3];
	char why[ERRMSG_LEN];
	unsigned int f;
	struct job j;
	int ret;

	read_loadavg(la);
	r->load1 = la[0];
	progress(r, "setup");
	/* N pairs on one CPU take turns: an aggregate, but no scaling. */
	if (sc->sec == SEC_SCALE && cfg.scaling_cpus < 2) {
		row_skip(R, r, SCALING_ONE_CPU);
		progress_done++;
		return;
	}
	if (backend_unavailable(b, why, sizeof(why))) {
		row_skip(R, r, why);
		progress_done++;
		return;
	}
	memset(&j, 0, sizeof(j));
	j.b = b;
	j.kind = sc->kind;
	j.size = size;
	j.pairs = pairs;
	ret = job_setup(&j, why, sizeof(why));
	if (!ret)
		ret = measure_reps(&j, sc, r, figs, why, sizeof(why));
	/* A capacity the system refuses (pipe-max-size...) is a limit. */
	if (ret && j.limited) {
		row_skip(R, r, why);
	} else if (ret) {
		row_error(R, r, why);
	} else {
		for (f = 0; f < sc->nfigs; f++)
			*dst[f] = stat5_of(figs[f], cfg.reps);
		r->reps = cfg.reps;
	}
	job_teardown(&j);
	progress_done++;
}

/* ------------------------------------------------------------------ */
/* The run                                                             */

void run_all(struct results *R)
{
	const struct section *sc;
	unsigned int i, k;
	uint64_t size;
	unsigned int pairs;

	progress_on = want_progress();
	progress_total = 0;
	for (sc = sections; sc < sections + NSECTIONS; sc++)
		for (i = 0; (cfg.tests & sc->sec) && i < NBACKENDS; i++)
			if (wanted(&backends[i], sc))
				progress_total += npoints(sc);

	read_loadavg(R->m.load_start);
	/*
	 * Point by point, every backend in turn, so that a change of load
	 * hits the pipe baseline and the rows compared with it alike.
	 */
	for (sc = sections; sc < sections + NSECTIONS; sc++) {
		for (k = 0; (cfg.tests & sc->sec) && k < npoints(sc); k++) {
			point(sc, k, &size, &pairs);
			for (i = 0; i < NBACKENDS && !interrupted; i++)
				if (wanted(&backends[i], sc))
					measure(R, &backends[i], sc, size, pairs);
		}
	}
	read_loadavg(R->m.load_end);
	progress_clear();
}
