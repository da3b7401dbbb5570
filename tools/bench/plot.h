/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot.h: what plot.c (the page, the files, gnuplot) hands to
 * plot_charts.c (the eight charts): the script being written, and the data
 * files its plot commands read.
 */
#ifndef KIPC_BENCH_PLOT_H
#define KIPC_BENCH_PLOT_H

#include "bench.h"

/* A data file, and the number of its next block ("index N"). */
struct gp_data {
	FILE *f;
	char path[300];
	unsigned int block;
};

struct gp {
	FILE *f;			/* the script */
	struct gp_data *lines;		/* every line chart's blocks */
	struct gp_data *bars;		/* the latency chart's */
	const struct results *R;
};

/* A gnuplot string in single quotes. */
void gp_str(FILE *f, const char *s);

/* plot_charts.c: the charts, in the order of the page's layout. */
#define PLOT_ROWS	4
#define PLOT_COLS	2
void gp_charts(struct gp *g);

#endif /* KIPC_BENCH_PLOT_H */
