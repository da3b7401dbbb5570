// SPDX-License-Identifier: GPL-2.0
/*
 * csv.c: the results as CSV for spreadsheets and scripts: one line per
 * figure, so a latency or message latency row gives three (rtt_p50,
 * rtt_p99, rtt_p999), each with its own ratio to the baseline's same
 * percentile and its own spread; "unreliable" is the row's (judged on
 * the rate or on p50).  The ratio is to the pipe (ratio_to_pipe) or, in
 * the message sections, to POSIX mq (ratio_to_posix_mq), as in the JSON;
 * the other column is empty.  Empty cells stand for what JSON says with
 * null.
 */
#include "bench.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* RFC 4180: quote a field only if it holds a comma, quote or newline. */
static void csv_str(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n"))
		fput_quoted(f, s, '"');
	else
		fputs(s, f);
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
}

/* The figures, then the ratio in its section's column of the two. */
static void csv_stat(FILE *f, unsigned int sec, const struct stat5 *s,
		     double ratio)
{
	bool mq = sec & (SEC_MSG | SEC_MSG_LAT);
	const double v[] = { s->med, s->min, s->max, s->q1, s->q3,
			     mq ? NAN : ratio, mq ? ratio : NAN };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (i)
			fputc(',', f);
		csv_num(f, v[i]);
	}
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
	if (ok)
		csv_stat(f, r->sec, s, ratio);
	else
		fputs(",,,,,,", f);
	fputc(',', f);
	csv_num(f, r->load1);
	fputc(',', f);
	if (ok)
		csv_num(f, (s->max - s->min) / s->med);
	fprintf(f, ",%s\n", ok ? (r->unreliable ? "true" : "false") : "");
}

void write_csv(FILE *f, const struct results *R)
{
	const struct row *base;
	size_t i;

	fputs("section,backend,mechanism,transport,capacity,size,pairs,status,reason,"
	      "reps,ops,metric,unit,median,min,max,q1,q3,ratio_to_pipe,ratio_to_posix_mq,"
	      "load1,spread,unreliable\n", f);
	for (i = 0; i < R->n; i++) {
		const struct row *r = &R->rows[i];

		if (!sec_rtt(r->sec)) {
			csv_line(f, r, "throughput", "B/s", &r->v, r->ratio);
			continue;
		}
		base = find_row(R, r->sec, sec_baseline(r->sec), r->size, 1);
		csv_line(f, r, "rtt_p50", "ns", &r->v, r->ratio);
		csv_line(f, r, "rtt_p99", "ns", &r->p99,
			 base ? r->p99.med / base->p99.med : NAN);
		csv_line(f, r, "rtt_p999", "ns", &r->p999,
			 base ? r->p999.med / base->p999.med : NAN);
	}
}
