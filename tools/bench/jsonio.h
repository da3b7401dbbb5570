/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonio.h: reading results files with json-c, for --from (json_read.c)
 * and --check-json (json_check.c).  json-c stands for a JSON null with a
 * NULL pointer, so "present and null" and "absent" are told apart by
 * jhas(); the other accessors give a default for both, as a reader of an
 * older or damaged file wants.
 */
#ifndef KIPC_BENCH_JSONIO_H
#define KIPC_BENCH_JSONIO_H

#include "bench.h"

#include <json-c/json.h>

/* JSON's own types, as --check-json names them; bits for "one of". */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

#define JT(t)		(1u << (t))

extern const char *const jtype_names[];

/* The whole of @path ("-": stdin) as one document: 0, or -1 and why. */
int jload(const char *path, json_object **doc, char *err, size_t len);

enum jtype jtype(const json_object *v);
bool jhas(const json_object *o, const char *key, json_object **v);
json_object *jget(const json_object *o, const char *key);
double jnum(const json_object *o, const char *key, double def);
const char *jstr(const json_object *o, const char *key);
bool jbool(const json_object *o, const char *key);

/* Arrays: their length (0 for anything else), and what they hold. */
size_t jlen(const json_object *a);
double jitem_num(const json_object *a, size_t i);
const char *jstr_item(const json_object *a, size_t i);
bool num_in(const json_object *a, double x);
bool str_in(const json_object *a, const char *s);

/* The rows and settings of a results document (json_read.c). */
void load_doc(const json_object *doc, struct results *R);

#endif /* KIPC_BENCH_JSONIO_H */
