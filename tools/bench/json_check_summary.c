// SPDX-License-Identifier: GPL-2.0
/*
 * json_check_summary.c: --check-json for what a results file concludes:
 * config's rule, each row's spread and unreliable flag, and the
 * summary's families.  The flags follow from the row's own figures and
 * the rule; the summary is computed again from the rows, as --from
 * would, and must say the same.  So a file whose verdicts were edited,
 * or written by a program that judges differently, does not pass.
 */
#include "json_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The file holds nine significant digits: equal up to those.  A spread
 * is a difference of two such numbers, so a small one keeps fewer: it
 * is compared to 1e-7 as well.
 */
static bool same_num(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b)) + 1e-7;
}

/* ------------------------------------------------------------------ */
/* The rule                                                            */

/* What decides whether a row is reliable, and whether scaling ran. */
void check_rule(struct chk *c, const json_object *cf)
{
	json_object *v;

	if (need(c, cf, "config", "mode", JT(J_STR), &v) &&
	    mode_find(json_object_get_string(v)) < 0)
		cerr(c, "config.mode: \"%s\" is not wall-clock or icount",
		     json_object_get_string(v));
	if (need(c, cf, "config", "max_spread", JT(J_NUM), &v)) {
		c->max_spread = json_object_get_double(v);
		if (!finite_pos(c->max_spread))
			cerr(c, "config.max_spread: %g", c->max_spread);
	}
	if (need(c, cf, "config", "min_reps", JT(J_NUM), &v)) {
		c->min_reps = json_object_get_double(v);
		if (!(c->min_reps >= 1))
			cerr(c, "config.min_reps: %g", c->min_reps);
	}
	if (need(c, cf, "config", "scaling_cpus", JT(J_NUM), &v)) {
		if (!(json_object_get_double(v) >= 1))
			cerr(c, "config.scaling_cpus: %g",
			     json_object_get_double(v));
		c->one_cpu = json_object_get_double(v) < 2;
	}
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

/* The statistic the spread is of: the rate, or the p50 round trip. */
static json_object *main_stat(const json_object *row, unsigned int sec)
{
	return sec_rtt(sec) ? jget(jget(row, "rtt_ns"), "p50") :
				jget(row, "bytes_per_s");
}

/*
 * spread is (max - min) / median of the row's figure, unreliable is
 * spread > config.max_spread or reps < config.min_reps; both null in a
 * row that is not ok.
 */
void check_judgement(struct chk *c, const json_object *row, const char *ctx,
		     unsigned int sec, bool ok)
{
	json_object *sp, *un, *st = main_stat(row, sec);
	bool has_sp, has_un, flag;
	double spread, want;

	has_sp = need(c, row, ctx, "spread", JT(J_NUM) | JT(J_NULL), &sp);
	has_un = need(c, row, ctx, "unreliable", JT(J_BOOL) | JT(J_NULL), &un);
	if (!has_sp || !has_un)
		return;
	if (!ok) {
		if (sp || un)
			cerr(c, "%s: spread and unreliable: not null in a row that is not ok",
			     ctx);
		return;
	}
	if (!sp || !un) {
		cerr(c, "%s: spread and unreliable: null in an ok row", ctx);
		return;
	}
	spread = json_object_get_double(sp);
	want = (jnum(st, "max", NAN) - jnum(st, "min", NAN)) /
	       jnum(st, "median", NAN);
	if (!(spread >= 0) || !same_num(spread, want))
		cerr(c, "%s.spread: %g, the figures say %g", ctx, spread, want);
	flag = json_object_get_boolean(un);
	/* Right at the limit, nine digits cannot tell: either will do. */
	if (same_num(spread, c->max_spread))
		return;
	if (flag != (jnum(row, "reps", 0) < c->min_reps ||
		     spread > c->max_spread))
		cerr(c, "%s.unreliable: %s, but the spread is %g (limit %g) over %g reps",
		     ctx, flag ? "true" : "false", spread, c->max_spread,
		     jnum(row, "reps", 0));
}

/* ------------------------------------------------------------------ */
/* The summary                                                         */

/* A string member that must be @want, or null where @want is NULL. */
static void same_str(struct chk *c, const json_object *o, const char *ctx,
		     const char *key, const char *want)
{
	json_object *v;

	if (!need(c, o, ctx, key, JT(J_STR) | JT(J_NULL), &v))
		return;
	if (!v != !want || (v && strcmp(json_object_get_string(v), want)))
		cerr(c, "%s.%s: %s, the rows say %s", ctx, key,
		     v ? json_object_get_string(v) : "null",
		     want ? want : "null");
}

static const char *verdict_or_null(enum verdict v)
{
	return v == V_NONE ? NULL : verdict_names[v];
}

static void same_number(struct chk *c, const json_object *o, const char *ctx,
			const char *key, double want)
{
	json_object *v;

	if (need(c, o, ctx, key, JT(J_NUM), &v) &&
	    !same_num(json_object_get_double(v), want))
		cerr(c, "%s.%s: %g, the rows say %g", ctx, key,
		     json_object_get_double(v), want);
}

static void check_point(struct chk *c, const json_object *e, const char *ctx,
			const struct family_sum *fs, const struct point *p)
{
	json_object *v;

	if (jtype(e) != J_OBJ) {
		cerr(c, "%s: not an object", ctx);
		return;
	}
	if (sec_sized(fs->sec))
		same_number(c, e, ctx, "size", (double)p->size);
	if (fs->sec == SEC_SCALE)
		same_number(c, e, ctx, "pairs", p->pairs);
	same_number(c, e, ctx, "ratio", p->ratio);
	same_number(c, e, ctx, "ratio_min", p->lo);
	same_number(c, e, ctx, "ratio_max", p->hi);
	if (need(c, e, ctx, "unreliable", JT(J_BOOL), &v) &&
	    json_object_get_boolean(v) != p->unreliable)
		cerr(c, "%s.unreliable: the rows say %s", ctx,
		     p->unreliable ? "true" : "false");
	same_str(c, e, ctx, "verdict", verdict_or_null(p->v));
}

static void check_family(struct chk *c, const json_object *e, const char *ctx,
			 const struct family_sum *fs)
{
	char pctx[96];
	json_object *pts;
	size_t i;

	if (jtype(e) != J_OBJ) {
		cerr(c, "%s: not an object", ctx);
		return;
	}
	same_str(c, e, ctx, "family", fs->name);
	same_str(c, e, ctx, "section", sec_names[sec_index(fs->sec)]);
	same_str(c, e, ctx, "backend", fs->backend);
	same_str(c, e, ctx, "baseline", fs->base);
	same_str(c, e, ctx, "verdict", verdict_or_null(fs->v));
	same_number(c, e, ctx, "ranked", fs->ranked);
	same_str(c, e, ctx, "note", fs->note[0] ? fs->note : NULL);
	if (!need(c, e, ctx, "points", JT(J_ARR), &pts))
		return;
	if (jlen(pts) != fs->npts) {
		cerr(c, "%s.points: %zu, the rows give %u", ctx, jlen(pts),
		     fs->npts);
		return;
	}
	for (i = 0; i < fs->npts; i++) {
		snprintf(pctx, sizeof(pctx), "%s.points[%zu]", ctx, i);
		check_point(c, json_object_array_get_idx(pts, i), pctx, fs,
			    &fs->pts[i]);
	}
}

/* summary.families: what summary.c makes of the file's own rows. */
void check_families(struct chk *c, const json_object *root,
		    const json_object *summary)
{
	struct results R;
	json_object *fams;
	char ctx[64];
	int f;

	if (!need(c, summary, "summary", "families", JT(J_ARR), &fams))
		return;
	if (jlen(fams) != NFAMILIES) {
		cerr(c, "summary.families: %zu, not %d", jlen(fams), NFAMILIES);
		return;
	}
	memset(&R, 0, sizeof(R));
	load_doc(root, &R);
	compute_ratios(&R);
	summarize(&R);
	for (f = 0; f < NFAMILIES; f++) {
		snprintf(ctx, sizeof(ctx), "summary.families[%d]", f);
		check_family(c, json_object_array_get_idx(fams, f), ctx,
			     &R.sum.fam[f]);
	}
	free(R.rows);
}
