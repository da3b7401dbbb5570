// SPDX-License-Identifier: GPL-2.0
/*
 * json_check.c: --check-json, what CI asks of a results file: every field
 * of every row with the right type, a row for every selected backend at
 * every size or pair count and no other, statistics in order (min <= q1
 * <= median <= q3 <= max, all positive), and a summary that matches
 * (json_check_summary.c checks what the file concludes).
 * Structure only, never speed: a loaded machine must not fail a test.
 * --strict adds that every backend and test was selected and nothing
 * failed or was skipped (but scaling rows on one CPU, by design), for
 * where kipc is loaded.
 */
#include "json_check.h"

#include <math.h>
#include <string.h>

#define JT_STAT		(JT(J_OBJ) | JT(J_NULL))
/* A field missing from every row would otherwise flood a CI log. */
#define MAX_SHOWN	50

/* One problem; past MAX_SHOWN they are only counted. */
void cerr(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errs++ >= MAX_SHOWN) {
		if (c->errs == MAX_SHOWN + 1)
			warnx_("%s: more problems not shown", c->file);
		return;
	}
	fprintf(stderr, "%s: %s: ", prog, c->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Member @key of @o, of one of @types: true, or false and a problem.
 * Checking goes on after a problem, so that one run lists them all.
 */
bool need(struct chk *c, const json_object *o, const char *ctx,
	  const char *key, unsigned int types, json_object **out)
{
	json_object *v;

	if (out)
		*out = NULL;
	if (!jhas(o, key, &v)) {
		cerr(c, "%s.%s: missing", ctx, key);
		return false;
	}
	if (!(JT(jtype(v)) & types)) {
		cerr(c, "%s.%s: is %s", ctx, key, jtype_names[jtype(v)]);
		return false;
	}
	if (out)
		*out = v;
	return true;
}

void need_all(struct chk *c, const json_object *o, const char *ctx,
	      const struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		need(c, o, ctx, f[i].key, f[i].types, NULL);
}

bool finite_pos(double v)
{
	return isfinite(v) && v > 0;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

/*
 * A statistic @s (NULL: null): null where the row is not ok, else five
 * positive numbers in order.  The order is checked with a little slack:
 * the file holds nine digits, and equal figures may round apart.
 */
static void check_stat(struct chk *c, const json_object *s, const char *ctx,
		       bool ok)
{
	static const char *const k[] = { "min", "q1", "median", "q3", "max" };
	double prev = 0, x;
	json_object *v;
	unsigned int i;

	if (!ok) {
		if (s)
			cerr(c, "%s: not null in a row that is not ok", ctx);
		return;
	}
	if (!s) {
		cerr(c, "%s: null in an ok row", ctx);
		return;
	}
	for (i = 0; i < 5; i++) {
		if (!need(c, s, ctx, k[i], JT(J_NUM), &v))
			continue;
		x = json_object_get_double(v);
		if (!finite_pos(x))
			cerr(c, "%s.%s: %g is not a positive number", ctx, k[i], x);
		else if (x < prev * (1 - 1e-9))
			cerr(c, "%s.%s: %g is below %s", ctx, k[i], x, k[i - 1]);
		else
			prev = x;
	}
}

/* Member @key of @o as a statistic; problems are reported under @sctx. */
static void check_stat_member(struct chk *c, const json_object *o,
			      const char *ctx, const char *key,
			      const char *sctx, bool ok)
{
	json_object *s;

	if (need(c, o, ctx, key, JT_STAT, &s))
		check_stat(c, s, sctx, ok);
}

/*
 * status and reason; whether the row is ok.  Scaling rows skipped
 * because the run had one CPU are skipped by design, even for --strict.
 */
static bool check_status(struct chk *c, const json_object *e,
			 unsigned int sec, const char *ctx)
{
	json_object *st, *rs;
	bool has_rs, ok = false;
	const char *s;

	need(c, e, ctx, "status", JT(J_STR), &st);
	has_rs = need(c, e, ctx, "reason", JT(J_STR) | JT(J_NULL), &rs);
	need(c, e, ctx, "capacity", JT(J_NUM) | JT(J_NULL), NULL);
	need(c, e, ctx, "load1", JT(J_NUM) | JT(J_NULL), NULL);
	if (st) {
		s = json_object_get_string(st);
		ok = !strcmp(s, "ok");
		if (ok)
			c->nok++;
		else if (!strcmp(s, "skipped"))
			c->nskip++;
		else if (!strcmp(s, "error"))
			c->nerr++;
		else
			cerr(c, "%s.status: \"%s\" is not ok, skipped or error",
			     ctx, s);
		if (!ok && c->strict &&
		    !(sec == SEC_SCALE && c->one_cpu && !strcmp(s, "skipped")))
			cerr(c, "%s: %s (%s)", ctx, s,
			     rs ? json_object_get_string(rs) : "no reason");
	}
	if (has_rs && !ok && (!rs || !*json_object_get_string(rs)))
		cerr(c, "%s.reason: a row that is not ok needs a reason", ctx);
	if (has_rs && ok && rs)
		cerr(c, "%s.reason: not null in an ok row", ctx);
	return ok;
}

/* The figures: bytes_per_s, or rtt_ns with its three percentiles. */
static void check_figures(struct chk *c, const json_object *e,
			  unsigned int sec, const char *ctx, bool ok)
{
	char sub[128];
	json_object *v;

	if (!sec_rtt(sec)) {
		snprintf(sub, sizeof(sub), "%s.bytes_per_s", ctx);
		check_stat_member(c, e, ctx, "bytes_per_s", sub, ok);
		return;
	}
	snprintf(sub, sizeof(sub), "%s.rtt_ns", ctx);
	if (!need(c, e, ctx, "rtt_ns", JT_STAT, &v))
		return;
	if (!ok || !v) {
		check_stat(c, v, sub, ok);
		return;
	}
	check_stat_member(c, v, sub, "p50", sub, ok);
	check_stat_member(c, v, sub, "p99", sub, ok);
	check_stat_member(c, v, sub, "p999", sub, ok);
}

/*
 * A ratio (to the section's baseline) is a positive number, and null
 * exactly where there is none.
 */
static void check_ratio(struct chk *c, const json_object *e, const char *ctx,
			unsigned int sec, bool ok)
{
	const char *key = sec_ratio_key(sec);
	json_object *v;

	if (!need(c, e, ctx, key, JT(J_NUM) | JT(J_NULL), &v))
		return;
	if (v && !finite_pos(json_object_get_double(v)))
		cerr(c, "%s.%s: %g", ctx, key, json_object_get_double(v));
	if (v && !ok)
		cerr(c, "%s.%s: not null in a row that is not ok", ctx, key);
	if (!v && ok && c->strict)
		cerr(c, "%s.%s: null", ctx, key);
}

static void check_row(struct chk *c, const json_object *e, unsigned int sec,
		      const char *ctx)
{
	static const struct field names[] = {
		{ "backend", JT(J_STR) }, { "mechanism", JT(J_STR) },
		{ "transport", JT(J_STR) },
	};
	json_object *v;
	bool ok;

	if (jtype(e) != J_OBJ) {
		cerr(c, "%s: not an object", ctx);
		return;
	}
	NEED_ALL(c, e, ctx, names);
	ok = check_status(c, e, sec, ctx);
	if (sec != SEC_LAT)
		need(c, e, ctx, "size", JT(J_NUM), NULL);
	if (sec == SEC_SCALE)
		need(c, e, ctx, "pairs", JT(J_NUM), NULL);
	if (need(c, e, ctx, "reps", JT(J_NUM), &v) && ok &&
	    json_object_get_double(v) != c->reps)
		cerr(c, "%s.reps: %g, config says %g", ctx,
		     json_object_get_double(v), c->reps);
	if (need(c, e, ctx, sec_rtt(sec) ? "round_trips" : "msgs_per_rep",
		 JT(J_NUM), &v) && ok && !(json_object_get_double(v) >= 1))
		cerr(c, "%s: no messages in an ok row", ctx);
	check_figures(c, e, sec, ctx, ok);
	check_ratio(c, e, ctx, sec, ok);
	if (sec == SEC_SCALE)
		need(c, e, ctx, "speedup_vs_1_pair", JT(J_NUM) | JT(J_NULL), NULL);
	check_judgement(c, e, ctx, sec, ok);
	if (sec == SEC_SCALE && ok && c->one_cpu)
		cerr(c, "%s: measured, but config.scaling_cpus is below 2", ctx);
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */

/*
 * What keys a section's rows: config's sizes or message sizes, its pair
 * counts, or none.
 */
static const json_object *section_keys(const struct chk *c, unsigned int sec,
				       const char **kname)
{
	*kname = sec_sized(sec) ? "size" : "pairs";
	return sec == SEC_THR ? c->sizes : sec_sized(sec) ? c->msg_sizes :
	       sec == SEC_SCALE ? c->pairs : NULL;
}

/*
 * Row @k of @arr: well formed, expected, and not a duplicate.  A row the
 * configuration did not ask for means the writer and its config disagree.
 */
static void check_section_row(struct chk *c, const json_object *arr, size_t k,
			      unsigned int sec, bool run)
{
	const char *sname = sec_names[sec_index(sec)], *kname, *b;
	const json_object *keys = section_keys(c, sec, &kname);
	json_object *e = json_object_array_get_idx(arr, k), *x;
	char ctx[96];
	size_t i;
	int bi;

	snprintf(ctx, sizeof(ctx), "%s[%zu]", sname, k);
	check_row(c, e, sec, ctx);
	b = jstr(e, "backend");
	bi = backend_find(b);
	if (!run)
		cerr(c, "%s: %s was not run", ctx, sname);
	else if (bi < 0 || !(backends[bi].secs & sec) || !str_in(c->bk, b))
		cerr(c, "%s: unexpected backend \"%s\"", ctx, b);
	else if (keys && !num_in(keys, jnum(e, kname, -1)))
		cerr(c, "%s: unexpected %s %g", ctx, kname, jnum(e, kname, -1));
	/* Each (backend, size or pairs) once. */
	for (i = 0; i < k; i++) {
		x = json_object_array_get_idx(arr, i);
		if (!strcmp(jstr(x, "backend"), b) &&
		    (!keys || jnum(x, kname, -1) == jnum(e, kname, -2)))
			cerr(c, "%s: duplicate of %s[%zu]", ctx, sname, i);
	}
}

static bool has_row(const json_object *arr, const char *backend,
		    const char *kname, const json_object *keys, double want)
{
	json_object *x;
	size_t i;

	for (i = 0; i < jlen(arr); i++) {
		x = json_object_array_get_idx(arr, i);
		if (!strcmp(jstr(x, "backend"), backend) &&
		    (!keys || jnum(x, kname, -1) == want))
			return true;
	}
	return false;
}

/* Every selected backend of this section, at every size or pair count. */
static void check_coverage(struct chk *c, const json_object *arr,
			   unsigned int sec)
{
	const char *sname = sec_names[sec_index(sec)], *kname;
	const json_object *keys = section_keys(c, sec, &kname);
	size_t k, nk = keys ? jlen(keys) : 1;
	const struct backend *b;
	double want;

	for (b = backends; b < backends + NBACKENDS; b++) {
		if (!(b->secs & sec) || !str_in(c->bk, b->name))
			continue;
		for (k = 0; k < nk; k++) {
			want = keys ? jitem_num(keys, k) : 0;
			if (has_row(arr, b->name, kname, keys, want))
				continue;
			if (keys)
				cerr(c, "%s: no row for %s, %s %g", sname,
				     b->name, kname, want);
			else
				cerr(c, "%s: no row for %s", sname, b->name);
		}
	}
}

static void check_section(struct chk *c, const json_object *root,
			  unsigned int sec)
{
	const char *sname = sec_names[sec_index(sec)];
	bool run = str_in(c->tests, sname);
	json_object *arr;
	size_t k;

	if (!need(c, root, "$", sname, JT(J_ARR), &arr))
		return;
	c->nrows += jlen(arr);
	for (k = 0; k < jlen(arr); k++)
		check_section_row(c, arr, k, sec, run);
	if (run)
		check_coverage(c, arr, sec);
}

/* ------------------------------------------------------------------ */
/* The document                                                        */

static void check_host(struct chk *c, const json_object *root)
{
	static const struct field fields[] = {
		{ "kernel", JT(J_STR) }, { "machine", JT(J_STR) },
		{ "cpu_model", JT(J_STR) }, { "clocksource", JT(J_STR) },
		{ "io_uring", JT(J_STR) }, { "label", JT(J_STR) },
		{ "time", JT(J_STR) }, { "cpus", JT(J_NUM) },
		{ "kipc_module", JT(J_STR) | JT(J_NULL) },
		{ "kipc_reason", JT(J_STR) | JT(J_NULL) },
		{ "kipc_vm", JT(J_BOOL) }, { "tcg", JT(J_BOOL) },
	};
	static const char *const loads[] = { "loadavg_start", "loadavg_end" };
	json_object *h, *v;
	int i;

	if (!need(c, root, "$", "host", JT(J_OBJ), &h))
		return;
	NEED_ALL(c, h, "host", fields);
	for (i = 0; i < 2; i++)
		if (need(c, h, "host", loads[i], JT(J_ARR) | JT(J_NULL), &v) &&
		    v && jlen(v) != 3)
			cerr(c, "host.%s: not 3 numbers", loads[i]);
}

/* config, and its lists kept for the sections; false if they are not. */
static bool check_config(struct chk *c, const json_object *root)
{
	static const struct field fields[] = {
		{ "min_time_s", JT(J_NUM) }, { "min_rtts", JT(J_NUM) },
		{ "cpus", JT(J_STR) }, { "split", JT(J_BOOL) },
		{ "quick", JT(J_BOOL) }, { "verify", JT(J_BOOL) },
		{ "scale_size", JT(J_NUM) }, { "ring_bytes", JT(J_NUM) },
		{ "spin", JT(J_NUM) },
	};
	json_object *cf, *v;
	bool lists;

	if (!need(c, root, "$", "config", JT(J_OBJ), &cf))
		return false;
	if (need(c, cf, "config", "reps", JT(J_NUM), &v)) {
		c->reps = json_object_get_double(v);
		if (!(c->reps >= 1))
			cerr(c, "config.reps: %g", c->reps);
	}
	NEED_ALL(c, cf, "config", fields);
	check_rule(c, cf);
	lists = need(c, cf, "config", "sizes", JT(J_ARR), &c->sizes);
	lists &= need(c, cf, "config", "msg_sizes", JT(J_ARR), &c->msg_sizes);
	lists &= need(c, cf, "config", "pairs", JT(J_ARR), &c->pairs);
	lists &= need(c, cf, "config", "backends", JT(J_ARR), &c->bk);
	lists &= need(c, cf, "config", "tests", JT(J_ARR), &c->tests);
	return lists;
}

/* Every listed backend known; with --strict, every one and every test. */
static void check_selection(struct chk *c)
{
	size_t k;
	int i;

	for (k = 0; k < jlen(c->bk); k++)
		if (backend_find(jstr_item(c->bk, k)) < 0)
			cerr(c, "config.backends[%zu]: not a known backend", k);
	if (!c->strict)
		return;
	for (i = 0; i < NBACKENDS; i++)
		if (!str_in(c->bk, backends[i].name))
			cerr(c, "config.backends: %s not selected",
			     backends[i].name);
	for (i = 0; i < NSECS; i++)
		if (!str_in(c->tests, sec_names[i]))
			cerr(c, "config.tests: %s not run", sec_names[i]);
}

static void check_summary(struct chk *c, const json_object *root)
{
	json_object *sm;

	if (!need(c, root, "$", "summary", JT(J_OBJ), &sm))
		return;
	if (jnum(sm, "rows", -1) != c->nrows || jnum(sm, "ok", -1) != c->nok ||
	    jnum(sm, "skipped", -1) != c->nskip ||
	    jnum(sm, "errors", -1) != c->nerr)
		cerr(c, "summary: does not match the rows (%u rows, %u ok, %u skipped, %u errors)",
		     c->nrows, c->nok, c->nskip, c->nerr);
	check_families(c, root, sm);
}

static void check_doc(struct chk *c, const json_object *root)
{
	unsigned int sec;
	json_object *v;

	if (jtype(root) != J_OBJ) {
		cerr(c, "top level is not an object");
		return;
	}
	if (need(c, root, "$", "schema", JT(J_STR), &v) &&
	    (!strcmp(json_object_get_string(v), SCHEMA_V1) ||
	     !strcmp(json_object_get_string(v), SCHEMA_V2))) {
		cerr(c, "$.schema: an older %s file: --from reads it, --check-json checks %s only",
		     json_object_get_string(v), SCHEMA);
		return;
	}
	if (v && strcmp(json_object_get_string(v), SCHEMA))
		cerr(c, "$.schema: \"%s\", expected \"%s\"",
		     json_object_get_string(v), SCHEMA);
	need(c, root, "$", "version", JT(J_STR), NULL);
	check_host(c, root);
	if (!check_config(c, root))
		return;
	check_selection(c);
	for (sec = SEC_THR; sec <= SEC_EVERY; sec <<= 1)
		check_section(c, root, sec);
	check_summary(c, root);
}

/* 0: complete, one line on stdout; 1: the problems on stderr. */
int check_json(const char *file, bool strict)
{
	struct chk c = { .file = file, .strict = strict };
	json_object *doc;
	char err[200];

	if (jload(file, &doc, err, sizeof(err))) {
		warnx_("%s: %s", file, err);
		return 1;
	}
	check_doc(&c, doc);
	json_object_put(doc);
	if (c.errs) {
		warnx_("%s: %u problem%s", file, c.errs, c.errs == 1 ? "" : "s");
		return 1;
	}
	printf("%s: valid %s: %u rows, %u ok, %u skipped, %u errors%s\n", file,
	       SCHEMA, c.nrows, c.nok, c.nskip, c.nerr, strict ? " (strict)" : "");
	return 0;
}
