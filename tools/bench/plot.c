// SPDX-License-Identifier: GPL-2.0
/*
 * plot.c: --plot, four charts in one SVG (or PNG) drawn by gnuplot(1):
 * throughput against message size for the read/write and shared-memory
 * backends, the same for io_uring with pipe as the yardstick, latency
 * percentiles per backend, and scaling.  This file writes gnuplot's
 * script and data into a temporary directory and runs gnuplot on them;
 * KIPC_BENCH_KEEP_PLOT keeps them for whoever wants to tune the charts.
 */
#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* Tableau-like colours, black for pipe: the baseline stands out. */
static const char *const colors[] = {
	"#000000", "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728", "#9467bd",
	"#e377c2", "#8c564b", "#2ca02c", "#17becf", "#bcbd22", "#ff9896",
	"#c5b0d5", "#f7b6d2", "#98df8a", "#aec7e8", "#ffbb78", "#393b79",
	"#637939",
};

#define NCOLORS		((int)(sizeof(colors) / sizeof(colors[0])))

/* A backend keeps its colour in every chart: it follows the table. */
static const char *row_color(const struct row *r)
{
	int i = backend_find(r->backend);

	return colors[(i < 0 ? NBACKENDS : i) % NCOLORS];
}

/* gnuplot strings in single quotes: only the quote itself is special. */
static void gp_str(FILE *f, const char *s)
{
	fput_quoted(f, s, '\'');
}

/* ------------------------------------------------------------------ */
/* Line charts: one line per backend, x a size or a pair count         */

/* A data file, and the number of its next block ("index N"). */
struct gp_data {
	FILE *f;
	char path[300];
	unsigned int block;
};

static uint64_t row_x(const struct row *r)
{
	return r->sec == SEC_THR ? r->size : r->pairs;
}

/* Tics at the measured points only, labelled 4K rather than 4096. */
static void gp_tics(FILE *f, const struct results *R, unsigned int sec)
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
		if (sec == SEC_THR)
			fmt_size(b, sizeof(b), x);
		else
			snprintf(b, sizeof(b), "%" PRIu64, x);
		fprintf(f, "%s\"%s\" %" PRIu64, n > 1 ? ", " : "", b, x);
	}
	fputs(")\n", f);
	/* gnuplot's log autoscale may cut the last point off. */
	if (n)
		fprintf(f, "set xrange [%g:%g]\n", lo / 1.3, hi * 1.3);
	else
		fputs("set xrange [*:*]\n", f);
}

/* kipc thick, pipe medium, the others thin and dashed. */
static void gp_clause(char *cmd, size_t len, const struct gp_data *d,
		      const struct row *r, bool first)
{
	bool kipc = !strncmp(r->backend, "kipc", 4);
	bool base = !strcmp(r->backend, "pipe");
	size_t used = strlen(cmd);

	snprintf(cmd + used, len - used,
		 "%s'%s' index %u using 1:($2/1e6):($3/1e6):($4/1e6) "
		 "with yerrorlines lc rgb '%s' lw %s pt %u dt %u title '%s'",
		 first ? "" : ", \\\n     ", d->path, d->block, row_color(r),
		 kipc ? "2.5" : base ? "2" : "1.2", (d->block % 12) + 1,
		 kipc || base ? 1 : 2, r->backend);
}

/*
 * One block per backend of the rows of @sec for which @want() holds,
 * appended to the data file; the plot clauses go to @cmd.  Returns the
 * number of blocks (lines).
 */
static unsigned int gp_blocks(struct gp_data *d, char *cmd, size_t len,
			      const struct results *R, unsigned int sec,
			      bool (*want)(const struct row *))
{
	const char *cur = NULL;
	unsigned int nb = 0;
	size_t k;

	for (k = 0; k < R->n; k++) {
		const struct row *r = &R->rows[k];

		if (r->sec != sec || r->status != ST_OK || !want(r))
			continue;
		if (!cur || strcmp(cur, r->backend)) {
			if (cur)
				fputs("\n\n", d->f);
			cur = r->backend;
			gp_clause(cmd, len, d, r, !nb);
			d->block++;
			nb++;
		}
		fprintf(d->f, "%" PRIu64 " %.9g %.9g %.9g\n", row_x(r),
			r->v.med, r->v.min, r->v.max);
	}
	if (cur)
		fputs("\n\n", d->f);
	return nb;
}

/* An empty chart that says why, rather than a hole in the layout. */
static void gp_empty(FILE *f, const char *why)
{
	fprintf(f, "unset logscale\nset xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
		   "set label 1 '%s' at graph 0.5,0.5 center\nplot NaN notitle\n"
		   "unset label 1\nset xrange [*:*]\nset yrange [*:*]\nset xtics\nset ytics\n",
		why);
}

static void gp_lines(FILE *f, struct gp_data *d, const struct results *R,
		     unsigned int sec, bool (*want)(const struct row *),
		     const char *empty)
{
	char cmd[16384] = "";

	gp_tics(f, R, sec);
	if (gp_blocks(d, cmd, sizeof(cmd), R, sec, want))
		fprintf(f, "plot %s\n", cmd);
	else
		gp_empty(f, empty);
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

/* ------------------------------------------------------------------ */
/* The four charts                                                     */

static void gp_page(FILE *f, const char *out, const struct meta *m)
{
	size_t k = strlen(out);
	char t[1024], l0[48];

	fprintf(f, "set encoding utf8\nset terminal %s\nset output ",
		/* PNG for a quick look; SVG is the product. */
		k > 4 && !strcmp(out + k - 4, ".png") ?
		"pngcairo size 1600,1200 noenhanced font 'sans,10' background rgb 'white'" :
		"svg size 1600,1200 dynamic noenhanced font 'sans,11' background rgb 'white'");
	gp_str(f, out);
	fputs("\nset multiplot layout 2,2 title ", f);
	fmt_load(l0, sizeof(l0), m->load_start);
	snprintf(t, sizeof(t), "kipc-bench %s%s%s: %s, %d CPUs, clocksource %s, load %s, %s; median of %u reps, bars: min-max",
		 m->version, m->label[0] ? " - " : "", m->label, m->kernel,
		 m->ncpus, m->clocksource, l0, m->time, m->reps);
	gp_str(f, t);
	/* Throughput rises with the message size: the key goes low right. */
	fputs("\nset grid\nset key bottom right font ',9' box opaque\n", f);
}

static void gp_throughput(FILE *f, struct gp_data *d, const struct results *R)
{
	fputs("set title 'Throughput: read/write channels and shared-memory rings'\n"
	      "set xlabel 'message size (bytes)'\nset ylabel 'MB/s (10^6 B/s)'\n"
	      "set logscale x 2\nset logscale y 10\n", f);
	gp_lines(f, d, R, SEC_THR, want_plain, "no throughput rows");
	/* io_uring apart, with the pipe again as the yardstick. */
	fputs("set title 'Throughput: io_uring (kipc_aio, queue depth 1), pipe read/write for reference'\n"
	      "set logscale x 2\nset logscale y 10\n", f);
	gp_lines(f, d, R, SEC_THR, want_uring, "no io_uring rows (skipped)");
}

/* Latency: p50, p99, p99.9 per backend, as clustered bars. */
static void gp_latency(FILE *f, struct gp_data *d, const struct results *R)
{
	unsigned int nlat = 0;
	size_t k;

	for (k = 0; k < R->n; k++) {
		const struct row *r = &R->rows[k];

		if (r->sec != SEC_LAT || r->status != ST_OK)
			continue;
		fprintf(d->f, "\"%s\" %.6g %.6g %.6g\n", r->backend,
			r->v.med / 1e3, r->p99.med / 1e3, r->p999.med / 1e3);
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
			   "'' using 4 title 'p99.9' lc rgb '#d62728'\n", d->path);
	else
		gp_empty(f, "no latency rows");
	fputs("set style data lines\nset xtics norotate font ',11'\nset key bottom left\nunset bmargin\n", f);
}

static void gp_scaling(FILE *f, struct gp_data *d, const struct results *R)
{
	char b[16];

	fprintf(f, "set title 'Scaling: N independent pairs at once, %s messages (aggregate)'\n"
		   "set xlabel 'pairs'\nset ylabel 'MB/s (10^6 B/s)'\n"
		   "set logscale x 2\nset logscale y 10\n",
		fmt_size(b, sizeof(b), R->m.scale_size));
	gp_lines(f, d, R, SEC_SCALE, want_any, "no scaling rows");
	fputs("unset multiplot\n", f);
}

/* ------------------------------------------------------------------ */
/* Files and gnuplot                                                   */

enum { D_THR, D_LAT, D_SCALE, NDATA };

struct plot {
	char dir[256], gp[300];
	FILE *f;			/* the script */
	struct gp_data d[NDATA];
};

static const char *const data_names[NDATA] = {
	"thr.dat", "lat.dat", "scale.dat",
};

static int plot_open(struct plot *p)
{
	const char *tmp = getenv("TMPDIR");
	int i;

	snprintf(p->dir, sizeof(p->dir), "%s/kipc-bench-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->dir)) {
		warnx_("mkdtemp %s: %s", p->dir, strerror(errno));
		return -1;
	}
	snprintf(p->gp, sizeof(p->gp), "%s/plot.gp", p->dir);
	for (i = 0; i < NDATA; i++) {
		snprintf(p->d[i].path, sizeof(p->d[i].path), "%s/%s", p->dir,
			 data_names[i]);
		p->d[i].f = fopen(p->d[i].path, "w");
		if (!p->d[i].f)
			goto fail;
	}
	p->f = fopen(p->gp, "w");
	if (p->f)
		return 0;
fail:
	/* What was made stays, as when gnuplot fails: to be looked at. */
	warnx_("%s: %s", p->dir, strerror(errno));
	return -1;
}

/* Close everything; true if the script and every data file were made. */
static bool plot_close(struct plot *p)
{
	bool ok = true;
	int i;

	for (i = 0; i < NDATA; i++) {
		if (p->d[i].f)
			fclose(p->d[i].f);
		ok &= p->d[i].f != NULL;
	}
	return p->f && fclose(p->f) == 0 && ok;
}

static int run_gnuplot(const char *script)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		fprintf(stderr, "%s: gnuplot: %s\n", prog, strerror(errno));
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid < 0) {
		warnx_("fork: %s", strerror(errno));
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		warnx_("gnuplot failed (script kept in %s)", script);
		return -1;
	}
	return 0;
}

/* What failed is kept, to be looked at; what worked, only if asked. */
static void plot_cleanup(struct plot *p)
{
	int i;

	if (getenv("KIPC_BENCH_KEEP_PLOT")) {
		warnx_("gnuplot script and data kept in %s", p->dir);
		return;
	}
	for (i = 0; i < NDATA; i++)
		unlink(p->d[i].path);
	unlink(p->gp);
	rmdir(p->dir);
}

int write_plot(const char *out, const struct results *R)
{
	struct plot p;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	if (plot_open(&p)) {
		plot_close(&p);
		return -1;
	}
	gp_page(p.f, out, &R->m);
	gp_throughput(p.f, &p.d[D_THR], R);
	gp_latency(p.f, &p.d[D_LAT], R);
	gp_scaling(p.f, &p.d[D_SCALE], R);
	if (plot_close(&p))
		ret = run_gnuplot(p.gp);
	if (!ret)
		plot_cleanup(&p);
	return ret;
}
