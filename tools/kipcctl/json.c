// SPDX-License-Identifier: GPL-2.0
/*
 * json.c: --json, written with json-c.  Each helper adds one member and
 * returns 0 or -ENOMEM, so that a command can sum the results and never
 * print a document with a member silently missing.
 *
 * Counts are JSON numbers; a mode is the string "0644", because JSON has
 * no octal and the decimal 420 would read as something else; a value the
 * caller may not read is null, as "-" in the text output.
 */
#include <errno.h>

#include "kipcctl.h"

int kipcctl_json_add(json_object *obj, const char *key, json_object *val)
{
	/* A NULL value would be stored as null: that is no success. */
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int kipcctl_json_u64(json_object *obj, const char *key, uint64_t v)
{
	return kipcctl_json_add(obj, key, json_object_new_uint64(v));
}

int kipcctl_json_i64(json_object *obj, const char *key, int64_t v)
{
	return kipcctl_json_add(obj, key, json_object_new_int64(v));
}

int kipcctl_json_str(json_object *obj, const char *key, const char *s)
{
	return kipcctl_json_add(obj, key, json_object_new_string(s));
}

int kipcctl_json_mode(json_object *obj, const char *key, unsigned int mode)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04o", mode & 07777);
	return kipcctl_json_str(obj, key, buf);
}

int kipcctl_json_bool(json_object *obj, const char *key, bool v)
{
	return kipcctl_json_add(obj, key, json_object_new_boolean(v));
}

int kipcctl_json_null(json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) ? -ENOMEM : 0;
}

/* Print @root, indented as lsipc --json is, and drop it; 0 or 1. */
int kipcctl_json_print(json_object *root)
{
	const char *s = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = KIPCCTL_EXIT_OK;

	if (!s || puts(s) == EOF) {
		kipcctl_warn("cannot write the JSON output");
		rc = KIPCCTL_EXIT_FAILURE;
	}
	json_object_put(root);
	return rc;
}
