// SPDX-License-Identifier: GPL-2.0
/*
 * json_read.c: results back from a JSON file (--from), so that the table,
 * CSV, JSON and plot can be made again where the measurement was not: the
 * guest has no gnuplot, the host draws.  json-c parses; the accessors
 * here take what is there and default what is not, and --check-json
 * (json_check.c) is what judges a file.
 */
#include "jsonio.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const jtype_names[] = {
	"null", "boolean", "number", "string", "array", "object",
};

/* ------------------------------------------------------------------ */
/* The file                                                            */

/* All of @f, NUL-terminated (json-c is told where the end is by it). */
static char *slurp(FILE *f, size_t *n)
{
	size_t cap = 65536, r;
	char *buf = malloc(cap), *t;

	*n = 0;
	while (buf && (r = fread(buf + *n, 1, cap - *n - 1, f)) > 0) {
		*n += r;
		if (*n + 1 < cap)
			continue;
		t = realloc(buf, cap *= 2);
		if (!t)
			free(buf);
		buf = t;
	}
	if (buf)
		buf[*n] = 0;
	return buf;
}

/*
 * Strict JSON, nested at most 64 deep, and nothing but white space
 * after it.  Passing the NUL as part of the input tells json-c that the
 * text ends there, so a truncated file is an error, not "continue".
 */
static int parse(const char *buf, size_t n, json_object **doc, char *err,
		 size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	enum json_tokener_error e;

	if (!tok) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*doc = json_tokener_parse_ex(tok, buf, (int)n + 1);
	e = json_tokener_get_error(tok);
	if (e != json_tokener_success)
		snprintf(err, len, "not JSON: %s at byte %zu",
			 json_tokener_error_desc(e),
			 json_tokener_get_parse_end(tok));
	json_tokener_free(tok);
	return e == json_tokener_success ? 0 : -1;
}

int jload(const char *path, json_object **doc, char *err, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t n;
	char *buf;
	int ret;

	*doc = NULL;
	if (!f) {
		snprintf(err, len, "%s", strerror(errno));
		return -1;
	}
	buf = slurp(f, &n);
	if (f != stdin)
		fclose(f);
	if (!buf) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (n > INT32_MAX - 1) {
		snprintf(err, len, "too big for a results file");
		free(buf);
		return -1;
	}
	ret = parse(buf, n, doc, err, len);
	free(buf);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

enum jtype jtype(const json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return J_BOOL;
	case json_type_double:
	case json_type_int:
		return J_NUM;
	case json_type_string:
		return J_STR;
	case json_type_array:
		return J_ARR;
	case json_type_object:
		return J_OBJ;
	default:
		return J_NULL;
	}
}

bool jhas(const json_object *o, const char *key, json_object **v)
{
	*v = NULL;
	return jtype(o) == J_OBJ && json_object_object_get_ex(o, key, v);
}

json_object *jget(const json_object *o, const char *key)
{
	json_object *v;

	jhas(o, key, &v);
	return v;
}

double jnum(const json_object *o, const char *key, double def)
{
	json_object *v = jget(o, key);

	return jtype(v) == J_NUM ? json_object_get_double(v) : def;
}

const char *jstr(const json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return jtype(v) == J_STR ? json_object_get_string(v) : "";
}

bool jbool(const json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return jtype(v) == J_BOOL && json_object_get_boolean(v);
}

size_t jlen(const json_object *a)
{
	return jtype(a) == J_ARR ? json_object_array_length(a) : 0;
}

/* An item that is not a number counts as 0. */
double jitem_num(const json_object *a, size_t i)
{
	json_object *v = json_object_array_get_idx(a, i);

	return jtype(v) == J_NUM ? json_object_get_double(v) : 0;
}

/* An item that is not a string counts as "". */
const char *jstr_item(const json_object *a, size_t i)
{
	json_object *v = json_object_array_get_idx(a, i);

	return jtype(v) == J_STR ? json_object_get_string(v) : "";
}

bool num_in(const json_object *a, double x)
{
	size_t i;

	for (i = 0; i < jlen(a); i++)
		if (jtype(json_object_array_get_idx(a, i)) == J_NUM &&
		    jitem_num(a, i) == x)
			return true;
	return false;
}

bool str_in(const json_object *a, const char *s)
{
	size_t i;

	for (i = 0; i < jlen(a); i++)
		if (jtype(json_object_array_get_idx(a, i)) == J_STR &&
		    !strcmp(jstr_item(a, i), s))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* --from                                                              */

/* Copy a string member into a fixed field, cut to fit. */
#define COPY(dst, o, key)	snprintf(dst, sizeof(dst), "%s", jstr(o, key))

static void load_stat(const json_object *o, struct stat5 *s)
{
	s->med = jnum(o, "median", NAN);
	s->min = jnum(o, "min", NAN);
	s->max = jnum(o, "max", NAN);
	s->q1 = jnum(o, "q1", NAN);
	s->q3 = jnum(o, "q3", NAN);
}

static void load_loadavg(const json_object *a, double la[3])
{
	json_object *v;
	int i;

	for (i = 0; i < 3; i++) {
		v = jlen(a) == 3 ? json_object_array_get_idx(a, i) : NULL;
		la[i] = jtype(v) == J_NUM ? json_object_get_double(v) : NAN;
	}
}

static void load_host(struct meta *m, const json_object *doc)
{
	json_object *h = jget(doc, "host");

	COPY(m->version, doc, "version");
	COPY(m->kernel, h, "kernel");
	COPY(m->machine, h, "machine");
	COPY(m->cpu_model, h, "cpu_model");
	COPY(m->clocksource, h, "clocksource");
	COPY(m->kipc_module, h, "kipc_module");
	COPY(m->kipc_reason, h, "kipc_reason");
	COPY(m->io_uring, h, "io_uring");
	COPY(m->label, h, "label");
	COPY(m->time, h, "time");
	m->kipc_vm = jbool(h, "kipc_vm");
	/* The first schema did not say; its CPU model does, as host.c reads it. */
	m->tcg = jget(h, "tcg") ? jbool(h, "tcg") :
		 strstr(m->cpu_model, "QEMU TCG") != NULL;
	m->ncpus = (int)jnum(h, "cpus", 0);
	load_loadavg(jget(h, "loadavg_start"), m->load_start);
	load_loadavg(jget(h, "loadavg_end"), m->load_end);
}

/*
 * The CPUs a list such as "0-3,6" names, for files of the first schema,
 * which did not store how many the scaling pairs had; 0 if unreadable.
 */
static unsigned int count_cpu_list(const char *s, int host_cpus)
{
	unsigned int n = 0;
	long a, b;
	char *end;

	if (!strcmp(s, "none") || !strcmp(s, "all"))
		return host_cpus > 0 ? (unsigned int)host_cpus : 0;
	while (*s) {
		a = strtol(s, &end, 10);
		b = *end == '-' ? strtol(end + 1, &end, 10) : a;
		if (end == s || a < 0 || b < a || (*end && *end != ','))
			return 0;
		n += (unsigned int)(b - a + 1);
		s = *end ? end + 1 : end;
	}
	return n;
}

static void load_config(struct meta *m, const json_object *cf)
{
	json_object *v;
	unsigned int t;
	size_t k;

	m->reps = (unsigned int)jnum(cf, "reps", 0);
	m->min_time = jnum(cf, "min_time_s", 0);
	m->min_rtts = (uint64_t)jnum(cf, "min_rtts", 0);
	COPY(m->cpus, cf, "cpus");
	m->split = jbool(cf, "split");
	m->quick = jbool(cf, "quick");
	m->verify = jbool(cf, "verify");
	m->scale_size = (uint64_t)jnum(cf, "scale_size", 0);
	m->ring_bytes = (uint64_t)jnum(cf, "ring_bytes", 0);
	m->spin = (unsigned int)jnum(cf, "spin", 0);
	v = jget(cf, "sizes");
	for (k = 0; k < jlen(v) && k < MAX_SIZES; k++)
		m->sizes[m->nsizes++] = (uint64_t)jitem_num(v, k);
	v = jget(cf, "msg_sizes");
	for (k = 0; k < jlen(v) && k < MAX_SIZES; k++)
		m->msg_sizes[m->nmsg_sizes++] = (uint64_t)jitem_num(v, k);
	v = jget(cf, "pairs");
	for (k = 0; k < jlen(v) && k < MAX_SIZES; k++)
		m->pairs[m->npairs++] = (unsigned int)jitem_num(v, k);
	v = jget(cf, "backends");
	for (k = 0; k < jlen(v) && k < NBACKENDS; k++)
		if (jtype(json_object_array_get_idx(v, k)) == J_STR)
			snprintf(m->backends[m->nbackends++],
				 sizeof(m->backends[0]), "%s", jstr_item(v, k));
	v = jget(cf, "tests");
	for (t = 0; t < NSECS; t++)
		if (str_in(v, sec_names[t]))
			m->tests |= 1u << t;
	m->scaling_cpus = jget(cf, "scaling_cpus") ?
			  (unsigned int)jnum(cf, "scaling_cpus", 0) :
			  count_cpu_list(m->cpus, m->ncpus);
	m->mode = mode_find(jstr(cf, "mode"));
	if (m->mode < 0)
		m->mode = MODE_WALL_CLOCK;
	/* The rule the file was judged by, so that it reads the same again. */
	m->max_spread = jnum(cf, "max_spread", MAX_SPREAD);
	if (!(m->max_spread > 0))
		m->max_spread = MAX_SPREAD;
	m->min_reps = (unsigned int)jnum(cf, "min_reps", MIN_REPS);
	if (!m->min_reps)
		m->min_reps = MIN_REPS;
}

static void load_row(struct results *R, unsigned int sec, const json_object *e)
{
	struct row *r = row_new(R, sec, NULL, (uint64_t)jnum(e, "size", 1),
				(unsigned int)jnum(e, "pairs", 1));
	const char *st = jstr(e, "status");
	json_object *t;

	COPY(r->backend, e, "backend");
	COPY(r->mech, e, "mechanism");
	COPY(r->xport, e, "transport");
	COPY(r->reason, e, "reason");
	r->status = !strcmp(st, "ok") ? ST_OK :
		    !strcmp(st, "skipped") ? ST_SKIPPED : ST_ERROR;
	if (r->status == ST_SKIPPED)
		R->skipped++;
	else if (r->status == ST_ERROR)
		R->errors++;
	r->capacity = (int64_t)jnum(e, "capacity", -1);
	r->reps = (unsigned int)jnum(e, "reps", 0);
	r->ops = (uint64_t)jnum(e, sec_rtt(sec) ? "round_trips" :
				"msgs_per_rep", 0);
	r->load1 = jnum(e, "load1", NAN);
	if (sec_rtt(sec)) {
		t = jget(e, "rtt_ns");
		load_stat(jget(t, "p50"), &r->v);
		load_stat(jget(t, "p99"), &r->p99);
		load_stat(jget(t, "p999"), &r->p999);
	} else {
		load_stat(jget(e, "bytes_per_s"), &r->v);
	}
}

/*
 * Anything not there is left unknown: --check-json says what is missing.
 * What is computed from the rows (ratios, spreads, the summary) is not
 * read: the caller computes it again.
 */
void load_doc(const json_object *doc, struct results *R)
{
	json_object *arr;
	unsigned int t;
	size_t k;

	load_host(&R->m, doc);
	load_config(&R->m, jget(doc, "config"));
	for (t = 0; t < NSECS; t++) {
		arr = jget(doc, sec_names[t]);
		for (k = 0; k < jlen(arr); k++)
			load_row(R, 1u << t, json_object_array_get_idx(arr, k));
	}
}

int load_results(const char *file, struct results *R)
{
	json_object *doc;
	const char *schema;
	char err[200];

	if (jload(file, &doc, err, sizeof(err))) {
		warnx_("%s: %s", file, err);
		return -1;
	}
	schema = jstr(doc, "schema");
	if (strcmp(schema, SCHEMA) && strcmp(schema, SCHEMA_V2) &&
	    strcmp(schema, SCHEMA_V1)) {
		warnx_("%s: not a %s file (try --check-json)", file, SCHEMA);
		json_object_put(doc);
		return -1;
	}
	load_doc(doc, R);
	json_object_put(doc);
	return 0;
}
