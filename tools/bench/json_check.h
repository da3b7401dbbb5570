/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_check.h: what the two halves of --check-json share: json_check.c
 * checks the document and its rows, json_check_summary.c the rows'
 * judgement and the summary, which it computes again from the rows.
 */
#ifndef KIPC_BENCH_JSON_CHECK_H
#define KIPC_BENCH_JSON_CHECK_H

#include "jsonio.h"

struct chk {
	const char *file;
	unsigned int errs;
	bool strict;
	double reps;			/* config.reps: every ok row's */
	json_object *sizes, *msg_sizes, *pairs, *bk, *tests; /* config's lists */
	double max_spread, min_reps;	/* config's rule for "unreliable" */
	bool one_cpu;			/* config.scaling_cpus < 2 */
	unsigned int nrows, nok, nskip, nerr;
};

/* One problem with the file, on stderr; checking goes on. */
void cerr(struct chk *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Member @key of @o, of one of the JT() @types: true, or a problem. */
bool need(struct chk *c, const json_object *o, const char *ctx,
	  const char *key, unsigned int types, json_object **out);

struct field {
	const char *key;
	unsigned int types;
};

void need_all(struct chk *c, const json_object *o, const char *ctx,
	      const struct field *f, size_t n);

#define NEED_ALL(c, o, ctx, f) need_all(c, o, ctx, f, sizeof(f) / sizeof(f[0]))

bool finite_pos(double v);

/* json_check_summary.c */
void check_rule(struct chk *c, const json_object *config);
void check_judgement(struct chk *c, const json_object *row, const char *ctx,
		     unsigned int sec, bool ok);
void check_families(struct chk *c, const json_object *root,
		    const json_object *summary);

#endif /* KIPC_BENCH_JSON_CHECK_H */
