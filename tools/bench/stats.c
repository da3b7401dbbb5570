// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c: how numbers become figures.  A row's figure is the median of
 * its repetitions with min, max and quartiles (stat5); a latency
 * repetition's own figures are percentiles of its round trips; and every
 * row is then stated as a ratio to its section's baseline (the pipe, or
 * POSIX mq for the message queues) measured in the same run.
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>

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

/* Sorts @v in place. */
struct stat5 stat5_of(double *v, unsigned int n)
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Nearest rank: the smallest sample with at least q of them at or below.
 * Unlike interpolation, it is always a round trip that really happened,
 * which is what a tail percentile should be.
 */
static double pct(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t k = (uint64_t)ceil(q * (double)n);

	return (double)sorted[k ? k - 1 : 0];
}

/* Sorts @samples in place. */
void rtt_percentiles(uint64_t *samples, uint64_t n, double *p50, double *p99,
		     double *p999)
{
	qsort(samples, n, sizeof(*samples), cmp_u64);
	*p50 = pct(samples, n, 0.50);
	*p99 = pct(samples, n, 0.99);
	*p999 = pct(samples, n, 0.999);
}

/*
 * Ratios to the baseline measured in the same run, at the same size and
 * pair count: a ratio to another run's would mix in that run's load.
 * Scaling rows also get their speedup over the same backend's 1 pair.
 */
void compute_ratios(struct results *R)
{
	const struct row *b;
	size_t i;

	for (i = 0; i < R->n; i++) {
		struct row *r = &R->rows[i];

		r->ratio = r->speedup = NAN;
		if (r->status != ST_OK)
			continue;
		b = find_row(R, r->sec, sec_baseline(r->sec), r->size,
			     r->pairs);
		if (b)
			r->ratio = r->v.med / b->v.med;
		if (r->sec == SEC_SCALE) {
			b = find_row(R, SEC_SCALE, r->backend, r->size, 1);
			if (b)
				r->speedup = r->v.med / b->v.med;
		}
	}
}
