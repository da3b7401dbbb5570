// SPDX-License-Identifier: GPL-2.0
/*
 * plot_charts.c: the eight charts of --plot.  What a reader should take
 * from a run is how each mechanism compares with the baseline measured
 * beside it, so seven charts are ratios to it on a log scale with a line
 * at 1, one per family, each with a handful of lines: to the pipe, byte
 * channels, shared-memory rings, io_uring, latency and scaling; to POSIX
 * mq, the message queues' streams and their round trips.  Bars are the
 * range of ratios the repetitions allow (min over max to max over min),
 * the interval the summary's verdict rests on; a ring marks a point that
 * is unreliable.  Absolute MB/s, which under qemu TCG are no native
 * speeds, come last and only for the rows the summary compares.
 */
#include "plot.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Tableau-like colours; a backend keeps its colour in every chart. */
static const char *const colors[] = {
	"#000000", "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728", "#9467bd",
	"#e377c2", "#8c564b", "#2ca02c", "#17becf", "#bcbd22", "#ff9896",
	"#c5b0d5", "#f7b6d2", "#98df8a", "#aec7e8", "#ffbb78", "#393b79",
	"#637939", "#d6616b", "#7b4173", "#8c6d31", "#3182bd", "#e6550d",
	"#31a354",
};

#define NCOLORS		((int)(sizeof(colors) / sizeof(colors[0])))

/* Ratios read best at 1-2-5 steps; gnuplot keeps those in range. */
#define RATIO_TICS	"(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, " \
			"0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)"

static const char *row_color(const struct row *r)
{
	int i = backend_find(r->backend);

	return colors[(i < 0 ? NBACKENDS : i) % NCOLORS];
}

static bool is_kipc(const struct row *r)
{
	return !strncmp(r->backend, "kipc", 4);
}

static uint64_t row_x(const struct row *r)
{
	return r->sec == SEC_SCALE ? r->pairs : r->size;
}

/*
 * A row against its baseline at its point: the ratio of the medians, the
 * range of ratios its repetitions allow, and whether either row is
 * unreliable; false where there is no ratio.  As summary.c judges.
 */
static bool ratio_of(const struct results *R, const struct row *r,
		     double q[3], bool *unreliable)
{
	const struct row *b = find_row(R, r->sec, sec_baseline(r->sec),
				       r->size, r->pairs);

	if (r->status != ST_OK || !b)
		return false;
	q[0] = r->v.med / b->v.med;
	q[1] = r->v.min / b->v.max;
	q[2] = r->v.max / b->v.min;
	*unreliable = r->unreliable || b->unreliable;
	return true;
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/* What one chart set that the next must not inherit. */
static void gp_reset(FILE *f)
{
	fputs("unset label\nunset logscale\nunset arrow\n"
	      "set xrange [*:*]\nset yrange [*:*]\n"
	      "set xtics norotate autofreq font ',10'\nset ytics autofreq\n"
	      "set format y '%g'\nset grid\nunset bmargin\n"
	      "set key outside right top vertical font ',9' samplen 2.5 box\n",
	      f);
}

/* Tics at the measured points only, labelled 4K rather than 4096. */
static void gp_xtics(FILE *f, const struct results *R, unsigned int sec)
{
	uint64_t seen[64], lo = UINT64_MAX, hi = 0, x;
	unsigned int n = 0, i;
	char b[16];
	size_t k;

	fputs("set xtics (", f);
	for (k = 0; k < R->n; k++) {
		const struct row *r = &R->rows[k];

		if (r->sec != sec || r->status != ST_OK)
			continue;
		x = row_x(r);
		for (i = 0; i < n && seen[i] != x; i++)
			;
		if (i < n || n == 64)
			continue;
		seen[n++] = x;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
		if (sec_sized(sec))
			fmt_size(b, sizeof(b), x);
		else
			snprintf(b, sizeof(b), "%" PRIu64, x);
		fprintf(f, "%s\"%s\" %" PRIu64, n > 1 ? ", " : "", b, x);
	}
	fputs(")\n", f);
	/* Log autoscale may cut the last point off; one point needs room. */
	if (n)
		fprintf(f, "set xrange [%g:%g]\n", lo / 1.4, hi * 1.4);
}

/* An empty chart that says why, rather than a hole in the layout. */
static void gp_empty(FILE *f, const char *title, const char *why)
{
	fputs("set title ", f);
	gp_str(f, title);
	fputs("\nset xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
	      "unset key\nunset grid\nset xlabel ''\nset ylabel ''\nset label 1 ", f);
	gp_str(f, why);
	fputs(" at graph 0.5,0.5 center\nplot NaN notitle\n", f);
}

/* ------------------------------------------------------------------ */
/* Line charts                                                         */

struct chart {
	const char *title;
	unsigned int sec;
	bool (*want)(const struct row *r);
	const char *family;		/* its summary line: why it is empty */
};

/* Why a family's chart of @sec is empty: its summary line's note. */
static const char *empty_why(const struct results *R, const char *family,
			     unsigned int sec)
{
	int i;

	for (i = 0; family && i < NFAMILIES; i++)
		if (!strcmp(R->sum.fam[i].name, family) &&
		    R->sum.fam[i].sec == sec && R->sum.fam[i].note[0])
			return R->sum.fam[i].note;
	return "no rows measured";
}

/* kipc thick and solid, the others thin and dashed. */
static void gp_clause(char *cmd, size_t len, const struct gp_data *d,
		      const struct row *r, const char *using)
{
	size_t used = strlen(cmd);

	snprintf(cmd + used, len - used,
		 ", \\\n     '%s' index %u using %s with yerrorlines lc rgb '%s' "
		 "lw %s pt %u dt %u title '%s'", d->path, d->block, using,
		 row_color(r), is_kipc(r) ? "2.5" : "1.3",
		 (d->block % 12) + 1, is_kipc(r) ? 1 : 2, r->backend);
}

/*
 * One block per backend of the rows @c wants, as ratios to the pipe
 * (@ratio) or as MB/s, appended to the data file; the plot clauses go to
 * @cmd.  Returns the number of lines; *@nunrel counts unreliable points.
 */
static unsigned int gp_blocks(struct gp *g, const struct chart *c, bool ratio,
			      char *cmd, size_t len, unsigned int *nunrel)
{
	struct gp_data *d = g->lines;
	const char *cur = NULL;
	unsigned int nb = 0;
	bool unrel;
	double q[3];
	size_t k;

	for (k = 0; k < g->R->n; k++) {
		const struct row *r = &g->R->rows[k];

		if (r->sec != c->sec || !c->want(r))
			continue;
		if (ratio ? !ratio_of(g->R, r, q, &unrel) : r->status != ST_OK)
			continue;
		if (!ratio) {
			q[0] = r->v.med / 1e6;
			q[1] = r->v.min / 1e6;
			q[2] = r->v.max / 1e6;
			unrel = r->unreliable;
		}
		if (!cur || strcmp(cur, r->backend)) {
			if (cur) {
				fputs("\n\n", d->f);
				d->block++;
			}
			cur = r->backend;
			gp_clause(cmd, len, d, r, "1:2:3:4");
			nb++;
		}
		*nunrel += unrel;
		fprintf(d->f, "%" PRIu64 " %.9g %.9g %.9g %d\n", row_x(r), q[0],
			q[1], q[2], unrel);
	}
	if (cur) {
		fputs("\n\n", d->f);
		d->block++;
	}
	return nb;
}

/* Rings on the unreliable points of the blocks just written. */
static void gp_rings(char *cmd, size_t len, const struct gp_data *d,
		     unsigned int first, const struct meta *m)
{
	size_t used = strlen(cmd);

	snprintf(cmd + used, len - used,
		 ", \\\n     '%s' index %u:%u using 1:($5 > 0 ? $2 : NaN) with points "
		 "pt 6 ps 2.6 lw 1.5 lc rgb '#000000' title 'unreliable (spread > %.0f%%)'",
		 d->path, first, d->block - 1, m->max_spread * 100);
}

static void gp_line_chart(struct gp *g, const struct chart *c, bool ratio)
{
	unsigned int first = g->lines->block, n, nunrel = 0;
	static char cmd[32768];
	FILE *f = g->f;

	cmd[0] = 0;
	gp_reset(f);
	/* An older file may hold scaling rows measured on one CPU. */
	if (c->sec == SEC_SCALE && g->R->m.scaling_cpus < 2) {
		gp_empty(f, c->title, SCALING_ONE_CPU);
		return;
	}
	n = gp_blocks(g, c, ratio, cmd, sizeof(cmd), &nunrel);
	if (!n) {
		gp_empty(f, c->title, empty_why(g->R, c->family, c->sec));
		return;
	}
	if (nunrel)
		gp_rings(cmd, sizeof(cmd), g->lines, first, &g->R->m);
	fputs("set title ", f);
	gp_str(f, c->title);
	fprintf(f, "\nset xlabel '%s'\nset logscale x 2\nset logscale y 10\n",
		c->sec == SEC_SCALE ? "pairs at once" : "message size (bytes)");
	gp_xtics(f, g->R, c->sec);
	if (ratio)
		fprintf(f, "set ylabel 'ratio to %s, same run (%s 1: faster)'\n"
			"set ytics " RATIO_TICS "\n"
			"plot 1 with lines lc rgb '#000000' lw 1.5 dt 3 title '%s = 1'",
			sec_baseline(c->sec), sec_rtt(c->sec) ? "below" : "above",
			sec_baseline(c->sec));
	else
		fputs("set ylabel 'MB/s (10^6 B/s)'\nplot NaN notitle", f);
	fprintf(f, "%s\n", cmd);
}

/* ------------------------------------------------------------------ */
/* Latency: one bar per backend, from 1 to its p50 ratio               */

static void gp_latency(struct gp *g)
{
	const char *title = "Latency: p50 round trip / pipe's, 1-byte ping-pong (below 1: faster)";
	struct gp_data *d = g->bars;
	unsigned int n = 0, nunrel = 0, color;
	bool unrel;
	double q[3];
	size_t k;

	gp_reset(g->f);
	for (k = 0; k < g->R->n; k++) {
		const struct row *r = &g->R->rows[k];

		if (r->sec != SEC_LAT || !strcmp(r->backend, "pipe") ||
		    !ratio_of(g->R, r, q, &unrel))
			continue;
		color = (unsigned int)strtoul(row_color(r) + 1, NULL, 16);
		fprintf(d->f, "%u \"%s\" %.9g %.9g %.9g %d %u\n", n++,
			r->backend, q[0], q[1], q[2], unrel, color);
		nunrel += unrel;
	}
	if (!n) {
		gp_empty(g->f, title, empty_why(g->R, "latency", SEC_LAT));
		return;
	}
	fputs("set title ", g->f);
	gp_str(g->f, title);
	fprintf(g->f, "\nset xlabel ''\nset ylabel 'ratio to pipe, same run'\n"
		"set logscale y 10\nset ytics " RATIO_TICS "\n"
		"set xrange [-0.7:%u.7]\nset xtics rotate by 35 right font ',9'\n"
		"set bmargin 7\nset style fill solid 0.7 border -1\n"
		"plot 1 with lines lc rgb '#000000' lw 1.5 dt 3 title 'pipe = 1', \\\n"
		"     '%s' using 1:3:($1-0.35):($1+0.35):($3<1?$3:1):($3<1?1:$3):7:xtic(2) "
		"with boxxyerror lc rgb variable notitle, \\\n"
		"     '' using 1:3:4:5 with yerrorbars pt 7 ps 0.4 lc rgb '#000000' "
		"title 'min-max ratio'", n - 1, d->path);
	if (nunrel)
		fprintf(g->f, ", \\\n     '' using 1:($6 > 0 ? $3 : NaN) with points "
			"pt 6 ps 2.6 lw 1.5 lc rgb '#000000' title 'unreliable (spread > %.0f%%)'",
			g->R->m.max_spread * 100);
	fputc('\n', g->f);
}

/* ------------------------------------------------------------------ */
/* The charts                                                          */

/* Mapped channels go with the rings: shared memory, with pipe rules. */
static bool is_mapped(const struct row *r)
{
	return !strncmp(r->backend, "kipc-mapped", 11);
}

static bool want_channel(const struct row *r)
{
	return !strcmp(r->xport, "rw") && strcmp(r->backend, "pipe") &&
	       !is_mapped(r);
}

static bool want_ring(const struct row *r)
{
	return !strcmp(r->xport, "futex") || !strcmp(r->xport, "doorbell") ||
	       is_mapped(r);
}

static bool want_uring(const struct row *r)
{
	return !strcmp(r->xport, "io_uring");
}

static bool want_scaling(const struct row *r)
{
	return strcmp(r->backend, "pipe");
}

static bool want_message(const struct row *r)
{
	return strcmp(r->backend, sec_baseline(r->sec));
}

/* The rows the summary compares, and the pipe they are compared with. */
static bool want_summary(const struct row *r)
{
	static const char *const names[] = {
		"pipe", "kipc-pair", "kipc-shm+doorbell", "pipe+uring",
		"kipc-pair+uring", "kipc-mapped",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(r->backend, names[i]))
			return true;
	return false;
}

/* What the absolute figures are, as far as the run can tell. */
static const char *absolute_title(const struct meta *m)
{
	if (m->mode == MODE_ICOUNT)
		return "Absolute throughput, MB/s in icount time: instruction counts, not speeds";
	if (m->tcg)
		return "Absolute throughput, MB/s under qemu TCG: not native speeds";
	return "Absolute throughput, MB/s (secondary: the ratios compare)";
}

void gp_charts(struct gp *g)
{
	static const struct chart ratios[] = {
		{ "Byte channels: throughput / pipe's at the same size",
		  SEC_THR, want_channel, "byte channels" },
		{ "Shared-memory rings and mapped channels: throughput / pipe's",
		  SEC_THR, want_ring, "shared-memory rings" },
		{ "io_uring (kipc_aio, queue depth 1): throughput / pipe's (read/write)",
		  SEC_THR, want_uring, "io_uring" },
	};
	static const struct chart scaling = {
		"Scaling: aggregate throughput / pipe's with as many pairs",
		SEC_SCALE, want_scaling, "scaling",
	};
	static const struct chart messages[] = {
		{ "Message queues: throughput / POSIX mq's at the same message size",
		  SEC_MSG, want_message, "messages" },
		{ "Message ping-pong: p50 round trip / POSIX mq's at the same size (below 1: faster)",
		  SEC_MSG_LAT, want_message, "messages" },
	};
	struct chart absolute = {
		absolute_title(&g->R->m), SEC_THR, want_summary, NULL,
	};
	size_t i;

	for (i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++)
		gp_line_chart(g, &ratios[i], true);
	gp_latency(g);
	gp_line_chart(g, &scaling, true);
	for (i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		gp_line_chart(g, &messages[i], true);
	gp_line_chart(g, &absolute, false);
}
