// SPDX-License-Identifier: GPL-2.0
/*
 * results.c: the rows of a run, measured or loaded: making one, marking
 * it skipped or failed (the summary counts follow), finding one by its
 * key, and putting them in the order of the table of backends, which is
 * the order of every output.
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const status_names[] = { "ok", "skipped", "error" };

/* A row with every figure unknown (NAN) until measured or loaded. */
struct row *row_new(struct results *R, unsigned int sec,
		    const struct backend *b, uint64_t size, unsigned int pairs)
{
	struct row *r;

	if (R->n == R->cap) {
		R->cap = R->cap ? 2 * R->cap : 64;
		R->rows = realloc(R->rows, R->cap * sizeof(*R->rows));
		if (!R->rows)
			errx_(1, "out of memory");
	}
	r = &R->rows[R->n++];
	memset(r, 0, sizeof(*r));
	r->sec = sec;
	if (b) {
		snprintf(r->backend, sizeof(r->backend), "%s", b->name);
		snprintf(r->mech, sizeof(r->mech), "%s", b->mech);
		snprintf(r->xport, sizeof(r->xport), "%s", xport_names[b->xp]);
	}
	r->capacity = -1;
	r->size = size;
	r->pairs = pairs;
	r->ratio = NAN;
	r->speedup = NAN;
	r->v.med = r->v.min = r->v.max = r->v.q1 = r->v.q3 = NAN;
	r->p99 = r->p999 = r->v;
	return r;
}

void row_skip(struct results *R, struct row *r, const char *why)
{
	r->status = ST_SKIPPED;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
	R->skipped++;
}

void row_error(struct results *R, struct row *r, const char *why)
{
	r->status = ST_ERROR;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
	R->errors++;
}

/* The ok row of @backend in @sec at @size (not latency), @pairs (scaling). */
const struct row *find_row(const struct results *R, unsigned int sec,
			   const char *backend, uint64_t size,
			   unsigned int pairs)
{
	size_t i;

	for (i = 0; i < R->n; i++) {
		const struct row *b = &R->rows[i];

		if (b->sec == sec && b->status == ST_OK &&
		    !strcmp(b->backend, backend) &&
		    (sec == SEC_LAT || b->size == size) &&
		    (sec != SEC_SCALE || b->pairs == pairs))
			return b;
	}
	return NULL;
}

/* Unknown backends (from a newer file) go last, by name. */
static int row_order(const struct row *r)
{
	int i = backend_find(r->backend);

	return i < 0 ? NBACKENDS : i;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (row_order(a) != row_order(b))
		return row_order(a) < row_order(b) ? -1 : 1;
	if (row_order(a) == NBACKENDS && strcmp(a->backend, b->backend))
		return strcmp(a->backend, b->backend);
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->pairs != b->pairs)
		return a->pairs < b->pairs ? -1 : 1;
	return 0;
}

/*
 * Section, then table order, then size and pairs: the run measures size
 * by size, but the outputs read backend by backend.
 */
void sort_rows(struct results *R)
{
	qsort(R->rows, R->n, sizeof(*R->rows), cmp_rows);
}
