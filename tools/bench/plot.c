// SPDX-License-Identifier: GPL-2.0
/*
 * plot.c: --plot, one SVG (or PNG) page of eight charts drawn by
 * gnuplot(1): seven of ratios to the baseline of the same run (the pipe,
 * or POSIX mq for the message queues), one per family, and one of
 * absolute MB/s (plot_charts.c draws them).  This
 * file heads the page with what the figures are (the clock's mode,
 * whether qemu emulated the machine) and where they come from, writes
 * gnuplot's script and data into a temporary directory and runs gnuplot
 * on them; KIPC_BENCH_KEEP_PLOT keeps them for whoever wants to tune the
 * charts.
 */
#include "plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* gnuplot strings in single quotes: only the quote itself is special. */
void gp_str(FILE *f, const char *s)
{
	fput_quoted(f, s, '\'');
}

/* In double quotes "\n" breaks a line; backslash and quote are escaped. */
static void gp_dq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ------------------------------------------------------------------ */
/* The page                                                            */

/* What the figures are: the first thing a reader of the page must know. */
static const char *mode_line(const struct meta *m)
{
	if (m->mode == MODE_ICOUNT)
		return "icount mode (qemu -icount): time counts guest instructions; the ratios compare instruction counts, absolute figures are not speeds";
	if (m->tcg)
		return "wall-clock mode under qemu TCG: every instruction is emulated, so absolute figures are not native speeds; read the ratios";
	return "wall-clock mode";
}

static void gp_page(FILE *f, const char *out, const struct meta *m)
{
	size_t k = strlen(out);
	char t[1400], l0[48];

	fprintf(f, "set encoding utf8\nset terminal %s\nset output ",
		/* PNG for a quick look; SVG is the product. */
		k > 4 && !strcmp(out + k - 4, ".png") ?
		"pngcairo size 1600,2400 noenhanced font 'sans,10' background rgb 'white'" :
		"svg size 1600,2400 dynamic noenhanced font 'sans,11' background rgb 'white'");
	gp_str(f, out);
	fmt_load(l0, sizeof(l0), m->load_start);
	snprintf(t, sizeof(t), "kipc-bench %s: %s, %d CPUs, clocksource %s, %s; load %s\n%s\n%s%sthe median of %u reps; bars: min-max, for a ratio min/max to max/min",
		 m->version, m->kernel, m->ncpus, m->clocksource, m->time, l0,
		 mode_line(m), m->label, m->label[0] ? "\n" : "", m->reps);
	fprintf(f, "\nset multiplot layout %d,%d rowsfirst title ", PLOT_ROWS,
		PLOT_COLS);
	gp_dq(f, t);
	fputs(" font ',12'\nset style data lines\n", f);
}

/* ------------------------------------------------------------------ */
/* Files and gnuplot                                                   */

enum { D_LINES, D_BARS, NDATA };

struct plot {
	char dir[256], gp[300];
	FILE *f;			/* the script */
	struct gp_data d[NDATA];
};

static const char *const data_names[NDATA] = { "lines.dat", "bars.dat" };

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
	struct gp g;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	if (plot_open(&p)) {
		plot_close(&p);
		return -1;
	}
	g.f = p.f;
	g.lines = &p.d[D_LINES];
	g.bars = &p.d[D_BARS];
	g.R = R;
	gp_page(p.f, out, &R->m);
	gp_charts(&g);
	fputs("unset multiplot\n", p.f);
	if (plot_close(&p))
		ret = run_gnuplot(p.gp);
	if (!ret)
		plot_cleanup(&p);
	return ret;
}
