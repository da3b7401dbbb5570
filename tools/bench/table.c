// SPDX-License-Identifier: GPL-2.0
/*
 * table.c: the text table, for a person at a terminal or reading a CI
 * log: a header that says where and how the run was made, then one block
 * per section with MB/s or microseconds, their spread, and the ratio to
 * the baseline (the pipe, or POSIX mq for the message queues); rows too
 * spread out to rank say so.  Rows that are not ok say
 * why, once for a run of them.  The summary (summary.c) comes last, where
 * a person at a terminal looks first.
 */
#include "bench.h"

#include <inttypes.h>
#include <string.h>

/* "min-max" of a figure, scaled to the table's unit. */
static const char *fmt_range(char *buf, size_t len, const struct stat5 *s,
			     double unit)
{
	char a[32], b[32];

	snprintf(buf, len, "%s-%s", fmt_num(a, sizeof(a), s->min / unit),
		 fmt_num(b, sizeof(b), s->max / unit));
	return buf;
}

static void print_header(FILE *f, const struct meta *m)
{
	char l0[48], l1[48];

	fmt_load(l0, sizeof(l0), m->load_start);
	fmt_load(l1, sizeof(l1), m->load_end);
	fprintf(f, "kipc-bench %s: %s %s, %d CPUs (%s), clocksource %s, %s\n",
		m->version, m->kernel, m->machine, m->ncpus,
		m->cpu_model[0] ? m->cpu_model : "unknown CPU", m->clocksource,
		m->time);
	if (m->label[0])
		fprintf(f, "label: %s\n", m->label);
	fprintf(f, "kipc module: %s; io_uring: %s; %s mode%s\n",
		m->kipc_module[0] ? m->kipc_module : m->kipc_reason,
		m->io_uring, mode_names[m->mode],
		m->tcg ? " under qemu TCG (not native speeds)" : "");
	if (!strcmp(m->cpus, "none"))
		fputs("not pinned", f);
	else
		fprintf(f, "pinned to CPU%s %s, %s", strpbrk(m->cpus, ",-") ?
			"s" : "", m->cpus,
			m->split ? "the ends of a pair on different CPUs" :
				   "both ends of a pair on one CPU");
	fprintf(f, "; %u reps of >= %.3g s each (latency: >= %" PRIu64
		" round trips); load %s -> %s\n", m->reps, m->min_time,
		m->min_rtts, l0, l1);
}

/*
 * The spread of the row's figure, (max - min) / median, in per cent, and
 * whether summary.c found it too wide (or the repetitions too few).
 */
static void put_spread(FILE *f, const struct row *r)
{
	fprintf(f, " %6.1f%%%s\n", r->spread * 100,
		r->unreliable ? "  unreliable" : "");
}

/* ------------------------------------------------------------------ */
/* The sections                                                        */

static void thr_head(FILE *f, const struct meta *m)
{
	(void)m;
	fprintf(f, "Throughput, one writer and one reader: MB/s (10^6 B/s), median [min-max];\n"
		   "x pipe: ratio to pipe at the same message size; spread: (max-min)/median\n");
	fprintf(f, "%-20s %8s %6s %10s  %-21s %7s %7s\n", "backend",
		"capacity", "size", "MB/s", "min-max", "x pipe", "spread");
}

static void thr_row(FILE *f, const struct row *r)
{
	char cap[32], size[32], med[32], range[32];

	fprintf(f, "%-20s %8s %6s %10s  %-21s %7.2f", r->backend,
		r->capacity >= 0 ?
		fmt_size(cap, sizeof(cap), (uint64_t)r->capacity) : "-",
		fmt_size(size, sizeof(size), r->size),
		fmt_num(med, sizeof(med), r->v.med / 1e6),
		fmt_range(range, sizeof(range), &r->v, 1e6), r->ratio);
	put_spread(f, r);
}

static void lat_head(FILE *f, const struct meta *m)
{
	(void)m;
	fprintf(f, "Latency, 1-byte ping-pong round trip: us, median over reps of each percentile;\n"
		   "x pipe: ratio of p50 to pipe's (above 1: slower); spread: of p50\n");
	fprintf(f, "%-20s %10s  %-21s %10s %10s %7s %7s\n", "backend",
		"p50", "p50 min-max", "p99", "p99.9", "x pipe", "spread");
}

static void lat_row(FILE *f, const struct row *r)
{
	char med[32], p99[32], p999[32], range[32];

	fprintf(f, "%-20s %10s  %-21s %10s %10s %7.2f", r->backend,
		fmt_num(med, sizeof(med), r->v.med / 1e3),
		fmt_range(range, sizeof(range), &r->v, 1e3),
		fmt_num(p99, sizeof(p99), r->p99.med / 1e3),
		fmt_num(p999, sizeof(p999), r->p999.med / 1e3), r->ratio);
	put_spread(f, r);
}

static void scale_head(FILE *f, const struct meta *m)
{
	char size[32];

	fprintf(f, "Scaling, N independent pairs at once, %s messages: aggregate MB/s;\n"
		   "x pipe: ratio to pipe with as many pairs; x 1: to the same backend with 1 pair\n",
		fmt_size(size, sizeof(size), m->scale_size));
	fprintf(f, "%-20s %5s %10s  %-21s %7s %6s %7s\n", "backend",
		"pairs", "MB/s", "min-max", "x pipe", "x 1", "spread");
}

static void scale_row(FILE *f, const struct row *r)
{
	char med[32], range[32];

	fprintf(f, "%-20s %5u %10s  %-21s %7.2f %6.2f", r->backend, r->pairs,
		fmt_num(med, sizeof(med), r->v.med / 1e6),
		fmt_range(range, sizeof(range), &r->v, 1e6), r->ratio,
		r->speedup);
	put_spread(f, r);
}

static void msg_head(FILE *f, const struct meta *m)
{
	(void)m;
	fprintf(f, "Messages, one sender and one receiver, a whole message per send and receive:\n"
		   "MB/s (10^6 B/s) and messages/s, median [min-max]; x mq: ratio to posix-mq\n"
		   "at the same message size; capacity: the bytes every queue was given\n");
	fprintf(f, "%-20s %8s %6s %10s %10s  %-21s %7s %7s\n", "backend",
		"capacity", "size", "MB/s", "msgs/s", "min-max", "x mq",
		"spread");
}

static void msg_row(FILE *f, const struct row *r)
{
	char cap[32], size[32], med[32], rate[32], range[32];

	fprintf(f, "%-20s %8s %6s %10s %10s  %-21s %7.2f", r->backend,
		r->capacity >= 0 ?
		fmt_size(cap, sizeof(cap), (uint64_t)r->capacity) : "-",
		fmt_size(size, sizeof(size), r->size),
		fmt_num(med, sizeof(med), r->v.med / 1e6),
		fmt_num(rate, sizeof(rate), r->v.med / (double)r->size),
		fmt_range(range, sizeof(range), &r->v, 1e6), r->ratio);
	put_spread(f, r);
}

static void msg_lat_head(FILE *f, const struct meta *m)
{
	(void)m;
	fprintf(f, "Message ping-pong, a message there and back: round trip us, median over reps\n"
		   "of each percentile; x mq: ratio of p50 to posix-mq's at the same size (above\n"
		   "1: slower); spread: of p50\n");
	fprintf(f, "%-20s %6s %10s  %-21s %10s %10s %7s %7s\n", "backend",
		"size", "p50", "p50 min-max", "p99", "p99.9", "x mq", "spread");
}

static void msg_lat_row(FILE *f, const struct row *r)
{
	char size[32], med[32], p99[32], p999[32], range[32];

	fprintf(f, "%-20s %6s %10s  %-21s %10s %10s %7.2f", r->backend,
		fmt_size(size, sizeof(size), r->size),
		fmt_num(med, sizeof(med), r->v.med / 1e3),
		fmt_range(range, sizeof(range), &r->v, 1e3),
		fmt_num(p99, sizeof(p99), r->p99.med / 1e3),
		fmt_num(p999, sizeof(p999), r->p999.med / 1e3), r->ratio);
	put_spread(f, r);
}

static const struct {
	unsigned int sec;
	void (*head)(FILE *f, const struct meta *m);
	void (*row)(FILE *f, const struct row *r);
} table_secs[] = {
	{ SEC_THR, thr_head, thr_row },
	{ SEC_LAT, lat_head, lat_row },
	{ SEC_SCALE, scale_head, scale_row },
	{ SEC_MSG, msg_head, msg_row },
	{ SEC_MSG_LAT, msg_lat_head, msg_lat_row },
};

/* ------------------------------------------------------------------ */
/* The table                                                           */

/* A backend skipped at every size says so once, not once a size. */
static bool same_skip(const struct row *a, const struct row *b)
{
	return a && a->sec == b->sec && a->status != ST_OK &&
	       a->status == b->status && !strcmp(a->backend, b->backend) &&
	       !strcmp(a->reason, b->reason);
}

/* A section run with none of its backends selected has no rows. */
static bool has_rows(const struct results *R, unsigned int sec)
{
	size_t i;

	for (i = 0; i < R->n; i++)
		if (R->rows[i].sec == sec)
			return true;
	return false;
}

/* A section's rows are already in table order (sort_rows()). */
static void print_section(FILE *f, const struct results *R, unsigned int t)
{
	const struct row *prev = NULL, *r;
	size_t i;

	fputc('\n', f);
	table_secs[t].head(f, &R->m);
	for (i = 0; i < R->n; i++) {
		r = &R->rows[i];
		if (r->sec != table_secs[t].sec)
			continue;
		if (r->status == ST_OK)
			table_secs[t].row(f, r);
		else if (!same_skip(prev, r))
			fprintf(f, "%-20s %s: %s\n", r->backend,
				r->status == ST_SKIPPED ? "skipped" : "ERROR",
				r->reason);
		prev = r;
	}
}

void print_table(FILE *f, const struct results *R)
{
	unsigned int t;

	print_header(f, &R->m);
	for (t = 0; t < sizeof(table_secs) / sizeof(table_secs[0]); t++)
		if (R->m.tests & table_secs[t].sec &&
		    has_rows(R, table_secs[t].sec))
			print_section(f, R, t);
	fprintf(f, "\n%zu rows: %u skipped, %u failed\n", R->n, R->skipped,
		R->errors);
	print_summary(f, R);
}
