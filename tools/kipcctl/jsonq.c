// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl-jsonq: the tests' JSON reader, because the guest's busybox has
 * no jq or python.  It parses standard input with json-c, strictly (one
 * value, nothing after it), and prints the value at each PATH, one a
 * line, as compact JSON: a string quoted, a number bare, null as null.
 *
 *	kipcctl ls --json | kipcctl-jsonq channels.# channels.name=a.mode
 *
 * A PATH is segments joined by dots: a member's key; an array index; '#',
 * the number of elements or members; KEY=VALUE, the first element of an
 * array that is an object whose member KEY reads as VALUE.  With no PATH
 * the input is only checked.  Exit status: 0, or 1 when the input is not
 * JSON or a PATH leads nowhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* All of standard input, NUL-terminated; *len without the NUL. */
static char *read_stdin(size_t *len)
{
	size_t room = 4096, n = 0, got;
	char *buf = malloc(room), *more;

	while (buf && (got = fread(buf + n, 1, room - n - 1, stdin)) > 0) {
		n += got;
		if (room - n > 1)
			continue;
		room *= 2;
		more = realloc(buf, room);
		if (!more)
			free(buf);
		buf = more;
	}
	if (!buf) {
		fprintf(stderr, "kipcctl-jsonq: out of memory\n");
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static json_object *parse_stdin(void)
{
	json_object *root = NULL;
	json_tokener *tok;
	size_t len, end;
	char *buf;

	buf = read_stdin(&len);
	tok = json_tokener_new();
	if (!buf || !tok)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	/* The NUL too: it ends a number at the very end of the input. */
	root = json_tokener_parse_ex(tok, buf, len + 1);
	if (!root) {
		fprintf(stderr, "kipcctl-jsonq: not JSON: %s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	if (end < len && strspn(buf + end, " \t\r\n") < len - end) {
		fprintf(stderr, "kipcctl-jsonq: not JSON: text after the value\n");
		json_object_put(root);
		root = NULL;
	}
out:
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return root;
}

/* The element of array @a whose member @key reads as @value. */
static json_object *select_element(json_object *a, const char *key,
				   const char *value)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *m;

		if (json_object_is_type(e, json_type_object) &&
		    json_object_object_get_ex(e, key, &m) &&
		    !strcmp(m ? json_object_get_string(m) : "null", value))
			return e;
	}
	return NULL;
}

/*
 * One step of a path from @cur, a container: *next is the value found
 * (NULL for a JSON null).  False when there is none.
 */
static bool step(json_object *cur, char *seg, json_object **next)
{
	char *eq = strchr(seg, '='), *end;
	long idx;

	*next = NULL;
	if (json_object_is_type(cur, json_type_object))
		return json_object_object_get_ex(cur, seg, next);
	if (!json_object_is_type(cur, json_type_array))
		return false;
	if (eq) {
		*eq = '\0';
		*next = select_element(cur, seg, eq + 1);
		return *next != NULL;
	}
	errno = 0;
	idx = strtol(seg, &end, 10);
	if (errno || *end || end == seg || idx < 0 ||
	    (size_t)idx >= json_object_array_length(cur))
		return false;
	*next = json_object_array_get_idx(cur, idx);
	return true;
}

static size_t count(json_object *o)
{
	if (json_object_is_type(o, json_type_array))
		return json_object_array_length(o);
	if (json_object_is_type(o, json_type_object))
		return json_object_object_length(o);
	return 0;
}

/* Walk @path from @o and print what is there.  0 or 1. */
static int query(json_object *o, const char *path)
{
	char *copy = strdup(path), *seg, *save = NULL;
	json_object *cur = o;
	int rc = 0;

	if (!copy)
		return 1;
	for (seg = strtok_r(copy, ".", &save); seg;
	     seg = strtok_r(NULL, ".", &save)) {
		if (!strcmp(seg, "#") && cur) {
			printf("%zu\n", count(cur));
			/* Nothing follows a count. */
			rc = strtok_r(NULL, ".", &save) != NULL;
			goto out;
		}
		if (!cur || !step(cur, seg, &cur)) {
			fprintf(stderr, "kipcctl-jsonq: %s: nothing at '%s'\n",
				path, seg);
			rc = 1;
			goto out;
		}
	}
	printf("%s\n", cur ? json_object_to_json_string_ext(cur,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) :
		"null");
out:
	free(copy);
	return rc;
}

int main(int argc, char **argv)
{
	json_object *root = parse_stdin();
	int i, rc = 0;

	if (!root)
		return 1;
	for (i = 1; i < argc; i++)
		rc |= query(root, argv[i]);
	json_object_put(root);
	return rc;
}
