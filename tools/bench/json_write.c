// SPDX-License-Identifier: GPL-2.0
/*
 * json_write.c: the results as JSON, schema kipc-bench/3 (kipc-bench(1)
 * says what each field means).  json-c builds the document and writes
 * every string and number; this file only lays it out: a few lines per
 * row, so that a person, grep and diff can read a results file (the
 * guest, which has no JSON tools, greps it: see test.sh).
 */
#include "bench.h"

#include <math.h>
#include <string.h>

#include <json-c/json.h>

/* ------------------------------------------------------------------ */
/* Values                                                              */

/* json-c returns NULL only when out of memory; NULL means null here. */
static json_object *must(json_object *o)
{
	if (!o)
		errx_(1, "out of memory");
	return o;
}

static json_object *jstr(const char *s)
{
	return must(json_object_new_string(s));
}

static json_object *jstr_or_null(const char *s)
{
	return s && *s ? jstr(s) : NULL;
}

static json_object *juint(uint64_t v)
{
	return must(json_object_new_uint64(v));
}

static json_object *jbool(bool v)
{
	return must(json_object_new_boolean(v));
}

/*
 * Nine significant digits say more than any measurement here can, and
 * keep the files short; json-c writes the number as given.
 */
static json_object *jnum_fmt(double v, const char *fmt)
{
	char buf[64];

	if (!isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), fmt, v);
	return must(json_object_new_double_s(v, buf));
}

static json_object *jnum(double v)
{
	return jnum_fmt(v, "%.9g");
}

static void add(json_object *o, const char *key, json_object *v)
{
	if (json_object_object_add(o, key, v))
		errx_(1, "out of memory");
}

static void append(json_object *a, json_object *v)
{
	if (json_object_array_add(a, v))
		errx_(1, "out of memory");
}

/* ------------------------------------------------------------------ */
/* The document                                                        */

static json_object *jstat(const struct stat5 *s, bool ok)
{
	json_object *o;

	if (!ok)
		return NULL;
	o = must(json_object_new_object());
	add(o, "median", jnum(s->med));
	add(o, "min", jnum(s->min));
	add(o, "max", jnum(s->max));
	add(o, "q1", jnum(s->q1));
	add(o, "q3", jnum(s->q3));
	return o;
}

/* /proc/loadavg's own two decimals, or null when it was not read. */
static json_object *jloadavg(const double la[3])
{
	json_object *a;
	int i;

	if (!isfinite(la[0]))
		return NULL;
	a = must(json_object_new_array());
	for (i = 0; i < 3; i++)
		append(a, jnum_fmt(la[i], "%.2f"));
	return a;
}

static json_object *jrtt(const struct row *r)
{
	json_object *o = must(json_object_new_object());

	add(o, "p50", jstat(&r->v, true));
	add(o, "p99", jstat(&r->p99, true));
	add(o, "p999", jstat(&r->p999, true));
	return o;
}

static json_object *jrow(const struct row *r)
{
	json_object *o = must(json_object_new_object());
	bool ok = r->status == ST_OK, lat = sec_rtt(r->sec);

	add(o, "backend", jstr(r->backend));
	add(o, "mechanism", jstr(r->mech));
	add(o, "transport", jstr(r->xport));
	add(o, "status", jstr(status_names[r->status]));
	add(o, "reason", jstr_or_null(ok ? NULL : r->reason));
	add(o, "capacity", jnum(r->capacity >= 0 ? (double)r->capacity : NAN));
	if (r->sec != SEC_LAT)
		add(o, "size", juint(r->size));
	if (r->sec == SEC_SCALE)
		add(o, "pairs", juint(r->pairs));
	add(o, "reps", juint(ok ? r->reps : 0));
	add(o, lat ? "round_trips" : "msgs_per_rep", juint(ok ? r->ops : 0));
	add(o, "load1", jnum(r->load1));
	if (lat)
		add(o, "rtt_ns", ok ? jrtt(r) : NULL);
	else
		add(o, "bytes_per_s", jstat(&r->v, ok));
	add(o, sec_ratio_key(r->sec), jnum(r->ratio));
	if (r->sec == SEC_SCALE)
		add(o, "speedup_vs_1_pair", jnum(r->speedup));
	add(o, "spread", jnum(r->spread));
	add(o, "unreliable", ok ? jbool(r->unreliable) : NULL);
	return o;
}

static json_object *jhost(const struct meta *m)
{
	json_object *o = must(json_object_new_object());

	add(o, "kernel", jstr(m->kernel));
	add(o, "machine", jstr(m->machine));
	add(o, "cpus", must(json_object_new_int(m->ncpus)));
	add(o, "cpu_model", jstr(m->cpu_model));
	add(o, "clocksource", jstr(m->clocksource));
	add(o, "kipc_module", jstr_or_null(m->kipc_module));
	add(o, "kipc_reason",
	    jstr_or_null(m->kipc_module[0] ? NULL : m->kipc_reason));
	add(o, "io_uring", jstr(m->io_uring));
	add(o, "kipc_vm", jbool(m->kipc_vm));
	add(o, "tcg", jbool(m->tcg));
	add(o, "label", jstr(m->label));
	add(o, "time", jstr(m->time));
	add(o, "loadavg_start", jloadavg(m->load_start));
	add(o, "loadavg_end", jloadavg(m->load_end));
	return o;
}

static json_object *jconfig(const struct meta *m)
{
	json_object *o = must(json_object_new_object()), *a;
	unsigned int i;

	add(o, "reps", juint(m->reps));
	add(o, "min_time_s", jnum(m->min_time));
	add(o, "min_rtts", juint(m->min_rtts));
	add(o, "cpus", jstr(m->cpus));
	add(o, "split", jbool(m->split));
	add(o, "quick", jbool(m->quick));
	add(o, "verify", jbool(m->verify));
	add(o, "mode", jstr(mode_names[m->mode]));
	a = must(json_object_new_array());
	for (i = 0; i < m->nsizes; i++)
		append(a, juint(m->sizes[i]));
	add(o, "sizes", a);
	a = must(json_object_new_array());
	for (i = 0; i < m->nmsg_sizes; i++)
		append(a, juint(m->msg_sizes[i]));
	add(o, "msg_sizes", a);
	a = must(json_object_new_array());
	for (i = 0; i < m->npairs; i++)
		append(a, juint(m->pairs[i]));
	add(o, "pairs", a);
	add(o, "scale_size", juint(m->scale_size));
	add(o, "ring_bytes", juint(m->ring_bytes));
	add(o, "spin", juint(m->spin));
	a = must(json_object_new_array());
	for (i = 0; i < m->nbackends; i++)
		append(a, jstr(m->backends[i]));
	add(o, "backends", a);
	a = must(json_object_new_array());
	for (i = 0; i < NSECS; i++)
		if (m->tests & (1u << i))
			append(a, jstr(sec_names[i]));
	add(o, "tests", a);
	add(o, "scaling_cpus", juint(m->scaling_cpus));
	add(o, "max_spread", jnum(m->max_spread));
	add(o, "min_reps", juint(m->min_reps));
	return o;
}

static json_object *jverdict(enum verdict v)
{
	return v == V_NONE ? NULL : jstr(verdict_names[v]);
}

static json_object *jpoint(const struct family_sum *fs, const struct point *p)
{
	json_object *o = must(json_object_new_object());

	if (sec_sized(fs->sec))
		add(o, "size", juint(p->size));
	if (fs->sec == SEC_SCALE)
		add(o, "pairs", juint(p->pairs));
	add(o, "ratio", jnum(p->ratio));
	add(o, "ratio_min", jnum(p->lo));
	add(o, "ratio_max", jnum(p->hi));
	add(o, "unreliable", jbool(p->unreliable));
	add(o, "verdict", jverdict(p->v));
	return o;
}

static json_object *jfamily(const struct family_sum *fs)
{
	json_object *o = must(json_object_new_object()), *a;
	unsigned int i;

	add(o, "family", jstr(fs->name));
	add(o, "section", jstr(sec_names[sec_index(fs->sec)]));
	add(o, "backend", jstr_or_null(fs->backend));
	add(o, "baseline", jstr_or_null(fs->base));
	add(o, "verdict", jverdict(fs->v));
	add(o, "ranked", juint(fs->ranked));
	add(o, "note", jstr_or_null(fs->note));
	a = must(json_object_new_array());
	for (i = 0; i < fs->npts; i++)
		append(a, jpoint(fs, &fs->pts[i]));
	add(o, "points", a);
	return o;
}

/* The counts, and what the text summary says, family by family. */
static json_object *jsummary(const struct results *R)
{
	json_object *o = must(json_object_new_object()), *a;
	int f;

	add(o, "rows", juint(R->n));
	add(o, "ok", juint(R->n - R->skipped - R->errors));
	add(o, "skipped", juint(R->skipped));
	add(o, "errors", juint(R->errors));
	a = must(json_object_new_array());
	for (f = 0; f < NFAMILIES; f++)
		append(a, jfamily(&R->sum.fam[f]));
	add(o, "families", a);
	return o;
}

static json_object *jdocument(const struct results *R)
{
	json_object *doc = must(json_object_new_object()), *a;
	unsigned int t;
	size_t k;

	add(doc, "schema", jstr(SCHEMA));
	add(doc, "version", jstr(R->m.version));
	add(doc, "host", jhost(&R->m));
	add(doc, "config", jconfig(&R->m));
	add(doc, "summary", jsummary(R));
	/* Every section, run or not: a reader need not ask whether it is. */
	for (t = 0; t < NSECS; t++) {
		a = must(json_object_new_array());
		for (k = 0; k < R->n; k++)
			if (R->rows[k].sec == (1u << t))
				append(a, jrow(&R->rows[k]));
		add(doc, sec_names[t], a);
	}
	return doc;
}

/* ------------------------------------------------------------------ */
/* The layout                                                          */

/*
 * Inside a row (and the host and config objects) members follow each
 * other on one line, except that a line breaks before these keys and
 * goes on under the first member: the figures of a row get a line of
 * their own, and no line gets much longer than a terminal.
 */
static const char *const break_before[] = {
	"clocksource", "io_uring", "loadavg_start",	/* host */
	"sizes", "msg_sizes", "backends", "tests",	/* config */
	"bytes_per_s", "rtt_ns", "spread",		/* a row */
	"p99", "p999",					/* rtt_ns */
	"families", "points",				/* summary */
};

struct out {
	FILE *f;
	int col;		/* where the next character goes */
};

static bool breaks_before(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(break_before) / sizeof(break_before[0]); i++)
		if (!strcmp(key, break_before[i]))
			return true;
	return false;
}

/* json-c escapes newlines in strings: only put_newline() makes lines. */
static void put(struct out *o, const char *s)
{
	fputs(s, o->f);
	o->col += (int)strlen(s);
}

static void put_newline(struct out *o, int indent)
{
	fprintf(o->f, "\n%*s", indent, "");
	o->col = indent;
}

/* Our own keys, all plain ASCII: no escaping needed. */
static void put_key(struct out *o, const char *key)
{
	put(o, "\"");
	put(o, key);
	put(o, "\": ");
}

static void put_value(struct out *o, json_object *v, int indent);

static void put_object(struct out *o, json_object *obj)
{
	int indent = o->col + 1;
	bool first = true;

	put(o, "{");
	json_object_object_foreach(obj, key, val) {
		if (!first && breaks_before(key)) {
			put(o, ",");
			put_newline(o, indent);
		} else if (!first) {
			put(o, ", ");
		}
		first = false;
		put_key(o, key);
		put_value(o, val, indent);
	}
	put(o, "}");
}

/*
 * Numbers and strings on one line; objects (the summary's families and
 * points) one a line, a step in from the member that holds them.
 */
static void put_array(struct out *o, json_object *a, int indent)
{
	size_t i, n = json_object_array_length(a);
	json_object *v;

	put(o, "[");
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		put(o, i ? "," : "");
		if (json_object_is_type(v, json_type_object))
			put_newline(o, indent + 1);
		else if (i)
			put(o, " ");
		put_value(o, v, indent + 1);
	}
	put(o, "]");
}

/* @indent: where the members of the object holding @v begin. */
static void put_value(struct out *o, json_object *v, int indent)
{
	switch (json_object_get_type(v)) {
	case json_type_object:
		put_object(o, v);
		break;
	case json_type_array:
		put_array(o, v, indent);
		break;
	default:
		put(o, json_object_to_json_string_ext(v,
			JSON_C_TO_STRING_NOSLASHESCAPE));
	}
}

/* A section's rows: one per line (or two, or four), or [] for none. */
static void put_rows(struct out *o, json_object *a)
{
	size_t i, n = json_object_array_length(a);

	put(o, "[");
	for (i = 0; i < n; i++) {
		put(o, i ? "," : "");
		put_newline(o, 4);
		put_object(o, json_object_array_get_idx(a, i));
	}
	if (n)
		put_newline(o, 2);
	put(o, "]");
}

/* The top level: one member a line; its arrays are sections of rows. */
void write_json(FILE *f, const struct results *R)
{
	json_object *doc = jdocument(R);
	struct out o = { f, 0 };
	bool first = true;

	put(&o, "{");
	json_object_object_foreach(doc, key, val) {
		put(&o, first ? "" : ",");
		put_newline(&o, 2);
		put_key(&o, key);
		if (json_object_is_type(val, json_type_array))
			put_rows(&o, val);
		else
			put_value(&o, val, 2);
		first = false;
	}
	put_newline(&o, 0);
	put(&o, "}\n");
	json_object_put(doc);
}
