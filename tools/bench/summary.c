// SPDX-License-Identifier: GPL-2.0
/*
 * summary.c: what a person reads first.  Every row is judged first: the
 * spread of its figure over the repetitions, and whether that is too
 * wide (or the repetitions too few) to rank it at all.  Then, line by
 * line, one backend is set against its baseline's row of the same run
 * at every size: a kipc byte mechanism against the pipe, family by
 * family, and each message queue against POSIX mq.  A line gives the
 * ratio of the medians, the range of ratios that the repetitions allow,
 * and a verdict only where the rows are reliable and that range lies
 * wholly on one side of 1.  kipc-bench(1) states the rule; the table,
 * the JSON and the plot all show its outcome.
 */
#include "bench.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* JSON's words, of a line's backend against its baseline; V_NONE is null. */
const char *const verdict_names[NVERDICTS] = {
	"none", "faster", "slower", "no clear difference", "mixed",
};

/* The table's one-character marks, in the same order. */
static const char verdict_marks[NVERDICTS] = { '?', '+', '-', '=', '*' };

/*
 * The lines and the rows they compare.  The first backend of the list
 * that was selected stands for the line; the byte mechanisms' baseline
 * is the pipe driven the same way, so io_uring is set against
 * pipe+uring.  Every message queue has a line against POSIX mq, of its
 * streams and of its round trips, under the one name "messages".
 */
static const struct family_def {
	const char *name;
	unsigned int sec;
	const char *backend[2];
	const char *base;
} defs[NFAMILIES] = {
	{ "byte channels", SEC_THR, { "kipc-pair", "kipc-named" }, "pipe" },
	{ "shared-memory rings", SEC_THR,
	  { "kipc-shm+doorbell", "kipc-shm+futex" }, "pipe" },
	{ "latency", SEC_LAT, { "kipc-pair", "kipc-named" }, "pipe" },
	{ "io_uring", SEC_THR, { "kipc-pair+uring", "kipc-named+uring" },
	  "pipe+uring" },
	{ "scaling", SEC_SCALE, { "kipc-pair", NULL }, "pipe" },
	{ "mapped channels", SEC_THR, { "kipc-mapped", "kipc-mapped-1m" },
	  "pipe" },
	{ "messages", SEC_MSG, { "kipc-msg", NULL }, "posix-mq" },
	{ "messages", SEC_MSG, { "sysv-msg", NULL }, "posix-mq" },
	{ "messages", SEC_MSG, { "seqpacket", NULL }, "posix-mq" },
	{ "messages", SEC_MSG_LAT, { "kipc-msg", NULL }, "posix-mq" },
	{ "messages", SEC_MSG_LAT, { "sysv-msg", NULL }, "posix-mq" },
	{ "messages", SEC_MSG_LAT, { "seqpacket", NULL }, "posix-mq" },
};

/* Throughput wants more bytes a second, latency less time. */
bool higher_is_better(unsigned int sec)
{
	return !sec_rtt(sec);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

static void judge_row(const struct meta *m, struct row *r)
{
	r->spread = NAN;
	r->unreliable = false;
	if (r->status != ST_OK)
		return;
	r->spread = (r->v.max - r->v.min) / r->v.med;
	/* A spread that is not a number is not a small one. */
	r->unreliable = r->reps < m->min_reps || !(r->spread <= m->max_spread);
}

/* The row of @backend at a point, whatever its status; NULL if none. */
static const struct row *row_at(const struct results *R, unsigned int sec,
				const char *backend, uint64_t size,
				unsigned int pairs)
{
	size_t i;

	for (i = 0; i < R->n; i++) {
		const struct row *r = &R->rows[i];

		if (r->sec == sec && !strcmp(r->backend, backend) &&
		    (sec == SEC_LAT || r->size == size) &&
		    (sec != SEC_SCALE || r->pairs == pairs))
			return r;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Families                                                            */

static bool selected(const struct meta *m, const char *name)
{
	unsigned int i;

	for (i = 0; i < m->nbackends; i++)
		if (!strcmp(m->backends[i], name))
			return true;
	return false;
}

/*
 * Every repetition of one row against every repetition of the other:
 * the ratio can lie anywhere from min/max to max/min.  Only when all of
 * that range is on one side of 1 does one row beat the other.
 */
static enum verdict rank(const struct point *p, unsigned int sec)
{
	bool higher = higher_is_better(sec);

	if (p->unreliable)
		return V_NONE;
	if (p->lo > 1)
		return higher ? V_FASTER : V_SLOWER;
	if (p->hi < 1)
		return higher ? V_SLOWER : V_FASTER;
	return V_SAME;
}

/* Why a point has no ratio, the first time one is missing. */
static void note_missing(struct family_sum *fs, const struct results *R,
			 uint64_t size, unsigned int pairs)
{
	const char *names[2] = { fs->backend, fs->base };
	const struct row *r;
	int i;

	if (fs->note[0])
		return;
	for (i = 0; i < 2; i++) {
		r = row_at(R, fs->sec, names[i], size, pairs);
		if (r && r->status == ST_SKIPPED) {
			snprintf(fs->note, sizeof(fs->note), "not measured: %s",
				 r->reason);
			return;
		}
		if (r && r->status != ST_OK) {
			snprintf(fs->note, sizeof(fs->note), "%s failed: %s",
				 names[i], r->reason);
			return;
		}
		if (!r) {
			snprintf(fs->note, sizeof(fs->note), "no %s row",
				 names[i]);
			return;
		}
	}
}

static void add_point(struct family_sum *fs, const struct results *R,
		      uint64_t size, unsigned int pairs)
{
	const struct row *k = find_row(R, fs->sec, fs->backend, size, pairs);
	const struct row *b = find_row(R, fs->sec, fs->base, size, pairs);
	struct point *p = &fs->pts[fs->npts];

	if (!k || !b) {
		note_missing(fs, R, size, pairs);
		return;
	}
	p->size = size;
	p->pairs = pairs;
	p->ratio = k->v.med / b->v.med;
	p->lo = k->v.min / b->v.max;
	p->hi = k->v.max / b->v.min;
	p->unreliable = k->unreliable || b->unreliable;
	p->v = rank(p, fs->sec);
	fs->npts++;
}

/* All the points that have a verdict agree on it, or it is mixed. */
static enum verdict overall(const struct family_sum *fs)
{
	enum verdict v = V_NONE;
	unsigned int i;

	for (i = 0; i < fs->npts; i++) {
		if (fs->pts[i].v == V_NONE)
			continue;
		if (v != V_NONE && v != fs->pts[i].v)
			v = V_MIXED;
		else if (v == V_NONE)
			v = fs->pts[i].v;
	}
	return v;
}

static void sum_family(struct family_sum *fs, const struct family_def *d,
		       const struct results *R)
{
	const struct meta *m = &R->m;
	unsigned int i, n;

	memset(fs, 0, sizeof(*fs));
	fs->name = d->name;
	fs->sec = d->sec;
	fs->want = d->backend[0];
	fs->want_base = d->base;
	for (i = 0; i < 2 && !fs->backend; i++)
		if (d->backend[i] && selected(m, d->backend[i]))
			fs->backend = d->backend[i];
	if (selected(m, d->base))
		fs->base = d->base;
	if (!(m->tests & d->sec))
		snprintf(fs->note, sizeof(fs->note), "%s not run (--tests)",
			 sec_names[sec_index(d->sec)]);
	/* An older file's scaling rows may have been measured all the same. */
	else if (d->sec == SEC_SCALE && m->scaling_cpus < 2)
		snprintf(fs->note, sizeof(fs->note), "%s", SCALING_ONE_CPU);
	else if (!fs->backend)
		snprintf(fs->note, sizeof(fs->note), "%s not selected",
			 d->backend[0]);
	else if (!fs->base)
		snprintf(fs->note, sizeof(fs->note), "%s not selected",
			 d->base);
	if (fs->note[0])
		return;
	n = d->sec == SEC_THR ? m->nsizes : sec_sized(d->sec) ? m->nmsg_sizes :
	    d->sec == SEC_SCALE ? m->npairs : 1;
	for (i = 0; i < n; i++)
		add_point(fs, R, d->sec == SEC_THR ? m->sizes[i] :
			  sec_sized(d->sec) ? m->msg_sizes[i] :
			  d->sec == SEC_SCALE ? m->scale_size : 1,
			  d->sec == SEC_SCALE ? m->pairs[i] : 1);
	fs->v = overall(fs);
	for (i = 0; i < fs->npts; i++)
		fs->ranked += fs->pts[i].v != V_NONE;
}

void summarize(struct results *R)
{
	size_t i;
	int f;

	for (i = 0; i < R->n; i++)
		judge_row(&R->m, &R->rows[i]);
	for (f = 0; f < NFAMILIES; f++)
		sum_family(&R->sum.fam[f], &defs[f], R);
}

/* ------------------------------------------------------------------ */
/* The text                                                            */

/* Two or three significant digits: a ratio, not a measurement. */
static const char *fmt_ratio(char *buf, size_t len, double v)
{
	snprintf(buf, len, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" :
		 v >= 0.1 ? "%.2f" : "%.3f", v);
	return buf;
}

static void print_point(FILE *f, const struct family_sum *fs,
			const struct point *p)
{
	char where[32], ratio[32];

	if (sec_sized(fs->sec))
		fmt_size(where, sizeof(where), p->size);
	else if (fs->sec == SEC_SCALE)
		snprintf(where, sizeof(where), "x%u", p->pairs);
	else
		snprintf(where, sizeof(where), "p50");
	fprintf(f, " %5s %5s%c", where,
		fmt_ratio(ratio, sizeof(ratio), p->ratio), verdict_marks[p->v]);
}

static void print_verdict(FILE *f, const struct family_sum *fs)
{
	const char *what = fs->sec == SEC_SCALE ? "pair counts" : "sizes";
	/* "kipc faster": any kipc backend stands for kipc. */
	const char *who = strncmp(fs->backend, "kipc", 4) ? fs->backend : "kipc";

	if (fs->v == V_NONE) {
		fprintf(f, "  => no verdict: unreliable");
		return;
	}
	if (fs->v == V_MIXED)
		fprintf(f, "  => depends on the %s",
			fs->sec == SEC_SCALE ? "pair count" : "size");
	else if (fs->v == V_SAME)
		fprintf(f, "  => %s", verdict_names[fs->v]);
	else
		fprintf(f, "  => %s %s", who, verdict_names[fs->v]);
	if (fs->ranked < fs->npts)
		fprintf(f, " (%u of %u %s ranked)", fs->ranked, fs->npts, what);
}

static void print_family(FILE *f, const struct family_sum *fs)
{
	char name[32], who[64];
	unsigned int i;

	snprintf(name, sizeof(name), "%s%s", fs->name,
		 fs->sec == SEC_MSG_LAT ? ", ping-pong" : "");
	snprintf(who, sizeof(who), "%s / %s",
		 fs->backend ? fs->backend : fs->want,
		 fs->base ? fs->base : fs->want_base);
	fprintf(f, "%-20s %-29s", name, who);
	for (i = 0; i < fs->npts; i++)
		print_point(f, fs, &fs->pts[i]);
	if (fs->npts)
		print_verdict(f, fs);
	if (fs->note[0])
		fprintf(f, "%s%s", fs->npts ? "; " : " ", fs->note);
	fputc('\n', f);
}

void print_summary(FILE *f, const struct results *R)
{
	const struct meta *m = &R->m;
	int i;

	fprintf(f, "\nSummary (%s mode%s): a backend / its baseline in this run (the\n"
		   "pipe; POSIX mq for messages), the ratio of the medians at each size (latency\n"
		   "and ping-pong: of p50 round trips, below 1 is faster).  + faster, - slower:\n"
		   "every repetition of one beat every one of the other; = no clear difference;\n"
		   "? unreliable (spread above %.0f%% or fewer than %u repetitions): no verdict\n",
		mode_names[m->mode], m->tcg ? ", qemu TCG" : "",
		m->max_spread * 100, m->min_reps);
	for (i = 0; i < NFAMILIES; i++)
		print_family(f, &R->sum.fam[i]);
}
